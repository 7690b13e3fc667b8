"""dev17 (evals17c): a forecast asked per service or region forecasts each of them (Cost
Explorer forecasts one total), and a name asked as a team that tags no spend is read as the
application service of that name. Run against the sandbox's Cost Explorer stand-in, with cost
lines of this test's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sandbox.company import CostLine
from sandbox.cost_explorer import CostExplorerStandIn
from tests.tools.aws.cost_standin import cost_explorer
from tools.aws.cost import CostByServiceArgs, CostForecastArgs, cost_by_service, cost_forecast

TODAY = date(2026, 4, 10)
TEAMS = {"ledger": "Finance", "growth-site": "Growth"}


class Line(CostLine):
    @property
    def tags(self) -> dict[str, str]:
        return {"service": self.service, "team": TEAMS[self.service]}


LINES = (Line("Amazon DynamoDB", "ap-south-1", "ledger", 30.0),
         Line("AWS Lambda", "ap-south-1", "ledger", 5.0),
         Line("AWS Lambda", "us-west-2", "growth-site", 10.0))


@pytest.fixture
def ce(monkeypatch: pytest.MonkeyPatch) -> CostExplorerStandIn:
    return cost_explorer(monkeypatch, LINES, TODAY)


def test_a_forecast_per_service_has_a_row_per_service_biggest_first(ce: CostExplorerStandIn) -> None:
    result = cost_forecast(None, CostForecastArgs(start=date(2026, 5, 1), end=date(2026, 6, 1),  # type: ignore[arg-type]
                                                  group_by="service"))
    assert result.status == "ok", result.summary
    assert [row["service"] for row in result.rows] == ["Amazon DynamoDB", "AWS Lambda"]
    assert result.rows[0]["forecast"] == pytest.approx(30.0 * 31)
    assert result.rows[1]["forecast"] == pytest.approx(15.0 * 31)
    assert "By service: Amazon DynamoDB $930.00, AWS Lambda $465.00." in result.summary


def test_a_forecast_per_region_within_a_service_keeps_the_service(ce: CostExplorerStandIn) -> None:
    result = cost_forecast(None, CostForecastArgs(aws_service="lambda", group_by="region"))  # type: ignore[arg-type]
    assert [row["region"] for row in result.rows] == ["us-west-2", "ap-south-1"]
    days = (date(2026, 5, 1) - TODAY).days
    assert result.rows[0]["forecast"] == pytest.approx(10.0 * days)


def test_a_forecast_asked_for_no_grouping_has_no_rows(ce: CostExplorerStandIn) -> None:
    assert cost_forecast(None, CostForecastArgs()).rows == []  # type: ignore[arg-type]


def test_a_name_tagging_no_team_is_read_as_the_application_service(ce: CostExplorerStandIn) -> None:
    start = TODAY - timedelta(days=7)
    result = cost_by_service(None, CostByServiceArgs(start=start, end=TODAY, team="ledger"))  # type: ignore[arg-type]
    assert result.status == "ok", result.summary
    assert result.facts["app_service"] == "ledger"
    assert {row["service"] for row in result.rows} == {"Amazon DynamoDB", "AWS Lambda"}
    ahead = cost_forecast(None, CostForecastArgs(team="ledger"))  # type: ignore[arg-type]
    assert "tagged service=ledger" in ahead.summary


def test_a_team_that_tags_spend_stays_the_team(ce: CostExplorerStandIn) -> None:
    result = cost_by_service(None, CostByServiceArgs(start=TODAY - timedelta(days=7), end=TODAY,  # type: ignore[arg-type]
                                                     team="growth"))
    assert result.facts["app_service"] is None
    assert [row["service"] for row in result.rows] == ["AWS Lambda"]
