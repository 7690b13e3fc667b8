"""The answer in a terminal (rich). Every string goes in as ``Text``, never as markup or
markdown, so a log line or a runbook cannot style or hide anything on the screen; untrusted
quotes are framed panels titled with their kind."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table as RichTable
from rich.text import Text

from agents.answer import Answer, ApprovalAction, Chart, Quote, Table
from bot.render.cells import NUMERIC, format_cell, format_value

BARS = "▁▂▃▄▅▆▇█"
QUOTE_TITLES = {"log": "log (quoted, untrusted)", "runbook": "runbook (quoted, untrusted)",
                "alert": "alert (quoted, untrusted)", "note": "note (quoted, untrusted)"}


def chat_decision(action: ApprovalAction) -> str:
    """In the chat loop a decision is typed as a line."""
    return f"{action.decision} {action.approval_id}"


def cli_decision(action: ApprovalAction) -> str:
    return f"guardian approvals {action.decision} {action.approval_id}"


def rich_table(data: Table) -> RichTable:
    out = RichTable(title=Text(data.title) if data.title else None, header_style="bold")
    for column in data.columns:
        out.add_column(Text(column.label), overflow="fold",
                       justify="right" if column.kind in NUMERIC else "left")
    for row in data.rows:
        out.add_row(*[Text(format_cell(cell), style=_style(cell.kind, cell.value)) for cell in row])
    return out


def _style(kind: str, value: object) -> str:
    if kind == "status" and str(value).lower() in ("critical", "high", "failure", "failed", "stopped", "true"):
        return "red"
    if kind == "id":
        return "cyan"
    return ""


def quote_panel(data: Quote) -> Panel:
    lines = data.text.splitlines()
    more = f" · last {len(lines)} of {data.total_lines} lines" if data.total_lines > len(lines) else ""
    title = Text(f"{data.label} — {QUOTE_TITLES[data.kind]}{more}")
    return Panel(Text(data.text), title=title, title_align="left", border_style="dim")


def sparkline(values: list[float]) -> str:
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(BARS[min(len(BARS) - 1, int((v - low) / span * (len(BARS) - 1)))] for v in values)


def chart_lines(data: Chart) -> Group:
    rows = [Text(data.title, style="bold")]
    for series in data.series:
        ys = [point.y for point in series.points]
        if not ys:
            continue
        first, last = series.points[0], series.points[-1]
        rows.append(Text(f"{series.name:24} {sparkline(ys)}  {first.x} {format_value(data.y_kind, first.y, data.unit)}"
                         f" → {last.x} {format_value(data.y_kind, last.y, data.unit)}"))
    return Group(*rows)


def render(answer: Answer, console: Console, decision: Callable[[ApprovalAction], str] = cli_decision) -> None:
    """Lead, paragraphs, choices, quotes, tables, charts, notes, approval, citations."""
    if answer.lead:
        console.print(Text(answer.lead, style="bold"))
    for paragraph in answer.paragraphs:
        console.print(Text(paragraph))
    for number, choice in enumerate(answer.choices, 1):
        console.print(Text(f"  {number}. {choice.label} ({choice.skill})"))
    for quote in answer.quotes:
        console.print(quote_panel(quote))
    for table in answer.tables:
        console.print(rich_table(table))
        hidden = table.total_rows - len(table.rows)
        if hidden > 0:
            console.print(Text(f"…and {hidden} more", style="dim"))
    for chart in answer.charts:
        console.print(chart_lines(chart))
    for note in answer.notes:
        console.print(Text(note, style="yellow"))
    if answer.pending_approval:
        pending = answer.pending_approval
        ways = " or ".join(decision(action) for action in answer.actions)
        console.print(Panel(Text(f"{pending.summary}\n\nType: {ways}"), title="Approval needed", border_style="red"))
    if answer.citations:
        console.print(Text("Sources: " + "; ".join(f"{c.title} ({c.source})" for c in answer.citations),
                           style="dim"))
    console.print(Text(f"{answer.agent} · {answer.skill} · confidence {answer.confidence:.2f}", style="dim"))
