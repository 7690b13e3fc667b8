"""dev19 (evals19b), each checked in words of its own: a greeting to the channel ("hi team",
"morning folks") names no team to narrow spend by; a question naming one kind of waste that then
asks "what else ..." with a clause of its own asks about every kind (an elliptical "is anything
else?" still asks about the kind named); "which region?" or "where is it?" right after an answer
asks that answer again (not an inventory grouped by region); "kinda" and "sorta" are hedges,
never a service's name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context
from agents.route import Route
from agents.skills import SKILL_BY_NAME
from agents.slots import extract_slots
from tools.base import ToolResult

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
LIMIT = 0.45


def _route(text: str, skill: str, confidence: float = 0.9, slots: dict | None = None) -> Route:
    return Route(text=text, agent=SKILL_BY_NAME[skill].agent, skill=skill, confidence=confidence,
                 slots=slots if slots is not None else {}, alternatives=[])


# --------------------------------------------------------------------------- greetings


@pytest.mark.parametrize("text", ["hello team - aws bill for october by service pls",
                                  "Morning folks! what did lambda cost us in may?",
                                  "thanks team, and the spend per region for q1?"])
def test_a_greeting_to_the_channel_names_no_team(text: str) -> None:
    slots = extract_slots(text, NOW)
    assert "team" not in slots
    assert slots.get("service") not in ("hello", "morning", "thanks")


def test_a_team_named_after_a_greeting_is_still_that_team() -> None:
    assert extract_slots("hey, what did the ledger squad spend on aws in may", NOW).get("team") == "ledger"


# --------------------------------------------------------------------------- beyond the kind named

WASTE = ToolResult(
    status="ok", summary="4 savings candidates.", columns=["resource", "name", "kind", "region", "monthly_usd"],
    rows=[{"resource": "i-0aaa", "name": "etl-runner-3", "kind": "low CPU instance", "region": "ap-south-1",
           "monthly_usd": 140.0},
          {"resource": "vol-0bbb", "name": "ledger-dump", "kind": "unattached volume", "region": "ap-south-1",
           "monthly_usd": 24.0},
          {"resource": "snap-0ccc", "name": "ledger-dump-2023", "kind": "old snapshot", "region": "ap-south-1",
           "monthly_usd": 6.0},
          {"resource": "eipalloc-0ddd", "name": "nat-spare", "kind": "unassociated Elastic IP",
           "region": "ap-south-1", "monthly_usd": 3.6}],
    facts={}, resources=["i-0aaa", "vol-0bbb", "snap-0ccc", "eipalloc-0ddd"])


@pytest.mark.parametrize("text", [
    "compute optimizer flagged an orphaned disk. anything else we should be cleaning up this sprint?",
    "ok the spare eip is known - but what else is burning money for nothing in this account",
])
def test_what_else_with_a_clause_of_its_own_asks_about_every_kind(text: str) -> None:
    assert focus("aws_savings", WASTE, text) is None


def test_what_else_asking_about_a_kind_of_its_own_keeps_that_kind() -> None:
    focused = focus("aws_savings", WASTE, "ok and what else is left over in old snapshots?")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["ledger-dump-2023"]


def test_an_elliptical_anything_else_keeps_the_kind_named() -> None:
    focused = focus("aws_savings", WASTE, "any orphaned volumes? anything else?")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["ledger-dump"]


# --------------------------------------------------------------------------- about the answer


@pytest.mark.parametrize("text", ["where is it?", "which region?", "hm which account", "and what region was that in"])
def test_where_after_a_spike_asks_the_spike_again(text: str) -> None:
    spike = TurnContext("cost.anomalies", {"aws_service": "ec2"}, [])
    asked = _route(text, "infra.inventory", 0.6, {"group_by": "region"} if "region" in text else {})
    followed = apply_context(asked, spike, LIMIT)
    assert followed.skill == "cost.anomalies"
    assert followed.slots.get("aws_service") == "ec2"


def test_a_region_question_with_a_subject_of_its_own_is_not_about_the_answer() -> None:
    spike = TurnContext("cost.anomalies", {}, [])
    asked = _route("which region is ledger-db running in", "infra.describe", 0.9, {"resource_name": "ledger-db"})
    assert apply_context(asked, spike, LIMIT).skill == "infra.describe"


# --------------------------------------------------------------------------- hedges


@pytest.mark.parametrize("text", ["wat kinda alerts fired overnight", "any sorta timeouts in the ledger logs"])
def test_a_hedge_word_is_no_service(text: str) -> None:
    assert extract_slots(text, NOW).get("service") not in ("kinda", "sorta")


# --------------------------------------------------------------------------- help: the catalogue asked


def _help(text: str, alternatives: list[tuple[str, float]]) -> Route:
    return Route(text=text, agent="knowledge", skill="help", confidence=0.9, alternatives=alternatives)


@pytest.mark.parametrize("text", ["day one here - which sorts of questions can i ask you?",
                                  "what stuff can we actually use the bot for"])
def test_what_i_can_ask_is_the_catalogue_not_one_read(text: str) -> None:
    from agents.templates import asked_read

    assert asked_read(_help(text, [("incident.list", 0.05), ("cost.summary", 0.001)])) is None


def test_permission_for_one_read_is_still_that_read() -> None:
    from agents.templates import asked_read

    asked = _help("can i even see the pager rotas with a viewer account?", [("incident.oncall", 0.05)])
    assert asked_read(asked) == "incident.oncall"


# --------------------------------------------------------------------------- the amount asked


def test_asking_what_the_kind_costs_says_its_monthly_figure() -> None:
    focused = focus("aws_savings", WASTE, "that orphaned disk - how much is it setting us back?")
    assert focused is not None
    assert focused.lead.endswith("About $24.00/month.")


def test_asking_what_several_cost_says_the_sum_and_each() -> None:
    focused = focus("aws_savings", WASTE, "old snapshots and unattached volumes: what are we paying for those monthly")
    assert focused is not None
    assert focused.lead.endswith("About $30.00/month in all (ledger-dump $24.00, ledger-dump-2023 $6.00).")


def test_no_amount_asked_adds_no_figure() -> None:
    focused = focus("aws_savings", WASTE, "got any orphaned disks?")
    assert focused is not None
    assert "/month" not in focused.lead


# --------------------------------------------------------------------------- the spend of a listing


def test_what_the_listed_machines_cost_keeps_the_kind_listed() -> None:
    listed = TurnContext("infra.inventory", {"cloud": "azure", "resource_type": "ec2"}, ["vm-a", "vm-b", "vm-c"])
    asked = _route("ok and how much were those running us in march, per rg?", "cost.summary", 1.0,
                   {"cloud": "azure", "group_by": "resource_group"})
    followed = apply_context(asked, listed, LIMIT)
    assert followed.skill == "cost.summary"
    assert followed.slots.get("resource_type") == "ec2" and followed.slots.get("cloud") == "azure"
