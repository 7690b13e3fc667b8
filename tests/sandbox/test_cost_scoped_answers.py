"""Cost answers narrowed to part of the bill say which part, on the seeded sandbox (every
expectation derived from sandbox/company.py): a forecast for one region, application or
team is that part's run rate and names it; "any anomaly in <service>?" asked of a quiet
service names the service it checked and the anomaly outside it; the anomaly AWS reports
names the monitor that flagged it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sandbox.company import SPIKE, Company, forecast_line_cost, line_cost, planted_anomaly, utc_today
from sandbox.company import days_between as company_days
from tools.aws.cost import CE_SERVICE_NAMES
from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts the sandbox (moto + Cost Explorer)


def _invoke(registry: ToolRegistry, ctx: ToolContext, tool: str, **args: Any) -> ToolResult:
    result = registry.invoke(tool, args, ctx)
    assert result.status != "error", result.summary
    return result


def _month_end() -> Any:
    today = utc_today()
    return (today.replace(day=1) + timedelta(days=32)).replace(day=1)


@pytest.mark.parametrize(("args", "keep", "said"), [
    ({"region": "eu-west-1"}, lambda line: line.region == "eu-west-1", "in eu-west-1"),
    ({"app_service": "search"}, lambda line: line.service == "search", "tagged service=search"),
    ({"team": "storefront"}, lambda line: line.tags["team"] == "Storefront", "tagged team=storefront"),
])
def test_a_forecast_of_one_part_of_the_bill_is_that_parts_run_rate_and_says_whose(
        registry: ToolRegistry, ctx: ToolContext, company: Company, args: dict[str, str], keep: Any,
        said: str) -> None:
    today = utc_today()
    lines = [line for line in company.cost_lines if keep(line)]
    assert lines and len(lines) < len(company.cost_lines)  # a real part, or this proves nothing
    expected = sum(forecast_line_cost(line, day) for line in lines for day in company_days(today, _month_end()))
    result = _invoke(registry, ctx, "aws_cost_forecast", **args)
    assert result.facts["forecast"] == pytest.approx(expected, abs=0.05)
    month_to_date = sum(line_cost(line, day) for line in lines for day in company_days(today.replace(day=1), today))
    assert result.facts["mtd"] == pytest.approx(month_to_date, abs=0.05)
    assert result.summary.startswith(f"AWS spend {said} so far this month")
    assert "not the account's" in result.summary
    assert set(args.items()) <= set(result.facts.items())


def test_no_anomaly_in_a_quiet_service_names_that_service_and_the_one_beside_it(
        registry: ToolRegistry, ctx: ToolContext, company: Company) -> None:
    short, quiet = next((key, name) for line in company.cost_lines if line.aws_service != SPIKE.aws_service
                        for key, name in CE_SERVICE_NAMES.items() if name == line.aws_service)
    planted = planted_anomaly(utc_today(), company.anomaly_monitors)
    assert planted is not None
    result = _invoke(registry, ctx, "aws_cost_anomalies", aws_service=short)
    assert result.status == "no_data" and not result.rows
    assert f"reports no anomaly in {quiet} from " in result.summary
    assert result.summary.endswith(f" Outside {quiet}: {planted.aws_service} in {planted.region} "
                                   f"({planted.impact_percent:+.1f}%).")


def test_the_reported_anomaly_names_the_monitor_that_flagged_it(registry: ToolRegistry, ctx: ToolContext,
                                                                company: Company) -> None:
    (monitor,) = company.anomaly_monitors
    result = _invoke(registry, ctx, "aws_cost_anomalies")
    assert result.facts["monitor"] == monitor.name
    assert result.summary.startswith(f"AWS Cost Anomaly Detection: {SPIKE.aws_service} in {SPIKE.region} ")
    assert result.summary.endswith(f", flagged by monitor {monitor.name}.") or \
        f", flagged by monitor {monitor.name}. Running " in result.summary
