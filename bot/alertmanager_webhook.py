"""``POST /webhooks/alertmanager``: Alertmanager webhook notifications (payload version 4)
in, one brief per alert group out, in the incident channel, updated in place.

Why it is shaped this way:
- Alertmanager does not sign its payloads; its receiver sends a bearer token
  (``http_config.authorization.credentials``). The token is checked before the body is
  parsed, in constant time against each configured one (``GUARDIAN_ALERTMANAGER_TOKEN``,
  comma-separated while one rotates). Wrong or missing: 401, nothing claimed or posted.
- Alertmanager waits for the answer and retries on errors: the route only authenticates,
  parses, claims the notification's content in the dedupe table (agents/dedupe.py: a retry
  or a repeat_interval re-send of an unchanged group is a duplicate on every replica) and
  answers 202; the brief is built and posted in the background by the incident desk's
  tasks (bot/incidents.py).
- One message per group: the group's key is claimed in the incident posts table
  (agents/incident_posts.py), so across replicas the first notification posts and every
  later one (alerts joining or leaving, ``status: resolved``) rebuilds the brief and
  updates that same message with chat.update. Teams gets the first brief as a proactive
  card (Teams posts are not updated yet, as for PagerDuty briefs).
- A body that is not a version-4 notification is 400 naming the field (never echoing the
  body); bodies over ``GUARDIAN_HTTP_MAX_BODY_BYTES`` get 413 from the app's ``BodyLimit``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import FastAPI
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from agents.alert_brief import Alert, AlertGroupEvent, build_alert_brief, plain
from agents.answer import Answer
from agents.audit import Origin, new_correlation_id
from bot.http_app import validation_detail
from bot.render.blocks import answer_blocks, fallback_text

if TYPE_CHECKING:
    from bot.incidents import IncidentDesk
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

ROUTE = "/webhooks/alertmanager"
SURFACE = "alertmanager"
MAX_ALERTS = 1000
POSTED_WAIT = 30.0  # seconds a later notification waits for the first one's message to exist

Text = Annotated[str, StringConstraints(max_length=8000)]
Labels = dict[Annotated[str, StringConstraints(max_length=200)], Text]
Status = Literal["firing", "resolved"]


class _Alert(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: Status
    labels: Labels = Field(default_factory=dict)
    annotations: Labels = Field(default_factory=dict)
    startsAt: Text = ""  # Alertmanager's field names
    endsAt: Text = ""
    generatorURL: Text = ""
    fingerprint: Annotated[str, StringConstraints(max_length=64)] = ""


class _Notification(BaseModel):
    """Alertmanager's webhook payload, version 4 (the fields Guardian reads)."""

    model_config = ConfigDict(extra="ignore")

    version: Literal["4"]
    groupKey: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    truncatedAlerts: int = Field(default=0, ge=0)
    status: Status
    receiver: Annotated[str, StringConstraints(max_length=500)] = ""
    groupLabels: Labels = Field(default_factory=dict)
    commonLabels: Labels = Field(default_factory=dict)
    commonAnnotations: Labels = Field(default_factory=dict)
    externalURL: Text = ""
    alerts: list[_Alert] = Field(min_length=1, max_length=MAX_ALERTS)


class NotANotification(ValueError):
    """The body is not an Alertmanager version-4 notification (the message names the field)."""


