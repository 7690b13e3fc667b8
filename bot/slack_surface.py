"""Slack: a thin adapter from Slack's events to Guardian's requests, on slack-bolt's
AsyncApp. The same listeners serve HTTP (``POST /slack/events``) and Socket Mode.

Why it is shaped this way:
- Slack wants an answer within 3 seconds and retries what it thinks was lost. Listeners
  only start a task, so the ack does no database or thread work; the task first claims
  the delivery in the shared database, so a retry, a repeated ``event_id`` or the same
  message under a new event id finds its key taken and adds nothing (Bolt itself does not
  dedupe). The price: a database failure at the claim loses that delivery (logged), where
  a claim before the ack would have made Slack retry it.
- The graph is synchronous: it runs in a worker thread, and its progress lines come back
  to the event loop, shown as the assistant status in assistant threads and elsewhere as a
  "working" message that the answer then replaces in place.
- A Slack thread is one conversation (``slack:{team}:{channel}:{thread_ts}``), so "and in
  eu-west-1?" or "stop it" reuse the thread's previous turn; the graph gives each turn its
  own checkpoint thread, so a pending approval is never lost.
- The identity the access policy sees is the Slack user id (``U...``): the asker's for a
  question, the clicker's for Approve / Deny.
- In HTTP mode the signature is checked on the raw body before anything is parsed (401
  for forged, stale and replayed requests), then the body's shape (400); only then does
  Bolt see it. Nothing a sender controls can cause a 5xx. An Events API delivery's ack is
  an empty 200 whatever the listeners do, so it is sent right there and Bolt dispatches
  the event after the ack; commands and interactions, whose acks may carry a body, go
  through Bolt before their ack.
- The graph holds the GIL while it works, so work that can wait (Bolt's dispatch of an
  acknowledged event, the claim, the turns) waits while deliveries are arriving
  (``AckFirst``, at most 10 s): a burst is acknowledged first, then answered.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qs

from fastapi import FastAPI
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp, AsyncAssistant, AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from agents.answer import Answer, PendingApproval
from agents.approvals import ApprovalError
from agents.audit import new_correlation_id
from agents.request import Request
from agents.service import DecisionRefused
from bot.metrics import UNKNOWN_SKILL
from bot.render.blocks import (
    APPROVE_ACTION,
    DENY_ACTION,
    FOLLOWUP_ACTION,
    answer_blocks,
    approval_blocks,
    decided_blocks,
    escape,
    fallback_text,
)
from bot.render.chart_png import alt_text, chart_png, drawable
from bot.slack_keys import keyed_metadata

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)
T = TypeVar("T")

SURFACE = "slack"
MAX_SKEW = 5 * 60  # seconds: older (or newer) signed requests are refused as stale
PROGRESS_EVERY = 1.0
TURN_WORKERS = 2  # graph runs at once; more only contend for the CPU and the database
STREAM_WORDS = 12  # words per streamed chunk  # seconds between in-place updates (chat.update is rate limited)
WORKING = "Working on it…"
WORKING_EVENT = "guardian_working"  # metadata event of the progress message (key: the turn's correlation id)
RECEIVED = "guardian_received_at"  # Bolt context key: when the delivery arrived
MENTION = re.compile(r"<@[UW][A-Z0-9]+>")
PROACTIVE = ("subscribe", "unsubscribe", "subscriptions")
SUBCOMMANDS = {"ask": "{rest}", "scan": "run a security scan {rest}", "oncall": "who is on call {rest}"}
HELP = ("*Guardian* answers questions about your cloud, CI/CD and incidents.\n"
        "• `/guardian ask <question>`: ask anything (answered in the channel)\n"
        "• `/guardian scan [region]`: a security scan\n"
        "• `/guardian oncall [schedule]`: who is on call now\n"
        "• `/guardian approvals`: pending approvals, with Approve / Deny\n"
        "• `/guardian subscribe digest daily|weekly`, `/guardian subscribe exposures`, `/guardian subscribe cicd`, "
        "`/guardian unsubscribe …`, `/guardian subscriptions`: proactive posts in this channel\n"
        "• `/guardian incident brief|ack|resolve|page|oncall|timeline`: in an incident channel, its incident\n"
        "• `/guardian help`: this message\n"
        "Mention @Guardian in a channel or send it a direct message; reply in the thread to follow up.")
SUGGESTED_PROMPTS = [
    {"title": "Cost this month", "message": "What did we spend on AWS this month?"},
    {"title": "Security scan", "message": "Are any S3 buckets public?"},
    {"title": "Who is on call", "message": "Who is on call right now?"},
    {"title": "Failing builds", "message": "Which CI builds are failing?"},
]


def unescape(text: str) -> str:
    """Slack escapes ``&``, ``<`` and ``>`` in message text; the graph wants what was typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def question_of(text: str) -> str:
    return " ".join(unescape(MENTION.sub(" ", text or "")).split())


