"""Slack over Socket Mode, on a real websocket: ``guardian``'s app started with an app
token and ``slack_mode=socket`` (its own startup hook connects), the real slack_sdk
Socket Mode client asking the Web API stand-in for ``apps.connections.open`` and
connecting to the loopback Socket Mode stand-in, which says ``hello`` and then sends
envelopes as Slack does. The same listeners as HTTP mode answer; each envelope is acked
by its id before the work, and answered through the Web API exactly once."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from bot.http_app import create_app
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.slack_surface import SlackSurface
from sandbox.company import DRIFTWOOD
from sandbox.slack_api import SlackApiStandIn
from sandbox.slack_socket import SlackSocketStandIn
from tests.conftest import sandbox_environment

pytestmark = [pytest.mark.slow]
T = TypeVar("T")


class RunningApp:
    """The ASGI app with its lifespan started (so its Socket Mode connection is open) on
    an event loop of its own thread, shared by this module's tests."""

    def __init__(self, runtime: Runtime) -> None:
        self.app = create_app(runtime)
        self.surface: SlackSurface = self.app.state.slack
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="guardian-app", daemon=True)
        self._lifespan: Any = None

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def __enter__(self) -> RunningApp:
        self._thread.start()
        self._lifespan = self.app.router.lifespan_context(self.app)
        self.run(self._lifespan.__aenter__())
        return self

    def __exit__(self, *_: object) -> None:
        self.run(self._lifespan.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    def settle(self) -> None:
        self.run(self.surface.drain())


@pytest.fixture(scope="module")
def socket() -> Iterator[SlackSocketStandIn]:
    with SlackSocketStandIn() as stand_in:
        yield stand_in


@pytest.fixture(scope="module")
def running(sandbox: Any, slack_api: SlackApiStandIn, socket: SlackSocketStandIn,
            tmp_path_factory: pytest.TempPathFactory, warm_home: Callable[[Path], Path]) -> Iterator[RunningApp]:
    slack_api.serve_socket_mode(socket.url)
    with pytest.MonkeyPatch.context() as patch:
        sandbox_environment(patch, sandbox)
        settings = load_settings(home=warm_home(tmp_path_factory.mktemp("slack-socket-home")),
                                 slack_bot_token="xoxb-test", slack_app_token="xapp-1-test", slack_mode="socket",
                                 slack_api_url=slack_api.api_url)
        with Runtime(settings) as rt, RunningApp(rt) as app:
            socket.wait_connected()
            yield app


def event(channel: str, ts: str, text: str, *, event_id: str) -> dict[str, Any]:
    return {"token": "x", "team_id": "TDRIFTWOOD", "api_app_id": "AGUARDIAN", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()),
            "event": {"type": "app_mention", "user": "U0DAN", "channel": channel, "ts": ts,
                      "text": f"<@UGUARDIAN1> {text}"}}


def test_the_connection_is_opened_with_the_app_token(running: RunningApp, slack_api: SlackApiStandIn,
                                                      socket: SlackSocketStandIn) -> None:
    [opened] = slack_api.calls("apps.connections.open")
    assert opened.token == "xapp-1-test"  # the app-level token, never the bot token
    assert socket.refused == 0

    async def http_events() -> int:
        transport = httpx.ASGITransport(app=running.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://guardian") as client:
            return (await client.post("/slack/events", content=b"{}")).status_code

    assert asyncio.run(http_events()) == 404  # in Socket Mode the HTTP entry is closed


def test_an_events_api_mention_is_acked_then_answered_once(running: RunningApp, slack_api: SlackApiStandIn,
                                                          socket: SlackSocketStandIn) -> None:
    root = "1700000900.000100"
    body = event("C9SOCKET", root, "which buckets are public?", event_id="EvSOCKET1")
    envelope = socket.send_events_api(body)
    ack = running.run(socket.wait_ack(envelope))
    running.settle()
    [reply] = [c for c in slack_api.calls("chat.postMessage") if c.args.get("channel") == "C9SOCKET"]
    assert reply.args["thread_ts"] == root and ack.at < reply.at  # acked before the work began
    [answer] = [c for c in slack_api.calls("chat.update") if c.args.get("ts") == reply.ts and c.blocks]
    shown = json.dumps(answer.blocks)
    public = {bucket.name for bucket in DRIFTWOOD.public_buckets()}
    assert public and all(name in shown for name in public) and "security.public_storage" in shown

    before = len(slack_api.calls())
    retry = socket.send_events_api(body, retry_attempt=1)  # Slack re-sends: a new envelope, the same event
    running.run(socket.wait_ack(retry))
    running.settle()
    assert len(slack_api.calls()) == before
    assert [a.envelope_id for a in socket.acks()].count(envelope) == 1


def test_a_slash_command_envelope_is_acked_and_answered_in_the_channel(running: RunningApp,
                                                                       slack_api: SlackApiStandIn,
                                                                       socket: SlackSocketStandIn) -> None:
    command = {"token": "x", "team_id": "TDRIFTWOOD", "channel_id": "C9COMMAND", "user_id": "U0DAN",
               "command": "/guardian", "text": "ask which instances are stopped?", "trigger_id": "trig-socket-1",
               "response_url": f"{slack_api.url}/response/socket-1", "api_app_id": "AGUARDIAN"}
    envelope = socket.send_slash_command(command)
    running.run(socket.wait_ack(envelope))
    running.settle()
    [reply] = [c for c in slack_api.calls("chat.postMessage") if c.args.get("channel") == "C9COMMAND"]
    [answer] = [c for c in slack_api.calls("chat.update") if c.args.get("ts") == reply.ts and c.blocks]
    shown = json.dumps(answer.blocks)
    assert all(i.name in shown for i in DRIFTWOOD.stopped_instances())
    assert not any(i.name in shown for i in DRIFTWOOD.instances if i.state == "running")
    assert slack_api.calls("/response/socket-1") == []  # answered in the channel, not through response_url


def test_help_is_the_acks_own_payload(running: RunningApp, socket: SlackSocketStandIn) -> None:
    command = {"token": "x", "team_id": "TDRIFTWOOD", "channel_id": "C9HELP", "user_id": "U0DAN",
               "command": "/guardian", "text": "help", "trigger_id": "trig-socket-2", "response_url": "",
               "api_app_id": "AGUARDIAN"}
    envelope = socket.send_slash_command(command)
    ack = running.run(socket.wait_ack(envelope))
    assert ack.payload["response_type"] == "ephemeral" and "/guardian ask" in ack.payload["text"]
