"""Who and what an on-call or incident question is about: "is <name> on call" asks about
that person (a crowd word or a team word is nobody), "level N for <name>" names the subject
whose rota it is, and a word joined to "incident" by a preposition ("the gist of incident 77")
is no service of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "who"), [("quick q: is frank on-call this weekend", "frank"),
                                           ("is priya on the pager now?", "priya")])
def test_asking_whether_someone_is_on_call_names_them(text: str, who: str) -> None:
    assert extract_slots(text, NOW).get("person") == who


@pytest.mark.parametrize("text", ["is anybody on call right now", "is security on call over the holidays"])
def test_a_crowd_or_a_team_word_is_no_person(text: str) -> None:
    assert "person" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "level", "subject"), [("who holds level 2 for orders", 2, "orders"),
                                                        ("and level-1 on ledger?", 1, "ledger")])
def test_the_subject_of_a_level_asked_for(text: str, level: int, subject: str) -> None:
    slots = extract_slots(text, NOW)
    assert slots.get("level") == level
    assert slots.get("service") == subject


@pytest.mark.parametrize("text", ["give me the gist of incident 77", "the timeline for incident 1200 please",
                                  "what is the holdup on the incident"])
def test_a_word_joined_to_the_incident_by_a_preposition_is_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


def test_a_service_right_before_the_incident_words_still_names_it() -> None:
    assert extract_slots("brief me on the ledger write errors incident", NOW).get("service") == "ledger"
