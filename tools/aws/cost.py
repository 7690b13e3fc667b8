"""Cost tools: spend by service with period-over-period change, anomalies (Cost Anomaly
Detection, else a robust baseline), forecast (Cost Explorer, always us-east-1) and savings
(``tools/aws/savings.py``, in every region)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field

from tools.aws.common import GLOBAL_REGION, client, known_regions, money, period, tag_map, today
from tools.aws.errors import aws_errors
from tools.aws.inventory import instances
from tools.aws.savings import SavingsArgs, savings
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.places import regions_in

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
GROUP_BY_PATTERN = r"^(service|region|tag:.+)$"
CHART_SERIES = 3  # a chart shows the few biggest (or fastest-rising) groups


def ce_service_name(short: str) -> str:
    return CE_SERVICE_NAMES.get(short.lower(), short)


def _group_by(group_by: str | None) -> list[dict[str, str]]:
    if not group_by or group_by == "service":
        return [{"Type": "DIMENSION", "Key": "SERVICE"}]
    if group_by == "region":
        return [{"Type": "DIMENSION", "Key": "REGION"}]
    if group_by == "service_region":  # internal: anomalies name the region of each service's spend
        return [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "REGION"}]
    return [{"Type": "TAG", "Key": group_by.split(":", 1)[1]}]


def _group_name(keys: list[str], group_by: str | None) -> str:
    key = keys[0]
    if group_by and group_by.startswith("tag:"):
        value = key.split("$", 1)[1] if "$" in key else key
        return value or "(untagged)"
    if group_by == "service_region" and len(keys) > 1 and keys[1]:
        return f"{key}|{keys[1]}"
    return key


# The cost-allocation tag naming the application a resource belongs to ("payments").
SERVICE_TAG = "service"


# The cost-allocation tag naming the team that owns a resource ("Storefront").
TEAM_TAG = "team"


def spellings(value: str) -> list[str]:
    """The casings a tag value is commonly written in ("storefront", "Storefront",
    "STOREFRONT"): people say a team's name in lower case, tags often carry it capitalised,
    and Cost Explorer compares tag values exactly."""
    return list(dict.fromkeys([value, value.lower(), value.title(), value.upper()]))


def region_values(region: str) -> list[str]:
    """The REGION values a filter names: the region, or every AWS region in a place ("spend
    in europe": eu-west-1, eu-central-1, ...); a place with none is kept as said (no spend)."""
    inside = regions_in(region, sorted(known_regions()))
    return inside or [region]


def _filter(aws_service: str | None, region: str | None, app_service: str | None = None,
            team: str | None = None) -> dict[str, Any] | None:
    parts = ([{"Dimensions": {"Key": "SERVICE", "Values": [ce_service_name(aws_service)]}}] if aws_service else [])
    parts += [{"Dimensions": {"Key": "REGION", "Values": region_values(region)}}] if region else []
    parts += [{"Tags": {"Key": SERVICE_TAG, "Values": [app_service]}}] if app_service else []
    parts += [{"Tags": {"Key": TEAM_TAG, "Values": spellings(team)}}] if team else []
    if len(parts) > 1:
        return {"And": parts}
    return parts[0] if parts else None


TEAM_LOOKBACK_DAYS = 30


def team_or_service(ctx: ToolContext, team: str | None, app_service: str | None) -> tuple[str | None, str | None]:
    """(team, application service) to filter by: a name given as a team that tags no spend of
    late ("search's spend", where search is an application, not a team) is the application
    service of that name, and a name given as an application that tags none where a team of
    that name does ("what storefront cost us", where Storefront is a team) is that team;
    anything else is kept as given."""
    if team and not app_service:
        return (team, None) if _tagged_spend(ctx, _filter(None, None, None, team)) else (None, team)
    if app_service and not team and not _tagged_spend(ctx, _filter(None, None, app_service)) \
            and _tagged_spend(ctx, _filter(None, None, None, app_service)):
        return app_service, None
    return team, app_service


def _tagged_spend(ctx: ToolContext, expression: dict[str, Any] | None) -> float:
    """The spend the filter matches over the last ``TEAM_LOOKBACK_DAYS``: whether a tag value is in use."""
    now = today()
    page = client(ctx, "ce", GLOBAL_REGION).get_cost_and_usage(
        TimePeriod={"Start": (now - timedelta(days=TEAM_LOOKBACK_DAYS)).isoformat(), "End": now.isoformat()},
        Granularity="MONTHLY", Metrics=["UnblendedCost"], Filter=expression)
    return sum(float(b["Total"]["UnblendedCost"]["Amount"]) for b in page.get("ResultsByTime", [])
               if "UnblendedCost" in b.get("Total", {}))


def daily_costs(ctx: ToolContext, start: date, end: date, group_by: str | None = None,
                aws_service: str | None = None, region: str | None = None,
                app_service: str | None = None, team: str | None = None) -> tuple[dict[str, dict[str, float]], str]:
    """{group: {day: UnblendedCost}} and the currency, following NextPageToken."""
    ce = client(ctx, "ce", GLOBAL_REGION)
    request: dict[str, Any] = {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": _group_by(group_by),
    }
    expression = _filter(aws_service, region, app_service, team)
    if expression:
        request["Filter"] = expression
    costs: dict[str, dict[str, float]] = defaultdict(dict)
    currency = "USD"
    for _ in range(100):  # bounded paging
        page = ce.get_cost_and_usage(**request)
        for bucket in page.get("ResultsByTime", []):
            day = bucket["TimePeriod"]["Start"]
            for group in bucket.get("Groups", []):
                metric = group["Metrics"]["UnblendedCost"]
                currency = metric.get("Unit", currency)
                name = _group_name(group["Keys"], group_by)
                costs[name][day] = costs[name].get(day, 0.0) + float(metric["Amount"])
        token = page.get("NextPageToken")
        if not token:
            break
        request["NextPageToken"] = token
    return dict(costs), currency


def place_said(ctx: ToolContext, region: str | None, start: date, end: date, aws_service: str | None = None,
               app_service: str | None = None, team: str | None = None) -> str | None:
    """A region filter in words: a place ("eu", "europe") with the regions in it that carried the
    spend over [start, end) ("eu (eu-west-1)"), so the answer says which regions it covered; a
    region, or a place where nothing was spent, as given."""
    if not region or regions_in(region, []) is None:
        return region
    costs, _currency = daily_costs(ctx, start, end, "region", aws_service, region, app_service, team)
    spent = sorted(name for name, days in costs.items() if round(sum(days.values()), 2))
    return f"{region} ({', '.join(spent)})" if spent else region


# --------------------------------------------------------------------------- cost summary


class CostByServiceArgs(BaseModel):
    start: date | None = Field(default=None, description="First day (YYYY-MM-DD); default 7 days ago.")
    end: date | None = Field(default=None, description="Day after the last day (exclusive); default today.")
    group_by: str | None = Field(default=None, pattern=GROUP_BY_PATTERN, description="service, region or tag:<key>")
    aws_service: str | None = Field(default=None, description="Only this AWS service, e.g. ec2, s3, rds.")
    region: str | None = Field(default=None, description="Only spend in this region, e.g. eu-west-1.")
    app_service: str | None = Field(default=None, description="Only spend tagged with this application service "
                                   "(the `service` cost-allocation tag), e.g. payments.")
    team: str | None = Field(default=None, description="Only spend tagged with this team (the `team` "
                             "cost-allocation tag, any case), e.g. storefront.")
    compare_start: date | None = Field(default=None, description="First day of the period to compare with; "
                                       "default the previous period of the same length (the previous month "
                                       "for a month).")
    compare_end: date | None = Field(default=None, description="Day after the compared period's last day.")
    limit: int = Field(default=10, ge=1, le=100)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period before [start, end) to compare it with: the same days of the month before
    when the period starts on the 1st (so "this month" meets last month, and a whole month
    the whole month before), else the same number of days just before."""
    if start.day == 1 and end.day == 1:  # whole months: the as many whole months before
        months = (end.year - start.year) * 12 + end.month - start.month
        return _add_months(start, -months), start
    if start.day == 1:
        before = _add_months(start, -1)
        return before, min(start, before + (end - start))
    return start - (end - start), start


def _compared(args: CostByServiceArgs, start: date, end: date) -> tuple[date, date]:
    if args.compare_start and args.compare_end and args.compare_start < args.compare_end:
        return args.compare_start, args.compare_end
    stop = min(end, today())  # a period running into the future compares the days it has so far
    return previous_period(start, max(stop, start + timedelta(days=1)))


def _change(amount: float, before: float) -> dict[str, Any]:
    change = amount - before
    return {"previous": money(before), "change": money(change),
            "change_pct": round(100 * change / before, 1) if round(before, 2) else None}


def _pct(value: float | None) -> str:
    return "new" if value is None else f"{value:+.1f}%"


@aws_errors("ce")
def cost_by_service(ctx: ToolContext, args: CostByServiceArgs) -> ToolResult:
    """Spend per group for a period, each with its change against the period before (or the
    one asked for): "this month vs last month" is one call."""
    start, end = period(args.start, args.end, 7)
    team, app_service = team_or_service(ctx, args.team, args.app_service)
    args = args.model_copy(update={"team": team, "app_service": app_service})
    costs, currency = daily_costs(ctx, start, end, args.group_by, args.aws_service, args.region, args.app_service,
                                  args.team)
    totals = {name: sum(days.values()) for name, days in costs.items()}
    totals = {name: amount for name, amount in totals.items() if round(amount, 2) != 0}
    total = sum(totals.values())
    window = f"{start.isoformat()} to {end.isoformat()} (end exclusive)"
    if not totals:
        where = f" in {args.region}" if args.region else ""
        where += f" tagged {SERVICE_TAG}={args.app_service}" if args.app_service else ""
        where += f" tagged {TEAM_TAG}={args.team}" if args.team else ""
        return ToolResult.no_data(f"Cost Explorer reports no AWS spend{where} from {window}.")
    before_start, before_end = _compared(args, start, end)
    before_costs, _currency = daily_costs(ctx, before_start, before_end, args.group_by, args.aws_service,
                                          args.region, args.app_service, args.team)
    before = {name: sum(days.values()) for name, days in before_costs.items()}
    before_total = sum(before.values())
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    label = (args.group_by or "service").split(":")[0]
    rows = [{label: name, "cost": money(amount), "share": round(100 * amount / total, 1) if total else 0.0,
             **_change(amount, before.get(name, 0.0))}
            for name, amount in ranked[: args.limit]]
    top = ", ".join(f"{row[label]} ${row['cost']:,.2f} ({row['share']}%)" for row in rows[:3])
    scope = f" for {ce_service_name(args.aws_service)}" if args.aws_service else ""
    scope += f" in {place_said(ctx, args.region, start, end, args.aws_service, args.app_service, args.team)}" \
        if args.region else ""
    scope += f" tagged {SERVICE_TAG}={args.app_service}" if args.app_service else ""
    scope += f" tagged {TEAM_TAG}={args.team}" if args.team else ""
    overall = _change(total, before_total)
    movers = sorted(rows, key=lambda row: abs(row["change"]), reverse=True)[:2]
    moved = ", ".join(f"{row[label]} {'+' if row['change'] >= 0 else '-'}${abs(row['change']):,.2f} "
                      f"({_pct(row['change_pct'])})" for row in movers)
    summary = (f"AWS spend{scope} from {window} was ${total:,.2f} {currency}; top: {top}. Against "
               f"{before_start.isoformat()} to {before_end.isoformat()} (${before_total:,.2f}): "
               f"{'+' if overall['change'] >= 0 else '-'}${abs(overall['change']):,.2f} "
               f"({_pct(overall['change_pct'])}); moved most: {moved}.")
    return ToolResult(
        status="ok", summary=summary, columns=[label, "cost", "share", "previous", "change", "change_pct"],
        rows=rows,
        facts={"total": money(total), "start": start.isoformat(), "end": end.isoformat(), "currency": currency,
               "groups": len(totals), "region": args.region, "app_service": args.app_service,
               "previous_total": overall["previous"],
               "change": overall["change"],
               "change_pct": overall["change_pct"], "previous_start": before_start.isoformat(),
               "previous_end": before_end.isoformat(),
               # the biggest groups' daily spend: the answer's chart of the trend and the breakdown
               "daily": {name: [[day, money(costs[name].get(day, 0.0))] for day in _days(start, end)]
                         for name, _amount in ranked[:CHART_SERIES]}},
        resources=[name for name, _ in ranked],
    )


def _days(start: date, end: date) -> list[str]:
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days)]


# --------------------------------------------------------------------------- anomalies


class CostAnomaliesArgs(BaseModel):
    start: date | None = Field(default=None, description="First day; default 28 days ago.")
    end: date | None = Field(default=None, description="Day after the last day (exclusive); default today.")
    aws_service: str | None = None
    region: str | None = Field(default=None, description="Only anomalies in this region, e.g. eu-west-1.")
    limit: int = Field(default=10, ge=1, le=100)


RECENT_DAYS = 3
BASELINE_DAYS = 28  # four weeks: a weekly pattern is in the baseline, not an anomaly
CHANGE_THRESHOLD = 0.20  # a rise under 20% of the baseline is never an anomaly, however steady the spend
CHART_LEAD_DAYS = 14
MAD_SIGMAS = 3.0  # ... nor one within 3 robust standard deviations (1.4826 x MAD) of the median


def median(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def robust_baseline(history: list[float]) -> tuple[float, float]:
    """(median, MAD) of the days before the recent ones: one earlier spike moves neither,
    where a mean over a short window is pulled by it."""
    centre = median(history)
    return centre, median([abs(value - centre) for value in history])


def weekday_baseline(history: list[tuple[date, float]], recent: list[date]) -> tuple[float, float]:
    """The usual daily spend of the ``recent`` days and its spread: each recent day expects the
    median of the same weekday in the history (so quiet weekends are usual, not a drop) when
    every such weekday has at least two days of history, else the median of all days. The
    spread is the MAD of each history day's distance from its own expectation."""
    by_weekday: dict[int, list[float]] = defaultdict(list)
    for day, amount in history:
        by_weekday[day.weekday()].append(amount)
    if not all(len(by_weekday[day.weekday()]) >= 2 for day in recent):
        return robust_baseline([amount for _day, amount in history])
    usual = {weekday: median(values) for weekday, values in by_weekday.items()}
    centre = sum(usual[day.weekday()] for day in recent) / len(recent)
    return centre, median([abs(amount - usual[day.weekday()]) for day, amount in history])


def _threshold(baseline: float, spread: float) -> float:
    """The distance from the baseline beyond which the recent days are unusual."""
    return max(baseline * CHANGE_THRESHOLD, MAD_SIGMAS * 1.4826 * spread) + 0.005


def _spike_day(days: list[str], series: list[float], limit: float) -> str | None:
    """First day of the run of high days that ends the window."""
    first: str | None = None
    for day, amount in reversed(list(zip(days, series, strict=True))):
        if amount > limit:
            first = day
        else:
            break
    return first


def _service_change(days: list[str], daily: dict[str, float]) -> dict[str, Any]:
    series = [daily.get(day, 0.0) for day in days]
    history = [(date.fromisoformat(day), amount) for day, amount in zip(days, series, strict=True)][:-RECENT_DAYS]
    while history and history[0][1] == 0.0:  # days before a service's first spend are not its history
        history = history[1:]
    recent_days = [date.fromisoformat(day) for day in days[-RECENT_DAYS:]]
    baseline, spread = weekday_baseline(history, recent_days) if history else (0.0, 0.0)
    recent_avg = sum(series[-RECENT_DAYS:]) / RECENT_DAYS
    change = recent_avg - baseline
    margin = _threshold(baseline, spread)
    pct = round(100 * change / baseline, 1) if baseline else None
    return {"baseline": money(baseline), "spread": money(spread), "recent": money(recent_avg),
            "change": money(change), "change_pct": pct, "unusual": abs(change) > margin and abs(change) >= 0.01,
            "spike_day": _spike_day(days, series, baseline + margin) if change > 0 else None,
            "history_days": len(history)}


def _split_key(key: str) -> tuple[str, str | None]:
    service, _, region = key.partition("|")
    return service, region or None


def _all_pages(call: Any, key: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ``key`` item of a Cost Explorer listing, following NextPageToken (bounded paging)."""
    found: list[dict[str, Any]] = []
    request = dict(request)
    for _ in range(20):
        page = call(**request)
        found.extend(page.get(key, []))
        if not page.get("NextPageToken"):
            break
        request["NextPageToken"] = page["NextPageToken"]
    return found


def _anomaly_monitors(ce: Any) -> list[dict[str, Any]]:
    """The account's Cost Anomaly Detection monitors (none: use the robust baseline)."""
    return _all_pages(ce.get_anomaly_monitors, "AnomalyMonitors", {})


def _aws_anomalies(ce: Any, start: date, end: date) -> list[dict[str, Any]]:
    """Anomalies AWS detected that overlap [start, end) (DateInterval's EndDate is inclusive)."""
    interval = {"StartDate": start.isoformat(), "EndDate": (end - timedelta(days=1)).isoformat()}
    return _all_pages(ce.get_anomalies, "Anomalies", {"DateInterval": interval})


def _anomaly_row(anomaly: dict[str, Any]) -> dict[str, Any]:
    impact = anomaly.get("Impact", {})
    causes = sorted(anomaly.get("RootCauses") or [{}],
                    key=lambda cause: float(cause.get("Impact", {}).get("Contribution", 0)), reverse=True)
    cause = causes[0]
    expected = float(impact.get("TotalExpectedSpend") or 0)
    total = float(impact.get("TotalImpact", impact.get("MaxImpact", 0)))
    pct = impact.get("TotalImpactPercentage")
    return {"service": cause.get("Service") or anomaly.get("DimensionValue") or "(unknown)",
            "region": cause.get("Region"), "usage_type": cause.get("UsageType"),
            "spike_day": anomaly.get("AnomalyStartDate", "")[:10] or None,
            "end_day": (anomaly.get("AnomalyEndDate") or "")[:10] or None,
            "expected": money(expected), "actual": money(float(impact.get("TotalActualSpend") or 0)),
            "impact": money(total),
            "change_pct": round(float(pct), 1) if pct is not None else (round(100 * total / expected, 1)
                                                                         if expected else None),
            "score": anomaly.get("AnomalyScore", {}).get("MaxScore"), "anomaly_id": anomaly.get("AnomalyId"),
            "monitor_arn": anomaly.get("MonitorArn")}


def _monitor_names(monitors: list[dict[str, Any]]) -> dict[str, str]:
    """{monitor ARN: its name}: the monitor that flagged an anomaly is named, as the console does."""
    return {str(m.get("MonitorArn")): str(m.get("MonitorName") or m.get("MonitorArn")) for m in monitors}


def _monitors_said(monitors: list[dict[str, Any]]) -> str:
    """"1 monitor: driftwood-services", "2 monitors: a, b": which monitors were read."""
    names = list(dict.fromkeys(_monitor_names(monitors).values()))
    count = f"{len(monitors)} monitor{'s' if len(monitors) != 1 else ''}"
    return f"{count}: {', '.join(names)}" if names else count


def _other_services(rows: list[dict[str, Any]], service: str) -> str:
    """What the detection reports outside the one AWS service asked about: "any anomaly in
    RDS?" is answered for RDS, and the anomaly next door is said beside the no."""
    others = [row for row in rows if row["service"] != service]
    if not others:
        return ""
    shown = "; ".join(f"{row['service']}" + (f" in {row['region']}" if row.get("region") else "")
                      + (f" ({row['change_pct']:+.1f}%)" if row.get("change_pct") is not None else "")
                      for row in others[:3])
    return f" Outside {service}: {shown}."


def _region_series(ctx: ToolContext, start: date, end: date, service: str, region: str | None) -> list[list[Any]]:
    """The daily cost of one service (in one region when known), for the answer's chart."""
    costs, _currency = daily_costs(ctx, start, end, "region", service)
    days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days)]
    wanted = [costs[region]] if region in costs else list(costs.values())
    return [[day, money(sum(series.get(day, 0.0) for series in wanted))] for day in days]


