"""Real questions to the CLI against the seeded sandbox company. Expected answers are
derived from sandbox/company.py (the one source of truth), never typed in here."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from sandbox.company import DRIFTWOOD, DRIFTWOOD_AZURE, DRIFTWOOD_GCP, OWNERS, SPIKE
from tests.e2e.conftest import Cli, CliResult
from tests.helpers import synced_resources

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def ask(cli: Cli, question: str, user: str = "alice") -> dict[str, Any]:
    result = cli("ask", "--json", "--user", user, question)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.last


def lead(answer: dict[str, Any]) -> str:
    """The first paragraph of the markdown answer: the sentence a person reads first."""
    return str(answer["answer"]).split("\n\n")[0]


def table_rows(answer: dict[str, Any]) -> list[list[str]]:
    """The body rows of the answer's markdown tables, as cells."""
    rows = []
    for line in str(answer["answer"]).splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_public_buckets_names_only_the_public_ones_and_counts_the_rest(cli: Cli) -> None:
    answer = ask(cli, "which buckets are public?")
    assert answer["skill"] == "security.public_storage"
    public = [bucket.name for bucket in DRIFTWOOD.public_buckets()]
    others = [bucket.name for bucket in DRIFTWOOD.buckets if bucket.name not in public]
    unencrypted_only = [b.name for b in DRIFTWOOD.unencrypted_buckets() if b.name not in public]
    assert public and unencrypted_only  # the company has both, so the filter is tested
    assert set(answer["resources"]) == set(public)
    assert lead(answer).startswith(f"{len(public)} of {len(DRIFTWOOD.buckets)} buckets are public: ")
    assert f"Not listed: the other {len(others)} buckets, of which {len(unencrypted_only)} ha" in answer["answer"]
    assert not any(name in answer["answer"] for name in others)
    assert all(tool["ok"] for tool in answer["tools"])
    assert "s3-bucket-public.md" in {c["source"] for c in answer["citations"]}


def test_unencrypted_buckets_names_only_those(cli: Cli) -> None:
    answer = ask(cli, "which buckets are unencrypted?")
    plain = {bucket.name for bucket in DRIFTWOOD.unencrypted_buckets()}
    assert set(answer["resources"]) == plain
    assert lead(answer).startswith(f"{len(plain)} of {len(DRIFTWOOD.buckets)} buckets ha")


def test_stopped_instances_only(cli: Cli) -> None:
    answer = ask(cli, "which instances are stopped?")
    assert answer["skill"] == "infra.inventory"
    stopped = {i.name for i in DRIFTWOOD.stopped_instances()}
    named = {row[2] for row in table_rows(answer)[1:]}  # type | id | name | ...
    assert named == stopped
    assert lead(answer).startswith(f"{len(stopped)} of {len(DRIFTWOOD.instances)} instances ")


def test_plain_words_resolve_to_the_instance_id_in_the_proposal(cli: Cli, sandbox: Any) -> None:
    instance_id, _ = _instance_id(sandbox, "search-indexer-1")
    answer = ask(cli, "please stop the search indexer box")
    pending = answer["pending_approval"]
    assert answer["skill"] == "infra.action" and pending is not None
    assert pending["summary"].startswith(f"stop {instance_id} (search-indexer-1")
    assert lead(answer).startswith(f"Waiting for an approval to stop {instance_id} (search-indexer-1")
    assert f"`guardian approvals approve {pending['id']}`" in answer["answer"]
    denied = cli("approvals", "deny", pending["id"], "--user", "bob", "--json")
    assert denied.returncode == 0


def test_world_open_ports(cli: Cli) -> None:
    answer = ask(cli, "which security groups are open to the world?")
    assert answer["skill"] == "security.open_ports"
    for group in DRIFTWOOD.world_open_groups():
        assert group.name in answer["answer"], group.name
    closed = {g.name for g in DRIFTWOOD.security_groups} - {g.name for g in DRIFTWOOD.world_open_groups()}
    assert not any(f"| {name} |" in answer["answer"] for name in closed)


def test_ssh_question_narrows_to_port_22(cli: Cli) -> None:
    answer = ask(cli, "is ssh open to the internet anywhere")
    assert answer["skill"] == "security.open_ports"
    ssh_groups = [g.name for g in DRIFTWOOD.world_open_groups() if 22 in g.world_ports()]
    others = [g.name for g in DRIFTWOOD.world_open_groups() if 22 not in g.world_ports()]
    assert ssh_groups and all(name in answer["answer"] for name in ssh_groups)
    assert not any(f"| {name} |" in answer["answer"] for name in others)