def parse_notification(raw: bytes) -> AlertGroupEvent:
    """The notification in a webhook body, or NotANotification saying what is wrong."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotANotification("request body is not UTF-8 JSON") from exc
    if not isinstance(payload, dict):
        raise NotANotification("body must be a JSON object (an Alertmanager webhook notification)")
    if payload.get("version") != "4":
        raise NotANotification('version must be "4": Guardian reads Alertmanager webhook payload version 4')
    try:
        data = _Notification.model_validate(payload)
    except ValidationError as exc:
        raise NotANotification(validation_detail(exc.errors())) from exc
    if re.search(r"[\x00-\x1f\x7f]", data.groupKey):
        raise NotANotification("groupKey must be printable")
    return AlertGroupEvent(
        group_key=data.groupKey, status=data.status, receiver=data.receiver, group_labels=dict(data.groupLabels),
        common_labels=dict(data.commonLabels), common_annotations=dict(data.commonAnnotations),
        external_url=data.externalURL, truncated_alerts=data.truncatedAlerts,
        alerts=tuple(Alert(status=a.status, labels=dict(a.labels), annotations=dict(a.annotations),
                           starts_at=a.startsAt, ends_at=a.endsAt, generator_url=a.generatorURL,
                           fingerprint=a.fingerprint) for a in data.alerts))


def tokens_of(value: str) -> list[bytes]:
    """The configured bearer tokens (several, comma-separated, while one rotates)."""
    return [part.strip().encode() for part in value.split(",") if part.strip()]


def bearer_valid(tokens: list[bytes], header: str) -> bool:
    """Whether ``Authorization: Bearer <token>`` names a configured token; every one is
    compared in constant time, and nothing raises whatever the header holds."""
    scheme, _, given = header.strip().partition(" ")
    candidate = given.strip().encode("utf-8", "replace")
    valid = False
    for token in tokens:
        valid |= hmac.compare_digest(token, candidate)
    return valid and scheme.lower() == "bearer" and bool(candidate)


def channel_name(event: AlertGroupEvent) -> str:
    """``alerts-highcpuusage``: the channel of a group when no incident channel is set."""
    name = event.name or plain(event.receiver) or "group"
    return re.sub(r"[^a-z0-9_-]+", "-", f"alerts-{name}".lower()).strip("-")[:80]


class AlertBriefs:
    """Posting a group's brief once and updating it, with the incident desk's clients and tasks."""

    def __init__(self, rt: Runtime, desk: IncidentDesk) -> None:
        self.rt = rt
        self.desk = desk

    def _origin(self) -> Origin:
        """The audit identity of webhook work: Alertmanager itself."""
        return Origin(user="alertmanager", surface=SURFACE, channel=self.rt.settings.incident_channel,
                      correlation_id=new_correlation_id())

    async def _build(self, event: AlertGroupEvent) -> Answer:
        return await asyncio.to_thread(build_alert_brief, self.rt.guardian.deps, self._origin(), event)

    async def handle(self, event: AlertGroupEvent, received: float | None = None) -> None:
        """One notification's work; its time from arrival lands in /metrics (surface alertmanager)."""
        started = time.perf_counter() if received is None else received
        try:
            answer = await self.publish(event)
        except Exception:
            self.rt.metrics.failed(SURFACE, time.perf_counter() - started, "incident.brief")
            raise
        if answer is not None:
            self.rt.metrics.answered(SURFACE, answer, time.perf_counter() - started)

    async def publish(self, event: AlertGroupEvent) -> Answer | None:
        """The group's first notification posts its brief; later ones update that message."""
        posts = self.rt.storage.incidents
        existing = await asyncio.to_thread(posts.get, event.key)
        if existing is None and event.status == "resolved":
            log.info("alertmanager: a resolved group Guardian never briefed; nothing to update")
            return None
        slack = self.desk.slack
        if slack is None and not self._teams_configured():
            log.warning("alertmanager: neither Slack nor GUARDIAN_TEAMS_INCIDENT_CONVERSATION is configured; "
                        "the brief of group %s is posted nowhere", event.key)
            return None
        if slack is None:
            where = self.rt.settings.teams_incident_conversation or ""
        else:
            where = self.rt.settings.incident_channel or await self.desk.channel_named(channel_name(event))
        if existing is None and await asyncio.to_thread(posts.claim, event.key, "slack" if slack else "teams",
                                                        where, event.status):
            return await self._post(event, where)
        return await self._update(event)

    async def _post(self, event: AlertGroupEvent, channel: str) -> Answer:
        posts = self.rt.storage.incidents
        try:
            answer = await self._build(event)
            ts = ""
            if self.desk.slack is not None:  # retried, never doubled (bot/slack_delivery.py)
                ts = await self.desk.delivery.post(channel, event.key, text=fallback_text(answer),
                                                   blocks=answer_blocks(answer), unfurl_links=False)
        except Exception:
            await asyncio.to_thread(posts.release, event.key)
            raise
        await asyncio.to_thread(posts.posted, event.key, ts, answer.model_dump(), event.status)
        self.rt.storage.audit.record(self._origin(), "incident.brief", skill="incident.brief",
                                     outcome=f"posted to {channel}", args={"alert_group": event.key})
        await self._post_teams(answer)
        return answer

    async def _update(self, event: AlertGroupEvent) -> Answer | None:
        """A later notification of a briefed group: the brief rebuilt from it, the same message
        updated (waiting briefly while another task or replica is still posting the first)."""
        posts = self.rt.storage.incidents
        if self.desk.slack is None:
            log.info("alertmanager: group %s was briefed on Teams, whose posts are not updated yet", event.key)
            return None
        deadline = time.monotonic() + POSTED_WAIT
        post = await asyncio.to_thread(posts.get, event.key)
        while post is not None and not post.ts and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            post = await asyncio.to_thread(posts.get, event.key)
        if post is None or not post.ts:
            log.info("alertmanager: group %s has no message to update; %s notification adds nothing",
                     event.key, event.status)
            return None
        answer = await self._build(event)
        await self.desk.delivery.update(post.channel, post.ts, text=fallback_text(answer),
                                        blocks=answer_blocks(answer))
        await asyncio.to_thread(posts.update, event.key, answer.model_dump(), event.status)
        return answer

    def _teams_configured(self) -> bool:
        teams = self.desk.teams
        return teams is not None and teams.enabled and bool(self.rt.settings.teams_incident_conversation)

    async def _post_teams(self, answer: Answer) -> None:
        if not self._teams_configured():
            return
        try:
            assert self.desk.teams is not None
            await self.desk.teams.post_incident(answer)
        except Exception:
            log.exception("alertmanager: the Teams brief could not be posted")


