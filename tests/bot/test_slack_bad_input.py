"""Bad input on POST /slack/events: forged, stale, future and replayed signatures get 401,
malformed bodies 400, nothing reaches a listener and nothing answers 5xx; Slack is 404
until it is configured. Through the real app (create_app) with the real Bolt and
slack_sdk, against the Slack Web API stand-in on loopback; no question is ever asked."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.http_app import create_app
from bot.runtime import Runtime
from bot.settings import Settings
from sandbox.slack_api import SlackApiStandIn
from tests.slack_helpers import SECRET, command_body, event_body, signed

MENTION = {"type": "app_mention", "user": "U0ALICE", "text": "<@UGUARDIAN1> which buckets are public?",
           "channel": "C0OPS", "ts": "1700000001.000100"}


@pytest.fixture
def slack() -> Iterator[SlackApiStandIn]:
    with SlackApiStandIn() as stand_in:
        yield stand_in


def _client(tmp_path: Path, slack: SlackApiStandIn, **settings: object) -> TestClient:
    values: dict[str, object] = {"home": tmp_path, "slack_bot_token": "xoxb-test", "slack_signing_secret": SECRET,
                                 "slack_api_url": slack.api_url, **settings}
    rt = Runtime(Settings(**values))  # type: ignore[arg-type]
    return TestClient(create_app(rt), raise_server_exceptions=False)


def _no_work(slack: SlackApiStandIn) -> None:
    """Nothing was posted anywhere (auth.test alone is Bolt's own start-up call)."""
    assert [call.method for call in slack.calls() if call.method != "auth.test"] == []


FORGED = [
    ("wrong secret", lambda body: signed(body, secret="not-the-secret")),
    ("stale", lambda body: signed(body, timestamp=int(time.time()) - 6 * 60)),
    ("future", lambda body: signed(body, timestamp=int(time.time()) + 6 * 60)),
    ("no signature", lambda _body: {"Content-Type": "application/json"}),
    ("garbage timestamp", lambda body: {**signed(body), "X-Slack-Request-Timestamp": "soon"}),
]


@pytest.mark.parametrize(("name", "headers"), FORGED, ids=[name for name, _ in FORGED])
def test_forged_and_stale_signatures_get_401(tmp_path: Path, slack: SlackApiStandIn, name: str,
                                             headers: object) -> None:
    body = event_body(MENTION)
    response = _client(tmp_path, slack).post("/slack/events", content=body, headers=headers(body))  # type: ignore[operator]
    assert response.status_code == 401, name
    _no_work(slack)


def test_a_body_changed_after_signing_gets_401(tmp_path: Path, slack: SlackApiStandIn) -> None:
    body = event_body(MENTION)
    tampered = body.replace(b"which buckets", b"stop all boxes")
    response = _client(tmp_path, slack).post("/slack/events", content=tampered, headers=signed(body))
    assert response.status_code == 401
    _no_work(slack)


def test_a_replayed_request_gets_401(tmp_path: Path, slack: SlackApiStandIn) -> None:
    client = _client(tmp_path, slack)
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode()
    headers = signed(body)
    first = client.post("/slack/events", content=body, headers=headers)
    assert first.status_code == 200 and "abc123" in first.text
    again = client.post("/slack/events", content=body, headers=headers)
    assert again.status_code == 401


MALFORMED = [
    ("not json", b"{not json", "application/json"),
    ("json array", b"[1, 2]", "application/json"),
    ("not utf-8", b'{"type": "caf\xe9"}', "application/json"),
    ("payload not json", b"payload=%7Bnope", "application/x-www-form-urlencoded"),
    ("payload an array", b"payload=%5B%5D", "application/x-www-form-urlencoded"),
    ("form without command or payload", b"hello=world", "application/x-www-form-urlencoded"),
    ("broken form", b"a=1&&=&b", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("name", "body", "ctype"), MALFORMED, ids=[name for name, _, _ in MALFORMED])
def test_malformed_bodies_get_400(tmp_path: Path, slack: SlackApiStandIn, name: str, body: bytes,
                                  ctype: str) -> None:
    response = _client(tmp_path, slack).post("/slack/events", content=body,
                                             headers=signed(body, content_type=ctype))
    assert response.status_code == 400, name
    _no_work(slack)


def test_unknown_payloads_are_never_5xx(tmp_path: Path, slack: SlackApiStandIn) -> None:
    client = _client(tmp_path, slack)
    for data in ({}, {"type": "event_callback"}, {"type": "event_callback", "event": "x"},
                 {"type": "block_actions"}):
        body = json.dumps(data).encode()
        response = client.post("/slack/events", content=body, headers=signed(body))
        assert response.status_code < 500, data
    body = b"payload=" + json.dumps({"type": "block_actions", "actions": "nope"}).encode()
    response = client.post("/slack/events", content=body,
                           headers=signed(body, content_type="application/x-www-form-urlencoded"))
    assert response.status_code < 500


def test_help_is_answered_in_the_ack(tmp_path: Path, slack: SlackApiStandIn) -> None:
    body = command_body("help", user="U0ALICE")
    response = _client(tmp_path, slack).post("/slack/events", content=body,
                                             headers=signed(body, content_type="application/x-www-form-urlencoded"))
    assert response.status_code == 200
    assert response.json()["response_type"] == "ephemeral" and "/guardian scan" in response.json()["text"]


def test_slack_is_404_until_configured(tmp_path: Path, slack: SlackApiStandIn) -> None:
    body = event_body(MENTION)
    response = _client(tmp_path, slack, slack_signing_secret=None).post("/slack/events", content=body,
                                                                         headers=signed(body))
    assert response.status_code == 404
    _no_work(slack)


def test_socket_mode_is_chosen_by_the_app_token_and_serves_the_same_listeners(tmp_path: Path,
                                                                              slack: SlackApiStandIn) -> None:
    """With SLACK_APP_TOKEN the app connects out (on start-up) and /slack/events is 404; a
    Socket Mode delivery reaches the same listeners as an HTTP one."""
    import asyncio

    from slack_bolt.request.async_request import AsyncBoltRequest

    client = _client(tmp_path, slack, slack_app_token="xapp-test")
    surface = client.app.state.slack  # type: ignore[attr-defined]
    assert surface.start_socket_mode in client.app.router.on_startup  # type: ignore[attr-defined]
    body = event_body(MENTION)
    assert client.post("/slack/events", content=body, headers=signed(body)).status_code == 404
    command = {"command": "/guardian", "text": "help", "user_id": "U0ALICE", "channel_id": "C0OPS",
               "team_id": "TDRIFTWOOD", "trigger_id": "t1", "response_url": ""}
    response = asyncio.run(surface.app.async_dispatch(AsyncBoltRequest(body=command, mode="socket_mode")))
    assert response.status == 200 and "/guardian oncall" in response.body
    forced = _client(tmp_path / "http", slack, slack_app_token="xapp-test", slack_mode="http")
    challenge = json.dumps({"type": "url_verification", "challenge": "c-42", "token": "x"}).encode()
    answered = forced.post("/slack/events", content=challenge, headers=signed(challenge))
    assert answered.status_code == 200 and "c-42" in answered.text
