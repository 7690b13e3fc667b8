"""`guardian serve`: the HTTP app. Health, readiness, Prometheus metrics and the web chat
API; the Slack, Teams and webhook routes arrive with their surfaces. A surface whose
secret is unset answers 404 unless GUARDIAN_INSECURE_DEV=1."""

from __future__ import annotations

import hmac
import logging
import time
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Header, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


class ChatIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
    user: str = Field(default="web", max_length=200)
    thread: str | None = Field(default=None, max_length=200)


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="Guardian", docs_url=None, redoc_url=None)
    metrics = CollectorRegistry()
    asks = Counter("guardian_requests_total", "Requests answered", ["surface", "skill"], registry=metrics)
    latency = Histogram("guardian_request_seconds", "Time to answer", ["surface"], registry=metrics)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz(response: Response) -> dict[str, Any]:
        try:
            rt.guardian  # noqa: B018 - builds storage, checkpointer, tools
            count = rt.knowledge.count()
        except Exception as exc:
            log.warning("not ready: %s", exc)
            response.status_code = 503
            return {"status": "not ready", "reason": type(exc).__name__}
        return {"status": "ready", "knowledge_chunks": count}

    @app.get("/metrics")
    def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)

    @app.post("/api/chat")
    def chat(body: ChatIn, authorization: str | None = Header(default=None)) -> dict[str, Any]:
        _check_token(rt, authorization)
        from agents.request import Request

        started = time.perf_counter()
        kwargs: dict[str, Any] = {"text": body.text, "user": f"web:{body.user}", "surface": "web"}
        if body.thread:
            kwargs["thread_id"] = body.thread
        answer = rt.ask(Request(**kwargs))
        latency.labels("web").observe(time.perf_counter() - started)
        asks.labels("web", answer.skill).inc()
        return {**answer.contract_dict(), "typed": answer.model_dump()}

    return app


def _check_token(rt: Runtime, authorization: str | None) -> None:
    token = rt.settings.web_token
    if token is None:
        if rt.settings.insecure_dev:
            return
        raise HTTPException(status_code=404, detail="web chat is disabled: set GUARDIAN_WEB_TOKEN")
    expected = f"Bearer {token.get_secret_value()}"
    if not authorization or not hmac.compare_digest(authorization.encode(), expected.encode()):
        log.warning("web chat: rejected a request with a missing or wrong token")
        raise HTTPException(status_code=401, detail="missing or wrong bearer token")


def serve(rt: Runtime, host: str, port: int) -> int:
    import uvicorn

    uvicorn.run(create_app(rt), host=host, port=port, log_level="warning")
    return 0