def _chart_start(start: date, spike_day: str | None) -> date:
    """Two weeks before the anomaly began (or the window's start, if earlier): a chart of
    the anomaly alone shows no jump."""
    if not spike_day:
        return start
    return min(start, date.fromisoformat(spike_day) - timedelta(days=CHART_LEAD_DAYS))


def _from_detection(ctx: ToolContext, args: CostAnomaliesArgs, start: date, end: date,
                    anomalies: list[dict[str, Any]], monitors: list[dict[str, Any]]) -> ToolResult:
    rows = [_anomaly_row(anomaly) for anomaly in anomalies]
    rows.sort(key=lambda row: row["impact"], reverse=True)
    outside = ""
    if args.aws_service:
        service = ce_service_name(args.aws_service)
        outside = _other_services(rows, service)
        rows = [row for row in rows if row["service"] == service]
    window = f"{start.isoformat()} to {end.isoformat()}"
    rows, elsewhere = _in_region(rows, args.region)
    if not rows:
        where = f" in {ce_service_name(args.aws_service)}" if args.aws_service else ""
        where += f" in {args.region}" if args.region else ""
        return ToolResult.no_data(f"AWS Cost Anomaly Detection ({_monitors_said(monitors)}) "
                                  f"reports no anomaly{where} from {window}.{elsewhere}{outside}")
    top = rows[0]
    flagged_by = _monitor_names(monitors).get(str(top.get("monitor_arn")))
    where = f" in {top['region']}" if top["region"] else ""
    usage = f" (usage type {top['usage_type']})" if top["usage_type"] else ""
    pct = f", {top['change_pct']:+.1f}%" if top["change_pct"] is not None else ""
    summary = (f"AWS Cost Anomaly Detection: {top['service']}{where}{usage} since {top['spike_day']}, "
               f"${top['impact']:,.2f} above the expected ${top['expected']:,.2f} (actual ${top['actual']:,.2f} "
               f"USD{pct}); {len(rows)} anomal{'ies' if len(rows) != 1 else 'y'} from {window}"
               + (f", flagged by monitor {flagged_by}." if flagged_by else "."))
    running = _instances_behind(ctx, top["usage_type"], top["region"])
    if running:
        summary += (f" Running {_instance_type(top['usage_type'])} instances in {top['region']}: "
                    + ", ".join(f"{name} ({instance_id}){owned_by(tags)}" for instance_id, name, tags in running)
                    + ".")
    return ToolResult(
        status="ok", summary=summary,
        columns=["service", "region", "usage_type", "spike_day", "end_day", "expected", "actual", "impact",
                 "change_pct"], rows=rows[: args.limit],
        facts={"source": "aws_cost_anomaly_detection", "monitors": len(monitors), "monitor": flagged_by,
               "top_service": top["service"],
               "region": top["region"], "usage_type": top["usage_type"], "spike_day": top["spike_day"],
               "impact_usd": top["impact"], "expected_usd": top["expected"], "actual_usd": top["actual"],
               "change_pct": top["change_pct"], "anomaly_id": top["anomaly_id"], "currency": "USD",
               "start": start.isoformat(), "end": end.isoformat(),
               "instances_of_usage_type": [{"id": i, "name": n, "team": tags.get("team"), "owner": tags.get("owner")}
                                           for i, n, tags in running],
               # the chart: the root cause's daily spend from two weeks before the anomaly on
               "daily": {top["service"] + where: _region_series(ctx, _chart_start(start, top["spike_day"]), end,
                                                                top["service"], top["region"])}},
        resources=[row["service"] for row in rows[: args.limit]] + [i for i, _n, _t in running],
    )


