"""A local stand-in for the Slack Web API (and for the ``response_url`` of slash commands
and interactions) that records what the real slack_sdk put on the wire, so tests assert
on the calls Guardian made, not on what it meant to make.

It answers ``auth.test`` (Bolt calls it lazily on the first request), ``chat.postMessage``
(with increasing message timestamps), ``chat.update``, ``chat.postEphemeral``, the
``chat.startStream``/``appendStream``/``stopStream`` trio,
``assistant.threads.setStatus``/``setSuggestedPrompts``, the three steps of the external
file upload that slack_sdk's ``files_upload_v2`` takes (``files.getUploadURLExternal``
answers an ``upload_url`` on this stand-in, the bytes are POSTed there and kept, then
``files.completeUploadExternal`` shares them to a channel and thread, refusing a file
that was never uploaded), ``apps.connections.open`` (Socket Mode: the URL of a
``SlackSocketStandIn``, for an app-level token only), ``conversations.history`` (what was
posted to the channel, with message metadata), ``conversations.replies`` (a thread's),
``conversations.create``/``list``, and any other method with ``{"ok": true}``. Built on the sandbox's Starlette stand-in
(sandbox/http_standin.py), served on loopback from a thread.

``fail(method, times=N, ...)`` makes the next N calls of a method fail as Slack can: a 5xx,
``ratelimited`` with ``Retry-After``, and optionally after doing the work (``done=True``: the
message is posted but the answer is lost). Refused calls are kept apart (``refused()``).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from sandbox.http_standin import Call as StandInCall
from sandbox.http_standin import Endpoint, HttpStandIn, Reply, RouteSpec, route

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
class UploadedFile:
    """One file through the external upload flow: what was announced, what arrived at the
    upload URL, and where ``files.completeUploadExternal`` shared it (empty until then)."""

    id: str
    filename: str
    length: int
    alt_txt: str = ""
    data: bytes = b""
    uploaded: bool = False
    title: str = ""
    channel: str = ""
    thread_ts: str = ""
    initial_comment: str = ""

    @property
    def shared(self) -> bool:
        return bool(self.channel)


@dataclass
class Failure:
    """How the next ``times`` calls of ``method`` fail (``fail()``)."""

    method: str
    times: int
    status: int = 503
    error: str = "service_unavailable"
    retry_after: int | None = None
    done: bool = False  # the work is done (recorded, in the history) before the failure is answered


@dataclass
class Recorder:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    channels: dict[str, str] = field(default_factory=dict)  # name -> id, from conversations.create
    files: dict[str, UploadedFile] = field(default_factory=dict)
    socket_url: str = ""  # what apps.connections.open answers (a SlackSocketStandIn's URL)
    failures: list[Failure] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)  # calls answered with a failure, work not done

    def failure(self, method: str) -> Failure | None:
        """The failure this call of ``method`` gets (one of its ``times`` used up), under the lock."""
        for failure in self.failures:
            if failure.method == method and failure.times > 0:
                failure.times -= 1
                return failure
        return None

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method]


class _SlackWebApi(HttpStandIn):
    """The HTTP side: every POST (an API method under ``/api/``, or a ``response_url``)
    is recorded in the Slack-shaped ``Recorder`` and answered like Slack would."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        super().__init__()

    def routes(self) -> list[RouteSpec]:
        return [route("POST", "/api/{method}", self._api), route("GET", "/api/{method}", self._api),
                route("GET", "/", self._show), route("POST", "/upload/{file_id}", self._upload)]

    def _show(self, call: StandInCall) -> Reply:  # noqa: ARG002
        """What Guardian posted, newest first: a person watching the demo opens this page."""
        with self.recorder.lock:
            shown = [{"method": c.method, "channel": c.args.get("channel"), "ts": c.ts or c.args.get("ts"),
                      "text": c.args.get("text"), "blocks": c.blocks}
                     for c in reversed(self.recorder.calls) if c.method in ("chat.postMessage", "chat.update")]
        return Reply(200, {"messages": shown})

    def _upload(self, call: StandInCall, file_id: str) -> Reply:
        """Step 2: the file's bytes, POSTed as they are to the URL step 1 gave out."""
        with self.recorder.lock:
            upload = self.recorder.files.get(file_id)
            if upload is None:
                return Reply(404, "unknown upload", content_type="text/plain")
            upload.data, upload.uploaded = call.raw, True
        return Reply(200, f"OK - {len(call.raw)}", content_type="text/plain")

    def _api(self, call: StandInCall, method: str) -> Reply:
        return self._record(method, call)

    def not_found(self) -> Reply:  # never used: respond() answers every path
        return Reply(404, {"ok": False, "error": "unknown_method"})

    def respond(self, call: StandInCall, endpoint: Endpoint | None) -> Reply:
        if endpoint is None:  # a response_url (slash commands and interactions)
            return self._record(call.path, call) if call.method == "POST" else self.not_found()
        return endpoint.handler(call, **endpoint.params)

    def _record(self, method: str, call: StandInCall) -> Reply:
        # slack_sdk sends some methods' arguments in the query string (conversations.*, files.getUploadURLExternal)
        args = {**{key: values[-1] for key, values in call.query.items()}, **_args_of(call.body)}
        token = call.headers.get("authorization", "").removeprefix("Bearer ")
        with self.recorder.lock:
            ts = f"1700000000.{next(self.recorder.ts):06d}"
            failure = self.recorder.failure(method)
            if failure is not None:
                return self._fail(failure, Call(method, args, token, ts, time.perf_counter()))
            self.recorder.calls.append(Call(method, args, token, ts, time.perf_counter()))
            if method == "conversations.history":
                return Reply(200, _history(self.recorder.calls, args))
            if method == "conversations.replies":
                return Reply(200, _replies(self.recorder.calls, args))
            if method.startswith("conversations."):
                return Reply(200, _conversations(self.recorder.channels, method, args))
            if method == "files.getUploadURLExternal":
                return Reply(200, self._upload_url(args, ts))
            if method == "files.completeUploadExternal":
                return Reply(200, self._complete(args))
            if method == "apps.connections.open":
                return Reply(200, self._connections_open(token))
        return Reply(200, _answer(method, args, ts))

    def _fail(self, failure: Failure, call: Call) -> Reply:
        """Slack's failure answer (under the recorder's lock); the call counts as done or refused."""
        (self.recorder.calls if failure.done else self.recorder.refused).append(call)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        return Reply(failure.status, {"ok": False, "error": failure.error}, headers)

    def _connections_open(self, token: str) -> dict[str, Any]:
        """Socket Mode's first step: only an app-level token (``xapp-``) may open a connection."""
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if not self.recorder.socket_url:
            return {"ok": False, "error": "socket_mode_not_enabled"}
        return {"ok": True, "url": self.recorder.socket_url}

    def _upload_url(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        """Step 1 (under the recorder's lock): a file id and where to POST its bytes."""
        if not args.get("filename") or not str(args.get("length") or "").isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{ts.replace('.', '')}"
        self.recorder.files[file_id] = UploadedFile(file_id, str(args["filename"]), int(args["length"]),
                                                    str(args.get("alt_txt") or ""))
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _complete(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3 (under the recorder's lock): share uploaded files to a channel and thread."""
        try:
            wanted = json.loads(str(args.get("files") or "[]"))
        except json.JSONDecodeError:
            return {"ok": False, "error": "invalid_arguments"}
        uploads = [self.recorder.files.get(str(item.get("id"))) for item in wanted if isinstance(item, dict)]
        if not uploads or any(upload is None or not upload.uploaded for upload in uploads):
            return {"ok": False, "error": "file_not_found"}
        shared = []
        for item, upload in zip(wanted, uploads, strict=True):
            assert upload is not None
            upload.title = str(item.get("title") or upload.filename)
            upload.channel = str(args.get("channel_id") or "")
            upload.thread_ts = str(args.get("thread_ts") or "")
            upload.initial_comment = str(args.get("initial_comment") or "")
            shared.append({"id": upload.id, "name": upload.filename, "title": upload.title, "size": len(upload.data)})
        return {"ok": True, "files": shared}


def _args_of(body: Any) -> dict[str, Any]:
    """JSON bodies as they are; form bodies (what slack_sdk sends by default) decoded."""
    if isinstance(body, dict):
        return body
    if isinstance(body, str):
        return {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
    return {}


def _history(calls: list[Call], args: dict[str, Any]) -> dict[str, Any]:
    """``conversations.history``: the messages posted to the channel, newest first, with
    their metadata when ``include_all_metadata`` is set (as Slack answers)."""
    posted = [call for call in reversed(calls) if _posted_in(call, args)]
    return _page([_message(call, args, calls) for call in posted], args, default_limit=100)


def _replies(calls: list[Call], args: dict[str, Any]) -> dict[str, Any]:
    """``conversations.replies``: a thread's messages (its root, then the replies, oldest
    first), with their metadata when ``include_all_metadata`` is set."""
    root = str(args.get("ts") or "")
    posted = [call for call in calls
              if _posted_in(call, args) and root in (call.ts, str(call.args.get("thread_ts") or ""))]
    return _page([{**_message(call, args, calls), "thread_ts": root} for call in posted], args, default_limit=1000)


def _posted_in(call: Call, args: dict[str, Any]) -> bool:
    """Whether ``call`` posted a message to the channel the reading call names."""
    return call.method == "chat.postMessage" and call.args.get("channel") == args.get("channel")


def _message(call: Call, args: dict[str, Any], calls: list[Call]) -> dict[str, Any]:
    """A posted message as the reading methods return it, as its latest ``chat.update`` left
    it (new text; new metadata when the update carried some, else the post's); its metadata
    only when asked for."""
    edits = [c for c in calls if c.method == "chat.update" and c.args.get("channel") == call.args.get("channel")
             and str(c.args.get("ts")) == call.ts]
    text = edits[-1].args.get("text") if edits else call.args.get("text")
    metadata = next((c.args.get("metadata") for c in reversed(edits) if c.args.get("metadata")),
                    call.args.get("metadata"))
    message: dict[str, Any] = {"type": "message", "ts": call.ts, "text": text, "bot_id": BOT_ID}
    if metadata and str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
        message["metadata"] = json.loads(metadata) if isinstance(metadata, str) else metadata
    return message


def _page(messages: list[dict[str, Any]], args: dict[str, Any], *, default_limit: int) -> dict[str, Any]:
    limit = int(args.get("limit") or default_limit)
    return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}


def _conversations(channels: dict[str, str], method: str, args: dict[str, Any]) -> dict[str, Any]:
    """``conversations.create`` (``name_taken`` for a name that exists) and ``conversations.list``."""
    if method == "conversations.create":
        name = str(args.get("name") or "")
        if name in channels:
            return {"ok": False, "error": "name_taken"}
        channels[name] = f"C{len(channels) + 1:03d}INC"
        return {"ok": True, "channel": {"id": channels[name], "name": name, "is_channel": True}}
    if method == "conversations.list":
        return {"ok": True, "channels": [{"id": cid, "name": name, "is_channel": True} for name, cid in
                                         channels.items()], "response_metadata": {"next_cursor": ""}}
    return {"ok": True}


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
    return {"ok": True}


class SlackApiStandIn:
    """``with SlackApiStandIn() as slack:`` then point SLACK_API_URL at ``slack.api_url``."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self._server: _SlackWebApi | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return self._server.url

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def calls(self, method: str | None = None) -> list[Call]:
        if method is None:
            with self.recorder.lock:
                return list(self.recorder.calls)
        return self.recorder.of(method)

    def fail(self, method: str, times: int = 1, *, status: int = 503, error: str = "service_unavailable",
             retry_after: int | None = None, done: bool = False) -> None:
        """The next ``times`` calls of ``method`` fail with ``status``/``error`` (429 +
        ``retry_after``: rate limited); ``done``: the message is posted, only the answer fails."""
        with self.recorder.lock:
            self.recorder.failures.append(Failure(method, times, status, error, retry_after, done))

    def refused(self, method: str | None = None) -> list[Call]:
        """Calls answered with an injected failure whose work was not done."""
        with self.recorder.lock:
            return [call for call in self.recorder.refused if method is None or call.method == method]

    def serve_socket_mode(self, url: str) -> None:
        """``apps.connections.open`` answers ``url`` from now on (Socket Mode tests)."""
        with self.recorder.lock:
            self.recorder.socket_url = url

    def files(self) -> list[UploadedFile]:
        """Every file announced through ``files.getUploadURLExternal``, in order."""
        with self.recorder.lock:
            return list(self.recorder.files.values())

    def clear(self) -> None:
        with self.recorder.lock:
            self.recorder.calls.clear()
            self.recorder.files.clear()
            self.recorder.failures.clear()
            self.recorder.refused.clear()

    def start(self) -> SlackApiStandIn:
        if self._server is None:
            self._server = _SlackWebApi(self.recorder).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> SlackApiStandIn:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
