"""/api/messages refuses what the Bot Framework did not sign for this activity, through the
SDK's real JWT validation (our own RSA key, OpenID metadata and JWKS served on loopback):
401 or 403, never the SDK's 500, and nothing reaches the graph or the connector."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botframework.connector.auth import JwtTokenExtractor
from fastapi.testclient import TestClient

from bot.http_app import create_app
from bot.runtime import Runtime
from bot.settings import Settings
from bot.teams_surface import strip_mention
from tests.teams_standins import APP_ID, TENANT, Connector, StaticCredentialsFactory, TokenIssuer, activity, new_key


@pytest.fixture
def client(tmp_path: Path, issuer: TokenIssuer, connector: Connector) -> Iterator[TestClient]:
    JwtTokenExtractor.metadataCache.clear()  # the SDK caches keys per metadata URL, process-wide
    connector.clear()
    settings = Settings(home=tmp_path, microsoft_app_id=APP_ID, microsoft_app_tenant_id=TENANT,
                        teams_openid_metadata_url=issuer.metadata_url)
    rt = Runtime(settings)
    with TestClient(create_app(rt, StaticCredentialsFactory(APP_ID, "outbound-token"))) as test_client:
        yield test_client
    assert connector.calls == []  # nothing refused ever reached the Bot Connector
    rt.close()


def _post(client: TestClient, body: Any, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/api/messages", content=raw, headers={**headers, "Content-Type": "application/json"})


def _graph_requests(client: TestClient) -> int:
    rt: Runtime = client.app.state.teams.rt  # type: ignore[attr-defined]
    return sum(1 for record in rt.storage.audit.query() if record["event"] == "request")


@pytest.mark.parametrize("case", ["no header", "junk bearer", "not bearer", "other key", "unknown kid", "expired",
                                  "wrong audience", "wrong issuer", "alg none"])
def test_tokens_that_do_not_authenticate_get_401(client: TestClient, issuer: TokenIssuer, connector: Connector,
                                                 case: str) -> None:
    body = activity(service_url=connector.url, text="which buckets are public?")
    url = connector.url
    tokens: dict[str, str | None] = {
        "no header": None,
        "junk bearer": "abc.def.ghi",
        "not bearer": None,
        "other key": issuer.token(APP_ID, url, key=new_key()),  # right kid, wrong signature
        "unknown kid": issuer.token(APP_ID, url, kid="not-a-published-key"),
        "expired": issuer.token(APP_ID, url, expires_in=-600),  # beyond the 5-minute clock skew
        "wrong audience": issuer.token("some-other-bot", url),
        "wrong issuer": issuer.token(APP_ID, url, issuer="https://evil.example"),
        "alg none": "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + issuer.token(APP_ID, url).split(".")[1] + ".",
    }
    if case == "not bearer":
        response = client.post("/api/messages", json=body, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    else:
        response = _post(client, body, tokens[case])
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert _graph_requests(client) == 0


def test_an_authentic_token_for_another_service_url_gets_403(client: TestClient, issuer: TokenIssuer,
                                                             connector: Connector) -> None:
    token = issuer.token(APP_ID, "https://smba.trafficmanager.net/emea/")
    response = _post(client, activity(service_url=connector.url, text="hi"), token)
    assert response.status_code == 403
    assert _graph_requests(client) == 0


def test_a_key_not_endorsed_for_the_channel_gets_403(client: TestClient, issuer: TokenIssuer,
                                                     connector: Connector) -> None:
    body = {**activity(service_url=connector.url, text="hi"), "channelId": "slack"}  # key endorsed for msteams
    response = _post(client, body, issuer.token(APP_ID, connector.url))
    assert response.status_code == 403


def test_another_tenant_gets_403(client: TestClient, issuer: TokenIssuer, connector: Connector) -> None:
    body = activity(service_url=connector.url, text="hi")
    body["channelData"] = {"tenant": {"id": "22222222-2222-4222-8222-222222222222"}}
    body["conversation"]["tenantId"] = "22222222-2222-4222-8222-222222222222"
    assert _post(client, body, issuer.token(APP_ID, connector.url)).status_code == 403


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", b"[]", b'{"type": 3}', b'{"type": "message"}',
                                 b'{"type": "message", "serviceUrl": "x", "channelId": "msteams", "conversation": 1}'])
def test_bodies_that_are_not_activities_get_400(client: TestClient, issuer: TokenIssuer, connector: Connector,
                                                raw: bytes) -> None:
    response = _post(client, raw, issuer.token(APP_ID, connector.url))
    assert response.status_code == 400
    assert response.json()["detail"].startswith(("request body is not", "activity has"))


def test_a_missing_header_is_401_before_the_body_is_read(client: TestClient) -> None:
    assert _post(client, b"{not json", None).status_code == 401


def test_a_signed_activity_the_bot_does_not_handle_gets_200_and_nothing_else(
        client: TestClient, issuer: TokenIssuer, connector: Connector) -> None:
    """The valid path through the SDK: authenticated, dispatched, ignored (no graph)."""
    body = activity("conversationUpdate", service_url=connector.url)
    response = _post(client, body, issuer.token(APP_ID, connector.url))
    assert response.status_code == 200
    assert _graph_requests(client) == 0


def test_teams_is_disabled_without_an_app_id(tmp_path: Path) -> None:
    with TestClient(create_app(Runtime(Settings(home=tmp_path)))) as test_client:
        response = test_client.post("/api/messages", json={"type": "message"})
    assert response.status_code == 404 and "MICROSOFT_APP_ID" in response.json()["detail"]


def test_only_the_bots_own_mention_is_stripped() -> None:
    from botbuilder.schema import Activity

    body = activity(service_url="https://x/", text="ask <at>Bob</at> about costs", mention=True)
    body["entities"].append({"type": "mention", "text": "<at>Bob</at>", "mentioned": {"id": "29:bob", "name": "Bob"}})
    assert strip_mention(Activity().deserialize(body)) == "ask <at>Bob</at> about costs"


def test_unreachable_signing_keys_are_503_not_a_refusal(tmp_path: Path, issuer: TokenIssuer,
                                                        connector: Connector) -> None:
    """Microsoft's metadata down is an outage Teams should retry, not a forged request."""
    JwtTokenExtractor.metadataCache.clear()
    closed = TokenIssuer()
    closed.close()  # its port now refuses connections
    settings = Settings(home=tmp_path, microsoft_app_id=APP_ID, teams_openid_metadata_url=closed.metadata_url)
    with TestClient(create_app(Runtime(settings), StaticCredentialsFactory(APP_ID, "t"))) as test_client:
        response = _post(test_client, activity(service_url=connector.url, text="hi"),
                         issuer.token(APP_ID, connector.url))
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    JwtTokenExtractor.metadataCache.clear()


def test_insecure_dev_without_an_app_id_accepts_unsigned_activities(tmp_path: Path, connector: Connector) -> None:
    """The Bot Framework Emulator's local mode: only with GUARDIAN_INSECURE_DEV=1."""
    settings = Settings(home=tmp_path, insecure_dev=True)
    with TestClient(create_app(Runtime(settings))) as test_client:
        body = activity("conversationUpdate", service_url=connector.url)
        assert test_client.post("/api/messages", json=body).status_code == 200
        assert test_client.post("/api/messages", content=b"{").status_code == 400