def test_iam_problems(cli: Cli) -> None:
    answer = ask(cli, "which iam users have no mfa or access keys older than 90 days")
    assert answer["skill"] == "security.iam"
    asked = {u.name for u in [*DRIFTWOOD.users_without_mfa(), *DRIFTWOOD.users_with_old_keys()]}
    assert {row[0] for row in table_rows(answer)[1:]} == asked
    assert lead(answer).startswith(f"{len(asked)} of {len(DRIFTWOOD.iam_users)} IAM users ")
    not_asked = {u.name for u in [*DRIFTWOOD.users_with_unused_keys(), *DRIFTWOOD.admins()]} - asked
    assert not_asked and not any(name in answer["answer"] for name in not_asked)


def test_cost_spike_names_the_driver(cli: Cli) -> None:
    answer = ask(cli, "why did our aws bill jump the last few days?")
    assert answer["skill"] == "cost.anomalies"
    # the company has a Cost Anomaly Detection monitor: the lead is AWS's anomaly and its root cause
    assert lead(answer).startswith(f"AWS Cost Anomaly Detection: {SPIKE.aws_service} in {SPIKE.region} ")
    assert table_rows(answer)[1][0] == SPIKE.aws_service  # the table is sorted by the change, largest first


def test_spend_by_service(cli: Cli) -> None:
    answer = ask(cli, "what did we spend last week by service")
    assert answer["skill"] == "cost.summary"
    first_table = str(answer["answer"]).split("\n\n| ")[1]  # the cost table; the chart's points follow
    rows = table_rows({"answer": "| " + first_table})[1:]
    costs = [float(row[1].lstrip("$").replace(",", "")) for row in rows]
    assert rows[0][0] == SPIKE.aws_service and costs == sorted(costs, reverse=True)
    assert len(rows) == len({line.aws_service for line in DRIFTWOOD.cost_lines})
    assert "**Daily cost**" in answer["answer"]  # the trend comes with a chart (a table of points here)


def test_error_logs_are_quoted(cli: Cli) -> None:
    answer = ask(cli, "show me errors in the checkout-api logs")
    assert answer["skill"] == "infra.logs"
    expected = DRIFTWOOD.error_lines("/app/checkout-api")
    assert expected
    assert any(line.message[:40] in answer["answer"] for line in expected)


def test_inventory_by_region(cli: Cli) -> None:
    answer = ask(cli, "list ec2 instances in eu-west-1")
    assert answer["skill"] == "infra.inventory"
    for instance in DRIFTWOOD.instances:
        assert (instance.name in answer["answer"]) == (instance.region == "eu-west-1"), instance.name


def _instance_id(sandbox: Any, name: str) -> tuple[str, Any]:
    instance = DRIFTWOOD.instance(name)
    ec2 = boto3.client("ec2", region_name=instance.region, endpoint_url=sandbox.env["AWS_ENDPOINT_URL"],
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    reservations = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])["Reservations"]
    return reservations[0]["Instances"][0]["InstanceId"], ec2


