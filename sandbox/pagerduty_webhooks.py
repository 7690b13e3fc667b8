"""Signed PagerDuty v3 webhooks from the sandbox company's incidents, as PagerDuty sends
them: ``{"event": {id, event_type, resource_type, occurred_at, agent, data: <incident>}}``
with ``X-PagerDuty-Signature: v1=<HMAC-SHA256 of the body>`` (one ``v1=`` per active
secret while a secret rotates).

``guardian sandbox fire --url http://127.0.0.1:8080 --secret S`` fires a sample escalation of
the payments incident at a running ``guardian serve`` (the demo prints the exact command);
tests and the bench build and sign their events with the same functions.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sandbox.http_standin import post_webhook
from sandbox.saas_company import PagerDutyData, PdIncident, build, iso

SAMPLE_SECRET = "sandbox-pagerduty-webhook-secret"  # the demo's; never a real one
SAMPLE_INCIDENT = "P7K2M9Q"  # payments 5xx (the runbook: api-5xx-spike)
WEB = "https://driftwood.pagerduty.example"


def sign(body: bytes, *secret_values: str) -> str:
    """The ``X-PagerDuty-Signature`` value: one ``v1=`` per secret, comma-separated."""
    return ",".join("v1=" + hmac.new(s.encode(), body, hashlib.sha256).hexdigest() for s in secret_values)


def _ref(kind: str, item_id: str, summary: str, collection: str) -> dict[str, Any]:
    return {"id": item_id, "type": f"{kind}_reference", "summary": summary,
            "self": f"https://api.pagerduty.com/{collection}/{item_id}", "html_url": f"{WEB}/{collection}/{item_id}"}


def incident_event(data: PagerDutyData, incident_id: str = SAMPLE_INCIDENT, event_type: str = "incident.escalated",
                   *, event_id: str | None = None, agent: str | None = None) -> dict[str, Any]:
    """A v3 webhook payload about one of ``data``'s incidents."""
    incident = data.incident(incident_id)
    service = data.service(incident.service)
    policy = data.policy(incident.escalation_policy)
    people = {p.handle: p for p in data.users}
    actor = people.get(agent or (incident.assignees[0] if incident.assignees else ""), None)
    status = {"incident.acknowledged": "acknowledged", "incident.resolved": "resolved"}.get(event_type,
                                                                                           incident.status)
    return {"event": {
        "id": event_id or "01" + secrets.token_hex(12).upper(), "event_type": event_type, "resource_type": "incident",
        "occurred_at": iso(datetime.now(UTC)),
        "agent": _ref("user", actor.pd_id, actor.name, "users") if actor else None, "client": None,
        "data": {
            "id": incident.id, "type": "incident", "self": f"https://api.pagerduty.com/incidents/{incident.id}",
            "html_url": f"{WEB}/incidents/{incident.id}", "number": incident.number, "status": status,
            "incident_key": incident.incident_key, "created_at": iso(incident.created_at), "title": incident.title,
            "service": _ref("service", service.id, service.name, "services"),
            "assignees": [_ref("user", people[h].pd_id, people[h].name, "users") for h in incident.assignees
                          if h in people],
            "escalation_policy": _ref("escalation_policy", policy.id, policy.name, "escalation_policies"),
            "teams": [], "priority": None, "urgency": incident.urgency, "conference_bridge": None,
            "resolve_reason": None,
        }}}


def add_incident(data: PagerDutyData, title: str, like: str = SAMPLE_INCIDENT) -> PdIncident:
    """A new triggered incident shaped like ``like`` (same service, alerts, on-call), with
    its own id, number and ``title`` (tests: an injection title; the bench: many incidents)."""
    template = data.incident(like)
    incident = copy.deepcopy(template)
    incident.id = "P" + secrets.token_hex(3).upper()[:5] + "9"  # PagerDuty's shape: P + 6, a digit among them
    incident.number = max(i.number for i in data.incidents) + 1
    incident.title, incident.status, incident.acknowledged_by, incident.resolved_at = title, "triggered", [], None
    incident.incident_key = f"{template.incident_key}-{incident.number}"
    data.incidents.append(incident)
    return incident


def post(url: str, body: bytes, signature: str | None, timeout: float = 10.0) -> tuple[int, str]:
    """POST ``body`` to ``url``; the status and the response text (errors included)."""
    headers = {"User-Agent": "PagerDuty-Webhook/V3.0"}
    if signature:
        headers["X-PagerDuty-Signature"] = signature
    return post_webhook(url, body, headers, timeout)


def main(argv: Sequence[str] | None = None) -> int:
    """``guardian sandbox fire``: one signed sample event at a running ``guardian serve``."""
    parser = argparse.ArgumentParser(prog="guardian sandbox fire", description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="guardian serve's base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--secret", default=SAMPLE_SECRET, help="its PAGERDUTY_WEBHOOK_SECRET")
    parser.add_argument("--event", default="incident.escalated",
                        choices=["incident.triggered", "incident.escalated", "incident.reassigned",
                                 "incident.acknowledged", "incident.resolved"])
    parser.add_argument("--incident", default=SAMPLE_INCIDENT, help="a sandbox incident id")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        payload = incident_event(build().pagerduty, args.incident, args.event)
    except StopIteration:
        sys.stderr.write(f"guardian sandbox fire: the sandbox has no incident {args.incident}\n")
        return 2
    body = json.dumps(payload).encode()
    target = args.url.rstrip("/") + "/webhooks/pagerduty"
    try:
        status, text = post(target, body, sign(body, args.secret))
    except OSError as exc:
        sys.stderr.write(f"guardian sandbox fire: {target} is unreachable ({exc}); is `guardian serve` running?\n")
        return 1
    sys.stdout.write(f"{args.event} {args.incident} -> {target}: {status} {text}\n")
    return 0 if status < 300 else 1
