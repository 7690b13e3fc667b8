"""`guardian serve`: the HTTP app. Health, readiness, Prometheus metrics (bot/metrics.py) and
the web chat (bot/webchat.py); the Slack, Teams and webhook routes arrive with their surfaces. A surface whose
secret is unset answers 404 unless GUARDIAN_INSECURE_DEV=1.

Bad input never costs an answer, and never a 500:
- bodies over ``http_max_body_bytes`` get 413, whatever Content-Length says (or does not);
- an authenticated route checks its credentials before it reads the body, so a missing or
  wrong token gets 401 before any 400/422 (``read_json`` is the one way to read a body);
- errors name the field and the problem, never echo the body;
- input the schema accepts cannot break what comes after it: bodies that are not UTF-8,
  lone surrogates, NUL and other control characters in ids, ids longer than the database
  columns are refused with 400/422 up front;
- anything unexpected becomes a 500 with a correlation id (logged with its traceback on
  the server, never sent to the client).
"""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from fastapi import FastAPI, HTTPException, Response
from fastapi import Request as HttpRequest
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.heap import GcPauses, settle
from bot.metrics import CONTENT_TYPE

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
M = TypeVar("M", bound=BaseModel)

# Ids end up in database columns of 200 characters after a prefix ("web:") or suffix
# (":<turn>"): 128 leaves room for both.
MAX_ID_CHARS = 128
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tabs and newlines are fine in text
CORRELATION = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _plain_id(value: str | None, field: str) -> str | None:
    if value is not None and (CONTROL.search(value) or not value.strip()):
        raise ValueError(f"{field} must be printable text")
    return value


class ChatIn(BaseModel):
    """A web chat question. ``user`` is accepted for older clients and ignored: the token
    says who is asking. ``thread`` names the conversation (one per page session)."""

    text: str = Field(min_length=1, max_length=4000)
    user: str = Field(default="web", min_length=1, max_length=MAX_ID_CHARS)
    thread: str | None = Field(default=None, min_length=1, max_length=MAX_ID_CHARS)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if TEXT_CONTROL.search(value):
            raise ValueError("text must not contain NUL or other control characters")
        return value

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        return _plain_id(value, "user") or value

    @field_validator("thread")
    @classmethod
    def _thread(cls, value: str | None) -> str | None:
        return _plain_id(value, "thread")


# --------------------------------------------------------------------------- errors


def _problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def validation_detail(errors: list[Any]) -> str:
    """'invalid request: text: String should have at most 4000 characters' for the first
    error; the offending value is never repeated (it may be a secret, or huge)."""
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"invalid request: {where}: {message}{more}"


async def read_json(request: HttpRequest, model: type[M]) -> M:
    """The body as ``model``, or an HTTPException naming what is wrong (400: not UTF-8, not
    JSON, invalid Unicode; 422: a field the model refuses). Call it after authenticating."""
    raw = await request.body()
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HTTPException(400, f"request body is not UTF-8 (byte {exc.start})") from exc
    try:
        data = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"request body is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise HTTPException(400, "request body contains invalid Unicode (a lone surrogate such as \\ud800)") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(422, validation_detail(exc.errors())) from exc


# --------------------------------------------------------------------------- middleware