def _instance_type(usage_type: str | None) -> str | None:
    """The EC2 instance type an anomaly's usage type bills ("BoxUsage:m5.4xlarge", with or
    without a region prefix such as "EUW1-"), else None."""
    head, _, kind = (usage_type or "").rpartition(":")
    return kind if head.endswith("BoxUsage") and kind else None


def owned_by(tags: dict[str, str]) -> str:
    """" of team Platform (owner frank)": who answers for a machine, from its `team` and `owner`
    tags (the cost-allocation tags a chargeback goes by); "" when it carries neither."""
    team, owner = tags.get("team"), tags.get("owner")
    if team and owner:
        return f" of team {team} (owner {owner})"
    return f" of team {team}" if team else f" (owner {owner})" if owner else ""


def _instances_behind(ctx: ToolContext, usage_type: str | None,
                      region: str | None) -> list[tuple[str, str, dict[str, str]]]:
    """(id, Name tag, tags) of the running instances of the type an EC2 anomaly bills, in its
    region: which machines the spike is, and (their tags) whose they are. Optional: a role
    without ec2:DescribeInstances gets the anomaly without them."""
    kind = _instance_type(usage_type)
    if kind is None or not region:
        return []
    try:
        found = instances(ctx, region, [{"Name": "instance-type", "Values": [kind]},
                                        {"Name": "instance-state-name", "Values": ["running"]}])
    except (ClientError, BotoCoreError):
        return []
    return [(instance["InstanceId"], tags.get("Name") or instance["InstanceId"], tags)
            for instance in found for tags in [tag_map(instance.get("Tags"))]]


