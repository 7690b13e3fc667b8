"""dev22 (evals22e): incident turns at 3am and the morning after.

- an ack of "the page" / "the alert" that names no incident, service, team or person is of the
  page PagerDuty sends the asker (their own triggered incident); one naming a service is not;
- "who has X on call", "who's holding the X pager": the rota held, named before its noun;
- "a human from X", "an engineer on X": one person of that team, as "someone from X" is;
- "theirs" (and "hers", "his") points back at the previous answer as "their" does; after who is
  on call for a team, "they" are that team.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agents.asker import asker_meant
from agents.conversations import TurnContext
from agents.followup import _ANAPHOR, _target_of
from agents.request import Request
from agents.route import Route
from agents.slots import extract_slots

NOW = datetime(2026, 7, 1, 3, 0, tzinfo=UTC)


def route(text: str, skill: str, slots: dict[str, Any] | None = None) -> Route:
    return Route(text=text, agent="incident", skill=skill, confidence=0.9, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", ["could you ack the alert while I dig in", "ack this page pls, mine",
                                  "i'm rolling back - acknowledge the incident in the meantime"])
def test_an_ack_of_the_page_naming_nothing_is_the_askers_own(text: str) -> None:
    asked = asker_meant(route(text, "incident.ack"), Request(text=text, user="sam"))
    assert asked.slots.get("person") == "sam"


def test_an_ack_naming_a_service_keeps_it() -> None:
    asked = asker_meant(route("ack the ledger page", "incident.ack", {"service": "ledger"}),
                        Request(text="x", user="sam"))
    assert "person" not in asked.slots


def test_a_resolve_of_the_page_is_not_taken_as_the_askers() -> None:
    asked = asker_meant(route("close the alert", "incident.resolve"), Request(text="x", user="sam"))
    assert "person" not in asked.slots


@pytest.mark.parametrize(("text", "owner"), [("who has ledger on-call this weekend", "ledger"),
                                             ("who's got identity oncall rn?", "identity"),
                                             ("who is carrying the search pager", "search")])
def test_the_rota_held_is_named_before_its_noun(text: str, owner: str) -> None:
    slots = extract_slots(text, NOW)
    assert owner in (slots.get("service"), slots.get("team"))


@pytest.mark.parametrize(("text", "team"), [("we need a human from infra right now", "infra"),
                                            ("can I get an engineer from ledger on the bridge", "ledger")])
def test_one_person_of_a_team_names_the_team(text: str, team: str) -> None:
    assert extract_slots(text, NOW).get("team") == team


def test_a_person_out_there_names_no_team() -> None:
    assert "team" not in extract_slots("could a person on the internet open that file?", NOW)


@pytest.mark.parametrize("text", ["anything of theirs still firing?", "is any of hers still open"])
def test_a_possessive_standing_alone_points_back(text: str) -> None:
    assert _ANAPHOR.search(text)


def test_they_after_a_teams_rota_are_that_team() -> None:
    rota = TurnContext("incident.oncall", {"team": "identity"}, ["Jo Park", "Sam Reyes"])
    assert _target_of(rota, "anything of theirs open?") == {"team": "identity"}
    assert _target_of(rota, "is it bad?") == {}
