"""A web chat question whose server is killed mid-answer is answered in the same page once
the server is back, once, without asking again (bot/static/app.js, GET /api/chat/resumed,
agents/resumed_answers.py, bot/resumed_turns.py).

Debian's headless Chromium (as tests/e2e/test_web_browser.py) asks in the page served by a
real process (tests/e2e/crashing_web_server.py) that SIGKILLs itself in the turn's second
model call, as tests/e2e/test_turn_recovery.py's Slack and Teams cases do; a restarted
replica on the same port, with `guardian serve`'s start-up, finishes the turn from its
checkpoint. Real graph, tools against moto, SQLite; the model is LangChain's fake chat
model scripted with real tool calls."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from pydantic import SecretStr

from bot.http_app import BackgroundServer
from bot.runtime import Runtime
from sandbox.slack_api import SlackApiStandIn
from tests.e2e.test_turn_recovery import (
    DESCRIBE,
    ONE,
    QUESTION,
    RESTARTED,
    ROOT,
    TWO,
    answer_text,
    described,
    events,
    replica,
)
from tests.e2e.test_web_browser import CHROMIUM, FLAGS, _open
from tests.helpers import ToolCallingFakeChatModel, tool_call

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

TOKEN = "carol:carol-token"
WAIT_MS = 120_000


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Any]:
    """Debian's headless Chromium, as tests/e2e/test_web_browser.py drives it."""
    assert CHROMIUM.is_file(), "Debian's chromium is missing: `make install` installs it (apt-get install chromium)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=FLAGS
        )
        try:
            yield context
        finally:
            context.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def crashing_server(home: Path, port: int) -> tuple[subprocess.Popen[str], str]:
    """The server that dies in the turn's second model step, and its address once it serves."""
    env = {
        **os.environ,
        "GUARDIAN_HOME": str(home),
        "GUARDIAN_LLM": "none",
        "GUARDIAN_LLM_TIMEOUT_S": "600",
        "GUARDIAN_WEB_TOKEN": TOKEN,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.crashing_web_server", str(port), ONE],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline() if proc.stdout else ""), daemon=True)
    reader.start()
    reader.join(180)
    if not line or not line[0].startswith("http://"):
        proc.kill()
        raise AssertionError(f"the crashing server did not start: {proc.communicate(timeout=30)[1][-2000:]}")
    return proc, line[0].strip()


def test_a_question_whose_server_was_killed_is_answered_in_the_same_page_once_it_is_back(
    home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime], chromium: Any
) -> None:
    port = free_port()
    proc, url = crashing_server(home, port)
    try:
        page = _open(chromium, url, "carol-token")
        page.fill("#question", QUESTION)
        page.click("#send")
        assert proc.wait(timeout=180) == -signal.SIGKILL, proc.stderr.read()[-2000:] if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
    reply = page.locator(".msg.bot").first
    page.locator(".msg.bot.interrupted .interrupted-note").wait_for(timeout=WAIT_MS)  # the stream broke
    correlation_id = reply.get_attribute("data-correlation-id")
    assert correlation_id  # the turn was accepted before the kill

    text = answer_text(sandbox)
    model = ToolCallingFakeChatModel(
        responses=[tool_call(DESCRIBE, {"resource_id": TWO}, call_id="c2"), AIMessage(content=text)]
    )
    restarted = replica(runtimes, home, slack_api, model, web_token=SecretStr(TOKEN))
    with BackgroundServer(restarted, port=port, lifespan="on") as server:  # `guardian serve`'s start-up
        assert server.port == port  # the page's own address
        resumed = reply.locator(".answer[data-resumed-key]")
        resumed.wait_for(timeout=WAIT_MS)
        assert resumed.locator(".lead").inner_text().splitlines() == [RESTARTED, text]  # from both reads
        assert reply.get_attribute("class") == "msg bot resumed"  # in the question's own reply, note gone
        assert reply.locator(".interrupted-note").count() == 0
        page.wait_for_timeout(4000)  # a poll more, if the page were still polling, would come now
        assert page.locator(".answer").count() == 1 and page.locator(".msg.bot").count() == 1

        # Reloaded, the page asks again for its conversation, gets the answer, and does not repeat it.
        with page.expect_response(lambda response: "/api/chat/resumed" in response.url) as asked:
            page.reload()
        served = asked.value.json()["answers"]
        assert [item["correlation_id"] for item in served] == [correlation_id]
        page.wait_for_timeout(1000)
        assert page.locator(".answer").count() == 0

    [posted] = events(restarted, "turn.posted")
    assert posted["correlation_id"] == correlation_id and posted["outcome"] == f"posted {served[0]['key']}"
    assert described(restarted) == [ONE, TWO]  # the killed process's read did not run again
    assert [r["outcome"] for r in events(restarted, "turn.abandoned")] == []
    # the browser logs the broken stream and the refused looks while the server was down, and nothing else
    assert all(p.startswith("Failed to load resource: net::ERR_") for p in page.problems), page.problems


def test_a_page_reloaded_mid_answer_shows_the_answer_once_the_turn_ends_and_stops_asking(
    tmp_path: Path, chromium: Any
) -> None:
    """The server stays up: no restart will keep this answer, so the server that finishes the
    turn keeps it for the page (bot/webchat.py); the reloaded page shows it and stops asking
    instead of polling for 20 minutes. The turn is a stand-in held until the page reloaded."""
    from agents.answer import Answer
    from agents.request import Request
    from bot import webchat
    from bot.settings import Settings

    rt = Runtime(Settings(home=tmp_path / "home", web_token=SecretStr(TOKEN)))
    go_on = threading.Event()

    def turn(request: Request, _progress: Any = None) -> Answer:
        assert go_on.wait(60), "the page never reloaded"
        return Answer(agent="infra", skill="infra.describe", lead=f"{request.text}: 2 instances run.")

    rt.ask = turn  # type: ignore[method-assign]
    with BackgroundServer(rt) as server:
        page = _open(chromium, server.url, "carol-token")
        page.fill("#question", "what runs in eu-west-1")
        page.click("#send")
        page.locator(".msg.bot[data-correlation-id]").wait_for(timeout=WAIT_MS)  # accepted
        correlation_id = page.locator(".msg.bot").first.get_attribute("data-correlation-id")
        page.reload()
        for _ in range(1000):  # until the server saw the first page's stream end
            if webchat._orphans:
                break
            page.wait_for_timeout(10)
        looks: list[str] = []
        page.on("request", lambda request: looks.append(request.url) if "/api/chat/resumed" in request.url else None)
        go_on.set()
        kept = page.locator(".answer[data-resumed-key]")
        kept.wait_for(timeout=WAIT_MS)
        assert kept.locator(".lead").inner_text().splitlines() == [
            'The page lost its connection while Guardian was answering "what runs in eu-west-1"; this is the answer.',
            "what runs in eu-west-1: 2 instances run."]
        assert page.locator(".msg.bot").first.get_attribute("data-correlation-id") == correlation_id
        asked = len(looks)
        page.wait_for_timeout(4000)  # a look more, if the page were still waiting, would come now (every 3 s)
        assert len(looks) == asked and page.locator(".answer").count() == 1
    assert page.problems == [], page.problems
