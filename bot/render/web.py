"""The answer for the web chat: display-ready JSON the page turns into DOM nodes with
``textContent`` only (never HTML), so no text from a system or a person can become markup.
Cells are formatted here, with the same rules as every other text surface, so the page
holds no formatting logic; charts keep their numbers so the page can draw them."""

from __future__ import annotations

from typing import Any

from agents.answer import Answer, ApprovalAction, Chart, Table
from bot.render.cells import NUMERIC, format_cell, format_value


def web_decision(action: ApprovalAction) -> str:
    """How a web chat user takes a decision (the markdown's wording): the buttons."""
    return f"the {action.decision.capitalize()} button"


def _table(data: Table) -> dict[str, Any]:
    return {
        "title": data.title,
        "columns": [{"key": c.key, "label": c.label, "numeric": c.kind in NUMERIC} for c in data.columns],
        "rows": [[format_cell(cell) for cell in row] for row in data.rows],
        "more": max(data.total_rows - len(data.rows), 0),
    }


def _chart(data: Chart) -> dict[str, Any]:
    values = [point.y for series in data.series for point in series.points]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    return {
        "title": data.title,
        "kind": data.kind,
        "series": [{"name": s.name, "points": [{"x": p.x, "y": p.y, "label": format_value(data.y_kind, p.y, data.unit)}
                                              for p in s.points]} for s in data.series],
        "y_min": low, "y_max": high,
        "y_min_label": format_value(data.y_kind, low, data.unit),
        "y_max_label": format_value(data.y_kind, high, data.unit),
    }


def to_web(answer: Answer) -> dict[str, Any]:
    """Lead, paragraphs, choices, quotes (marked untrusted), tables, charts, notes, the
    pending approval with its decisions, citations, and the skill for the context line."""
    pending = answer.pending_approval
    return {
        "skill": answer.skill,
        "lead": answer.lead,
        "paragraphs": list(answer.paragraphs),
        "choices": [{"skill": c.skill, "label": c.label} for c in answer.choices],
        "quotes": [{"kind": q.kind, "label": q.label, "text": q.text, "source": q.source,
                    "trimmed": max(q.total_lines - len(q.text.splitlines()), 0)} for q in answer.quotes],
        "tables": [_table(t) for t in answer.tables],
        "charts": [_chart(c) for c in answer.charts if any(s.points for s in c.series)],
        "notes": list(answer.notes),
        "approval": None if pending is None else {
            "id": pending.id, "action": pending.action, "summary": pending.summary,
            "decisions": [a.decision for a in answer.actions if a.approval_id == pending.id]},
        "citations": [{"source": c.source, "title": c.title} for c in answer.citations],
    }
