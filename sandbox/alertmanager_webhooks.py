"""Alertmanager webhook notifications (payload version 4) about the sandbox company, as
Alertmanager's webhook receiver sends them, with ``Authorization: Bearer <token>`` (the
receiver's ``http_config.authorization.credentials``).

``guardian sandbox fire --alertmanager --url http://127.0.0.1:8080 --token T [--resolved]``
fires the sample group (checkout's hosts running hot; its ``runbook_url`` names the shipped
``high-cpu.md`` runbook) at a running ``guardian serve``; tests and the bench build their
notifications with the same functions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.http_standin import post_webhook
from sandbox.saas_company import iso

SAMPLE_TOKEN = "sandbox-alertmanager-token"  # the demo's; never a real one
SAMPLE_ALERT = "HighCPUUsage"
SAMPLE_RUNBOOK = "high-cpu.md"  # shipped in knowledge/runbooks
SAMPLE_RUNBOOK_URL = "https://github.com/driftwood/guardian/blob/main/knowledge/runbooks/high-cpu.md"
EXTERNAL_URL = "http://alertmanager.driftwood.example:9093"
NEVER = "0001-01-01T00:00:00Z"  # Alertmanager's endsAt of an alert still firing


def fingerprint(labels: dict[str, str]) -> str:
    """A stable 16-hex-digit id of a label set (Alertmanager's own is a hash of the labels too)."""
    return hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()[:16]


def alert(labels: dict[str, str], annotations: dict[str, str], *, resolved: bool = False,
          started: datetime | None = None) -> dict[str, Any]:
    """One alert of a notification."""
    start = started or datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    return {"status": "resolved" if resolved else "firing", "labels": labels, "annotations": annotations,
            "startsAt": iso(start), "endsAt": iso(start + timedelta(minutes=42)) if resolved else NEVER,
            "generatorURL": "http://prometheus.driftwood.example:9090/graph?g0.expr=cpu", "fingerprint":
            fingerprint(labels)}


def notification(alerts: list[dict[str, Any]], group_by: Sequence[str] = ("alertname",),
                 receiver: str = "guardian") -> dict[str, Any]:
    """A version-4 notification of ``alerts`` grouped by ``group_by``: resolved when every alert is."""
    first = alerts[0]["labels"]
    group_labels = {key: first[key] for key in group_by if key in first}
    common = {k: v for k, v in first.items() if all(a["labels"].get(k) == v for a in alerts)}
    annotations = {k: v for k, v in alerts[0]["annotations"].items()
                   if all(a["annotations"].get(k) == v for a in alerts)}
    route = "{}/{severity=~\"critical|warning\"}"
    key = route + ":{" + ", ".join(f'{k}="{v}"' for k, v in sorted(group_labels.items())) + "}"
    status = "resolved" if all(a["status"] == "resolved" for a in alerts) else "firing"
    return {"version": "4", "groupKey": key, "truncatedAlerts": 0, "status": status, "receiver": receiver,
            "groupLabels": group_labels, "commonLabels": common, "commonAnnotations": annotations,
            "externalURL": EXTERNAL_URL, "alerts": alerts}


def sample_group(*, resolved: bool = False, alertname: str = SAMPLE_ALERT, hosts: Sequence[str] = (
        "checkout-web-1", "checkout-web-2")) -> dict[str, Any]:
    """The sample group: checkout's web hosts above 90% CPU, its runbook the shipped high-cpu.md."""
    alerts = [alert({"alertname": alertname, "instance": f"{host}:9100", "job": "node", "service": "checkout",
                     "severity": "critical"},
                    {"summary": f"CPU above 90% on {host} for 10 minutes",
                     "description": f"{host} has averaged over 90% CPU for 10 minutes; checkout latency is rising.",
                     "runbook_url": SAMPLE_RUNBOOK_URL}, resolved=resolved) for host in hosts]
    return notification(alerts)


def post(url: str, body: bytes, token: str | None, timeout: float = 10.0) -> tuple[int, str]:
    """POST ``body`` to ``url`` as Alertmanager does; the status and the response text."""
    headers = {"User-Agent": "Alertmanager/0.27.0"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return post_webhook(url, body, headers, timeout)


def main(argv: Sequence[str] | None = None) -> int:
    """``guardian sandbox fire --alertmanager``: the sample group (or its resolution) at a running serve."""
    parser = argparse.ArgumentParser(prog="guardian sandbox fire --alertmanager",
                                     description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--url", required=True, help="guardian serve's base URL, e.g. http://127.0.0.1:8080")
    parser.add_argument("--token", default=SAMPLE_TOKEN, help="its GUARDIAN_ALERTMANAGER_TOKEN")
    parser.add_argument("--resolved", action="store_true", help="send the group's resolution instead")
    args = parser.parse_args(list(argv) if argv is not None else None)
    body = json.dumps(sample_group(resolved=args.resolved)).encode()
    target = args.url.rstrip("/") + "/webhooks/alertmanager"
    try:
        status, text = post(target, body, args.token)
    except OSError as exc:
        sys.stderr.write(f"guardian sandbox fire: {target} is unreachable ({exc}); is `guardian serve` running?\n")
        return 1
    state = "resolved" if args.resolved else "firing"
    sys.stdout.write(f"{SAMPLE_ALERT} ({state}) -> {target}: {status} {text}\n")
    return 0 if status < 300 else 1
