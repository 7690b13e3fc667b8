"""Checks that a model's text names only resource ids that tools returned this turn."""

from __future__ import annotations

import re
from collections.abc import Iterable

RESOURCE_ID = re.compile(
    r"\b(?:arn:aws[a-z-]*:[^\s`'\"|,)]+|(?:i|sg|vol|snap|ami|eni|subnet|vpc|eipalloc|igw|nat|rtb)-[0-9a-f]{6,17}"
    r"|AKIA[0-9A-Z]{12,16})\b"
)


def resource_ids_in(text: str) -> list[str]:
    return list(dict.fromkeys(RESOURCE_ID.findall(text)))


def unverified_ids(text: str, known: Iterable[str]) -> list[str]:
    known_set = set(known)
    return [rid for rid in resource_ids_in(text) if rid not in known_set]
