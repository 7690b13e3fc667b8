"""Microsoft Teams: ``POST /api/messages`` through the Bot Framework SDK (botbuilder 4.17.1).

The whole Teams adapter lives in this one module, behind the surface interface every chat
surface offers: ``mount_teams(app, rt)`` registers the route and keeps the surface on
``app.state.teams``; the surface turns an activity into a ``Request`` (the AAD object id as
the identity, the conversation id as the thread), renders the typed answer as an Adaptive
Card (bot/render/cards.py), decides approvals through ``rt.guardian.decide`` and posts
incident briefs proactively (``post_incident``). Moving to the Microsoft 365 Agents SDK
(the archived SDK's successor, same Activity protocol) replaces this module only.

What the SDK does not do, done here:
- every authentication failure answers 401 (no, junk, forged, expired or foreign token)
  or 403 (an authentic token that does not cover this activity: its serviceUrl, the
  channel its key is endorsed for, another tenant), never the SDK's 500;
- a body that is not a JSON activity answers 400, after the header check;
- the SDK's blocking key fetch runs off the event loop, bounded; unreachable keys are 503;
- each activity id is claimed once in the shared database: a redelivery adds nothing;
- a message is acknowledged at once and answered in the background with a typing
  indicator kept alive while the graph works;
- cards are sent again when the connector throttles (429) or fails for a moment
  (bot/teams_delivery.py), which the SDK's async client never does.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import requests
from azure.core.exceptions import DeserializationError  # what msrest raises (it re-exports it)
from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)
from botframework.connector.auth import (
    AuthenticateRequestResult,
    ClaimsIdentity,
    ServiceClientCredentialsFactory,
)
from fastapi import FastAPI
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from agents.answer import Answer
from agents.approvals import ApprovalError
from agents.request import MAX_TEXT, Request
from agents.service import DecisionRefused
from bot.backoff import Backoff
from bot.render.cards import ASK_VERB, CONTENT_TYPE, DECIDE_VERB, FOLLOWUP_INPUT, INCIDENT_VERB, literal, to_card
from bot.teams_delivery import deliver

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

ROUTE = "/api/messages"
SURFACE = "teams"
AUTH_TIMEOUT = 10.0  # seconds for the SDK's token check, key fetch included
TYPING_EVERY = 3.0  # Teams shows a typing indicator for about three seconds
MAX_THREAD = 200  # Request.thread_id allows 256; longer conversation ids are hashed
FORBIDDEN = ("serviceurl", "endorsement")  # authentic tokens that do not cover this activity
CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"
Logic = Callable[[TurnContext], Awaitable[None]]
IncidentClicks = Callable[[TurnContext, dict[str, Any]], Awaitable[None]]


class NotAnActivity(ValueError):
    """The body is not a Bot Framework activity: 400."""


def sdk_configuration(settings: Any) -> SimpleNamespace:
    """The SDK's configuration object, from Guardian's settings. Every endpoint is explicit
    (the SDK's parameterized path) so that a sovereign cloud, or a test's own keys, is a
    settings change."""
    tenant = settings.microsoft_app_tenant_id
    password = settings.microsoft_app_password.get_secret_value() if settings.microsoft_app_password else None
    return SimpleNamespace(
        APP_ID=settings.microsoft_app_id or "", APP_PASSWORD=password, APP_TENANTID=tenant,
        APP_TYPE="SingleTenant" if tenant else "MultiTenant",
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.teams_openid_metadata_url,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.teams_token_issuer,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=f"https://login.microsoftonline.com/{tenant or 'botframework.com'}",
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE="https://api.botframework.com",
        OAUTH_URL="https://api.botframework.com",
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=(
            "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"),
        VALIDATE_AUTHORITY=True)


def parse_activity(raw: bytes) -> Activity:
    """The body as an Activity, or NotAnActivity naming what is wrong (never the body)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise NotAnActivity(f"request body is not UTF-8 (byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise NotAnActivity(f"request body is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise NotAnActivity("request body is not an activity (an object with a 'type')")
    for field in ("serviceUrl", "channelId"):
        if not isinstance(data.get(field), str) or not data[field]:
            raise NotAnActivity(f"activity has no {field}")
    if not isinstance(data.get("conversation"), dict) or not isinstance(data["conversation"].get("id"), str):
        raise NotAnActivity("activity has no conversation id")
    try:
        return Activity().deserialize(data)
    except (DeserializationError, TypeError, ValueError, AttributeError) as exc:
        raise NotAnActivity("activity has a field of the wrong type") from exc


def strip_mention(activity: Activity) -> str:
    """The text without the bot's own ``<at>Guardian</at>`` mention (channels and group
    chats mention the bot; other mentions stay as they are)."""
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        props = entity.additional_properties or {}
        if (entity.type or "").lower() == "mention" and (props.get("mentioned") or {}).get("id") == bot_id:
            text = text.replace(str(props.get("text") or ""), " ") if props.get("text") else text
    return " ".join(text.replace("&nbsp;", " ").split())


def identity_of(activity: Activity) -> str:
    """The policy identity: the AAD object id; on a channel without one (the Emulator in
    local development) the channel's own user id, prefixed so it never looks like one."""
    sender = activity.from_property
    aad = getattr(sender, "aad_object_id", None) if sender else None
    if aad:
        return str(aad)
    return f"{activity.channel_id}:{sender.id if sender else ''}"


def channel_of(conversation_id: str) -> str:
    """Where proactive posts go: a channel thread's id without its ``;messageid=`` (the
    channel itself), any other conversation as it is."""
    return conversation_id.split(";messageid=", 1)[0]


def thread_of(conversation_id: str) -> str:
    """The follow-up context key: the Teams conversation (a channel thread is its own)."""
    thread = f"teams:{conversation_id}"
    return thread if len(thread) <= MAX_THREAD else "teams:" + hashlib.sha256(conversation_id.encode()).hexdigest()


def card_activity(card: dict[str, Any]) -> Activity:
    return Activity(type=ActivityTypes.message, attachments=[Attachment(content_type=CONTENT_TYPE, content=card)])


def status_card(lead: str, detail: str = "") -> dict[str, Any]:
    """A small card that replaces an approval card once it is decided."""
    body = [literal(lead, weight="Bolder")]
    if detail:
        body.append(literal(detail))
    return {"type": "AdaptiveCard", "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5", "body": body}


def auth_status(error: BaseException) -> int:
    """403 when an authentic token does not cover this activity, else 401."""
    text = str(error).lower()
    return 403 if any(word in text for word in FORBIDDEN) else 401


class TeamsSurface:
    """The Teams adapter: one CloudAdapter, one Runtime."""

    def __init__(self, rt: Runtime, credentials_factory: ServiceClientCredentialsFactory | None = None) -> None:
        self.rt = rt
        self.settings = rt.settings
        self.app_id = self.settings.microsoft_app_id or ""
        # The factory signs outbound calls to the Bot Connector; tests pass one that hands out
        # their own issuer's token (Microsoft Entra is not reachable from a test).
        self.auth = ConfigurationBotFrameworkAuthentication(sdk_configuration(self.settings),
                                                            credentials_factory=credentials_factory)
        self.adapter = CloudAdapter(self.auth)
        self._tasks: set[asyncio.Task[None]] = set()
        self.backoff = Backoff()  # between attempts at the connector (tests shorten it)
        # Ack / Resolve / Escalate on an incident brief's card: bot/incidents.py handles them.
        self.incident_clicks: IncidentClicks | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.app_id) or self.settings.insecure_dev

    # ------------------------------------------------------------------------- inbound
    async def handle(self, request: HttpRequest) -> Response:
        """``POST /api/messages``: authenticate, dedupe, hand to the graph, answer."""
        if not self.enabled:
            return JSONResponse({"detail": "Teams is disabled: set MICROSOFT_APP_ID"}, status_code=404)
        header = request.headers.get("authorization") or None
        if self.app_id and not header:
            log.warning("teams: refused an activity without an Authorization header")
            return _unauthorized(401, "missing Authorization header")
        try:
            activity = parse_activity(await request.body())
        except NotAnActivity as exc:
            return JSONResponse({"detail": str(exc)}, status_code=400)
        try:  # with no app id (local development only) the SDK skips validation
            result = await self._authenticate(activity, header if self.app_id else None)
        except (TimeoutError, requests.RequestException) as exc:  # Microsoft's keys unreachable: Teams retries
            log.warning("teams: could not fetch the Bot Framework signing keys: %s", type(exc).__name__)
            return JSONResponse({"detail": "cannot check the token now: the signing keys are unreachable"},
                                status_code=503, headers={"Retry-After": "5"})
        except Exception as exc:  # the SDK raises PermissionError, jwt errors, KeyError, IndexError...
            status = auth_status(exc)
            log.warning("teams: refused an activity (%d): %s", status, type(exc).__name__)
            return _unauthorized(status, "the token does not authenticate this activity")
        refused = self._other_tenant(activity)
        if refused:
            return _unauthorized(403, refused)
        correlation = getattr(request.state, "correlation_id", None)

        async def turn(ctx: TurnContext) -> None:
            await self._on_turn(ctx, correlation)

        invoke = await self.adapter.process_activity(result, activity, turn)
        if invoke is None:
            return Response(status_code=200)
        return JSONResponse(invoke.body, status_code=int(invoke.status))

    async def _authenticate(self, activity: Activity, header: str | None) -> AuthenticateRequestResult:
        """The SDK's validation, in a worker thread with its own loop: it fetches the OpenID
        metadata and keys with a blocking call and no timeout, which must not stall the
        event loop every other surface shares."""
        def validate() -> AuthenticateRequestResult:
            return asyncio.run(self.auth.authenticate_request(activity, header))

        return await asyncio.wait_for(asyncio.to_thread(validate), AUTH_TIMEOUT)

    def _other_tenant(self, activity: Activity) -> str | None:
        """A single-tenant bot answers its own tenant only."""
        tenant = self.settings.microsoft_app_tenant_id
        if not tenant or activity.channel_id != "msteams":
            return None
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        given = (channel_data.get("tenant") or {}).get("id") or getattr(activity.conversation, "tenant_id", None)
        if given != tenant:
            log.warning("teams: refused an activity from another tenant")
            return "this bot serves one tenant only"
        return None

    async def _on_turn(self, ctx: TurnContext, correlation: str | None) -> None:
        activity = ctx.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.type == ActivityTypes.message and value.get("guardian") == DECIDE_VERB:
            await self._decide_submit(ctx, value)
        elif activity.type == ActivityTypes.message and value.get("guardian") == ASK_VERB:
            # a follow-up picked from a card's menu: asked as if the clicker had typed it
            await self._message(ctx, correlation, text=str(value.get(FOLLOWUP_INPUT) or ""))
        elif activity.type == ActivityTypes.message and value.get("guardian") == INCIDENT_VERB:
            if self.incident_clicks is None:
                await ctx.send_activity("Incident buttons are not handled by this server.")
            elif await self._first(activity):
                await self.incident_clicks(ctx, value)
        elif activity.type == ActivityTypes.message:
            await self._message(ctx, correlation)
        elif activity.type == ActivityTypes.invoke and activity.name == "adaptiveCard/action":
            await self._decide_invoke(ctx)

    async def _first(self, activity: Activity) -> bool:
        """True the first time this activity arrives (the database decides, across replicas)."""
        key = f"{thread_of(activity.conversation.id)}:{activity.id or ''}"  # long ids hashed, never cut
        return await asyncio.to_thread(self.rt.storage.dedupe.claim, SURFACE, key)

    # ------------------------------------------------------------------------- questions
    async def _message(self, ctx: TurnContext, correlation: str | None, text: str | None = None) -> None:
        """A question typed (``text`` None: read from the activity) or picked from a menu."""
        activity = ctx.activity
        if not await self._first(activity):
            return
        text = strip_mention(activity) if text is None else text.strip()
        if not text:
            await ctx.send_activity("Ask me about your cloud, e.g. \"which buckets are public?\"")
            return
        if len(text) > MAX_TEXT:
            await ctx.send_activity(f"That message is longer than {MAX_TEXT} characters: please shorten it.")
            return
        if text.split()[0].lower() in ("subscribe", "unsubscribe", "subscriptions"):  # docs/proactive.md
            await ctx.send_activity(await asyncio.to_thread(
                self.rt.proactive.command, text, user=identity_of(activity), surface=SURFACE,
                channel=channel_of(activity.conversation.id)))
            return
        try:
            request = Request(text=text, user=identity_of(activity), surface=SURFACE,
                              channel=activity.conversation.id[:256], thread_id=thread_of(activity.conversation.id),
                              **({"correlation_id": correlation} if correlation else {}))
        except ValidationError:
            await ctx.send_activity("I could not read that message.")
            return
        await _quietly(ctx.send_activity(Activity(type=ActivityTypes.typing)))  # the claim is taken: never fail now
        self.answer_later(ctx, request)

    def answer_later(self, ctx: TurnContext, request: Request) -> None:
        """Answer ``request`` as a card replying to this activity, after the HTTP response
        (the turn runs for seconds; Teams wants the activity acknowledged at once)."""
        identity: ClaimsIdentity = ctx.turn_state[self.adapter.BOT_IDENTITY_KEY]
        audience = ctx.turn_state.get(self.adapter.BOT_OAUTH_SCOPE_KEY)
        reference = TurnContext.get_conversation_reference(ctx.activity)
        self._spawn(self.adapter.continue_conversation_with_claims(
            identity, reference, audience, self._answer_logic(request, reference.activity_id)))

    def _answer_logic(self, request: Request, reply_to: str | None) -> Logic:
        async def answer_turn(ctx: TurnContext) -> None:
            ctx.activity.id = reply_to  # replies thread under the question, not the continuation
            answer = await self._ask_typing(ctx, request)
            card = card_activity(to_card(answer))
            # a doubled reply under the question is harmless; a lost one leaves the asker with nothing
            await deliver(lambda: ctx.send_activity(card), f"the answer to {request.correlation_id}",
                          may_repeat=True, backoff=self.backoff)
        return answer_turn

    async def _ask_typing(self, ctx: TurnContext, request: Request) -> Answer:
        """Run the turn in a worker thread; a typing indicator is sent at each progress
        report and at least every TYPING_EVERY seconds until it is done."""
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()

        def progress(_text: str) -> None:
            loop.call_soon_threadsafe(wake.set)

        started = time.perf_counter()
        work = asyncio.ensure_future(asyncio.to_thread(self.rt.ask, request, progress))
        while not work.done():
            waiter = asyncio.ensure_future(wake.wait())
            await asyncio.wait({work, waiter}, timeout=TYPING_EVERY, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if not work.done():
                wake.clear()
                await _quietly(ctx.send_activity(Activity(type=ActivityTypes.typing)))
        try:
            answer: Answer = work.result()
        except Exception:
            log.exception("teams: a turn failed (correlation id %s)", request.correlation_id)
            self.rt.metrics.failed(SURFACE, time.perf_counter() - started)
            return Answer(agent="guardian", skill="help",
                          lead=f"Something went wrong answering this (correlation id {request.correlation_id}).")
        self.rt.metrics.answered(SURFACE, answer, time.perf_counter() - started)
        return answer

    # ------------------------------------------------------------------------- approvals
    async def _decide(self, activity: Activity, data: dict[str, Any]) -> tuple[str, dict[str, Any] | str]:
        """Check the policy and resume the paused turn once. Returns ("card", card) when the
        approval card should change, ("message", text) when only the clicker is told."""
        approval_id, decision = data.get("approval_id"), data.get("decision")
        if not isinstance(approval_id, str) or not 0 < len(approval_id) <= 128 or decision not in ("approve", "deny"):
            return "message", "This button does not carry a valid approval."
        if not await self._first(activity):
            return "message", "This click was already handled."
        user = identity_of(activity)
        clicker = (activity.from_property.name if activity.from_property else None) or user
        try:
            answer = await asyncio.to_thread(self.rt.guardian.decide, approval_id, approve=decision == "approve",
                                             user=user, surface=SURFACE, channel=activity.conversation.id[:256])
        except DecisionRefused as exc:  # unauthorised: nothing changes, only the clicker hears why
            self.rt.metrics.decided(SURFACE, self._skill_of(approval_id), "refused")
            return "message", f"You may not decide this: {exc}"
        except ApprovalError as exc:  # already decided, unknown or expired: the card says so
            self.rt.metrics.decided(SURFACE, self._skill_of(approval_id), "conflict")
            return "card", status_card(str(exc))
        self.rt.metrics.decided(SURFACE, answer.skill, "approved" if decision == "approve" else "denied")
        verb = "Approved" if decision == "approve" else "Denied"
        card = to_card(answer)
        card["body"].insert(0, literal(f"{verb} by {clicker} ({approval_id})", weight="Bolder", color="Accent"))
        return "card", card

    def _skill_of(self, approval_id: str) -> str:
        try:
            return self.rt.storage.approvals.get(approval_id).skill
        except Exception:  # unknown id: counted under "unknown"
            return "unknown"

    async def _decide_invoke(self, ctx: TurnContext) -> None:
        """Action.Execute: the invoke response replaces the card, or tells the clicker why not."""
        value = ctx.activity.value if isinstance(ctx.activity.value, dict) else {}
        action: dict[str, Any] = value["action"] if isinstance(value.get("action"), dict) else {}
        data: dict[str, Any] = action["data"] if isinstance(action.get("data"), dict) else {}
        if action.get("verb") != DECIDE_VERB and data.get("guardian") != DECIDE_VERB:
            body: dict[str, Any] = {"statusCode": 400, "type": "application/vnd.microsoft.error",
                                    "value": {"code": "BadRequest", "message": "unknown action"}}
        else:
            kind, content = await self._decide(ctx.activity, data)
            body = {"statusCode": 200, "type": CARD_RESPONSE if kind == "card" else MESSAGE_RESPONSE,
                    "value": content}
        await ctx.send_activity(Activity(type=ActivityTypes.invoke_response,
                                         value=InvokeResponse(status=200, body=body)))

    async def _decide_submit(self, ctx: TurnContext, data: dict[str, Any]) -> None:
        """Action.Submit (clients without Action.Execute): the card is updated in place and
        a refusal is answered in the conversation."""
        kind, content = await self._decide(ctx.activity, data)
        if kind == "message":
            await ctx.send_activity(str(content))
            return
        assert isinstance(content, dict)
        if ctx.activity.reply_to_id:
            update = card_activity(content)
            update.id = ctx.activity.reply_to_id
            update.conversation = ctx.activity.conversation
            await deliver(lambda: ctx.update_activity(update), "an approval card's update", may_repeat=True,
                          backoff=self.backoff)
        else:
            await deliver(lambda: ctx.send_activity(card_activity(content)), "an approval card", may_repeat=False,
                          backoff=self.backoff)

    # ------------------------------------------------------------------------- proactive
    async def post_incident(self, answer: Answer) -> str | None:
        """Post an incident brief to GUARDIAN_TEAMS_INCIDENT_CONVERSATION; returns the new
        activity's id, or None when no conversation is configured."""
        conversation = self.settings.teams_incident_conversation
        if not conversation:
            log.info("teams: no GUARDIAN_TEAMS_INCIDENT_CONVERSATION; incident brief not posted")
            return None
        tenant = self.settings.microsoft_app_tenant_id
        reference = ConversationReference(
            channel_id="msteams", service_url=self.settings.teams_service_url,
            conversation=ConversationAccount(id=conversation, is_group=True, tenant_id=tenant),
            bot=ChannelAccount(id=f"28:{self.app_id}", name="Guardian"))
        sent: list[str] = []

        async def post(ctx: TurnContext) -> None:
            ctx.activity.id = None  # a new post, not a reply
            card = card_activity(to_card(answer))
            response = await deliver(lambda: ctx.send_activity(card), "an incident brief", may_repeat=False,
                                     backoff=self.backoff)
            sent.append(response.id if response and response.id else "")

        await self.adapter.continue_conversation(reference, post, bot_app_id=self.app_id)
        return sent[0] if sent else None

    async def update_in(self, conversation: str, activity_id: str, answer: Answer) -> None:
        """Replace the card ``activity_id`` in ``conversation`` with ``answer`` (an incident
        brief after it was acknowledged or resolved): the connector's update_activity."""
        reference = ConversationReference(
            channel_id="msteams", service_url=self.settings.teams_service_url,
            conversation=ConversationAccount(id=conversation, is_group=True,
                                             tenant_id=self.settings.microsoft_app_tenant_id),
            bot=ChannelAccount(id=f"28:{self.app_id}", name="Guardian"))

        async def update(ctx: TurnContext) -> None:
            replacement = card_activity(to_card(answer))
            replacement.id = activity_id
            await deliver(lambda: ctx.update_activity(replacement), f"the update of {activity_id}", may_repeat=True,
                          backoff=self.backoff)

        await self.adapter.continue_conversation(reference, update, bot_app_id=self.app_id)

    async def post_to(self, conversation: str, answer: Answer) -> str:
        """Post ``answer`` as a new card in ``conversation`` (a subscribed channel); returns
        the new activity's id."""
        reference = ConversationReference(
            channel_id="msteams", service_url=self.settings.teams_service_url,
            conversation=ConversationAccount(id=conversation, is_group=True,
                                             tenant_id=self.settings.microsoft_app_tenant_id),
            bot=ChannelAccount(id=f"28:{self.app_id}", name="Guardian"))
        sent: list[str] = []

        async def post(ctx: TurnContext) -> None:
            ctx.activity.id = None
            card = card_activity(to_card(answer))
            response = await deliver(lambda: ctx.send_activity(card), f"a post to {conversation}", may_repeat=False,
                                     backoff=self.backoff)
            sent.append(response.id if response and response.id else "")

        await self.adapter.continue_conversation(reference, post, bot_app_id=self.app_id)
        return sent[0] if sent else ""

    def post_to_sync(self, conversation: str, answer: Answer) -> str:
        """``post_to`` for a worker thread (the scheduler's)."""
        return asyncio.run(self.post_to(conversation, answer))

    def post_incident_sync(self, answer: Answer) -> str | None:
        """``post_incident`` for code running in a worker thread (no event loop of its own)."""
        return asyncio.run(self.post_incident(answer))

    # ------------------------------------------------------------------------- tasks
    def _spawn(self, work: Awaitable[Any]) -> None:
        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("teams: a background answer failed")

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float = 60.0) -> None:
        """Wait for the answers still being worked on (shutdown, tests)."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


async def _quietly(sending: Awaitable[Any]) -> None:
    """A typing indicator that fails to send never costs the answer."""
    try:
        await sending
    except Exception as exc:
        log.info("teams: typing indicator not sent: %s", type(exc).__name__)


def _unauthorized(status: int, detail: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="Bot Framework"'} if status == 401 else None
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def mount_teams(app: FastAPI, rt: Runtime,
                credentials_factory: ServiceClientCredentialsFactory | None = None) -> TeamsSurface:
    """Register ``POST /api/messages`` on ``app``; the surface is also ``app.state.teams``
    (for incident posts from the webhooks)."""
    surface = TeamsSurface(rt, credentials_factory)
    app.state.teams = surface

    @app.post(ROUTE)
    async def teams_messages(request: HttpRequest) -> Response:
        return await surface.handle(request)

    return surface


__all__ = ["ROUTE", "TeamsSurface", "mount_teams", "parse_activity", "strip_mention"]
