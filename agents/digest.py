"""The digest a subscribed channel receives each day or week: spend against the previous
period and the forecast, the services whose cost moved most, new and still-open security
findings, failed deploys and incidents of the period. Every line carries the question that
expands it ("ask: ..."), answered by the ordinary chat.

Built only from the registry's read tools (the same facts a question would get), as a typed
``Answer`` that each surface renders its own way. A source that fails is named in a note and
the rest of the digest still stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from agents.answer import Answer, Cell, Column, Table, ToolCall
from tools.aws.cost import CE_SERVICE_NAMES
from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry

TOP_MOVERS = 5
MAX_ROWS = 10
FAILED = ("failure", "timed_out", "startup_failure")
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
FINDING_QUESTION = {"public_bucket": "which buckets are public?", "unencrypted_bucket": "which buckets are "
                    "unencrypted?", "open_security_group": "which security groups are open to the world?",
                    **dict.fromkeys(("iam_no_mfa", "iam_old_access_key", "iam_unused_access_key", "iam_admin_user"),
                                    "which IAM users have issues?")}
ASK = Column(key="ask", label="ask", kind="question")


@dataclass(frozen=True)
class Period:
    """A digest's period: [start, end), and the one before it of the same length."""

    cadence: str  # daily | weekly
    start: date
    end: date

    @property
    def key(self) -> str:
        if self.cadence == "weekly":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.isoformat()

    @property
    def previous(self) -> Period:
        length = self.end - self.start
        return Period(self.cadence, self.start - length, self.start)

    @property
    def words(self) -> str:
        """How a question names the period ("yesterday" is wrong a day later: use dates)."""
        last = self.end - timedelta(days=1)
        return f"on {self.start.isoformat()}" if self.start == last else \
            f"from {self.start.isoformat()} until {self.end.isoformat()}"

    @property
    def title(self) -> str:
        return f"Daily digest for {self.start.isoformat()}" if self.cadence == "daily" else \
            f"Weekly digest for {self.key} ({self.start.isoformat()} to {(self.end - timedelta(days=1)).isoformat()})"


def period_for(cadence: str, key: str) -> Period:
    """The period a key names: ``2026-12-01`` (daily) or ``2026-W48`` (weekly, Monday first)."""
    if cadence == "weekly":
        year, week = key.split("-W")
        start = date.fromisocalendar(int(year), int(week), 1)
        return Period("weekly", start, start + timedelta(days=7))
    start = date.fromisoformat(key)
    return Period("daily", start, start + timedelta(days=1))


def latest_due(cadence: str, today: date, hour_now: int, post_hour: int) -> Period:
    """The newest period whose digest is due: yesterday's (weekly: last week's) once the
    post hour has passed, else the one before."""
    if cadence == "weekly":
        monday = today - timedelta(days=today.weekday())
        if today == monday and hour_now < post_hour:
            monday -= timedelta(days=7)
        return Period("weekly", monday - timedelta(days=7), monday)
    end = today if hour_now >= post_hour else today - timedelta(days=1)
    return Period("daily", end - timedelta(days=1), end)


def _money(value: float | None, unit: str = "USD") -> Cell:
    return Cell(kind="money", value=None if value is None else round(value, 2), unit=unit)


def _pct(now: float, before: float) -> Cell:
    return Cell(kind="percent", value=round(100 * (now - before) / before, 1) if before else None)


def _ask(question: str) -> Cell:
    return Cell(kind="question", value=question)


