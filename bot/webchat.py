"""The web chat surface: the page at ``/`` (static files shipped in the package, no build
step), ``POST /api/chat``, ``POST /api/approvals/{id}/{approve|deny}``, ``GET /api/incidents``
(the incident briefs and their status updates, which the page polls and shows as they
arrive) and ``GET /api/chat/resumed`` (answers to the page's own questions that a restart
interrupted and another process finished, agents/resumed_answers.py), behind
``GUARDIAN_WEB_TOKEN``.

Who is asking is the token's name (docs CONTRACT.md: "web token name"), never anything in
the body, so a caller cannot claim another identity. ``POST /api/chat`` answers JSON (the
``guardian ask --json`` shape plus ``typed`` and ``web``); with ``Accept: text/event-stream``
it streams server-sent events instead: ``accepted`` at once, ``progress`` lines while the
graph runs, then one ``answer`` (same payload as the JSON) or one ``error``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi import Request as HttpRequest
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from agents.answer import Answer
from agents.approvals import ApprovalError
from agents.incident_posts import IncidentPost
from agents.progress import ProgressCallback
from agents.request import Request
from agents.resumed_answers import ResumedAnswer
from agents.service import DecisionRefused
from agents.turn_recovery import question_of
from bot.http_app import MAX_ID_CHARS, ChatIn, read_json, validation_detail
from bot.render.contract import contract_dict
from bot.render.web import to_web, web_decision

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

SURFACE = "web"
STATIC = resources.files("bot") / "static"
PAGES = {"": ("index.html", "text/html; charset=utf-8"), "app.js": ("app.js", "text/javascript; charset=utf-8"),
         "app.css": ("app.css", "text/css; charset=utf-8"), "favicon.svg": ("favicon.svg", "image/svg+xml")}
# The page loads nothing but its own files and talks only to this origin; no inline script.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                                           "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                                           "form-action 'none'; frame-ancestors 'none'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}
KEEPALIVE_SECONDS = 15.0
FEED_LIMIT = 20  # briefs per feed answer (the page asks again with the cursor)
APPROVAL_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
STREAM_BROKE = "web.stream_broke"  # the key prefix of an answer kept for a page whose stream broke


def answer_payload(answer: Answer) -> dict[str, Any]:
    """The contract's JSON shape, plus the typed answer and the page's display-ready view."""
    return {**contract_dict(answer, web_decision), "typed": answer.model_dump(), "web": to_web(answer)}


def sse(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event; the data is one line of JSON (newlines in text are escaped)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def identify(rt: Runtime, authorization: str | None) -> str:
    """The web token's name for ``Authorization: Bearer <token>``; every configured token is
    compared (in constant time) so the answer's timing says nothing about which matched."""
    tokens = rt.settings.web_tokens
    if not tokens:
        if rt.settings.insecure_dev:
            return SURFACE
        raise HTTPException(status_code=404, detail="web chat is disabled: set GUARDIAN_WEB_TOKEN")
    given = (authorization or "").encode()
    matched = None
    for name, token in tokens.items():
        if hmac.compare_digest(given, f"Bearer {token.get_secret_value()}".encode()):
            matched = name
    if matched is None:
        log.warning("web chat: rejected a request with a missing or wrong token")
        raise HTTPException(status_code=401, detail="missing or wrong bearer token")
    return matched


def _received(request: HttpRequest) -> float:
    return float(getattr(request.state, "received_at", None) or time.perf_counter())


