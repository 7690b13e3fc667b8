"""Each agent owns its planning: which of the registry's tools its skills call, with what
arguments, which runbook topic it cites, how it asks for what is missing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel

from agents.planner import PlannedCall
from agents.route import Route
from agents.skills import AGENTS, SKILLS
from agents.specialists import (
    CLOUD_NAMES,
    CLOUDS,
    SPECIALIST_BY_NAME,
    SPECIALISTS,
    by_region_when_unfiltered,
    cites_runbook,
    specialist_for,
)
from tools.aws import AWS_TOOLS
from tools.azure import AZURE_TOOLS
from tools.base import ToolResult, ToolSpec
from tools.gcp import GCP_TOOLS
from tools.github import GITHUB_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.pagerduty import PAGERDUTY_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry([*AWS_TOOLS, *GITHUB_TOOLS, *PAGERDUTY_TOOLS, *KNOWLEDGE_TOOLS])


def route(skill: str, text: str, **slots: object) -> Route:
    return Route(text=text, agent=specialist_for(skill).name, skill=skill, confidence=0.9, slots=dict(slots))


def test_every_skill_has_exactly_one_specialist_of_its_agent() -> None:
    assert [s.name for s in SPECIALISTS] == list(AGENTS)
    owners = {skill.name: [s.name for s in SPECIALISTS if skill.name in s.skills] for skill in SKILLS}
    assert owners == {skill.name: [skill.agent] for skill in SKILLS}


def test_a_specialist_plans_only_tools_that_declare_the_routed_skill() -> None:
    for skill in SKILLS:
        plan = specialist_for(skill.name).plan(route(skill.name, "x"), REGISTRY)
        planned = [call.spec for call in plan.reads] + ([plan.write.spec] if plan.write else [])
        assert all(skill.name in spec.skills for spec in planned), skill.name


def test_the_infrastructure_agent_hands_a_described_box_to_the_tool_to_resolve() -> None:
    plan = SPECIALIST_BY_NAME["infrastructure"].plan(
        route("infra.action", "please stop the ledger worker box", action="stop"), REGISTRY)
    assert plan.write is not None and plan.write.spec.name == "aws_ec2_instance_action"
    assert plan.write.args == {"instance_id": "please stop the ledger worker box", "action": "stop"}


def test_without_a_target_the_infrastructure_agent_asks_with_an_example() -> None:
    plan = SPECIALIST_BY_NAME["infrastructure"].plan(route("infra.action", "reboot", action="reboot"), REGISTRY)
    assert plan.write is None and plan.missing == ["instance_id"]
    note = SPECIALIST_BY_NAME["infrastructure"].missing_note(plan)
    assert note == "To do that I need: instance_id (for example 'stop <instance name or id>')."
    # a made-up example id would read as a machine of the user's account
    assert not re.search(r"\bi-[0-9a-f]{8,}\b", note or "")


def test_a_forecast_ignores_the_up_to_today_period() -> None:
    period = {"start": "2026-12-01", "end": "2026-12-02", "label": "this month"}
    forecast = SPECIALIST_BY_NAME["cost"].plan(route("cost.forecast", "forecast this month", time_range=period),
                                               REGISTRY)
    summary = SPECIALIST_BY_NAME["cost"].plan(route("cost.summary", "spend this month", time_range=period),
                                              REGISTRY)
    assert all("start" not in call.args for call in forecast.reads) and forecast.reads
    assert summary.reads[0].args["start"] == "2026-12-01"


def test_a_forecast_of_a_later_month_keeps_its_own_start_and_one_service() -> None:
    """"and for next month?": the calendar month after this one alone, not today onwards;
    "for rds": that service's forecast."""
    today = datetime.now(UTC).date()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    period = {"start": first.isoformat(), "end": after.isoformat(), "label": "next month"}
    plan = SPECIALIST_BY_NAME["cost"].plan(route("cost.forecast", "and for next month on rds", time_range=period,
                                                 aws_service="rds"), REGISTRY)
    (call,) = [call for call in plan.reads if call.spec.name == "aws_cost_forecast"]
    wanted = (first.isoformat(), after.isoformat(), "rds")
    assert (call.args["start"], call.args["end"], call.args["aws_service"]) == wanted


