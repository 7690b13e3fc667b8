"""``HttpStandIn``: the small HTTP(S) server the stand-ins (GitHub, PagerDuty, Azure, Google
Cloud) are built on; ``TlsStandIn`` serves it over HTTPS with a throwaway CA. Routing is
Starlette's (path parameters, method matching); the app is served by uvicorn on a loopback
port in a background thread. Every request is recorded in ``calls`` so tests can assert
exactly which writes happened.

A stand-in declares ``routes()`` with ``route(method, pattern, handler)``; a handler takes
the ``Call`` and the pattern's ``{names}`` and returns a ``Reply``. Handlers are plain
functions run one at a time under the stand-in's lock, so they may change its data freely.
"""

from __future__ import annotations

import json
import logging
import shutil
import socket
import ssl
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger(__name__)

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
Handler = Callable[..., "Reply"]


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: Any = None
    raw: bytes = b""  # the body as sent (file uploads are not text)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        """A list filter, accepting PagerDuty's ``name[]`` and plain repeated ``name``."""
        return self.query.get(f"{name}[]", []) + self.query.get(name, [])


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list: JSON; str: text; bytes: as they are; None: empty
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Endpoint:
    """What a matched route runs: the handler, the path parameters, and whether it needs
    no token (signed blob URLs)."""

    handler: Handler
    params: dict[str, str]
    public: bool = False


@dataclass(frozen=True)
class RouteSpec:
    """One declared route, before it is bound to a stand-in's Starlette app."""

    method: str
    pattern: str
    handler: Handler
    public: bool = False


def route(method: str, pattern: str, handler: Handler, *, public: bool = False) -> RouteSpec:
    """``{name}`` in ``pattern`` matches one path segment, passed to ``handler`` by name;
    ``public`` routes need no token (signed blob URLs)."""
    return RouteSpec(method, pattern, handler, public)


class _NoTrailingSlash:
    """``/repos/o/n/`` is ``/repos/o/n``, as the real APIs treat it (no redirect)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["path"]) > 1 and scope["path"].endswith("/"):
            scope = {**scope, "path": scope["path"].rstrip("/") or "/"}
        await self.app(scope, receive, send)


class HttpStandIn:
    """A loopback HTTP(S) server answering from ``routes()`` and recording every request.
    Subclasses supply the routes; start()/stop() or ``with``."""

    scheme = "http"

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        # Set to an HTTP status (503, 502...) to make every request fail that way: an outage
        # of the real API, for tests of what still works when one source is down.
        self.failing: int | None = None
        self.app = self._build_app()

    # -- lifecycle
    def tls_context(self) -> ssl.SSLContext | None:
        return None

    def start(self) -> Self:
        if self._server is not None:
            return self
        import uvicorn

        listener = socket.create_server(("127.0.0.1", 0))
        context = self.tls_context()  # in memory (a throwaway CA), not files
        config = uvicorn.Config(self.app, log_config=None, access_log=False, lifespan="off", ws="none",
                                timeout_graceful_shutdown=1,
                                ssl_context_factory=(lambda _config, _default: context) if context else None)
        self._server = uvicorn.Server(config)
        self._port = int(listener.getsockname()[1])
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [listener]},
                                        name=type(self).__name__, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{type(self).__name__} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            # No graceful drain: an idle keep-alive TLS connection never closes on its own
            # (its close waits for the client's close_notify), so uvicorn waited out its
            # timeout and logged an ERROR on every stop of a TLS stand-in (`make demo`'s exit).
            self._server.force_exit = True
            if self._thread is not None:
                self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        self._port = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    # -- recording
    @property
    def writes(self) -> list[Call]:
        """Every request that could change something (anything but GET/HEAD)."""
        with self._lock:
            return [call for call in self.calls if call.method not in ("GET", "HEAD")]

    def clear_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # -- routing
    def routes(self) -> list[RouteSpec]:
        raise NotImplementedError

    def authenticate(self, call: Call) -> Reply | None:  # noqa: ARG002 - hook for subclasses
        """None when the request may proceed; else the error reply."""
        return None

    def not_found(self) -> Reply:
        return Reply(404, {"message": "Not Found"})

    def respond(self, call: Call, endpoint: Endpoint | None) -> Reply:
        """Record the call, check its token (unless public), run the handler; no route (or
        the wrong method) is the API's 404, and a stand-in bug a 500, as a real API would."""
        with self._lock:
            self.calls.append(call)
        if self.failing is not None:
            return Reply(self.failing, {"message": "Service Unavailable (the sandbox simulates an outage)"})
        try:
            denied = None if endpoint is not None and endpoint.public else self.authenticate(call)
            if denied is not None:
                return denied
            if endpoint is None:
                return self.not_found()
            with self._lock:
                return endpoint.handler(call, **endpoint.params)
        except Exception:
            log.exception("stand-in %s failed on %s %s", type(self).__name__, call.method, call.path)
            return Reply(500, {"message": "Server Error"})

    def _build_app(self) -> ASGIApp:
        routes: list[BaseRoute] = [
            Route(spec.pattern, self._endpoint(spec.handler, spec.public), methods=[spec.method])
            for spec in self.routes()
        ]
        # Last: whatever no route fully matched (an unknown path, or a known one with another
        # method) is answered by the stand-in's own 404 after its authentication check.
        routes.append(Route("/{rest:path}", self._endpoint(None, False), methods=METHODS))
        return _NoTrailingSlash(Starlette(routes=routes))

    def _endpoint(self, handler: Handler | None, public: bool) -> Callable[[Request], Any]:
        async def endpoint(request: Request) -> Response:
            call = await _call_of(request)
            params = {k: str(v) for k, v in request.path_params.items()}
            found = Endpoint(handler, params, public) if handler is not None else None
            return _response(self.respond(call, found), head=request.method == "HEAD")

        return endpoint