def conversation_id(team: str, channel: str, thread_ts: str | None) -> str:
    return f"slack:{team}:{channel}" + (f":{thread_ts}" if thread_ts else "")


def thread_ts_of(conversation: str) -> str | None:
    """The Slack thread a conversation id (``conversation_id``, or a checkpoint thread that
    starts with one) answers in; None for a channel's top level."""
    parts = conversation.split(":")
    return parts[3] if len(parts) > 3 and parts[0] == "slack" and parts[3] else None


def signature_valid(secret: bytes, raw: bytes, timestamp: str, signature: str, now: float | None = None) -> bool:
    """Slack's v0 signature over the raw bytes, the timestamp within 5 minutes either way,
    compared in constant time. Never raises, whatever the headers hold (slack_sdk's
    verifier raises on a timestamp that is not a number, or a body that is not UTF-8)."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW:
        return False
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def body_problem(raw: bytes, content_type: str) -> str | None:
    """Why a signed body is not one Slack would send, or None: Bolt must never see a body it
    would choke on (it would answer 500)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "request body is not UTF-8"
    if content_type.startswith("application/json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return "request body is not valid JSON"
        if not isinstance(data, dict):
            return "request body must be a JSON object"
        return _shape_problem(data, {"event": dict, "authorizations": list})
    try:
        form = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except ValueError:
        return "request body is not a valid form"
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except json.JSONDecodeError:
            return "payload is not valid JSON"
        if not isinstance(payload, dict):
            return "payload must be a JSON object"
        return _shape_problem(payload, {"user": dict, "channel": dict, "team": dict, "container": dict,
                                        "message": dict, "actions": list, "view": dict})
    elif "command" not in form and "ssl_check" not in form:
        return "form body has neither a command nor a payload"
    return None


def is_event_callback(raw: bytes, content_type: str) -> bool:
    """An Events API delivery (whose ack is always an empty 200), not a URL verification
    challenge, a command or an interaction (whose ack may carry a body). Only called on a
    body ``body_problem`` accepted."""
    if not content_type.startswith("application/json"):
        return False
    data = json.loads(raw)
    return data.get("type") == "event_callback" and isinstance(data.get("event"), dict)


def _shape_problem(data: dict[str, Any], shapes: dict[str, type]) -> str | None:
    """Bolt reads these fields without checking their type; a wrong one would be its 500."""
    for key, kind in shapes.items():
        if key in data and not isinstance(data[key], kind):
            return f"{key} must be a JSON {'object' if kind is dict else 'array'}"
    actions = data.get("actions") or []
    if any(not isinstance(item, dict) for item in actions):
        return "actions must be JSON objects"
    return None


class ReplayGuard:
    """Signatures seen in the last 5 minutes (older ones are refused as stale anyway): the
    same signed request sent twice gets 401. Kept in memory, off the database, because it
    is on every ack's path; a replay to another replica still finds the delivery claimed
    in the database and adds nothing."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def first(self, signature: str, timestamp: int, now: float | None = None) -> bool:
        moment = time.time() if now is None else now
        if len(self._seen) > 10_000:
            self._seen = {sig: ts for sig, ts in self._seen.items() if moment - ts <= MAX_SKEW}
        if signature in self._seen:
            return False
        self._seen[signature] = timestamp
        return True


class AckFirst:
    """Acks before answers. The graph runs in this process's threads and holds the GIL while
    it works, so every turn running during a burst of deliveries slows the event loop that
    has to acknowledge them within Slack's 3 seconds. Work that can wait (the dedupe claim,
    the turns, chart drawing) waits here until no delivery has arrived for ``QUIET``
    seconds and none is being acknowledged, but never longer than ``MAX_DEFER`` seconds,
    so a steady stream delays answers, it never starves them."""

    QUIET = 0.05
    MAX_DEFER = 10.0

    def __init__(self) -> None:
        self.inflight = 0
        self._last = 0.0
        self._open = asyncio.Event()
        self._open.set()
        self._watcher: asyncio.Task[None] | None = None

    def arrived(self) -> None:
        """A delivery is being acknowledged: hold background work back until it is quiet."""
        self._last = time.monotonic()
        if self._open.is_set():
            self._open.clear()
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        try:
            while True:
                idle = time.monotonic() - self._last
                if self.inflight <= 0 and idle >= self.QUIET:
                    self._open.set()
                    return
                await asyncio.sleep(max(self.QUIET - idle, 0.005))
        finally:
            self._watcher = None

    async def quiet(self) -> None:
        """Return once it is quiet (at once when it already is), or after MAX_DEFER."""
        if self._open.is_set():
            return
        try:
            await asyncio.wait_for(self._open.wait(), self.MAX_DEFER)
        except TimeoutError:
            log.info("slack: deliveries kept arriving for %.0f s; answering anyway", self.MAX_DEFER)


class Progress:
    """Shows a turn's progress where the user looks and then puts the answer there: a
    message updated in place, or (``assistant``) the assistant thread's status line.

    The "Working on it…" message carries the turn's correlation id in its metadata
    (``WORKING_EVENT``): when a restart interrupts the turn, the replica that finishes it
    finds that message and puts the answer there (bot/resumed_turns.py), as this turn would
    have, instead of leaving it spinning above a second message."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None, *, assistant: bool,
                 team: str = "", user: str = "", correlation_id: str = "") -> None:
        self.client = client
        self.correlation_id = correlation_id
        self.channel = channel
        self.thread_ts = thread_ts
        self.assistant = assistant and thread_ts is not None
        self.team, self.user = team, user
        self.ts: str | None = None
        self._shown_at = 0.0

    async def start(self) -> None:
        if self.assistant:
            await self.client.assistant_threads_setStatus(channel_id=self.channel, thread_ts=str(self.thread_ts),
                                                          status="is working on it…")
            return
        metadata = keyed_metadata(WORKING_EVENT, self.correlation_id) if self.correlation_id else None
        posted = await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=WORKING,
                                                    metadata=metadata)
        self.ts = str(posted["ts"])

    async def show(self, line: str) -> None:
        if time.monotonic() - self._shown_at < PROGRESS_EVERY:
            return
        self._shown_at = time.monotonic()
        if self.assistant:
            await self.client.assistant_threads_setStatus(channel_id=self.channel, thread_ts=str(self.thread_ts),
                                                          status=line[:200])
        elif self.ts:
            await self.client.chat_update(channel=self.channel, ts=self.ts, text=f"{WORKING} {escape(line)}")

    async def finish(self, text: str, blocks: list[dict[str, Any]]) -> None:
        if self.ts:
            await self.client.chat_update(channel=self.channel, ts=self.ts, text=text, blocks=blocks)
            return
        if self.assistant and hasattr(self.client, "chat_startStream"):
            try:
                await self._stream(text, blocks)
                return
            except SlackApiError as exc:  # a workspace without streaming: post it whole
                log.info("slack: streaming unavailable (%s); posting the answer", exc.response.get("error"))
        # posting in an assistant thread also clears its status
        await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, text=text, blocks=blocks)

    async def _stream(self, text: str, blocks: list[dict[str, Any]]) -> None:
        """The lead streamed as it would be typed, the rest (tables, quotes, buttons) as
        blocks when the stream stops."""
        words = text.split(" ")
        first, rest = " ".join(words[:STREAM_WORDS]), words[STREAM_WORDS:]
        started = await self.client.chat_startStream(channel=self.channel, thread_ts=str(self.thread_ts),
                                                     markdown_text=first, recipient_team_id=self.team or None,
                                                     recipient_user_id=self.user or None)
        ts = str(started["ts"])
        for start in range(0, len(rest), STREAM_WORDS):
            await self.client.chat_appendStream(channel=self.channel, ts=ts,
                                                markdown_text=" " + " ".join(rest[start:start + STREAM_WORDS]))
        lead_shown = bool(blocks) and blocks[0].get("text", {}).get("text") == text
        await self.client.chat_stopStream(channel=self.channel, ts=ts, blocks=blocks[1:] if lead_shown else blocks)


