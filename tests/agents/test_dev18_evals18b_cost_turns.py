"""dev18 (evals18b), each checked in words of its own: a spend follow-up asking how the period
ends is a forecast of the same scope; two Azure resource groups named are set side by side (no
one of them narrows the spend); savings asked as a move "to a newer generation" are the
previous-generation instances; a cloud named beside others with no tool for the skill is said
to be left out (and "google cloud" is a cloud's own name, like "gcp"); "who's allowed to approve
that?" after a change asked for (proposed, refused or not) is the help answer about that change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.clarified import UNMADE
from agents.conversations import TurnContext
from agents.focus import SUBJECTS, asked_facets
from agents.followup import apply_context
from agents.route import Route
from agents.skills import SKILL_BY_NAME
from agents.slots import extract_slots
from agents.slots.entities import find_cloud
from agents.specialists import specialist_for
from tools.aws import AWS
from tools.azure import AZURE
from tools.gcp import GCP
from tools.knowledge import KNOWLEDGE
from tools.registry import ToolRegistry

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
REGISTRY = ToolRegistry.of(AWS, AZURE, GCP, KNOWLEDGE)
LIMIT = 0.45


def _route(text: str, skill: str, confidence: float = 0.9, slots: dict | None = None,
           alternatives: list[tuple[str, float]] | None = None) -> Route:
    return Route(text=text, agent=SKILL_BY_NAME[skill].agent, skill=skill, confidence=confidence,
                 slots=slots if slots is not None else {}, alternatives=alternatives or [])


# --------------------------------------------------------------------------- forecast after a spend


def _to_month_end() -> dict[str, str]:
    today = datetime.now(UTC).date()
    end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    if end <= today + timedelta(days=1):  # the last day of a month: the next one's end
        end = (end + timedelta(days=32)).replace(day=1)
    return {"start": today.isoformat(), "end": end.isoformat(), "label": "month end"}


def test_a_short_follow_up_looking_to_the_month_end_after_a_spend_is_its_forecast() -> None:
    spent = TurnContext("cost.summary", {"aws_service": "lambda"}, [])
    asked = _route("and the outlook for it to month end?", "cost.forecast", 1.0, {"time_range": _to_month_end()})
    followed = apply_context(asked, spent, LIMIT)
    assert followed.skill == "cost.forecast"
    assert followed.slots.get("aws_service") == "lambda"


def test_a_short_follow_up_of_a_past_period_after_a_spend_stays_a_spend() -> None:
    spent = TurnContext("cost.summary", {"aws_service": "lambda"}, [])
    last = {"start": "2026-01-01", "end": "2026-02-01", "label": "january"}
    followed = apply_context(_route("and for january?", "cost.summary", 0.9, {"time_range": last}), spent, LIMIT)
    assert followed.skill == "cost.summary"


# --------------------------------------------------------------------------- resource groups


@pytest.mark.parametrize("text", ["compare rg-web with rg-platform spend for may",
                                  "what did payments-rg and rg-web cost us last week, side by side"])
def test_two_resource_groups_named_are_grouped_not_filtered(text: str) -> None:
    slots = extract_slots(text, NOW)
    assert "resource_group" not in slots
    assert slots["group_by"] == "resource_group"
    assert slots.get("cloud") == "azure"
    assert not str(slots.get("resource_name") or "").startswith("rg-")
    assert not str(slots.get("service") or "").startswith("rg-")


def test_one_resource_group_named_still_narrows_the_spend() -> None:
    slots = extract_slots("how much has rg-platform cost since monday", NOW)
    assert slots["resource_group"] == "rg-platform"


def test_the_azure_spend_of_two_named_groups_is_one_grouped_query() -> None:
    text = "azure bill for rg-payments versus rg-web in may"
    route = _route(text, "cost.summary", slots=extract_slots(text, NOW))
    calls = {call.spec.name: call.args for call in specialist_for("cost.summary").plan(route, REGISTRY).reads}
    assert calls["azure_cost_summary"]["group_by"] == "resource_group"
    assert calls["azure_cost_summary"].get("resource_group") is None


# --------------------------------------------------------------------------- savings kinds


@pytest.mark.parametrize(("text", "expected"), [
    ("could we shift that box onto current-generation hardware", {"previous_generation"}),
    ("anything to downsize, or to move to a newer gen?", {"low_cpu", "previous_generation"}),
    ("which ones should go to the latest instance family", {"previous_generation"}),
])
def test_savings_asked_from_where_an_instance_would_move_are_the_previous_generation(text: str,
                                                                                    expected: set[str]) -> None:
    assert {facet.name for facet in asked_facets(SUBJECTS["aws_savings"], text)} == expected


def test_new_snapshots_are_no_generation_question() -> None:
    assert "previous_generation" not in {f.name for f in asked_facets(SUBJECTS["aws_savings"], "any new snapshots?")}


# --------------------------------------------------------------------------- a cloud left out


@pytest.mark.parametrize("text", ["last month's bill across aws, azure and gcp",
                                  "spend for aws + azure (and google cloud if you have it), last week"])
def test_a_cloud_named_beside_others_without_a_tool_for_the_skill_is_said(text: str) -> None:
    route = _route(text, "cost.summary", slots=extract_slots(text, NOW))
    plan = specialist_for("cost.summary").plan(route, REGISTRY)
    assert {call.spec.integration for call in plan.reads} >= {"aws", "azure"}
    assert plan.unsupported is not None and "Google Cloud" in plan.unsupported
    assert "AWS and Azure" in plan.unsupported


def test_clouds_named_that_all_have_the_tool_get_no_note() -> None:
    text = "what did aws and azure cost us in may"
    plan = specialist_for("cost.summary").plan(_route(text, "cost.summary", slots=extract_slots(text, NOW)), REGISTRY)
    assert plan.unsupported is None


@pytest.mark.parametrize(("text", "cloud"), [("aws and google cloud spend for april", None),
                                             ("open firewall rules on google cloud", "gcp"),
                                             ("objects in google cloud storage and s3", None)])
def test_google_cloud_by_its_name_counts_as_a_named_cloud(text: str, cloud: str | None) -> None:
    assert find_cloud(text, None) == cloud


# --------------------------------------------------------------------------- who may approve that


def test_who_may_approve_after_a_proposed_change_is_help_about_that_change() -> None:
    proposed = TurnContext("cicd.rerun", {"repo": "ledger"}, [])
    asked = _route("so who signs off on this one", "security.iam", 0.2, alternatives=[("help", 0.15)])
    followed = apply_context(asked, proposed, LIMIT)
    assert followed.skill == "help" and followed.requested_skill == "cicd.rerun"
    assert followed.confidence >= LIMIT


def test_who_may_approve_after_a_refused_change_is_help_about_that_change() -> None:
    listed = TurnContext("incident.list", {UNMADE: "incident.resolve"}, ["PABC123"])
    followed = apply_context(_route("hm, who is allowed to do it then?", "help", 0.2), listed, LIMIT)
    assert followed.skill == "help" and followed.requested_skill == "incident.resolve"


def test_who_may_after_a_read_is_left_to_the_router() -> None:
    listed = TurnContext("incident.list", {}, ["PABC123"])
    followed = apply_context(_route("who is allowed to do it then?", "help", 0.2), listed, LIMIT)
    assert followed.requested_skill is None


# --------------------------------------------------------------------------- an unmade change is kept


class _Kept:
    def __init__(self, context: TurnContext | None) -> None:
        self.context = context

    def get(self, conversation: str) -> TurnContext | None:
        return self.context

    def put(self, conversation: str, context: TurnContext) -> None:
        self.context = context


def _remember_refused(kept: _Kept, skill: str, text: str) -> None:
    from types import SimpleNamespace

    from agents.request import Request
    from agents.service import Guardian

    fake = SimpleNamespace(deps=SimpleNamespace(conversations=kept))
    state = {"route": {"skill": skill, "text": text, "slots": {}}, "calls": [], "proposal": None}
    Guardian._remember_unmade_change(fake, Request(text=text, user="zed", surface="cli", thread_id="t"), state)  # type: ignore[arg-type]


def test_a_refused_change_is_marked_beside_what_the_conversation_kept() -> None:
    kept = _Kept(TurnContext("incident.list", {"status": "triggered"}, ["PABC123"]))
    _remember_refused(kept, "incident.ack", "ack the top one")
    assert kept.context is not None
    assert kept.context.skill == "incident.list" and kept.context.resources == ["PABC123"]
    assert kept.context.slots["status"] == "triggered" and kept.context.slots[UNMADE] == "incident.ack"


def test_a_refused_change_opening_a_conversation_is_kept_alone_and_a_read_not_at_all() -> None:
    kept = _Kept(None)
    _remember_refused(kept, "infra.action", "power off the reporting box")
    assert kept.context is not None and kept.context.skill == "infra.action" and kept.context.resources == []
    empty = _Kept(None)
    _remember_refused(empty, "cost.summary", "spend last week")
    assert empty.context is None