def _from_baseline(ctx: ToolContext, args: CostAnomaliesArgs, start: date, end: date) -> ToolResult:
    costs, currency = daily_costs(ctx, start, end, "service_region", args.aws_service)
    days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days)]
    rows = []
    for key, daily in costs.items():
        service, region = _split_key(key)
        rows.append({"service": service, "region": region, **_service_change(days, daily)})
    rows.sort(key=lambda row: abs(row["change"]), reverse=True)
    window = f"{start.isoformat()} to {end.isoformat()}"
    rows, elsewhere = _in_region(rows, args.region, unusual_only=True)
    changed = [row for row in rows if row["unusual"]]
    if not changed:
        where = f" in {args.region}" if args.region else ""
        subject = f"{ce_service_name(args.aws_service)}'s" if args.aws_service else "No AWS service's"
        verb = "stayed in" if args.aws_service else "left"
        return ToolResult.no_data(f"{subject} daily cost{where} over the last {RECENT_DAYS} days {verb} its "
                                  f"usual range (median and spread of the days before, {window}).{elsewhere}")
    increases = [row for row in changed if row["change"] > 0]
    top = increases[0] if increases else changed[0]
    pct = "new spend" if top["change_pct"] is None else f"{top['change_pct']:+.1f}%"
    since = f", starting {top['spike_day']}" if top.get("spike_day") else ""
    where = f" in {top['region']}" if top["region"] else ""
    summary = (f"{top['service']}{where} changed most: ${top['recent']:,.2f}/day over the last {RECENT_DAYS} days "
               f"against a usual ${top['baseline']:,.2f}/day (median of {top['history_days']} days, spread "
               f"${top['spread']:,.2f}) ({pct}{since}); {len(changed)} service(s) outside their usual range "
               f"({window}; no Cost Anomaly Detection monitor, so Guardian's baseline).")
    shown = [{key: value for key, value in row.items() if key != "unusual"} for row in rows[: args.limit]]
    return ToolResult(
        status="ok", summary=summary,
        columns=["service", "region", "baseline", "spread", "recent", "change", "change_pct", "spike_day"],
        rows=shown,
        facts={"source": "baseline", "top_service": top["service"], "region": top["region"],
               "change_pct": top["change_pct"], "spike_day": top.get("spike_day"),
               "baseline_daily": top["baseline"], "spread_daily": top["spread"], "recent_daily": top["recent"],
               "history_days": top["history_days"], "currency": currency,
               "start": start.isoformat(), "end": end.isoformat(),
               # the daily series of the services that rose most, for a chart
               "daily": {row["service"] + (f" in {row['region']}" if row["region"] else ""):
                         [[day, money(costs[_key(row)].get(day, 0.0))] for day in days]
                         for row in increases[:CHART_SERIES]}},
        resources=list(dict.fromkeys(row["service"] for row in rows[: args.limit])),
    )


