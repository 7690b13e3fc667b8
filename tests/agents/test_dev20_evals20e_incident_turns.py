"""dev20 (evals20e): incident turns said in people's own words.

- "page" used as a noun with a word between it and its determiner ("the signup page looked
  off") is no verb, so the word after it is nobody to page;
- "which pages were closed out", "what incidents got resolved": the set's noun between the
  question word and the state still asks for the resolved ones;
- "the search pager", like "the search on-call", names the rota's service;
- after an incident list (newest first) "the older one" is its last row, "the newer one" its first;
- after an on-call answer for one rota, "the primary" is the first person it named and "the
  backup" the second, for a question about what they hold;
- "whatever keeps buzzing me" on an ack or a resolve is the asker's own incident.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agents.asker import asker_meant
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.request import Request
from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import find_people

THRESHOLD = 0.45
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def route(text: str, skill: str, confidence: float = 0.9, slots: dict[str, Any] | None = None) -> Route:
    return Route(text=text, agent="incident", skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", ["the signup page looked off this morning, who covers ledger?",
                                  "our status page went blank for a sec, anyone on it?"])
def test_a_page_noun_after_a_modifier_names_nobody(text: str) -> None:
    assert find_people(text.lower(), text)[0] is None


@pytest.mark.parametrize(("text", "person"), [("can you page jo", "jo"), ("the team should page sam", "sam")])
def test_the_page_verb_still_names_its_person(text: str, person: str) -> None:
    assert find_people(text, text)[0] == person


@pytest.mark.parametrize("text", ["which pages were closed out this week?", "what incidents got resolved since monday"])
def test_the_sets_noun_before_a_closed_state_asks_for_resolved(text: str) -> None:
    assert extract_slots(text, NOW).get("status") == "resolved"


def test_an_open_set_is_no_resolved_one() -> None:
    assert "status" not in extract_slots("which incidents are open", NOW)


@pytest.mark.parametrize(("text", "service"), [("who has the ledger pager tonight", "ledger"),
                                               ("whos carrying the identity pager", "identity")])
def test_a_name_before_pager_is_the_rotas_service(text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


@pytest.mark.parametrize("text", ["who has the new pager", "who's got pager duty for the weekend",
                                  "whos holding pager this week"])
def test_a_plain_word_or_a_verb_before_pager_names_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


LISTED = TurnContext("incident.list", {}, ["PNEW001", "PMID002", "POLD003"])


@pytest.mark.parametrize(("text", "expected"), [("the older one is fine now, close it", "POLD003"),
                                                ("the oldest of those incidents can go", "POLD003"),
                                                ("ok the newer one, ack it", "PNEW001")])
def test_an_incident_picked_by_its_age_in_a_newest_first_list(text: str, expected: str) -> None:
    asked = apply_context(route(text, "incident.resolve"), LISTED, THRESHOLD)
    assert asked.slots.get("incident_id") == expected


ROTA = TurnContext("incident.oncall", {"service": "ledger"}, ["Jo Park", "Sam Reyes"])


@pytest.mark.parametrize(("text", "person"), [("is the primary tied up with anything?", "Jo Park"),
                                              ("what's the backup holding right now", "Sam Reyes")])
def test_a_rota_role_after_an_oncall_answer_is_the_person_at_it(text: str, person: str) -> None:
    asked = apply_context(route(text, "incident.list"), ROTA, THRESHOLD)
    assert asked.slots.get("person") == person


def test_the_backup_after_several_rotas_picks_nobody() -> None:
    several = TurnContext("incident.oncall", {}, ["Jo Park", "Sam Reyes", "Lee Moss", "Ana Ruiz"])
    asked = apply_context(route("does the backup have anything open", "incident.list"), several, THRESHOLD)
    assert "person" not in asked.slots


@pytest.mark.parametrize("skill", ["incident.ack", "incident.resolve"])
def test_what_notifies_the_asker_is_their_own_incident(skill: str) -> None:
    asked = asker_meant(route("ack the thing that keeps buzzing me", skill), Request(text="x", user="jo"))
    assert asked.slots.get("person") == "jo"


def test_an_ack_naming_nobody_as_the_asker_is_left_alone() -> None:
    asked = asker_meant(route("ack it for me", "incident.ack"), Request(text="x", user="jo"))
    assert "person" not in asked.slots
