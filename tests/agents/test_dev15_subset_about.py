"""Whether a list just shown holds an item about something ("anything in there on the db?")
is asked of that list again, not answered by describing the thing; a question that only
points at the list without asking what is about something keeps its own reading."""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

THRESHOLD = 0.45


def route(text: str, skill: str, slots: dict | None = None, confidence: float = 0.9) -> Route:
    agent = {"infra": "infrastructure"}.get(skill.split(".")[0], skill.split(".")[0])
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", ["anything in there about the jump host?", "do any of those mention orders-db",
                                  "is any of that on the build runner", "which of them are about ledger-api"])
def test_a_list_asked_whether_it_holds_something_is_that_list(text: str) -> None:
    threats = TurnContext("security.findings", {"cloud": "aws", "aws_service": "guardduty"}, ["i-0abc1234def567890"])
    asked = apply_context(route(text, "infra.describe", {"resource_name": "x"}, confidence=0.6), threats, THRESHOLD)
    assert asked.skill == "security.findings"
    assert asked.slots.get("aws_service") == "guardduty"  # the same scanner's list


def test_a_sure_question_of_another_domain_is_kept() -> None:
    threats = TurnContext("security.findings", {}, [])
    asked = apply_context(route("anything in there about payments? who is on call for the payments rota",
                                "incident.oncall", confidence=0.95), threats, THRESHOLD)
    assert asked.skill == "incident.oncall"


def test_a_change_is_never_taken_for_a_subset() -> None:
    threats = TurnContext("security.findings", {}, [])
    asked = apply_context(route("stop any of those on the miner box", "infra.action", confidence=0.6),
                          threats, THRESHOLD)
    assert asked.skill == "infra.action"
