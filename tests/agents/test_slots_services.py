"""Service names right before 'logs' / 'errors', and verbs that are never services."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

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
