"""Signed Slack requests as Slack sends them, for the Slack tests."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

SECRET = "test-signing-secret"
_ids = itertools.count(1)


def signed(body: bytes, *, secret: str = SECRET, timestamp: int | None = None,
           content_type: str = "application/json", retry: int | None = None) -> dict[str, str]:
    """Headers for ``body`` signed with v0 (HMAC-SHA256 of ``v0:{ts}:{body}``)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}
    if retry is not None:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return headers


def event_body(event: dict[str, Any], *, team: str = "TDRIFTWOOD", event_id: str | None = None) -> bytes:
    return json.dumps({"token": "x", "team_id": team, "api_app_id": "AGUARDIAN", "type": "event_callback",
                       "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
                       "event": event}).encode()


def command_body(text: str, *, user: str, channel: str = "C0OPS", response_url: str = "") -> bytes:
    return urlencode({"command": "/guardian", "text": text, "user_id": user, "channel_id": channel,
                      "team_id": "TDRIFTWOOD", "trigger_id": f"trig{next(_ids)}", "response_url": response_url,
                      "token": "x"}).encode()


def action_body(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()
