"""Several incidents in one ack or resolve: named together in the message, or every one of a
list the thread just showed ("resolve both"). The tool moves them under one approval
(tests/tools/pagerduty/test_incident_batches.py); these tests are the words' side."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.slots import extract_slots
from tests.agents.routes import route

NOW = datetime(2026, 4, 7, 14, 0)
# what an incident list leaves the thread: its incidents, newest first, and their assignees' names
TWO_LISTED = TurnContext("incident.list", {"service": "ledger"}, ["PQ4RST7", "PZ8XY21", "Erin Vale"])
THREE_LISTED = TurnContext("incident.list", {}, ["PQ4RST7", "PZ8XY21", "PM3NB05"])


@pytest.mark.parametrize(("text", "ids"), [
    ("please ack 2210 and 2211", ["2210", "2211"]),
    ("resolving #880, #881 and #885 now", ["880", "881", "885"]),
    ("close incidents 3004 + 3005", ["3004", "3005"]),
    ("mark PQ4RST7 and PZ8XY21 resolved", ["PQ4RST7", "PZ8XY21"]),
])
def test_several_incidents_named_together_are_all_read(text: str, ids: list[str]) -> None:
    assert extract_slots(text, now=NOW)["incident_ids"] == ids


@pytest.mark.parametrize("text", ["ack 2210 please", "we spent 1200 and 1300 on it", "brief me on 2210 and its logs",
                                  "resolve 2210, it took 45 minutes"])
def test_one_incident_or_numbers_that_are_no_incidents_make_no_set(text: str) -> None:
    assert "incident_ids" not in extract_slots(text, now=NOW)


@pytest.mark.parametrize(("text", "skill"), [("ok both are done, resolve both of them", "incident.resolve"),
                                             ("ack all of them, I'm on it", "incident.ack"),
                                             ("resolve the two of them", "incident.resolve"),
                                             ("we can close them all now", "incident.resolve")])
def test_every_one_of_a_listed_pair_is_the_set_acted_on(text: str, skill: str) -> None:
    followed = apply_context(route(text, skill, {}, 0.95), TWO_LISTED, 0.45)
    assert followed.skill == skill
    assert followed.slots["incident_ids"] == ["PQ4RST7", "PZ8XY21"]


def test_both_of_a_list_of_three_is_no_set_guardian_guesses() -> None:
    followed = apply_context(route("resolve both", "incident.resolve", {}, 0.95), THREE_LISTED, 0.45)
    assert "incident_ids" not in followed.slots


def test_a_count_that_matches_the_list_is_read_and_a_read_is_no_set() -> None:
    followed = apply_context(route("ack all three", "incident.ack", {}, 0.95), THREE_LISTED, 0.45)
    assert followed.slots["incident_ids"] == ["PQ4RST7", "PZ8XY21", "PM3NB05"]
    briefed = apply_context(route("brief me on both", "incident.brief", {}, 0.95), TWO_LISTED, 0.45)
    assert "incident_ids" not in briefed.slots


def test_a_set_named_in_the_message_wins_over_the_list() -> None:
    own = {"incident_id": "2210", "incident_ids": ["2210", "2211"]}
    followed = apply_context(route("resolve 2210 and 2211, both done", "incident.resolve", own, 0.95), TWO_LISTED, 0.45)
    assert followed.slots["incident_ids"] == ["2210", "2211"]


@pytest.mark.parametrize("text", ["the newer of the two is fixed, close it", "one of the two is done, resolve it"])
def test_one_of_a_pair_is_no_set(text: str) -> None:
    followed = apply_context(route(text, "incident.resolve", {}, 0.95), TWO_LISTED, 0.45)
    assert "incident_ids" not in followed.slots
