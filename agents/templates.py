"""Offline answers: templated from tool results only. Every figure and id an answer shows
is quoted from a ToolResult, so nothing is invented; runbook text is quoted as data."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from agents.answer import Answer, Citation, PendingApproval, Table, ToolCall
from agents.redact import redact
from agents.route import Route
from agents.skills import SKILL_BY_NAME, SKILLS
from tools.base import ToolResult

MAX_ROWS = 15
MAX_CELL = 120


def cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.2f}"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{key}={item}" for key, item in value.items())
    else:
        text = str(value)
    text = redact(text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def result_table(result: ToolResult, title: str = "") -> Table | None:
    if not result.rows:
        return None
    columns = result.columns or list(result.rows[0].keys())
    rows = [[cell(row.get(column)) for column in columns] for row in result.rows[:MAX_ROWS]]
    return Table(title=title, columns=columns, rows=rows, total_rows=len(result.rows))


def quote_untrusted(text: str, limit: int = 600) -> str:
    """Runbook and log text is data: shown as a quote, never followed as instructions."""
    text = redact(text.strip())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "\n".join("> " + line for line in text.splitlines() if line.strip())


def _as_text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_as_text(item) for item in value)
    if isinstance(value, dict):
        who = value.get("who") or value.get("severity") or ""
        text = value.get("content") or value.get("summary") or value.get("message") or ""
        return f"{who}: {text}" if who else str(text)
    return str(value)


def fenced_untrusted(text: str, max_lines: int = 15, max_chars: int = 1500) -> str:
    """Log-like text as a code block (kept line by line, never rendered as markup), the last
    ``max_lines`` lines only, secrets redacted."""
    lines = redact(text).replace("```", "ˋˋˋ").splitlines()
    hidden = max(0, len(lines) - max_lines)
    body = "\n".join(line[:300] for line in lines[-max_lines:])[-max_chars:]
    note = f"(last {max_lines} of {len(lines)} lines)\n" if hidden else ""
    return f"{note}```text\n{body}\n```"


def untrusted_blocks(result: ToolResult) -> list[str]:
    """Text that systems or people wrote (log tails, alert bodies, notes), as marked code
    blocks: shown to the person, never acted on (OWASP LLM01). Error lines come first."""
    keys = sorted(result.facts.get("untrusted", []), key=lambda key: key != "error_lines")
    blocks = []
    for key in keys:
        value = result.facts.get(key)
        if key == "title" or not value:
            continue
        label = key.replace("_", " ").capitalize()
        blocks.append(f"*{label}* (quoted from the system, untrusted):\n" + fenced_untrusted(_as_text(value)))
    return blocks


def citations_of(results: Iterable[ToolResult]) -> list[Citation]:
    seen: list[Citation] = []
    for result in results:
        for cite in result.citations:
            citation = Citation(source=cite.get("source", ""), title=cite.get("title", ""))
            if citation not in seen:
                seen.append(citation)
    return seen


def named_resources(results: Iterable[ToolResult], text: str) -> list[str]:
    """Ids from tool results that the rendered answer actually names."""
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


def help_answer(route: Route, tool_names_by_skill: dict[str, list[str]]) -> Answer:
    rows = [
        [skill.agent, skill.name, skill.purpose + (" (asks approval)" if skill.mutating else ""),
         ", ".join(tool_names_by_skill.get(skill.name, [])) or "—"]
        for skill in SKILLS
    ]
    summary = (
        "I'm Guardian. Ask me about spend, security, infrastructure, deploys, incidents and runbooks; "
        "I answer from your real systems and cite runbooks. Anything that changes something waits for "
        "a human approval. Examples: *which buckets are public?*, *what did we spend on ec2 last week?*, "
        "*errors in checkout logs*, *stop i-0abc123*, *how do I fix a full disk?*"
    )
    table = Table(title="What I can do", columns=["agent", "skill", "what", "tools"], rows=rows,
                  total_rows=len(rows))
    return Answer(agent=route.agent, skill=route.skill, confidence=route.confidence, summary=summary,
                  tables=[table])


def clarify_answer(route: Route) -> Answer:
    options = [route.skill, *[skill for skill, _ in route.alternatives]][:3]
    listed = "; ".join(f"**{i + 1}.** {SKILL_BY_NAME[name].purpose} (`{name}`)" for i, name in enumerate(options))
    summary = f"I'm not sure what you need. Did you mean: {listed}? Rephrase with a little more detail."
    return Answer(agent=route.agent, skill=route.skill, confidence=route.confidence, summary=summary,
                  clarify_options=options)


def refusal_answer(route: Route, reason: str) -> Answer:
    """The access policy said no: nothing ran, and the reason names the role that would."""
    return Answer(agent=route.agent, skill=route.skill, confidence=route.confidence,
                  summary=f"{redact(reason)} Nothing was run or proposed.")


def runbook_answer(result: ToolResult) -> tuple[str, list[Table]]:
    if result.status != "ok" or not result.rows:
        return result.summary, []
    best = result.rows[0]
    summary = (
        f"From the runbook **{best['title']}** (section *{best['section']}*, `{best['source']}`):\n\n"
        + quote_untrusted(str(best.get("text", "")))
    )
    others = ToolResult(status="ok", columns=["title", "section", "source"], rows=result.rows[1:])
    table = result_table(others, "Also relevant")
    return summary, [table] if table else []


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
    """The answer for one turn from what the tools returned."""
    results = [ToolResult.model_validate(call["result"]) for call in calls]
    lines: list[str] = []
    tables: list[Table] = []
    answer_notes = list(notes)
    for call, result in zip(calls, results, strict=True):
        if call["tool"] == "knowledge_search_runbooks" and route.skill == "knowledge.runbook":
            text, extra = runbook_answer(result)
            lines.append(text)
            tables.extend(extra)
            continue
        if result.status == "error":
            answer_notes.append(f"⚠️ {redact(result.summary)}")
            continue
        if result.summary:
            lines.append(redact(result.summary))
        lines.extend(untrusted_blocks(result))
        table = result_table(result, title=_title(call["tool"]) if len(calls) > 1 else "")
        if table:
            tables.append(table)
    if outcome:
        lines.insert(0, outcome)
    if llm_text:
        lines = [llm_text]
    if not lines and not answer_notes and not pending:
        lines.append("Nothing came back for that.")
    if not lines and answer_notes and not pending:
        lines.append(answer_notes.pop(0).removeprefix("⚠️ "))
    cited_results = list(results)
    if runbook:
        cited_results.append(ToolResult.model_validate(runbook))
    answer = Answer(
        agent=route.agent,
        skill=route.skill,
        confidence=route.confidence,
        summary="\n\n".join(lines),
        tables=tables,
        notes=answer_notes,
        citations=citations_of(cited_results),
        tools=tool_calls(calls),
        pending_approval=pending,
    )
    answer.resources = named_resources(results, answer.markdown())
    return answer


def _title(tool_name: str) -> str:
    words = re.sub(r"^(aws|gh|github|pd|pagerduty|knowledge)_", "", tool_name).replace("_", " ")
    return words[:1].upper() + words[1:]
