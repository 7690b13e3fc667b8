"""Wordings found by the dev10a eval batch, each checked in words of its own: a question naming
several ports, a Compute Engine zone, an Azure resource group with no cloud word, two clouds
"compared", a "compared to" follow-up, a follow-up moving to another cloud through "that",
the oldest key and a severity asked of GuardDuty, and a machine of a cloud with no describe tool."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context, is_elliptical
from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import find_port, named_ports
from agents.specialists import ALL_CLOUDS, specialist_for
from tools.aws import AWS
from tools.azure import AZURE
from tools.base import ToolResult
from tools.gcp import GCP
from tools.knowledge import KNOWLEDGE
from tools.registry import ToolRegistry

NOW = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
REGISTRY = ToolRegistry.of(AWS, AZURE, GCP, KNOWLEDGE)
LIMIT = 0.45


def planned(skill: str, text: str) -> dict[str, dict[str, object]]:
    route = Route(text=text, agent=specialist_for(skill).name, skill=skill, confidence=0.9,
                  slots=extract_slots(text, NOW))
    plan = specialist_for(skill).plan(route, REGISTRY)
    return {call.spec.name: call.args for call in [*plan.reads, *([plan.write] if plan.write else [])]}


@pytest.mark.parametrize("text", ["is telnet or ftp exposed on the firewall?", "ports 21 and 23 open to the internet?",
                                  "anything letting mysql and redis in from the world"])
def test_a_question_naming_several_ports_is_narrowed_to_none(text: str) -> None:
    assert len(named_ports(text)) == 2
    assert find_port(text) is None


@pytest.mark.parametrize(("text", "port"), [("is redis open to the world", 6379),
                                            ("anything open on port 8443 for mysql to the internet", 8443),
                                            ("port 9090 in the logs", 9090)])
def test_one_port_is_still_the_one_asked_of(text: str, port: int) -> None:
    assert find_port(text) == port


def test_a_compute_engine_zone_is_a_place_not_a_name() -> None:
    slots = extract_slots("which machines sit in europe-west1-c", NOW)
    assert slots["region"] == "europe-west1-c" and slots["cloud"] == "gcp"
    assert "resource_name" not in slots and "service" not in slots
    assert planned("infra.inventory", "which machines sit in europe-west1-c")["gcp_inventory"]["region"] == \
        "europe-west1-c"


def test_a_resource_group_alone_says_azure() -> None:
    slots = extract_slots("power off the reporting box in rg-analytics", NOW)
    assert slots["cloud"] == "azure" and slots["resource_group"] == "rg-analytics"
    assert "aws_ec2_instance_action" not in planned("infra.action", "power off the reporting box in rg-analytics")


@pytest.mark.parametrize("text", ["is gcp cheaper than azure these days", "azure compared with aws for q3",
                                  "aws versus gcp spend"])
def test_two_clouds_set_side_by_side_are_both_asked(text: str) -> None:
    assert ALL_CLOUDS.search(text)


def test_a_spend_comparison_of_two_clouds_plans_both() -> None:
    assert set(planned("cost.summary", "how did azure do compared to aws in march")) == {
        "aws_cost_by_service", "azure_cost_summary"}


@pytest.mark.parametrize("text", ["compared with gcp?", "vs the week before", "as compared to staging?",
                                  "relative to last quarter"])
def test_a_comparison_fragment_is_a_follow_up(text: str) -> None:
    assert is_elliptical(text)


def test_a_comparison_fragment_asks_the_previous_question_of_the_other_cloud() -> None:
    previous = TurnContext("security.posture", {"cloud": "gcp"}, [])
    fragment = Route(text="compared with azure?", agent="cost", skill="cost.summary", confidence=0.3,
                     slots={"cloud": "azure"})
    route = apply_context(fragment, previous, LIMIT)
    assert route.skill == "security.posture" and route.slots["cloud"] == "azure"


def test_that_in_another_cloud_borrows_nothing_listed_in_the_first() -> None:
    previous = TurnContext("infra.inventory", {"cloud": "azure"}, ["ledger-a", "builder"])
    asked = Route(text="how does that stack up against what runs in aws", agent="infrastructure",
                  skill="infra.inventory", confidence=0.8, slots={"cloud": "aws"})
    route = apply_context(asked, previous, LIMIT)
    assert route.slots == {"cloud": "aws"}


IAM = ToolResult(status="ok", summary="2 of 4 IAM users have issues.", columns=["user", "issue", "severity", "detail"],
                 rows=[{"user": "kim", "issue": "console access without MFA", "severity": "high", "detail": ""},
                       {"user": "deploy-bot", "issue": "old access key", "severity": "medium", "detail": "400 days"}],
                 facts={"users_checked": 4}, resources=["kim", "deploy-bot"])


def test_the_oldest_key_is_an_old_key_question() -> None:
    focused = focus("aws_iam_findings", IAM, "which of our access keys is the oldest")
    assert focused is not None and [row["user"] for row in focused.rows] == ["deploy-bot"]


GUARDDUTY = ToolResult(
    status="ok", summary="GuardDuty: 3 active findings.", columns=["severity", "type", "title", "resource", "region"],
    rows=[{"severity": "high", "type": "Backdoor:EC2/C&CActivity.B", "title": "t", "resource": "i-1", "region": "x"},
          {"severity": "medium", "type": "Policy:IAMUser/RootCredentialUsage", "title": "t", "resource": "root",
           "region": "x"},
          {"severity": "low", "type": "Recon:EC2/Portscan", "title": "t", "resource": "i-2", "region": "x"}],
    facts={"total": 3}, resources=["i-1", "root", "i-2"])


def test_a_severity_asked_of_guardduty_keeps_only_those_findings() -> None:
    focused = focus("aws_guardduty_findings", GUARDDUTY, "just the medium ones")
    assert focused is not None
    assert [row["type"] for row in focused.rows] == ["Policy:IAMUser/RootCredentialUsage"]
    assert "Recon:EC2/Portscan" not in focused.lead


def test_a_machine_of_a_cloud_with_no_describe_tool_is_shown_by_its_inventory() -> None:
    calls = planned("infra.describe", "how much memory does the analytics worker in gcp have")
    assert "gcp_inventory" in calls
    assert not any(name.startswith(("aws_", "azure_")) for name in calls)
