"""A local stand-in for the Slack Web API (and for the ``response_url`` of slash commands
and interactions) that records what the real slack_sdk put on the wire, so tests assert
on the calls Guardian made, not on what it meant to make.

It answers ``auth.test`` (Bolt calls it lazily on the first request), ``chat.postMessage``
(with increasing message timestamps), ``chat.update``, ``chat.postEphemeral``, the
``chat.startStream``/``appendStream``/``stopStream`` trio,
``assistant.threads.setStatus``/``setSuggestedPrompts``, the file upload steps and any
other method with ``{"ok": true}``. Served on loopback from a thread.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

BOT_USER = "UGUARDIAN1"
BOT_ID = "BGUARDIAN1"
TEAM = "TDRIFTWOOD"


@dataclass
class Call:
    """One request the SDK sent: the API method (or ``response_url`` path) and its arguments."""

    method: str
    args: dict[str, Any]
    token: str = ""
    ts: str = ""  # the message ts the stand-in answered with (chat.postMessage)
    at: float = 0.0  # time.perf_counter() when it arrived (benchmarks: time to answer)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        value = self.args.get("blocks") or []
        return json.loads(value) if isinstance(value, str) else list(value)


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # bursts of concurrent calls (benchmarks) must not be dropped
    recorder: Recorder


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        ctype = self.headers.get("Content-Type", "")
        args: dict[str, Any]
        if ctype.startswith("application/json"):
            args = json.loads(raw or b"{}")
        else:
            args = {key: values[0] for key, values in parse_qs(raw.decode(), keep_blank_values=True).items()}
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        path = self.path.split("?", 1)[0]
        method = path.removeprefix("/api/").strip("/") if path.startswith("/api/") else path
        recorder = self.server.recorder
        with recorder.lock:
            ts = f"1700000000.{next(recorder.ts):06d}"
            recorder.calls.append(Call(method, args, token, ts, time.perf_counter()))
        self._reply(_answer(method, args, ts))

    def _reply(self, data: dict[str, Any]) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _answer(method: str, args: dict[str, Any], ts: str) -> dict[str, Any]:
    if method == "auth.test":
        return {"ok": True, "url": "https://driftwood.slack.com/", "team": "Driftwood", "user": "guardian",
                "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
    if method in ("chat.postMessage", "chat.update", "chat.startStream", "chat.appendStream", "chat.stopStream"):
        ts = str(args.get("ts") or ts)
        return {"ok": True, "channel": args.get("channel"), "ts": ts,
                "message": {"text": args.get("text"), "ts": ts, "bot_id": BOT_ID}}
    if method == "chat.postEphemeral":
        return {"ok": True, "message_ts": ts}
    if method == "files.getUploadURLExternal":
        return {"ok": True, "upload_url": "", "file_id": f"F{ts.replace('.', '')}"}
    return {"ok": True}


class SlackApiStandIn:
    """``with SlackApiStandIn() as slack:`` then point SLACK_API_URL at ``slack.api_url``."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def calls(self, method: str | None = None) -> list[Call]:
        if method is None:
            with self.recorder.lock:
                return list(self.recorder.calls)
        return self.recorder.of(method)

    def clear(self) -> None:
        with self.recorder.lock:
            self.recorder.calls.clear()

    def __enter__(self) -> SlackApiStandIn:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.recorder = self.recorder
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="slack-api-stand-in", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
