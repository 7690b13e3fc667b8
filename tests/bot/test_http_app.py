"""The HTTP app's gatekeeping: health, metrics, and the web chat's bearer token."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.http_app import create_app
from bot.runtime import Runtime
from bot.settings import Settings


def _client(tmp_path: Path, **settings: object) -> TestClient:
    return TestClient(create_app(Runtime(Settings(home=tmp_path, **settings))))


def test_health_and_metrics(tmp_path: Path) -> None:
    client = _client(tmp_path)
    assert client.get("/healthz").json() == {"status": "ok"}
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert "guardian_requests_total" in metrics.text


def test_web_chat_is_disabled_without_a_token(tmp_path: Path) -> None:
    response = _client(tmp_path).post("/api/chat", json={"text": "hi"})
    assert response.status_code == 404
    assert "GUARDIAN_WEB_TOKEN" in response.json()["detail"]


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "bearer s3cret-token-value", "s3cret-token-value"])
def test_web_chat_rejects_missing_or_wrong_tokens(tmp_path: Path, header: str | None) -> None:
    client = _client(tmp_path, web_token="s3cret-token-value")
    headers = {"Authorization": header} if header else {}
    response = client.post("/api/chat", json={"text": "which buckets are public?"}, headers=headers)
    assert response.status_code == 401


def test_web_chat_validates_the_body(tmp_path: Path) -> None:
    client = _client(tmp_path, web_token="s3cret-token-value")
    headers = {"Authorization": "Bearer s3cret-token-value"}
    assert client.post("/api/chat", json={"text": ""}, headers=headers).status_code == 422
    assert client.post("/api/chat", content=b"not json", headers=headers).status_code == 400  # syntax, not schema


def test_readyz_says_warming_up_until_the_warm_up_is_done_and_healthz_never_waits(tmp_path: Path) -> None:
    import threading

    from bot.warmup import WarmUp

    app = create_app(Runtime(Settings(home=tmp_path, pagerduty_webhook_secret="pd-secret")))
    assert isinstance(app.state.warm_up, WarmUp)  # mounted with the webhook; started by the lifespan
    gate = threading.Event()
    done: list[str] = []
    warm_up = WarmUp({"first": lambda: done.append("first"), "slow": gate.wait})
    app.state.warm_up = warm_up
    warm_up.start()
    client = TestClient(app)
    try:
        assert client.get("/healthz").json() == {"status": "ok"}
        for _ in range(500):  # until the quick part is done
            if warm_up.pending == {"slow"}:
                break
            threading.Event().wait(0.01)
        waiting = client.get("/readyz")
        assert waiting.status_code == 503
        assert waiting.json()["failed"] == {"warm_up": "warming up: slow"} and done == ["first"]
    finally:
        gate.set()
    assert warm_up.wait(30) and not warm_up.running
    assert "warm_up" not in client.get("/readyz").json().get("failed", {})
