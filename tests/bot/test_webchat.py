"""The web chat surface without the graph: token names as identities, the page and its
headers, the server-sent event stream's framing and order (over httpx against the real
ASGI app), the JSON shape kept, the decision endpoint's statuses, and the metrics.

The turn itself is a stand-in for ``Runtime.ask`` here (it reports progress and returns a
typed answer, like the graph); the real graph on the sandbox company, in a real browser,
is tests/e2e/test_web_browser.py."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from agents.answer import (
    Answer,
    ApprovalAction,
    Cell,
    Chart,
    Citation,
    Column,
    PendingApproval,
    Point,
    Quote,
    Series,
    Table,
)
from agents.request import Request
from bot import webchat
from bot.http_app import BackgroundServer, create_app
from bot.runtime import Runtime
from bot.settings import Settings, parse_web_tokens

TOKENS = "carol:c-token,dave:d-token"


def _answer(request: Request) -> Answer:
    return Answer(
        agent="security", skill="security.public_storage", lead=f"2 buckets are public, {request.user}.",
        tables=[Table(title="Public buckets", columns=[Column(key="bucket", label="Bucket", kind="id"),
                                                       Column(key="cost", label="Cost", kind="money")],
                      rows=[[Cell(kind="id", value="<img src=x onerror=alert(1)>"), Cell(kind="money", value=12.5)]],
                      total_rows=3)],
        quotes=[Quote(kind="log", label="app log", text="line 1\n</pre><script>alert(1)</script>", total_lines=9)],
        charts=[Chart(title="Daily spend", series=[Series(name="total", points=[Point(x="2026-11-01", y=10.0),
                                                                                  Point(x="2026-11-02", y=30.0)])])],
        citations=[Citation(source="runbooks/s3.md", title="Public S3 buckets")],
        pending_approval=PendingApproval(id="ap-1", action="infra.action", summary="stop i-123"),
        actions=[ApprovalAction(approval_id="ap-1", decision="approve"),
                 ApprovalAction(approval_id="ap-1", decision="deny")])


class TurnStandIn:
    """What the graph does to a listener: progress lines from the worker thread, then an
    answer (or a failure); it records the requests it was given."""

    def __init__(self, fail: bool = False, gates: list[threading.Event] | None = None) -> None:
        self.requests: list[Request] = []
        self.fail = fail
        self.gates = gates

    def __call__(self, request: Request, on_progress: Callable[[str], None] | None = None) -> Answer:
        self.requests.append(request)
        for number, step in enumerate(("Checking AWS: list buckets…", "Checking the runbooks: search…")):
            if on_progress:
                on_progress(step)
            if self.gates is not None and not self.gates[number].wait(5):
                raise TimeoutError("the client never saw this progress line while the turn ran")
        if self.fail:
            raise RuntimeError("boom /srv/secret-path")
        return _answer(request)


@pytest.fixture
def runtime(tmp_path: Path) -> Runtime:
    return Runtime(Settings(home=tmp_path, web_token=SecretStr(TOKENS)))


def _post(rt: Runtime, path: str, token: str | None, body: dict[str, Any] | None = None,
          accept: str = "application/json") -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://guardian") as client:
            headers = {"Accept": accept, **({"Authorization": f"Bearer {token}"} if token else {})}
            return await client.post(path, json=body or {}, headers=headers)
    return asyncio.run(go())


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for frame in text.split("\n\n"):
        lines = [line for line in frame.splitlines() if not line.startswith(":")]
        if not lines:
            continue
        assert lines[0].startswith("event: ") and lines[1].startswith("data: ") and len(lines) == 2, frame
        events.append((lines[0].removeprefix("event: "), json.loads(lines[1].removeprefix("data: "))))
    return events


def test_token_names_are_parsed_and_bad_lists_refused_without_echoing_a_token() -> None:
    assert {k: v.get_secret_value() for k, v in parse_web_tokens("just-one-token").items()} == {"web": "just-one-token"}
    assert {k: v.get_secret_value() for k, v in parse_web_tokens(" carol:c1 , dave:d:2 ").items()} == {
        "carol": "c1", "dave": "d:2"}
    for bad, says in [("carol:c1,carol:c2", "given twice"), ("carol:same,dave:same", "another entry's"),
                      ("carol:c1,secretvalue", "entry 2 is not name:token"), ("bad name:secretvalue", "the name must"),
                      ("carol:", "entry 1 is not name:token"), ("  ", "empty")]:
        with pytest.raises(ValueError, match=says) as caught:
            parse_web_tokens(bad)
        assert "secretvalue" not in str(caught.value) and "same" not in str(caught.value)


def test_the_page_is_served_with_a_strict_policy_and_no_token(runtime: Runtime) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(create_app(runtime))
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/app.js"' in page.text and "<script>" not in page.text
    script = client.get("/static/app.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert not any(sink in script.text for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"))
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../settings.py").status_code == 404
    assert client.get("/static/runtime.py").status_code == 404


def test_the_stream_sends_accepted_then_progress_in_order_then_the_answer(runtime: Runtime) -> None:
    turn = TurnStandIn()
    runtime.ask = turn  # type: ignore[method-assign]
    response = _post(runtime, "/api/chat", "d-token", {"text": "which buckets are public?", "thread": "t1",
                                                        "user": "alice"}, accept="text/event-stream")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    assert [name for name, _ in events] == ["accepted", "progress", "progress", "answer"]
    assert events[0][1] == {"correlation_id": response.headers["x-correlation-id"], "user": "dave"}
    assert [data["text"] for name, data in events if name == "progress"] == [
        "Checking AWS: list buckets…", "Checking the runbooks: search…"]
    answer = events[-1][1]
    assert answer["skill"] == "security.public_storage" and answer["pending_approval"]["id"] == "ap-1"
    assert answer["web"]["lead"] == "2 buckets are public, dave."  # the token's name, not the body's "alice"
    [asked] = turn.requests
    assert (asked.user, asked.surface, asked.thread_id) == ("dave", "web", "web:dave:t1")


def test_the_web_view_formats_cells_and_keeps_untrusted_text_as_text(runtime: Runtime) -> None:
    runtime.ask = TurnStandIn()  # type: ignore[method-assign]
    body = _post(runtime, "/api/chat", "c-token", {"text": "which buckets are public?"}).json()
    assert set(body) >= {"agent", "skill", "tools", "answer", "citations", "resources", "pending_approval", "typed"}
    view = body["web"]
    assert view["tables"][0]["rows"] == [["<img src=x onerror=alert(1)>", "$12.50"]]
    assert view["tables"][0]["more"] == 2 and view["tables"][0]["columns"][1]["numeric"] is True
    assert view["quotes"][0]["text"].endswith("<script>alert(1)</script>") and view["quotes"][0]["trimmed"] == 7
    assert view["charts"][0]["y_max_label"] == "$30.00" and len(view["charts"][0]["series"][0]["points"]) == 2
    assert view["approval"] == {"id": "ap-1", "action": "infra.action", "summary": "stop i-123",
                                "decisions": ["approve", "deny"]}
    assert "the Approve button" in body["answer"]  # the markdown words the decision for this surface
    assert view["citations"] == [{"source": "runbooks/s3.md", "title": "Public S3 buckets"}]


def test_a_failed_turn_ends_the_stream_with_an_error_naming_only_the_correlation_id(runtime: Runtime) -> None:
    runtime.ask = TurnStandIn(fail=True)  # type: ignore[method-assign]
    response = _post(runtime, "/api/chat", "c-token", {"text": "hi"}, accept="text/event-stream")
    events = _events(response.text)
    assert [name for name, _ in events] == ["accepted", "progress", "progress", "error"]
    assert events[-1][1] == {"detail": f"internal error (correlation id {response.headers['x-correlation-id']})"}
    assert "boom" not in response.text and "/srv" not in response.text
    metrics = _get_metrics(runtime)
    assert 'guardian_requests_total{outcome="error",skill="unknown",surface="web"} 1.0' in metrics


def test_progress_reaches_the_client_while_the_turn_still_runs(runtime: Runtime) -> None:
    """Streamed for real, over a socket: each progress line arrives while the turn waits for
    the client to have seen it (a buffered response would time the turn out)."""
    gates = [threading.Event(), threading.Event()]
    runtime.ask = TurnStandIn(gates=gates)  # type: ignore[method-assign]
    seen: list[str] = []
    with BackgroundServer(runtime) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        headers = {"Accept": "text/event-stream", "Authorization": "Bearer c-token"}
        with client.stream("POST", "/api/chat", json={"text": "hi"}, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("event: "):
                    seen.append(line.removeprefix("event: "))
                    if line == "event: progress":  # let the turn go on only once the client has it
                        gates[seen.count("progress") - 1].set()
    assert seen == ["accepted", "progress", "progress", "answer"]


def test_the_json_answer_and_the_metrics_per_surface_skill_and_outcome(runtime: Runtime) -> None:
    runtime.ask = TurnStandIn()  # type: ignore[method-assign]
    assert _post(runtime, "/api/chat", "c-token", {"text": "hi"}).status_code == 200
    assert _post(runtime, "/api/chat", "c-token", {"text": "hi"}, accept="text/event-stream").status_code == 200
    metrics = _get_metrics(runtime)
    assert 'guardian_requests_total{outcome="approval_requested",skill="security.public_storage",surface="web"} 2.0' \
        in metrics
    assert 'guardian_ack_seconds_count{surface="web"} 2.0' in metrics
    assert ('guardian_answer_seconds_count{outcome="approval_requested",skill="security.public_storage",'
            'surface="web"} 2.0') in metrics


def test_wrong_tokens_and_unknown_approvals_change_nothing(runtime: Runtime) -> None:
    assert _post(runtime, "/api/chat", "carol:c-token", {"text": "hi"}).status_code == 401
    assert _post(runtime, "/api/chat", None, {"text": "hi"}).status_code == 401
    assert _post(runtime, "/api/approvals/ap-1/approve", "wrong").status_code == 401
    assert _post(runtime, "/api/approvals/ap-1/maybe", "c-token").status_code == 422
    assert _post(runtime, "/api/approvals/no-such-id/approve", "c-token").status_code == 404
    assert _post(runtime, "/api/approvals/bad%0Aid/approve", "c-token").status_code == 404


def _get_metrics(rt: Runtime) -> str:
    async def go() -> str:
        transport = httpx.ASGITransport(app=create_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://guardian") as client:
            return (await client.get("/metrics")).text
    return asyncio.run(go())


def test_a_malformed_token_list_stops_start_up_with_one_line_that_keeps_the_tokens_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import load_settings

    monkeypatch.setenv("GUARDIAN_WEB_TOKEN", "carol:hunter2,carol:hunter3")
    with pytest.raises(ValueError, match="entry 2: the name carol is given twice") as caught:
        load_settings(home=tmp_path)
    assert "hunter" not in str(caught.value)


def test_the_demo_gives_its_web_chat_a_fresh_token_unless_one_is_set(tmp_path: Path) -> None:
    from bot.demo import _web_token

    fresh, token = _web_token(Settings(home=tmp_path))
    _, other = _web_token(Settings(home=tmp_path))
    assert token and other and token != other and len(token) >= 20
    assert {k: v.get_secret_value() for k, v in fresh.web_tokens.items()} == {"web": token}
    configured = Settings(home=tmp_path, web_token=SecretStr("ops:set-by-you"))
    kept, none = _web_token(configured)
    assert none is None and kept is configured


# --------------------------------------------------------------------------- answers a restart interrupted


def _get(rt: Runtime, path: str, token: str | None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://guardian") as client:
            return await client.get(path, headers={"Authorization": f"Bearer {token}"} if token else {})
    return asyncio.run(go())


def _kept(rt: Runtime, user: str, page: str, lead: str, key: str) -> Request:
    """A web turn's answer as the restarted replica keeps it (bot/resumed_turns.py)."""
    request = Request(text="describe payments-api-1", user=user, surface="web", thread_id=f"web:{user}:{page}")
    rt.storage.resumed.put(key, request, Answer(agent="infra", skill="infra.describe", lead=lead))
    return request


