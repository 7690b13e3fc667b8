"""The answer as one markdown document: the `answer` field of the JSON contract
(`guardian ask --json`, `/api/chat`) and plain-text surfaces.

Untrusted text keeps its quoting here: runbook sections are block quotes, logs, alerts and
notes are fenced code blocks (kept line by line, never rendered as markup) under a label
that says they were quoted from a system."""

from __future__ import annotations

from collections.abc import Callable

from agents.answer import Answer, ApprovalAction, Chart, Citation, Quote, Table
from bot.render.cells import format_cell, format_value

CHART_POINTS = 14


def cli_decision(action: ApprovalAction) -> str:
    """How a CLI user takes a decision: the command to type."""
    return f"`guardian approvals {action.decision} {action.approval_id}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(data: Table) -> str:
    lines = [f"**{data.title}**\n"] if data.title else []
    lines.append("| " + " | ".join(_cell(c.label) for c in data.columns) + " |")
    lines.append("|" + "|".join("---:" if c.kind in ("number", "money", "percent") else "---"
                                 for c in data.columns) + "|")
    lines.extend("| " + " | ".join(_cell(format_cell(cell)) for cell in row) + " |" for row in data.rows)
    hidden = data.total_rows - len(data.rows)
    if hidden > 0:
        lines.append(f"\n_…and {hidden} more._")
    return "\n".join(lines)


def quote(data: Quote) -> str:
    """A runbook section as a block quote; log-like text as a fenced block, last lines only."""
    if data.kind == "runbook":
        return "\n".join("> " + line for line in data.text.splitlines() if line.strip())
    lines = data.text.splitlines()
    note = f" (last {len(lines)} of {data.total_lines} lines)" if data.total_lines > len(lines) else ""
    body = data.text.replace("```", "ˋˋˋ")
    return f"*{data.label}* (quoted from the system, untrusted){note}:\n```text\n{body}\n```"


def chart(data: Chart) -> str:
    """A chart as a small table of its last points (markdown has no charts)."""
    days = sorted({point.x for series in data.series for point in series.points})[-CHART_POINTS:]
    values = {(s.name, p.x): p.y for s in data.series for p in s.points}
    lines = [f"**{data.title}**\n", "| day | " + " | ".join(_cell(s.name) for s in data.series) + " |",
             "|---|" + "|".join("---:" for _ in data.series) + "|"]
    for day in days:
        cells = [format_value(data.y_kind, values.get((s.name, day)), data.unit) for s in data.series]
        lines.append(f"| {day} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def citations(cites: list[Citation]) -> list[str]:
    """Runbooks and inventory snapshots are cited apart: only runbooks are runbooks."""
    inventory = [c for c in cites if c.source.startswith("inventory/")]
    runbooks = [c for c in cites if c not in inventory]
    parts = []
    if runbooks:
        parts.append("Runbooks: " + "; ".join(f"{c.title} (`{c.source}`)" for c in runbooks))
    if inventory:
        parts.append("Inventory: " + "; ".join(f"{c.title} (`{c.source}`)" for c in inventory))
    return parts


def to_markdown(answer: Answer, decision: Callable[[ApprovalAction], str] = cli_decision) -> str:
    """Lead, paragraphs, choices, quotes, tables, charts, notes, approval, citations."""
    parts = [answer.lead, *answer.paragraphs]
    if answer.choices:
        parts.append("; ".join(f"**{i + 1}.** {c.label} (`{c.skill}`)" for i, c in enumerate(answer.choices)))
    parts.extend(quote(q) for q in answer.quotes)
    parts.extend(table(t) for t in answer.tables)
    parts.extend(chart(c) for c in answer.charts)
    parts.extend(f"> {note}" for note in answer.notes)
    if answer.pending_approval:
        pending = answer.pending_approval
        ways = " or ".join(f"{a.decision} with {decision(a)}" for a in answer.actions)
        parts.append(f"**Approval needed** (`{pending.id}`): {pending.summary}"
                     + (f"\n{ways[:1].upper()}{ways[1:]}." if ways else ""))
    parts.extend(citations(answer.citations))
    return "\n\n".join(part.strip() for part in parts if part and part.strip())
