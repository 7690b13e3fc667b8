"""Cost tools: spend by service, anomalies, forecast (Cost Explorer, always us-east-1) and
savings (idle EC2 resources in every region)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.aws.common import GLOBAL_REGION, client, join_names, money, period, regions_for, today
from tools.aws.errors import aws_errors
from tools.aws.regions import scan_regions
from tools.base import ToolContext, ToolResult, ToolSpec

# Short service names (the router's aws_service slot) -> Cost Explorer SERVICE dimension values.
CE_SERVICE_NAMES: dict[str, str] = {
    "ec2": "Amazon Elastic Compute Cloud - Compute",
    "ebs": "EC2 - Other",
    "nat_gateway": "EC2 - Other",
    "s3": "Amazon Simple Storage Service",
    "rds": "Amazon Relational Database Service",
    "lambda": "AWS Lambda",
    "cloudwatch": "AmazonCloudWatch",
    "dynamodb": "Amazon DynamoDB",
    "ecs": "Amazon Elastic Container Service",
    "eks": "Amazon Elastic Container Service for Kubernetes",
    "elb": "Amazon Elastic Load Balancing",
    "cloudfront": "Amazon CloudFront",
    "route53": "Amazon Route 53",
    "sqs": "Amazon Simple Queue Service",
    "sns": "Amazon Simple Notification Service",
    "kinesis": "Amazon Kinesis",
    "redshift": "Amazon Redshift",
    "elasticache": "Amazon ElastiCache",
    "data_transfer": "AWS Data Transfer",
    "guardduty": "Amazon GuardDuty",
    "securityhub": "AWS Security Hub",
    "ecr": "Amazon EC2 Container Registry (ECR)",
}
EBS_PER_GB_MONTH = 0.08  # gp3 list price in us-east-1; gp2 is close (0.10)
EIP_PER_MONTH = 3.60  # idle public IPv4 address, 730 h x $0.005
GROUP_BY_PATTERN = r"^(service|region|tag:.+)$"


def ce_service_name(short: str) -> str:
    return CE_SERVICE_NAMES.get(short.lower(), short)


def _group_by(group_by: str | None) -> dict[str, str]:
    if not group_by or group_by == "service":
        return {"Type": "DIMENSION", "Key": "SERVICE"}
    if group_by == "region":
        return {"Type": "DIMENSION", "Key": "REGION"}
    return {"Type": "TAG", "Key": group_by.split(":", 1)[1]}


def _group_name(key: str, group_by: str | None) -> str:
    if group_by and group_by.startswith("tag:"):
        value = key.split("$", 1)[1] if "$" in key else key
        return value or "(untagged)"
    return key


def daily_costs(ctx: ToolContext, start: date, end: date, group_by: str | None = None,
                aws_service: str | None = None) -> tuple[dict[str, dict[str, float]], str]:
    """{group: {day: UnblendedCost}} and the currency, following NextPageToken."""
    ce = client(ctx, "ce", GLOBAL_REGION)
    request: dict[str, Any] = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [_group_by(group_by)],
    }
    if aws_service:
        request["Filter"] = {"Dimensions": {"Key": "SERVICE", "Values": [ce_service_name(aws_service)]}}
    costs: dict[str, dict[str, float]] = defaultdict(dict)
    currency = "USD"
    for _ in range(100):  # bounded paging
        page = ce.get_cost_and_usage(**request)
        for bucket in page.get("ResultsByTime", []):
            day = bucket["TimePeriod"]["Start"]
            for group in bucket.get("Groups", []):
                metric = group["Metrics"]["UnblendedCost"]
                currency = metric.get("Unit", currency)
                name = _group_name(group["Keys"][0], group_by)
                costs[name][day] = costs[name].get(day, 0.0) + float(metric["Amount"])
        token = page.get("NextPageToken")
        if not token:
            break
        request["NextPageToken"] = token
    return dict(costs), currency


# --------------------------------------------------------------------------- cost summary


class CostByServiceArgs(BaseModel):
    start: date | None = Field(default=None, description="First day (YYYY-MM-DD); default 7 days ago.")
    end: date | None = Field(default=None, description="Day after the last day (exclusive); default today.")
    group_by: str | None = Field(default=None, pattern=GROUP_BY_PATTERN, description="service, region or tag:<key>")
    aws_service: str | None = Field(default=None, description="Only this AWS service, e.g. ec2, s3, rds.")
    limit: int = Field(default=10, ge=1, le=100)


@aws_errors("ce")
def cost_by_service(ctx: ToolContext, args: CostByServiceArgs) -> ToolResult:
    start, end = period(args.start, args.end, 7)
    costs, currency = daily_costs(ctx, start, end, args.group_by, args.aws_service)
    totals = {name: sum(days.values()) for name, days in costs.items()}
    totals = {name: amount for name, amount in totals.items() if round(amount, 2) != 0}
    total = sum(totals.values())
    window = f"{start.isoformat()} to {end.isoformat()} (end exclusive)"
    if not totals:
        return ToolResult.no_data(f"Cost Explorer reports no AWS spend from {window}.")
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    label = (args.group_by or "service").split(":")[0]
    rows = [{label: name, "cost": money(amount), "share": round(100 * amount / total, 1) if total else 0.0}
            for name, amount in ranked[: args.limit]]
    top = ", ".join(f"{row[label]} ${row['cost']:,.2f} ({row['share']}%)" for row in rows[:3])
    scope = f" for {ce_service_name(args.aws_service)}" if args.aws_service else ""
    summary = f"AWS spend{scope} from {window} was ${total:,.2f} {currency}; top: {top}."
    return ToolResult(
        status="ok", summary=summary, columns=[label, "cost", "share"], rows=rows,
        facts={"total": money(total), "start": start.isoformat(), "end": end.isoformat(), "currency": currency,
               "groups": len(totals)},
        resources=[name for name, _ in ranked],
    )


# --------------------------------------------------------------------------- anomalies


class CostAnomaliesArgs(BaseModel):
    start: date | None = Field(default=None, description="First day; default 14 days ago.")
    end: date | None = Field(default=None, description="Day after the last day (exclusive); default today.")
    aws_service: str | None = None
    limit: int = Field(default=10, ge=1, le=100)


RECENT_DAYS = 3
CHART_SERIES = 3
CHANGE_THRESHOLD = 0.20


def _spike_day(days: list[str], series: list[float], baseline: float) -> str | None:
    """First day of the run of high days that ends the window."""
    first: str | None = None
    for day, amount in reversed(list(zip(days, series, strict=True))):
        if amount > baseline * (1 + CHANGE_THRESHOLD) + 0.005:
            first = day
        else:
            break
    return first


def _service_change(days: list[str], daily: dict[str, float]) -> dict[str, Any]:
    series = [daily.get(day, 0.0) for day in days]
    before, recent = series[:-RECENT_DAYS], series[-RECENT_DAYS:]
    baseline = sum(before) / len(before) if before else 0.0
    recent_avg = sum(recent) / len(recent)
    change = recent_avg - baseline
    pct = round(100 * change / baseline, 1) if baseline else None
    return {"baseline": money(baseline), "recent": money(recent_avg), "change": money(change),
            "change_pct": pct, "spike_day": _spike_day(days, series, baseline) if change > 0 else None}


@aws_errors("ce")
def cost_anomalies(ctx: ToolContext, args: CostAnomaliesArgs) -> ToolResult:
    start, end = period(args.start, args.end, 14)
    # Today and later are incomplete in Cost Explorer (about a day behind): comparing a
    # partial day with full ones would report a drop in every service.
    end = min(end, today())
    if (end - start).days <= RECENT_DAYS:
        start = end - timedelta(days=RECENT_DAYS + 4)
    costs, currency = daily_costs(ctx, start, end, None, args.aws_service)
    days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days)]
    rows = [{"service": name, **_service_change(days, daily)} for name, daily in costs.items()]
    rows.sort(key=lambda row: abs(row["change"]), reverse=True)
    changed = [row for row in rows if abs(row["change"]) >= 0.01
               and (row["change_pct"] is None or abs(row["change_pct"]) > 100 * CHANGE_THRESHOLD)]
    window = f"{start.isoformat()} to {end.isoformat()}"
    if not changed:
        return ToolResult.no_data(f"No AWS service's daily cost changed by more than 20% between {window}.")
    increases = [row for row in changed if row["change"] > 0]
    top = increases[0] if increases else changed[0]
    pct = "new spend" if top["change_pct"] is None else f"{top['change_pct']:+.1f}%"
    since = f", starting {top['spike_day']}" if top.get("spike_day") else ""
    summary = (f"{top['service']} changed most: ${top['baseline']:,.2f}/day -> ${top['recent']:,.2f}/day over the "
               f"last {RECENT_DAYS} days ({pct}{since}); {len(changed)} service(s) moved more than 20% ({window}).")
    return ToolResult(
        status="ok", summary=summary,
        columns=["service", "baseline", "recent", "change", "change_pct", "spike_day"], rows=rows[: args.limit],
        facts={"top_service": top["service"], "change_pct": top["change_pct"], "spike_day": top.get("spike_day"),
               "baseline_daily": top["baseline"], "recent_daily": top["recent"], "currency": currency,
               "start": start.isoformat(), "end": end.isoformat(),
               # the daily series of the services that rose most, for a chart
               "daily": {row["service"]: [[day, money(costs[row["service"]].get(day, 0.0))] for day in days]
                         for row in increases[:CHART_SERIES]}},
        resources=[row["service"] for row in rows[: args.limit]],
    )


# --------------------------------------------------------------------------- forecast


class CostForecastArgs(BaseModel):
    end: date | None = Field(default=None, description="Forecast up to this day (exclusive); default month end.")


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _month_to_date(ctx: ToolContext, first: date, stop: date) -> float:
    if stop <= first:
        return 0.0
    ce = client(ctx, "ce", GLOBAL_REGION)
    page = ce.get_cost_and_usage(TimePeriod={"Start": first.isoformat(), "End": stop.isoformat()},
                                 Granularity="MONTHLY", Metrics=["UnblendedCost"])
    return sum(float(b["Total"]["UnblendedCost"]["Amount"]) for b in page.get("ResultsByTime", [])
               if "UnblendedCost" in b.get("Total", {}))


@aws_errors("ce")
def cost_forecast(ctx: ToolContext, args: CostForecastArgs) -> ToolResult:
    now = today()
    end = args.end or _next_month(now)
    if end <= now:
        return ToolResult.error(f"A forecast needs an end after today ({now.isoformat()}); got {end.isoformat()}.")
    ce = client(ctx, "ce", GLOBAL_REGION)
    answer = ce.get_cost_forecast(TimePeriod={"Start": now.isoformat(), "End": end.isoformat()},
                                  Metric="UNBLENDED_COST", Granularity="MONTHLY")
    forecast = float(answer["Total"]["Amount"])
    currency = answer["Total"].get("Unit", "USD")
    first = now.replace(day=1)
    mtd = _month_to_date(ctx, first, now)
    projected = mtd + forecast
    summary = (f"AWS spend so far this month is ${mtd:,.2f} {currency}; forecast ${forecast:,.2f} more from "
               f"{now.isoformat()} to {end.isoformat()}, about ${projected:,.2f} in total.")
    return ToolResult(
        status="ok", summary=summary,
        facts={"forecast": money(forecast), "mtd": money(mtd), "projected_total": money(projected),
               "currency": currency, "start": now.isoformat(), "end": end.isoformat(),
               "month_start": first.isoformat()},
    )


# --------------------------------------------------------------------------- savings


class SavingsArgs(BaseModel):
    region: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


def _volume_sizes(ec2: Any, volume_ids: list[str]) -> dict[str, int]:
    if not volume_ids:
        return {}
    found = ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]
    return {vol["VolumeId"]: int(vol["Size"]) for vol in found}


def _region_savings(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    rows: list[dict[str, Any]] = []
    paginator = ec2.get_paginator("describe_volumes")
    for page in paginator.paginate(Filters=[{"Name": "status", "Values": ["available"]}]):
        for vol in page["Volumes"]:
            rows.append({"resource": vol["VolumeId"], "kind": "unattached volume", "region": region,
                         "detail": f"{vol['Size']} GiB {vol.get('VolumeType', '')}".strip(),
                         "monthly_usd": money(vol["Size"] * EBS_PER_GB_MONTH)})
    stopped = [inst for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["stopped"]}])
        for res in page["Reservations"] for inst in res["Instances"]]
    for inst in stopped:
        vol_ids = [m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if "Ebs" in m]
        size = sum(_volume_sizes(ec2, vol_ids).values())
        name = next((t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"), "")
        rows.append({"resource": inst["InstanceId"], "kind": "stopped instance", "region": region,
                     "detail": f"{name + ', ' if name else ''}{inst['InstanceType']}, {size} GiB attached",
                     "monthly_usd": money(size * EBS_PER_GB_MONTH)})
    for addr in ec2.describe_addresses()["Addresses"]:
        if not addr.get("AssociationId") and not addr.get("InstanceId"):
            rows.append({"resource": addr.get("AllocationId") or addr["PublicIp"], "kind": "unassociated Elastic IP",
                         "region": region, "detail": addr["PublicIp"], "monthly_usd": EIP_PER_MONTH})
    return rows


@aws_errors("ec2")
def savings(ctx: ToolContext, args: SavingsArgs) -> ToolResult:
    scan = scan_regions(ctx, regions_for(ctx, args.region), lambda region: _region_savings(ctx, region),
                        services=("ec2",))
    regions = scan.answered
    rows = [row for region_rows in scan.values() for row in region_rows]
    if not rows:
        return scan.mark(ToolResult.no_data(f"No unattached volumes, stopped instances or idle Elastic IPs in "
                                            f"{', '.join(regions)}."))
    rows.sort(key=lambda row: row["monthly_usd"], reverse=True)
    total = sum(row["monthly_usd"] for row in rows)
    counts = {kind: sum(1 for row in rows if row["kind"] == kind)
              for kind in ("unattached volume", "stopped instance", "unassociated Elastic IP")}
    found = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items() if n)
    summary = (f"Found {found} in {', '.join(regions)}, about ${total:,.2f}/month "
               f"(assuming ${EBS_PER_GB_MONTH}/GB-month gp3/gp2 EBS and ${EIP_PER_MONTH:.2f}/month per idle IP): "
               f"{join_names([row['resource'] for row in rows])}.")
    return scan.mark(ToolResult(
        status="ok", summary=summary, columns=["resource", "kind", "region", "detail", "monthly_usd"],
        rows=rows[: args.limit],
        facts={"monthly_savings_usd": money(total), "unattached_volumes": counts["unattached volume"],
               "stopped_instances": counts["stopped instance"], "idle_elastic_ips": counts["unassociated Elastic IP"],
               "ebs_price_per_gb_month": EBS_PER_GB_MONTH, "eip_price_per_month": EIP_PER_MONTH},
        resources=[row["resource"] for row in rows],
    ))


COST_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_cost_by_service", "AWS spend for a period from Cost Explorer, by service, region or tag.",
             CostByServiceArgs, "read", ("cost.summary",), "aws", cost_by_service),
    ToolSpec("aws_cost_anomalies", "Which AWS service's daily cost jumped recently, by how much and since when.",
             CostAnomaliesArgs, "read", ("cost.anomalies",), "aws", cost_anomalies),
    ToolSpec("aws_cost_forecast", "Month-to-date AWS spend and Cost Explorer's forecast to month end.",
             CostForecastArgs, "read", ("cost.forecast",), "aws", cost_forecast),
    ToolSpec("aws_savings", "Idle AWS resources costing money: unattached volumes, stopped instances, idle IPs.",
             SavingsArgs, "read", ("cost.savings",), "aws", savings),
]
