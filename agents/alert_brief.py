"""The alert-group brief: one Alertmanager notification (a group of alerts sharing a
``groupKey``) as a brief for the incident channel, built with the incident brief's parts
(agents/incident_brief.py: the audited runbook search, the cited first steps).

Why it is shaped this way:
- Labels, annotations, summaries and descriptions are written by rule authors and by
  whatever the rules template in (pod names, error strings): untrusted. They travel only
  as ``alert`` quotes and as runbook *search queries* (a read); they never choose a tool.
  The only tool an alert brief runs is the runbook search; an alert name shows in prose
  only when it is a plain identifier.
- Each alert's runbook: its ``runbook_url`` annotation when that points at a document in
  the knowledge store (the URL's path ends with a stored source's path, extension and case
  aside: a GitHub blob URL of ``knowledge/runbooks/high-cpu.md``, a wiki page
  ``/runbooks/high-cpu``), else the best passage for alert name + summary + description.
  A URL that points elsewhere is said so, and the searched runbook is shown instead.
- A group is identified by a digest of its ``groupKey`` (they are long and contain label
  values), so the same group's later notifications find and update the same message.
"""

from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

from agents.answer import Answer, Citation, Quote, ToolCall
from agents.audit import Origin
from agents.deps import GraphDeps
from agents.incident_brief import SKILL, Part, cite_runbook, run_part
from agents.incident_posts import ALERT_GROUP_PREFIX
from agents.redact import sanitize_obj
from agents.templates import untrusted_quote
from tools.base import ToolResult

RUNBOOK_TOOL = "knowledge_search_runbooks"
ALERTS_SHOWN = 5
RUNBOOKS_CITED = 3
QUERY_CHARS = 300
DOC_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_:.-]{0,79}$")


@dataclass(frozen=True)
class Alert:
    """One alert of a notification; every string in it is untrusted."""

    status: str
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    starts_at: str = ""
    ends_at: str = ""
    generator_url: str = ""
    fingerprint: str = ""

    @property
    def alertname(self) -> str:
        return self.labels.get("alertname", "")

    @property
    def runbook_url(self) -> str:
        return self.annotations.get("runbook_url", "").strip()

    def search_text(self) -> str:
        """What the runbook search reads when no runbook_url points into the store."""
        parts = [self.alertname, self.annotations.get("summary", ""), self.annotations.get("description", "")]
        return " ".join(" ".join(parts).split())[:QUERY_CHARS]


@dataclass(frozen=True)
class AlertGroupEvent:
    """One Alertmanager webhook notification (payload version 4)."""

    group_key: str
    status: str
    receiver: str = ""
    group_labels: dict[str, str] = field(default_factory=dict)
    common_labels: dict[str, str] = field(default_factory=dict)
    common_annotations: dict[str, str] = field(default_factory=dict)
    external_url: str = ""
    truncated_alerts: int = 0
    alerts: tuple[Alert, ...] = ()

    @property
    def key(self) -> str:
        """The group's id in the incident posts table (64 characters at most)."""
        return ALERT_GROUP_PREFIX + hashlib.sha256(self.group_key.encode()).hexdigest()[:40]

    @property
    def delivery(self) -> str:
        """The notification's content as one key: a repeat with the same alerts in the same
        states (a retry, a repeat_interval re-send) has the same one."""
        states = sorted((a.fingerprint, a.status, a.starts_at, a.ends_at) for a in self.alerts)
        digest = hashlib.sha256(repr((self.status, self.truncated_alerts, states)).encode()).hexdigest()[:32]
        return f"{self.key}:{digest}"

    @property
    def name(self) -> str:
        """The group's alert name when it is a plain identifier (prose may show it), else ''."""
        name = self.group_labels.get("alertname") or self.common_labels.get("alertname") or ""
        return plain(name)

    @property
    def firing(self) -> list[Alert]:
        return [a for a in self.alerts if a.status == "firing"]


def plain(name: str) -> str:
    """``name`` if it is an identifier (an alert name as Prometheus writes them), else ''."""
    return name if PLAIN_NAME.match(name) else ""


