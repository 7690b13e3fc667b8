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
- Slack carries the buttons and in-place updates. Teams gets the brief as a proactive card in
  GUARDIAN_TEAMS_INCIDENT_CONVERSATION (no buttons or updates there yet).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from agents.answer import Answer
from agents.audit import Origin, new_correlation_id
from agents.incident_brief import IncidentEvent, build_brief, service_key, with_status
from bot.render.blocks import INCIDENT_ACTION_PREFIX, answer_blocks, fallback_text

if TYPE_CHECKING:
    from bot.runtime import Runtime
    from bot.slack_surface import SlackSurface
    from bot.teams_surface import TeamsSurface

log = logging.getLogger(__name__)

SURFACE = "pagerduty"
VERB_SKILL = {"ack": "incident.ack", "resolve": "incident.resolve", "escalate": "incident.page",
              "page": "incident.page"}
WRITES = ("ack", "resolve", "page")
INCIDENT_HELP = ("`/guardian incident brief|ack|resolve|page [who]|oncall|timeline` in an incident channel "
                 "works on that channel's incident.")


def mapping_help(user: str) -> str:
    """What an unmapped person is told: the exact entry to add."""
    return (f"Guardian acts in PagerDuty as the PagerDuty user mapped to you, and <@{user}> is not mapped. Ask an "
            f"operator to add `{user}:<your PagerDuty email>` to GUARDIAN_PAGERDUTY_USERS (comma-separated "
            "entries), then try again. Nothing was changed.")


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
        if slack is not None:
            slack.app.action(re.compile(f"^{INCIDENT_ACTION_PREFIX}(ack|resolve|escalate)$"))(self._on_button)
            slack.subcommands["incident"] = self._on_command

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
            answer = await self._build(event)
            await self._post_teams(answer)
            return answer
        channel = await self._channel_for(event)
        incidents = self.rt.storage.incidents
        first = await asyncio.to_thread(incidents.claim, event.incident_id, "slack", channel,
                                        event.status or "triggered")
        if not first:
            return await self._refresh(event)
        try:
            answer = await self._build(event)
            posted = await self.slack.client.chat_postMessage(channel=channel, text=fallback_text(answer),
                                                              blocks=answer_blocks(answer), unfurl_links=False)
        except Exception:
            await asyncio.to_thread(incidents.release, event.incident_id)
            raise
        status = _status_of(answer, event)
        await asyncio.to_thread(incidents.posted, event.incident_id, str(posted["ts"]), answer.model_dump(), status)
        self.rt.storage.audit.record(self._origin(), "incident.brief", skill="incident.brief",
                                     outcome=f"posted to {channel}", args={"incident": event.incident_id})
        await self._post_teams(answer)
        return answer

    async def _refresh(self, event: IncidentEvent) -> Answer | None:
        """An escalation or reassignment of an incident already briefed: the same message,
        gathered again (who is assigned and on call may have changed)."""
        post = await asyncio.to_thread(self.rt.storage.incidents.get, event.incident_id)
        if post is None or not post.ts or self.slack is None:
            log.info("incidents: %s is being briefed already; %s adds nothing", event.incident_id, event.event_type)
            return None
        answer = await self._build(event)
        await self.slack.client.chat_update(channel=post.channel, ts=post.ts, text=fallback_text(answer),
                                            blocks=answer_blocks(answer))
        await asyncio.to_thread(self.rt.storage.incidents.update, event.incident_id, answer.model_dump(),
                                _status_of(answer, event))
        return answer

    async def update_status(self, event: IncidentEvent) -> Answer | None:
        """Acknowledged / resolved: the brief's message updated in place (chat.update)."""
        post = await asyncio.to_thread(self.rt.storage.incidents.get, event.incident_id)
        if post is None or not post.ts or not post.answer or self.slack is None:
            log.info("incidents: no brief of %s to update for %s", event.incident_id, event.event_type)
            return None
        if post.status == "resolved" and event.event_type == "incident.acknowledged":
            log.info("incidents: %s is resolved already; a late acknowledgement changes nothing", event.incident_id)
            return None
        answer = with_status(Answer.model_validate(post.answer), event)
        await self.slack.client.chat_update(channel=post.channel, ts=post.ts, text=fallback_text(answer),
                                            blocks=answer_blocks(answer))
        status = "resolved" if event.event_type == "incident.resolved" else "acknowledged"
        await asyncio.to_thread(self.rt.storage.incidents.update, event.incident_id, answer.model_dump(), status)
        return answer

    async def _post_teams(self, answer: Answer) -> None:
        if self.teams is None or not self.teams.enabled or not self.rt.settings.teams_incident_conversation:
            return
        try:
            await self.teams.post_incident(answer)
        except Exception:
            log.exception("incidents: the Teams brief could not be posted")

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

    async def _act(self, verb: str, incident_id: str, *, user: str, team: str, channel: str, brief_ts: str,
                   respond: Callable[..., Awaitable[Any]], rest: str = "", service: str = "") -> None:
        """One button or subcommand, as a request from ``user`` answered in the brief's thread."""
        assert self.slack is not None
        if not re.fullmatch(r"[A-Za-z0-9]{1,32}", incident_id):
            await self.slack._ephemeral(channel, user, "That button names no incident Guardian knows.", respond)
            return
        skill = VERB_SKILL.get(verb)
        acting_as = self.rt.settings.pagerduty_users.get(user)
        if skill is not None and verb in (*WRITES, "escalate"):
            decision = self.rt.policy.may_ask(user, skill)
            origin = Origin(user=user, surface="slack", channel=channel, correlation_id=new_correlation_id())
            self.rt.storage.audit.record(origin, "policy.ask", skill=skill,
                                         outcome=("allowed: " if decision.allowed else "refused: ") + decision.reason,
                                         args={"incident": incident_id, "via": "incident channel"})
            if not decision.allowed:
                await self.slack._ephemeral(channel, user, decision.reason + " Nothing was changed.", respond)
                return
            if acting_as is None:
                await self.slack._ephemeral(channel, user, mapping_help(user), respond)
                return
            pending = await asyncio.to_thread(self._pending, skill, incident_id)
            if pending:
                await self.slack._ephemeral(channel, user, f"Approval {pending} for that is already waiting in the "
                                            "brief's thread; approve or deny it there.", respond)
                return
        event = {"channel": channel, "user": user, "text": request_text(verb, incident_id, rest, service)}
        thread = brief_ts or None
        await self.slack._converse({"team_id": team}, event, thread_ts=thread, conversation_ts=thread,
                                   assistant=False, respond=respond, acting_as=acting_as)


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
