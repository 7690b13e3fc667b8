"""dev20 (evals20b), each checked in words of its own: kinds of waste said as examples of a
wider ask ("... orphaned disks and so on") leave the whole list, while a property named outside
the examples still narrows; a short place word qualified by "only"/"just"/"side" is a place
("apac only"), the pronoun "us" never; "same again but by team" regroups the previous question;
"what am I allowed to use you for" answers with every skill the policy lets this user ask."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context
from agents.graph import _own_rights
from agents.policy import AccessPolicy, parse_policy
from agents.route import Route
from agents.skills import SKILL_BY_NAME, SKILLS
from agents.slots.entities import find_region, find_service
from agents.templates import asked_read, asks_own_rights
from tools.base import ToolResult

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
LIMIT = 0.45


def _route(text: str, skill: str, confidence: float = 0.9, slots: dict[str, object] | None = None,
           alternatives: list[tuple[str, float]] | None = None) -> Route:
    return Route(text=text, agent=SKILL_BY_NAME[skill].agent, skill=skill, confidence=confidence,
                 slots=slots if slots is not None else {}, alternatives=alternatives or [])


# --------------------------------------------------------------------------- examples of a wider ask

WASTE = ToolResult(
    status="ok", summary="3 savings candidates.", columns=["resource", "name", "kind", "region", "monthly_usd"],
    rows=[{"resource": "i-0aaa", "name": "etl-runner-3", "kind": "low CPU instance", "region": "ap-south-1",
           "monthly_usd": 140.0},
          {"resource": "vol-0bbb", "name": "ledger-dump", "kind": "unattached volume", "region": "ap-south-1",
           "monthly_usd": 24.0},
          {"resource": "snap-0ccc", "name": "ledger-dump-2023", "kind": "old snapshot", "region": "ap-south-1",
           "monthly_usd": 6.0}],
    facts={}, resources=["i-0aaa", "vol-0bbb", "snap-0ccc"])


@pytest.mark.parametrize("text", [
    "what's costing us for nothing in mumbai? orphaned disks and so on",
    "where could we trim - e.g. stale snapshots",
    "anything to clean up before q3? unattached volumes, that sort of thing",
])
def test_kinds_said_as_examples_leave_the_whole_list(text: str) -> None:
    assert focus("aws_savings", WASTE, text) is None


def test_a_kind_named_outside_the_examples_still_narrows() -> None:
    focused = focus("aws_savings", WASTE, "which snapshots are stale? the 2023 ones etc")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["ledger-dump-2023"]


def test_a_kind_asked_plainly_still_narrows() -> None:
    focused = focus("aws_savings", WASTE, "any orphaned volumes in mumbai?")
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["ledger-dump"]


# --------------------------------------------------------------------------- qualified places


@pytest.mark.parametrize(("text", "place"), [("lambda spend last week, apac only", "apac"),
                                             ("just the eu numbers please", "eu"),
                                             ("how's the emea side looking on the bill", "emea")])
def test_a_short_place_word_qualified_is_a_place(text: str, place: str) -> None:
    assert find_region(text) == (place, None)


@pytest.mark.parametrize("text", ["can you just us a quick total", "the bill for us only, not the vendors",
                                  "eu-central-9 is not real"])
def test_the_pronoun_or_a_region_shaped_word_is_no_qualified_place(text: str) -> None:
    found = find_region(text)
    assert found is None or found[0] not in ("us", "eu")


# --------------------------------------------------------------------------- regrouped repeats


@pytest.mark.parametrize("text", ["same again but by team", "the same numbers per account please",
                                  "same breakdown by region"])
def test_the_same_question_by_a_new_grouping_asks_it_again(text: str) -> None:
    spend = TurnContext("cost.summary", {"time_range": {"start": "2026-05-01", "end": "2026-06-01"}}, [])
    followed = apply_context(_route(text, "infra.inventory", 0.5), spend, LIMIT)
    assert followed.skill == "cost.summary"
    assert followed.slots.get("time_range") == {"start": "2026-05-01", "end": "2026-06-01"}


# --------------------------------------------------------------------------- one's own rights

POLICY = AccessPolicy(parse_policy("""\
roles:
  viewer: {ask: ["cost.*", "help"]}
  operator: {ask: ["*"], approve: ["infra.action"]}
users: {zoe: [operator]}
default_roles: [viewer]
requester_may_approve: false
"""))


@pytest.mark.parametrize("text", ["ok so which stuff am i permitted to ask you?",
                                  "what does my role let me do here",
                                  "right, what exactly am I allowed to use this bot for"])
def test_asking_what_one_may_do_at_large_is_about_ones_rights(text: str) -> None:
    route = _route(text, "help", alternatives=[("security.iam", 0.4), ("infra.logs", 0.01)])
    assert asks_own_rights(route)
    assert asked_read(route) is None


def test_asking_about_one_read_is_not_about_ones_rights_at_large() -> None:
    assert not asks_own_rights(_route("am i allowed to look at the bill?", "help"))


def test_ones_rights_name_every_skill_allowed_and_the_role_that_would_allow_the_rest() -> None:
    said = _own_rights(SimpleNamespace(policy=POLICY), "yann")  # type: ignore[arg-type]
    allowed = [skill.name for skill in SKILLS if skill.name.startswith("cost.")] + ["help"]
    assert f"may ask me for: {', '.join(allowed)}." in said
    assert "role viewer" in said
    assert "infra.action" in said.split("Not for:")[1]
    assert "(role operator may)" in said


def test_someone_allowed_everything_is_told_so() -> None:
    said = _own_rights(SimpleNamespace(policy=POLICY), "zoe")  # type: ignore[arg-type]
    assert "Not for" not in said
    assert "every skill" in said


# --------------------------------------------------------------------------- a premise, a size down

IDLE_TOO = WASTE.model_copy(update={"rows": [*WASTE.rows, {"resource": "eipalloc-0ddd", "name": "nat-spare",
                                                          "kind": "unassociated Elastic IP",
                                                          "region": "ap-south-1", "monthly_usd": 3.6}]})


@pytest.mark.parametrize("text", ["assuming the etl runner is still idle, what's a size smaller worth per month?",
                                  "if it's mostly idle again, what would dropping it a size save"])
def test_a_property_in_the_premise_is_not_what_is_asked(text: str) -> None:
    focused = focus("aws_savings", IDLE_TOO, text)
    assert focused is not None
    assert [row["name"] for row in focused.rows] == ["etl-runner-3"]


def test_two_properties_asked_outside_any_premise_are_both_asked() -> None:
    focused = focus("aws_savings", IDLE_TOO, "what's idle, and what could go a size smaller?")
    assert focused is not None
    assert len(focused.rows) == 4


# --------------------------------------------------------------------------- what X costs, reported


@pytest.mark.parametrize(("text", "service"), [("my manager wants to know what ledger costs us a month", "ledger"),
                                               ("figure out how much the billing-api spends on lambda", "billing-api")])
def test_what_an_application_costs_said_as_a_clause_names_it(text: str, service: str) -> None:
    assert find_service(text) == service


@pytest.mark.parametrize("text", ["no idea what it costs", "tell me what ec2 costs", "what that costs us"])
def test_a_pronoun_or_a_billed_service_is_no_application(text: str) -> None:
    assert find_service(text) is None