def _state(ec2: Any, instance_id: str) -> str:
    return str(ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"])


def test_stop_waits_for_approval_then_runs_from_another_process(cli: Cli, sandbox: Any,
                                                                  company_as_seeded: None) -> None:
    instance_id, ec2 = _instance_id(sandbox, "payments-api-2")
    assert _state(ec2, instance_id) == "running"
    answer = ask(cli, f"stop {instance_id}")
    assert answer["skill"] == "infra.action"
    pending = answer["pending_approval"]
    assert pending and instance_id in pending["summary"]
    assert _state(ec2, instance_id) == "running"
    listed = cli("approvals", "list", "--json")
    assert pending["id"] in {row["id"] for row in listed.json_lines}
    approved = cli("approvals", "approve", pending["id"], "--user", "bob", "--json")
    assert approved.returncode == 0, approved.stderr
    assert _state(ec2, instance_id) in ("stopping", "stopped")
    again = cli("approvals", "approve", pending["id"], "--user", "bob")
    assert again.returncode == 1 and "already" in again.stderr


def test_denied_action_changes_nothing(cli: Cli, sandbox: Any, company_as_seeded: None) -> None:
    instance_id, ec2 = _instance_id(sandbox, "checkout-web-1")
    pending = ask(cli, f"reboot {instance_id}")["pending_approval"]
    assert pending
    denied = cli("approvals", "deny", pending["id"], "--user", "bob", "--json")
    assert denied.returncode == 0 and "nothing was changed" in denied.last["answer"]
    assert _state(ec2, instance_id) == "running"


def test_unknown_instance_gets_a_clear_answer_and_no_approval(cli: Cli) -> None:
    answer = ask(cli, "stop i-0123456789abcdef0")
    assert answer["pending_approval"] is None
    assert "i-0123456789abcdef0" in answer["answer"]
    assert "Traceback" not in answer["answer"]


def test_unreachable_cloud_is_one_clear_sentence(cli: Cli) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    env = {**cli.env, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_port}"}
    result = cli("ask", "--json", "which buckets are public?", env=env, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    answer = result.last
    assert answer["tools"] and not answer["tools"][0]["ok"]
    assert "reach" in answer["answer"].lower()
    assert answer["resources"] == []


@pytest.fixture(scope="module")
def synced(cli: Cli) -> CliResult:
    """One `guardian inventory sync --json` of the session's home for the tests that need a
    snapshot (each synced the same home again: 5-7 s of CPU each). Nothing in this module
    changes the inventory's resources, so the snapshot stays what these tests ask about."""
    return cli("inventory", "sync", "--json")


def test_inventory_sync_grounds_search_in_resources(cli: Cli, synced: CliResult) -> None:
    assert synced.returncode == 0, synced.stderr
    assert synced.last["resources"] == synced_resources() and synced.last["errors"] == []  # every configured cloud
    database = DRIFTWOOD.databases[0]
    found = cli("knowledge", "search", "--json", "-k", "3", f"{database.service} database {database.engine}")
    assert f"inventory/rds/{database.identifier}" in [hit["source"] for hit in found.last["results"]]


def test_a_resource_of_another_cloud_is_found_in_the_inventory_not_swapped_for_an_aws_one(
        cli: Cli, synced: CliResult) -> None:
    """"Who owns web-frontend-1?" names an Azure VM; the live AWS describe finds no such
    instance (checkout-web-1 shares two of its words and must not stand in for it), so Azure
    is asked and answers with the VM and its owner tag, and the inventory snapshot says the
    same, cited as inventory."""
    assert synced.returncode == 0, synced.stderr
    vm = DRIFTWOOD_AZURE.vm("web-frontend-1")
    answer = ask(cli, f"who owns {vm.name}?")
    assert answer["skill"] == "infra.describe"
    assert lead(answer) == (f"Azure VM {vm.name} is {vm.power_state} in {vm.location} (resource group "
                            f"{vm.resource_group}, owner {OWNERS[vm.service]}): {vm.size}, {vm.os_type}, "
                            f"NSG {vm.nsg}.")
    assert vm.nsg  # the seeded VM sits behind a group, which the description names
    assert (f"The inventory snapshot has 1 resource for {vm.name}: {vm.name} (azure vm in {vm.location}, "
            f"owner {OWNERS[vm.service]}).") in answer["answer"]
    aws_lookalikes = [i.name for i in DRIFTWOOD.instances if "web" in i.name]
    assert aws_lookalikes and not any(name in answer["answer"] for name in aws_lookalikes)
    arm_id = DRIFTWOOD_AZURE.resource_id(vm.resource_group, "Microsoft.Compute", "virtualMachines", vm.name)
    assert [c["source"] for c in answer["citations"]] == [f"inventory/vm/{arm_id}"]
    assert answer["pending_approval"] is None


def test_where_a_service_runs_spans_every_cloud_in_the_inventory(cli: Cli, synced: CliResult) -> None:
    assert synced.returncode == 0, synced.stderr
    answer = ask(cli, "where does payments-api run?")
    lookup = next(t for t in answer["tools"] if t["name"] == "knowledge_inventory_lookup")
    assert lookup["ok"]
    expected = ({i.name for i in DRIFTWOOD.instances if "payments-api" in i.name}
                | {i.name for i in DRIFTWOOD_GCP.instances if "payments-api" in i.name})
    assert {i.name for i in DRIFTWOOD_GCP.instances if "payments-api" in i.name}  # another cloud's too
    shown = {c["title"].rsplit(" ", 1)[-1] for c in answer["citations"] if c["source"].startswith("inventory/")}
    assert shown == expected


def test_cpu_of_an_instance_over_days_is_answered_with_a_chart(cli: Cli) -> None:
    """"CPU of X over the last 3 days" reads the CloudWatch series (the sandbox seeds a point
    a day at the instance's average) beside its describe, and the answer charts it."""
    inst = DRIFTWOOD.instance("payments-api-1")
    answer = ask(cli, f"cpu utilization of {inst.name} over the last 3 days")
    assert answer["skill"] == "infra.describe"
    metrics = next(t for t in answer["tools"] if t["name"] == "aws_metrics")
    assert metrics["ok"] and metrics["args"]["metric"] == "CPUUtilization"
    lines = str(answer["answer"]).splitlines()
    start = lines.index(f"**CPUUtilization of {inst.name}**")
    points = [line for line in lines[start + 3:] if line.startswith("| ")]
    assert [line.rsplit("|", 2)[-2].strip() for line in points] == [f"{inst.cpu_percent:.1f}%"] * 3


def test_the_load_balancer_answer_names_the_target_that_is_not_healthy(cli: Cli, sandbox: Any,
                                                                      company_as_seeded: None) -> None:
    """moto reports a stopped registered instance "unused" (it has no "unhealthy"); the target
    is named by its Name tag as well as its id."""
    balancer = DRIFTWOOD.load_balancers[0]
    (stopped,) = [name for name in balancer.targets if DRIFTWOOD.instance(name).state != "running"]
    stopped_id, _ec2 = _instance_id(sandbox, stopped)
    answer = ask(cli, f"is {balancer.name} healthy?")
    assert answer["skill"] == "infra.describe"
    assert next(t for t in answer["tools"] if t["name"] == "aws_describe_resource")["ok"]
    assert (f"Load balancer {balancer.name} in {balancer.region}: {len(balancer.targets) - 1} of "
            f"{len(balancer.targets)} targets healthy: {stopped} ({stopped_id}) is unused (Target is in the stopped "
            "state)."
            ) in str(answer["answer"]).splitlines()


def test_a_period_guardian_cannot_read_is_said_beside_the_default_answer(cli: Cli) -> None:
    answer = ask(cli, "what did we spend last blurgday")
    assert answer["skill"] == "cost.summary"
    assert 'I could not read the period "last blurgday", so the answer uses the default period.' in answer["answer"]


def test_a_region_aws_does_not_have_is_said_and_nothing_else_is_listed(cli: Cli) -> None:
    answer = ask(cli, "list instances in eu-middle-9")
    assert lead(answer) == ("eu-middle-9 is not an AWS region (they look like us-east-1 or eu-west-1). "
                            f"Guardian is set up for {', '.join(DRIFTWOOD.regions)} (GUARDIAN_AWS_REGIONS).")
    assert answer["resources"] == []


@pytest.fixture
def two_new_incidents(sandbox: Any) -> Iterator[list[Any]]:
    """Two fresh triggered incidents in the shared PagerDuty stand-in, removed after the test
    (the seeded ones stay as the company has them for every other test)."""
    from sandbox.pagerduty_api import PagerDutyStandIn
    from sandbox.pagerduty_webhooks import add_incident

    pd = next(s for s in sandbox.standins if isinstance(s, PagerDutyStandIn))
    quiet = next(i for i in pd.data.incidents if not i.open)  # a service with nothing open: these two only
    made = [add_incident(pd.data, "Search replica lag above 5 minutes", like=quiet.id),
            add_incident(pd.data, "Search queue depth above 10k", like=quiet.id)]
    for incident in made:
        incident.service_name = pd.data.service(incident.service).name  # type: ignore[attr-defined]
    yield made
    pd.data.incidents[:] = [incident for incident in pd.data.incidents if incident not in made]


def test_acking_two_incidents_named_together_is_one_approval_that_moves_both(
        cli: Cli, two_new_incidents: list[Any]) -> None:
    first, second = two_new_incidents
    answer = ask(cli, f"ack {first.number} and {second.number}, we're on both")
    pending = answer["pending_approval"]
    assert answer["skill"] == "incident.ack" and pending
    assert first.id in pending["summary"] and second.id in pending["summary"]
    assert (first.status, second.status) == ("triggered", "triggered")  # nothing before the decision
    approved = cli("approvals", "approve", pending["id"], "--user", "bob", "--json")
    assert approved.returncode == 0, approved.stderr
    assert (first.status, second.status) == ("acknowledged", "acknowledged")


def test_resolve_both_after_a_list_of_two_names_the_two_listed(cli: Cli, two_new_incidents: list[Any]) -> None:
    first, second = two_new_incidents
    thread = f"both-{first.id}"
    listed = cli("ask", "--json", "--thread", thread, f"open incidents on the {first.service_name} service")
    assert listed.returncode == 0, listed.stderr
    assert {first.id, second.id} <= set(listed.last["resources"])
    answer = cli("ask", "--json", "--thread", thread, "both are sorted now, resolve both").last
    pending = answer["pending_approval"]
    assert answer["skill"] == "incident.resolve" and pending, (listed.last, answer)
    assert first.id in pending["summary"] and second.id in pending["summary"]
    denied = cli("approvals", "deny", pending["id"], "--user", "bob", "--json")
    assert denied.returncode == 0 and (first.status, second.status) == ("triggered", "triggered")