class BodyLimit:
    """Reads the whole request body up front, refusing with 413 as soon as it passes
    ``limit`` bytes (a declared Content-Length over the limit is refused before reading);
    the app then reads the buffered body. Chunked bodies and lying lengths are counted."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _problem(400, "invalid Content-Length")(scope, receive, send)
                return
            if int(declared) > self.limit:
                await self._refuse(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.warning("http: refused a request body over %d bytes on %s", self.limit, scope.get("path"))
        await _problem(413, f"request body is larger than {self.limit} bytes",
                       {"Connection": "close"})(scope, receive, send)


class ErrorBoundary:
    """Gives every request a correlation id (``X-Correlation-ID``; a sane one sent by a proxy
    is kept) and turns any exception that escapes the app into a 500 carrying only that id.
    The traceback goes to the server log under the same id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-correlation-id", b"").decode("latin-1")
        correlation = given if CORRELATION.match(given) else uuid.uuid4().hex[:16]
        state = scope.setdefault("state", {})
        state["correlation_id"] = correlation
        state["received_at"] = time.perf_counter()  # what ack and answer latencies count from
        started = False

        async def tagged(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", correlation.encode())]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        except Exception:
            log.exception("http: %s %s failed (correlation id %s)", scope.get("method"), scope.get("path"),
                          correlation)
            if started:
                raise
            await _problem(500, f"internal error (correlation id {correlation})")(scope, receive, tagged)


# --------------------------------------------------------------------------- app


def create_app(rt: Runtime, teams_credentials: Any | None = None) -> FastAPI:
    """The app with every surface mounted. ``teams_credentials`` replaces the factory that
    signs outbound Bot Connector calls (tests: Microsoft Entra is not reachable)."""
    from bot.health import DatabaseCheck
    from bot.teams_surface import mount_teams

    app = FastAPI(title="Guardian", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(BodyLimit, limit=rt.settings.http_max_body_bytes)
    app.add_middleware(ErrorBoundary)  # added last: outermost, so it sees what the others raise
    database = DatabaseCheck(rt.settings.effective_database_url)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: HttpRequest, exc: RequestValidationError) -> JSONResponse:
        return _problem(422, validation_detail(list(exc.errors())))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:  # on the event loop: no worker thread to wait for while warming up
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(response: Response) -> dict[str, Any]:
        """Ready when the database answers a real query on every table Guardian uses and the
        knowledge store answers a real read, checked now (not remembered from start-up)."""
        checks: dict[str, str] = {}
        warm_up = getattr(app.state, "warm_up", None)
        if warm_up is not None and warm_up.running:  # answered now, not after the builds it would wait for
            response.status_code = 503
            waiting = ", ".join(sorted(warm_up.pending))
            return {"status": "not ready", "failed": {"warm_up": f"warming up: {waiting}"},
                    "checks": {"warm_up": f"warming up: {waiting}"}, "reason": f"warm_up: warming up: {waiting}"}
        try:
            rt.guardian  # noqa: B018 - builds storage, checkpointer, tools (once)
        except Exception as exc:
            log.warning("not ready: could not start: %s", exc)
            checks["startup"] = type(exc).__name__
        checks["database"] = database.check() or "ok"
        checks["knowledge"] = rt.knowledge.check() or "ok"
        failed = {part: reason for part, reason in checks.items() if reason != "ok"}
        if failed:
            log.warning("not ready: %s", "; ".join(f"{part}: {reason}" for part, reason in failed.items()))
            response.status_code = 503
            return {"status": "not ready", "failed": failed, "checks": checks,
                    "reason": "; ".join(f"{part}: {reason}" for part, reason in failed.items())}
        return {"status": "ready", "checks": checks, "knowledge_chunks": rt.knowledge.count()}

    @app.get("/metrics")
    def metrics_endpoint() -> Response:
        return Response(rt.metrics.exposition(), media_type=CONTENT_TYPE)

    from bot.webchat import build_router

    app.include_router(build_router(rt))
    mount_teams(app, rt, teams_credentials)
    from bot.github_webhook import mount_github_webhook
    from bot.slack_surface import mount_slack

    mount_slack(app, rt)
    mount_github_webhook(app, rt)
    from bot.proactive import mount_proactive

    mount_proactive(app, rt)
    from bot.inventory_schedule import mount_inventory_schedule

    mount_inventory_schedule(app, rt)
    from bot.resumed_turns import mount_turn_recovery

    mount_turn_recovery(app, rt)
    mount_pagerduty_route(app, rt)
    mount_alertmanager_route(app, rt)
    if rt.settings.mcp_token is not None or rt.settings.insecure_dev:
        from bot.mcp_server import mount_mcp  # the MCP SDK costs ~0.6 s of imports: only when it can answer

        mount_mcp(app, rt)
    else:
        mount_mcp_disabled(app)
    return app


def mount_mcp_disabled(app: FastAPI) -> None:
    """``/mcp`` while GUARDIAN_MCP_TOKEN is unset: a 404 that says how to enable it."""

    async def disabled(_request: HttpRequest) -> JSONResponse:
        return _problem(404, "MCP is disabled: set GUARDIAN_MCP_TOKEN")

    app.add_route("/mcp", disabled, methods=["GET", "POST", "DELETE"])


def mount_pagerduty_route(app: FastAPI, rt: Runtime) -> None:
    """``POST /webhooks/pagerduty`` (after Slack and Teams: its briefs are posted through them)."""
    from bot.pagerduty_webhook import mount_pagerduty

    mount_pagerduty(app, rt)


def mount_alertmanager_route(app: FastAPI, rt: Runtime) -> None:
    """``POST /webhooks/alertmanager`` (after PagerDuty's: it shares its incident desk)."""
    from bot.alertmanager_webhook import mount_alertmanager

    mount_alertmanager(app, rt)


SWITCH_INTERVAL = 0.001  # seconds


def serve(rt: Runtime, host: str, port: int) -> int:
    import sys

    import uvicorn

    # Graph turns run in worker threads holding the GIL; the event loop that acknowledges
    # Slack and streams the web chat gets it back after at most this long (default 5 ms).
    sys.setswitchinterval(SWITCH_INTERVAL)
    app = create_app(rt)
    GcPauses(rt.metrics.registry).install()
    # Everything a turn needs is built in the background as the server starts (bot/warmup.py);
    # then the warm heap is frozen so garbage collections stop walking it (bot/heap.py).
    from bot.warmup import mount_warm_up

    warm_up = getattr(app.state, "warm_up", None) or mount_warm_up(app, rt)
    warm_up.after = settle_heap
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0


def settle_heap() -> None:
    frozen = settle()
    log.info("warm; %d objects frozen", frozen)


class BackgroundServer:
    """The app served by uvicorn in a daemon thread beside something else in the same
    process (the demo's terminal chat, a browser test). It binds the socket itself, so a
    port already taken falls back to a free one instead of ending the process."""

    def __init__(self, rt: Runtime, host: str = "127.0.0.1", port: int = 0,
                 lifespan: Literal["auto", "on", "off"] = "off") -> None:
        self.rt, self.host, self.port = rt, host, port
        self.lifespan = lifespan  # "on": start-up hooks run as under `guardian serve` (benchmarks)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> str:
        import uvicorn

        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(self.rt), log_level="warning", lifespan=self.lifespan)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="guardian-http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the web chat did not start on {self.url}")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        if port == 0:
            sock.close()
            raise
        log.warning("port %d on %s is taken; using a free one", port, host)
        sock.bind((host, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock
