"""Typed cells and chart points as text, the same on every text surface: money with its
currency, percentages with one decimal, times to the minute, booleans as yes/no."""

from __future__ import annotations

import re

from agents.answer import Cell, CellKind, Column

ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]00:?00)?$")
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
EMPTY = "—"


def money(amount: float, unit: str = "USD") -> str:
    symbol = SYMBOLS.get(unit.upper() if unit else "USD")
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}" if symbol else f"{amount:,.2f} {unit}"


def format_value(kind: CellKind, value: str | int | float | bool | None, unit: str = "") -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if kind == "money":
            return money(float(value), unit or "USD")
        if kind == "percent":
            return f"{value:.1f}%"
        if kind != "number":
            return str(value)
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"
    if kind == "question":
        return f"ask: {value}"
    if kind == "time":
        match = ISO_TIME.match(value)
        if match:
            return f"{match.group(1)} {match.group(2)}" + (" UTC" if match.group(5) else "")
    return value


def format_cell(cell: Cell) -> str:
    return format_value(cell.kind, cell.value, cell.unit)


NUMERIC: frozenset[CellKind] = frozenset({"number", "money", "percent"})


def row_questions(columns: list[Column], rows: list[list[Cell]]) -> list[str]:
    """Each row's follow-up question (its first ``question`` cell), in row order: what a
    surface offers as buttons or a menu."""
    index = next((i for i, column in enumerate(columns) if column.kind == "question"), None)
    if index is None:
        return []
    return [str(row[index].value) for row in rows if index < len(row) and row[index].value]