def test_the_knowledge_agent_searches_the_runbooks_with_the_question() -> None:
    plan = SPECIALIST_BY_NAME["knowledge"].plan(route("knowledge.runbook", "how do I rotate a key"), REGISTRY)
    assert [(c.spec.name, c.args) for c in plan.reads] == [
        ("knowledge_search_runbooks", {"query": "how do I rotate a key", "k": 3})]


@pytest.mark.parametrize(("skill", "cites"), [("cost.anomalies", True), ("incident.page", True),
                                              ("knowledge.runbook", False), ("help", False),
                                              ("security.findings", False)])
def test_which_skills_cite_a_runbook_beside_their_facts(skill: str, cites: bool) -> None:
    assert cites_runbook(skill) is cites


CLOUD_REGISTRY = ToolRegistry([*AWS_TOOLS, *AZURE_TOOLS, *GCP_TOOLS, *KNOWLEDGE_TOOLS])


def clouds_having(skill: str) -> list[str]:
    return [c for c in CLOUDS if any(spec.integration == c for spec in CLOUD_REGISTRY.for_skill(skill))]


@pytest.mark.parametrize("skill", [s.name for s in SKILLS])
def test_a_named_cloud_without_a_tool_for_the_skill_is_said_not_answered_by_another(skill: str) -> None:
    having = clouds_having(skill)
    for cloud in (c for c in CLOUDS if c not in having):
        specialist = specialist_for(skill)
        plan = specialist.plan(route(skill, f"x in {cloud}", cloud=cloud), CLOUD_REGISTRY)
        planned = [call.spec.integration for call in plan.reads] + ([plan.write.spec.integration]
                                                                    if plan.write else [])
        assert not any(i in CLOUDS and i != cloud for i in planned), (skill, cloud, planned)
        if "knowledge" in planned or cloud in planned:
            # a store-backed tool (the inventory snapshot) answers for every cloud; the cloud's own
            # inventory shows one of its machines when no tool of it describes one
            assert plan.unsupported is None
        elif having:
            names = " and ".join(CLOUD_NAMES[c] for c in having)
            assert specialist.missing_note(plan) == (
                f"Guardian cannot answer this for {CLOUD_NAMES[cloud]} yet ({skill}: "
                f"{next(s.purpose for s in SKILLS if s.name == skill)}); it can for {names}. "
                "Ask again naming one of them.")


def test_a_named_cloud_with_a_tool_for_the_skill_plans_only_that_clouds_tools() -> None:
    for skill in ("security.posture", "security.open_ports", "security.public_storage", "infra.inventory"):
        for cloud in clouds_having(skill):
            plan = specialist_for(skill).plan(route(skill, "x", cloud=cloud), CLOUD_REGISTRY)
            assert {call.spec.integration for call in plan.reads} == {cloud}, (skill, cloud)
            assert plan.unsupported is None


def test_and_in_a_region_filters_the_cost_tool_by_that_region() -> None:
    """"and in eu-west-1?": aws_cost_by_service filters by region, so the spend is that region's."""
    plan = SPECIALIST_BY_NAME["cost"].plan(route("cost.summary", "and in eu-west-1?", region="eu-west-1"), REGISTRY)
    [call] = [c for c in plan.reads if c.spec.name == "aws_cost_by_service"]
    assert call.args["region"] == "eu-west-1" and "group_by" not in call.args


class _GroupOnly(BaseModel):
    group_by: str | None = None


