"""Which Slack failures the incident delivery retries, and that a connection nobody answers
ends in one clear DeliveryFailed after the bounded attempts (the Slack stand-in cases, 5xx,
rate limits and lost answers, are in tests/e2e/test_pagerduty.py)."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack_delivery import Backoff, DeliveryFailed, SlackDelivery, maybe_posted, retry_after, retryable


def _error(status: int, error: str, headers: dict[str, str] | None = None) -> SlackApiError:
    response = AsyncSlackResponse(client=None, http_verb="POST", api_url="chat.postMessage", req_args={},
                                  data={"ok": False, "error": error}, headers=headers or {}, status_code=status)
    return SlackApiError("failed", response)


def test_5xx_rate_limits_and_dropped_connections_are_retried_and_refusals_are_not() -> None:
    assert retryable(_error(503, "service_unavailable")) and maybe_posted(_error(503, "service_unavailable"))
    limited = _error(429, "ratelimited", {"Retry-After": "7"})
    assert retryable(limited) and not maybe_posted(limited) and retry_after(limited) == 7.0
    dropped = aiohttp.ServerDisconnectedError()
    assert retryable(dropped) and maybe_posted(dropped)  # it may have been posted: look before posting again
    assert not retryable(_error(200, "channel_not_found")) and not retryable(_error(200, "invalid_auth"))
    assert not retryable(ValueError("a bug"))


def test_retry_after_is_honoured_over_the_backoff_but_capped() -> None:
    backoff = Backoff(attempts=3, base=0.1, cap=0.2)
    assert 0.1 <= backoff.delay(0, None) <= 0.125
    assert backoff.delay(5, None) <= 0.25  # capped, with at most 25 % jitter
    assert backoff.delay(0, 7.0) == 7.0 and backoff.delay(0, 3600.0) == 60.0


def test_a_slack_nobody_answers_fails_once_after_the_bounded_attempts() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AsyncWebClient(token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/", timeout=2)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    delivery = SlackDelivery(client, "guardian_incident_brief", Backoff(attempts=3, base=0.01, cap=0.05), sleep)
    with pytest.raises(DeliveryFailed, match="after 3 attempts"):
        asyncio.run(delivery.post("C0INCIDENT", "incident:P1", text="brief"))
    assert len(waits) == 2  # between the three attempts, none after the last