class DigestBuilder:
    """Runs the read tools for one period and puts their facts into one Answer."""

    def __init__(self, registry: ToolRegistry, ctx: ToolContext) -> None:
        self.registry = registry
        self.ctx = ctx

    def _run(self, answer: Answer, source: str, tool: str, args: dict[str, Any]) -> ToolResult | None:
        result = self.registry.invoke(tool, args, self.ctx)
        answer.tools.append(ToolCall(name=tool, args=args, ok=result.status != "error", status=result.status))
        if result.status == "error":
            answer.notes.append(f"Missing from this digest: {source} ({result.summary})")
            return None
        return result

    def build(self, period: Period, scan: ToolResult | None = None, new_findings: set[str] | None = None) -> Answer:
        """The digest. ``scan``: the security scan already run (else it runs here);
        ``new_findings``: keys (``finding_key``) the previous digest of this cadence did not
        list, None when there is no previous digest to compare with."""
        answer = Answer(agent="proactive", skill="proactive.digest", lead=period.title + ".")
        self._spend(answer, period)
        if scan is None:
            findings = self._run(answer, "security findings", "aws_security_scan", {})
        else:
            answer.tools.append(ToolCall(name="aws_security_scan", args={}, ok=scan.status != "error",
                                         status=scan.status))
            findings = None if scan.status == "error" else scan
            if findings is None:
                answer.notes.append(f"Missing from this digest: security findings ({scan.summary})")
        if findings is not None:
            answer.tables.append(findings_table(findings, new_findings))
            answer.resources.extend(findings.resources)
        self._deploys(answer, period)
        self._incidents(answer, period)
        return answer

    def _spend(self, answer: Answer, period: Period) -> None:
        window = {"start": period.start.isoformat(), "end": period.end.isoformat(), "limit": 100}
        before = {"start": period.previous.start.isoformat(), "end": period.previous.end.isoformat(), "limit": 100}
        now = self._run(answer, "spend", "aws_cost_by_service", window)
        prev = self._run(answer, "previous spend", "aws_cost_by_service", before)
        forecast = self._run(answer, "forecast", "aws_cost_forecast", {})
        rows: list[list[Cell]] = []
        total = _total(now)
        prev_total = _total(prev)
        unit = str((now or prev or ToolResult(status="no_data")).facts.get("currency", "USD"))
        if now is not None:
            lead = f"AWS spend was ${total:,.2f}"
            if prev is not None:
                lead += f" against ${prev_total:,.2f} the period before"
            answer.lead = f"{period.title}: {lead}."
            rows.append([Cell(value="AWS spend"), _money(total, unit), _money(prev_total if prev else None, unit),
                         _pct(total, prev_total) if prev else Cell(kind="percent"),
                         _ask(f"what did we spend {period.words} by service")])
        if forecast is not None:
            projected = float(forecast.facts.get("projected_total", 0.0))
            rows.append([Cell(value=f"forecast to {forecast.facts.get('end', 'month end')}"),
                         _money(projected, unit), Cell(kind="money"), Cell(kind="percent"),
                         _ask("what is the forecast for this month")])
        if rows:
            answer.tables.append(Table(title="Spend", columns=[
                Column(key="item", label="item"), Column(key="amount", label="amount", kind="money"),
                Column(key="previous", label="previous period", kind="money"),
                Column(key="change", label="change", kind="percent"), ASK], rows=rows, sorted_by="item"))
        if now is not None and prev is not None:
            answer.tables.append(movers_table(now, prev, period, unit))

    def _deploys(self, answer: Answer, period: Period) -> None:
        runs = self._run(answer, "deploys (GitHub)", "github_workflow_runs",
                         {"start": period.start.isoformat(), "end": period.end.isoformat(), "limit": 50})
        if runs is None:
            return
        failed = [row for row in runs.rows if row.get("conclusion") in FAILED]
        if not failed:
            answer.paragraphs.append(f"No failed runs or deploys {period.words}.")
            return
        answer.tables.append(Table(title=f"Failed runs and deploys ({len(failed)})", columns=[
            Column(key="repo", label="repo"), Column(key="workflow", label="workflow"),
            Column(key="run_id", label="run", kind="id"), Column(key="branch", label="branch"), ASK],
            rows=[[Cell(value=row["repo"]), Cell(value=row["workflow"]), Cell(kind="id", value=str(row["run_id"])),
                   Cell(value=row.get("branch")), _ask(f"why did run {row['run_id']} fail")]
                  for row in failed[:MAX_ROWS]], total_rows=len(failed), sorted_by="run_id"))
        answer.resources.extend(str(row["run_id"]) for row in failed)

    def _incidents(self, answer: Answer, period: Period) -> None:
        incidents = self._run(answer, "incidents (PagerDuty)", "pagerduty_open_incidents",
                              {"status": "all", "start": period.start.isoformat(), "end": period.end.isoformat(),
                               "limit": 100})
        if incidents is None:
            return
        rows = incidents.rows
        if not rows:
            answer.paragraphs.append(f"No incidents opened {period.words}.")
            return
        answer.tables.append(Table(title=f"Incidents ({len(rows)})", columns=[
            Column(key="id", label="incident", kind="id"), Column(key="status", label="status", kind="status"),
            Column(key="urgency", label="urgency"), Column(key="service", label="service"),
            Column(key="title", label="title"), ASK],
            rows=[[Cell(kind="id", value=row["id"]), Cell(kind="status", value=row.get("status")),
                   Cell(value=row.get("urgency")), Cell(value=row.get("service")), Cell(value=row.get("title")),
                   _ask(f"brief on incident {row['id']}")] for row in rows[:MAX_ROWS]],
            total_rows=len(rows), sorted_by="id"))
        answer.resources.extend(str(row["id"]) for row in rows)