class SlackSurface:
    """The Slack app: listeners, the HTTP entry point and Socket Mode, over one Runtime."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        settings = rt.settings
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        self.secret = secret.encode() if secret else None
        self.client = AsyncWebClient(token=token, base_url=settings.slack_api_url)
        # chat.postMessage is limited to about one message a second per channel: a 429
        # carries Retry-After, which this handler waits out (twice at most).
        self.client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=2))
        # process_before_response: listeners only schedule (the claim runs after the ack), so
        # running them before the ack costs nothing and the work is scheduled before Slack
        # hears back. The signature is checked once, by ``http`` on the raw body, before
        # Bolt sees anything (Socket Mode needs none), so Bolt's own check is off.
        self.app = AsyncApp(client=self.client, signing_secret=secret or "",
                            request_verification_enabled=False,
                            process_before_response=True)
        self.handler = AsyncSlackRequestHandler(self.app)
        self.tasks: set[asyncio.Task[Any]] = set()
        self.replays = ReplayGuard()
        # Turns run on their own few threads, so a burst of questions never queues the
        # acks' quick database claims (on the loop's default executor) behind graph runs.
        self.turns = ThreadPoolExecutor(max_workers=TURN_WORKERS, thread_name_prefix="slack-turn")
        self._slots = asyncio.Semaphore(TURN_WORKERS)  # a queued turn waits here, where AckFirst can hold it
        self.acks_first = AckFirst()
        self._socket: Any = None
        # Subcommands other modules add (``incident``: bot/incidents.py): (ack, command, respond, rest).
        self.subcommands: dict[str, Callable[..., Awaitable[None]]] = {}
        self._register()

    # ------------------------------------------------------------------ wiring
    def _register(self) -> None:
        assistant = AsyncAssistant()
        assistant.thread_started(self._on_assistant_started)
        assistant.user_message(self._on_assistant_message)
        self.app.assistant(assistant)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command("/guardian")(self._on_command)
        self.app.action(APPROVE_ACTION)(self._on_decision)
        self.app.action(DENY_ACTION)(self._on_decision)
        self.app.action(FOLLOWUP_ACTION)(self._on_followup)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` after the ack; kept referenced so it is not collected mid-way."""
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _off_loop(self, work: Callable[..., T], *args: Any) -> T:
        """Graph and drawing work on the turn threads, one slot each, once acks are done."""
        async with self._slots:
            await self.acks_first.quiet()
            return await asyncio.get_running_loop().run_in_executor(self.turns, partial(work, *args))

    async def drain(self) -> None:
        """Wait for every answer in flight (tests, and a graceful shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def _claim(self, source: str, key: str) -> bool:
        """First delivery of this key? The database's primary key decides, so it holds
        across replicas and restarts. Runs after the ack (in the delivery's task): a
        database failure then loses the delivery, logged, rather than answering it twice."""
        if not key:
            return True
        try:
            return await asyncio.to_thread(self.rt.storage.dedupe.claim, source, key)
        except Exception:
            log.exception("slack: could not claim %s %s; not answered", source, key)
            return False

    @staticmethod
    def delivery_key(body: dict[str, Any], event: dict[str, Any]) -> tuple[str, str]:
        """Keyed by team + channel + message ts, which also catches the same message re-sent
        under new event ids; by event id for events that carry no message."""
        team = body.get("team_id") or event.get("team") or ""
        if event.get("channel") and event.get("ts"):  # covers every event id this message comes under
            return "slack-message", f"{team}:{event['channel']}:{event['ts']}"
        return "slack-event", str(body.get("event_id") or "")

    def after_ack(self, key: tuple[str, str], work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """The ack path does no database or thread work: the claim and then ``work`` run in
        a task the ack does not wait for; a repeat finds the key taken and adds nothing."""
        async def claimed() -> None:
            await self.acks_first.quiet()
            if await self._claim(*key):
                await work()

        self.spawn(claimed())

    # ------------------------------------------------------------------ listeners
    async def _on_mention(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        root = event.get("thread_ts") or event["ts"]
        self.after_ack(self.delivery_key(body, event), partial(
            self._converse, body, event, thread_ts=root, conversation_ts=root, assistant=False,
            received=_received(context)))

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        """Direct messages, and replies in a thread Guardian is already talking in (a message
        that mentions Guardian is the mention listener's)."""
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return
        bot = getattr(context, "bot_user_id", None)
        if bot and f"<@{bot}>" in (event.get("text") or ""):
            return
        thread = event.get("thread_ts")
        if event.get("channel_type") != "im" and not thread:
            return
        self.spawn(self._thread_reply(body, event, thread, _received(context)))

    async def _thread_reply(self, body: dict[str, Any], event: dict[str, Any], thread: str | None,
                            received: float) -> None:
        """After the ack: a DM is always answered, a channel reply only in a thread Guardian
        is part of (checked before the claim, so other threads' chatter writes nothing)."""
        await self.acks_first.quiet()
        if event.get("channel_type") != "im":
            known = await asyncio.to_thread(self.rt.storage.conversations.get, conversation_id(
                body.get("team_id") or "", event["channel"], str(thread)))
            if not known:
                return
        if await self._claim(*self.delivery_key(body, event)):
            await self._converse(body, event, thread_ts=thread, conversation_ts=thread, assistant=False,
                                 received=received)

    async def _on_assistant_started(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        thread = event.get("assistant_thread", {})
        self.after_ack(self.delivery_key(body, {}), partial(
            self._suggest, thread.get("channel_id", ""), thread.get("thread_ts", "")))

    async def _suggest(self, channel: str, thread_ts: str) -> None:
        await self.client.assistant_threads_setSuggestedPrompts(channel_id=channel, thread_ts=thread_ts,
                                                                prompts=SUGGESTED_PROMPTS)

    async def _on_assistant_message(self, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        thread = event["thread_ts"]
        self.after_ack(self.delivery_key(body, event), partial(
            self._converse, body, event, thread_ts=thread, conversation_ts=thread, assistant=True,
            received=_received(context)))

    async def _on_command(self, ack: Callable[..., Awaitable[Any]], command: dict[str, Any],
                          respond: Callable[..., Awaitable[Any]], context: Any) -> None:
        sub, _, rest = (command.get("text") or "").strip().partition(" ")
        sub = sub.lower()
        if sub in PROACTIVE:  # Guardian's own configuration: quick database work, answered in the ack
            reply = await asyncio.to_thread(self.rt.proactive.command, command.get("text") or "",
                                            user=str(command.get("user_id") or ""), surface=SURFACE,
                                            channel=str(command.get("channel_id") or ""))
            await ack(response_type="ephemeral", text=escape(reply))
            return
        if sub in self.subcommands:
            await self.subcommands[sub](ack, command, respond, rest)
            return
        if sub in ("", "help") or sub not in (*SUBCOMMANDS, "approvals"):
            await ack(response_type="ephemeral", text=HELP if sub in ("", "help") else f"Unknown subcommand "
                      f"`{escape(sub)}`.\n{HELP}")
            return
        question = SUBCOMMANDS[sub].format(rest=rest).strip() if sub != "approvals" else ""
        if sub != "approvals" and not question:
            await ack(response_type="ephemeral", text="Ask a question: `/guardian ask <question>`.")
            return
        await ack()
        key = ("slack-command", str(command.get("trigger_id") or ""))
        if sub == "approvals":
            self.after_ack(key, partial(self._list_approvals, respond))
            return
        event = {"channel": command.get("channel_id", ""), "user": command.get("user_id", ""), "text": question}
        self.after_ack(key, partial(self._converse, {"team_id": command.get("team_id", "")}, event, thread_ts=None,
                                    conversation_ts=None, assistant=False, respond=respond,
                                    received=_received(context)))

    async def _on_decision(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any],
                           action: dict[str, Any], respond: Callable[..., Awaitable[Any]]) -> None:
        await ack()
        self.spawn(self._decide(body, action, respond))

    async def _on_followup(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any],
                           action: dict[str, Any], context: Any) -> None:
        """A question picked from a table's follow-up menu (a digest line): asked in that
        message's thread as the person who picked it, exactly as if they had typed it there,
        so their access rights apply."""
        await ack()
        question = str((action.get("selected_option") or {}).get("value") or "")
        container = body.get("container") or {}
        channel = str((body.get("channel") or {}).get("id") or container.get("channel_id") or "")
        user = str((body.get("user") or {}).get("id") or "")
        message = body.get("message") or {}
        root = message.get("thread_ts") or message.get("ts") or container.get("message_ts")
        if not (question and channel and user and root):
            log.warning("slack: a follow-up pick without question, channel, user or message was ignored")
            return
        event = {"channel": channel, "user": user, "text": question}
        key = ("slack-followup", f"{channel}:{root}:{user}:{action.get('action_ts', '')}")
        self.after_ack(key, partial(self._converse, {"team_id": (body.get("team") or {}).get("id", "")}, event,
                                    thread_ts=root, conversation_ts=root, assistant=False,
                                    received=_received(context)))

    # ------------------------------------------------------------------ work
    async def _converse(self, body: dict[str, Any], event: dict[str, Any], *, thread_ts: str | None,
                        conversation_ts: str | None, assistant: bool,
                        respond: Callable[..., Awaitable[Any]] | None = None, acting_as: str | None = None,
                        received: float | None = None) -> None:
        """One question, answered once: progress where the user looks, then the answer.
        ``acting_as``: the PagerDuty user a write acts as (the asker's mapping). The time to
        answer counts from ``received`` (the delivery's arrival) to the answer posted."""
        received = time.perf_counter() if received is None else received
        team, channel, user = body.get("team_id") or "", event.get("channel", ""), event.get("user", "")
        correlation = new_correlation_id()  # the turn's, and the key its "Working on it…" message carries
        progress = Progress(self.client, channel, thread_ts, assistant=assistant, team=team, user=user,
                            correlation_id=correlation)
        try:
            await progress.start()
        except Exception as exc:  # e.g. a slash command in a channel Guardian is not in
            if respond is None:
                log.warning("slack: could not answer in %s: %s", channel, exc)
                return
            await respond(response_type="ephemeral", text=f"Guardian cannot post in this channel ({exc}); "
                          "invite it with `/invite @Guardian`.")
            return
        if conversation_ts is None:  # a slash command: the answer's own message starts the thread
            conversation_ts = progress.ts
        loop = asyncio.get_running_loop()

        def on_progress(line: str) -> None:
            asyncio.run_coroutine_threadsafe(progress.show(line), loop)

        try:
            turn = Request(text=question_of(event.get("text", "")) or "help", user=user, surface=SURFACE,
                           channel=channel, thread_id=conversation_id(team, channel, conversation_ts),
                           acting_as=acting_as, correlation_id=correlation)
            answer = await self._off_loop(self.rt.ask, turn, on_progress)
            text, blocks = fallback_text(answer), answer_blocks(answer)
        except Exception as exc:
            log.exception("slack: a turn failed")
            self.rt.metrics.failed(SURFACE, time.perf_counter() - received)
            text = f"Sorry, that failed ({type(exc).__name__}); the operators can find it in the logs."
            blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}]
            await progress.finish(text, blocks)
            return
        await progress.finish(text, blocks)
        self.rt.metrics.answered(SURFACE, answer, time.perf_counter() - received)
        await self._upload_charts(answer, channel, conversation_ts)

    async def _upload_charts(self, answer: Answer, channel: str, thread_ts: str | None) -> None:
        """Each time-series chart as a PNG file in the answer's thread (slack_sdk's external
        upload: get an upload URL, POST the bytes, complete to share). The blocks already
        carry the chart's last points, so a failed upload is logged and the answer stands."""
        for chart in (c for c in answer.charts if drawable(c)):
            try:
                png = await self._off_loop(chart_png, chart)
                await self.client.files_upload_v2(
                    channel=channel, thread_ts=thread_ts, content=png, title=chart.title, alt_txt=alt_text(chart),
                    filename=f"{re.sub(r'[^a-z0-9]+', '-', chart.title.lower()).strip('-') or 'chart'}.png")
            except Exception as exc:
                log.warning("slack: could not upload the chart %r to %s: %s", chart.title, channel, exc)

    async def _list_approvals(self, respond: Callable[..., Awaitable[Any]]) -> None:
        records, more = await asyncio.to_thread(self.rt.storage.approvals.list, ("pending",), 10)
        if not records:
            await respond(response_type="ephemeral", text="No approvals are pending.")
            return
        blocks: list[dict[str, Any]] = []
        for record in records:
            pending = Answer(agent="guardian", skill=record.skill,
                             pending_approval=PendingApproval(id=record.id, action=record.tool,
                                                              summary=record.summary))
            blocks.extend(approval_blocks(pending))
        if more:
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"…and {more} more."}]})
        await respond(response_type="ephemeral", text=f"{len(records)} pending approval(s)", blocks=blocks[:50])

    async def _decide(self, body: dict[str, Any], action: dict[str, Any],
                      respond: Callable[..., Awaitable[Any]]) -> None:
        """A click: the policy is checked with the clicker's id inside ``decide``; the
        message is updated in place with what happened (or that it was already decided)."""
        approval_id, user = str(action.get("value") or ""), str(body.get("user", {}).get("id") or "")
        approve = action.get("action_id") == APPROVE_ACTION
        channel = str(body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id") or "")
        message = body.get("message") or {}
        try:
            answer = await self._off_loop(partial(self.rt.guardian.decide, approval_id, approve=approve, user=user,
                                                  surface=SURFACE, channel=channel))
        except DecisionRefused as exc:
            self.rt.metrics.decided(SURFACE, await self._skill_of(approval_id), "refused")
            await self._ephemeral(channel, user, str(exc), respond)
            return
        except ApprovalError as exc:
            skill = await self._skill_of(approval_id)
            self.rt.metrics.decided(SURFACE, skill, "unknown" if skill == UNKNOWN_SKILL else "conflict")
            await self._replace(channel, message, str(exc), None, [], respond)
            return
        except Exception as exc:
            log.exception("slack: deciding %s failed", approval_id)
            await self._ephemeral(channel, user, f"Deciding {approval_id} failed ({type(exc).__name__}).", respond)
            return
        self.rt.metrics.decided(SURFACE, answer.skill, "approved" if approve else "denied")
        verb = "Approved" if approve else "Denied"
        await self._replace(channel, message, f"{verb} {approval_id} by", user, answer_blocks(answer), respond)

    async def _skill_of(self, approval_id: str) -> str:
        """The approval's skill for the metrics' label; ``unknown`` for an id never issued."""
        try:
            record = await asyncio.to_thread(self.rt.storage.approvals.get, approval_id)
        except ApprovalError:
            return UNKNOWN_SKILL
        return str(record.skill)

    async def _ephemeral(self, channel: str, user: str, text: str, respond: Callable[..., Awaitable[Any]]) -> None:
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=escape(text))
        except Exception:
            await respond(response_type="ephemeral", replace_original=False, text=escape(text))

    async def _replace(self, channel: str, message: dict[str, Any], text: str, by: str | None,
                       extra: list[dict[str, Any]], respond: Callable[..., Awaitable[Any]]) -> None:
        blocks = decided_blocks(list(message.get("blocks") or []), text, by) + extra
        if message.get("ts") and channel:
            await self.client.chat_update(channel=channel, ts=message["ts"], text=escape(text), blocks=blocks[:50])
        else:  # an ephemeral message (the approvals list) is replaced through its response_url
            await respond(replace_original=True, text=escape(text), blocks=blocks[:50])

    # ------------------------------------------------------------------ transports
    async def http(self, request: HttpRequest) -> Response:
        """``POST /slack/events``: signature (401), replay (401), shape (400), then the ack
        (an event, dispatched to Bolt after it) or Bolt (a command or an interaction)."""
        raw = await request.body()
        if self.secret is not None:
            timestamp = request.headers.get("x-slack-request-timestamp", "")
            signature = request.headers.get("x-slack-signature", "")
            if not signature_valid(self.secret, raw, timestamp, signature):
                log.warning("slack: refused a request with a forged or stale signature")
                return JSONResponse({"detail": "invalid or stale Slack signature"}, status_code=401)
            if not self.replays.first(signature, int(timestamp)):
                log.warning("slack: refused a replayed request")
                return JSONResponse({"detail": "replayed Slack request"}, status_code=401)
        # Only a signed delivery holds answers back: forged floods cannot delay them.
        self.acks_first.arrived()
        self.acks_first.inflight += 1
        try:
            return await self._acknowledge(request, raw)
        finally:
            self.acks_first.inflight -= 1

    async def _acknowledge(self, request: HttpRequest, raw: bytes) -> Response:
        """A signed delivery: its shape (400), then the ack."""
        content_type = request.headers.get("content-type", "")
        problem = body_problem(raw, content_type)
        if problem:
            return JSONResponse({"detail": problem}, status_code=400)
        received = float(getattr(request.state, "received_at", None) or time.perf_counter())
        if is_event_callback(raw, content_type):
            # An Events API delivery's ack is an empty 200 whatever the listeners do, so it
            # is sent now; Bolt dispatches it (middleware, listener matching) after the ack.
            self.spawn(self._dispatch(raw, request.headers, request.query_params, received))
            self.rt.metrics.acknowledged(SURFACE, time.perf_counter() - received)
            return Response(status_code=200)
        response: Response = await self.handler.handle(request, {RECEIVED: received})
        if response.status_code >= 500:  # Bolt choked on a payload it did not expect
            log.error("slack: Bolt could not handle a signed request (status %d)", response.status_code)
            return JSONResponse({"detail": "Slack payload could not be handled"}, status_code=400)
        self.rt.metrics.acknowledged(SURFACE, time.perf_counter() - received)
        return response

    async def _dispatch(self, raw: bytes, headers: Mapping[str, str], query: Mapping[str, str],
                        received: float) -> None:
        """An acknowledged event through Bolt, once acks are done (its listeners schedule
        the claim and the answer; whatever Bolt answers now reaches no one, so a refusal
        is logged)."""
        await self.acks_first.quiet()
        request = AsyncBoltRequest(body=raw.decode("utf-8"), query=dict(query), headers=dict(headers))
        request.context[RECEIVED] = received
        response = await self.app.async_dispatch(request)
        if response.status >= 400:
            log.warning("slack: Bolt refused an acknowledged event (status %d): %s", response.status,
                        str(response.body)[:200])

    async def start_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        token = self.rt.settings.slack_app_token
        assert token is not None
        self._socket = AsyncSocketModeHandler(self.app, token.get_secret_value())

        async def arrived(*_: Any) -> None:  # before Bolt's own listener: acks first here too
            self.acks_first.arrived()

        self._socket.client.socket_mode_request_listeners.insert(0, arrived)
        await self._socket.connect_async()
        log.info("slack: connected in Socket Mode")

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close_async()
        await self.drain()
        self.turns.shutdown(wait=False)


