"""Slot extraction, one slot type at a time, against a fixed clock (Sunday 2025-06-15)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.slots import extract_slots
from tests.agents.conftest import FIXED_NOW


def slots(text: str) -> dict[str, Any]:
    found = extract_slots(text, FIXED_NOW)
    json.dumps(found)  # JSON-serialisable, always
    return found


def period(text: str) -> tuple[str, str]:
    found = slots(text)["time_range"]
    return found["start"], found["end"]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("spend yesterday", "2025-06-14", "2025-06-15"),
        ("costs today", "2025-06-15", "2025-06-16"),
        ("spend last week", "2025-06-02", "2025-06-09"),
        ("spend this week", "2025-06-09", "2025-06-16"),
        ("bill this month", "2025-06-01", "2025-06-16"),
        ("spend mtd", "2025-06-01", "2025-06-16"),
        ("cost last month", "2025-05-01", "2025-06-01"),
        ("spend for the last 7 days", "2025-06-08", "2025-06-15"),
        ("past 3 days", "2025-06-12", "2025-06-15"),
        ("last 2 weeks", "2025-06-01", "2025-06-15"),
        ("costs in october", "2024-10-01", "2024-11-01"),
        ("spend in may", "2025-05-01", "2025-06-01"),
        ("ec2 spend for q1", "2025-01-01", "2025-04-01"),
        ("spend for q3", "2024-07-01", "2024-10-01"),
        ("forecast q3", "2025-07-01", "2025-10-01"),
        ("q2 2024 costs", "2024-04-01", "2024-07-01"),
        ("since monday", "2025-06-09", "2025-06-16"),
        ("bill spiked on tuesday", "2025-06-10", "2025-06-11"),
        ("forecast next month", "2025-07-01", "2025-08-01"),
        ("spend last quarter", "2025-01-01", "2025-04-01"),
        ("spend ytd", "2025-01-01", "2025-06-16"),
        ("forecast for the next 3 months", "2025-06-15", "2025-10-01"),
        ("bill at end of month", "2025-06-15", "2025-07-01"),
        ("costs between 2025-03-01 and 2025-03-15", "2025-03-01", "2025-03-15"),
        ("spend since 2025-06-01", "2025-06-01", "2025-06-16"),
        ("spend since the 3rd", "2025-06-03", "2025-06-16"),
    ],
)
def test_time_range(text: str, start: str, end: str) -> None:
    assert period(text) == (start, end)


@pytest.mark.parametrize(("text", "start", "label"), [
    ("what merged in the last day or two?", "2025-06-13", "last two days"),
    ("errors over the past 2 or 3 days", "2025-06-12", "past 3 days"),
    ("changes in the last week or two", "2025-06-01", "last two weeks"),
])
def test_a_range_of_amounts_is_read_as_its_wider_end(text: str, start: str, label: str) -> None:
    found = slots(text)["time_range"]
    assert (found["start"], found["end"], found["label"]) == (start, "2025-06-15", label)


def test_a_rolling_day_window_keeps_whole_days_and_the_moment_it_starts() -> None:
    """Cost tools read whole days up to today; event tools (changes, logs) read from the
    moment, so something an hour old is inside "the last 2 days"."""
    found = slots("what changed in the last 2 days")["time_range"]
    assert (found["start"], found["end"]) == ("2025-06-13", "2025-06-15")
    assert found["since"] == (FIXED_NOW - timedelta(days=2)).isoformat()
    assert "since" not in slots("what merged yesterday")["time_range"]


def test_time_range_keeps_the_phrase_and_the_hour_for_logs() -> None:
    found = slots("errors in the last hour")["time_range"]
    assert found["label"] == "last hour"
    assert found["since"] == "2025-06-15T11:00:00"
    assert slots("logs since 10am")["time_range"]["since"] == "2025-06-15T10:00:00"


def test_no_time_range_when_none_named() -> None:
    assert "time_range" not in slots("list buckets in us-east-1")
    assert "time_range" not in slots("we may need to reboot i-0abc1234")


@pytest.mark.parametrize(
    ("text", "region"),
    [("instances in us-east-1", "us-east-1"), ("spend in eu-west-1", "eu-west-1"),
     ("vms in westeurope", "westeurope"), ("vms in west europe", "westeurope"),
     ("gke in europe-west1", "europe-west1"), ("what's running in virginia", "us-east-1"),
     ("instances in ireland", "eu-west-1"), ("resources in frankfurt", "eu-central-1"),
     ("tokyo lambdas", "ap-northeast-1")],
)
def test_region(text: str, region: str) -> None:
    assert slots(text)["region"] == region


@pytest.mark.parametrize(
    ("text", "cloud"),
    [("aws spend", "aws"), ("azure vms", "azure"), ("gcp bill", "gcp"), ("public gcs buckets", "gcp"),
     ("storage accounts with public blobs", "azure"), ("ec2 instances", "aws"), ("vms in westeurope", "azure")],
)
def test_cloud(text: str, cloud: str) -> None:
    assert slots(text)["cloud"] == cloud


def test_no_single_cloud_when_several_are_named() -> None:
    assert "cloud" not in slots("security posture across aws, azure and gcp")


def test_resource_ids_and_instance_id() -> None:
    found = slots("compare i-0abc123def4567890 and i-0fff1111 on sg-0a1b2c3d, vol-0f00ba5, snap-0123abcd, "
                  "ami-0abc1234, eni-0aa11bb2, subnet-0abc1234, vpc-0abc1234, db-ABCDEFGHIJKLMNOP and "
                  "arn:aws:iam::123456789012:user/alice with AKIAIOSFODNN7EXAMPLE")
    assert found["resource_ids"] == [
        "i-0abc123def4567890", "i-0fff1111", "sg-0a1b2c3d", "vol-0f00ba5", "snap-0123abcd", "ami-0abc1234",
        "eni-0aa11bb2", "subnet-0abc1234", "vpc-0abc1234", "db-ABCDEFGHIJKLMNOP",
        "arn:aws:iam::123456789012:user/alice", "AKIAIOSFODNN7EXAMPLE",
    ]
    assert found["instance_id"] == "i-0abc123def4567890"


def test_resource_ids_ignore_names_that_merely_contain_an_id_prefix() -> None:
    found = slots("details for payments-db-1")
    assert "resource_ids" not in found
    assert found["resource_name"] == "payments-db-1"


@pytest.mark.parametrize(
    ("text", "bucket"),
    [("is s3://customer-exports public", "customer-exports"), ("is bucket acme-backups public", "acme-backups"),
     ("is the marketing-assets bucket exposed", "marketing-assets"), ("gs://ml-data permissions", "ml-data")],
)
def test_bucket(text: str, bucket: str) -> None:
    assert slots(text)["bucket"] == bucket


def test_no_bucket_from_generic_words() -> None:
    assert "bucket" not in slots("did someone make a bucket public again")
    assert "bucket" not in slots("any public s3 bucket")


@pytest.mark.parametrize(
    ("text", "service", "resource_type"),
    [("ec2 spend", "ec2", "ec2"), ("rds instances", "rds", "rds"), ("lambda errors", "lambda", "lambda"),
     ("unattached ebs volumes", "ebs", "volume"), ("dynamodb cost", "dynamodb", None),
     ("elastic compute bill", "ec2", None), ("cloudwatch charges", "cloudwatch", None)],
)
def test_aws_service_and_resource_type(text: str, service: str, resource_type: str | None) -> None:
    found = slots(text)
    assert found["aws_service"] == service
    assert found.get("resource_type") == resource_type


@pytest.mark.parametrize(
    ("text", "resource_type"),
    [("open security groups", "security_group"), ("public buckets", "s3"), ("list vms", "ec2")],
)
def test_resource_type(text: str, resource_type: str) -> None:
    assert slots(text)["resource_type"] == resource_type


@pytest.mark.parametrize(
    ("text", "service"),
    [("errors from the checkout service", "checkout"), ("payments-api logs", "payments-api"),
     ("who is oncall for payments", "payments"), ("logs for auth svc", "auth"),
     ("incidents for checkout-api", "checkout-api")],
)
def test_service(text: str, service: str) -> None:
    assert slots(text)["service"] == service


@pytest.mark.parametrize("text", ["restart the service", "which service costs the most", "oncall for the week",
                                  "spend for prod", "costs for the last 7 days"])
def test_generic_words_are_not_services(text: str) -> None:
    assert "service" not in slots(text)


@pytest.mark.parametrize(("text", "name"), [("restart web-3", "web-3"), ("is bastion-1 up", "bastion-1"),
                                            ("cpu on prod-worker-7", "prod-worker-7")])
def test_resource_name(text: str, name: str) -> None:
    assert slots(text)["resource_name"] == name


@pytest.mark.parametrize("text", ["who is on-call", "re-run the job", "ec2-other spend", "sg-0a1b2c3d rules",
                                  "list instances in us-east-1", "are we affected by cve-2024-3094"])
def test_common_hyphenated_words_and_ids_are_not_resource_names(text: str) -> None:
    assert "resource_name" not in slots(text)


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [("resources tagged env=prod", "env", "prod"), ("instances with owner:alice", "owner", "alice"),
     ("spend for team=payments", "team", "payments")],
)
def test_tags(text: str, key: str, value: str) -> None:
    found = slots(text)
    assert (found["tag_key"], found["tag_value"]) == (key, value)


def test_tag_ignores_arns_and_times() -> None:
    assert "tag_key" not in slots("who is arn:aws:iam::123456789012:user/bob")
    assert "tag_key" not in slots("logs around 14:00")


@pytest.mark.parametrize(("text", "env"), [("spend for production", "prod"), ("staging deploy", "staging"),
                                           ("dev instances", "dev"), ("tagged env=production", "prod")])
def test_env(text: str, env: str) -> None:
    assert slots(text)["env"] == env


@pytest.mark.parametrize(("text", "group"), [("tail /aws/lambda/resize-images", "/aws/lambda/resize-images"),
                                             ("errors in /app/checkout", "/app/checkout"),
                                             ("logs of /ecs/checkout-api", "/ecs/checkout-api")])
def test_log_group(text: str, group: str) -> None:
    assert slots(text)["log_group"] == group


@pytest.mark.parametrize("text", ["how come the refunds branch's build went red?", "the JPY fix PR's pipeline is stuck",
                                  "is the hotfix branch\u2019s workflow done"])
def test_a_possessive_clitic_names_no_repository_or_person(text: str) -> None:
    # "branch's build": the "s" after the apostrophe is no repository, the CI noun no person
    found = slots(text.lower())
    assert found.get("service") not in ("s",) and found.get("person") not in ("branch", "pr")


def test_cidr_is_not_a_log_group() -> None:
    assert "log_group" not in slots("sgs open to 0.0.0.0/0")


@pytest.mark.parametrize(
    ("text", "action"),
    [("start web-3", "start"), ("stop i-0abc1234", "stop"), ("reboot web-1", "reboot"), ("restart web-1", "reboot"),
     ("scale the asg to 6", "scale"), ("resize db to r6g.large", "resize"), ("rerun the workflow", "rerun"),
     ("re-run failed jobs", "rerun"), ("restart the ci job", "rerun"), ("ack P1234AB", "ack"),
     ("acknowledge incident 42", "ack"), ("resolve #317", "resolve"), ("close the incident", "resolve"),
     ("page @alice", "page"), ("escalate to the db team", "page"), ("shut down the dev box", "stop"),
     ("turn on the jenkins server", "start")],
)
def test_action(text: str, action: str) -> None:
    assert slots(text)["action"] == action


@pytest.mark.parametrize("text", ["list stopped instances", "brief on the latest page", "unacked incidents"])
def test_no_action_in_questions(text: str) -> None:
    assert "action" not in slots(text)


@pytest.mark.parametrize(("text", "port"), [("is port 22 open", 22), ("any sg with port 3389 exposed", 3389),
                                            ("who opened 5432 to the internet", 5432), ("8443/tcp open", 8443),
                                            ("is ssh open to the world", 22), ("sgs open on 9200", 9200)])
def test_port(text: str, port: int) -> None:
    assert slots(text)["port"] == port


def test_no_port_from_unrelated_numbers() -> None:
    assert "port" not in slots("top 22 services by spend")
    assert "port" not in slots("how do i fail over redis")


@pytest.mark.parametrize(
    ("text", "repo"),
    [("runs for acme/api", "acme/api"), ("failing on acme/web-app", "acme/web-app"),
     ("last build of the web repo", "web"), ("repo checkout-service", "checkout-service")],
)
def test_repo(text: str, repo: str) -> None:
    assert slots(text)["repo"] == repo


def test_cidrs_and_ci_cd_are_not_repos() -> None:
    assert "repo" not in slots("0.0.0.0/0 on ci/cd runners")


@pytest.mark.parametrize(("text", "workflow"), [("has deploy.yml finished", "deploy.yml"),
                                                ("run release.yaml", "release.yaml"),
                                                ("rerun the deploy workflow", "deploy")])
def test_workflow(text: str, workflow: str) -> None:
    assert slots(text)["workflow"] == workflow


@pytest.mark.parametrize(("text", "run_id"), [("why did run 123456789 fail", "123456789"),
                                              ("retry workflow run 987654321", "987654321"),
                                              ("see github.com/acme/api/actions/runs/5551234567", "5551234567")])
def test_run_id(text: str, run_id: str) -> None:
    assert slots(text)["run_id"] == run_id


@pytest.mark.parametrize(("text", "incident"), [("ack P1234AB", "P1234AB"), ("acknowledge incident 42", "42"),
                                                ("resolve #317 pls", "317"), ("what is incident #77", "77"),
                                                ("brief on PQR5678", "PQR5678"), ("ack 456", "456"),
                                                ("let me grab 2207, ack it", "2207")])
def test_incident_id(text: str, incident: str) -> None:
    assert slots(text)["incident_id"] == incident


def test_capitalised_words_are_not_incident_ids() -> None:
    assert "incident_id" not in slots("PLEASE ack")


def test_a_number_taken_without_a_speaker_is_no_incident() -> None:
    assert "incident_id" not in slots("we take 5000 requests a minute")


def test_waking_everyone_up_names_no_person() -> None:
    assert "person" not in slots("that alarm would wake anyone up")


@pytest.mark.parametrize(("text", "person"), [("page @alice", "alice"), ("page bob about the outage", "bob"),
                                              ("get carol on this", "carol"), ("wake up eve", "eve"),
                                              ("go wake dave up please", "dave")])
def test_person(text: str, person: str) -> None:
    assert slots(text)["person"] == person


@pytest.mark.parametrize(("text", "team"), [("page the database team", "database"), ("team sre", "sre"),
                                            ("page the network team about the vpn", "network"),
                                            ("escalate to the payments on-call", "payments")])
def test_team(text: str, team: str) -> None:
    found = slots(text)
    assert found["team"] == team
    assert "person" not in found


@pytest.mark.parametrize(("text", "severity"), [("any sev1 open", "sev1"), ("critical findings", "critical"),
                                                ("high severity vulns", "high"), ("high urgency incidents", "high"),
                                                ("severity: medium", "medium")])
def test_severity(text: str, severity: str) -> None:
    assert slots(text)["severity"] == severity


@pytest.mark.parametrize(("text", "limit"), [("top 5 services", 5), ("last 50 log lines", 50),
                                             ("last 3 runs of release.yml", 3)])
def test_limit(text: str, limit: int) -> None:
    assert slots(text)["limit"] == limit


def test_limit_is_not_a_time_window() -> None:
    assert "limit" not in slots("last 7 days")


def test_empty_text_has_no_slots() -> None:
    assert slots("") == {}
    assert slots("   ") == {}


@pytest.mark.parametrize("filename", ["route_dev.yaml", "route_test.yaml"])
def test_slots_expected_by_the_routing_cases(filename: str) -> None:
    cases = yaml.safe_load((Path(__file__).parent / filename).read_text(encoding="utf-8"))["cases"]
    checked = 0
    for case in cases:
        for key, want in (case.get("slots") or {}).items():
            got = slots(case["text"]).get(key)
            if isinstance(want, dict) and isinstance(got, dict):
                got = {k: got.get(k) for k in want}
            assert got == want, f"{case['text']!r}: {key}"
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    ("text", "start", "end", "since"),
    [
        ("what did we spend 3 days ago", "2025-06-12", "2025-06-13", None),
        ("errors since 2 weeks ago", "2025-06-01", "2025-06-16", None),
        ("logs from an hour ago", "2025-06-15", "2025-06-16", "2025-06-15T11:00:00"),
    ],
)
def test_ago_phrases_are_parsed_by_dateparser(text: str, start: str, end: str, since: str | None) -> None:
    found = slots(text)["time_range"]
    assert (found["start"], found["end"], found.get("since")) == (start, end, since)


@pytest.mark.parametrize(("text", "repo"), [
    ("did anyone touch terraform? infra repo changes", "infra"),
    ("changes in the infra repo", "infra"),
    ("repo payments-api status", "payments-api"),
    ("what changed in the repo", None),
])
def test_repo_is_the_name_beside_the_word_never_a_common_word(text: str, repo: str | None) -> None:
    assert slots(text).get("repo") == repo


@pytest.mark.parametrize(("text", "service"), [
    ("summarize the search latency incident", "search"),
    ("ack the auth 5xx incident for me", "auth"),
    ("brief on the checkout incident for the board meeting", "checkout"),
    ("show triggered + acked incidents", None),
    ("any resolved incidents today", None),
])
def test_the_first_word_naming_an_incident_is_its_service(text: str, service: str | None) -> None:
    assert slots(text).get("service") == service


@pytest.mark.parametrize(("text", "group_by"), [
    ("break q3 spend down by region", "region"),
    ("cost per region last month", "region"),
    ("regional breakdown of the bill", "region"),
    ("costs by resource group", "resource_group"),
    ("spend in eu-west-1", None),
])
def test_cost_grouping(text: str, group_by: str | None) -> None:
    assert slots(text).get("group_by") == group_by


@pytest.mark.parametrize(("text", "event"), [
    ("why did the nightly build fail", "schedule"),
    ("the cron pipeline on infra broke", "schedule"),
    ("why did the deploy fail", None),
])
def test_a_nightly_ci_run_is_a_scheduled_one(text: str, event: str | None) -> None:
    assert slots(text).get("event") == event


@pytest.mark.parametrize(("text", "aws_service"), [
    ("what did we spend on compute last week?", "ec2"),
    ("compute costs in eu-west-1", "ec2"),
    ("gcp compute engine spend", None),
])
def test_compute_spend_on_aws_is_ec2(text: str, aws_service: str | None) -> None:
    assert slots(text).get("aws_service") == aws_service


@pytest.mark.parametrize(
    ("text", "group_by"),
    [
        ("can u split last month's spend by region?", "region"),
        ("aws cost per region this week", "region"),
        ("spend by team tag last month", "tag:team"),
        ("costs grouped by tag cost-center", "tag:cost-center"),
        ("spend by resource group in azure", "resource_group"),
        # the default grouping said out loud (dev17: a forecast is one total unless it is asked)
        ("what did we spend last week by service", "service"),
        ("instances in eu-west-1 by name", None),
    ],
)
def test_cost_grouping_by_region_tag_or_resource_group(text: str, group_by: str | None) -> None:
    assert slots(text).get("group_by") == group_by


@pytest.mark.parametrize("text", ["show the high urgency pages from today", "critical priority incidents open?",
                                  "get the data on-call on the line now"])
def test_qualifiers_and_idioms_are_not_services(text: str) -> None:
    assert "service" not in extract_slots(text, FIXED_NOW)


def test_the_service_named_before_page_is_the_incidents_service() -> None:
    assert extract_slots("grab the ledger page and ack it", FIXED_NOW)["service"] == "ledger"


@pytest.mark.parametrize("text", ["anything unacked on the ledger service", "pages nobody has acked",
                                  "incidents not yet acknowledged"])
def test_unacknowledged_incidents_are_the_triggered_ones(text: str) -> None:
    assert extract_slots(text, FIXED_NOW)["status"] == "triggered"


def test_acked_incidents_do_not_ask_for_a_status() -> None:
    assert "status" not in extract_slots("show triggered and acked incidents", FIXED_NOW)


@pytest.mark.parametrize("text", ["how many gce vms are in europe-west1", "compute engine boxes we run",
                                  "logs of the gce-ledger-2 instance"])
def test_compute_engine_names_google_cloud(text: str) -> None:
    assert extract_slots(text, FIXED_NOW)["cloud"] == "gcp"


def test_a_generation_is_not_a_resource_name() -> None:
    slots = extract_slots("any prev-gen instance families left in us-west-2", FIXED_NOW)
    assert "resource_name" not in slots and slots["region"] == "us-west-2"


def test_an_adverb_after_repo_is_no_repository() -> None:
    assert extract_slots("what merged in the billing repo recently", FIXED_NOW)["repo"] == "billing"


@pytest.mark.parametrize(("text", "service"), [("brief me on the ledger sync delay incident", "ledger"),
                                               ("open alerts for ledger?", "ledger")])
def test_the_service_of_an_incident_described_in_several_words(text: str, service: str) -> None:
    assert extract_slots(text, FIXED_NOW)["service"] == service


@pytest.mark.parametrize("text", ["what's bob working on in pagerduty", "bob's open incidents",
                                  "incidents assigned to bob"])
def test_whose_incidents_names_the_person(text: str) -> None:
    assert extract_slots(text, FIXED_NOW)["person"] == "bob"


def test_an_exposure_question_names_no_person() -> None:
    assert "person" not in extract_slots("what's open on 6379", FIXED_NOW)


@pytest.mark.parametrize("text", ["any incidents open rn?", "what's paging right now", "errors in checkout logs rn"])
def test_right_now_is_no_time_window(text: str) -> None:
    """"Open right now" asks for the present state: a window from midnight would hide an
    incident opened at 23:50 from "what's open right now" asked at 00:10."""
    just_after_midnight = FIXED_NOW.replace(hour=0, minute=10)
    assert "time_range" not in extract_slots(text, just_after_midnight)
    assert extract_slots("what did we spend today", just_after_midnight)["time_range"]["label"] == "today"


@pytest.mark.parametrize(("text", "phrase"), [
    ("what did we spend last blurgday", "last blurgday"),
    ("errors over the past 3 dayz", "over the past 3 dayz"),
])
def test_a_period_nobody_can_read_is_kept_as_said(text: str, phrase: str) -> None:
    found = extract_slots(text, FIXED_NOW)
    assert "time_range" not in found
    assert found["unread_period"] == phrase


@pytest.mark.parametrize("text", ["what did we spend last tuesday", "why did the last deploy fail",
                                  "cost this month", "errors in the past 2 hours"])
def test_periods_that_are_read_or_not_periods_leave_no_unread_period(text: str) -> None:
    assert "unread_period" not in extract_slots(text, FIXED_NOW)


def test_a_region_shaped_word_with_an_aws_prefix_is_the_region_asked_for() -> None:
    """"in eu-middle-9" is meant as an AWS region (the tool then says there is no such
    region), not a resource name; a name like "api-east-1" or "us-web-1" stays a name."""
    found = extract_slots("list instances in eu-middle-9", FIXED_NOW)
    assert (found["region"], found["cloud"]) == ("eu-middle-9", "aws")
    assert "region" not in extract_slots("errors in api-east-1 logs", FIXED_NOW)
    assert extract_slots("list vms in us-web-1", FIXED_NOW).get("resource_name") == "us-web-1"


@pytest.mark.parametrize(("text", "workflow"), [
    ("is the ledger deploy done yet", "deploy"), ("did fx-engine ci go through", "ci"),
    ("what went out in the last deploy", None), ("deploy ledger-api now", None),
])
def test_the_deploy_or_ci_workflow_of_a_named_thing(text: str, workflow: str | None) -> None:
    assert extract_slots(text, FIXED_NOW).get("workflow") == workflow


def test_a_name_before_nightly_is_a_service_and_an_error_kind_is_none() -> None:
    assert extract_slots("did the ledger nightly go green", FIXED_NOW).get("service") == "ledger"
    assert "service" not in extract_slots("any timeout errors in the last hour", FIXED_NOW)


@pytest.mark.parametrize(("text", "incident"), [
    ("acking 2210, on it", "2210"), ("resolving #77 now", "77"), ("what's going on with 4410", "4410"),
    ("whats open on 8443", None),
])
def test_an_incident_number_after_an_incident_verb_or_question(text: str, incident: str | None) -> None:
    assert extract_slots(text, FIXED_NOW).get("incident_id") == incident


def test_acked_incidents_ask_for_the_acknowledged_ones() -> None:
    assert extract_slots("list the acked pages for ledger", FIXED_NOW)["status"] == "acknowledged"
    assert extract_slots("incidents nobody has acked", FIXED_NOW)["status"] == "triggered"


def test_a_rota_named_after_a_page_verb_is_the_team_even_a_common_word() -> None:
    assert extract_slots("get the platform on-call in here, sso is down", FIXED_NOW)["team"] == "platform"


@pytest.mark.parametrize(("text", "person"), [
    ("why did erin's terraform PR go red", "erin"), ("is frank's branch still building", "frank"),
    ("that's the deploy that failed", None), ("what's the ci doing", None),
])
def test_whose_ci_runs(text: str, person: str | None) -> None:
    assert extract_slots(text, FIXED_NOW).get("person") == person


def test_two_aws_services_set_side_by_side_narrow_to_neither() -> None:
    found = extract_slots("what did s3 cost compared with lambda in q2", FIXED_NOW)
    assert "aws_service" not in found
    assert extract_slots("what did s3 cost in q2", FIXED_NOW)["aws_service"] == "s3"


@pytest.mark.parametrize(("text", "group_by"), [
    ("which team tag spent the most in may", "tag:team"), ("which rg costs us most on azure", "resource_group"),
    ("which region was the priciest last week", "region"),
])
def test_which_group_spends_most_groups_by_it(text: str, group_by: str) -> None:
    found = extract_slots(text, FIXED_NOW)
    assert found["group_by"] == group_by and found.get("service") is None


@pytest.mark.parametrize(("text", "start"), [
    ("what did search cost over the last fortnight", "2025-06-01"),
    ("merged in the past 2 fortnights?", "2025-05-18"),
])
def test_a_fortnight_is_fourteen_days_up_to_today(text: str, start: str) -> None:
    found = slots(text)["time_range"]
    assert (found["start"], found["end"]) == (start, "2025-06-15")
    assert "unread_period" not in slots(text)


@pytest.mark.parametrize("text", ["need a quick write-up of the ledger outage", "post the roll-out plan",
                                  "who did the hand-off for billing"])
def test_a_verb_and_its_particle_is_no_resource_name(text: str) -> None:
    assert "resource_name" not in slots(text)


@pytest.mark.parametrize("text", ["getting errors from the billing lambda", "we're seeing errors on login",
                                  "throwing errors since noon"])
def test_a_verb_before_errors_is_no_service(text: str) -> None:
    assert slots(text).get("service") is None


@pytest.mark.parametrize("text", ["which one is nobody looking at", "anything no one's on yet?",
                                  "pages not picked up yet", "any unowned incidents"])
def test_incidents_nobody_has_taken_are_still_triggered(text: str) -> None:
    assert slots(text)["status"] == "triggered"


@pytest.mark.parametrize(("text", "team"), [("get someone from growth on the line", "growth"),
                                            ("is anybody in the data crew around", "data")])
def test_someone_from_a_team_names_the_team(text: str, team: str) -> None:
    assert slots(text)["team"] == team


@pytest.mark.parametrize("text", ["you can mark the page done now", "this page is ok, close it", "get it sorted"])
def test_the_noun_page_or_a_finished_state_is_no_person(text: str) -> None:
    assert "person" not in slots(text)


@pytest.mark.parametrize(("text", "service"), [("what did ledger cost us last week", "ledger"),
                                               ("how much does growth-api cost", "growth-api")])
def test_whose_spend_a_cost_question_asks_is_a_service(text: str, service: str) -> None:
    assert slots(text)["service"] == service


@pytest.mark.parametrize("text", ["what did lambda cost last month", "how much did azure cost", "what did we spend"])
def test_a_provider_or_the_speaker_is_not_whose_spend(text: str) -> None:
    assert "service" not in slots(text)


@pytest.mark.parametrize(("text", "team"), [("is the ledger crew on anything", "ledger"),
                                            ("what's the growth squad handling", "growth")])
def test_a_crew_or_squad_is_a_team(text: str, team: str) -> None:
    assert slots(text)["team"] == team


@pytest.mark.parametrize(("text", "start"), [("what merged over the past week", "2025-06-08"),
                                             ("spend in the past month", "2025-05-16")])
def test_the_past_week_or_month_is_rolling_up_to_today(text: str, start: str) -> None:
    assert period(text) == (start, "2025-06-15")
    assert period("spend last week") == ("2025-06-02", "2025-06-09")  # the calendar week


@pytest.mark.parametrize(("text", "since"), [("errors since lunch", "2025-06-15T12:00:00"),
                                             ("anything after midday?", "2025-06-15T12:00:00")])
def test_lunch_and_midday_are_noon(text: str, since: str) -> None:
    assert slots(text)["time_range"]["since"] == since


def test_overnight_is_last_night() -> None:
    assert period("did the batch job throw errors overnight") == ("2025-06-14", "2025-06-16")


@pytest.mark.parametrize(("text", "person"), [("what did zoe push today", "zoe"), ("anything merged by @sam", "sam"),
                                              ("what has kim shipped lately", "kim")])
def test_whose_changes_are_asked_about(text: str, person: str) -> None:
    assert slots(text)["person"] == person


@pytest.mark.parametrize("text", ["what did we ship this week", "what has someone pushed"])
def test_we_or_someone_is_nobody_in_particular(text: str) -> None:
    assert "person" not in slots(text)


@pytest.mark.parametrize(("text", "repo"), [("anything merged to ledger since monday", "ledger"),
                                            ("what got pushed into billing-web", "billing-web")])
def test_where_a_change_landed_is_its_repo(text: str, repo: str) -> None:
    assert slots(text)["repo"] == repo


@pytest.mark.parametrize("text", ["what got merged to main today", "merged in the past week", "pushed to prod"])
def test_a_branch_or_a_period_is_no_repo(text: str) -> None:
    assert "repo" not in slots(text)


def test_who_has_the_pager_for_a_service() -> None:
    assert slots("who has the pager for ledger tonight")["service"] == "ledger"


@pytest.mark.parametrize(("text", "region"), [
    ("how many boxes have we got in europe", "europe"), ("security findings in us east", "us east"),
    ("anything running in the us-east regions", "us east"), ("our european buckets", "european"),
    ("vms in asia?", "asia"), ("instances across the us", "us"),
    ("how many boxes in ireland", "eu-west-1"), ("boxes in frankfurt", "eu-central-1"),
    ("storage accounts in west europe", "westeurope"),
])
def test_a_place_is_a_region_filter_kept_as_said(text: str, region: str) -> None:
    assert slots(text)["region"] == region


@pytest.mark.parametrize("text", ["show us the open buckets", "let us know what broke", "what does eu-west-1 cost",
                                  "tell us about search-eu-1"])
def test_words_that_only_look_like_places_are_no_place(text: str) -> None:
    assert slots(text).get("region") in (None, "eu-west-1")


@pytest.mark.parametrize(("text", "name"), [
    ("are the infra pipelines green?", "infra"), ("infra builds failing again?", "infra"),
    ("any red builds in infra", "infra"), ("the platform repo's workflows", "platform"),
    ("status of the checkout workflows", "checkout"),
])
def test_the_word_before_or_after_ci_nouns_names_the_repository(text: str, name: str) -> None:
    assert slots(text)["service"] == name


@pytest.mark.parametrize("text", ["are the ci pipelines red", "the nightly pipelines", "show me the failed builds",
                                  "how are the builds in the last week", "which workflows are stuck",
                                  "rerun the google pay ci job", "is the ci for erin's docs fix done yet",
                                  "the PR build for the refunds fix"])
def test_ci_and_status_words_name_no_repository(text: str) -> None:
    assert "service" not in slots(text)


@pytest.mark.parametrize(
    ("text", "action"),
    [("the test server is wedged, bounce it", "reboot"), ("power cycle the build host", "reboot"),
     ("can you start the ci runner vm back up", "start"), ("restart the nightly build", "rerun"),
     ("restart the test suite on my pr", "rerun")])
def test_a_ci_word_naming_a_kind_of_machine_is_no_rerun(text: str, action: str) -> None:
    """"the build host", "a test server": the CI word says what the machine is for; the
    machine is what gets restarted. A CI word on its own still asks for a rerun."""
    assert slots(text)["action"] == action


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("quarter-end reporting: how much did we burn last month", "2025-05-01", "2025-06-01"),
     ("for the year-end pack, ec2 costs yesterday", "2025-06-14", "2025-06-15"),
     ("projected spend at month end for this month", "2025-06-15", "2025-07-01"),
     ("eom number please", "2025-06-15", "2025-07-01")])
def test_an_end_of_period_occasion_gives_way_to_a_period_already_over(text: str, start: str, end: str) -> None:
    """"quarter-end reporting ... last month": the end of the quarter is why they ask, last
    month what they ask about; beside a period still running, the end of it is the span."""
    assert period(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "level", "team"),
    [("hand this over to the search backup on-call", 2, "search"), ("get the platform primary on the line", 1,
                                                                     "platform"),
     ("bump it to level 3", 3, None), ("go to the second level of the rota", 2, None)])
def test_a_level_of_a_rota_and_its_team(text: str, level: int, team: str | None) -> None:
    found = slots(text)
    assert found.get("level") == level and found.get("team") == team


@pytest.mark.parametrize("text", ["fail over to the secondary db", "is the backup job green", "promote the primary "
                                  "replica", "restore from the backup bucket"])
def test_machine_roles_are_no_rota_level(text: str) -> None:
    assert "level" not in slots(text)


@pytest.mark.parametrize("machine", ["db", "database", "region", "node", "server", "instance", "cluster", "site",
                                     "key", "dns", "zone", "replica", "job", "jobs", "bucket", "snapshot", "vault",
                                     "plan"])
def test_a_machine_s_role_names_neither_a_team_nor_a_level(machine: str) -> None:
    """"hand it to the ledger secondary" is the ledger team's second level; before a machine
    ("the ledger secondary vault") the role is the machine's: no team, no level."""
    bare = slots("hand it to the ledger secondary")
    assert (bare.get("team"), bare.get("level")) == ("ledger", 2)
    found = slots(f"hand it to the ledger secondary {machine}")
    assert (found.get("team"), found.get("level")) == (None, None)