async def _call_of(request: Request) -> Call:
    raw = await request.body()
    body: Any = None
    if raw:
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
    return Call(request.method, request.url.path, parse_qs(request.url.query, keep_blank_values=True),
                {k.lower(): v for k, v in request.headers.items()}, body, raw)


def _response(reply: Reply, *, head: bool) -> Response:
    if isinstance(reply.body, dict | list):
        payload = json.dumps(reply.body).encode()
    elif isinstance(reply.body, str):
        payload = reply.body.encode()
    elif isinstance(reply.body, bytes):  # a zip archive (GitHub's run logs)
        payload = reply.body
    else:
        payload = b""
    headers = {"content-type": reply.content_type, **reply.headers}
    response = Response(b"" if head else payload, status_code=reply.status, headers=headers)
    if head:
        response.headers["content-length"] = str(len(payload))
    return response


def post_webhook(url: str, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, str]:
    """POST a webhook ``body`` as its sender would (JSON, the sender's own headers); the status
    and the response text, error answers included (``guardian sandbox fire``)."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read().decode("utf-8", "replace")


class TlsStandIn(HttpStandIn):
    """An ``HttpStandIn`` over HTTPS, for SDKs that refuse plain HTTP (azure-core will not send
    a bearer token over it) or are pointed at ``https://`` URLs: a fresh CA and a
    127.0.0.1/localhost certificate per stand-in, the CA written to ``ca_file`` for the client's
    CA-bundle setting and removed on ``stop()``."""

    scheme = "https"
    ca_prefix = "guardian-ca-"  # the temporary folder holding ``ca.pem``

    def __init__(self) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix=self.ca_prefix))
        self.ca_file = self._tmp / "ca.pem"
        self._ssl: ssl.SSLContext | None = None
        super().__init__()

    def tls_context(self) -> ssl.SSLContext:
        """Made once: the CA lands in ``ca_file``."""
        if self._ssl is None:
            import trustme

            authority = trustme.CA(organization_name="Guardian sandbox")
            authority.cert_pem.write_to_path(str(self.ca_file))
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            self._ssl = context
        return self._ssl

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self._tmp, ignore_errors=True)
