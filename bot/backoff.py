"""How long to wait between attempts at a chat platform that refused or dropped a call.

Shared by Slack and Teams delivery: the platforms' rate limits both answer 429 with
``Retry-After``, and both deserve the same bounded, jittered exponential backoff.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_RETRY_AFTER = 60.0  # seconds: a longer Retry-After is waited for this long, then tried again


@dataclass(frozen=True)
class Backoff:
    """How many attempts, and how long between them: ``base * 2**n`` seconds (plus up to 25 %
    jitter), at most ``cap``; a ``Retry-After`` longer than that is honoured instead."""

    attempts: int = 5
    base: float = 0.5
    cap: float = 15.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        wait = min(self.cap, self.base * 2 ** attempt) * (1 + random.random() / 4)  # jitter only, not a secret
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        return float(wait)


def seconds(value: object) -> float | None:
    """A ``Retry-After`` header's delay in seconds (the HTTP-date form is not used by Slack
    or the Bot Connector, and is read as absent)."""
    try:
        return max(0.0, float(str(value))) if value is not None else None
    except (TypeError, ValueError):
        return None


__all__ = ["MAX_RETRY_AFTER", "Backoff", "seconds"]
