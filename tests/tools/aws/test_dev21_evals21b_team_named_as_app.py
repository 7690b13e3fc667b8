"""dev21 (evals21b): a name the request gave as an application that tags no spend, where a team
of that name does ("what storefront cost us": Storefront is a team), is read as that team; a
name that tags spend as an application stays one. Run against the sandbox's Cost Explorer
stand-in, with cost lines of this test's own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sandbox.company import CostLine
from sandbox.cost_explorer import CostExplorerStandIn
from tests.tools.aws.cost_standin import cost_explorer
from tools.aws.cost import CostByServiceArgs, cost_by_service

TODAY = date(2026, 2, 20)
# checkout and search carry the team tag Storefront; platform is an application and a team
LINES = (CostLine("Amazon DynamoDB", "us-west-2", "checkout", 20.0),
         CostLine("Amazon DynamoDB", "us-west-2", "search", 10.0),
         CostLine("AWS Lambda", "us-west-2", "platform", 4.0),
         CostLine("AWS Lambda", "us-west-2", "auth", 6.0))


@pytest.fixture
def ce(monkeypatch: pytest.MonkeyPatch) -> CostExplorerStandIn:
    return cost_explorer(monkeypatch, LINES, TODAY)


def _spend(app_service: str) -> tuple[str, float]:
    result = cost_by_service(None, CostByServiceArgs(start=TODAY - timedelta(days=7), end=TODAY,  # type: ignore[arg-type]
                                                     app_service=app_service))
    assert result.status == "ok", result.summary
    return result.summary, float(result.facts["total"])


def test_a_team_named_as_an_application_is_the_team(ce: CostExplorerStandIn) -> None:
    summary, total = _spend("storefront")
    assert "team=storefront" in summary
    assert total == pytest.approx(30.0 * 7, rel=0.05)


def test_an_application_that_tags_spend_stays_the_application(ce: CostExplorerStandIn) -> None:
    summary, total = _spend("platform")
    assert "service=platform" in summary
    assert total == pytest.approx(4.0 * 7, rel=0.05)
