"""The Google Cloud tools through the real SDK clients against the stand-in: exactly the
planted findings and nothing on their clean twins, log lines filtered by period and
severity exactly, and the bad input of the issue (no project, an unknown service, 429
throttling, 403 naming the permission). Expected values come from sandbox/company.py."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from sandbox.company import GcpProject
from sandbox.gcp_api import GcpStandIn
from tests.tools.gcp.conftest import Tools, gcp_ctx
from tools.base import ToolContext

SCAN_FIELDS = {"check", "severity", "cloud", "region", "resource", "detail"}


def _messages(rows: list[dict[str, object]]) -> list[object]:
    return [row["message"] for row in rows]


# --------------------------------------------------------------------------- logs


def test_errors_of_a_service_in_the_last_hour_are_exactly_its_error_lines(
        tools: Tools, project: GcpProject, standin: GcpStandIn) -> None:
    source = project.log_source("checkout-api")
    expected = sorted(source.at_least("ERROR", within_minutes=60), key=lambda line: line.minutes_ago)
    older = [line for line in source.at_least("ERROR") if line not in expected]
    quieter = [line for line in source.lines if line not in source.at_least("ERROR")]
    assert expected and older and quieter  # the data has lines on each side of both filters
    result = tools("gcp_log_errors", service="checkout-api", hours=1)
    assert result.status == "ok", result.summary
    assert _messages(result.rows) == [line.message for line in expected]  # newest first
    assert [row["severity"] for row in result.rows] == [line.severity for line in expected]
    assert result.facts["matched"] == len(expected)
    assert result.resources == ["checkout-api"]
    # one entries:list call, with the severity floor and the period in the filter
    (call,) = [c for c in standin.calls if c.path == "/v2/entries:list"]
    assert call.body["resourceNames"] == [f"projects/{project.project_id}"]
    assert "severity>=ERROR" in call.body["filter"] and 'timestamp>="' in call.body["filter"]
    assert "authorization" not in call.headers  # anonymous, as the settings asked


def test_a_period_and_a_lower_severity_floor(tools: Tools, project: GcpProject) -> None:
    now = datetime.now(UTC)
    source = project.log_source("checkout-api")
    expected = sorted((line for line in source.at_least("WARNING") if 30 < line.minutes_ago < 100),
                      key=lambda line: line.minutes_ago)
    assert {line.severity for line in expected} == {"WARNING", "ERROR"}
    result = tools("gcp_log_errors", service="checkout-api", severity="warning",
                   start_time=(now - timedelta(minutes=100)).isoformat(),
                   end_time=(now - timedelta(minutes=30)).isoformat())
    assert result.status == "ok", result.summary
    assert _messages(result.rows) == [line.message for line in expected]
    assert result.summary.startswith(f"{len(expected)} WARNING-or-worse log entries for checkout-api")


def test_an_instance_is_found_by_its_name_label(tools: Tools, project: GcpProject) -> None:
    source = project.log_source("gce-payments-api-1")
    result = tools("gcp_log_errors", service="gce-payments-api-1", hours=2)
    assert _messages(result.rows) == [line.message for line in source.at_least("ERROR", within_minutes=120)]
    assert {row["resource_type"] for row in result.rows} == {"gce_instance"}


def test_an_unknown_service_answers_no_logs(tools: Tools, project: GcpProject) -> None:
    result = tools("gcp_log_errors", service="no-such-service", hours=1)
    assert result.status == "no_data"
    assert result.summary.startswith("No logs: Cloud Logging has no entries at all for 'no-such-service' in "
                                     f"project {project.project_id}")
    assert result.rows == []


def test_a_quiet_service_is_told_apart_from_an_unknown_one(tools: Tools, project: GcpProject) -> None:
    source = project.log_source("checkout-api")
    newest = min(line.minutes_ago for line in source.lines)
    assert newest < 5 and not source.at_least("ERROR", within_minutes=newest + 1)
    result = tools("gcp_log_errors", service="checkout-api", hours=(newest + 1) / 60)
    assert result.status == "no_data"
    assert "it did log at lower severities" in result.summary


def test_a_word_of_a_workloads_name_reads_that_workload(tools: Tools, project: GcpProject) -> None:
    """"the payments vm": nothing logs under the bare word, so the workloads whose names hold it
    are read (and the answer says which); "vm", another cloud's kind word, filters nothing."""
    holders = [s for s in project.log_sources if "payments" in s.service.split("-")]
    assert len(holders) == 1 and holders[0].service != "payments"
    expected = holders[0].at_least("ERROR", within_minutes=120)
    result = tools("gcp_log_errors", service="payments", resource_type="vm", hours=2)
    assert result.status == "ok", result.summary
    assert _messages(result.rows) == [line.message for line in expected]
    assert result.summary.startswith(f"{len(expected)} ERROR-or-worse log entries for {holders[0].service} "
                                     "(nothing is named 'payments'")


