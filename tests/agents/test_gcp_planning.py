"""How the agents reach the Google Cloud tools: a question naming GCP plans only GCP's tools
for its skill, an unnamed one stays with the default cloud, and the router's slots fill the
GCP tools' arguments (the last hour as an exact moment, a VM word as the instance type)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.route import Route
from agents.slots import extract_slots
from agents.specialists import specialist_for
from tools.aws import AWS
from tools.gcp import GCP
from tools.knowledge import KNOWLEDGE
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry.of(AWS, GCP, KNOWLEDGE)
NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def plan_for(skill: str, text: str) -> dict[str, dict[str, object]]:
    route = Route(text=text, agent=specialist_for(skill).name, skill=skill, confidence=0.9,
                  slots=extract_slots(text, NOW))
    plan = specialist_for(skill).plan(route, REGISTRY)
    return {call.spec.name: call.args for call in plan.reads}


@pytest.mark.parametrize(("skill", "text", "tool"), [
    ("infra.logs", "errors from checkout-api in gcp in the last hour", "gcp_log_errors"),
    ("security.public_storage", "which gcp buckets are public?", "gcp_public_buckets"),
    ("security.open_ports", "any firewall rule open to the internet in gcp?", "gcp_open_firewall_rules"),
    ("infra.inventory", "list gcp instances labelled team=payments", "gcp_inventory"),
    ("infra.inventory", "list instances in us-central1", "gcp_inventory"),  # a GCP region names the cloud
])
def test_naming_gcp_plans_only_its_tool(skill: str, text: str, tool: str) -> None:
    assert list(plan_for(skill, text)) == [tool]


def test_an_unnamed_cloud_stays_with_the_default_one() -> None:
    assert list(plan_for("security.public_storage", "which buckets are public?")) == ["aws_public_buckets"]


def test_slots_become_the_gcp_arguments() -> None:
    logs = plan_for("infra.logs", "errors from checkout-api in gcp in the last hour")["gcp_log_errors"]
    assert logs["service"] == "checkout-api" and logs["start_time"] == "2026-12-03T07:00:00+00:00"
    inventory = plan_for("infra.inventory", "list gcp instances labelled team=payments")["gcp_inventory"]
    assert (inventory["resource_type"], inventory["tag_key"], inventory["tag_value"]) == ("ec2", "team", "payments")
