"""Cloud Logging: the error lines of a service or resource over a period, through
google-cloud-logging's ``list_entries`` with a logging-query filter (severity floor, the
resource's labels, a timestamp range). Log text is untrusted data: returned as-is (truncated),
never summarised."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tools.base import ToolContext, ToolResult, ToolSpec
from tools.gcp.clients import google_call, logging_client, project
from tools.gcp.errors import gcp_errors

Severity = Literal["DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT", "EMERGENCY"]
MESSAGE_CHARS = 300
MAX_ENTRIES = 1000
PROBE_DAYS = 30  # how far back "does this name log at all?" looks
# Where each kind of resource carries the name people use: Cloud Run, Cloud Functions, GKE
# containers, App Engine, and Compute Engine instances (the agent's resource_name label).
NAME_FIELDS = ("resource.labels.service_name", "resource.labels.function_name", "resource.labels.container_name",
               "resource.labels.module_id", 'labels."compute.googleapis.com/resource_name"')


class LogErrorsArgs(BaseModel):
    service: str | None = Field(default=None, max_length=200, description="A Cloud Run service, function, "
                                "container or instance name; unset: the whole project.")
    resource_type: str | None = Field(default=None, pattern=r"^[a-z0-9_]+$",
                                      description="Only this monitored resource type (cloud_run_revision, "
                                      "gce_instance, k8s_container...).")
    severity: Severity = Field(default="ERROR", description="The lowest severity shown.")
    start_time: datetime | None = Field(default=None, description="From this moment (UTC if no zone).")
    end_time: datetime | None = Field(default=None, description="Up to this moment; default now.")
    start: date | None = Field(default=None, description="From this day (00:00 UTC).")
    end: date | None = Field(default=None, description="Up to this day (00:00 UTC, exclusive).")
    hours: float | None = Field(default=None, gt=0, le=24 * 30, description="Look back this many hours.")
    limit: int = Field(default=50, ge=1, le=500)

    @field_validator("severity", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


def window(args: LogErrorsArgs, now: datetime | None = None) -> tuple[datetime, datetime]:
    """[start, end) in UTC: exact moments first, then days, then hours back; default 24 h."""
    now = now or datetime.now(UTC)

    def utc(moment: datetime) -> datetime:
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

    end = utc(args.end_time) if args.end_time else (
        datetime.combine(args.end, time(), UTC) if args.end and not args.start_time else now)
    end = min(end, now)
    if args.start_time:
        start = utc(args.start_time)
    elif args.start:
        start = datetime.combine(args.start, time(), UTC)
    else:
        start = end - timedelta(hours=args.hours or 24)
    if start >= end:
        start = end - timedelta(hours=1)
    return start, end


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def log_filter(args: LogErrorsArgs, start: datetime, end: datetime, *, severity: bool = True) -> str:
    """The logging query: severity floor, time range, and the resource named."""
    parts = [f"severity>={args.severity}"] if severity else []
    parts += [f'timestamp>="{rfc3339(start)}"', f'timestamp<"{rfc3339(end)}"']
    if args.resource_type:
        parts.append(f'resource.type="{args.resource_type}"')
    if args.service:
        named = [f"{field}={_quoted(args.service)}" for field in NAME_FIELDS]
        if args.service.isdigit():
            named.append(f'resource.labels.instance_id="{args.service}"')
        parts.append("(" + " OR ".join(named) + ")")
    return " AND ".join(parts)


def _message(payload: Any) -> str:
    if isinstance(payload, dict):
        text = payload.get("message") or payload.get("msg") or json.dumps(payload, sort_keys=True)
        return str(text)
    return "" if payload is None else str(payload)


def _source(entry: Any) -> str:
    labels = dict(getattr(entry.resource, "labels", None) or {}) if entry.resource else {}
    for key in ("service_name", "function_name", "container_name", "module_id"):
        if labels.get(key):
            return str(labels[key])
    named = (entry.labels or {}).get("compute.googleapis.com/resource_name")
    return str(named or labels.get("instance_id") or "")


def _entries(ctx: ToolContext, query: str, limit: int) -> list[Any]:
    from google.cloud import logging as cloud_logging

    client = logging_client(ctx)
    return google_call("entries.list", lambda: list(client.list_entries(
        resource_names=[f"projects/{project(ctx)}"], filter_=query, order_by=cloud_logging.DESCENDING,
        max_results=limit, page_size=min(limit, MAX_ENTRIES))))


def _nothing(ctx: ToolContext, args: LogErrorsArgs, span: str, end: datetime) -> ToolResult:
    """No matching lines: say whether the name logs at all (a typo reads differently)."""
    what = f"{args.severity}-or-worse log entries"
    if not args.service:
        return ToolResult.no_data(f"No {what} in project {project(ctx)} {span}.")
    probe = log_filter(args, end - timedelta(days=PROBE_DAYS), end, severity=False)
    if not _entries(ctx, probe, 1):
        return ToolResult.no_data(f"No logs: Cloud Logging has no entries at all for {args.service!r} in project "
                                  f"{project(ctx)} in the last {PROBE_DAYS} days; check the service or "
                                  "instance name.", )
    return ToolResult.no_data(f"No {what} for {args.service} in project {project(ctx)} {span} (it did log at "
                              "lower severities).")


@gcp_errors("entries.list")
def log_errors(ctx: ToolContext, args: LogErrorsArgs) -> ToolResult:
    start, end = window(args)
    span = f"from {rfc3339(start)} to {rfc3339(end)}"
    entries = _entries(ctx, log_filter(args, start, end), MAX_ENTRIES)
    if not entries:
        return _nothing(ctx, args, span, end)
    rows = [{"time": rfc3339(entry.timestamp) if entry.timestamp else "", "severity": str(entry.severity or ""),
             "source": _source(entry), "resource_type": entry.resource.type if entry.resource else "",
             "message": _message(entry.payload).rstrip("\n")[:MESSAGE_CHARS]} for entry in entries]
    counts = Counter(row["severity"] for row in rows)
    sources = list(dict.fromkeys(row["source"] for row in rows if row["source"]))
    who = args.service or ", ".join(sources) or f"project {project(ctx)}"
    by_severity = ", ".join(f"{n} {sev}" for sev, n in counts.most_common())
    summary = (f"{len(rows)} {args.severity}-or-worse log entries for {who} in project {project(ctx)} {span} "
               f"({by_severity}); latest at {rows[0]['time']}.")
    return ToolResult(status="ok", summary=summary, columns=["time", "severity", "source", "message"],
                      rows=rows[: args.limit],
                      facts={"matched": len(rows), "per_severity": dict(counts), "start": rfc3339(start),
                             "end": rfc3339(end), "project": project(ctx)},
                      resources=sources)


LOGS_TOOLS: list[ToolSpec] = [
    ToolSpec("gcp_log_errors", "Error lines (severity ERROR or worse by default) from Google Cloud Logging for a "
             "service, function, container or instance over a period.", LogErrorsArgs, "read", ("infra.logs",),
             "gcp", log_errors),
]
