"""A change asked of "it" right after a brief of one incident the user described (not named by
id) is made to that incident: its id comes from the brief's answer, so an escalation moves the
briefed incident instead of opening a new page on its service."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

THRESHOLD = 0.45


def _route(text: str, skill: str, slots: dict | None = None) -> Route:
    return Route(text=text, agent=skill.split(".")[0], skill=skill, confidence=0.97, slots=slots or {})


def test_escalating_it_after_a_described_brief_escalates_that_incident() -> None:
    brief = TurnContext("incident.brief", {"service": "ledger"}, ["PZX81QA", "Jo Park", "deployment 77"])
    asked = _route("nobody is answering, bump it up a level", "incident.page", {"action": "page"})
    followed = apply_context(asked, brief, THRESHOLD)
    assert followed.slots.get("incident_id") == "PZX81QA"


def test_acking_it_after_a_described_brief_pins_the_briefed_incident() -> None:
    brief = TurnContext("incident.brief", {"service": "ledger"}, ["PZX81QA"])
    followed = apply_context(_route("fine, ack it for me", "incident.ack"), brief, THRESHOLD)
    assert followed.slots.get("incident_id") == "PZX81QA"


def test_no_incident_is_lent_when_the_brief_named_several_or_the_turn_reads() -> None:
    several = TurnContext("incident.brief", {"service": "ledger"}, ["PZX81QA", "PQQ22RB"])
    asked = _route("nobody is answering, bump it up a level", "incident.page", {"action": "page"})
    assert "incident_id" not in apply_context(asked, several, THRESHOLD).slots
    one = TurnContext("incident.brief", {"service": "ledger"}, ["PZX81QA"])
    read = apply_context(_route("who is on call for it", "incident.oncall"), one, THRESHOLD)
    assert "incident_id" not in read.slots
