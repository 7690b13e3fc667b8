"""Azure spend for a period, by service or by resource group, through the Cost Management
query API (``POST {scope}/providers/Microsoft.CostManagement/query``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.azure.client import arm, subscription_scope
from tools.azure.errors import azure_errors
from tools.base import ToolContext, ToolResult, ToolSpec

DIMENSIONS = {"service": "ServiceName", "resource_group": "ResourceGroupName"}
COST_COLUMN = "PreTaxCost"
DEFAULT_DAYS = 30
CHART_SERIES = 3


def _usage_day(value: Any) -> str:
    """Cost Management's UsageDate (a yyyymmdd Number, or an ISO date with Daily) as YYYY-MM-DD."""
    text = str(int(value)) if isinstance(value, int | float) else str(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if text.isdigit() and len(text) == 8 else text[:10]


class AzureCostArgs(BaseModel):
    start: date | None = Field(default=None, description="First day (YYYY-MM-DD); default 30 days ago.")
    end: date | None = Field(default=None, description="Day after the last day (exclusive); default today.")
    group_by: Literal["service", "resource_group"] = Field(default="service",
                                                           description="service or resource_group.")
    resource_group: str | None = Field(default=None, description="Only this resource group's spend.")
    service_name: str | None = Field(default=None, description="Only this Azure service's spend (ServiceName, "
                                     "e.g. Virtual Machines, Storage); VMs and disks are said as such too.")
    limit: int = Field(default=10, ge=1, le=100)


# What people call an Azure service -> its Cost Management ServiceName
SERVICE_NAMES = {"vm": "Virtual Machines", "vms": "Virtual Machines", "virtual machine": "Virtual Machines",
                 "virtual machines": "Virtual Machines", "compute": "Virtual Machines", "ec2": "Virtual Machines",
                 "instance": "Virtual Machines", "instances": "Virtual Machines",
                 "storage": "Storage", "blob": "Storage", "blobs": "Storage", "storage account": "Storage",
                 "storage accounts": "Storage", "s3": "Storage", "disk": "Storage", "disks": "Storage",
                 "network": "Virtual Network", "vnet": "Virtual Network", "virtual network": "Virtual Network",
                 "bandwidth": "Bandwidth", "egress": "Bandwidth", "data transfer": "Bandwidth"}


def service_name(said: str) -> str:
    """The ServiceName meant by ``said`` ("vms" -> "Virtual Machines"); unknown words as said."""
    return SERVICE_NAMES.get(said.strip().lower(), said.strip())


def _window(args: AzureCostArgs) -> tuple[date, date]:
    stop = args.end or datetime.now(UTC).date()
    begin = args.start or stop - timedelta(days=DEFAULT_DAYS)
    return (begin, stop) if begin < stop else (stop - timedelta(days=1), stop)


def _query(start: date, end: date, dimension: str, service: str | None = None) -> Any:
    """A Custom-timeframe ActualCost query, of one service's spend when ``service`` is given;
    the API's ``to`` is inclusive, so the last second of the window's last day."""
    from azure.mgmt.costmanagement.models import (
        QueryAggregation,
        QueryComparisonExpression,
        QueryDataset,
        QueryDefinition,
        QueryFilter,
        QueryGrouping,
        QueryTimePeriod,
    )

    only = QueryFilter(dimensions=QueryComparisonExpression(
        name="ServiceName", operator="In", values_property=[service])) if service else None

    return QueryDefinition(
        type="ActualCost", timeframe="Custom",
        time_period=QueryTimePeriod(from_property=datetime.combine(start, time.min, UTC),
                                    to=datetime.combine(end - timedelta(days=1), time(23, 59, 59), UTC)),
        dataset=QueryDataset(granularity="Daily",  # daily rows: the answer's chart, and summed for the table
                             aggregation={"totalCost": QueryAggregation(name=COST_COLUMN, function="Sum")},
                             grouping=[QueryGrouping(type="Dimension", name=dimension)], filter=only))


def _column(columns: list[Any], *names: str, kind: str | None = None) -> int | None:
    wanted = [name.lower() for name in names]
    for index, column in enumerate(columns):
        if str(column.name).lower() in wanted:
            return index
    if kind:
        for index, column in enumerate(columns):
            if str(column.type).lower() == kind and str(column.name).lower() != "currency":
                return index
    return None


@azure_errors("querying Cost Management", "Microsoft.CostManagement/query/action")
def cost_summary(ctx: ToolContext, args: AzureCostArgs) -> ToolResult:
    start, end = _window(args)
    dimension = DIMENSIONS[args.group_by]
    only = service_name(args.service_name) if args.service_name else None
    result = arm(ctx, "cost").query.usage(subscription_scope(ctx, args.resource_group),
                                          _query(start, end, dimension, only))
    columns = list(result.columns or [])
    cost_at = _column(columns, COST_COLUMN, "Cost", "totalCost", kind="number")
    name_at = _column(columns, dimension, "ResourceGroup", kind="string")
    currency_at = _column(columns, "Currency")
    day_at = _column(columns, "UsageDate")
    if cost_at is None or name_at is None:
        return ToolResult.error("Azure Cost Management answered without cost and group columns.")
    totals: dict[str, float] = {}
    daily: dict[str, dict[str, float]] = {}
    currency = "USD"
    for row in result.rows or []:
        name = str(row[name_at] or "(none)")
        totals[name] = totals.get(name, 0.0) + float(row[cost_at] or 0)
        if day_at is not None and row[day_at]:
            day = _usage_day(row[day_at])
            daily.setdefault(name, {})[day] = daily.get(name, {}).get(day, 0.0) + float(row[cost_at] or 0)
        if currency_at is not None and row[currency_at]:
            currency = str(row[currency_at])
    total = round(sum(totals.values()), 2)
    scope = f"resource group {args.resource_group}" if args.resource_group else "the subscription"
    if only:
        scope = f"{only} in {scope}"
    period = f"{start.isoformat()} to {(end - timedelta(days=1)).isoformat()}"
    if not totals:
        return ToolResult.no_data(f"Azure Cost Management has no spend for {scope} from {period}.")
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    label = "service" if args.group_by == "service" else "resource_group"
    rows = [{label: name, "cost": round(amount, 2), "share": round(100 * amount / total, 1) if total else 0.0}
            for name, amount in ranked[: args.limit]]
    top = ", ".join(f"{row[label]} ${row['cost']:,.2f} ({row['share']}%)" for row in rows[:3])
    summary = (f"Azure spend for {scope} from {period} was ${total:,.2f} {currency} by "
               f"{label.replace('_', ' ')}; top: {top}.")
    return ToolResult(status="ok", summary=summary, columns=[label, "cost", "share"], rows=rows,
                      facts={"total": total, "currency": currency, "start": start.isoformat(),
                             "end": end.isoformat(), "group_by": args.group_by, "groups": len(totals),
                             **({"service_name": only} if only else {}),
                             # the biggest groups' daily spend: the answer's chart
                             "daily": {name: [[day, round(amount, 2)] for day, amount in sorted(daily[name].items())]
                                       for name, _amount in ranked[:CHART_SERIES] if name in daily}},
                      resources=[name for name, _amount in ranked if args.group_by == "resource_group"])


COST_TOOLS: list[ToolSpec] = [
    ToolSpec("azure_cost_summary", "Azure spend for a period by service or by resource group (Cost Management).",
             AzureCostArgs, "read", ("cost.summary",), "azure", cost_summary),
]