def _in_region(rows: list[dict[str, Any]], region: str | None,
               unusual_only: bool = False) -> tuple[list[dict[str, Any]], str]:
    """The rows of the region asked about, and a sentence naming what is unusual elsewhere
    (empty when nothing is, or when the region has rows of its own): "did eu-west-1 spike?"
    is answered for eu-west-1, and a spike next door is said, not shown as the answer."""
    if not region:
        return rows, ""
    wanted = set(region_values(region))
    inside = [row for row in rows if row.get("region") in wanted]
    others = [row for row in rows if row.get("region") not in wanted and (row.get("unusual", True) or not unusual_only)]
    if any(row.get("unusual", True) for row in inside) or not others:
        return inside, ""
    shown = "; ".join(f"{row['service']} in {row.get('region') or 'an unknown region'}"
                      + (f" ({row['change_pct']:+.1f}%)" if row.get("change_pct") is not None else "")
                      for row in others[:3])
    return inside, f" Outside {region}: {shown}."


def _key(row: dict[str, Any]) -> str:
    return f"{row['service']}|{row['region']}" if row["region"] else row["service"]


@aws_errors("ce")
def cost_anomalies(ctx: ToolContext, args: CostAnomaliesArgs) -> ToolResult:
    """AWS's own anomalies when the account has Cost Anomaly Detection monitors; else each
    service's last days against the median and MAD of the weeks before."""
    start, end = period(args.start, args.end, BASELINE_DAYS)
    # Today and later are incomplete in Cost Explorer (about a day behind): comparing a
    # partial day with full ones would report a drop in every service.
    end = min(end, today())
    ce = client(ctx, "ce", GLOBAL_REGION)
    denied = None
    try:
        monitors = _anomaly_monitors(ce)
    except ClientError as exc:  # no ce:GetAnomalyMonitors: the baseline still answers, and says why
        if exc.response.get("Error", {}).get("Code") not in ("AccessDeniedException", "AccessDenied"):
            raise
        monitors, denied = [], "ce:GetAnomalyMonitors"
    if monitors:
        return _from_detection(ctx, args, start, end, _aws_anomalies(ce, start, end), monitors)
    if (end - start).days < BASELINE_DAYS:  # a short question still needs weeks of history
        start = end - timedelta(days=BASELINE_DAYS)
    result = _from_baseline(ctx, args, start, end)
    if denied:
        result.facts["detection_denied"] = denied
        result.summary += f" Cost Anomaly Detection was not read: the role lacks {denied}."
    return result


