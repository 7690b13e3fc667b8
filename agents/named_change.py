"""The one change a question names by its title's words ("who merged the jest 30 upgrade?"):
the answer leads with that change, who made it and when, instead of the period's counts.

Why a module of its own: the focus module narrows a result by properties of its rows (public,
failed, stopped); a change is asked about by what it did, which only its title says. The title
is untrusted text from GitHub: it is matched, never followed, and quoted as data in the table.
"""

from __future__ import annotations

import re
from typing import Any

from agents.focus import Focused
from tools.base import ToolResult

# Questions about one change's who or when: "who merged X", "when did X land", "who pushed X";
# or whether it is in yet: "was X merged already or still in review?", "did X ship?", "has X landed"
_ASKS_WHO_OR_WHEN = re.compile(r"\b(?:who|whom|whose|when)\b|\b(?:was|were|is|has|have|did)\b[^?.!]{0,80}?"
                               r"\b(?:merged|landed|shipped|deployed|released|merge|land|ship|go out|gone out|"
                               r"in review)\b", re.I)
# Words of the question that say nothing about which change: question words, change verbs, fillers.
_NOT_TITLE_WORDS = frozenset("""
a an the this that these those it its of to in on for by from with and or but is was were are be been
did does do has have had who whom whose when what which merged merge merges pushed push landed land
shipped ship wrote write authored opened change changes pr prs pull request requests commit commit
deploy deployed recently lately just actually yesterday today week last ago our we us me i you
""".split())
_WORD = re.compile(r"[a-z0-9][a-z0-9.+-]*", re.I)
MIN_SHARED = 2  # title words a question must share with a change to name it


def _words(text: str) -> set[str]:
    return {word.lower().strip(".") for word in _WORD.findall(text)} - _NOT_TITLE_WORDS


def named_change(result: ToolResult, text: str) -> Focused | None:
    """The change whose title shares the most words (at least ``MIN_SHARED``) with a who/when/
    whether-in-yet question, when exactly one does; None otherwise (the period's listing answers)."""
    if result.status != "ok" or not result.rows or not _ASKS_WHO_OR_WHEN.search(text):
        return None
    asked = _words(text)
    shared = [(len(asked & _words(str(row.get("title") or ""))), row) for row in result.rows]
    best = max((count for count, _row in shared), default=0)
    matches = [row for count, row in shared if count == best]
    if best < MIN_SHARED or len(matches) != 1:
        return None
    return Focused(lead=_said(matches[0]), rest="", rows=matches)


def _said(row: dict[str, Any]) -> str:
    """"driftwood/checkout-web#207 was merged by frank 4d 2h ago." (the title is in the table)."""
    verb = {"merged PR": "was merged", "commit": "was pushed", "deployment": "was deployed"}.get(
        str(row.get("kind")), "was made")
    who = f" by {row['author']}" if row.get("author") else ""
    when = f" {row['age']} ago" if row.get("age") else ""
    return f"{row['ref']} {verb}{who}{when}."
