"""dev15 (evals15b): incident slots. A time's possessive determines an incident phrase, the
thing a team owns is a service, "on the hook for" is the on-call idiom, asking for the holder
and the one behind them is the whole rota, "get" before a participle is a passive, and the
number a page was for is an incident."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 6, 10, 14, 0)


@pytest.mark.parametrize(("text", "service"), [
    ("write-up of last night's auth token expiry outage please", "auth"),
    ("saturdays checkout cart alert, was it real?", "checkout"),
    ("what caused this morning's analytics ingest incident", "analytics"),
])
def test_a_time_possessive_before_an_incident_phrase_leaves_its_first_word_the_service(
        text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


@pytest.mark.parametrize(("text", "service"), [
    ("what team owns checkout, and who do i call", "checkout"),
    ("which squad owns analytics these days", "analytics"),
])
def test_the_thing_a_team_owns_is_the_service(text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


def test_on_the_hook_for_names_the_service() -> None:
    assert extract_slots("who is on the hook for search this weekend", NOW).get("service") == "search"


@pytest.mark.parametrize("text", [
    "who's on call for auth right now and who's second in line",
    "who has the pager for checkout and who is the backup",
    "give me the primary and secondary for analytics",
    "levels 1 and 2 of the payments rota",
])
def test_two_levels_asked_together_ask_for_the_whole_rota(text: str) -> None:
    assert "level" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "level"), [
    ("and who's the backup for that?", 2),
    ("who's secondary for analytics", 2),
    ("ping the checkout primary", 1),
])
def test_one_level_asked_alone_is_still_that_level(text: str, level: int) -> None:
    assert extract_slots(text, NOW).get("level") == level


@pytest.mark.parametrize("text", ["why didn't erin get alerted when auth went down",
                                  "did carol get paged last night or not"])
def test_a_participle_after_get_is_nobody_to_page(text: str) -> None:
    assert "person" not in extract_slots(text, NOW)


def test_get_before_a_name_still_names_the_person() -> None:
    assert extract_slots("get frank on a call asap", NOW).get("person") == "frank"


@pytest.mark.parametrize(("text", "number"), [("bob got paged for 1041 overnight, what was it", "1041"),
                                              ("was dave notified about #1038 by sms", "1038")])
def test_the_number_a_page_was_for_is_the_incident(text: str, number: str) -> None:
    assert extract_slots(text, NOW).get("incident_id") == number


def test_a_year_after_notified_is_no_incident() -> None:
    assert "incident_id" not in extract_slots("finance got notified about 2026 pricing", NOW)


@pytest.mark.parametrize("text", ["close the checkout latency one, we rolled back #201 and it recovered",
                                  "reverting #412 sorted the auth errors",
                                  "the redeploy of #117 is what fixed search"])
def test_a_number_after_a_rollback_or_deploy_word_is_no_incident(text: str) -> None:
    assert "incident_id" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "number"), [("status of #1041 please", "1041"),
                                              ("resolve incident #1038, the revert of #77 did it", "1038")])
def test_a_hash_number_of_its_own_is_still_an_incident(text: str, number: str) -> None:
    assert extract_slots(text, NOW).get("incident_id") == number


@pytest.mark.parametrize(("text", "number"), [("quick status on 1038?", "1038"),
                                              ("any news about #1041 since this morning", "1041"),
                                              ("timeline for 1042 please, for the review", "1042")])
def test_the_number_a_status_question_is_about_is_the_incident(text: str, number: str) -> None:
    assert extract_slots(text, NOW).get("incident_id") == number


@pytest.mark.parametrize("text", ["status of 400 errors on the alb", "an update on 2026 pricing",
                                  "latest on 250 users locked out"])
def test_a_counted_number_or_a_year_after_a_status_word_is_no_incident(text: str) -> None:
    assert "incident_id" not in extract_slots(text, NOW)
