"""dev16 (evals16b): incident slots. The paging tool and a part of a user flow sit where a
service's name would ("the opsgenie alert", "the signup form errors") but name none; asking
whether anything has been closed asks for the resolved state; the person after "behind her" is
the next level of the rota; a possessive after "which one is" names whose item it is."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 6, 10, 14, 0)


@pytest.mark.parametrize("text", [
    "close the pagerduty incident please",
    "can you ack the pd alert, i'm looking",
    "resolve the opsgenie page, all good now",
])
def test_the_paging_tool_is_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "service"), [
    ("signup form errors keep climbing", "signup"),
    ("the cart page errors are back", "cart"),
    ("ledger flow errors since the deploy", "ledger"),
])
def test_a_part_of_a_user_flow_is_no_service_the_name_before_it_is(text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


@pytest.mark.parametrize("text", [
    "has anything been closed since monday?",
    "which ones got resolved overnight",
    "did something get resolved this morning",
])
def test_asking_whether_anything_was_closed_asks_the_resolved_state(text: str) -> None:
    assert extract_slots(text, NOW).get("status") == "resolved"


def test_asking_what_closed_and_what_is_open_asks_both_states() -> None:
    assert extract_slots("what got resolved and what's still open", NOW).get("status") == "all"


@pytest.mark.parametrize("text", ["ok and behind him?", "who comes after them", "who's next in line for search"])
def test_who_comes_after_the_one_named_is_the_next_level(text: str) -> None:
    assert extract_slots(text, NOW).get("level") == 2


def test_after_a_pronoun_doing_something_is_no_level() -> None:
    assert "level" not in extract_slots("what broke after him deploying", NOW)


@pytest.mark.parametrize(("text", "person"), [
    ("which one is dave's?", "dave"),
    ("ok which one was erin's", "erin"),
    ("what does frank have open", "frank"),
])
def test_whose_item_or_what_a_person_holds_names_the_person(text: str, person: str) -> None:
    assert extract_slots(text, NOW).get("person") == person
