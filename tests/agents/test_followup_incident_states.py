"""dev15 (evals15e): right after a list of incidents, a follow-up that only says which states to
show ("add the closed ones as well") is that list again in those states, whatever other skill
its words lean to; a change asked of a state is still that change."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

LISTED = TurnContext("incident.list", {"service": "ledger"}, ["P1ABCDE"])


def route(text: str, skill: str, slots: dict, confidence: float = 0.8) -> Route:
    agent = skill.split(".")[0]
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots, alternatives=[])


def test_a_state_after_an_incident_list_is_that_list_in_the_state() -> None:
    followed = apply_context(route("add the closed ones as well", "cicd.changes", {"status": "all"}), LISTED, 0.45)
    assert followed.skill == "incident.list"
    assert followed.slots["status"] == "all"
    assert followed.slots["service"] == "ledger"


def test_a_change_asked_of_a_state_is_kept() -> None:
    followed = apply_context(route("resolve the acked ones", "incident.resolve", {"status": "acknowledged"}),
                             LISTED, 0.45)
    assert followed.skill == "incident.resolve"


def test_a_state_after_another_skill_changes_nothing() -> None:
    before = TurnContext("cicd.status", {"repo": "ledger-web"}, [])
    followed = apply_context(route("add the closed ones as well", "cicd.changes", {"status": "all"}), before, 0.45)
    assert followed.skill == "cicd.changes"
