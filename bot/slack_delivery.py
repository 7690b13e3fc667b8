"""Delivering a message Slack must not lose, and must not show twice: incident briefs posted
in the background after a webhook was already answered (nobody is left to retry them).

Why it is shaped this way:
- Slack answering 5xx, ``ratelimited`` (429 with ``Retry-After``) or a dropped connection is
  retried a bounded number of times with exponential backoff (with jitter), waiting at least
  what ``Retry-After`` asks (capped); any other refusal (``channel_not_found``,
  ``invalid_auth``...) is final at once: retrying cannot fix it.
- A post carries its delivery key as message metadata. A 5xx or a dropped connection may
  have posted the message anyway, so before posting again the channel's recent history is
  read for that key: found, its ``ts`` is the answer. Unable to read the history, the attempt
  counts as failed and nothing is posted (a missing brief is logged and audited; a doubled
  one would mislead responders).
- slack_sdk's own connection-error retry would repeat a post blindly, so this module posts
  through a sibling client without SDK retries.
- Updates (``chat.update``) are idempotent: retried the same way, without the history check.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.backoff import Backoff, Refusals, Sleep, seconds, with_retries

log = logging.getLogger(__name__)

RETRYABLE_ERRORS = ("ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout")
HISTORY_LIMIT = 200  # recent messages searched for a post whose answer was lost
T = TypeVar("T")


class DeliveryFailed(RuntimeError):
    """Slack did not take the message after every attempt (the reason is the last failure)."""


def retryable(exc: BaseException) -> bool:
    """Whether trying again could succeed: a 5xx, a rate limit, a dropped or timed-out connection."""
    if isinstance(exc, SlackApiError):
        status = int(getattr(exc.response, "status_code", 0) or 0)
        error = str((exc.response.get("error") if isinstance(exc.response.data, dict) else "") or "")
        return status == 429 or status >= 500 or error in RETRYABLE_ERRORS
    return isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError)


def maybe_posted(exc: BaseException) -> bool:
    """Whether the failed call may have reached Slack anyway (its answer was lost): not after
    a rate limit, which refuses before doing anything."""
    if isinstance(exc, SlackApiError):
        return int(getattr(exc.response, "status_code", 0) or 0) != 429 and exc.response.get("error") != "ratelimited"
    return True


def retry_after(exc: BaseException) -> float | None:
    if not isinstance(exc, SlackApiError):
        return None
    headers = getattr(exc.response, "headers", None) or {}
    return seconds(headers.get("Retry-After") or headers.get("retry-after"))


def reason(exc: BaseException) -> str:
    """A short, secret-free description of a failure (never the request's arguments)."""
    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        return f"HTTP {exc.response.status_code}" + (f" {error}" if error else "")
    return type(exc).__name__


def without_sdk_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The same client (token, base URL, timeout, proxy), minus the SDK's blind retries."""
    return AsyncWebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl,
                          proxy=client.proxy, headers=client.headers, retry_handlers=[])


class SlackDelivery:
    """Posts and updates with retries; ``metadata_event`` names the key's metadata event type."""

    def __init__(self, client: AsyncWebClient, metadata_event: str, backoff: Backoff | None = None,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.client = without_sdk_retries(client)
        self.metadata_event = metadata_event
        self.backoff = backoff or Backoff()
        self.sleep = sleep

    async def post(self, channel: str, key: str, **message: Any) -> str:
        """``chat.postMessage`` once, whatever fails on the way; returns the message's ts."""
        metadata = {"event_type": self.metadata_event, "event_payload": {"key": key}}
        unsure = False  # a previous attempt may have posted

        async def attempt() -> str:
            nonlocal unsure
            try:
                if unsure:
                    found = await self.find(channel, key)
                    if found:
                        log.info("slack: %s was posted after all (%s); not posting it again", key, found)
                        return found
                posted = await self.client.chat_postMessage(channel=channel, metadata=metadata, **message)
                return str(posted["ts"])
            except Exception as exc:
                unsure = unsure or maybe_posted(exc)
                raise

        return await self._delivered(attempt, f"posting {key} to {channel}", "post")

    async def update(self, channel: str, ts: str, **message: Any) -> None:
        """``chat.update`` (the same content twice is harmless), retried like a post."""

        async def attempt() -> None:
            await self.client.chat_update(channel=channel, ts=ts, **message)

        await self._delivered(attempt, f"updating {ts} in {channel}", "update")

    async def find(self, channel: str, key: str) -> str | None:
        """The ts of a recent message in ``channel`` carrying ``key``; raises when the history
        cannot be read (the caller then neither posts nor gives up yet)."""
        history = await self.client.conversations_history(channel=channel, include_all_metadata=True,
                                                          limit=HISTORY_LIMIT)
        for item in history.get("messages") or []:
            metadata = item.get("metadata") or {}
            if (metadata.get("event_type") == self.metadata_event
                    and (metadata.get("event_payload") or {}).get("key") == key):
                return str(item.get("ts"))
        return None

    async def _delivered(self, attempt: Callable[[], Awaitable[T]], what: str, kind: str) -> T:
        """``attempt`` with the shared retry loop; running out of attempts is DeliveryFailed."""
        try:
            return await with_retries(attempt, what, REFUSALS, self.backoff, self.sleep)
        except Exception as exc:
            if retryable(exc):
                raise DeliveryFailed(f"Slack did not take the {kind} after {self.backoff.attempts} attempts "
                                     f"({reason(exc)})") from exc
            raise


REFUSALS = Refusals("slack", retryable, retry_after, reason)


__all__ = ["Backoff", "DeliveryFailed", "SlackDelivery", "retryable"]
