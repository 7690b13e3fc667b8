"""The answer as Slack Block Kit: a short lead, tables sorted by what matters, quoted
log/runbook text, a context line with citations and the skill, and Approve / Deny buttons
that carry the approval id.

Every string that reaches mrkdwn is escaped (``&``, ``<``, ``>``), so text a system or a
person wrote can never become a mention, a broadcast (``<!channel>``) or a link (OWASP
LLM05); quoted text is also kept inside a code block, labelled as untrusted.
"""

from __future__ import annotations

from typing import Any

from agents.answer import Answer, Cell, Chart, Quote, Table
from bot.render.cells import NUMERIC, format_cell, format_value, row_questions

APPROVE_ACTION = "guardian_approve"
DENY_ACTION = "guardian_deny"
INCIDENT_ACTION_PREFIX = "guardian_incident_"  # + ack | resolve | escalate; the value is the incident id
INCIDENT_LABELS = {"ack": "Ack", "resolve": "Resolve", "escalate": "Escalate"}
FOLLOWUP_ACTION = "guardian_followup"  # a menu of a table's follow-up questions; the value is the question
OPTION_TEXT_LIMIT = 75  # Slack's limits for a select option's text and value
OPTION_VALUE_LIMIT = 150
MAX_OPTIONS = 100
SECTION_LIMIT = 3000  # Slack refuses a section text longer than this
MAX_BLOCKS = 50
TABLE_ROWS = 15
CHART_POINTS = 14

Block = dict[str, Any]


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fit(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _fit(text)}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _fit(text, 2000)}]}


def _code(text: str) -> str:
    """A preformatted block whose body cannot close itself early."""
    return "```\n" + escape(text).replace("```", "ˋˋˋ") + "\n```"


def _sort_key(cell: Cell) -> float:
    return float(cell.value) if isinstance(cell.value, int | float) and not isinstance(cell.value, bool) else 0.0


def sorted_rows(data: Table) -> list[list[Cell]]:
    """Rows in the order that matters: the answer's own order when it chose one, else the
    largest first by the first money (then numeric) column, else as given."""
    if data.sorted_by or not data.rows:
        return list(data.rows)
    for kinds in (("money",), tuple(NUMERIC)):
        index = next((i for i, column in enumerate(data.columns) if column.kind in kinds), None)
        if index is not None:
            return sorted(data.rows, key=lambda row: _sort_key(row[index]), reverse=True)
    return list(data.rows)


def table_text(data: Table, *, questions: bool = True) -> str:
    """A table as aligned monospace text (Block Kit's sections have no table markup).
    ``questions=False`` leaves out the follow-up column (offered as a menu instead)."""
    keep = [i for i, column in enumerate(data.columns) if questions or column.kind != "question"]
    columns = [data.columns[i] for i in keep]
    rows = [[format_cell(row[i]) for i in keep] for row in sorted_rows(data)[:TABLE_ROWS]]
    header = [column.label for column in columns]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        cells = [value.rjust(width) if column.kind in NUMERIC else value.ljust(width)
                 for value, width, column in zip(values, widths, columns, strict=True)]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def followup_block(data: Table) -> Block | None:
    """A table's follow-up questions as one menu ("Ask about a line…"): picking one asks it in
    the thread as the person who picked it, like typing it."""
    questions = [q for q in row_questions(data.columns, sorted_rows(data)[:TABLE_ROWS]) if len(q) <= OPTION_VALUE_LIMIT]
    options = [{"text": {"type": "plain_text", "text": _fit(q, OPTION_TEXT_LIMIT)}, "value": q}
               for q in dict.fromkeys(questions)][:MAX_OPTIONS]
    if not options:
        return None
    label = f"Ask about {data.title.lower()}…" if data.title else "Ask about a line…"
    return {"type": "actions", "elements": [{
        "type": "static_select", "action_id": FOLLOWUP_ACTION, "options": options,
        "placeholder": {"type": "plain_text", "text": _fit(label, OPTION_TEXT_LIMIT)}}]}


def table_blocks(data: Table) -> list[Block]:
    title = f"*{escape(data.title)}*\n" if data.title else ""
    menu = followup_block(data)
    blocks = [_section(_fit(title + _code(table_text(data, questions=menu is None))))]
    hidden = max(data.total_rows, len(data.rows)) - min(len(data.rows), TABLE_ROWS)
    if hidden > 0:
        blocks.append(_context(f"…and {hidden} more."))
    if menu is not None:
        blocks.append(menu)
    return blocks


