"""dev20 (evals20b): spend or a forecast narrowed to a place ("apac", "europe") says which of its
regions carried the spend, so the answer names the regions it covered; a region as such is said
as it is. Run against the sandbox's Cost Explorer stand-in, with cost lines of this test's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sandbox.company import CostLine
from sandbox.cost_explorer import CostExplorerStandIn
from tests.tools.aws.cost_standin import cost_explorer
from tools.aws.cost import CostByServiceArgs, CostForecastArgs, cost_by_service, cost_forecast

TODAY = date(2026, 4, 10)
LINES = (CostLine("Amazon DynamoDB", "ap-south-1", "ledger", 30.0),
         CostLine("Amazon DynamoDB", "ap-northeast-1", "ledger", 12.0),
         CostLine("AWS Lambda", "us-west-2", "growth", 10.0))


@pytest.fixture
def ce(monkeypatch: pytest.MonkeyPatch) -> CostExplorerStandIn:
    return cost_explorer(monkeypatch, LINES, TODAY)


def test_spend_in_a_place_names_the_regions_that_carried_it(ce: CostExplorerStandIn) -> None:
    result = cost_by_service(None, CostByServiceArgs(start=TODAY - timedelta(days=7), end=TODAY,  # type: ignore[arg-type]
                                                     region="apac"))
    assert result.status == "ok", result.summary
    assert "in apac (ap-northeast-1, ap-south-1)" in result.summary
    assert result.facts["total"] == pytest.approx(42.0 * 7, rel=0.05)


def test_spend_in_one_region_is_said_as_that_region(ce: CostExplorerStandIn) -> None:
    result = cost_by_service(None, CostByServiceArgs(start=TODAY - timedelta(days=7), end=TODAY,  # type: ignore[arg-type]
                                                     region="us-west-2"))
    assert " in us-west-2 from " in result.summary


def test_a_forecast_for_a_place_names_its_regions(ce: CostExplorerStandIn) -> None:
    result = cost_forecast(None, CostForecastArgs(start=date(2026, 5, 1), end=date(2026, 6, 1),  # type: ignore[arg-type]
                                                  region="asia"))
    assert result.status == "ok", result.summary
    assert "spend in asia (ap-northeast-1, ap-south-1) forecast" in result.summary
    assert result.facts["region"] == "asia"
