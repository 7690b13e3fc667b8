"""Service names right before 'logs' / 'errors', and verbs that are never services."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots
from agents.slots.entities import find_service

NOW = datetime(2026, 11, 25, 9, 0)


@pytest.mark.parametrize(("text", "service"), [
    ("errors in checkout logs", "checkout"),
    ("payments errors since 9am", "payments"),
    ("show errors in the logs", None),
    ("any recent deploys", None),
])
def test_service_before_the_noun(text: str, service: str | None) -> None:
    assert extract_slots(text, NOW).get("service") == service


def test_since_yesterday_includes_today() -> None:
    span = extract_slots("what changed since yesterday", NOW)["time_range"]
    assert (span["start"], span["end"]) == ("2026-11-24", "2026-11-26")
    plain = extract_slots("errors yesterday", NOW)["time_range"]
    assert (plain["start"], plain["end"]) == ("2026-11-24", "2026-11-25")


@pytest.mark.parametrize(("text", "person"), [
    ("escalate P3H8W1R to bob", "bob"),
    ("reassign the incident to @carol", "carol"),
    ("escalate this to the payments team", None),
])
def test_escalation_target_person(text: str, person: str | None) -> None:
    assert extract_slots(text, NOW).get("person") == person


@pytest.mark.parametrize(("text", "service"), [
    ("the search 503s again, get their secondary", "search"),
    ("our ledger 4xx are climbing", "ledger"),
    ("what is the 5xx rate", None),
])
def test_the_service_whose_errors_are_named_by_status_code(text: str, service: str | None) -> None:
    assert extract_slots(text, datetime(2026, 12, 1)).get("service") == service


@pytest.mark.parametrize(("text", "service"), [("right, back to ledger: who picks up after the primary?", "ledger"),
                                               ("anyway back to the orders outage, any news", "orders")])
def test_going_back_to_a_subject_names_it_as_the_service(text: str, service: str) -> None:
    assert find_service(text) == service


@pytest.mark.parametrize("text", ["we rolled back to the last good tag", "scale the pool back to four",
                                  "p95 is back to normal now", "I'll get back to you on that",
                                  "latency on the ledger is back to baseline, close it"])
def test_back_to_a_version_a_size_a_state_or_a_person_names_no_service(text: str) -> None:
    assert find_service(text) is None


@pytest.mark.parametrize(("text", "service"), [
    ("how much of that was ledger?", "ledger"),
    ("and how much of it is for the billing-sync", "billing-sync"),
    ("how much of the total went to search", "search"),
    ("how much of that is left", None),
    ("how much of that is tax?", None),
    ("how much of that was rds", None),  # what is billed, not whose
])
def test_a_share_of_a_spend_names_whose_share(text: str, service: str | None) -> None:
    assert extract_slots(text, NOW).get("service") == service