# --------------------------------------------------------------------------- forecast


class CostForecastArgs(BaseModel):
    start: date | None = Field(default=None, description="Forecast from this day (a later month, e.g. next "
                               "month's first day); default today.")
    end: date | None = Field(default=None, description="Forecast up to this day (exclusive); default month end.")
    aws_service: str | None = Field(default=None, description="Only this AWS service's forecast, e.g. rds, ec2.")
    region: str | None = Field(default=None, description="Only spend in this region, e.g. eu-west-1.")
    app_service: str | None = Field(default=None, description="Only spend tagged with this application service "
                                   "(the `service` cost-allocation tag), e.g. payments.")
    team: str | None = Field(default=None, description="Only spend tagged with this team (the `team` "
                             "cost-allocation tag, any case), e.g. storefront.")
    budget: float | None = Field(default=None, gt=0, description="A budget for the period, in the bill's currency: "
                                 "the answer says whether the forecast stays under it.")
    group_by: str | None = Field(default=None, pattern=r"^(service|region)$", description="service or region: "
                                 "the forecast of each AWS service (or region) too, biggest first.")


def against_budget(projected: float, budget: float | None, currency: str) -> str:
    """" That is $8,335.18 USD under the $25,000.00 budget." (or over it): what a budget figure asks."""
    if budget is None:
        return ""
    gap = budget - projected
    side = "under" if gap >= 0 else "over"
    return f" That is ${abs(gap):,.2f} {currency} {side} the ${budget:,.2f} budget."


def _budget_facts(projected: float, budget: float | None) -> dict[str, Any]:
    if budget is None:
        return {}
    return {"budget": money(budget), "budget_left": money(budget - projected), "over_budget": projected > budget}


def _forecast_scope(args: CostForecastArgs, where: str | None = None) -> tuple[str, dict[str, Any]]:
    """Whose forecast it is, in words ("Amazon Relational Database Service spend in eu-west-1
    tagged team=payments"), and the same narrowing as facts: a forecast of part of the bill
    names the part, so it is never read as the account's. ``where``: the region filter in
    words, when it says more than the region as given (a place and the regions in it)."""
    whose = f"{ce_service_name(args.aws_service)} spend" if args.aws_service else "AWS spend"
    whose += f" in {where or args.region}" if args.region else ""
    whose += f" tagged {SERVICE_TAG}={args.app_service}" if args.app_service else ""
    whose += f" tagged {TEAM_TAG}={args.team}" if args.team else ""
    scope: dict[str, Any] = {"aws_service": ce_service_name(args.aws_service)} if args.aws_service else {}
    scope.update({key: value for key, value in (("region", args.region), ("app_service", args.app_service),
                                                ("team", args.team)) if value})
    return whose, scope


FORECAST_GROUPS = {"service": "SERVICE", "region": "REGION"}
FORECAST_LOOKBACK_DAYS = 30  # the groups forecast are those with spend over this many days before today


def _forecast_groups(ctx: ToolContext, args: CostForecastArgs, start: date, end: date,
                     expression: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Cost Explorer forecasts a total, not groups: each AWS service (or region) with spend of
    late is forecast on its own, within the same narrowing, biggest first ("next month's
    forecast broken down by service")."""
    if not args.group_by:
        return []
    ce = client(ctx, "ce", GLOBAL_REGION)
    dimension = FORECAST_GROUPS[args.group_by]
    now = today()
    lookup: dict[str, Any] = {"TimePeriod": {"Start": (now - timedelta(days=FORECAST_LOOKBACK_DAYS)).isoformat(),
                                             "End": now.isoformat()}, "Dimension": dimension}
    if expression:
        lookup["Filter"] = expression
    values = [str(v["Value"]) for v in ce.get_dimension_values(**lookup).get("DimensionValues", [])]
    rows: list[dict[str, Any]] = []
    for value in values:
        part = {"Dimensions": {"Key": dimension, "Values": [value]}}
        request: dict[str, Any] = {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                                   "Metric": "UNBLENDED_COST", "Granularity": "MONTHLY",
                                   "Filter": {"And": [expression, part]} if expression else part}
        try:
            amount = float(ce.get_cost_forecast(**request)["Total"]["Amount"])
        except ClientError as exc:  # a group with too little history to forecast: left out, said below
            if exc.response.get("Error", {}).get("Code") != "DataUnavailableException":
                raise
            continue
        rows.append({args.group_by: value, "forecast": money(amount)})
    rows.sort(key=lambda row: row["forecast"], reverse=True)
    total = sum(row["forecast"] for row in rows)
    for row in rows:
        row["share"] = round(100 * row["forecast"] / total, 1) if total else 0.0
    return rows


def _groups_said(rows: list[dict[str, Any]], group_by: str) -> str:
    if not rows:
        return ""
    top = ", ".join(f"{row[group_by]} ${row['forecast']:,.2f}" for row in rows[:3])
    more = f" and {len(rows) - 3} more" if len(rows) > 3 else ""
    return f" By {group_by}: {top}{more}."


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _month_to_date(ctx: ToolContext, first: date, stop: date, expression: dict[str, Any] | None = None) -> float:
    if stop <= first:
        return 0.0
    ce = client(ctx, "ce", GLOBAL_REGION)
    request: dict[str, Any] = {"TimePeriod": {"Start": first.isoformat(), "End": stop.isoformat()},
                               "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"]}
    if expression:
        request["Filter"] = expression
    page = ce.get_cost_and_usage(**request)
    return sum(float(b["Total"]["UnblendedCost"]["Amount"]) for b in page.get("ResultsByTime", [])
               if "UnblendedCost" in b.get("Total", {}))


def _period_name(now: date, start: date, end: date) -> str:
    """"next month (January 2027)" for the calendar month after this one, else the month's
    name, else "the period": what the forecast covers, in the words a person uses."""
    if start.day == 1 and end == _next_month(start):
        month = start.strftime("%B %Y")
        return f"next month ({month})" if start == _next_month(now) else month
    return "the period"


@aws_errors("ce")
def cost_forecast(ctx: ToolContext, args: CostForecastArgs) -> ToolResult:
    """Spend so far this month plus Cost Explorer's forecast to ``end``; a ``start`` after
    today ("next month") forecasts that period alone, with no month-to-date beside it (it
    is not this month's); ``aws_service`` narrows both figures to that service (the same
    SERVICE filter the spend summary uses), and the answer says whose forecast it is."""
    now = today()
    start = args.start if args.start and args.start > now else now
    end = args.end or _next_month(start)
    if end <= start:
        return ToolResult.error(f"A forecast needs an end after {start.isoformat()}; got {end.isoformat()}.")
    team, app_service = team_or_service(ctx, args.team, args.app_service)
    args = args.model_copy(update={"team": team, "app_service": app_service})
    expression = _filter(args.aws_service, args.region, args.app_service, args.team)
    request: dict[str, Any] = {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
                               "Metric": "UNBLENDED_COST", "Granularity": "MONTHLY"}
    if expression:
        request["Filter"] = expression
    answer = client(ctx, "ce", GLOBAL_REGION).get_cost_forecast(**request)
    forecast = float(answer["Total"]["Amount"])
    currency = answer["Total"].get("Unit", "USD")
    where = place_said(ctx, args.region, now - timedelta(days=FORECAST_LOOKBACK_DAYS), now, args.aws_service,
                       args.app_service, args.team)
    whose, scope = _forecast_scope(args, where)
    part = "that part" if set(scope) - {"aws_service"} else "that service"
    groups = _forecast_groups(ctx, args, start, end, expression)
    columns = [str(args.group_by), "forecast", "share"] if groups else []
    if start > now:
        summary = (f"{whose} forecast for {_period_name(now, start, end)}, {start.isoformat()} to {end.isoformat()} "
                   f"(Cost Explorer, that period alone): "
                   f"${forecast:,.2f} {currency}" + (f" ({part} only, not the account)." if scope else ".")
                   + against_budget(forecast, args.budget, currency) + _groups_said(groups, str(args.group_by)))
        return ToolResult(status="ok", summary=summary, columns=columns, rows=groups,
                          facts={"forecast": money(forecast), "projected_total": money(forecast),
                                 "currency": currency, "start": start.isoformat(), "end": end.isoformat(), **scope,
                                 **_budget_facts(forecast, args.budget)})
    first = now.replace(day=1)
    mtd = _month_to_date(ctx, first, now, expression)
    projected = mtd + forecast
    summary = (f"{whose} so far this month is ${mtd:,.2f} {currency}; forecast ${forecast:,.2f} more from "
               f"{now.isoformat()} to {end.isoformat()}, about ${projected:,.2f} in total"
               + (f" ({part}'s forecast only, not the account's)." if scope else ".")
               + against_budget(projected, args.budget, currency) + _groups_said(groups, str(args.group_by)))
    return ToolResult(
        status="ok", summary=summary, columns=columns, rows=groups,
        facts={"forecast": money(forecast), "mtd": money(mtd), "projected_total": money(projected),
               "currency": currency, "start": now.isoformat(), "end": end.isoformat(),
               "month_start": first.isoformat(), **scope, **_budget_facts(projected, args.budget)},
    )


COST_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_cost_by_service", "AWS spend for a period from Cost Explorer, by service, region or tag.",
             CostByServiceArgs, "read", ("cost.summary",), "aws", cost_by_service),
    ToolSpec("aws_cost_anomalies", "Which AWS service's daily cost jumped recently, where, by how much and since "
             "when (AWS Cost Anomaly Detection when set up, else a robust baseline).",
             CostAnomaliesArgs, "read", ("cost.anomalies",), "aws", cost_anomalies),
    ToolSpec("aws_cost_forecast", "Month-to-date AWS spend (or one service's, region's or tag's) and Cost "
             "Explorer's forecast to month end, or for a later period.",
             CostForecastArgs, "read", ("cost.forecast",), "aws", cost_forecast),
    ToolSpec("aws_savings", "AWS resources costing money for little use, with $/month each: unattached volumes, "
             "stopped instances, idle IPs, old snapshots, low-CPU and previous-generation instances, gp2 volumes.",
             SavingsArgs, "read", ("cost.savings",), "aws", savings),
]