@pytest.mark.parametrize("machine", ["volume", "copy", "copies", "run", "runs"])
def test_the_level_also_refuses_the_roles_of_copies_and_runs(machine: str) -> None:
    assert "level" not in slots(f"check the backup {machine} from last night")
    assert "level" not in slots(f"hand it to the ledger secondary {machine}")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [("ec2 bill for the week before last", "2025-05-26", "2025-06-02"),
     ("and the month before last?", "2025-04-01", "2025-05-01"),
     ("lambda spend since the start of the month", "2025-06-01", "2025-06-16"),
     ("costs from the beginning of this quarter", "2025-04-01", "2025-06-16"),
     ("since the beginning of the year what have we spent", "2025-01-01", "2025-06-16"),
     ("spend since the start of the week", "2025-06-09", "2025-06-16")])
def test_periods_counted_from_a_boundary(text: str, start: str, end: str) -> None:
    """"the week before last" is a calendar week like "last week" (asked on Sunday 15 June,
    last week ran 2-8 June, the one before it 26 May-1 June); "since the start of X" runs to today."""
    assert period(text) == (start, end)


@pytest.mark.parametrize(("text", "minutes"), [("lambda errors in the last half hour", 30),
                                               ("what broke since half an hour ago", 30),
                                               ("logs over the past hour and a half", 90)])
