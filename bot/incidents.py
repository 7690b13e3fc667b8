"""The incident desk: posts an incident's brief to the incident channel once, updates that
same message when the incident is acknowledged or resolved, and lets responders work the
incident from the channel (Ack / Resolve / Escalate buttons, ``/guardian incident ...``).

Why it is shaped this way:
- One brief per incident: the incident id is claimed in the database before posting (across
  replicas); a later escalation or reassignment refreshes that message instead of adding one.
- The brief is built by fixed reads (agents/incident_brief.py), never by routing the title.
- A button or subcommand that changes something becomes a request from the clicker, through
  the graph: the access policy is checked with the clicker's chat id, the write is proposed
  with Approve / Deny in the brief's thread, and runs only after an allowed approval. The
  PagerDuty user it acts as is the clicker's mapping (GUARDIAN_PAGERDUTY_USERS), pinned into
  the approval; an unmapped person is told exactly how to map themselves.
- Slack and Teams both carry the buttons and in-place updates: Teams gets the brief as a card
  in GUARDIAN_TEAMS_INCIDENT_CONVERSATION (its activity id kept beside Slack's ts, under
  ``<id>@teams``), whose Ack / Resolve / Escalate (Action.Submit) pass the same gate, with the
  clicker's AAD object id, and become the same request. With no Slack the brief is still
  claimed and kept once per incident, for Teams and the web chat's incident feed.
- Posting happens after the webhook was answered, so nobody would retry it: Slack's 5xx, rate
  limits and dropped connections are retried with backoff, and a post whose answer was lost
  is looked for (by its metadata key) before it is made again (bot/slack_delivery.py). A brief
  that still cannot be posted is logged and audited, and its claim released so that a later
  event about the incident posts it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from agents.answer import Answer
from agents.audit import Origin, new_correlation_id
from agents.incident_brief import IncidentEvent, build_brief, service_key, with_status
from agents.request import Request
from bot.render.blocks import INCIDENT_ACTION_PREFIX, answer_blocks, fallback_text
from bot.slack_delivery import Backoff, DeliveryFailed, SlackDelivery

if TYPE_CHECKING:
    from botbuilder.core import TurnContext

    from bot.runtime import Runtime
    from bot.slack_surface import SlackSurface
    from bot.teams_surface import TeamsSurface

log = logging.getLogger(__name__)

SURFACE = "pagerduty"
VERB_SKILL = {"ack": "incident.ack", "resolve": "incident.resolve", "escalate": "incident.page",
              "page": "incident.page"}
WRITES = ("ack", "resolve", "page")
METADATA_EVENT = "guardian_incident_brief"  # the brief's Slack message metadata: {"key": "incident:<id>"}
WEB = "web"  # the surface of a brief kept (for the web chat and Teams) when this process has no Slack
TEAMS_SUFFIX = "@teams"
INCIDENT_ID = re.compile(r"[A-Za-z0-9]{1,32}")
INCIDENT_HELP = ("`/guardian incident brief|ack|resolve|page [who]|oncall|timeline` in an incident channel "
                 "works on that channel's incident.")


def mapping_help(user: str, surface: str = "slack") -> str:
    """What an unmapped person is told: the exact entry to add (Slack user id, or the Teams
    AAD object id)."""
    who = f"<@{user}>" if surface == "slack" else f"your {surface.capitalize()} identity ({user})"
    return (f"Guardian acts in PagerDuty as the PagerDuty user mapped to you, and {who} is not mapped. Ask an "
            f"operator to add `{user}:<your PagerDuty email>` to GUARDIAN_PAGERDUTY_USERS (comma-separated "
            "entries), then try again. Nothing was changed.")


def teams_key(incident_id: str) -> str:
    """The Teams card's row in the incident posts (beside Slack's, keyed by the bare id);
    a long id is hashed to fit the column."""
    key = f"{incident_id}{TEAMS_SUFFIX}"
    return key if len(key) <= 64 else "teams:" + hashlib.sha256(incident_id.encode()).hexdigest()[:48]


def request_text(verb: str, incident_id: str, rest: str = "", service: str = "") -> str:
    """The request a button or subcommand stands for (ids and service come from Guardian's
    own record of the incident, never from its title)."""
    texts = {"ack": f"acknowledge incident {incident_id}", "resolve": f"resolve incident {incident_id}",
             "escalate": f"escalate incident {incident_id}", "brief": f"brief incident {incident_id}",
             "timeline": f"timeline of incident {incident_id}",
             "oncall": f"who is on call for {service}" if service else f"who is on call for incident {incident_id}",
             "page": f"page {rest} for incident {incident_id}" if rest else f"escalate incident {incident_id}"}
    return texts[verb]


class IncidentDesk:
    """Posting and updating briefs, and the incident channel's buttons and subcommands."""

    def __init__(self, rt: Runtime, slack: SlackSurface | None, teams: TeamsSurface | None) -> None:
        self.rt = rt
        self.slack = slack
        self.teams = teams
        self.tasks: set[asyncio.Task[Any]] = set()
        self.backoff = Backoff()
        self._delivery: SlackDelivery | None = None
        if slack is not None:
            slack.app.action(re.compile(f"^{INCIDENT_ACTION_PREFIX}(ack|resolve|escalate)$"))(self._on_button)
            slack.subcommands["incident"] = self._on_command
        if teams is not None:
            teams.incident_clicks = self._on_teams_click

    # ------------------------------------------------------------------ tasks
    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("incidents: background work failed")

        task = asyncio.get_running_loop().create_task(guarded())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def drain(self) -> None:
        """Wait for briefs and updates in flight (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        if self.slack is not None:
            await self.slack.drain()

    @property
    def delivery(self) -> SlackDelivery:
        """Slack posts and updates that survive 5xx, rate limits and lost answers."""
        assert self.slack is not None
        if self._delivery is None or self._delivery.backoff != self.backoff:
            self._delivery = SlackDelivery(self.slack.client, METADATA_EVENT, self.backoff)
        return self._delivery

    # ------------------------------------------------------------------ webhook events
    async def handle(self, event: IncidentEvent, received: float | None = None) -> None:
        """One webhook event's work; its time from arrival lands in /metrics (surface pagerduty)."""
        started = time.perf_counter() if received is None else received
        try:
            if event.opens_brief:
                answer = await self.post_brief(event)
            else:
                answer = await self.update_status(event)
        except Exception:
            self.rt.metrics.failed(SURFACE, time.perf_counter() - started, "incident.brief")
            raise
        if answer is not None:
            self.rt.metrics.answered(SURFACE, answer, time.perf_counter() - started)

    def _origin(self, channel: str | None = None) -> Origin:
        """The audit identity of webhook work: PagerDuty itself."""
        return Origin(user="pagerduty", surface=SURFACE, channel=channel or self.rt.settings.incident_channel,
                      correlation_id=new_correlation_id())

    async def _build(self, event: IncidentEvent) -> Answer:
        deps = self.rt.guardian.deps
        return await asyncio.to_thread(build_brief, deps, self._origin(), event)

    async def _channel_for(self, event: IncidentEvent) -> str:
        """GUARDIAN_INCIDENT_CHANNEL, else the incident's own channel, created or reused."""
        assert self.slack is not None
        if self.rt.settings.incident_channel:
            return self.rt.settings.incident_channel
        return await self.channel_named(channel_name(event))

    async def channel_named(self, name: str) -> str:
        """The id of the public channel ``name``, created, or reused when it exists."""
        assert self.slack is not None
        try:
            created = await self.slack.client.conversations_create(name=name)
            return str(created["channel"]["id"])
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken":
                raise
        cursor: str | None = None
        for _ in range(20):  # pages of 200: a workspace's channels
            listing = await self.slack.client.conversations_list(limit=200, cursor=cursor,
                                                                 exclude_archived=True, types="public_channel")
            found = next((c["id"] for c in listing.get("channels") or [] if c.get("name") == name), None)
            if found:
                return str(found)
            cursor = (listing.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                break
        raise RuntimeError(f"the channel #{name} exists but Guardian cannot see it; invite Guardian to it")

    async def post_brief(self, event: IncidentEvent) -> Answer | None:
        """One brief per incident, to the incident channel (and Teams' incident conversation)."""
        if self.slack is None:
            return await self._brief_without_slack(event)
        channel = await self._channel_for(event)
        incidents = self.rt.storage.incidents
        first = await asyncio.to_thread(incidents.claim, event.incident_id, "slack", channel,
                                        event.status or "triggered")
        if not first:
            return await self._refresh(event)
        try:
            answer = await self._build(event)
            ts = await self.delivery.post(channel, f"incident:{event.incident_id}", text=fallback_text(answer),
                                          blocks=answer_blocks(answer), unfurl_links=False)
        except Exception as exc:
            await asyncio.to_thread(incidents.release, event.incident_id)
            self._failed(event, channel, "post", exc)
            raise
        status = _status_of(answer, event)
        await asyncio.to_thread(incidents.posted, event.incident_id, ts, answer.model_dump(), status)
        self.rt.storage.audit.record(self._origin(), "incident.brief", skill="incident.brief",
                                     outcome=f"posted to {channel}", args={"incident": event.incident_id})
        await self._post_teams(event, answer)
        return answer

    async def _brief_without_slack(self, event: IncidentEvent) -> Answer | None:
        """No Slack in this process: the brief is still claimed and kept once per incident (the
        web chat's incident feed shows it; Teams gets its card), a later event refreshes it."""
        incidents = self.rt.storage.incidents
        if not await asyncio.to_thread(incidents.claim, event.incident_id, WEB, "", event.status or "triggered"):
            post = await asyncio.to_thread(incidents.get, event.incident_id)
            if post is None or post.answer is None:
                log.info("incidents: %s is being briefed already; %s adds nothing", event.incident_id,
                         event.event_type)
                return None
            answer = await self._build(event)
            await asyncio.to_thread(incidents.update, event.incident_id, answer.model_dump(), _status_of(answer, event))
            await self._post_teams(event, answer)
            return answer
        try:
            answer = await self._build(event)
        except Exception:
            await asyncio.to_thread(incidents.release, event.incident_id)
            raise
        await asyncio.to_thread(incidents.posted, event.incident_id, "", answer.model_dump(), _status_of(answer, event))
        self.rt.storage.audit.record(self._origin(""), "incident.brief", skill="incident.brief",
                                     outcome="kept for the web chat", args={"incident": event.incident_id})
        await self._post_teams(event, answer)
        return answer

    async def _refresh(self, event: IncidentEvent) -> Answer | None:
        """An escalation or reassignment of an incident already briefed: the same message,
        gathered again (who is assigned and on call may have changed)."""
        post = await asyncio.to_thread(self.rt.storage.incidents.get, event.incident_id)
        if post is None or not post.ts or self.slack is None:
            log.info("incidents: %s is being briefed already; %s adds nothing", event.incident_id, event.event_type)
            return None
        answer = await self._build(event)
        await self._update(event, post.channel, post.ts, answer)
        await asyncio.to_thread(self.rt.storage.incidents.update, event.incident_id, answer.model_dump(),
                                _status_of(answer, event))
        await self._post_teams(event, answer)
        return answer

    async def _update(self, event: IncidentEvent, channel: str, ts: str, answer: Answer) -> None:
        """The brief's message replaced in place (retried; a final failure logged and audited)."""
        try:
            await self.delivery.update(channel, ts, text=fallback_text(answer), blocks=answer_blocks(answer))
        except Exception as exc:
            self._failed(event, channel, "update", exc)
            raise

    def _failed(self, event: IncidentEvent, channel: str, what: str, exc: BaseException) -> None:
        """A brief Slack would not take, after the retries: in the log and the audit (the
        reason names the failure, never the message)."""
        why = str(exc) if isinstance(exc, DeliveryFailed) else type(exc).__name__
        if isinstance(exc, SlackApiError):
            why = f"Slack refused: {exc.response.get('error') or exc.response.status_code}"
        log.error("incidents: the brief of %s could not be %s to %s: %s", event.incident_id,
                  "posted" if what == "post" else "updated", channel, why)
        self.rt.storage.audit.record(self._origin(channel), "incident.brief", skill="incident.brief",
                                     outcome=f"failed: {what} to {channel}: {why}",
                                     args={"incident": event.incident_id, "event": event.event_type})

    async def update_status(self, event: IncidentEvent) -> Answer | None:
        """Acknowledged / resolved: the brief updated in place (Slack's chat.update, the Teams
        card through the connector, the web chat's feed through the stored brief)."""
        post = await asyncio.to_thread(self.rt.storage.incidents.get, event.incident_id)
        if post is None or not post.answer or (post.surface == "slack" and not post.ts):
            log.info("incidents: no brief of %s to update for %s", event.incident_id, event.event_type)
            return None
        if post.status == "resolved" and event.event_type == "incident.acknowledged":
            log.info("incidents: %s is resolved already; a late acknowledgement changes nothing", event.incident_id)
            return None
        answer = with_status(Answer.model_validate(post.answer), event)
        if post.surface == "slack" and self.slack is not None and post.ts:
            await self._update(event, post.channel, post.ts, answer)
        status = "resolved" if event.event_type == "incident.resolved" else "acknowledged"
        await asyncio.to_thread(self.rt.storage.incidents.update, event.incident_id, answer.model_dump(), status)
        await self._post_teams(event, answer)
        return answer

    async def _post_teams(self, event: IncidentEvent, answer: Answer) -> None:
        """The brief's card in GUARDIAN_TEAMS_INCIDENT_CONVERSATION: posted once per incident
        (claimed like Slack's), then updated in place. A failure costs Teams only (logged)."""
        if self.teams is None or not self.teams.enabled or not self.rt.settings.teams_incident_conversation:
            return
        key, store = teams_key(event.incident_id), self.rt.storage.incidents
        status = _status_of(answer, event)
        try:
            if await asyncio.to_thread(store.claim, key, "teams", self.rt.settings.teams_incident_conversation,
                                       status):
                try:
                    activity_id = await self.teams.post_incident(answer)
                except Exception:
                    await asyncio.to_thread(store.release, key)
                    raise
                await asyncio.to_thread(store.posted, key, activity_id or "", answer.model_dump(), status)
                return
            post = await asyncio.to_thread(store.get, key)
            if post is None or not post.ts:
                log.info("incidents: the Teams card of %s is being posted already", event.incident_id)
                return
            await self.teams.update_in(post.channel, post.ts, answer)
            await asyncio.to_thread(store.update, key, answer.model_dump(), status)
        except Exception:
            log.exception("incidents: the Teams brief of %s could not be posted or updated", event.incident_id)

    # ------------------------------------------------------------------ the channel
    async def _on_button(self, ack: Callable[..., Awaitable[Any]], body: dict[str, Any], action: dict[str, Any],
                         respond: Callable[..., Awaitable[Any]]) -> None:
        await ack()
        verb = str(action.get("action_id") or "").removeprefix(INCIDENT_ACTION_PREFIX)
        incident_id = str(action.get("value") or "")
        channel = str(body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id") or "")
        ts = str((body.get("message") or {}).get("ts") or body.get("container", {}).get("message_ts") or "")
        user = str(body.get("user", {}).get("id") or "")
        team = str(body.get("team", {}).get("id") or "")
        assert self.slack is not None
        self.slack.spawn(self._act(verb, incident_id, user=user, team=team, channel=channel, brief_ts=ts,
                                   respond=respond))

    async def _on_command(self, ack: Callable[..., Awaitable[Any]], command: dict[str, Any],
                          respond: Callable[..., Awaitable[Any]], rest: str) -> None:
        """``/guardian incident <sub> [args]`` in an incident channel."""
        sub, _, more = rest.strip().partition(" ")
        sub = sub.lower()
        if sub not in ("brief", "ack", "resolve", "page", "oncall", "timeline"):
            await ack(response_type="ephemeral", text=INCIDENT_HELP)
            return
        channel, user = str(command.get("channel_id") or ""), str(command.get("user_id") or "")
        post = await asyncio.to_thread(self.rt.storage.incidents.in_channel, channel)
        if post is None:
            await ack(response_type="ephemeral", text="This channel has no incident brief from Guardian. Use the "
                      "command in the incident channel, or name the incident: `/guardian ask brief incident <id>`.")
            return
        if not await asyncio.to_thread(self.rt.storage.dedupe.claim, "slack-command",
                                       str(command.get("trigger_id") or "")):
            await ack()
            return
        await ack()
        assert self.slack is not None
        self.slack.spawn(self._act(sub, post.incident_id, user=user, team=str(command.get("team_id") or ""),
                                   channel=channel, brief_ts=post.ts or "", respond=respond, rest=more.strip(),
                                   service=_service_of(post.answer)))

    def _pending(self, skill: str, incident_id: str) -> str | None:
        """An open approval of ``skill`` on this incident (a second click adds no second one)."""
        records, _ = self.rt.storage.approvals.list(("pending",), 200)
        return next((r.id for r in records if r.skill == skill and r.args.get("incident_id") == incident_id), None)

    async def _gate(self, verb: str, incident_id: str, user: str, *, surface: str, channel: str) -> str | None:
        """Why ``user`` may not ask for this change now (None: go ahead), the same for every
        surface: the policy with the surface's own id (audited), a PagerDuty mapping to act
        as, no approval of it already waiting. Reads (brief, oncall, timeline) pass."""
        skill = VERB_SKILL.get(verb)
        if skill is None or verb not in (*WRITES, "escalate"):
            return None
        decision = self.rt.policy.may_ask(user, skill)
        origin = Origin(user=user, surface=surface, channel=channel, correlation_id=new_correlation_id())
        self.rt.storage.audit.record(origin, "policy.ask", skill=skill,
                                     outcome=("allowed: " if decision.allowed else "refused: ") + decision.reason,
                                     args={"incident": incident_id, "via": "incident channel"})
        if not decision.allowed:
            return decision.reason + " Nothing was changed."
        if self.rt.settings.pagerduty_users.get(user) is None:
            return mapping_help(user, surface)
        pending = await asyncio.to_thread(self._pending, skill, incident_id)
        if pending:
            return f"Approval {pending} for that is already waiting in the brief's thread; approve or deny it there."
        return None

    async def _act(self, verb: str, incident_id: str, *, user: str, team: str, channel: str, brief_ts: str,
                   respond: Callable[..., Awaitable[Any]], rest: str = "", service: str = "") -> None:
        """One button or subcommand, as a request from ``user`` answered in the brief's thread."""
        assert self.slack is not None
        if not INCIDENT_ID.fullmatch(incident_id):
            await self.slack._ephemeral(channel, user, "That button names no incident Guardian knows.", respond)
            return
        refusal = await self._gate(verb, incident_id, user, surface="slack", channel=channel)
        if refusal:
            await self.slack._ephemeral(channel, user, refusal, respond)
            return
        event = {"channel": channel, "user": user, "text": request_text(verb, incident_id, rest, service)}
        thread = brief_ts or None
        await self.slack._converse({"team_id": team}, event, thread_ts=thread, conversation_ts=thread,
                                   assistant=False, respond=respond,
                                   acting_as=self.rt.settings.pagerduty_users.get(user))

    async def _on_teams_click(self, ctx: TurnContext, value: dict[str, Any]) -> None:
        """Ack / Resolve / Escalate on the Teams card (Action.Submit, once per activity): the
        same gate as Slack's buttons with the clicker's AAD object id, then the request answered
        as a card replying to the click (the approval's Approve / Deny among it)."""
        from bot.teams_surface import identity_of, thread_of

        assert self.teams is not None
        verb, incident_id = str(value.get("verb") or ""), str(value.get("incident_id") or "")
        activity = ctx.activity
        if verb not in ("ack", "resolve", "escalate") or not INCIDENT_ID.fullmatch(incident_id):
            await ctx.send_activity("That button names no incident Guardian knows.")
            return
        user, conversation = identity_of(activity), str(activity.conversation.id)[:256]
        refusal = await self._gate(verb, incident_id, user, surface="teams", channel=conversation)
        if refusal:
            await ctx.send_activity(refusal)
            return
        request = Request(text=request_text(verb, incident_id), user=user, surface="teams", channel=conversation,
                          thread_id=thread_of(str(activity.conversation.id)),
                          acting_as=self.rt.settings.pagerduty_users.get(user))
        self.teams.answer_later(ctx, request)


def channel_name(event: IncidentEvent) -> str:
    """``inc-1042-payments``: Slack's channel name rules (lower case, digits, - and _, 80 chars)."""
    number = str(event.number) if event.number is not None else event.incident_id.lower()
    raw = f"inc-{number}-{service_key(event.service) or 'incident'}".lower()
    return re.sub(r"[^a-z0-9_-]+", "-", raw).strip("-")[:80]


def _status_of(answer: Answer, event: IncidentEvent) -> str:
    for status in ("resolved", "acknowledged", "triggered"):
        if f"now {status}" in answer.lead:
            return status
    return event.status or "triggered"


def _service_of(answer: dict[str, Any] | None) -> str:
    for tool in (answer or {}).get("tools") or []:
        if tool.get("name") == "pagerduty_oncall":
            return service_key(str((tool.get("args") or {}).get("service") or ""))
    return ""


__all__ = ["IncidentDesk", "mapping_help", "request_text"]
