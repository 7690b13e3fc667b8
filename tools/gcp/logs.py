"""Cloud Logging: the error lines of a service or resource over a period, through
google-cloud-logging's ``list_entries`` with a logging-query filter (severity floor, the
resource's labels, a timestamp range). Log text is untrusted data: returned as-is (truncated),
never summarised."""

from __future__ import annotations

import json
import re
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


# Cloud Logging's monitored resource types Guardian reads, and the same kinds in other words.
MONITORED_TYPES = frozenset({"cloud_run_revision", "gce_instance", "k8s_container", "cloud_function",
                             "cloud_run_job", "gae_app", "k8s_pod", "k8s_node", "cloudsql_database"})
KIND_TYPES = {"ec2": "gce_instance", "vm": "gce_instance", "instance": "gce_instance", "lambda": "cloud_function",
              "function": "cloud_function", "eks": "k8s_container", "rds": "cloudsql_database"}


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

    @field_validator("resource_type", mode="before")
    @classmethod
    def _monitored(cls, value: Any) -> Any:
        """A kind said in any cloud's words ("vm", "ec2", "lambda") is Cloud Logging's
        monitored resource type for it; a kind Google Cloud has no logs of ("s3") filters
        nothing, so it is dropped rather than matching no entry."""
        if not isinstance(value, str) or value in MONITORED_TYPES:
            return value
        return KIND_TYPES.get(value.lower())


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


def log_filter(args: LogErrorsArgs, start: datetime, end: datetime, *, severity: bool = True,
               names: list[str] | None = None) -> str:
    """The logging query: severity floor, time range, and the resource named (``names``
    instead of the asked one, when the words were resolved to the workloads they mean)."""
    parts = [f"severity>={args.severity}"] if severity else []
    parts += [f'timestamp>="{rfc3339(start)}"', f'timestamp<"{rfc3339(end)}"']
    if args.resource_type:
        parts.append(f'resource.type="{args.resource_type}"')
    wanted = names if names is not None else [args.service] if args.service else []
    named = [f"{field}={_quoted(name)}" for name in wanted for field in NAME_FIELDS]
    named += [f'resource.labels.instance_id="{name}"' for name in wanted if name.isdigit()]
    if named:
        parts.append("(" + " OR ".join(named) + ")")
    return " AND ".join(parts)


def _workloads_named(ctx: ToolContext, args: LogErrorsArgs, end: datetime) -> list[str]:
    """The workloads logging in the project whose names hold every word asked ("payments" ->
    gce-payments-api-1): people name a machine or a service by its part that means something."""
    asked = [word for word in re.split(r"[\s_-]+", (args.service or "").lower()) if word]
    if not asked:
        return []
    probe = log_filter(args, end - timedelta(days=PROBE_DAYS), end, severity=False, names=[])
    sources = dict.fromkeys(_source(entry) for entry in _entries(ctx, probe, MAX_ENTRIES))
    return [name for name in sources if name and set(asked) <= set(re.split(r"[_-]+", name.lower()))]


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
    resolved: list[str] = []
    if not entries and args.service and not _entries(ctx, log_filter(args, end - timedelta(days=PROBE_DAYS), end,
                                                                      severity=False), 1):
        resolved = _workloads_named(ctx, args, end)  # nothing is called that: what it is part of
        entries = _entries(ctx, log_filter(args, start, end, names=resolved), MAX_ENTRIES) if resolved else []
        if resolved and not entries:
            return ToolResult.no_data(f"No {args.severity}-or-worse log entries for {', '.join(resolved)} (what "
                                      f"{args.service!r} names) in project {project(ctx)} {span}.")
    if not entries:
        return _nothing(ctx, args, span, end)
    rows = [{"time": rfc3339(entry.timestamp) if entry.timestamp else "", "severity": str(entry.severity or ""),
             "source": _source(entry), "resource_type": entry.resource.type if entry.resource else "",
             "message": _message(entry.payload).rstrip("\n")[:MESSAGE_CHARS]} for entry in entries]
    counts = Counter(row["severity"] for row in rows)
    sources = list(dict.fromkeys(row["source"] for row in rows if row["source"]))
    who = ", ".join(resolved) or args.service or ", ".join(sources) or f"project {project(ctx)}"
    if resolved:
        who += f" (nothing is named {args.service!r}; read what holds the name)"
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
