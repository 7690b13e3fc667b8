"""Real questions to the CLI against the seeded sandbox company. Expected answers are
derived from sandbox/company.py (the one source of truth), never typed in here."""

from __future__ import annotations

import socket
from typing import Any

import boto3
import pytest

from sandbox.company import DRIFTWOOD, SPIKE
from tests.e2e.conftest import Cli

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def ask(cli: Cli, question: str, user: str = "alice") -> dict[str, Any]:
    result = cli("ask", "--json", "--user", user, question)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.last


def test_public_buckets_are_named_and_cited(cli: Cli) -> None:
    answer = ask(cli, "which buckets are public?")
    assert answer["skill"] == "security.public_storage"
    public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
    flagged = public | {bucket.name for bucket in DRIFTWOOD.unencrypted_buckets()}
    fine = {bucket.name for bucket in DRIFTWOOD.buckets} - flagged
    assert public <= set(answer["resources"])
    assert not fine & set(answer["resources"])
    assert all(tool["ok"] for tool in answer["tools"])
    assert "s3-bucket-public.md" in {c["source"] for c in answer["citations"]}


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
    for user in [*DRIFTWOOD.users_without_mfa(), *DRIFTWOOD.users_with_old_keys()]:
        assert user.name in answer["answer"], user.name
    ok_users = {u.name for u in DRIFTWOOD.iam_users} - {
        u.name for u in [*DRIFTWOOD.users_without_mfa(), *DRIFTWOOD.users_with_old_keys(),
                         *DRIFTWOOD.users_with_unused_keys(), *DRIFTWOOD.admins()]}
    for name in ok_users:
        assert f"| {name} |" not in answer["answer"]


def test_cost_spike_names_the_driver(cli: Cli) -> None:
    answer = ask(cli, "why did our aws bill jump the last few days?")
    assert answer["skill"] == "cost.anomalies"
    assert SPIKE.aws_service in answer["answer"]


def test_spend_by_service(cli: Cli) -> None:
    answer = ask(cli, "what did we spend last week by service")
    assert answer["skill"] == "cost.summary"
    assert "$" in answer["answer"] or "USD" in answer["answer"]
    assert SPIKE.aws_service in answer["answer"]


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


def test_inventory_sync_grounds_search_in_resources(cli: Cli) -> None:
    synced = cli("inventory", "sync", "--json")
    assert synced.returncode == 0, synced.stderr
    expected = len(DRIFTWOOD.instances) + len(DRIFTWOOD.buckets) + len(DRIFTWOOD.databases) + len(DRIFTWOOD.functions)
    assert synced.last["resources"] == expected and synced.last["errors"] == []
    database = DRIFTWOOD.databases[0]
    found = cli("knowledge", "search", "--json", "-k", "3", f"{database.service} database {database.engine}")
    assert f"inventory/rds/{database.identifier}" in [hit["source"] for hit in found.last["results"]]