def test_resumed_answers_need_the_token_and_show_only_the_tokens_own_conversation(runtime: Runtime) -> None:
    asked = _kept(runtime, "carol", "page-1", "Guardian restarted while answering; carol's answer.", "k-carol")
    _kept(runtime, "dave", "page-1", "dave's answer", "k-dave")
    assert _get(runtime, "/api/chat/resumed?thread=page-1", None).status_code == 401
    assert _get(runtime, "/api/chat/resumed?thread=page-1", "wrong").status_code == 401
    assert _get(runtime, "/api/chat/resumed", "c-token").status_code == 400  # which conversation?
    assert _get(runtime, "/api/chat/resumed?thread=page-1&since=yesterday", "c-token").status_code == 400

    carol = _get(runtime, "/api/chat/resumed?thread=page-1", "c-token")
    assert carol.status_code == 200
    [item] = carol.json()["answers"]
    assert (item["key"], item["correlation_id"]) == ("k-carol", asked.correlation_id)
    assert item["web"]["lead"] == "Guardian restarted while answering; carol's answer."
    assert carol.json()["cursor"] == item["resumed_at"]
    # dave's token sees only his own page-1; naming carol's full thread finds nothing either
    assert [i["key"] for i in _get(runtime, "/api/chat/resumed?thread=page-1", "d-token").json()["answers"]] == [
        "k-dave"]
    assert _get(runtime, "/api/chat/resumed?thread=web:carol:page-1", "d-token").json()["answers"] == []
    assert _get(runtime, "/api/chat/resumed?thread=page-2", "c-token").json() == {"answers": [], "cursor": ""}


