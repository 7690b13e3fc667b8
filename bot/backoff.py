"""How long to wait between attempts at a chat platform that refused or dropped a call.

Shared by Slack and Teams delivery: the platforms' rate limits both answer 429 with
``Retry-After``, and both deserve the same bounded, jittered exponential backoff.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")

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


@dataclass(frozen=True)
class Refusals:
    """How one platform's failures read: whether one is worth another attempt, how long it
    asks to wait (``Retry-After``), and a short reason for the log (never the payload)."""

    platform: str
    retryable: Callable[[BaseException], bool]
    retry_after: Callable[[BaseException], float | None]
    reason: Callable[[BaseException], str]


async def with_retries(send: Callable[[], Awaitable[T]], what: str, refusals: Refusals, backoff: Backoff,
                       sleep: Sleep = asyncio.sleep) -> T:
    """``send()`` until it succeeds, fails for good (raised at once) or runs out of attempts
    (the last failure raised): the one retry loop of Slack's and Teams' delivery."""
    for attempt in range(backoff.attempts):
        try:
            return await send()
        except Exception as exc:
            if not refusals.retryable(exc) or attempt + 1 >= backoff.attempts:
                log.warning("%s: %s failed for good (%s) after %d attempt(s)", refusals.platform, what,
                            refusals.reason(exc), attempt + 1)
                raise
            delay = backoff.delay(attempt, refusals.retry_after(exc))
            log.warning("%s: %s failed (%s); attempt %d of %d in %.1f s", refusals.platform, what,
                        refusals.reason(exc), attempt + 2, backoff.attempts, delay)
            await sleep(delay)
    raise AssertionError("unreachable: Backoff.attempts is at least 1")


__all__ = ["MAX_RETRY_AFTER", "Backoff", "Refusals", "Sleep", "seconds", "with_retries"]
