"""An incident named by its number where it is being summed up ("a rundown of 2231"), never
a year in a spend question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "number"), [("can I get a quick rundown of 2231", "2231"),
                                              ("recap on #517 for the standup", "517"),
                                              ("the short version of 88001 please", "88001")])
def test_a_number_being_summed_up_is_an_incident_number(text: str, number: str) -> None:
    assert extract_slots(text, NOW).get("incident_id") == number


@pytest.mark.parametrize("text", ["the spend summary for 2025", "an overview of 2024 costs"])
def test_a_year_being_summed_up_is_no_incident(text: str) -> None:
    assert "incident_id" not in extract_slots(text, NOW)
