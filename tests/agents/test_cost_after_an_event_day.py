"""A cost-anomaly question dated by the day another event happened ("did the release on
friday push the bill up") asks about the spend from that day to today, not that day alone:
the effect of a deploy, a migration or an outage shows in the days after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.route import Route
from agents.slots.time import time_range
from agents.specialists import SPECIALIST_BY_NAME, day_of_an_event, specialist_for
from tools.aws import AWS_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry(AWS_TOOLS)
NOW = datetime.now(UTC)


def _anomaly_args(text: str) -> dict[str, object]:
    period = time_range(text.lower(), NOW)
    asked = Route(text=text, agent=specialist_for("cost.anomalies").name, skill="cost.anomalies", confidence=0.9,
                  slots={"time_range": period} if period else {})
    plan = SPECIALIST_BY_NAME["cost"].plan(asked, REGISTRY)
    (call,) = [call for call in plan.reads if call.spec.name == "aws_cost_anomalies"]
    return dict(call.args)


@pytest.mark.parametrize("text", [
    "did our release on friday make the aws bill jump?",
    "after the cutover last wednesday is anything costing more than it should",
    "the rds upgrade we did on monday, has spend gone weird since?",
])
def test_the_day_of_an_event_runs_on_to_today(text: str) -> None:
    args = _anomaly_args(text)
    period = time_range(text.lower(), NOW)
    assert period is not None and day_of_an_event(text, period)
    assert str(args["start"]) == period["start"]
    assert str(args["end"]) == (NOW.date() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("text", [
    "which charges spiked on thursday",  # the day itself is what is asked
    "unusual spend last saturday?",
])
def test_a_day_asked_for_itself_stays_that_day(text: str) -> None:
    period = time_range(text.lower(), NOW)
    assert period is not None and not day_of_an_event(text, period)
    args = _anomaly_args(text)
    assert str(args["end"]) == period["end"]