# --------------------------------------------------------------------------- runbook_url


def url_path(url: str) -> str:
    """The comparable path of a URL or a source: lower case, unquoted, without scheme, host,
    query, fragment, trailing slash or document extension."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path if parts.scheme or parts.netloc else url.split("#")[0].split("?")[0])
    path = path.lower().rstrip("/")
    for suffix in DOC_SUFFIXES:
        if path.endswith(suffix):
            return path[: -len(suffix)]
    return path


def points_to(url: str, source: str) -> bool:
    """Whether ``url`` names the stored document ``source`` (its path ends with the
    source's whole path: ``.../runbooks/high-cpu`` names ``high-cpu.md``, not
    ``not-high-cpu.md``)."""
    path, stored = url_path(url), url_path(source)
    return bool(path and stored) and (path == stored or path.endswith("/" + stored.lstrip("/")))


def url_query(url: str, alertname: str) -> str:
    """The search that brings the URL's document up: its last two path segments as words,
    and the alert name (titles are often the alert name)."""
    segments = [s for s in url_path(url).split("/") if s][-2:]
    words = " ".join(re.sub(r"[-_.]+", " ", s) for s in segments)
    return f"{words} {plain(alertname)}".strip()[:QUERY_CHARS] or "runbook"


# --------------------------------------------------------------------------- gathering


@dataclass
class AlertRunbook:
    """The runbook found for one alert, and how."""

    alert: Alert
    how: str  # "runbook_url" | "search" | "search, runbook_url not in the store" | "none"
    best: dict[str, Any] | None
    candidates: list[dict[str, Any]]
    records: list[dict[str, Any]]


def _rows(record: dict[str, Any]) -> list[dict[str, Any]]:
    result = ToolResult.model_validate(record["result"])
    return list(result.rows) if result.status == "ok" else []


def find_runbook(deps: GraphDeps, origin: Origin, alert: Alert) -> AlertRunbook:
    """``alert``'s runbook: the runbook_url's document when it is in the store, else the
    best search result; then that runbook's triage passages for its first steps."""
    records: list[dict[str, Any]] = []
    best: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = []
    how = "search"
    if alert.runbook_url:
        records.append(run_part(deps, origin, Part("runbook_url", RUNBOOK_TOOL,
                                                   {"query": url_query(alert.runbook_url, alert.alertname), "k": 10})))
        rows = _rows(records[-1])
        best = next((row for row in rows if points_to(alert.runbook_url, str(row.get("source") or ""))), None)
        how = "runbook_url" if best is not None else "search, runbook_url not in the store"
    if best is None:
        records.append(run_part(deps, origin, Part("runbooks", RUNBOOK_TOOL,
                                                   {"query": alert.search_text() or "incident response", "k": 4})))
        rows = _rows(records[-1])
        best = rows[0] if rows else None
    if best is None:
        return AlertRunbook(alert, "none", None, [], records)
    records.append(run_part(deps, origin, Part("runbook steps", RUNBOOK_TOOL,
                                               {"query": f"{best.get('title') or ''} triage".strip(), "k": 10})))
    return AlertRunbook(alert, how, best, [*_rows(records[-1]), *rows], records)


def distinct_alerts(event: AlertGroupEvent) -> list[Alert]:
    """One alert per (alert name, runbook_url), firing first: whose runbooks the brief shows."""
    seen: set[tuple[str, str]] = set()
    chosen: list[Alert] = []
    for alert in sorted(event.alerts, key=lambda a: a.status != "firing"):
        key = (alert.alertname, alert.runbook_url)
        if key not in seen:
            seen.add(key)
            chosen.append(alert)
    return chosen[:RUNBOOKS_CITED]


