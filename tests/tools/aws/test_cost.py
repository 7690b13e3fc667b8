"""Cost tools against seeded daily spend, and savings against resources made in moto."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tools.aws.cost import (
    BASELINE_DAYS,
    RECENT_DAYS,
    CostAnomaliesArgs,
    CostByServiceArgs,
    CostForecastArgs,
    SavingsArgs,
    cost_anomalies,
    cost_by_service,
    cost_forecast,
    robust_baseline,
    savings,
)
from tools.base import ToolContext

EC2 = "Amazon Elastic Compute Cloud - Compute"
S3 = "Amazon Simple Storage Service"


@pytest.fixture(scope="module")
def spend(cost_data: Any) -> dict[str, Any]:
    """14 days: EC2 10/day then 30/day for the last 3 days; S3 flat 2/day (eu-west-1)."""
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=n) for n in range(14, 0, -1)]
    cost_data.daily = {
        (EC2, "us-east-1"): {d.isoformat(): (30.0 if (today - d).days <= 3 else 10.0) for d in days},
        (S3, "eu-west-1"): {d.isoformat(): 2.0 for d in days},
    }
    cost_data.forecast = 321.5
    return {"today": today, "days": days, "data": cost_data}


def _expected_total(spend: dict[str, Any], start: Any, end: Any, service: str | None = None) -> float:
    return sum(amount for (name, _), daily in spend["data"].daily.items() if service in (None, name)
               for day, amount in daily.items() if start.isoformat() <= day < end.isoformat())


def test_cost_by_service_defaults_to_last_seven_days(ctx: ToolContext, spend: dict[str, Any]) -> None:
    result = cost_by_service(ctx, CostByServiceArgs())
    today = spend["today"]
    start = today - timedelta(days=7)
    assert result.status == "ok", result.summary
    assert result.facts["start"] == start.isoformat() and result.facts["end"] == today.isoformat()
    assert result.facts["total"] == round(_expected_total(spend, start, today), 2)
    ec2 = _expected_total(spend, start, today, EC2)
    assert result.rows[0]["service"] == EC2 and result.rows[0]["cost"] == round(ec2, 2)
    assert result.rows[0]["share"] == round(100 * ec2 / result.facts["total"], 1)
    assert EC2 in result.resources and S3 in result.resources
    assert f"${result.facts['total']:,.2f}" in result.summary


def test_cost_by_service_filters_short_service_name_and_groups_by_region(ctx: ToolContext,
                                                                         spend: dict[str, Any]) -> None:
    only_s3 = cost_by_service(ctx, CostByServiceArgs(aws_service="s3"))
    assert [row["service"] for row in only_s3.rows] == [S3]
    by_region = cost_by_service(ctx, CostByServiceArgs(group_by="region"))
    assert {row["region"] for row in by_region.rows} == {"us-east-1", "eu-west-1"}


def test_cost_for_a_period_without_spend_is_no_data(ctx: ToolContext, spend: dict[str, Any]) -> None:
    result = cost_by_service(ctx, CostByServiceArgs.model_validate({"start": "2020-01-01", "end": "2020-01-08"}))
    assert result.status == "no_data"


def test_anomalies_name_the_jump_and_its_first_day(ctx: ToolContext, spend: dict[str, Any]) -> None:
    result = cost_anomalies(ctx, CostAnomaliesArgs())
    assert result.status == "ok", result.summary
    first_spike = min(d for d in spend["days"] if (spend["today"] - d).days <= 3)
    assert result.facts["top_service"] == EC2
    assert result.facts["spike_day"] == first_spike.isoformat()
    assert result.facts["baseline_daily"] == 10.0 and result.facts["recent_daily"] == 30.0
    assert result.facts["change_pct"] == 200.0
    assert EC2 in result.summary and "+200.0%" in result.summary
    s3_row = next(row for row in result.rows if row["service"] == S3)
    assert s3_row["change"] == 0.0
    # the chart's data: one point per day, the jump at the end (the stand-in groups by service
    # and region, as Cost Explorer does, so the series is named with its region)
    series = dict(result.facts["daily"][f"{EC2} in us-east-1"])
    assert list(result.facts["daily"]) == [f"{EC2} in us-east-1"]
    assert series[first_spike.isoformat()] == 30.0 and min(v for v in series.values() if v) == 10.0
    assert result.facts["source"] == "baseline"  # this stand-in has no anomaly monitors
    assert result.facts["history_days"] == len(spend["days"]) - RECENT_DAYS  # from the first day with spend


def test_robust_baseline_ignores_one_earlier_spike_and_weekends() -> None:
    weeks = [10.0, 10.0, 10.0, 10.0, 10.0, 4.0, 4.0] * 4
    weeks[9] = 100.0  # one earlier spike
    centre, spread = robust_baseline(weeks)
    assert centre == 10.0 and spread == 0.0
    assert sum(weeks) / len(weeks) > 11  # the mean it replaced was pulled up by the one spike


def test_weekly_pattern_and_an_old_spike_are_no_anomaly(ctx: ToolContext, spend: dict[str, Any]) -> None:
    """Weekends at 40% and one 10x day two weeks ago: neither is an anomaly in the last days."""
    today = spend["today"]
    days = [today - timedelta(days=n) for n in range(BASELINE_DAYS, 0, -1)]
    pattern = {d.isoformat(): (4.0 if d.weekday() >= 5 else 10.0) * (10 if (today - d).days == 14 else 1)
               for d in days}
    saved, spend["data"].daily = spend["data"].daily, {(EC2, "us-east-1"): pattern}
    try:
        result = cost_anomalies(ctx, CostAnomaliesArgs())
    finally:
        spend["data"].daily = saved
    assert result.status == "no_data", result.summary


def test_cost_summary_compares_with_the_previous_period(ctx: ToolContext, spend: dict[str, Any]) -> None:
    today = spend["today"]
    result = cost_by_service(ctx, CostByServiceArgs())
    start = today - timedelta(days=7)
    before = _expected_total(spend, start - timedelta(days=7), start, EC2)
    now = _expected_total(spend, start, today, EC2)
    ec2 = next(row for row in result.rows if row["service"] == EC2)
    assert (ec2["previous"], ec2["change"]) == (round(before, 2), round(now - before, 2))
    assert ec2["change_pct"] == round(100 * (now - before) / before, 1)
    assert result.facts["previous_start"] == (start - timedelta(days=7)).isoformat()


def test_flat_spend_is_no_anomaly(ctx: ToolContext, spend: dict[str, Any]) -> None:
    assert cost_anomalies(ctx, CostAnomaliesArgs(aws_service="s3")).status == "no_data"


def test_forecast_adds_month_to_date(ctx: ToolContext, spend: dict[str, Any]) -> None:
    result = cost_forecast(ctx, CostForecastArgs())
    today = spend["today"]
    mtd = _expected_total(spend, today.replace(day=1), today)
    assert result.status == "ok", result.summary
    assert result.facts["forecast"] == 321.5
    assert result.facts["mtd"] == round(mtd, 2)
    assert result.facts["projected_total"] == round(mtd + 321.5, 2)
    forecast_call = [r for r in spend["data"].requests if r["target"] == "GetCostForecast"][-1]
    assert forecast_call["TimePeriod"]["Start"] == today.isoformat()
    assert forecast_call["Metric"] == "UNBLENDED_COST"


def test_a_service_forecast_asks_cost_explorer_for_that_service_only(ctx: ToolContext, spend: dict[str, Any]) -> None:
    """The real boto3 client's requests carry the SERVICE filter to both the forecast and the
    month-to-date (the stand-in here answers one figure whatever the filter: what is checked
    is what was asked, and that the answer says whose forecast it is)."""
    before = len(spend["data"].requests)
    result = cost_forecast(ctx, CostForecastArgs(aws_service="ec2"))
    assert result.status == "ok", result.summary
    sent = spend["data"].requests[before:]
    wanted = {"Dimensions": {"Key": "SERVICE", "Values": [EC2]}}
    assert [r["Filter"] for r in sent if r["target"] == "GetCostForecast"] == [wanted]
    assert [r["Filter"] for r in sent if r["target"] == "GetCostAndUsage"] == [wanted]
    today = spend["today"]
    assert result.facts["mtd"] == round(_expected_total(spend, today.replace(day=1), today, EC2), 2)
    assert result.facts["aws_service"] == EC2
    assert result.summary.startswith(f"{EC2} spend so far this month") and "not the account's" in result.summary


def test_next_month_is_forecast_alone_from_its_first_day(ctx: ToolContext, spend: dict[str, Any]) -> None:
    today = spend["today"]
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    before = len(spend["data"].requests)
    result = cost_forecast(ctx, CostForecastArgs(start=first, end=after))
    sent = spend["data"].requests[before:]
    assert [(r["target"], r["TimePeriod"]) for r in sent] == [
        ("GetCostForecast", {"Start": first.isoformat(), "End": after.isoformat()})]  # no month-to-date
    assert (result.facts["start"], result.facts["projected_total"]) == (first.isoformat(), 321.5)
    assert "mtd" not in result.facts
    assert f"next month ({first.strftime('%B %Y')})" in result.summary


@pytest.fixture(scope="module")
def idle(reset_aws: Any) -> dict[str, Any]:
    reset_aws()
    east = boto3.client("ec2", region_name="us-east-1")
    west = boto3.client("ec2", region_name="eu-west-1")
    loose = west.create_volume(AvailabilityZone="eu-west-1a", Size=100, VolumeType="gp3")["VolumeId"]
    image = east.describe_images()["Images"][0]["ImageId"]
    stopped = east.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 TagSpecifications=[{"ResourceType": "instance",
                                                     "Tags": [{"Key": "Name", "Value": "old-batch"}]}])
    stopped_id = stopped["Instances"][0]["InstanceId"]
    east.stop_instances(InstanceIds=[stopped_id])
    running = east.run_instances(ImageId=image, MinCount=1, MaxCount=1,  # current generation, no CPU metrics
                                 InstanceType="t3.micro")["Instances"][0]["InstanceId"]
    eip = east.allocate_address(Domain="vpc")["AllocationId"]
    attached = east.allocate_address(Domain="vpc")["AllocationId"]
    east.associate_address(AllocationId=attached, InstanceId=running)
    return {"volume": loose, "stopped": stopped_id, "running": running, "eip": eip, "attached_eip": attached}


def test_savings_lists_idle_resources_across_regions(ctx: ToolContext, idle: dict[str, Any]) -> None:
    result = savings(ctx, SavingsArgs())
    assert result.status == "ok", result.summary
    by_id = {row["resource"]: row for row in result.rows}
    assert set(by_id) == {idle["volume"], idle["stopped"], idle["eip"]}
    assert by_id[idle["volume"]]["region"] == "eu-west-1"
    assert by_id[idle["volume"]]["monthly_usd"] == 8.0
    assert by_id[idle["stopped"]]["name"] == "old-batch"  # its Name tag, beside the id
    assert by_id[idle["eip"]]["monthly_usd"] == 3.6
    assert idle["running"] not in result.resources and idle["attached_eip"] not in result.resources
    assert "$0.08/GB-month" in result.summary


def test_savings_in_one_region(ctx: ToolContext, idle: dict[str, Any]) -> None:
    result = savings(ctx, SavingsArgs(region="eu-west-1"))
    assert result.resources == [idle["volume"]]


def test_anomalies_asked_of_a_quiet_region_say_so_and_name_the_spike_elsewhere(ctx: ToolContext,
                                                                             spend: dict[str, Any]) -> None:
    """"did anything jump in europe?": that region's answer (nothing), and a rise next door said
    in a sentence, never shown as if it were the region's."""
    quiet = cost_anomalies(ctx, CostAnomaliesArgs(region="eu-west-1"))
    assert quiet.status == "no_data", quiet.summary
    assert "in eu-west-1" in quiet.summary
    assert f"Outside eu-west-1: {EC2} in us-east-1 (+200.0%)" in quiet.summary
    loud = cost_anomalies(ctx, CostAnomaliesArgs(region="us-east-1"))
    assert loud.status == "ok" and loud.facts["top_service"] == EC2
    assert {row["region"] for row in loud.rows} == {"us-east-1"}
    assert "Outside" not in loud.summary


def test_a_forecast_against_a_budget_says_over_or_under_it(ctx: ToolContext, spend: dict[str, Any]) -> None:
    plain = cost_forecast(ctx, CostForecastArgs())
    projected = plain.facts["projected_total"]
    roomy = cost_forecast(ctx, CostForecastArgs(budget=projected + 100))
    assert roomy.summary.endswith("That is $100.00 USD under the " + f"${projected + 100:,.2f} budget.")
    assert roomy.facts["over_budget"] is False and roomy.facts["budget_left"] == 100.0
    tight = cost_forecast(ctx, CostForecastArgs(budget=projected - 50))
    assert "$50.00 USD over the" in tight.summary and tight.facts["over_budget"] is True
    assert "budget" not in plain.summary and "budget" not in plain.facts
