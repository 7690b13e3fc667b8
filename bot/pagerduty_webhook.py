"""``POST /webhooks/pagerduty``: PagerDuty v3 webhooks in, incident briefs out (bot/incidents.py).

Why it is shaped this way:
- The signature is checked on the raw body before anything is parsed: ``X-PagerDuty-Signature``
  holds one ``v1=<hex>`` HMAC-SHA256 per active secret (several while a secret rotates), and
  any one matching any configured secret (``PAGERDUTY_WEBHOOK_SECRET``, comma-separated
  during our own rotation) is enough; compared in constant time. Wrong or missing: 401, and
  nothing is claimed, gathered or posted.
- PagerDuty wants a 2xx within seconds and retries for about 20 minutes: the route only
  verifies, parses, claims the event id in the database (the dedupe table, so it holds across
  replicas and restarts) and answers 202; the brief is gathered and posted in the background.
  A repeated event id answers 200 and adds nothing.
- Bodies over ``GUARDIAN_HTTP_MAX_BODY_BYTES`` get 413 from the app's ``BodyLimit``; a body
  that is not a v3 event is 400, naming the field, never echoing the body.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi import Request as HttpRequest
from fastapi.responses import JSONResponse, Response

from agents.incident_brief import IncidentEvent

if TYPE_CHECKING:
    from bot.incidents import IncidentDesk
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

ROUTE = "/webhooks/pagerduty"
SOURCE = "pagerduty"
HANDLED = ("incident.triggered", "incident.escalated", "incident.reassigned", "incident.acknowledged",
           "incident.resolved")
MAX_ID = 128


def secrets_of(value: str) -> list[bytes]:
    """The configured signing secrets (several, comma-separated, while one rotates)."""
    return [part.strip().encode() for part in value.split(",") if part.strip()]


def signature_valid(secrets: list[bytes], raw: bytes, header: str) -> bool:
    """Whether any ``v1=`` signature in ``header`` is the HMAC-SHA256 of ``raw`` under any
    secret. Every pair is compared (constant time each); never raises."""
    given = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    valid = False
    for secret in secrets:
        expected = hmac.new(secret, raw, hashlib.sha256).hexdigest().encode()
        for signature in given[:10]:
            valid |= hmac.compare_digest(expected, signature.encode("utf-8", "replace"))
    return valid


class NotAnEvent(ValueError):
    """The body is not a PagerDuty v3 webhook event (the message names the field)."""


def _text(value: Any, field: str, *, required: bool = False, limit: int = 2000) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise NotAnEvent(f"event.{field} must be a non-empty string" if required else f"event.{field} must be a string")
    if required and (len(value) > MAX_ID or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)):
        raise NotAnEvent(f"event.{field} must be printable and at most {MAX_ID} characters")
    return value[:limit]


def _summary(ref: Any) -> str:
    return str(ref.get("summary") or "")[:200] if isinstance(ref, dict) else ""


def parse_event(raw: bytes) -> IncidentEvent:
    """The event in a v3 webhook body, or NotAnEvent saying what is wrong."""
    try:
        payload = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotAnEvent("request body is not UTF-8 JSON") from exc
    event = payload.get("event") if isinstance(payload, dict) else None
    if not isinstance(event, dict):
        raise NotAnEvent("body must be a JSON object with an 'event' object (PagerDuty v3 webhook)")
    event_id = _text(event.get("id"), "id", required=True)
    event_type = _text(event.get("event_type"), "event_type", required=True)
    data = event.get("data")
    if event_type not in HANDLED:
        return IncidentEvent(event_id=event_id, event_type=event_type, incident_id="")
    if not isinstance(data, dict):
        raise NotAnEvent("event.data must be an object (the incident)")
    number = data.get("number")
    return IncidentEvent(
        event_id=event_id, event_type=event_type, incident_id=_text(data.get("id"), "data.id", required=True),
        title=_text(data.get("title"), "data.title"), service=_summary(data.get("service")),
        urgency=_text(data.get("urgency"), "data.urgency", limit=16), status=_text(data.get("status"), "data.status",
                                                                                    limit=16),
        number=number if isinstance(number, int) and not isinstance(number, bool) else None,
        url=_text(data.get("html_url"), "data.html_url", limit=500), agent=_summary(event.get("agent")),
        occurred_at=_text(event.get("occurred_at"), "occurred_at", limit=40))


class PagerDutyWebhook:
    """The route's logic over one IncidentDesk (which gathers and posts)."""

    def __init__(self, rt: Runtime, desk: IncidentDesk) -> None:
        self.rt = rt
        self.desk = desk
        secret = rt.settings.pagerduty_webhook_secret
        self.secrets = secrets_of(secret.get_secret_value()) if secret else []

    @property
    def enabled(self) -> bool:
        return bool(self.secrets) or self.rt.settings.insecure_dev

    async def handle(self, request: HttpRequest) -> Response:
        if not self.enabled:
            return JSONResponse({"detail": "PagerDuty webhooks are disabled: set PAGERDUTY_WEBHOOK_SECRET"},
                                status_code=404)
        raw = await request.body()
        if self.secrets and not signature_valid(self.secrets, raw, request.headers.get("x-pagerduty-signature", "")):
            log.warning("pagerduty: refused a webhook with a missing or wrong signature")
            return JSONResponse({"detail": "invalid or missing X-PagerDuty-Signature"}, status_code=401)
        try:
            event = parse_event(raw)
        except NotAnEvent as exc:
            log.warning("pagerduty: refused a signed webhook: %s", exc)
            return JSONResponse({"detail": str(exc)}, status_code=400)
        if event.event_type not in HANDLED:
            return JSONResponse({"status": "ignored", "event_type": event.event_type[:64]}, status_code=202)
        try:
            # storage is reached inside the worker thread: while the warm-up is still building it,
            # only this request waits, never the event loop (and with it /healthz)
            first = await asyncio.to_thread(lambda: self.rt.storage.dedupe.claim(SOURCE, event.event_id))
        except Exception:
            log.exception("pagerduty: could not claim event %s; PagerDuty will retry", event.event_id)
            return JSONResponse({"detail": "temporarily unavailable"}, status_code=503)
        if not first:
            return JSONResponse({"status": "duplicate", "event_id": event.event_id}, status_code=200)
        received = float(getattr(request.state, "received_at", time.perf_counter()))
        self.desk.spawn(self.desk.handle(event, received))
        self.rt.metrics.acknowledged(SOURCE, time.perf_counter() - received)
        return JSONResponse({"status": "accepted", "event_id": event.event_id}, status_code=202)


def mount_pagerduty(app: FastAPI, rt: Runtime) -> PagerDutyWebhook:
    """The webhook route and the incident desk behind it (after Slack and Teams are mounted:
    the desk posts through them)."""
    from bot.incidents import IncidentDesk

    desk = IncidentDesk(rt, getattr(app.state, "slack", None), getattr(app.state, "teams", None))
    webhook = PagerDutyWebhook(rt, desk)

    @app.post(ROUTE)
    async def pagerduty_webhook(request: HttpRequest) -> Response:
        return await webhook.handle(request)

    app.state.pagerduty = webhook
    if webhook.secrets:  # a real subscription: the first page must not wait for models to load
        from bot.warmup import mount_warm_up

        mount_warm_up(app, rt)  # with the app's lifespan, in the background (bot/warmup.py)
    return webhook
