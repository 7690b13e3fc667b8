"""dev21 (evals21b), each checked in words of its own: an instance bigger than its work said
plainly ("too large for their workload", "over-provisioned") asks the low-CPU candidates; a
disk or volume asked of the savings is an unattached volume; two places set against each other
("europe versus the us") split a spend by region; a spender reported in the past ("what
checkout spent") names the application; billing words written hyphenated ("burn-rate") name no
resource; "they" in a spend question after a team's spend is that team."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context
from agents.route import Route
from agents.skills import SKILL_BY_NAME
from agents.slots import extract_slots
from agents.slots.entities import find_service
from tools.base import ToolResult

NOW = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
LIMIT = 0.45

WASTE = ToolResult(
    status="ok", summary="4 savings candidates.", columns=["resource", "name", "kind", "region", "monthly_usd"],
    rows=[{"resource": "i-0aaa", "name": "render-farm-2", "kind": "low CPU instance", "region": "us-west-2",
           "monthly_usd": 300.0},
          {"resource": "vol-0bbb", "name": "ledger-dump", "kind": "unattached volume", "region": "us-west-2",
           "monthly_usd": 24.0},
          {"resource": "snap-0ccc", "name": "ledger-dump-2023", "kind": "old snapshot", "region": "us-west-2",
           "monthly_usd": 6.0},
          {"resource": "vol-0ddd", "name": "build-cache", "kind": "gp2 volume", "region": "us-west-2",
           "monthly_usd": 2.0}],
    facts={}, resources=["i-0aaa", "vol-0bbb", "snap-0ccc", "vol-0ddd"])


def _kept(text: str) -> list[str] | None:
    focused = focus("aws_savings", WASTE, text)
    return None if focused is None else [str(row["name"]) for row in focused.rows]


@pytest.mark.parametrize("text", [
    "are any of our boxes way too large for their workload?",
    "which instances are over-provisioned",
    "anything bigger than it needs to be?",
])
def test_bigger_than_the_work_said_plainly_is_the_low_cpu_kind(text: str) -> None:
    assert _kept(text) == ["render-farm-2"]


def test_a_bill_too_big_narrows_nothing() -> None:
    assert _kept("the bill is too big this quarter, what can we cut?") is None


def test_disks_asked_of_the_savings_are_the_unattached_volumes() -> None:
    assert _kept("got volumes or stale snapshots nobody needs?") == ["ledger-dump", "ledger-dump-2023"]


def test_gp2_volumes_stay_their_own_kind() -> None:
    assert _kept("any gp2 volumes left to migrate?") == ["build-cache"]


def test_two_places_set_against_each_other_split_the_spend_by_region() -> None:
    slots = extract_slots("s3 spend in february, europe versus the us?", NOW)
    assert slots.get("group_by") == "region" and "region" not in slots


def test_us_as_a_pronoun_sets_no_place_against_another() -> None:
    assert "group_by" not in extract_slots("can you tell us or should we ask finance?", NOW)


@pytest.mark.parametrize(("text", "spender"), [
    ("finance asked what checkout spent on aws in january", "checkout"),
    ("do you know what analytics cost us over the last two weeks", "analytics"),
])
def test_a_spender_reported_in_the_past_is_the_application(text: str, spender: str) -> None:
    assert find_service(text) == spender


def test_it_cost_us_names_no_spender() -> None:
    assert find_service("no idea what it cost us last week") is None


def test_a_billing_word_written_hyphenated_names_no_resource() -> None:
    assert "resource_name" not in extract_slots("put the ec2 forecast in my burn-rate tab", NOW)


def _route(text: str, skill: str) -> Route:
    return Route(text=text, agent=SKILL_BY_NAME[skill].agent, skill=skill, confidence=0.9,
                 slots=extract_slots(text, NOW), alternatives=[])


def test_they_after_a_teams_spend_is_that_team() -> None:
    previous = TurnContext("cost.summary", {"team": "platform", "cloud": "aws"}, [])
    routed = apply_context(_route("nice, and where will they land by the end of march?", "cost.forecast"),
                           previous, LIMIT)
    assert routed.skill == "cost.forecast" and routed.slots.get("team") == "platform"


def test_they_after_a_spend_of_no_one_lends_no_spender() -> None:
    previous = TurnContext("cost.summary", {"cloud": "aws"}, [])
    routed = apply_context(_route("nice, and where will they land by the end of march?", "cost.forecast"),
                           previous, LIMIT)
    assert "team" not in routed.slots and "service" not in routed.slots


def test_disks_asked_by_their_type_are_that_type_alone() -> None:
    assert _kept("which volumes are still on gp3 or gp2?") == ["build-cache"]