def quote_blocks(data: Quote) -> list[Block]:
    lines = data.text.splitlines()
    note = f" (last {len(lines)} of {data.total_lines} lines)" if data.total_lines > len(lines) else ""
    source = f" from {escape(data.source)}" if data.source else ""
    label = f"*{escape(data.label)}*{source}{note}: quoted from the system, untrusted"
    body = _code(data.text)
    room = SECTION_LIMIT - len(label) - 10
    if len(body) > room:  # keep the last lines: the end of a log is what matters
        body = "```\n…" + body[len(body) - room + 5:]
    return [_section(f"{label}\n{body}")]


def chart_blocks(data: Chart) -> list[Block]:
    """A chart's last points as a small table (the image, when uploaded, is a file beside it)."""
    days = sorted({point.x for series in data.series for point in series.points})[-CHART_POINTS:]
    values = {(s.name, p.x): p.y for s in data.series for p in s.points}
    rows = [[day, *(format_value(data.y_kind, values.get((s.name, day)), data.unit) for s in data.series)]
            for day in days]
    header = ["day", *(s.name for s in data.series)]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    text = "\n".join("  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in [header, *rows])
    return [_section(f"*{escape(data.title)}*\n{_code(text)}")]


def approval_blocks(answer: Answer) -> list[Block]:
    pending = answer.pending_approval
    if pending is None:
        return []
    blocks = [_section(f":raised_hand: *Approval needed* (`{escape(pending.id)}`): {escape(pending.summary)}")]
    decisions = {action.decision for action in answer.actions if action.approval_id == pending.id}
    buttons = []
    if not decisions or "approve" in decisions:
        buttons.append({"type": "button", "action_id": APPROVE_ACTION, "style": "primary", "value": pending.id,
                        "text": {"type": "plain_text", "text": "Approve"}})
    if not decisions or "deny" in decisions:
        buttons.append({"type": "button", "action_id": DENY_ACTION, "style": "danger", "value": pending.id,
                        "text": {"type": "plain_text", "text": "Deny"}})
    blocks.append({"type": "actions", "block_id": f"approval:{pending.id}"[:255], "elements": buttons})
    return blocks


def incident_blocks(answer: Answer) -> list[Block]:
    """Ack / Resolve / Escalate on an incident brief: each asks Guardian, as the clicker,
    to do it (the policy and an approval decide, as for any request)."""
    if not answer.incident_actions:
        return []
    incident = answer.incident_actions[0].incident_id
    buttons = [{"type": "button", "action_id": INCIDENT_ACTION_PREFIX + action.verb, "value": action.incident_id,
                "text": {"type": "plain_text", "text": INCIDENT_LABELS[action.verb]},
                **({"style": "primary"} if action.verb == "ack" else {})}
               for action in answer.incident_actions]
    return [{"type": "actions", "block_id": f"incident:{incident}"[:255], "elements": buttons}]


def context_line(answer: Answer) -> str:
    parts = [f"skill `{escape(answer.skill)}`"]
    if answer.citations:
        parts.append("sources: " + ", ".join(escape(c.title or c.source) for c in answer.citations))
    return " · ".join(parts)


def answer_blocks(answer: Answer) -> list[Block]:
    """The whole answer; the actions stay last so they are never cut by the block limit."""
    blocks: list[Block] = []
    if answer.lead:
        blocks.append(_section(escape(answer.lead)))
    blocks.extend(_section(escape(text)) for text in answer.paragraphs if text)
    if answer.choices:
        blocks.append(_section("Did you mean: " + ", ".join(f"*{escape(c.label)}* (`{escape(c.skill)}`)"
                                                            for c in answer.choices)))
    for data in answer.tables:
        blocks.extend(table_blocks(data))
    for chart in answer.charts:
        blocks.extend(chart_blocks(chart))
    for quote in answer.quotes:
        blocks.extend(quote_blocks(quote))
    blocks.extend(_context(":warning: " + escape(note)) for note in answer.notes if note)
    tail = [_context(context_line(answer)), *incident_blocks(answer), *approval_blocks(answer)]
    return blocks[: MAX_BLOCKS - len(tail)] + tail


def fallback_text(answer: Answer) -> str:
    """The notification text (and what screen readers announce)."""
    return _fit(escape(answer.lead or next(iter(answer.sentences()), "") or "Guardian answered."), 300)


def decided_blocks(original: list[Block], text: str, by: str | None = None) -> list[Block]:
    """The message after a decision: the buttons replaced by what happened and who decided
    (``by`` is a Slack user id, shown as a mention)."""
    kept = [block for block in original if block.get("type") != "actions"]
    who = f" (<@{escape(by)}>)" if by else ""
    return [*kept, _section(escape(text) + who)][-MAX_BLOCKS:]