# --------------------------------------------------------------------------- inventory


def test_inventory_by_label(tools: Tools, project: GcpProject) -> None:
    result = tools("gcp_inventory", tag_key="team", tag_value="payments")
    assert result.status == "ok", result.summary
    expected = project.labelled("team", "payments")
    instances = {i.name for i in project.instances}
    assert [row["name"] for row in result.rows] == sorted(expected, key=lambda name: (name not in instances, name))
    expected_ids = {i.id for i in project.instances if i.labels["team"] == "payments"}
    assert {row["id"] for row in result.rows if row["type"] == "instance"} == expected_ids
    assert all("team=payments" in row["labels"] for row in result.rows)


def test_inventory_of_instances_in_a_region(tools: Tools, project: GcpProject) -> None:
    result = tools("gcp_inventory", resource_type="ec2", region="europe-west1")  # the router's word for VMs
    expected = {i.name: i for i in project.instances if i.region == "europe-west1"}
    assert {row["name"] for row in result.rows} == set(expected)
    for row in result.rows:
        assert (row["location"], row["state"], row["detail"]) == (
            expected[row["name"]].zone, expected[row["name"]].status, expected[row["name"]].machine_type)
    n, plural = len(expected), "s" if len(expected) != 1 else ""
    assert result.summary.startswith(f"{n} resource{plural} in Google Cloud project {project.project_id}: "
                                     f"{n} instance{plural} ")


def test_one_resource_is_counted_in_the_singular(tools: Tools, project: GcpProject) -> None:
    bucket = sorted(b.name for b in project.buckets)[0]
    result = tools("gcp_inventory", resource_type="bucket", service=bucket)
    assert result.status == "ok", result.summary
    assert result.summary.startswith(f"1 resource in Google Cloud project {project.project_id}: 1 bucket ({bucket})")


# --------------------------------------------------------------------------- security


def test_open_firewall_rules_are_exactly_the_planted_one(tools: Tools, project: GcpProject) -> None:
    planted = [rule.name for rule in project.open_firewall_rules()]
    clean = [rule.name for rule in project.firewall_rules if rule.name not in planted]
    assert planted and clean
    result = tools("gcp_open_firewall_rules")
    assert result.status == "ok", result.summary
    assert [row["rule"] for row in result.rows] == planted
    (row,) = result.rows
    rule = project.firewall_rules[[r.name for r in project.firewall_rules].index(planted[0])]
    assert (row["protocol"], row["ports"], row["source"], row["severity"]) == ("tcp", "22", "0.0.0.0/0", "high")
    reached = [i.name for i in project.instances if set(i.network_tags) & set(rule.target_tags)]
    assert row["instances"] == ", ".join(reached)
    assert not any(name in result.summary or name in result.resources for name in clean)


def test_a_port_no_open_rule_covers_is_no_data(tools: Tools) -> None:
    # 3389 is open to the world only in a disabled rule, which lets nothing in
    result = tools("gcp_open_firewall_rules", port=3389)
    assert result.status == "no_data", result.summary


def test_public_buckets_are_exactly_the_planted_ones(tools: Tools, project: GcpProject) -> None:
    public = {b.name: b.public_members() for b in project.public_buckets()}
    clean = [b.name for b in project.buckets if b.name not in public]
    assert set(map(tuple, public.values())) == {("allUsers",), ("allAuthenticatedUsers",)} and clean
    result = tools("gcp_public_buckets")
    assert result.status == "ok", result.summary
    assert {row["bucket"]: [row["member"]] for row in result.rows} == public
    assert set(result.resources) == set(public)
    assert result.facts["buckets_checked"] == len(project.buckets)
    assert not any(name in result.summary for name in clean)


def test_a_bucket_check_reads_each_policy_once_and_nothing_in_the_background(
        tools: Tools, standin: GcpStandIn, project: GcpProject) -> None:
    before = threading.active_count()
    tools("gcp_public_buckets")
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    paths = sorted(call.path for call in standin.calls)
    assert paths == sorted(["/storage/v1/b"] + [f"/storage/v1/b/{b.name}/iam" for b in project.buckets])


def test_the_scan_rows_are_the_contract_lines_of_the_planted_problems(tools: Tools, project: GcpProject) -> None:
    result = tools("gcp_security_scan")
    assert result.status == "ok", result.summary
    assert all(set(row) == SCAN_FIELDS and row["cloud"] == "gcp" for row in result.rows)
    found = {(row["check"], row["resource"]) for row in result.rows}
    expected = ({("open_firewall_rule", r.name) for r in project.open_firewall_rules()}
                | {("public_bucket", b.name) for b in project.public_buckets()})
    assert found == expected
    assert len(result.rows) == len(expected)
    assert all("; fix: " in row["detail"] for row in result.rows)
    regions = {row["resource"]: row["region"] for row in result.rows if row["check"] == "public_bucket"}
    assert regions == {b.name: b.location.lower() for b in project.public_buckets()}


