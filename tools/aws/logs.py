"""CloudWatch Logs: recent error lines for a log group or a service. Log text is untrusted
data from whoever wrote the log: it is returned as-is (truncated) and never summarised."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.aws.common import client, iso, regions_for
from tools.aws.errors import ResourceNotFound, aws_errors
from tools.aws.regions import RegionScan, scan_regions
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.timefmt import ago

# Server-side (CloudWatch syntax) and client-side (regex) forms of "looks like an error".
DEFAULT_FILTER = '?ERROR ?Error ?error ?Exception ?FATAL ?Traceback ?" 500 " ?" 502 " ?" 503 " ?" 504 "'
ERROR_LINE = re.compile(r"\b(?:error|exception|fatal|traceback|critical)\b|\s5\d\d\s", re.IGNORECASE)
MESSAGE_CHARS = 300
MAX_PAGES = 10
MAX_GROUPS = 20


class LogsErrorsArgs(BaseModel):
    log_group: str | None = Field(default=None, description="Exact log group name.")
    service: str | None = Field(default=None, description="Search log groups whose name contains this.")
    pattern: str | None = Field(default=None, description="CloudWatch filter pattern; default: error-looking lines.")
    start_time: datetime | None = Field(default=None, description="From this moment (UTC if no zone): \"the last "
                                        "30 minutes\" is a moment, not a day.")
    start: date | None = None
    end: date | None = None
    since: float | None = Field(default=None, gt=0, le=24 * 90, description="Look back this many hours.")
    region: str | None = None
    limit: int = Field(default=50, ge=1, le=500)
    query: str | None = Field(default=None, max_length=500, description="The request's own words: without a "
                              "log group or service, the groups whose names share the most of them (at least two: "
                              "'the search reindex job') are read, else every group.")


def _window(args: LogsErrorsArgs) -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    if args.start_time:  # the exact moment asked for wins over the whole days around it
        moment = args.start_time if args.start_time.tzinfo else args.start_time.replace(tzinfo=UTC)
        return moment, now
    if args.start or args.end:
        end = datetime.combine(args.end, time(), UTC) if args.end else now
        start = datetime.combine(args.start, time(), UTC) if args.start else end - timedelta(days=1)
        return start, end
    return now - timedelta(hours=args.since or 24), now


def _groups(ctx: ToolContext, region: str, args: LogsErrorsArgs) -> list[str]:
    logs = client(ctx, "logs", region)
    if args.log_group:
        found = logs.describe_log_groups(logGroupNamePrefix=args.log_group).get("logGroups", [])
        return [g["logGroupName"] for g in found if g["logGroupName"] == args.log_group]
    names = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate()
             for g in page["logGroups"]]
    if args.service:
        named = [name for name in names if args.service.lower() in name.lower()]
        # "logs for checkout-web-1": no group is named after a host, but its stream is
        named = named or [name for name in names if _has_stream(logs, name, args.service)]
        names = named or named_inside(names, args.service)
    return names if args.query and not args.service else names[:MAX_GROUPS]


MIN_SHARED_WORDS = 2  # one shared word ("lambda", "api") says what kind, not which group
_NO_NAME = frozenset({"aws", "app", "the", "and", "for", "from", "with", "logs", "log", "errors", "error"})
# What people call a kind whose log groups carry another word: a Lambda function's group is
# /aws/lambda/<name>, so "the webhook function" shares "lambda" with it.
_KIND_WORDS = {"function": "lambda", "functions": "lambda", "func": "lambda", "funcs": "lambda", "fn": "lambda"}


def named_by_words(names: list[str], words: str) -> list[str]:
    """The log groups whose names share the most words with ``words`` ("what is the payments
    webhook lambda complaining about" -> /aws/lambda/payments-webhook), when they share at
    least two; [] when none does."""
    asked = {_KIND_WORDS.get(w, w) for w in re.findall(r"[a-z0-9]+", words.lower()) if len(w) > 1} - _NO_NAME
    asked = {w for w in asked if len(w) > 2}
    shared = {name: len(asked & set(re.findall(r"[a-z0-9]+", name.lower()))) for name in names}
    best = max(shared.values(), default=0)
    return [name for name, count in shared.items() if count == best] if best >= MIN_SHARED_WORDS else []


def named_inside(names: list[str], word: str) -> list[str]:
    """The groups whose own name (the last part of the path) is a whole part of ``word``: an
    alarm or a metric is named after what it watches plus a suffix ("payments-webhook-errors",
    "prod-checkout-api-5xx"), so its name finds the log group of what it watches."""
    def inside(name: str) -> bool:
        own = name.rstrip("/").rsplit("/", 1)[-1].lower()
        return len(own) > 3 and re.search(rf"(?:^|[-_.]){re.escape(own)}(?:[-_.]|$)", word.lower()) is not None

    return [name for name in names if inside(name)]


def _has_stream(logs: Any, group: str, stream: str) -> bool:
    """Whether ``group`` has a log stream whose name starts with ``stream`` (an instance's)."""
    found = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream, limit=1)
    return bool(found.get("logStreams"))


def _events(ctx: ToolContext, region: str, group: str, args: LogsErrorsArgs,
            start: datetime, end: datetime) -> list[dict[str, Any]]:
    logs = client(ctx, "logs", region)
    request: dict[str, Any] = {"logGroupName": group, "startTime": int(start.timestamp() * 1000),
                               "endTime": int(end.timestamp() * 1000),
                               "filterPattern": args.pattern or DEFAULT_FILTER}
    if args.service and args.service.lower() not in group.lower():  # the host's stream only
        request["logStreamNamePrefix"] = args.service
    rows: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        page = logs.filter_log_events(**request)
        for event in page.get("events", []):
            message = str(event.get("message", "")).rstrip("\n")
            if args.pattern is None and not ERROR_LINE.search(message):
                continue
            rows.append({"time": iso(event.get("timestamp", 0)), "log_group": group, "region": region,
                         "stream": event.get("logStreamName", ""), "message": message[:MESSAGE_CHARS]})
        token = page.get("nextToken")
        if not token or len(rows) >= args.limit * 4:
            break
        request["nextToken"] = token
    return rows


def _read_groups(ctx: ToolContext, groups: dict[str, list[str]], args: LogsErrorsArgs, start: datetime,
                 end: datetime) -> RegionScan[list[dict[str, Any]]]:
    """Every listed group's matching lines in [start, end), region by region."""
    return scan_regions(ctx, [region for region, names in groups.items() if names],
                        lambda region: [row for group in groups[region]
                                        for row in _events(ctx, region, group, args, start, end)],
                        services=("logs",))


@aws_errors("logs")
def logs_errors(ctx: ToolContext, args: LogsErrorsArgs) -> ToolResult:
    regions = regions_for(ctx, args.region)
    start, end = _window(args)
    found = scan_regions(ctx, regions, lambda region: _groups(ctx, region, args), services=("logs",))
    groups = {region: found.results[region] for region in found.answered}
    if args.query and not (args.log_group or args.service):  # across regions: the groups the words name
        named = set(named_by_words([name for names in groups.values() for name in names], args.query))
        groups = {region: [name for name in names if not named or name in named][:MAX_GROUPS]
                  for region, names in groups.items()}
    mentioning: str | None = None
    if not any(groups.values()) and args.service and not args.log_group:
        # "payments-db timing out": a database or a host without a log group of its own shows
        # up in the lines of what talks to it, so every group is read for lines naming it
        mentioning, args = args.service, args.model_copy(update={"service": None})
        found = scan_regions(ctx, regions, lambda region: _groups(ctx, region, args), services=("logs",))
        groups = {region: found.results[region][:MAX_GROUPS] for region in found.answered}
    if not any(groups.values()):
        if args.log_group:
            raise ResourceNotFound(args.log_group, regions, found.failed)
        what = f"matching {(mentioning or args.service)!r} " if mentioning or args.service else ""
        return found.mark(ToolResult.no_data(f"No CloudWatch log groups {what}exist in "
                                             f"{', '.join(found.answered)}."))
    read = _read_groups(ctx, groups, args, start, end)
    scan = RegionScan(regions, results=read.results, failed={**found.failed, **read.failed})
    rows = [row for region_rows in read.values() for row in region_rows]
    searched = [name for names in groups.values() for name in names]
    window = f"{iso(start)} to {iso(end)}"
    what = f"lines matching {args.pattern!r}" if args.pattern else "error lines"
    if mentioning:
        rows = [row for row in rows if mentioning.lower() in row["message"].lower()]
        if not rows:
            return scan.mark(ToolResult.no_data(f"No CloudWatch log group is named after {mentioning!r}, and no "
                                                f"{what} in {', '.join(searched)} from {window} mention it."))
        what = f"{what} mentioning {mentioning!r} (no log group is named after it)"
        searched = list(dict.fromkeys(row["log_group"] for row in rows))
    if not rows:
        empty = f"No {what} in {', '.join(searched)} from {window}."
        if (args.start_time or args.start or args.end) and end >= datetime.now(UTC) - timedelta(minutes=1):
            return scan.mark(_latest_before(ctx, groups, args, start, empty))  # a window up to now
        return scan.mark(ToolResult.no_data(empty))
    rows.sort(key=lambda row: row["time"], reverse=True)
    per_group = {name: sum(1 for row in rows if row["log_group"] == name) for name in searched}
    counts = ", ".join(f"{name} {n}" for name, n in per_group.items() if n)
    if len(rows) == 1:
        what = what.replace("lines", "line", 1)
    summary = f"{len(rows)} {what} from {window} ({counts}); latest at {rows[0]['time']}."
    return scan.mark(ToolResult(status="ok", summary=summary, columns=["time", "log_group", "stream", "message"],
                                rows=rows[: args.limit],
                                facts={"matched": len(rows), "per_group": per_group, "start": iso(start),
                                       "end": iso(end)},
                                resources=searched))


LOOKBACK = timedelta(hours=24)  # how far before an empty window the latest lines are looked for
SHOWN_BEFORE = 5  # lines shown from before an empty window


def _latest_before(ctx: ToolContext, groups: dict[str, list[str]], args: LogsErrorsArgs, start: datetime,
                   empty: str) -> ToolResult:
    """The window asked for ("the last 30 minutes", "yesterday") holds no matching line: the
    latest lines of the day before it, shown as such. "None in the last 30 minutes, the last one
    45 minutes ago" tells whether it stopped or never started, which "none" alone does not."""
    read = _read_groups(ctx, groups, args, start - LOOKBACK, start)
    rows = sorted((row for region_rows in read.values() for row in region_rows),
                  key=lambda row: row["time"], reverse=True)[:SHOWN_BEFORE]
    if not rows:
        return ToolResult.no_data(f"{empty} None in the {int(LOOKBACK.total_seconds() // 3600)} hours before it "
                                  "either.")
    newest = datetime.fromisoformat(str(rows[0]["time"]).replace("Z", "+00:00"))
    gap = ago(newest, start)
    return ToolResult(status="no_data", summary=f"{empty} The latest before it, {gap} before the window began, at "
                      f"{rows[0]['time']}; the {len(rows)} latest are shown.",
                      columns=["time", "log_group", "stream", "message"], rows=rows,
                      facts={"matched": 0, "before_window": len(rows), "latest": rows[0]["time"]},
                      resources=list(dict.fromkeys(row["log_group"] for row in rows)))


LOGS_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_logs_errors", "Recent error lines from CloudWatch Logs for a log group or service.",
             LogsErrorsArgs, "read", ("infra.logs",), "aws", logs_errors),
]