def _total(result: ToolResult | None) -> float:
    return float(result.facts.get("total", 0.0)) if result is not None else 0.0


def movers_table(now: ToolResult, prev: ToolResult, period: Period, unit: str) -> Table:
    """The services whose spend changed most against the previous period, by amount."""
    current = {row["service"]: float(row["cost"]) for row in now.rows}
    before = {row["service"]: float(row["cost"]) for row in prev.rows}
    change = {name: current.get(name, 0.0) - before.get(name, 0.0) for name in {*current, *before}}
    top = sorted(change, key=lambda name: (-abs(change[name]), name))[:TOP_MOVERS]
    rows = [[Cell(value=name), _money(current.get(name, 0.0), unit), _money(before.get(name, 0.0), unit),
             _money(change[name], unit), _ask(f"why did {short_service(name)} cost change {period.words}")]
            for name in top if round(change[name], 2) != 0]
    return Table(title="Top cost movers", columns=[
        Column(key="service", label="service"), Column(key="amount", label="this period", kind="money"),
        Column(key="previous", label="previous period", kind="money"),
        Column(key="change", label="change", kind="money"), ASK], rows=rows, sorted_by="change")


def short_service(name: str) -> str:
    """The name a question uses for a Cost Explorer service (``ec2`` for "Amazon Elastic
    Compute Cloud - Compute"): the router knows the short names."""
    return next((short for short, full in CE_SERVICE_NAMES.items() if full == name), name)


def finding_key(row: dict[str, Any]) -> str:
    return f"{row['check']}:{row['region']}:{row['resource']}:{row['detail']}"[:512]


def findings_table(result: ToolResult, new_keys: set[str] | None) -> Table:
    """Findings, new ones first, then by severity."""
    rows = sorted(result.rows, key=lambda row: (new_keys is None or finding_key(row) not in new_keys,
                                               SEVERITY_RANK.get(row["severity"], 9), row["resource"]))
    new = sum(1 for row in rows if new_keys is not None and finding_key(row) in new_keys)
    title = f"Security findings ({new} new, {len(rows) - new} still open)" if new_keys is not None else \
        f"Security findings ({len(rows)} open; the first digest, nothing earlier to compare with)"
    return Table(title=title, columns=[
        Column(key="state", label="state", kind="status"), Column(key="severity", label="severity", kind="status"),
        Column(key="check", label="check"), Column(key="resource", label="resource", kind="id"), ASK],
        rows=[[Cell(kind="status", value="new" if new_keys is not None and finding_key(row) in new_keys else "open"),
               Cell(kind="status", value=row["severity"]), Cell(value=row["check"]),
               Cell(kind="id", value=row["resource"]),
               _ask(FINDING_QUESTION.get(row["check"], f"tell me about {row['resource']}"))]
              for row in rows[:MAX_ROWS]], total_rows=len(rows), sorted_by="state")
