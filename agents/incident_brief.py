"""The incident brief: what a responder needs in the first ten minutes, gathered when
PagerDuty pages (trigger, escalation, reassignment) and posted once to the incident channel.

Why it is shaped this way:
- The incident's title, its alerts and its notes are written by monitors and people, so
  they are untrusted: they travel only as quotes, and they never choose a tool. The brief
  runs a fixed set of read tools whose arguments come from the event's structured fields
  (incident id, service); the title is used only as a runbook search query (a read).
- Each source is one part. A part that fails (GitHub down, AWS throttling) costs only
  itself: the brief still posts, with one "missing: ..." note naming it and why.
- The parts run in parallel (they wait on different APIs), every call audited.
- The result is the typed ``Answer``; the surfaces render it (bot/render/), with Ack /
  Resolve / Escalate as ``incident_actions`` that go through the policy and approvals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from agents.answer import Answer, Citation, IncidentAction, Quote, Table, ToolCall
from agents.audit import Origin
from agents.deps import GraphDeps
from agents.execution import run_read
from agents.planner import PlannedCall
from agents.redact import sanitize_obj
from agents.tables import typed_table
from agents.templates import untrusted_quote
from tools.base import ToolResult

SKILL = "incident.brief"
RUNBOOKS_CITED = 2
STEP_LINES = 6
LOG_LINES = 8
STEP = re.compile(r"^\s*(\d+[.)]|[-*•])\s+")
STEPS_SECTION = re.compile(r"triage|first|immediate|mitigat|what to do|steps|respond", re.IGNORECASE)
SUFFIXES = ("-api", "-web", "-svc", "-service", "-worker", "-app")
VERBS = {"incident.triggered": "Triggered", "incident.escalated": "Escalated",
         "incident.reassigned": "Reassigned", "incident.acknowledged": "Acknowledged",
         "incident.resolved": "Resolved"}


@dataclass(frozen=True)
class IncidentEvent:
    """One PagerDuty webhook event about an incident, as the surfaces parse it. ``title`` is
    untrusted; ``agent`` is who acted (for acknowledged/resolved)."""

    event_id: str
    event_type: str
    incident_id: str
    title: str = ""
    service: str = ""
    urgency: str = ""
    status: str = ""
    number: int | None = None
    url: str = ""
    agent: str = ""
    occurred_at: str = ""

    @property
    def opens_brief(self) -> bool:
        return self.event_type in ("incident.triggered", "incident.escalated", "incident.reassigned")


@dataclass(frozen=True)
class Part:
    """One source of the brief: the tool, its arguments, and how a person names it when missing."""

    name: str
    tool: str
    args: dict[str, Any]


def service_key(name: str) -> str:
    """'Payments API' / 'payments-api' -> 'payments': the name the repositories' and the
    cloud resources' service tags use."""
    key = name.strip().lower().split(" ")[0] if name.strip() else ""
    for suffix in SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def parts_for(event: IncidentEvent) -> list[Part]:
    """The fixed reads of a brief. Only the runbook query contains the (untrusted) title,
    and it is a search, never an instruction."""
    service = service_key(event.service)
    parts = [Part("incident details", "pagerduty_incident_brief", {"incident_id": event.incident_id}),
             Part("runbooks", "knowledge_search_runbooks",
                  {"query": f"{event.title[:300]} {service}".strip() or "incident response", "k": 4})]
    if service:
        parts += [Part("on-call", "pagerduty_oncall", {"service": service}),
                  Part("recent changes", "github_recent_changes", {"service": service, "limit": 5}),
                  Part("log errors", "aws_logs_errors", {"service": service, "since": 6, "limit": 20}),
                  Part("resource health", "aws_inventory", {"service": service, "limit": 20})]
    return parts


def run_part(deps: GraphDeps, origin: Origin, part: Part) -> dict[str, Any]:
    """One part's tool record (audited), or an error record if it raised: a part never costs
    the brief."""
    try:
        return run_read(deps, origin, SKILL, PlannedCall(deps.registry.get(part.tool), part.args))
    except Exception as exc:
        result = ToolResult.error(f"{part.tool} failed ({type(exc).__name__})")
        return {"tool": part.tool, "args": part.args, "result": result.model_dump()}


def run_parts(deps: GraphDeps, origin: Origin, parts: list[Part]) -> dict[str, dict[str, Any]]:
    """Every part the registry has, in parallel (they wait on different APIs), by name."""
    parts = [part for part in parts if part.tool in deps.registry]
    with ThreadPoolExecutor(max_workers=min(6, max(1, len(parts))), thread_name_prefix="brief") as pool:
        records = list(pool.map(lambda part: run_part(deps, origin, part), parts))
    return {part.name: record for part, record in zip(parts, records, strict=True)}


