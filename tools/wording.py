"""Small wording helpers shared by the tools' summaries and the answers, so a count agrees
with its noun and verb ("1 resource", "3 resources"; "1 is public", "2 are public")."""

from __future__ import annotations

import re

_PLURAL_VERB = re.compile(r"^(are|have)\b")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number ``n`` takes: ``counted(1, "resource")`` is
    "1 resource", ``counted(2, "policy", "policies")`` is "2 policies"."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def agreeing(count: int, phrase: str) -> str:
    """``phrase`` (written for many: "are public", "have no MFA") with its leading verb in
    the singular when ``count`` is 1."""
    if count != 1:
        return phrase
    return _PLURAL_VERB.sub(lambda m: {"are": "is", "have": "has"}[m.group(1)], phrase)