def test_resumed_answers_are_read_from_the_cursor(runtime: Runtime) -> None:
    from urllib.parse import quote

    from agents.resumed_answers import OVERLAP

    clock = [1_800_000_000.0]
    runtime.storage.resumed.clock = lambda: clock[0]
    _kept(runtime, "carol", "page-c", "first", "k-1")
    first = _get(runtime, "/api/chat/resumed?thread=page-c", "c-token").json()
    assert [i["key"] for i in first["answers"]] == ["k-1"]
    clock[0] += OVERLAP.total_seconds() + 5
    _kept(runtime, "carol", "page-c", "second", "k-2")
    second = _get(runtime, f"/api/chat/resumed?thread=page-c&since={quote(first['cursor'])}", "c-token").json()
    assert [i["key"] for i in second["answers"]] == ["k-1", "k-2"]  # at the cursor: again (the page drops it)
    assert second["cursor"] > first["cursor"]
    third = _get(runtime, f"/api/chat/resumed?thread=page-c&since={quote(second['cursor'])}", "c-token").json()
    assert [i["key"] for i in third["answers"]] == ["k-2"]  # the first is now older than the cursor's overlap
    assert third["cursor"] == second["cursor"]


def _ask_and_leave(rt: Runtime, thread: str, turn: TurnStandIn, gates: list[threading.Event]) -> tuple[str, dict]:
    """Ask over a real socket, close the connection once the turn is accepted (a reload),
    then let the turn finish in the server that stayed up; its correlation id and what
    ``GET /api/chat/resumed`` then gives the page."""
    rt.ask = turn  # type: ignore[method-assign]
    with BackgroundServer(rt) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        headers = {"Accept": "text/event-stream", "Authorization": "Bearer c-token"}
        with client.stream("POST", "/api/chat", json={"text": "which buckets are public?", "thread": thread},
                           headers=headers) as response:
            correlation_id = response.headers["x-correlation-id"]
            next(line for line in response.iter_lines() if line == "event: accepted")
        deadline = time.monotonic() + 10
        while not webchat._orphans and time.monotonic() < deadline:  # the server saw the page go
            time.sleep(0.01)
        for gate in gates:  # the turn goes on
            gate.set()
        while True:
            found = client.get(f"/api/chat/resumed?thread={thread}",
                               headers={"Authorization": "Bearer c-token"}).json()
            if found["answers"] or time.monotonic() > deadline:
                return correlation_id, found
            time.sleep(0.05)


