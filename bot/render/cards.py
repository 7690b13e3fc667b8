"""The answer as an Adaptive Card (Microsoft Teams): a lead, tables as ``Table`` elements,
quotes, charts as small tables, notes, citations and Approve / Deny actions carrying the
approval id.

Teams renders a markdown subset in ``TextBlock`` (links, bold, lists) and backslash escapes
are not honoured by every client, so every string, Guardian's own sentences included (they
name resources that systems named), goes in ``RichTextBlock`` text runs, which have no
markdown (LLM05: a resource named ``[click](https://…)`` stays text, never a link). Untrusted
quotes are framed and labelled as quoted."""

from __future__ import annotations

from typing import Any

from agents.answer import Answer, ApprovalAction, Chart, Citation, IncidentAction, Quote, Table
from bot.render.cells import NUMERIC, format_cell, format_value, row_questions

CARD_VERSION = "1.5"  # Table elements; Teams desktop, web and mobile render 1.5
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
DECIDE_VERB = "guardian.decide"  # Action.Execute verb, and the ``guardian`` key of the data
ASK_VERB = "guardian.ask"  # Action.Submit data of a follow-up menu: asks the picked question
FOLLOWUP_INPUT = "guardian_followup"  # the menu's input id: its value arrives under this key
INCIDENT_VERB = "guardian.incident"  # the ``guardian`` key of an incident brief's Ack / Resolve / Escalate
INCIDENT_LABELS = {"ack": "Ack", "resolve": "Resolve", "escalate": "Escalate"}
CHART_POINTS = 14
MAX_TABLE_ROWS = 25
QUOTE_TITLES = {"log": "Log", "runbook": "Runbook", "alert": "Alert", "note": "Note"}


def literal(text: str, **style: Any) -> dict[str, Any]:
    """Text shown exactly as it is (text runs have no markdown); ``style`` takes the text
    run's own properties (weight, size, color, isSubtle, fontType)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def table(data: Table) -> list[dict[str, Any]]:
    """A title, then a Table element (numbers right-aligned), then how many rows were left out;
    follow-up questions, when the rows have them, as a menu with an Ask button instead of a column."""
    rows = data.rows[:MAX_TABLE_ROWS]
    questions = row_questions(data.columns, rows)
    keep = [i for i, column in enumerate(data.columns) if not (questions and column.kind == "question")]
    header = {"type": "TableRow", "style": "accent",
              "cells": [_cell(literal(data.columns[i].label, weight="Bolder")) for i in keep]}
    body = [{"type": "TableRow", "cells": [_cell(literal(format_cell(row[i]))) for i in keep]} for row in rows]
    columns = [{"width": 1, **({"horizontalCellContentAlignment": "Right"} if data.columns[i].kind in NUMERIC
                               else {})} for i in keep]
    parts: list[dict[str, Any]] = [literal(data.title, weight="Bolder")] if data.title else []
    parts.append({"type": "Table", "columns": columns, "rows": [header, *body], "firstRowAsHeader": True,
                  "showGridLines": True})
    hidden = max(data.total_rows, len(data.rows)) - len(rows)
    if hidden > 0:
        parts.append(literal(f"…and {hidden} more.", isSubtle=True, size="Small"))
    if questions:
        parts.append(followup_menu(data.title, questions))
    return parts


def followup_menu(title: str, questions: list[str]) -> dict[str, Any]:
    """A compact menu of a table's follow-up questions and an Ask button: the submit arrives
    as a message from the person who clicked, carrying the picked question."""
    choices = [{"title": question, "value": question} for question in dict.fromkeys(questions)]
    return {"type": "ColumnSet", "columns": [
        {"type": "Column", "width": "stretch", "items": [{
            "type": "Input.ChoiceSet", "id": FOLLOWUP_INPUT, "style": "compact", "value": choices[0]["value"],
            "label": f"Ask about {title.lower()}" if title else "Ask about a line", "choices": choices}]},
        {"type": "Column", "width": "auto", "verticalContentAlignment": "Bottom", "items": [{
            "type": "ActionSet", "actions": [{"type": "Action.Submit", "title": "Ask",
                                             "data": {"guardian": ASK_VERB}}]}]}]}


def _cell(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "TableCell", "items": [item]}


def quote(data: Quote) -> dict[str, Any]:
    """Untrusted text in a framed container, labelled as quoted, in monospace text runs."""
    lines = data.text.splitlines()
    trimmed = f" (last {len(lines)} of {data.total_lines} lines)" if data.total_lines > len(lines) else ""
    label = f"{QUOTE_TITLES[data.kind]}: {data.label} (quoted from the system, untrusted){trimmed}"
    items = [literal(label, weight="Bolder", isSubtle=True),
             literal(data.text, fontType="Monospace" if data.kind != "runbook" else "Default")]
    if data.source:
        items.append(literal(data.source, isSubtle=True, size="Small"))
    return {"type": "Container", "style": "emphasis", "bleed": False, "items": items}


def chart(data: Chart) -> list[dict[str, Any]]:
    """A chart's last points as a table (cards have no chart element Teams renders everywhere)."""
    days = sorted({point.x for series in data.series for point in series.points})[-CHART_POINTS:]
    values = {(s.name, p.x): p.y for s in data.series for p in s.points}
    header = {"type": "TableRow", "style": "accent",
              "cells": [_cell(literal("day", weight="Bolder")),
                        *[_cell(literal(s.name, weight="Bolder")) for s in data.series]]}
    rows = [{"type": "TableRow",
             "cells": [_cell(literal(day)),
                       *[_cell(literal(format_value(data.y_kind, values.get((s.name, day)), data.unit)))
                         for s in data.series]]} for day in days]
    columns = [{"width": 1}, *[{"width": 1, "horizontalCellContentAlignment": "Right"} for _ in data.series]]
    return [literal(data.title, weight="Bolder"),
            {"type": "Table", "columns": columns, "rows": [header, *rows], "firstRowAsHeader": True}]