def build_router(rt: Runtime) -> APIRouter:
    router = APIRouter()
    metrics = rt.metrics

    @router.get("/", include_in_schema=False)
    @router.get("/static/{name}", include_in_schema=False)
    def page(name: str = "") -> Response:
        if name not in PAGES:
            raise HTTPException(404, "not found")
        filename, media_type = PAGES[name]
        with resources.as_file(STATIC / filename) as path:
            return FileResponse(path, media_type=media_type, headers=PAGE_HEADERS)

    @router.post("/api/chat")
    async def chat(request: HttpRequest) -> Response:
        user = identify(rt, request.headers.get("authorization"))  # before the body is even parsed
        body = await read_json(request, ChatIn)
        conversation = body.thread or uuid.uuid4().hex[:16]
        try:  # the thread is the token's own: one caller never continues another's conversation
            turn = Request(text=body.text, user=user, surface=SURFACE, thread_id=_thread_id(user, conversation),
                           correlation_id=request.state.correlation_id)
        except ValidationError as exc:  # the request model's own rules
            raise HTTPException(422, validation_detail(exc.errors())) from exc
        started = _received(request)
        if "text/event-stream" in request.headers.get("accept", ""):
            return _stream(rt, turn, started, request)
        answer = await _ask(rt, turn, started, None)
        metrics.acknowledged(SURFACE, time.perf_counter() - started)  # the answer is the acknowledgement
        return JSONResponse(answer_payload(answer))

    @router.post("/api/approvals/{approval_id}/{decision}")
    async def decide(approval_id: str, decision: Literal["approve", "deny"], request: HttpRequest) -> Response:
        """Approve or deny as the token's user: 403 when the policy refuses (nothing changes),
        404 for an unknown id, 409 when it was already decided or can no longer be."""
        user = identify(rt, request.headers.get("authorization"))
        if not APPROVAL_ID.match(approval_id):
            raise HTTPException(404, "no such approval")
        skill = _skill_of(rt, approval_id)
        try:
            answer = await run_in_threadpool(rt.guardian.decide, approval_id, approve=decision == "approve",
                                             user=user, surface=SURFACE)
        except DecisionRefused as exc:
            metrics.decided(SURFACE, skill, "refused")
            raise HTTPException(403, str(exc)) from exc
        except ApprovalError as exc:
            metrics.decided(SURFACE, skill, "unknown" if skill == "unknown" else "conflict")
            raise HTTPException(404 if skill == "unknown" else 409, str(exc)) from exc
        metrics.decided(SURFACE, skill, "approved" if decision == "approve" else "denied")
        return JSONResponse(answer_payload(answer))

    @router.get("/api/incidents")
    async def incidents(request: HttpRequest, since: str | None = None) -> Response:
        """The incident briefs posted or updated since ``since`` (an ISO time, the previous
        answer's ``cursor``), for the page to show as they arrive; the token's user must be
        allowed ``incident.brief``."""
        user = identify(rt, request.headers.get("authorization"))
        decision = rt.policy.may_ask(user, "incident.brief")
        if not decision.allowed:
            raise HTTPException(403, decision.reason)
        when = _since(since)
        posts = await run_in_threadpool(rt.storage.incidents.changed_since, when, FEED_LIMIT)
        return JSONResponse(incident_feed(posts, since))

    @router.get("/api/chat/resumed")
    async def resumed(request: HttpRequest, thread: str | None = None, since: str | None = None) -> Response:
        """Answers to this token's questions in conversation ``thread`` that a restart
        interrupted and a restarted process finished, kept at or after ``since`` (the
        previous answer's ``cursor``; a little earlier, so the page drops what it shows by
        ``key``). Only the token's own conversations: ``thread`` is scoped to its user."""
        user = identify(rt, request.headers.get("authorization"))
        if not thread or len(thread) > MAX_ID_CHARS:
            raise HTTPException(400, f"thread must name the conversation (1 to {MAX_ID_CHARS} characters)")
        found = await run_in_threadpool(rt.storage.resumed.since, user, _thread_id(user, thread), _since(since),
                                        FEED_LIMIT)
        return JSONResponse(resumed_feed(found, since))

    return router


def _thread_id(user: str, conversation: str) -> str:
    """The request's thread for the token's user's page conversation (``POST /api/chat``)."""
    return f"web:{user}:{conversation}"


def _since(value: str | None) -> datetime | None:
    """The feed's cursor as a UTC time; 400 naming the parameter when it is not one."""
    if value is None or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise HTTPException(400, "since must be an ISO 8601 time (the previous answer's cursor)") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _iso(when: datetime) -> str:
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).isoformat()


def incident_feed(posts: list[IncidentPost], since: str | None) -> dict[str, Any]:
    """Each brief as the page renders answers (``web``), with its id, status and time; the
    cursor is the newest time seen (asked again, that brief comes back: the page keeps one
    box per incident, so a repeat changes nothing)."""
    items: list[dict[str, Any]] = []
    for post in posts:
        try:
            answer = Answer.model_validate(post.answer)
        except ValidationError:
            log.warning("web chat: the stored brief of %s is unreadable; not shown", post.incident_id)
            continue
        items.append({"incident_id": post.incident_id, "status": post.status, "updated_at": _iso(post.updated_at),
                      "web": to_web(answer)})
    cursor = max((str(item["updated_at"]) for item in items), default=since or "")
    return {"incidents": items, "cursor": cursor}


