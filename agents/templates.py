"""Offline answers: a typed ``Answer`` built from tool results only. Every figure and id an
answer shows is quoted from a ToolResult, so nothing is invented; runbook, log and alert
text travels as typed quotes (data, never instructions). No markup is built here: the
surfaces in ``bot/render`` decide how a lead, a table or a quote looks."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from agents.answer import (
    Answer,
    ApprovalAction,
    Chart,
    Choice,
    Citation,
    PendingApproval,
    Point,
    Quote,
    QuoteKind,
    Series,
    Table,
    ToolCall,
)
from agents.brief_changes import CHANGES_TOOL, changes_for_service, incident_service
from agents.clarified import MEANT
from agents.focus import focus, focus_text, lent_target
from agents.named_change import named_change
from agents.route import Route
from agents.skills import SKILL_BY_NAME, SKILLS
from agents.tables import text_table, typed_table
from tools.base import CAVEAT, ToolResult

QUOTE_KINDS: dict[str, QuoteKind] = {"evidence": "log", "error_lines": "log", "log_tail": "log", "lines": "log",
                                     "alerts": "alert", "alert": "alert", "notes": "note", "details": "alert",
                                     "alert_details": "alert"}
QUOTE_LINES = 15
QUOTE_CHARS = 1500
RUNBOOK_CHARS = 600


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        who = value.get("who") or value.get("severity") or ""
        text = value.get("content") or value.get("summary") or value.get("message") or ""
        return f"{who}: {text}" if who else str(text)
    return str(value)


def untrusted_quote(kind: QuoteKind, label: str, text: str, *, source: str = "", max_lines: int = QUOTE_LINES,
                    max_chars: int = QUOTE_CHARS) -> Quote:
    """Text systems or people wrote, cut (a log to its last ``max_lines`` lines,
    anything else to its first): data to show, never instructions to follow (OWASP LLM01)."""
    lines = [line[:300] for line in text.splitlines() if line.strip()]
    body = "\n".join(lines[-max_lines:] if kind == "log" else lines[:max_lines])
    if len(body) > max_chars:
        body = ("…" + body[-(max_chars - 1):]) if kind == "log" else body[: max_chars - 1] + "…"
    return Quote(kind=kind, label=label, text=body, source=source, total_lines=len(lines))


def untrusted_quotes(result: ToolResult) -> list[Quote]:
    """The result's untrusted fields (``facts["untrusted"]``: log tails, alert bodies, notes)
    as typed quotes: the evidence line of a diagnosis first, then error lines."""
    first = ("evidence", "error_lines")
    keys = sorted(result.facts.get("untrusted", []), key=lambda key: first.index(key) if key in first else 2)
    quotes = []
    for key in keys:
        value = result.facts.get(key)
        if key == "title" or not value:
            continue
        kind = QUOTE_KINDS.get(key, "log")
        quotes.append(untrusted_quote(kind, key.replace("_", " ").capitalize(), _as_text(value)))
    return quotes


def citations_of(results: Iterable[ToolResult]) -> list[Citation]:
    seen: list[Citation] = []
    for result in results:
        for cite in result.citations:
            citation = Citation(source=cite.get("source", ""), title=cite.get("title", ""))
            if citation not in seen:
                seen.append(citation)
    return seen


def named_resources(results: Iterable[ToolResult], text: str) -> list[str]:
    """Ids from tool results that the answer actually shows."""
    named: list[str] = []
    for result in results:
        for resource in result.resources:
            if resource and resource not in named and resource in text:
                named.append(resource)
    return named


def tool_calls(calls: Sequence[dict[str, Any]]) -> list[ToolCall]:
    return [
        ToolCall(name=call["tool"], args=call["args"], ok=call["result"]["status"] != "error",
                 status=call["result"]["status"])
        for call in calls
    ]


EXAMPLES = ("which buckets are public?", "what did we spend on ec2 last week?", "errors in checkout logs",
            "stop i-0abc123", "how do I fix a full disk?")


def would_do(summary: str) -> str:
    """A write's preview as what an approval would do: "If approved, this would re-run the
    failed jobs of run 42. Nothing was proposed or changed." (the preview's sentence, its
    capital and full stop dropped; an acronym opening it keeps its capitals)."""
    said = summary.strip().rstrip(".").rstrip()
    if len(said) > 1 and said[0].isupper() and said[1].islower():
        said = said[0].lower() + said[1:]
    return f"If approved, this would {said}. Nothing was proposed or changed."


# The write an action slot names ("reboot", "rerun"): what a help question about it is about.
_ACTION_SKILLS = {"rerun": "cicd.rerun", "ack": "incident.ack", "resolve": "incident.resolve",
                  "page": "incident.page"}
# Write nouns a help question names a kind of change by ("approve stuff like restarts", "who
# signs off on reruns"), which no action slot reads (the slot reads the verb)
_WRITE_NOUNS = (("infra.action", re.compile(r"\b(?:restarts|reboots|shutdowns|resizes|stops and starts)\b", re.I)),
                ("cicd.rerun", re.compile(r"\b(?:re-?runs|retries|redeploys|rollbacks)\b", re.I)),
                ("incident.ack", re.compile(r"\b(?:acks|acknowledgements)\b", re.I)),
                ("incident.page", re.compile(r"\b(?:escalations)\b", re.I)))


def asked_write(route: Route) -> str | None:
    """The write a help question is about ("can i get you to reboot boxes?", "who approves
    restarts?"): the one the router heard asked about, else the one its words name; None for
    a question about Guardian at large."""
    if route.requested_skill is not None:
        return route.requested_skill
    action = route.slots.get("action")
    aimed = any(key in route.slots for key in ("resource_type", "instance_id", "resource_ids", "resource_name"))
    # "where do I start with you?" starts nothing: a bare "start" is a change only when aimed at a machine
    if isinstance(action, str) and action and (action != "start" or aimed):
        return _ACTION_SKILLS.get(action, "infra.action")
    named = [skill for skill, words in _WRITE_NOUNS if words.search(route.text)]
    return named[0] if len(named) == 1 else None


# Asking how changes are controlled at large, no one change named: "can the bot make changes on
# its own?", "does every change need a human approval?", "describe the approval process"
_CHANGES_AT_LARGE = re.compile(
    r"\b(?:(?:make|makes|making|do|push|apply|perform)\s+(?:any\s+)?changes|change (?:stuff|things|anything)|"
    r"on (?:its|your) own|by (?:it|your)self|autonomous(?:ly)?|unattended|without (?:a\s+)?(?:human|person|anyone)|"
    r"(?:every|each|all|any) (?:change|write|action)s?\b[^?.!]*\b(?:approv\w*|sign[- ]?off)|"
    r"approval (?:flow|process|control|workflow|rules?|policy))\b", re.I)


def asks_changes_at_large(route: Route) -> bool:
    """Whether a help question asks how changes are controlled in general (no one write asked)."""
    return asked_write(route) is None and bool(_CHANGES_AT_LARGE.search(route.text))


# Asking whether one may use Guardian for something: "am I allowed to ask for X", "is X locked
# down", "do readers get access to X", "can someone with my role see X"
_MAY_I = re.compile(r"\b(?:allowed|permitted|permissions?|locked down|restricted|off[- ]limits|"
                    r"(?:have|get|got) access|access to|(?:my|the|a) role|as an? \w+ (?:can|may)|am i able|"
                    r"(?:can|may) (?:i|we|readers?|someone like me)\s+(?:even\s+|still\s+)?(?:ask|see|use|get|look))\b",
                    re.I)
CLEAR_LEAD = 2.0  # the read a question names leads the router's next reading by this factor
# "what kinds of things can i ask you?", "which stuff can we use you for": the object asked
# about is the question word, i.e. the whole catalogue, not permission for one read
_WHAT_MAY_I = re.compile(r"\b(?:what|which|wat|wut)\b(?:\s+[\w'-]+){0,3}?\s+(?:can|may|could)\s+(?:i|we)\s+"
                         r"(?:even\s+|still\s+|actually\s+)?(?:ask|see|use|get|look)\b", re.I)


# Asking what one may do at large, the question word the object of being allowed: "what am I
# allowed to use you for", "which things am I permitted to ask", "what does my role let me do"
_MY_RIGHTS = re.compile(r"\b(?:what|which|wat|wut)\b(?:\s+[\w'-]+){0,3}?\s+(?:(?:am\s+i|are\s+we|r\s+we|im)\s+"
                        r"(?:even\s+|actually\s+)?(?:allowed|permitted|able|cleared)|"
                        r"(?:does|do)\s+(?:my|our)\s+(?:role|roles|access|permissions?)\s+(?:let|allow))\b", re.I)


def asks_own_rights(route: Route) -> bool:
    """Whether a help question asks what this user may use Guardian for at large (no one read
    or write named): answered with what the access policy lets them ask."""
    return asked_write(route) is None and bool(_MY_RIGHTS.search(route.text))


def asked_read(route: Route) -> str | None:
    """The read a help question asks permission for ("am I even allowed to ask you for
    forecasts?"): the router's next reading of the words, when the words ask about being
    allowed and that reading is a read that clearly leads the others; None otherwise."""
    if not _MAY_I.search(_WHAT_MAY_I.sub(" ", _MY_RIGHTS.sub(" ", route.text))):
        return None
    readings = [(name, score) for name, score in route.alternatives if name in SKILL_BY_NAME and name != "help"]
    if not readings or SKILL_BY_NAME[readings[0][0]].mutating:
        return None
    if len(readings) > 1 and readings[0][1] < CLEAR_LEAD * readings[1][1]:
        return None
    return readings[0][0]


def help_answer(route: Route, tool_names_by_skill: dict[str, list[str]], policy_lines: Sequence[str] = ()) -> Answer:
    """What Guardian does; asked about one action ("does it have to go through you?"), how that
    action is carried out (``policy_lines``) leads, before the catalogue."""
    rows = [
        [skill.agent, skill.name, skill.purpose + (" (asks approval)" if skill.mutating else ""),
         ", ".join(tool_names_by_skill.get(skill.name, [])) or "—"]
        for skill in SKILLS
    ]
    return Answer(
        agent=route.agent, skill=route.skill, confidence=route.confidence,
        lead=" ".join(policy_lines) if policy_lines else
        "I'm Guardian. Ask me about spend, security, infrastructure, deploys, incidents and runbooks.",
        paragraphs=["I answer from your real systems and cite runbooks. Anything that changes something waits "
                    "for a human approval.",
                    "Examples: " + "; ".join(f'"{example}"' for example in EXAMPLES) + "."],
        tables=[text_table("What I can do", ["agent", "skill", "what", "tools"], rows)])


def clarify_answer(route: Route) -> Answer:
    options = [route.skill, *[skill for skill, _ in route.alternatives]][:3]
    return Answer(agent=route.agent, skill=route.skill, confidence=route.confidence,
                  lead="I'm not sure what you need; did you mean one of these?",
                  paragraphs=["Rephrase with a little more detail."],
                  choices=[Choice(skill=name, label=SKILL_BY_NAME[name].purpose) for name in options])


def refusal_answer(route: Route, reason: str) -> Answer:
    """The access policy said no: nothing ran, and the reason names the role that would."""
    return Answer(agent=route.agent, skill=route.skill, confidence=route.confidence,
                  lead=f"{reason} Nothing was run or proposed.")


# A question asking what to do ("what do I do", "the steps", "remediation procedure", "how do we
# fix / close / lock it down"), not what something means.
ASKS_STEPS = re.compile(r"\b(?:what (?:do|should|can) (?:i|we) do|what to do|steps?|procedures?|playbook|"
                        r"remediat\w*|mitigat\w*|how (?:do|should|can|would) (?:i|we|you) (?:fix|resolve|"
                        r"close|lock|remediate|recover|get it back|handle|deal with|sort))\b", re.I)
# Sections that say when a runbook applies or how to check it worked, not what to do about it.
CONTEXT_SECTIONS = frozenset({"when this fires", "verify"})
STEP_SECTIONS = ("mitigate", "fix", "triage", "diagnose")


def best_section(rows: Sequence[dict[str, Any]], asked: str = "") -> dict[str, Any]:
    """The section to quote: the best match, unless the question asks what to do and the best
    match only says when the runbook applies or how to verify, while a section of the same
    runbook saying what to do was also found (the best scored of those)."""
    best = rows[0]
    if not asked or not ASKS_STEPS.search(asked) or str(best.get("section", "")).lower() not in CONTEXT_SECTIONS:
        return best
    steps = [row for row in rows[1:] if row.get("source") == best.get("source")
             and str(row.get("section", "")).lower() in STEP_SECTIONS]
    return steps[0] if steps else best


def runbook_answer(result: ToolResult, asked: str = "") -> tuple[list[str], list[Quote], list[Table]]:
    """The best runbook section quoted (data, not instructions), the others as a table."""
    if result.status != "ok" or not result.rows:
        return [result.summary], [], []
    best = best_section(result.rows, asked)
    lead = f"From the runbook {best['title']}, section {best['section']} ({best['source']}):"
    quote = untrusted_quote("runbook", f"{best['title']} · {best['section']}", str(best.get("text", "")),
                            source=str(best["source"]), max_lines=40, max_chars=RUNBOOK_CHARS)
    others = ToolResult(status="ok", columns=["title", "section", "source"],
                        rows=[row for row in result.rows if row is not best])
    table = typed_table(others, "Also relevant")
    return [lead], [quote], [table] if table else []


def cost_chart(result: ToolResult) -> Chart | None:
    """Daily cost per service, when the tool returned the series (``facts["daily"]``)."""
    daily = result.facts.get("daily")
    if not isinstance(daily, dict) or not daily:
        return None
    series = [Series(name=str(name), points=[Point(x=str(day), y=float(amount)) for day, amount in days])
              for name, days in daily.items() if isinstance(days, list)]
    if not series:
        return None
    return Chart(title="Daily cost", kind="line", x_kind="time", y_kind="money",
                 unit=str(result.facts.get("currency") or "USD"), series=series)


def metric_chart(result: ToolResult) -> Chart | None:
    """A resource's metric over time, when the tool returned the series (``facts["series"]``)."""
    series = result.facts.get("series")
    if not isinstance(series, dict) or not series or not result.facts.get("metric"):
        return None
    lines = [Series(name=str(name), points=[Point(x=str(at), y=float(value)) for at, value in points])
             for name, points in series.items() if isinstance(points, list)]
    if not lines:
        return None
    unit = str(result.facts.get("unit") or "")
    subject = result.facts.get("name") or result.facts.get("id") or ""
    return Chart(title=f"{result.facts['metric']} of {subject}".strip(), kind="line", x_kind="time",
                 y_kind="percent" if unit == "Percent" else "number", unit="" if unit == "Percent" else unit,
                 series=lines)


def failing_step_lead(result: ToolResult) -> str | None:
    """A failed run's answer starts with the step that failed, the fact that was asked."""
    facts = result.facts
    step, job = facts.get("failing_step"), facts.get("failing_job")
    if not step or not job:
        return None
    number = facts.get("failing_step_number")
    return f"Step {number} '{str(step)[:80]}' failed, in job '{str(job)[:80]}'."


# Tools whose summary opens with context (which run, where): the lead is the asked-for fact.
LEADS = {"github_run_failure": failing_step_lead}


class _Parts:
    """What the tool results contribute, in answer order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.quotes: list[Quote] = []
        self.tables: list[Table] = []
        self.charts: list[Chart] = []
        self.notes: list[str] = []

    def add(self, route: Route, call: dict[str, Any], result: ToolResult, titled: bool) -> None:
        if call["tool"] == "knowledge_search_runbooks" and route.skill == "knowledge.runbook":
            lines, quotes, tables = runbook_answer(result, route.text)
            self.lines.extend(lines)
            self.quotes.extend(quotes)
            self.tables.extend(tables)
            return
        if result.status == "error":
            self.notes.append(result.summary)
            return
        title = _title(call["tool"], call.get("args") or {}) if titled else ""
        meant = route.slots.get(MEANT)  # what "that user" may point at, named by the turn before
        pointed = [str(name) for name in meant] if isinstance(meant, list) else []
        focused = focus(call["tool"], result, focus_text(route.words, route.slots), pointed,
                        lent_target(route.text, route.slots))
        if focused is None and call["tool"] == CHANGES_TOOL:  # "who merged the jest 30 upgrade?"
            focused = named_change(result, route.text)
        if focused is not None:
            caveat = result.facts.get(CAVEAT)  # what the rows leave out, said beside the narrowed answer
            self.lines.extend(line for line in (scored(result), focused.lead, focused.rest,
                                                caveat if isinstance(caveat, str) else "") if line)
            table = typed_table(result, title, rows=focused.rows)
        else:
            lead = LEADS[call["tool"]](result) if call["tool"] in LEADS and result.status == "ok" else None
            self.lines.extend(line for line in (lead, result.summary) if line)
            table = typed_table(result, title)
        self.quotes.extend(untrusted_quotes(result))
        if table:
            self.tables.append(table)
        chart = cost_chart(result) or metric_chart(result)
        if chart:
            self.charts.append(chart)


def scored(result: ToolResult) -> str:
    """A score's headline ("Security score 62/100."), kept when the answer narrows to some of
    the findings: "how are we doing, how many criticals?" asks for both."""
    score = result.facts.get("score")
    return f"Security score {score}/100." if isinstance(score, int) and not isinstance(score, bool) else ""


# Tools that add to another tool's answer: their "nothing found" beside it says nothing.
SUPPORTING = frozenset({"knowledge_inventory_lookup"})
# Each cloud's lookup of one resource by name: asked of every cloud when none is named, so the
# clouds that do not have it are left out once one does.
LOOKUPS = frozenset({"aws_describe_resource", "azure_describe_vm"})


def _not_found_elsewhere(calls: Sequence[dict[str, Any]], results: Sequence[ToolResult]) -> set[int]:
    """Indexes of lookups that found nothing while another cloud's lookup found the resource."""
    lookups = [i for i, call in enumerate(calls) if call["tool"] in LOOKUPS]
    if len({calls[i]["tool"] for i in lookups}) < 2 or not any(results[i].status == "ok" for i in lookups):
        return set()
    return {i for i in lookups if results[i].status != "ok"}


def build_answer(
    route: Route,
    calls: Sequence[dict[str, Any]],
    *,
    runbook: dict[str, Any] | None = None,
    pending: PendingApproval | None = None,
    outcome: str | None = None,
    llm_text: str | None = None,
    notes: Sequence[str] = (),
) -> Answer:
    """The answer for one turn from what the tools returned: the lead is the fact asked for
    (an action's outcome, a focused count, else the first tool's summary)."""
    results = [ToolResult.model_validate(call["result"]) for call in calls]
    if route.skill == "incident.brief":  # the changes that can explain this incident, the rest counted
        service = incident_service(calls, results)
        results = [changes_for_service(result, service) if call["tool"] == CHANGES_TOOL else result
                   for call, result in zip(calls, results, strict=True)]
    parts = _Parts()
    elsewhere = _not_found_elsewhere(calls, results)
    shown = [(call, result) for i, (call, result) in enumerate(zip(calls, results, strict=True))
             if not (call["tool"] in SUPPORTING and result.status == "no_data" and len(calls) > 1)
             and i not in elsewhere]
    for call, result in shown:
        parts.add(route, call, result, titled=len(shown) > 1)
    lines = parts.lines
    answer_notes = [*notes, *parts.notes]
    if outcome:
        lines.insert(0, outcome)
    if llm_text:
        lines = [block.strip() for block in llm_text.split("\n\n") if block.strip()]
    if not lines and pending:
        lines.append(f"Waiting for an approval to {as_clause(pending.summary)}; nothing changes until someone "
                     "approves.")
    if not lines and not answer_notes and not pending:
        lines.append("Nothing came back for that.")
    if not lines and answer_notes and not pending:  # the note is all there is to say: it leads
        lines.append(answer_notes.pop(0))
    cited_results = list(results)
    if runbook:
        cited_results.append(ToolResult.model_validate(runbook))
    answer = Answer(
        agent=route.agent,
        skill=route.skill,
        confidence=route.confidence,
        lead=lines[0] if lines else "",
        paragraphs=lines[1:],
        tables=parts.tables,
        quotes=parts.quotes,
        charts=parts.charts,
        notes=answer_notes,
        citations=citations_of(cited_results),
        tools=tool_calls(calls),
        pending_approval=pending,
        actions=[ApprovalAction(approval_id=pending.id, decision=decision) for decision in ("approve", "deny")]
        if pending else [],
    )
    answer.resources = named_resources(results, answer.shown_text())
    return answer


def as_clause(summary: str) -> str:
    """An action's own sentence ("Re-run the failed jobs of run 7310000002 ... ."), made the
    clause it becomes after "Waiting for an approval to": its verb lower-cased (never an
    acronym or an id) and its full stop dropped."""
    text = summary.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _title(tool_name: str, args: dict[str, Any]) -> str:
    words = re.sub(r"^(aws|gcp|gh|github|pd|pagerduty|knowledge)_", "", tool_name).replace("_", " ")
    status = args.get("status")
    if words.startswith("open ") and status not in (None, "open"):  # the incidents asked by another status
        words = "incidents" if status == "all" else f"{status} {words.removeprefix('open ')}"
    if tool_name.startswith("gcp_"):  # beside AWS's tables, say whose these are
        return f"Google Cloud {words}"
    return words[:1].upper() + words[1:]
