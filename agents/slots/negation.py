"""Words a request rules out ("not prod", "aren't running", "not the highs", "non-prod"):
a filter slot must not take its value from them, and the environment one becomes an
exclusion ("!prod"), so "everything but prod" does not read as "prod"."""

from __future__ import annotations

import re

# a negation, up to two filler words, then the one word it rules out
_NEGATED = re.compile(
    r"(?:\bnot|n't|\bexcept(?: for)?|\bexcluding|\bother than|\bapart from|\bminus)\s+"
    r"((?:(?:the|any|in|on|for|from|counting|including|be|a|an|ones?|in)\s+){0,2})([a-z0-9][\w-]*)")
_NON = re.compile(r"\bnon[- ]?(prod|production|prd|staging|stage|dev|development)\b")


def ruled_out(text: str) -> list[str]:
    """The words ``text`` rules out, in order (lower-case text)."""
    words = [match.group(2) for match in _NEGATED.finditer(text)]
    return words + [match.group(1) for match in _NON.finditer(text)]


def without_ruled_out(text: str) -> str:
    """``text`` with every ruled-out word (and its negation) blanked, so a positive filter
    (a service, a severity, an environment) is read only from what is asked for."""
    text = _NON.sub(" ", text)
    return _NEGATED.sub(" ", text)

