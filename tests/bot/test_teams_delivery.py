"""Sending to the Bot Connector again (bot/teams_delivery.py): the SDK's own async client
against the connector stand-in, which throttles and fails as scripted; the waits are
recorded instead of slept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from msrest.exceptions import ClientRequestError

from bot.backoff import MAX_RETRY_AFTER, Backoff
from bot.teams_delivery import deliver, retryable, status_of
from tests.teams_standins import Connector, StaticTokenCredentials

CONVERSATION = "19:delivery@thread.tacv2"
QUICK = Backoff(attempts=3, base=0.01, cap=0.02)


@pytest.fixture
def connector() -> Iterator[Connector]:
    stand_in = Connector()
    yield stand_in
    stand_in.close()


class Waits:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def send(url: str, text: str = "the answer") -> Any:
    async def call() -> Any:
        client = ConnectorClient(StaticTokenCredentials("app-id", "token"), base_url=url)
        return await client.conversations.send_to_conversation(CONVERSATION, Activity(type="message", text=text))
    return call


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def sent(connector: Connector, may_repeat: bool) -> Waits:
    """Deliver one message through the stand-in; the waits it took."""
    waits = Waits()
    run(deliver(send(connector.url), "a message", may_repeat=may_repeat, backoff=QUICK, sleep=waits))
    return waits


def refused(connector: Connector, may_repeat: bool) -> tuple[int, Waits]:
    """Deliver one message the stand-in refuses for good; the final status and the waits."""
    waits = Waits()
    with pytest.raises(Exception) as failure:
        run(deliver(send(connector.url), "a message", may_repeat=may_repeat, backoff=QUICK, sleep=waits))
    return status_of(failure.value), waits


def test_a_throttled_post_waits_what_retry_after_asks_and_is_sent_once(connector: Connector) -> None:
    connector.fail_next("POST", 429, retry_after="7")
    waits = Waits()
    sent = run(deliver(send(connector.url), "a post", may_repeat=False, backoff=QUICK, sleep=waits))
    assert sent.id.startswith("sent-")
    assert len(connector.refused) == 1 and [c["activity"]["text"] for c in connector.calls] == ["the answer"]
    assert waits.slept == [7.0]  # Retry-After beats the (much shorter) backoff


def test_retry_after_is_capped(connector: Connector) -> None:
    connector.fail_next("POST", 429, retry_after="3600")
    assert sent(connector, may_repeat=False).slept == [MAX_RETRY_AFTER]


def test_a_503_refused_the_post_so_it_is_sent_again(connector: Connector) -> None:
    connector.fail_next("POST", 503, times=2)
    waits = sent(connector, may_repeat=False)
    assert len(connector.refused) == 2 and len(connector.calls) == 1 and len(waits.slept) == 2


def test_a_500_may_have_posted_so_a_new_post_is_not_repeated(connector: Connector) -> None:
    connector.fail_next("POST", 500)
    status, waits = refused(connector, may_repeat=False)
    assert status == 500 and len(connector.refused) == 1 and connector.calls == [] and waits.slept == []


def test_a_500_is_repeated_where_twice_is_harmless(connector: Connector) -> None:
    connector.fail_next("POST", 502)
    waits = sent(connector, may_repeat=True)
    assert len(connector.refused) == 1 and len(connector.calls) == 1 and len(waits.slept) == 1


def test_a_refusal_that_repeating_cannot_fix_is_final_at_once(connector: Connector) -> None:
    connector.fail_next("POST", 403)
    status, waits = refused(connector, may_repeat=True)
    assert status == 403 and waits.slept == [] and connector.calls == []


def test_attempts_are_bounded_and_the_last_failure_is_raised(connector: Connector) -> None:
    connector.fail_next("POST", 429, times=5, retry_after="0")
    status, waits = refused(connector, may_repeat=False)
    assert status == 429
    assert len(connector.refused) == QUICK.attempts and len(waits.slept) == QUICK.attempts - 1
    assert connector.calls == []


def test_a_request_that_got_no_answer_is_repeated_only_where_twice_is_harmless() -> None:
    """What msrest raises once its own connection retries are spent (the connector may have
    taken the activity before the connection dropped)."""
    lost = ClientRequestError("Error occurred in request.", inner_exception=ConnectionResetError())
    assert retryable(lost, may_repeat=True) and not retryable(lost, may_repeat=False)
