"""The Cost Explorer stand-in through the real boto3 ``ce`` client on the sandbox's one
endpoint; expected amounts come from sandbox/company.py."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.company import (
    CE_RDS,
    SPIKE,
    SPIKE_USAGE_TYPE,
    Company,
    forecast_line_cost,
    planted_anomaly,
    spike_start,
    total_cost,
    usual_line_cost,
    utc_today,
)
from sandbox.company import days_between as company_days
from sandbox.server import Sandbox

pytestmark = pytest.mark.slow  # starts the sandbox (moto + Cost Explorer)


@pytest.fixture(scope="module")
def ce(sandbox: Sandbox) -> Any:
    return sandbox.boto_session().client("ce", region_name="us-east-1")


def _amount(metric: dict[str, str]) -> float:
    return float(metric["Amount"])


def test_daily_cost_by_service_equals_the_company_data(ce: Any, company: Company) -> None:
    today = utc_today()
    start = today - timedelta(days=5)
    answer = ce.get_cost_and_usage(TimePeriod={"Start": start.isoformat(), "End": today.isoformat()},
                                   Granularity="DAILY", Metrics=["UnblendedCost"],
                                   GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])
    assert [r["TimePeriod"]["Start"] for r in answer["ResultsByTime"]] == [d.isoformat() for d in
                                                                           company_days(start, today)]
    for bucket in answer["ResultsByTime"]:
        day = bucket["TimePeriod"]["Start"]
        for group in bucket["Groups"]:
            first = start.fromisoformat(day)
            expected = total_cost(first, first + timedelta(days=1), aws_service=group["Keys"][0])
            assert _amount(group["Metrics"]["UnblendedCost"]) == pytest.approx(expected, abs=0.01)
    assert answer["GroupDefinitions"] == [{"Type": "DIMENSION", "Key": "SERVICE"}]


def test_monthly_total_filters_and_tag_groups(ce: Any) -> None:
    today = utc_today()
    start = today - timedelta(days=40)
    period = {"Start": start.isoformat(), "End": today.isoformat()}
    monthly = ce.get_cost_and_usage(TimePeriod=period, Granularity="MONTHLY", Metrics=["UnblendedCost"])
    assert len(monthly["ResultsByTime"]) >= 2  # 40 days always span a month boundary
    total = sum(_amount(r["Total"]["UnblendedCost"]) for r in monthly["ResultsByTime"])
    assert total == pytest.approx(total_cost(start, today), abs=0.05)
    rds = ce.get_cost_and_usage(TimePeriod=period, Granularity="MONTHLY", Metrics=["UnblendedCost"],
                                Filter={"Dimensions": {"Key": "SERVICE", "Values": [CE_RDS]}})
    assert sum(_amount(r["Total"]["UnblendedCost"]) for r in rds["ResultsByTime"]) == pytest.approx(
        total_cost(start, today, aws_service=CE_RDS), abs=0.05)
    by_tag = ce.get_cost_and_usage(TimePeriod=period, Granularity="MONTHLY", Metrics=["UnblendedCost"],
                                   GroupBy=[{"Type": "TAG", "Key": "service"}],
                                   Filter={"Dimensions": {"Key": "REGION", "Values": [SPIKE.region]}})
    payments = sum(_amount(g["Metrics"]["UnblendedCost"]) for r in by_tag["ResultsByTime"] for g in r["Groups"]
                   if g["Keys"] == ["service$payments"])
    assert payments == pytest.approx(total_cost(start, today, region=SPIKE.region, service="payments"), abs=0.05)


def test_forecast_and_dimension_values(ce: Any, company: Company) -> None:
    today = utc_today()
    end = today + timedelta(days=10)
    answer = ce.get_cost_forecast(TimePeriod={"Start": today.isoformat(), "End": end.isoformat()},
                                  Metric="UNBLENDED_COST", Granularity="DAILY", PredictionIntervalLevel=80)
    expected = sum(forecast_line_cost(line, day) for line in company.cost_lines for day in company_days(today, end))
    assert _amount(answer["Total"]) == pytest.approx(expected, abs=0.05)
    assert len(answer["ForecastResultsByTime"]) == 10
    values = ce.get_dimension_values(TimePeriod={"Start": (today - timedelta(days=7)).isoformat(),
                                                 "End": today.isoformat()}, Dimension="SERVICE")
    assert {v["Value"] for v in values["DimensionValues"]} == {line.aws_service for line in company.cost_lines}


def test_invalid_requests_get_cost_explorer_errors(ce: Any, sandbox: Sandbox) -> None:
    today = utc_today()
    with pytest.raises(ClientError) as past:
        ce.get_cost_forecast(TimePeriod={"Start": (today - timedelta(days=3)).isoformat(),
                                         "End": today.isoformat()}, Metric="UNBLENDED_COST", Granularity="DAILY")
    assert past.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as backwards:
        ce.get_cost_and_usage(TimePeriod={"Start": today.isoformat(), "End": (today - timedelta(days=1)).isoformat()},
                              Granularity="DAILY", Metrics=["UnblendedCost"])
    assert "before end" in backwards.value.response["Error"]["Message"]
    request = urllib.request.Request(sandbox.endpoint, data=b"{not json", method="POST", headers={
        "X-Amz-Target": "AWSInsightsIndexService.GetCostAndUsage", "Content-Type": "application/x-amz-json-1.1"})
    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(request, timeout=5)
    assert raw.value.code == 400
    assert json.loads(raw.value.read())["__type"] == "SerializationException"


def test_other_requests_still_reach_moto(sandbox: Sandbox) -> None:
    identity = sandbox.boto_session().client("sts").get_caller_identity()
    assert identity["Account"].isdigit()


def test_anomaly_monitors_and_the_planted_anomaly_in_the_documented_shapes(ce: Any, company: Company) -> None:
    """GetAnomalyMonitors / GetAnomalies as botocore's model defines them; the one anomaly is
    the planted spike, its impact the spiked minus the usual spend of the spiking lines."""
    monitors = ce.get_anomaly_monitors()["AnomalyMonitors"]
    assert [(m["MonitorArn"], m["MonitorName"], m["MonitorType"], m["MonitorDimension"]) for m in monitors] == [
        (m.arn, m.name, "DIMENSIONAL", m.dimension) for m in company.anomaly_monitors]
    today = utc_today()
    planted = planted_anomaly(today, company.anomaly_monitors)
    assert planted is not None and planted.start == spike_start(today)
    spiking = [line for line in company.cost_lines if (line.aws_service, line.region) == (SPIKE.aws_service,
                                                                                          SPIKE.region)]
    usual = sum(usual_line_cost(line, day) for line in spiking
                for day in company_days(planted.start, today))
    assert planted.actual == pytest.approx(total_cost(planted.start, today, aws_service=SPIKE.aws_service,
                                                      region=SPIKE.region), abs=0.01)
    assert planted.expected == pytest.approx(usual, abs=0.01)
    assert planted.actual == pytest.approx(SPIKE.factor * usual, abs=0.02 * len(spiking) * SPIKE.days)
    window = {"StartDate": (today - timedelta(days=28)).isoformat(), "EndDate": (today - timedelta(days=1)).isoformat()}
    [anomaly] = ce.get_anomalies(DateInterval=window)["Anomalies"]
    assert anomaly["AnomalyStartDate"] == planted.start.isoformat()
    assert anomaly["AnomalyEndDate"] == (today - timedelta(days=1)).isoformat()
    assert anomaly["MonitorArn"] == company.anomaly_monitors[0].arn
    [cause] = anomaly["RootCauses"]
    assert (cause["Service"], cause["Region"], cause["UsageType"]) == (SPIKE.aws_service, SPIKE.region,
                                                                       SPIKE_USAGE_TYPE)
    assert anomaly["Impact"]["TotalImpact"] == pytest.approx(planted.actual - planted.expected, abs=0.01)
    assert anomaly["Impact"]["TotalExpectedSpend"] == pytest.approx(usual, abs=0.01)
    before = {"StartDate": (today - timedelta(days=28)).isoformat(),
              "EndDate": (planted.start - timedelta(days=1)).isoformat()}
    assert ce.get_anomalies(DateInterval=before)["Anomalies"] == []
    above = {"NumericOperator": "GREATER_THAN", "StartValue": planted.impact + 1}
    assert ce.get_anomalies(DateInterval=window, TotalImpact=above)["Anomalies"] == []