# --------------------------------------------------------------------------- bad input


def test_no_project_refuses_with_what_to_set_and_calls_nothing(tools: Tools, standin: GcpStandIn) -> None:
    for name in ("gcp_log_errors", "gcp_inventory", "gcp_public_buckets", "gcp_security_scan"):
        result = tools(name, ctx=gcp_ctx(standin, project=None))
        assert result.status == "error"
        assert result.summary == "Google Cloud is not configured: it needs a project (set GOOGLE_CLOUD_PROJECT)."
    assert standin.calls == []


def test_a_project_that_does_not_exist(tools: Tools, standin: GcpStandIn) -> None:
    result = tools("gcp_inventory", ctx=gcp_ctx(standin, project="driftwood-nope"))
    assert result.status == "error"
    assert "project driftwood-nope was not found" in result.summary


def test_throttling_is_retried_then_answers(tools: Tools, standin: GcpStandIn, project: GcpProject) -> None:
    standin.fail_next("global/firewalls", 429, times=2)
    result = tools("gcp_open_firewall_rules")
    assert result.status == "ok", result.summary
    assert [row["rule"] for row in result.rows] == [r.name for r in project.open_firewall_rules()]
    assert len([c for c in standin.calls if c.path.endswith("/global/firewalls")]) == 3


def test_throttling_that_lasts_is_said_clearly(tools: Tools, standin: GcpStandIn) -> None:
    standin.fail_next("entries:list", 429, times=100)
    result = tools("gcp_log_errors", service="checkout-api")
    assert result.status == "error"
    assert result.summary == ("Google Cloud is throttling entries.list (HTTP 429) and still was after 4 attempts "
                              "with backoff; try again in a minute.")
    assert len([c for c in standin.calls if c.path == "/v2/entries:list"]) == 4


def test_access_denied_names_the_missing_permission(tools: Tools, standin: GcpStandIn) -> None:
    cases = {("global/firewalls", "gcp_open_firewall_rules"): "compute.firewalls.list",
             ("aggregated/instances", "gcp_inventory"): "compute.instances.list",
             ("/iam", "gcp_public_buckets"): "storage.buckets.getIamPolicy",
             ("entries:list", "gcp_log_errors"): "logging.logEntries.list"}
    for (path, tool), permission in cases.items():
        standin.fail_next(path, 403)
        result = tools(tool)
        assert result.status == "error", tool
        assert result.summary.endswith(f"(403): the credentials need the {permission} permission."), result.summary
        standin.faults.clear()


def test_an_unreachable_endpoint_is_one_sentence(tools: Tools, standin: GcpStandIn) -> None:
    dead = gcp_ctx(standin, api_url="http://127.0.0.1:9")
    result = tools("gcp_public_buckets", ctx=dead)
    assert result.status == "error"
    assert result.summary == "Could not reach Google Cloud for buckets.list (ConnectionError)."


def test_clients_are_made_once_per_context(tools: Tools, ctx: ToolContext) -> None:
    tools("gcp_inventory")
    made = dict(ctx.gcp_clients)
    tools("gcp_security_scan")
    assert {name: ctx.gcp_clients[name] for name in made} == made  # the same objects, reused


def test_a_disabled_rule_that_would_open_the_port_is_named(tools: Tools, project: GcpProject) -> None:
    # asked of a port only a switched-off rule covers, the answer says which rule and that it is off
    off = [r.name for r in project.firewall_rules if r.disabled and r.allowed and "0.0.0.0/0" in r.source_ranges]
    assert off
    result = tools("gcp_open_firewall_rules", port=3389)
    assert result.status == "no_data"
    assert all(name in result.summary for name in off) and "Disabled" in result.summary
    quiet = tools("gcp_open_firewall_rules", port=6379)  # no rule at all, enabled or not
    assert quiet.status == "no_data" and "Disabled" not in quiet.summary


def test_a_bucket_that_is_not_public_is_said_so_with_the_public_count(tools: Tools, project: GcpProject) -> None:
    clean = next(b.name for b in project.buckets if not b.public_members())
    result = tools("gcp_public_buckets", bucket=clean)
    assert result.status == "no_data"
    assert clean in result.summary and f"{len(project.public_buckets())} of {len(project.buckets)}" in result.summary
    assert "None of" not in result.summary


def test_a_name_that_is_no_bucket_of_the_project_narrows_nothing(tools: Tools, project: GcpProject) -> None:
    result = tools("gcp_public_buckets", bucket=project.project_id)
    assert result.status == "ok"
    assert set(result.resources) == {b.name for b in project.public_buckets()}