def _received(context: Any) -> float:
    """When the delivery arrived (the HTTP entry puts it in Bolt's context); now otherwise."""
    value = context.get(RECEIVED) if hasattr(context, "get") else None
    return float(value) if isinstance(value, float) else time.perf_counter()


def socket_mode(rt: Runtime) -> bool:
    settings = rt.settings
    if settings.slack_mode == "auto":
        return settings.slack_app_token is not None
    return settings.slack_mode == "socket"


def mount_slack(app: FastAPI, rt: Runtime) -> SlackSurface | None:
    """Add Slack to the one ASGI app: ``/slack/events`` in HTTP mode (404 while Slack is not
    configured), a Socket Mode connection for the app's lifetime otherwise."""
    settings = rt.settings
    configured = settings.slack_bot_token is not None and (
        settings.slack_signing_secret is not None or settings.insecure_dev or socket_mode(rt))
    surface = SlackSurface(rt) if configured else None
    if surface is not None and rt.policy is not None and not rt.policy.enforced:
        log.warning("slack: no GUARDIAN_POLICY: everyone in the workspace may ask and approve everything")

    @app.post("/slack/events")
    async def slack_events(request: HttpRequest) -> Response:
        if surface is None or socket_mode(rt):
            return JSONResponse({"detail": "Slack is disabled: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"},
                                status_code=404)
        return await surface.http(request)

    if surface is not None and socket_mode(rt):
        app.router.on_startup.append(surface.start_socket_mode)
        app.router.on_shutdown.append(surface.stop)
    app.state.slack = surface
    return surface