def resumed_feed(answers: list[ResumedAnswer], since: str | None) -> dict[str, Any]:
    """Each resumed answer as the page renders answers (``web``), with its key (the page
    shows each key once), the turn's correlation id (the page puts the answer in the
    question's own reply when it is still on screen) and when it was kept; the cursor is
    the newest of those times."""
    items = [{"key": found.key, "correlation_id": found.correlation_id, "resumed_at": _iso(found.created_at),
              "web": to_web(found.answer)} for found in answers]
    cursor = max((str(item["resumed_at"]) for item in items), default=since or "")
    return {"answers": items, "cursor": cursor}


def _skill_of(rt: Runtime, approval_id: str) -> str:
    try:
        return rt.storage.approvals.get(approval_id).skill
    except ApprovalError:
        return "unknown"


async def _ask(rt: Runtime, turn: Request, started: float, progress: ProgressCallback | None) -> Answer:
    try:
        answer = await run_in_threadpool(rt.ask, turn, progress)
    except Exception:
        rt.metrics.failed(SURFACE, time.perf_counter() - started)
        raise
    rt.metrics.answered(SURFACE, answer, time.perf_counter() - started)
    return answer


def _stream(rt: Runtime, turn: Request, started: float, asked: HttpRequest) -> StreamingResponse:
    return StreamingResponse(_events(rt, turn, started, asked), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(rt: Runtime, turn: Request, started: float, asked: HttpRequest) -> AsyncIterator[bytes]:
    """``accepted``, then ``progress`` as the graph reports it, then ``answer`` or ``error``.
    The turn runs in a worker thread; its progress crosses to this loop through a queue,
    in order, and the final event follows the last progress line. When the final event did
    not go out (the client went away first), the turn still finishes and its answer is kept
    for the page (``_keep_for_the_page``)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    put: Callable[[tuple[str, dict[str, Any]]], None] = queue.put_nowait

    def progress(text: str) -> None:
        loop.call_soon_threadsafe(put, ("progress", {"text": text}))

    async def work() -> Answer | None:
        try:
            answer = await _ask(rt, turn, started, progress)
        except Exception:
            log.exception("web chat: the turn failed (correlation id %s)", turn.correlation_id)
            put(("error", {"detail": _failure(turn)}))
            return None
        put(("answer", answer_payload(answer)))
        return answer

    task = asyncio.create_task(work())
    told = False  # the final event went out
    try:
        yield sse("accepted", {"correlation_id": turn.correlation_id, "user": turn.user})
        rt.metrics.acknowledged(SURFACE, time.perf_counter() - started)
        while True:
            try:
                event, data = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
            except TimeoutError:
                yield b": still working\n\n"  # keeps proxies from closing a quiet stream
                continue
            yield sse(event, data)
            if event in ("answer", "error"):
                told = not await asked.is_disconnected()  # a send to a closed connection is dropped quietly
                return
    finally:
        if not told:  # the client went away (a reload, a dropped connection): the turn still finishes
            _orphan(_keep_for_the_page(rt, turn, task))


_orphans: set[asyncio.Task[None]] = set()


def _orphan(work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` to its end with no one waiting for it (held here: the loop keeps only a
    weak reference to a task)."""
    task = asyncio.create_task(work)
    _orphans.add(task)
    task.add_done_callback(_orphans.discard)


async def _keep_for_the_page(rt: Runtime, turn: Request, work: asyncio.Task[Answer | None]) -> None:
    """A turn whose stream broke while this process went on: its answer (or that it failed)
    is kept like a restart's (``GET /api/chat/resumed``), so the page that asked, reloaded or
    reconnected, shows it and stops waiting instead of polling for an answer no one keeps."""
    answer = await work
    line = f"The page lost its connection while Guardian was answering \"{question_of(turn)}\""
    if answer is None:
        kept = Answer(agent="guardian", skill="unknown", lead=f"{line}, and the turn failed.", notes=[_failure(turn)])
    else:
        kept = answer.model_copy(update={"lead": f"{line}; this is the answer.\n{answer.lead}".rstrip()})
    try:
        await run_in_threadpool(rt.storage.resumed.put, f"{STREAM_BROKE}/{turn.correlation_id}", turn, kept)
    except Exception:
        log.exception("web chat: could not keep the answer of a stream that broke (correlation id %s)",
                      turn.correlation_id)


def _failure(turn: Request) -> str:
    return f"internal error (correlation id {turn.correlation_id})"
