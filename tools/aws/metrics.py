"""CloudWatch metrics of one instance over a period (``get_metric_statistics``), as an hourly
or daily series: the answer charts it from ``facts["series"]``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.aws.common import client, iso, regions_for, tag_map
from tools.aws.errors import ResourceNotFound, aws_errors
from tools.aws.inventory import find_instance
from tools.base import ToolContext, ToolResult, ToolSpec

Metric = Literal["CPUUtilization", "NetworkIn", "NetworkOut", "DiskReadBytes", "DiskWriteBytes",
                 "StatusCheckFailed", "CPUCreditBalance"]
HOURLY_UP_TO = timedelta(days=2)  # longer periods are shown a point a day
DEFAULT_DAYS = 7
HOUR, DAY = 3600, 86400


class MetricsArgs(BaseModel):
    resource_id: str = Field(min_length=1, description="Instance id or Name tag.")
    # Marked ``from_question``: a planner calls this tool only when the words asked for a
    # metric (its slot), never on every "describe"; a direct caller gets CPU by default.
    metric: Metric = Field(default="CPUUtilization", description="CloudWatch metric (AWS/EC2).",
                           json_schema_extra={"from_question": True})
    start: date | None = Field(default=None, description="First day (YYYY-MM-DD); default 7 days before end.")
    end: date | None = Field(default=None, description="Day after the last day (exclusive); default now.")
    granularity: Literal["auto", "hourly", "daily"] = Field(
        default="auto", description="auto: hourly up to two days, daily beyond.")
    region: str | None = None


def window(args: MetricsArgs, now: datetime) -> tuple[datetime, datetime, int]:
    """[start, end) and the period in seconds the series is bucketed by."""
    end = datetime.combine(args.end, time(), UTC) if args.end else now
    start = datetime.combine(args.start, time(), UTC) if args.start else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        start = end - timedelta(days=1)
    hourly = args.granularity == "hourly" or (args.granularity == "auto" and end - start <= HOURLY_UP_TO)
    return start, end, HOUR if hourly else DAY


@aws_errors("ec2", "cloudwatch")
def metrics(ctx: ToolContext, args: MetricsArgs) -> ToolResult:
    regions = regions_for(ctx, args.region)
    found = find_instance(ctx, regions, args.resource_id.strip(), partial_ok=True)
    if found is None:
        raise ResourceNotFound(args.resource_id, regions)
    region, inst = found
    ident, name = inst["InstanceId"], tag_map(inst.get("Tags")).get("Name", "")
    start, end, step = window(args, datetime.now(UTC))
    stats = client(ctx, "cloudwatch", region).get_metric_statistics(
        Namespace="AWS/EC2", MetricName=args.metric, Dimensions=[{"Name": "InstanceId", "Value": ident}],
        StartTime=start, EndTime=end, Period=step, Statistics=["Average", "Maximum"])
    points = sorted(stats.get("Datapoints", []), key=lambda point: point["Timestamp"])
    label = f"{ident} ({name})" if name else ident
    span = f"{iso(start)} to {iso(end)}"
    every = "hour" if step == HOUR else "day"
    if not points:
        return ToolResult.no_data(f"CloudWatch has no {args.metric} for {label} in {region} from {span}.")
    unit = str(points[0].get("Unit", ""))
    rows: list[dict[str, Any]] = [{"time": iso(p["Timestamp"]), "average": round(p["Average"], 2),
                                   "maximum": round(p["Maximum"], 2)} for p in points]
    average = round(sum(p["Average"] for p in points) / len(points), 2)
    peak = max(rows, key=lambda row: row["maximum"])
    facts = {"id": ident, "name": name, "region": region, "metric": args.metric, "unit": unit,
             "start": iso(start), "end": iso(end), "period_seconds": step, "datapoints": len(points),
             "average": average, "maximum": peak["maximum"], "maximum_at": peak["time"],
             "series": {f"{args.metric} average": [[row["time"], row["average"]] for row in rows]}}
    shown = "%" if unit == "Percent" else f" {unit}" if unit and unit != "None" else ""
    summary = (f"{args.metric} of {label} in {region}, a point per {every} from {span}: average "
               f"{average}{shown}, peak {peak['maximum']}{shown} at {peak['time']} ({len(points)} points).")
    return ToolResult(status="ok", summary=summary, columns=["time", "average", "maximum"], rows=rows, facts=facts,
                      resources=[x for x in (ident, name) if x])


METRICS_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_metrics", "CloudWatch metric (CPUUtilization by default) of one EC2 instance over a period, "
             "as an hourly or daily series with its average and peak.", MetricsArgs, "read", ("infra.describe",),
             "aws", metrics),
]