def test_an_answer_whose_stream_broke_is_kept_for_the_page_so_it_stops_waiting(runtime: Runtime) -> None:
    """A reload mid-answer while the server stays up: no restart will ever keep this answer,
    so the server that finishes the turn keeps it, and the reloaded page shows it and stops
    polling instead of waiting out its 20 minutes."""
    gates = [threading.Event(), threading.Event()]
    correlation_id, found = _ask_and_leave(runtime, "page-r", TurnStandIn(gates=gates), gates)
    [item] = found["answers"]
    assert item["correlation_id"] == correlation_id and item["key"] == f"web.stream_broke/{correlation_id}"
    assert item["web"]["lead"] == ("The page lost its connection while Guardian was answering \"which buckets are "
                                   "public?\"; this is the answer.\n2 buckets are public, carol.")
    assert item["web"]["approval"]["id"] == "ap-1"  # the whole answer, its approval buttons too


def test_a_turn_that_fails_after_its_stream_broke_is_kept_as_a_failure(runtime: Runtime) -> None:
    gates = [threading.Event(), threading.Event()]
    correlation_id, found = _ask_and_leave(runtime, "page-f", TurnStandIn(fail=True, gates=gates), gates)
    [item] = found["answers"]
    assert item["correlation_id"] == correlation_id
    assert item["web"]["lead"].endswith("\"which buckets are public?\", and the turn failed.")
    assert f"internal error (correlation id {correlation_id})" in json.dumps(item["web"])
    assert "boom" not in json.dumps(item)


def test_an_answer_the_stream_delivered_is_not_kept(runtime: Runtime) -> None:
    runtime.ask = TurnStandIn()  # type: ignore[method-assign]
    events = _events(_post(runtime, "/api/chat", "c-token", {"text": "hi", "thread": "page-d"},
                           accept="text/event-stream").text)
    assert events[-1][0] == "answer"
    assert _get(runtime, "/api/chat/resumed?thread=page-d", "c-token").json()["answers"] == []
