"""A weekday said of an occasion ("my friday status update", "the monday standup") is when
the person will speak, not the period asked about: "where do the pipelines stand right now?"
written for Friday's update asks about now."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # a Thursday


@pytest.mark.parametrize("text", [
    "prepping the monday standup - are the checkout builds green?",
    "for my tuesday status report: how much have we spent on rds?",
    "wednesday sync notes: who is on call for search",
])
def test_a_weekday_of_an_occasion_is_no_period(text: str) -> None:
    assert "time_range" not in extract_slots(text, NOW)


def test_the_period_beside_the_occasion_is_read() -> None:
    slots = extract_slots("for the monday standup: any failed deploys since tuesday?", NOW)
    assert slots["time_range"]["label"] == "since tuesday" and slots["time_range"]["start"] == "2026-03-10"


@pytest.mark.parametrize(("text", "day"), [("the tuesday deploy - did it pass", "2026-03-10"),
                                           ("builds on monday", "2026-03-09")])
def test_a_weekday_of_a_run_is_still_its_day(text: str, day: str) -> None:
    assert extract_slots(text, NOW)["time_range"]["start"] == day