def test_half_hours_are_minutes(text: str, minutes: int) -> None:
    found = slots(text)["time_range"]
    assert FIXED_NOW.replace(microsecond=0, tzinfo=None) - timedelta(minutes=minutes) == \
        datetime.fromisoformat(found["since"]).replace(tzinfo=None)


@pytest.mark.parametrize(("text", "service"), [("who's primary for search tonight", "search"),
                                               ("secondary on payments this week?", "payments")])
def test_the_rota_a_level_is_asked_of_names_the_service(text: str, service: str) -> None:
    assert slots(text).get("service") == service


@pytest.mark.parametrize("text", ["the resize func keeps timing out", "which funcs run python 3.12"])
def test_func_is_a_function(text: str) -> None:
    assert slots(text)["resource_type"] == "lambda"


@pytest.mark.parametrize(("text", "start", "end"), [
    # a month or quarter already over this year, in a request that looks ahead: the coming one
    ("what's the projection for march's invoice", "2026-03-01", "2026-04-01"),
    ("budget estimate for q1", "2026-01-01", "2026-04-01"),
    # ... one not over yet stays this year's, and a look back keeps the one gone
    ("forecast q2", "2025-04-01", "2025-07-01"),
    ("what did february cost", "2025-02-01", "2025-03-01"),
    ("spend since march", "2025-03-01", "2025-06-16"),
    # a part of a year named with the year's word: that part, not the whole year
    ("expected spend in q3 of next year", "2026-07-01", "2026-10-01"),
    ("the second quarter of last year", "2024-04-01", "2024-07-01"),
    ("september of this year", "2025-09-01", "2025-10-01"),
])
def test_a_named_month_or_quarter_is_the_one_the_request_means(text: str, start: str, end: str) -> None:
    assert period(text) == (start, end)


@pytest.mark.parametrize(
    ("text", "action"),
    [("bounce the vm ledger-node-3 - the release stalls on it", "reboot"),
     ("power on build-agent-7 again, the pipeline is waiting for it", "start"),
     ("restart gateway-2 since the nightly run keeps timing out", "reboot"),
     ("restart the billing-api-2 pipeline", "rerun"), ("restart the nightly on web-4", "rerun")])
def test_a_numbered_machine_as_the_object_is_the_action_whatever_ci_word_follows(text: str, action: str) -> None:
    """A CI word that gives the reason ("the release stalls on it") leaves the named host the
    thing to restart; a CI word right after the name, or as the object, is still a rerun."""
    assert slots(text)["action"] == action


@pytest.mark.parametrize(
    ("text", "owner"),
    [("grep the ledger-sync logs for permission errors", "ledger-sync"),
     ("look at the orders-worker-2 log for the timeout exceptions", "orders-worker-2"),
     ("logs for checkout please", "checkout")])
def test_the_kind_of_error_after_named_logs_is_no_second_service(text: str, owner: str) -> None:
    """"the X logs for parse errors": X owns the logs; the word after "for" says which errors."""
    assert slots(text)["service"] == owner
