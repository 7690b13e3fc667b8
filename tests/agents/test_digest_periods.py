"""Which period a digest is due for, and the keys that make a run happen once: every
replica and every restart must name the same period at the same moment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from agents.digest import latest_due, period_for

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(("today", "hour", "expected"), [
    (date(2026, 12, 2), 9, "2026-12-01"),  # after the post hour: yesterday
    (date(2026, 12, 2), 7, "2026-11-30"),  # before it: the day before yesterday, still
    (date(2027, 1, 1), 8, "2026-12-31"),   # across a year
])
def test_the_daily_digest_is_due_for_yesterday_once_the_post_hour_passed(today: date, hour: int,
                                                                         expected: str) -> None:
    period = latest_due("daily", today, hour, 8)
    assert period.key == expected
    assert (period.start, period.end) == (date.fromisoformat(expected), date.fromisoformat(expected) + timedelta(1))
    assert period_for("daily", period.key) == period
    assert period.previous.end == period.start


@pytest.mark.parametrize(("today", "hour", "week_start"), [
    (MONDAY, 9, MONDAY - timedelta(days=7)),       # Monday after the hour: last week
    (MONDAY, 7, MONDAY - timedelta(days=14)),      # Monday before it: the week before
    (MONDAY + timedelta(days=6), 0, MONDAY - timedelta(days=7)),  # Sunday: last week's still
])
def test_the_weekly_digest_is_due_for_last_iso_week_on_monday(today: date, hour: int, week_start: date) -> None:
    period = latest_due("weekly", today, hour, 8)
    assert period.start == week_start and period.end == week_start + timedelta(days=7)
    year, week, _ = week_start.isocalendar()
    assert period.key == f"{year}-W{week:02d}"
    assert period_for("weekly", period.key) == period
    assert period.previous.start == week_start - timedelta(days=7)


def test_an_iso_week_across_new_year_round_trips() -> None:
    period = period_for("weekly", "2026-W53")
    assert period.start == date(2026, 12, 28) and period.key == "2026-W53"
    assert period_for("weekly", "2027-W01").start == date(2027, 1, 4)