def gather(deps: GraphDeps, origin: Origin, event: IncidentEvent) -> dict[str, dict[str, Any]]:
    """Run every part (in parallel), then the best runbook's first steps."""
    gathered = run_parts(deps, origin, parts_for(event))
    steps = steps_part(gathered.get("runbooks"))
    if steps is not None and steps.tool in deps.registry:
        gathered[steps.name] = run_part(deps, origin, steps)
    return gathered


def steps_part(runbooks: dict[str, Any] | None) -> Part | None:
    """The best runbook's first steps: its triage section, searched for by the runbook's own
    title (from the store, not from the incident)."""
    result = ToolResult.model_validate(runbooks["result"]) if runbooks else None
    if result is None or result.status != "ok" or not result.rows:
        return None
    title = str(result.rows[0].get("title") or "")
    return Part("runbook steps", "knowledge_search_runbooks", {"query": f"{title} triage", "k": 10})


def build_brief(deps: GraphDeps, origin: Origin, event: IncidentEvent) -> Answer:
    """The brief for ``event``: gathered now, from the fixed reads."""
    return compose(event, gather(deps, origin, event))


def compose(event: IncidentEvent, records: dict[str, dict[str, Any]]) -> Answer:
    """The typed answer from the parts' tool records (no markup: bot/render draws it)."""
    results = {name: ToolResult.model_validate(record["result"]) for name, record in records.items()}
    brief = _Brief(event)
    incident = results.get("incident details")
    brief.incident(incident)
    brief.runbooks(results.get("runbooks"), results.get("runbook steps"))
    brief.table(results.get("on-call"), "On call and escalation path", ["escalation_policy", "level", "user",
                                                                         "until"], sorted_by="level")
    brief.table(results.get("recent changes"), "Recent changes", sorted_by="age")
    brief.logs(results.get("log errors"))
    brief.table(results.get("resource health"), "Resources tagged with the service",
                ["kind", "id", "name", "region", "state"])
    for name, result in results.items():
        if result.status == "error":
            brief.notes.append(f"missing: {name} ({result.summary})")
    status = str(incident.facts.get("status")) if incident and incident.status == "ok" else event.status
    answer = Answer(
        agent="incident", skill=SKILL, lead=brief.lead(status), paragraphs=brief.paragraphs, tables=brief.tables,
        quotes=brief.quotes, notes=brief.notes, citations=brief.citations,
        resources=list(dict.fromkeys([event.incident_id, *brief.resources])),
        tools=[ToolCall(name=str(r["tool"]), args=dict(r.get("args") or {}), ok=results[n].status != "error",
                        status=results[n].status) for n, r in records.items()],
        incident_actions=actions_for(event.incident_id, status),
    )
    # as every answer leaving the graph: secrets masked, terminal controls stripped (the
    # event's own title is in it when PagerDuty's API could not be read)
    return Answer.model_validate(sanitize_obj(answer.model_dump()))


def actions_for(incident_id: str, status: str) -> list[IncidentAction]:
    """The buttons an incident in ``status`` offers: none once it is resolved."""
    if status == "resolved":
        return []
    verbs: list[Any] = ["resolve", "escalate"] if status == "acknowledged" else ["ack", "resolve", "escalate"]
    return [IncidentAction(incident_id=incident_id, verb=verb) for verb in verbs]


def with_status(answer: Answer, event: IncidentEvent) -> Answer:
    """The posted brief after an acknowledged or resolved event: the same facts, the new
    status first, and only the buttons that still make sense."""
    status = "resolved" if event.event_type == "incident.resolved" else "acknowledged"
    who = f" by {event.agent}" if event.agent else ""
    when = f" at {event.occurred_at}" if event.occurred_at else ""
    line = f"{status.capitalize()}{who}{when}."
    kept = [text for text in answer.paragraphs if not text.startswith(("Acknowledged", "Resolved"))]
    return answer.model_copy(update={"paragraphs": [line, *kept],
                                     "incident_actions": actions_for(answer.resources[0] if answer.resources
                                                                     else event.incident_id, status),
                                     "lead": _status_lead(answer.lead, status)})


def _status_lead(lead: str, status: str) -> str:
    for old in ("triggered", "acknowledged", "resolved"):
        lead = lead.replace(f"now {old}", f"now {status}")
    return lead


class _Brief:
    """Collects the brief's pieces part by part."""

    def __init__(self, event: IncidentEvent) -> None:
        self.event = event
        self.paragraphs: list[str] = []
        self.tables: list[Table] = []
        self.quotes: list[Quote] = []
        self.notes: list[str] = []
        self.citations: list[Citation] = []
        self.resources: list[str] = []
        self.urgency = event.urgency
        self.number = event.number

    def lead(self, status: str) -> str:
        verb = VERBS.get(self.event.event_type, "Paged")
        number = f" (#{self.number})" if self.number else ""
        service = f" on {service_key(self.event.service) or self.event.service}" if self.event.service else ""
        urgency = f", {self.urgency} urgency" if self.urgency else ""
        return f"{verb}: incident {self.event.incident_id}{number}{service}{urgency}, now {status or 'open'}."

    def incident(self, result: ToolResult | None) -> None:
        title = self.event.title
        if result is not None and result.status == "ok":
            facts = result.facts
            title = str(facts.get("title") or title)
            self.urgency = str(facts.get("urgency") or self.urgency)
            self.number = facts.get("number") or self.number
            assignees = ", ".join(str(a) for a in facts.get("assignees") or []) or "nobody"
            policy = facts.get("escalation_policy")
            self.paragraphs.append(f"Assigned to {assignees}" + (f"; escalation policy {policy}." if policy else "."))
            alerts = facts.get("alerts") or []
            if alerts:
                text = "\n".join(f"{a.get('severity') or ''}: {a.get('summary') or ''}" for a in alerts)
                self.quotes.append(untrusted_quote("alert", "Alerts", text, max_lines=5))
            self.resources += [str(r) for r in result.resources]
        self.quotes.insert(0, untrusted_quote("alert", "What fired (the incident title)", title or "(no title)",
                                              max_lines=3, max_chars=400))

    def runbooks(self, result: ToolResult | None, steps: ToolResult | None = None) -> None:
        if result is None or result.status != "ok":
            if result is not None and result.status == "no_data":
                self.notes.append("No runbook matches this incident; ingest yours with `guardian knowledge ingest`.")
            return
        candidates = [*(steps.rows if steps is not None and steps.status == "ok" else []), *result.rows]
        shown: list[str] = []
        for best in result.rows:
            source = str(best.get("source") or "")
            if source in shown or len(shown) >= RUNBOOKS_CITED:
                continue
            shown.append(source)
            citation, quote = cite_runbook(best, candidates)
            self.citations.append(citation)
            self.quotes.append(quote)

    def table(self, result: ToolResult | None, title: str, columns: list[str] | None = None,
              sorted_by: str = "") -> None:
        """The result as a table; ``sorted_by`` names the order the tool already gave (on-call
        by level, changes newest first), which a renderer must keep."""
        if result is None or result.status == "error":
            return
        if result.status == "no_data" or not result.rows:
            self.paragraphs.append(f"{title}: {result.summary or 'none'}")
            return
        shown = result.model_copy(update={"columns": [c for c in (columns or result.columns)
                                                      if c in result.columns or not result.columns]})
        data = typed_table(shown, title)
        if data is not None:
            if sorted_by and not data.sorted_by and sorted_by in [c.key for c in data.columns]:
                data.sorted_by = sorted_by
            self.tables.append(data)
        self.resources += [str(r) for r in result.resources][:20]

    def logs(self, result: ToolResult | None) -> None:
        if result is None or result.status == "error":
            return
        if result.status == "no_data" or not result.rows:
            self.paragraphs.append(f"Log errors: {result.summary or 'none'}")
            return
        lines = [f"{row.get('time')} {row.get('log_group')}: {row.get('message')}" for row in result.rows]
        self.quotes.append(untrusted_quote("log", f"Recent log errors ({result.summary})", "\n".join(reversed(lines)),
                                           max_lines=LOG_LINES))


def cite_runbook(best: dict[str, Any], candidates: list[dict[str, Any]]) -> tuple[Citation, Quote]:
    """The citation of ``best``'s runbook and its first steps, quoted from its triage-like
    section among ``candidates`` (passages of search results), else from ``best`` itself."""
    source = str(best.get("source") or "")
    same = [row for row in candidates if row.get("source") == source]
    row = next((r for r in same if STEPS_SECTION.search(str(r.get("section") or ""))), best)
    section = f" ({row['section']})" if row.get("section") else ""
    label = f"First steps: {row.get('title') or source}{section}"
    quote = untrusted_quote("runbook", label, first_steps(str(row.get("text") or "")), source=source,
                            max_lines=STEP_LINES)
    return Citation(source=source, title=str(row.get("title") or source)), quote


def first_steps(text: str) -> str:
    """The runbook passage's first steps (numbered or bulleted lines), else its first lines."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    steps = [line for line in lines if STEP.match(line)]
    return "\n".join((steps or lines)[:STEP_LINES])


BriefBuilder = Callable[[IncidentEvent], Answer]
