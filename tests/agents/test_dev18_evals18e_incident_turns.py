"""dev18 (evals18e): incident turns.

- a place in the previous list with its noun left out ("resolve the 2nd pls", "ack the last.")
  is that row, as "the second one" is; a place that goes on into a noun of no row is none;
- a service named behind a demonstrative and a vague noun ("on call for this search issue",
  "incidents on that payments thing") is the service; "that" alone names none;
- the asker's own incidents ("anything assigned to me", "my open pages") are asked with the asker
  as the person (the surface's PagerDuty mapping first), never another skill's, never a name
  already said.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.asker import asker_meant
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.request import Request
from agents.slots import extract_slots
from tests.agents.routes import route

NOW = datetime(2026, 5, 11, 14, 0, tzinfo=UTC)
THRESHOLD = 0.45
LISTED = TurnContext("incident.list", {}, ["PQ1AAAA", "PQ2BBBB", "PQ3CCCC"])


@pytest.mark.parametrize(("text", "skill", "incident"), [
    ("resolve the 2nd pls", "incident.resolve", "PQ2BBBB"),
    ("fine, ack the last.", "incident.ack", "PQ3CCCC"),
    ("ok then acknowledge the first", "incident.ack", "PQ1AAAA"),
    ("brief me on the third, thx", "incident.brief", "PQ3CCCC"),
])
def test_a_place_without_its_noun_is_that_row(text: str, skill: str, incident: str) -> None:
    asked = apply_context(route(text, skill, {}, 0.9), LISTED, THRESHOLD)
    assert asked.slots.get("incident_id") == incident


def test_a_place_going_on_into_another_noun_is_no_row() -> None:
    asked = apply_context(route("ack the first alert you see tomorrow", "incident.ack", {}, 0.9), LISTED, THRESHOLD)
    assert "incident_id" not in asked.slots


@pytest.mark.parametrize(("text", "service"), [
    ("whos on call for this search issue", "search"),
    ("any incidents on that payments thing?", "payments"),
    ("is it me on call for that auth mess or frank", "auth"),
])
def test_a_service_behind_a_demonstrative_is_named(text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


@pytest.mark.parametrize("text", ["who is on call for that", "page someone for that one"])
def test_a_demonstrative_alone_names_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


@pytest.mark.parametrize("text", ["anything assigned to me rn?", "list my open pages",
                                  "do i have anything open in pd", "what have i got on my plate, incident-wise"])
def test_the_askers_own_incidents_are_asked_as_theirs(text: str) -> None:
    asked = asker_meant(route(text, "incident.list"), Request(text=text, user="yusuf"))
    assert asked.slots.get("person") == "yusuf"


def test_the_surfaces_pagerduty_mapping_comes_first() -> None:
    text = "incidents assigned to me"
    asked = asker_meant(route(text, "incident.list"), Request(text=text, user="U07ZZ", acting_as="yusuf@acme.example"))
    assert asked.slots.get("person") == "yusuf@acme.example"


@pytest.mark.parametrize(("text", "skill", "slots"), [
    ("incidents assigned to me", "incident.list", {"person": "lena"}),  # a name already said
    ("my pages, who is on call for them", "incident.oncall", {}),  # another skill
    ("which incidents are open", "incident.list", {}),  # nobody's own
])
def test_no_asker_where_the_words_do_not_ask_their_own(text: str, skill: str, slots: dict[str, str]) -> None:
    asked = asker_meant(route(text, skill, slots), Request(text=text, user="yusuf"))
    assert asked.slots.get("person") == slots.get("person")


def test_the_cli_identity_is_nobody() -> None:
    text = "anything assigned to me"
    assert "person" not in asker_meant(route(text, "incident.list"), Request(text=text)).slots