def build_alert_brief(deps: GraphDeps, origin: Origin, event: AlertGroupEvent) -> Answer:
    """The brief of ``event``: each distinct alert's runbook found now (in parallel)."""
    alerts = distinct_alerts(event)
    if RUNBOOK_TOOL not in deps.registry or not alerts:
        return compose_alerts(event, [])
    with ThreadPoolExecutor(max_workers=min(3, len(alerts)), thread_name_prefix="alert-brief") as pool:
        found = list(pool.map(lambda alert: find_runbook(deps, origin, alert), alerts))
    return compose_alerts(event, found)


# --------------------------------------------------------------------------- composing


def lead_of(event: AlertGroupEvent) -> str:
    """The sentence read first: state, how many, which group (never untrusted free text)."""
    total = len(event.alerts) + event.truncated_alerts
    noun = "alert" if total == 1 else "alerts"
    group = f"{event.name} " if event.name else ""
    severity = plain(event.common_labels.get("severity", ""))
    tail = f", severity {severity}" if severity else ""
    if event.status == "resolved":
        return f"Resolved: {group}alert group, all {total} {noun} resolved{tail}."
    firing = len(event.firing) + event.truncated_alerts
    return f"Firing: {group}alert group, {firing} of {total} {noun} firing{tail}."


def alert_quote(alert: Alert) -> Quote:
    """An alert as quoted, untrusted text: summary, description, labels, since when."""
    summary = alert.annotations.get("summary", "")
    description = alert.annotations.get("description", "") or alert.annotations.get("message", "")
    labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname")
    lines = [f"summary: {summary}" if summary else "", f"description: {description}" if description else "",
             f"labels: {labels}" if labels else "",
             f"since {alert.starts_at}" + (f", ended {alert.ends_at}" if alert.status == "resolved" else "")]
    label = f"{alert.status.capitalize()}: {plain(alert.alertname) or 'alert'}"
    return untrusted_quote("alert", label, "\n".join(line for line in lines if line), max_lines=6, max_chars=900)


def compose_alerts(event: AlertGroupEvent, found: list[AlertRunbook]) -> Answer:
    """The typed answer (no markup: bot/render draws it)."""
    paragraphs: list[str] = []
    notes: list[str] = []
    quotes = [alert_quote(alert) for alert in sorted(event.alerts, key=lambda a: a.status != "firing")][:ALERTS_SHOWN]
    hidden = len(event.alerts) - len(quotes)
    if hidden > 0:
        notes.append(f"{hidden} more alerts in this group are not shown.")
    if event.truncated_alerts:
        notes.append(f"Alertmanager left {event.truncated_alerts} alerts out of this notification (max_alerts).")
    if event.status != "resolved":
        resolved = len(event.alerts) - len(event.firing)
        if resolved:
            paragraphs.append(f"{len(event.firing)} firing, {resolved} resolved since the last notification.")
    citations: list[Citation] = []
    for pick in found:
        name = plain(pick.alert.alertname) or "an alert"
        if pick.best is None:
            failed = [ToolResult.model_validate(r["result"]) for r in pick.records]
            errors = [r.summary for r in failed if r.status == "error"]
            notes.append(f"missing: runbooks ({errors[0]})" if errors else
                         f"No runbook matches {name}; ingest yours with `guardian knowledge ingest`.")
            continue
        citation, quote = cite_runbook(pick.best, pick.candidates)
        if pick.how == "search, runbook_url not in the store":
            notes.append(f"The runbook_url of {name} is not a document in the knowledge store; the runbook "
                         "shown is the best match by search.")
        found_by = "its runbook_url" if pick.how == "runbook_url" else "best match by search"
        paragraphs.append(f"Runbook for {name}: {citation.title} ({found_by}).")
        if citation not in citations:
            citations.append(citation)
            quotes.append(quote)
    records = [record for pick in found for record in pick.records]
    answer = Answer(
        agent="incident", skill=SKILL, lead=lead_of(event), paragraphs=paragraphs, quotes=quotes, notes=notes,
        citations=citations,
        tools=[ToolCall(name=str(r["tool"]), args=dict(r.get("args") or {}),
                        ok=r["result"]["status"] != "error", status=r["result"]["status"]) for r in records],
    )
    return Answer.model_validate(sanitize_obj(answer.model_dump()))
