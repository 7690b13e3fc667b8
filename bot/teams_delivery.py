"""Sending to the Bot Connector again when Teams throttles or fails for a moment.

The Bot Framework SDK's async connector client sends each activity once: a 429 (Teams
throttles a bot per conversation and per tenant, with ``Retry-After``) or a 503 reaches
the caller as ``ErrorResponseException`` (an msrest ``HttpOperationError``) and the answer
is lost. Microsoft's guidance for bots is to retry such calls with exponential backoff; this module does it.

What is retried, and why:
- a rate limit (429) or "unavailable" (503) refused the call before doing anything: always
  retried, posts included;
- a 500/502/504, a timeout or a dropped connection may have delivered the activity anyway:
  the call is retried only where doing it twice is harmless (``may_repeat``): an update (a
  PUT of the same card) and the answer to a question (a doubled reply beats none), not a
  new incident brief or channel post (two cards would split the responders' clicks);
- anything else (400, 401, 403, 404...) is final at once: repeating cannot fix it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from msrest.exceptions import ClientRequestError, HttpOperationError  # ErrorResponseException is the latter

from bot.backoff import Backoff, Refusals, Sleep, seconds, with_retries

REFUSED = frozenset({429, 503})  # the connector did nothing: safe to send again
TRANSIENT = frozenset({500, 502, 504})  # it may have done it: again only where twice is harmless
T = TypeVar("T")


def status_of(exc: BaseException) -> int:
    """The HTTP status of a connector refusal (0 when the call never got an answer)."""
    response = getattr(exc, "response", None) if isinstance(exc, HttpOperationError) else None
    return int(getattr(response, "status_code", 0) or 0)


def retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None) if isinstance(exc, HttpOperationError) else None
    headers = getattr(response, "headers", None) or {}
    return seconds(headers.get("Retry-After") or headers.get("retry-after"))


def retryable(exc: BaseException, may_repeat: bool) -> bool:
    """Whether sending again could succeed, and may (see the module doc)."""
    if isinstance(exc, HttpOperationError):
        status = status_of(exc)
        return status in REFUSED or (may_repeat and status in TRANSIENT)
    # msrest already retried the connection itself (urllib3, connect=3): what reaches here got no
    # answer, and may have been delivered
    return may_repeat and isinstance(exc, ClientRequestError | aiohttp.ClientError | asyncio.TimeoutError
                                     | ConnectionError)


def reason(exc: BaseException) -> str:
    """A short description for the log: the status, never the activity or the token."""
    status = status_of(exc)
    return f"HTTP {status}" if status else type(exc).__name__


async def deliver(send: Callable[[], Awaitable[T]], what: str, *, may_repeat: bool,
                  backoff: Backoff | None = None, sleep: Sleep = asyncio.sleep) -> T:
    """``send()`` until it succeeds or fails for good; the last failure is raised."""
    refusals = Refusals("teams", lambda exc: retryable(exc, may_repeat), retry_after, reason)
    return await with_retries(send, what, refusals, backoff or Backoff(), sleep)


__all__ = ["deliver", "retry_after", "retryable", "status_of"]
