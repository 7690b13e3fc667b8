"""A loopback stand-in for Slack's Socket Mode server: a real websocket (the
``websockets`` library) that slack_sdk's Socket Mode client connects to after
``apps.connections.open`` (answered by ``SlackApiStandIn``) gave it this server's URL.

Like Slack, it sends ``hello`` on connect, then whatever envelope a test pushes
(``events_api``, ``slash_commands``, ``interactive``), each with a fresh ``envelope_id``,
and records what the app sends back: the acks (``{"envelope_id": ...}``, with a
``payload`` when the envelope accepts one). The connection URL carries a one-time
ticket; a connection without it is refused. Served from its own thread and event loop,
so the app under test runs on its loop as it would in production.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve

APP_ID = "AGUARDIAN"


@dataclass
class Ack:
    envelope_id: str
    payload: Any = None
    at: float = 0.0  # time.perf_counter() when it arrived


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acks: list[Ack] = field(default_factory=list)
    other: list[Any] = field(default_factory=list)  # anything that was not an ack
    refused: int = 0  # connections without the ticket
    connections: int = 0


class SlackSocketStandIn:
    """``with SlackSocketStandIn() as socket:`` then ``slack_api.serve_socket_mode(socket.url)``;
    ``wait_connected()``, ``send_events_api(body)``, ``wait_ack(envelope_id)``."""

    def __init__(self) -> None:
        self.ticket = secrets.token_hex(8)
        self._state = _State()
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._client: ServerConnection | None = None
        self._connected = threading.Event()
        self._started = threading.Event()

    # -- lifecycle
    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="SlackSocketStandIn", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the Socket Mode stand-in did not start")
        return self

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._open())
        self._started.set()
        self._loop.run_forever()

    async def _open(self) -> None:
        self._server = await serve(self._session, "127.0.0.1", 0)

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None:
            return

        async def close() -> None:
            server.close()
            await server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(5)
        self._loop = self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        port = next(iter(self._server.sockets)).getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket={self.ticket}&app_id={APP_ID}"

    # -- the connection
    async def _session(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        if query.get("ticket") != [self.ticket]:
            with self._state.lock:
                self._state.refused += 1
            await connection.close(4001, "invalid ticket")
            return
        with self._state.lock:
            self._state.connections += 1
        self._client = connection
        await connection.send(json.dumps({"type": "hello", "num_connections": 1,
                                          "debug_info": {"host": "standin", "approximate_connection_time": 18060},
                                          "connection_info": {"app_id": APP_ID}}))
        self._connected.set()
        async for raw in connection:
            self._record(raw)

    def _record(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            message = raw
        with self._state.lock:
            if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                self._state.acks.append(Ack(message["envelope_id"], message.get("payload"), time.perf_counter()))
            else:
                self._state.other.append(message)

    # -- what a test does
    def wait_connected(self, timeout: float = 10) -> None:
        if not self._connected.wait(timeout):
            raise TimeoutError("no Socket Mode client connected")

    def send(self, kind: str, payload: dict[str, Any], *, accepts_response_payload: bool = False,
             retry_attempt: int = 0) -> str:
        """Push one envelope to the connected client; returns its envelope id."""
        if self._client is None or self._loop is None:
            raise RuntimeError("no Socket Mode client is connected")
        envelope_id = f"env-{next(self._ids):04d}-{secrets.token_hex(4)}"
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload,
                    "accepts_response_payload": accepts_response_payload,
                    "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""}
        asyncio.run_coroutine_threadsafe(self._client.send(json.dumps(envelope)), self._loop).result(5)
        return envelope_id

    def send_events_api(self, body: dict[str, Any], retry_attempt: int = 0) -> str:
        return self.send("events_api", body, retry_attempt=retry_attempt)

    def send_slash_command(self, command: dict[str, Any]) -> str:
        return self.send("slash_commands", command, accepts_response_payload=True)

    def acks(self, envelope_id: str | None = None) -> list[Ack]:
        with self._state.lock:
            return [ack for ack in self._state.acks if envelope_id is None or ack.envelope_id == envelope_id]

    async def wait_ack(self, envelope_id: str, timeout: float = 5) -> Ack:
        """The app's ack of ``envelope_id`` (polled from the caller's loop, never blocking it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.acks(envelope_id)
            if found:
                return found[0]
            await asyncio.sleep(0.01)
        raise TimeoutError(f"envelope {envelope_id} was not acknowledged within {timeout} s")

    @property
    def refused(self) -> int:
        with self._state.lock:
            return self._state.refused