def test_a_cost_tool_that_cannot_filter_by_region_groups_by_it_instead() -> None:
    """Never an account-wide total that does not name the region asked about."""
    spec = ToolSpec("x_cost", "spend", _GroupOnly, "read", ("cost.summary",), "aws",
                    lambda _ctx, _args: ToolResult.no_data("never run"))
    grouped = by_region_when_unfiltered(PlannedCall(spec, {}))
    assert grouped.args == {"group_by": "region"}
    kept = by_region_when_unfiltered(PlannedCall(spec, {"group_by": "tag:team"}))
    assert kept.args == {"group_by": "tag:team"}  # a grouping asked for stays


def test_a_resource_named_without_a_cloud_is_looked_up_in_every_cloud() -> None:
    registry = ToolRegistry([*AWS_TOOLS, *AZURE_TOOLS, *KNOWLEDGE_TOOLS])
    infra = SPECIALIST_BY_NAME["infrastructure"]
    by_name = infra.plan(route("infra.describe", "is ledger-vm-3 up?", resource_name="ledger-vm-3"), registry)
    assert {"aws_describe_resource", "azure_describe_vm"} <= {call.spec.name for call in by_name.reads}
    named_cloud = infra.plan(route("infra.describe", "is ledger-vm-3 up in azure?", resource_name="ledger-vm-3",
                                   cloud="azure"), registry)
    assert "aws_describe_resource" not in {call.spec.name for call in named_cloud.reads}
    by_id = infra.plan(route("infra.describe", "describe i-0abc1234def", resource_ids=["i-0abc1234def"],
                             instance_id="i-0abc1234def"), registry)
    assert "azure_describe_vm" not in {call.spec.name for call in by_id.reads}


def test_a_request_naming_several_clouds_asks_each_of_them_and_no_other() -> None:
    """The Google Cloud tools run only when named: naming it beside others counts, and "any
    cloud" names every one; two clouds named leave the third out."""
    spec = specialist_for("security.open_ports")
    three = spec.plan(route("security.open_ports", "rdp open to the world in aws, azure or gcp?"), CLOUD_REGISTRY)
    assert {call.spec.integration for call in three.reads} == {"aws", "azure", "gcp"}
    every = spec.plan(route("security.open_ports", "anything wide open, in any cloud"), CLOUD_REGISTRY)
    assert {call.spec.integration for call in every.reads} == {"aws", "azure", "gcp"}
    two = spec.plan(route("security.open_ports", "ssh exposed across gcp and azure?"), CLOUD_REGISTRY)
    assert {call.spec.integration for call in two.reads} == {"azure", "gcp"}


def test_a_teams_spend_is_filtered_by_its_tag_unless_grouped_by_team() -> None:
    cost = specialist_for("cost.summary")
    one = cost.plan(route("cost.summary", "what did the growth team cost", team="growth"), REGISTRY)
    (call,) = [c for c in one.reads if c.spec.name == "aws_cost_by_service"]
    assert call.args["team"] == "growth"
    grouped = cost.plan(route("cost.summary", "growth team vs the rest, by team", team="growth",
                              group_by="tag:team"), REGISTRY)
    (call,) = [c for c in grouped.reads if c.spec.name == "aws_cost_by_service"]
    assert "team" not in call.args and call.args["group_by"] == "tag:team"


@pytest.mark.parametrize(("text", "state"), [
    ("and which ones are switched... I mean shut down?", "stopped"),
    ("list the boxes that are powered off in eu", "stopped"),
    ("any rds instances not running right now", "stopped"),
    ("which instances have never been stopped", None),
    ("how many vms do we run", None)])
def test_a_listing_asked_for_what_is_switched_off_is_narrowed_to_that_state(text: str, state: str | None) -> None:
    plan = specialist_for("infra.inventory").plan(route("infra.inventory", text), REGISTRY)
    listing = next(call for call in plan.reads if call.spec.name == "aws_inventory")
    assert listing.args.get("state") == state