def citations(cites: list[Citation], skill: str) -> dict[str, Any]:
    """The context line: runbooks and inventory snapshots cited apart, then the skill."""
    inventory = [c for c in cites if c.source.startswith("inventory/")]
    runbooks = [c for c in cites if c not in inventory]
    parts = []
    if runbooks:
        parts.append("Runbooks: " + "; ".join(f"{c.title} ({c.source})" for c in runbooks))
    if inventory:
        parts.append("Inventory: " + "; ".join(f"{c.title} ({c.source})" for c in inventory))
    parts.append(f"Skill: {skill}")
    return literal(" · ".join(parts), isSubtle=True, size="Small")


def decision_action(action: ApprovalAction) -> dict[str, Any]:
    """An Approve or Deny button. ``Action.Execute`` (the universal action model) arrives as
    an ``adaptiveCard/action`` invoke whose response replaces the card; clients without it
    fall back to ``Action.Submit``, which arrives as a message carrying the same data."""
    data = {"guardian": DECIDE_VERB, "approval_id": action.approval_id, "decision": action.decision}
    title = "Approve" if action.decision == "approve" else "Deny"
    style = "positive" if action.decision == "approve" else "destructive"
    return {"type": "Action.Execute", "verb": DECIDE_VERB, "title": title, "style": style, "data": data,
            "fallback": {"type": "Action.Submit", "title": title, "data": data}}


def incident_action(action: IncidentAction) -> dict[str, Any]:
    """Ack, Resolve or Escalate on an incident brief: an ``Action.Submit`` whose data names the
    verb and the incident (Guardian's own id, never text from the incident), arriving as a
    message from the clicker that bot/incidents.py turns into that person's request."""
    data = {"guardian": INCIDENT_VERB, "verb": action.verb, "incident_id": action.incident_id}
    return {"type": "Action.Submit", "title": INCIDENT_LABELS[action.verb],
            "style": "destructive" if action.verb == "escalate" else "positive" if action.verb == "resolve"
            else "default", "data": data}


def to_card(answer: Answer, status: str = "") -> dict[str, Any]:
    """The whole answer as one card; ``status`` (a decision already taken) replaces the
    buttons when a card is updated in place."""
    body: list[dict[str, Any]] = []
    if answer.lead:
        body.append(literal(answer.lead, weight="Bolder", size="Medium"))
    body.extend(literal(paragraph) for paragraph in answer.paragraphs)
    if answer.choices:
        body.append(literal("Did you mean: " + "; ".join(f"{i + 1}. {c.label} ({c.skill})"
                                                            for i, c in enumerate(answer.choices))))
    body.extend(quote(q) for q in answer.quotes)
    for each_table in answer.tables:
        body.extend(table(each_table))
    for each_chart in answer.charts:
        body.extend(chart(each_chart))
    body.extend(literal(note, color="Warning") for note in answer.notes)
    actions: list[dict[str, Any]] = []
    if answer.pending_approval:
        pending = answer.pending_approval
        body.append({"type": "Container", "style": "warning", "items": [
            literal(f"Approval needed ({pending.id})", weight="Bolder"), literal(pending.summary)]})
        if status:
            body.append(literal(status, weight="Bolder"))
        else:
            actions = [decision_action(action) for action in answer.actions]
    elif answer.incident_actions:
        actions = [incident_action(action) for action in answer.incident_actions]
    body.append(citations(answer.citations, answer.skill))
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                            "version": CARD_VERSION, "body": body, "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def card_text(card: dict[str, Any]) -> str:
    """Every string a person reads on a card, in order: for tests and for logs."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title"):
                if isinstance(node.get(key), str) and node.get("type") != "Action.Submit":
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)
