"""Tool rows as typed tables: each column gets a kind (money, percent, time, id, status,
number, text) from one vocabulary of column names, each cell keeps its raw value (redacted
and trimmed), and rows are ordered by what matters (severity, then cost)."""

from __future__ import annotations

from typing import Any

from agents.answer import Cell, CellKind, Column, Table
from tools.base import ToolResult

MAX_ROWS = 15
MAX_CELL = 120

# Column names tools use, by the kind of value they hold (one vocabulary for every tool).
COLUMN_KINDS: dict[CellKind, frozenset[str]] = {
    "money": frozenset({"cost", "baseline", "recent", "change", "monthly_usd", "amount", "forecast", "spend",
                        "previous", "impact", "expected", "actual", "spread"}),
    "percent": frozenset({"share", "change_pct", "percent"}),
    "time": frozenset({"time", "until", "spike_day", "when", "at", "updated", "created", "launched", "age",
                       "started", "date", "day", "end_day"}),
    # "number" is an ordinal (incident #1042, run #118, step 5), never a quantity: no "1,042"
    "id": frozenset({"id", "number", "run_id", "group_id", "bucket", "instance", "instances", "instance_id", "resource",
                     "key_id", "sha", "approval", "incident_id", "ref", "source", "log_group"}),
    "status": frozenset({"status", "state", "severity", "conclusion", "urgency", "public", "encrypted",
                         "public_access_block"}),
}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "informational": 4}
# Which money column ranks a table, first found wins: what was spent, then what changed.
RANKING_MONEY = ("cost", "monthly_usd", "impact", "change", "amount", "spend")


def column_kind(key: str, values: list[Any]) -> CellKind:
    for kind, names in COLUMN_KINDS.items():
        if key in names:
            return kind
    present = [value for value in values if value is not None]
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "number"
    return "text"


def cell_value(value: Any) -> str | int | float | bool | None:
    """The raw value for a cell: numbers and booleans as they are, text redacted and cut."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        text = ", ".join(str(item) for item in value)
    elif isinstance(value, dict):
        text = ", ".join(f"{key}={item}" for key, item in value.items())
    else:
        text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _label(key: str) -> str:
    return key.replace("_", " ")


def order_rows(columns: list[str], rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """Rows in the order that matters and the column that decided it: severity first, then
    the largest cost (or cost change); anything else keeps the tool's order (newest first
    for runs, incidents and changes; time order for log lines)."""
    if "severity" in columns:
        return sorted(rows, key=lambda row: SEVERITY_RANK.get(str(row.get("severity")).lower(), 9)), "severity"
    for key in RANKING_MONEY:
        if key in columns and all(isinstance(row.get(key), int | float) for row in rows):
            return sorted(rows, key=lambda row: float(row[key]), reverse=True), key
    return rows, ""


def typed_table(result: ToolResult, title: str = "", rows: list[dict[str, Any]] | None = None,
                currency: str = "USD") -> Table | None:
    """The result's rows (or ``rows``, a subset of them) as a typed table."""
    source = result.rows if rows is None else rows
    if not source:
        return None
    keys = result.columns or list(source[0].keys())
    ordered, sorted_by = order_rows(keys, source)
    kinds = {key: column_kind(key, [row.get(key) for row in ordered]) for key in keys}
    unit = str(result.facts.get("currency") or currency)
    columns = [Column(key=key, label=_label(key), kind=kinds[key]) for key in keys]
    cells = [[Cell(kind=kinds[key], value=cell_value(row.get(key)), unit=unit if kinds[key] == "money" else "")
              for key in keys] for row in ordered[:MAX_ROWS]]
    return Table(title=title, columns=columns, rows=cells, total_rows=len(ordered), sorted_by=sorted_by)


def text_table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    """A table of plain text (help, lists Guardian itself knows)."""
    return Table(title=title, columns=[Column(key=c, label=c) for c in columns],
                 rows=[[Cell(value=v) for v in row] for row in rows], total_rows=len(rows))