class AlertmanagerWebhook:
    """The route's logic: authenticate, parse, claim, answer; the brief in the background."""

    def __init__(self, rt: Runtime, desk: IncidentDesk) -> None:
        self.rt = rt
        self.desk = desk
        self.briefs = AlertBriefs(rt, desk)
        token = rt.settings.alertmanager_token
        self.tokens = tokens_of(token.get_secret_value()) if token else []

    @property
    def enabled(self) -> bool:
        return bool(self.tokens) or self.rt.settings.insecure_dev

    async def handle(self, request: HttpRequest) -> Response:
        if not self.enabled:
            return JSONResponse({"detail": "Alertmanager webhooks are disabled: set GUARDIAN_ALERTMANAGER_TOKEN"},
                                status_code=404)
        if self.tokens and not bearer_valid(self.tokens, request.headers.get("authorization", "")):
            log.warning("alertmanager: refused a notification with a missing or wrong bearer token")
            return JSONResponse({"detail": "invalid or missing bearer token"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        raw = await request.body()
        try:
            event = parse_notification(raw)
        except NotANotification as exc:
            log.warning("alertmanager: refused a notification: %s", exc)
            return JSONResponse({"detail": str(exc)}, status_code=400)
        try:
            first = await asyncio.to_thread(self.rt.storage.dedupe.claim, SURFACE, event.delivery)
        except Exception:
            log.exception("alertmanager: could not claim a notification; Alertmanager will retry")
            return JSONResponse({"detail": "temporarily unavailable"}, status_code=503)
        if not first:
            return JSONResponse({"status": "duplicate", "group": event.key}, status_code=200)
        received = float(getattr(request.state, "received_at", time.perf_counter()))
        self.desk.spawn(self.briefs.handle(event, received))
        self.rt.metrics.acknowledged(SURFACE, time.perf_counter() - received)
        return JSONResponse({"status": "accepted", "group": event.key}, status_code=202)


def mount_alertmanager(app: FastAPI, rt: Runtime) -> AlertmanagerWebhook:
    """The route, over the incident desk the PagerDuty route made (one desk per app: it owns
    the Slack incident buttons), or a new one when that route is not mounted."""
    from bot.incidents import IncidentDesk

    pagerduty = getattr(app.state, "pagerduty", None)
    desk = pagerduty.desk if pagerduty is not None else IncidentDesk(rt, getattr(app.state, "slack", None),
                                                                     getattr(app.state, "teams", None))
    webhook = AlertmanagerWebhook(rt, desk)

    @app.post(ROUTE)
    async def alertmanager_webhook(request: HttpRequest) -> Response:
        return await webhook.handle(request)

    app.state.alertmanager = webhook  # `guardian serve` warms the knowledge store up at start (bot/http_app.py)
    return webhook


__all__ = ["AlertmanagerWebhook", "NotANotification", "bearer_valid", "mount_alertmanager", "parse_notification"]
