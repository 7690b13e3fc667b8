"""dev16 (evals16c): a spend asked of a period that has not started yet is answered with the
forecast (the bill has nothing for it), whatever the turn was routed to; spend of a period
that has begun or ended stays a spend summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from agents.followup import spend_ahead
from agents.route import Route


def _period(start_days: int, end_days: int) -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {"start": (today + timedelta(days=start_days)).isoformat(),
            "end": (today + timedelta(days=end_days)).isoformat(), "label": "x"}


def route(skill: str, period: dict[str, str] | None) -> Route:
    slots = {"aws_service": "s3", **({"time_range": period} if period else {})}
    return Route(text="s3 bill?", agent="cost", skill=skill, confidence=0.95, slots=slots)


def test_a_spend_summary_of_a_period_still_to_come_is_a_forecast() -> None:
    ahead = spend_ahead(route("cost.summary", _period(20, 50)))
    assert ahead.skill == "cost.forecast" and ahead.agent == "cost"
    assert ahead.slots["aws_service"] == "s3"


def test_a_period_under_way_or_over_stays_a_spend_summary() -> None:
    assert spend_ahead(route("cost.summary", _period(-3, 10))).skill == "cost.summary"
    assert spend_ahead(route("cost.summary", _period(-40, -10))).skill == "cost.summary"
    assert spend_ahead(route("cost.summary", None)).skill == "cost.summary"


def test_other_skills_are_left_alone() -> None:
    assert spend_ahead(route("cost.anomalies", _period(20, 50))).skill == "cost.anomalies"
