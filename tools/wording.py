"""Small wording helpers shared by the tools' summaries, so a count agrees with its noun
("1 resource", "3 resources") wherever a summary is built."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number ``n`` takes: ``counted(1, "resource")`` is
    "1 resource", ``counted(2, "policy", "policies")`` is "2 policies"."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
