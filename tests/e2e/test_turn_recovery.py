"""A turn a crash interrupted between its steps is finished after the restart, once, and
answered where the user asked (agents/turn_recovery.py, bot/resumed_turns.py).

Real graph, real tools against moto, real SQLite (and PostgreSQL for two replicas), the
Slack Web API stand-in; the model is LangChain's fake chat model scripted with real tool
calls. The main case kills a real process mid-turn (SIGKILL while the model is called the
second time, tests/e2e/crashing_turn.py) and lets `guardian serve`'s start-up finish it;
the others leave a turn stopped between steps with LangGraph's ``interrupt_after``. Tool
runs are counted in Guardian's audit trail (one ``tool`` record per run)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url

from agents.request import Request
from agents.turn_recovery import MAX_ATTEMPTS, RETRY_AFTER, RecoveryPolicy, TurnRecovery
from bot.http_app import BackgroundServer
from bot.resumed_turns import METADATA_EVENT, recovery_for, replies_for
from bot.runtime import Runtime
from bot.settings import Settings, load_settings
from bot.slack_surface import WORKING, Progress
from sandbox.slack_api import SlackApiStandIn
from tests.e2e.conftest import Cli, base_env
from tests.e2e.test_trust import _instance
from tests.helpers import ToolCallingFakeChatModel, tool_call

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

ROOT = Path(__file__).resolve().parents[2]
DESCRIBE, STOP = "aws_describe_resource", "aws_ec2_instance_action"
ONE, TWO = "payments-api-1", "payments-api-2"
QUESTION = f"describe {ONE}"
CHANNEL, THREAD_TS = "C0RESUME1", "1699999999.000100"
CONVERSATION = f"slack:TDRIFTWOOD:{CHANNEL}:{THREAD_TS}"
RESTARTED = f"Guardian restarted while answering \"{QUESTION}\"; this is the answer."


def settings(home: Path, slack: SlackApiStandIn, **overrides: Any) -> Settings:
    """A replica's settings: Slack through the stand-in, no grace (nothing else runs turns
    here), a model time cap no slow machine reaches, the proactive jobs off."""
    values = {"home": home, "llm_routing": "never", "llm_timeout_s": 600, "scheduler": False, "resume_grace_s": 0,
              "slack_bot_token": "xoxb-resume", "slack_api_url": slack.api_url, **overrides}
    return load_settings(**values)


def replica(runtimes: list[Runtime], home: Path, slack: SlackApiStandIn, model: Any = None,
            **overrides: Any) -> Runtime:
    runtime = Runtime(settings(home, slack, **overrides), chat_model=model)
    runtimes.append(runtime)
    return runtime


def slack_request(text: str = QUESTION) -> Request:
    return Request(text=text, user="U0ALICE", surface="slack", channel=CHANNEL, thread_id=CONVERSATION)


def stopped_turn(runtime: Runtime, request: Request | None = None) -> str:
    """A turn run through Guardian's compiled graph (as ``Guardian.ask`` runs it) and stopped
    after its first round of tool calls; its checkpoint thread."""
    thread = f"{CONVERSATION}:{uuid.uuid4().hex[:8]}"
    graph_input = {"request": (request or slack_request()).model_dump(), "tool_call": None}
    runtime.guardian.graph.invoke(graph_input, {"configurable": {"thread_id": thread}},
                                  context=runtime.guardian.deps, interrupt_after=["llm_tools"])
    return thread


def resumed_posts(slack: SlackApiStandIn) -> list[Any]:
    """The stand-in's ``chat.postMessage`` calls that carry a resumed turn's delivery key."""
    found = []
    for call in slack.calls("chat.postMessage"):
        metadata = call.args.get("metadata")
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata or {}
        if metadata.get("event_type") == METADATA_EVENT:
            found.append(call)
    return found


def described(runtime: Runtime) -> list[str]:
    """The resources the describe tool ran for, per the audit trail (one record per run)."""
    return [r["args"]["resource_id"] for r in runtime.storage.audit.query(event="tool") if r["tool"] == DESCRIBE]


def events(runtime: Runtime, event: str) -> list[dict[str, Any]]:
    return runtime.storage.audit.query(event=event)


def wait_for(check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"nothing after {timeout} s")


def answer_text(sandbox: Any) -> str:
    one, _ = _instance(sandbox, ONE)
    two, _ = _instance(sandbox, TWO)
    return f"{ONE} is {one}; {TWO} is {two}."


# --------------------------------------------------------------------------- a killed process


def crash_in_second_model_step(home: Path, sandbox: Any, request: Request) -> tuple[str, Any]:
    """Ask ``request`` in a process killed in its second model step (tests/e2e/crashing_turn.py);
    the answer the resumed turn must give and the model that gives it after one more read."""
    env = {**os.environ, "GUARDIAN_HOME": str(home), "GUARDIAN_LLM": "none", "GUARDIAN_LLM_TIMEOUT_S": "600"}
    crashed = subprocess.run([sys.executable, "-m", "tests.e2e.crashing_turn", request.model_dump_json(), ONE],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    text = answer_text(sandbox)
    return text, ToolCallingFakeChatModel(responses=[tool_call(DESCRIBE, {"resource_id": TWO}, call_id="c2"),
                                                     AIMessage(content=text)])


def test_serve_start_up_finishes_a_turn_whose_process_was_killed_and_posts_it_once(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    slack_api.clear()
    request = slack_request()
    text, model = crash_in_second_model_step(home, sandbox, request)
    restarted = replica(runtimes, home, slack_api, model)
    [turn] = recovery_for(restarted).find()  # what `guardian turns` lists
    assert (turn.skill, turn.status, turn.request.channel, turn.request.user) == (
        "infra.describe", "interrupted", CHANNEL, "U0ALICE")
    assert turn.step == "llm_model"  # killed in the second model step: the tool round before it is on disk
    assert described(restarted) == [ONE]  # the killed process ran the first round's read

    with BackgroundServer(restarted, lifespan="on"):  # `guardian serve`'s start-up
        [post] = wait_for(lambda: resumed_posts(slack_api), 120)
        time.sleep(1.0)  # a second post, if there were one, would come now

    assert len(resumed_posts(slack_api)) == 1
    assert post.args["channel"] == CHANNEL and post.args["thread_ts"] == THREAD_TS
    assert post.args["text"].splitlines() == [RESTARTED, text]
    assert described(restarted) == [ONE, TWO]  # the first round's read did not run again
    restored = [m for m in model.seen_messages[0] if isinstance(m, ToolMessage)]
    one, _ = _instance(sandbox, ONE)
    assert len(restored) == 1 and one in str(restored[0].content)  # the conversation came from the checkpoint
    assert [r["outcome"] for r in events(restarted, "llm.usage")] == ["steps=3 tokens=0 input=0 output=0"]
    [resumed] = events(restarted, "turn.resumed")
    [posted] = events(restarted, "turn.posted")
    assert resumed["correlation_id"] == posted["correlation_id"] == request.correlation_id
    assert resumed["args"] == {"turn": turn.id, "step": turn.step, "requested_by": "U0ALICE"}
    assert posted["outcome"] == f"posted {post.ts}"

    # Another replica (or the next start-up) finds nothing left and posts nothing.
    second = replica(runtimes, home, slack_api)
    assert recovery_for(second).find() == []
    assert recovery_for(second).sweep(replies_for(second)) == 0
    assert len(resumed_posts(slack_api)) == 1 and described(second) == [ONE, TWO]


def test_a_later_sweep_reads_back_only_to_the_last_one_less_the_grace_and_still_finishes_a_young_turn(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    """The sweep runs every few seconds in every replica: after its first pass it reads only
    checkpoints written since the previous pass less the grace, and a turn too young to take
    on one pass (perhaps still running elsewhere) is still finished by a later one."""
    slack_api.clear()
    one, _ = _instance(sandbox, ONE)
    text = f"{ONE} is {one}."  # only what the first round read: a grounded answer
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]))
    later = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[AIMessage(content=text)]))
    ahead = [0.0]  # seconds this replica's clock runs ahead of the checkpoints'
    recovery = TurnRecovery(later.guardian, later.storage.dedupe.engine, later.storage.audit,
                            RecoveryPolicy(max_age_s=900, grace_s=100), clock=lambda: time.time() + ahead[0])
    replies = replies_for(later)
    assert recovery.sweep_horizon() < recovery.now() - timedelta(seconds=900)  # the first pass: the whole window
    stopped_turn(first)
    ahead[0] = 10.0
    assert recovery.sweep(replies) == 0  # idle 10 s, under the 100 s grace: left for now
    horizon = recovery.sweep_horizon()
    assert recovery.now() - timedelta(seconds=10 + 100 + 60 + 5) < horizon < recovery.now() - timedelta(seconds=160)
    ahead[0] = 150.0
    assert recovery.sweep(replies) == 1  # idle 150 s: its checkpoint is after the horizon, so it is read
    [post] = resumed_posts(slack_api)
    assert post.args["text"].splitlines() == [RESTARTED, text]
    assert recovery.sweep(replies) == 0 and len(resumed_posts(slack_api)) == 1


def test_the_answer_takes_the_place_of_the_working_message_the_interrupted_turn_left(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    """The Slack surface posts "Working on it…" before the graph runs and edits it into the
    answer; a restart in between leaves it spinning. The resumed answer takes its place."""
    slack_api.clear()
    request = slack_request()
    progress = Progress(AsyncWebClient(token="xoxb-resume", base_url=slack_api.api_url), CHANNEL, THREAD_TS,
                        assistant=False, correlation_id=request.correlation_id)
    asyncio.run(progress.start())  # what the surface shows first, as it does for every question
    asyncio.run(Progress(AsyncWebClient(token="xoxb-resume", base_url=slack_api.api_url), CHANNEL, THREAD_TS,
                         assistant=False, correlation_id="another-turn").start())  # a later question's
    one, _ = _instance(sandbox, ONE)
    text = f"{ONE} is {one}."
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]))
    stopped_turn(first, request)
    later = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[AIMessage(content=text)]))
    assert recovery_for(later).sweep(replies_for(later)) == 1

    [update] = slack_api.calls("chat.update")
    assert update.args["ts"] == progress.ts and update.args["channel"] == CHANNEL
    assert update.args["text"].splitlines() == [RESTARTED, text]
    assert resumed_posts(slack_api) == []  # no second message under the spinning one
    [posted] = events(later, "turn.posted")
    assert posted["outcome"] == f"posted {progress.ts}"
    thread = slack_api.calls("chat.postMessage")
    assert [call.args["text"] for call in thread] == [WORKING, WORKING]  # the other turn's is left alone
    # A takeover after an unsure update finds the answer by its key, in the edited message.
    replies = replies_for(later)
    metadata = update.args["metadata"]
    key = (json.loads(metadata) if isinstance(metadata, str) else metadata)["event_payload"]["key"]
    assert replies.find(request, key) == progress.ts
    assert recovery_for(later).sweep(replies) == 0 and len(slack_api.calls("chat.update")) == 1


# --------------------------------------------------------------------------- what is left alone


def test_a_turn_too_old_is_abandoned_once_with_an_audit_record(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    slack_api.clear()
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]))
    thread = stopped_turn(first)
    later = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[AIMessage(content="unused")]),
                    resume_max_age_s=0)
    recovery = recovery_for(later)
    assert recovery.sweep(replies_for(later)) == 0
    [abandoned] = events(later, "turn.abandoned")
    assert abandoned["outcome"].startswith("too old: asked ") and abandoned["outcome"].endswith("past the 0 s max age")
    assert abandoned["args"]["step"] == "llm_model" and abandoned["user"] == "guardian-recovery"
    assert recovery_for(later).sweep(replies_for(later)) == 0  # given up for good: not tried or audited again
    assert len(events(later, "turn.abandoned")) == 1 and resumed_posts(slack_api) == []
    [listed] = recovery.find()
    assert (listed.thread, listed.status) == (thread, "abandoned")
    assert described(later) == [ONE]


def test_a_turn_whose_surface_cannot_be_reached_is_abandoned(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]))
    stopped_turn(first, Request(text=QUESTION, user="cli", surface="cli", thread_id="cli-session-1"))
    later = replica(runtimes, home, slack_api)
    assert recovery_for(later).sweep(replies_for(later)) == 0
    [abandoned] = events(later, "turn.abandoned")
    assert abandoned["outcome"] == ("its surface cannot be reached: the command-line session that asked ended with "
                                    "its process")
    assert events(later, "turn.resumed") == [] and described(later) == [ONE]


def test_a_web_turn_is_kept_once_for_the_page_that_asked(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    """The web chat's connection died with the process: the answer is kept under the turn's
    delivery key for the page's conversation (GET /api/chat/resumed reads it), once; a
    takeover unsure whether it was kept finds it by that key. The browser's side is
    tests/e2e/test_web_resume.py."""
    slack_api.clear()  # the stand-in is the module's: an earlier test's posts are not this one's
    one, _ = _instance(sandbox, ONE)
    text = f"{ONE} is {one}."
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]))
    request = Request(text=QUESTION, user="carol", surface="web", thread_id="web:carol:page-1")
    stopped_turn(first, request)
    later = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[AIMessage(content=text)]))
    replies = replies_for(later)
    assert replies.unreachable(request) is None
    assert recovery_for(later).sweep(replies) == 1
    [kept] = later.storage.resumed.since("carol", "web:carol:page-1", None)
    assert kept.correlation_id == request.correlation_id
    assert "\n".join([kept.answer.lead, *kept.answer.paragraphs]).splitlines() == [RESTARTED, text]
    [posted] = events(later, "turn.posted")
    assert posted["outcome"] == f"posted {kept.key}" and posted["surface"] == "web"
    assert replies.find(request, kept.key) == kept.key and replies.find(request, kept.key + "-other") is None
    assert recovery_for(later).sweep(replies) == 0  # nothing left, nothing kept twice
    assert len(later.storage.resumed.since("carol", "web:carol:page-1", None)) == 1
    assert resumed_posts(slack_api) == [] and events(later, "turn.abandoned") == []


def test_a_turn_paused_on_an_approval_is_left_to_the_approvals(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    target_id, _ = _instance(sandbox, TWO)
    asked = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(STOP, {"instance_id": target_id, "action": "stop"}, call_id="c1")]))
    answer = asked.guardian.ask(slack_request(f"stop {TWO}"))
    assert answer.pending_approval is not None
    later = replica(runtimes, home, slack_api)
    recovery = recovery_for(later)
    assert recovery.find() == []
    assert recovery.sweep(replies_for(later)) == 0
    assert later.storage.approvals.get(answer.pending_approval.id).status == "pending"
    assert [r for r in later.storage.audit.query() if r["event"].startswith("turn.")] == []


def test_a_post_slack_refuses_is_tried_again_then_given_up_never_run_twice(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    slack_api.clear()
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]), max_tool_steps=1)
    stopped_turn(first)
    later = replica(runtimes, home, slack_api)
    clock = [time.time()]
    recovery = TurnRecovery(later.guardian, later.storage.dedupe.engine, later.storage.audit,
                            RecoveryPolicy(grace_s=0), clock=lambda: clock[0])
    slack_api.fail("chat.postMessage", times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS + 1):  # each attempt once its retry is due, and one more sweep after
        assert recovery.sweep(replies_for(later)) == 0
        clock[0] += RETRY_AFTER + 1
    assert [r["args"]["attempt"] for r in events(later, "turn.failed")] == list(range(1, MAX_ATTEMPTS + 1))
    [abandoned] = events(later, "turn.abandoned")
    assert abandoned["outcome"] == f"posting the answer failed (SlackApiError), {MAX_ATTEMPTS} times"
    assert len(slack_api.refused("chat.postMessage")) == MAX_ATTEMPTS and resumed_posts(slack_api) == []
    assert described(later) == [ONE]  # the turn itself ran on once; the retries only posted
    assert len(events(later, "answer")) == 1


# --------------------------------------------------------------------------- the command line


def test_the_cli_lists_an_interrupted_turn_and_resume_posts_and_prints_it_once(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime]) -> None:
    slack_api.clear()
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]), max_tool_steps=1)
    thread = stopped_turn(first)  # the step cap reached: only the finishing step is left, no model call
    first.close()
    cli = Cli({**base_env(home), **sandbox.env, "SLACK_BOT_TOKEN": "xoxb-resume", "SLACK_API_URL": slack_api.api_url,
               "GUARDIAN_RESUME_GRACE_S": "0"})
    listed = cli("turns", "--json")
    assert listed.returncode == 0, listed.stderr
    [row] = listed.json_lines
    assert (row["thread"], row["skill"], row["surface"], row["channel"], row["step"], row["status"]) == (
        thread, "infra.describe", "slack", CHANNEL, "llm_finish", "interrupted")
    assert row["question"] == QUESTION and row["user"] == "U0ALICE" and 0 <= row["age_s"] < 300

    resumed = cli("turns", "resume", row["id"], "--json", "--user", "ops")
    assert resumed.returncode == 0, resumed.stderr
    one, _ = _instance(sandbox, ONE)
    shown = resumed.last
    assert shown["turn"] == row["id"] and shown["skill"] == "infra.describe"
    assert shown["answer"].startswith(RESTARTED + "\n") and one in shown["answer"]
    assert [tool["name"] for tool in shown["tools"]] == [DESCRIBE]
    [post] = resumed_posts(slack_api)
    assert shown["posted"] == post.ts and post.args["thread_ts"] == THREAD_TS
    later = replica(runtimes, home, slack_api)
    assert described(later) == [ONE]  # the read ran once, before the stop
    assert [r["user"] for r in events(later, "turn.resume")] == ["ops"]

    again = cli("turns", "resume", row["id"])
    assert again.returncode == 1 and "No interrupted turn" in again.stderr
    assert len(resumed_posts(slack_api)) == 1
    assert cli("turns").stdout.strip() == "No interrupted turns."


# --------------------------------------------------------------------------- several replicas


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL: other tests' checkpoints (sealed
    with other keys) are not this test's replicas'."""
    import psycopg

    name = f"guardian_turns_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


@pytest.mark.postgres
def test_two_replicas_on_postgresql_resume_and_post_a_turn_once(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, runtimes: list[Runtime], pg_database: str) -> None:
    slack_api.clear()
    shared = {"database_url": pg_database, "secret_key": "k" * 44}
    first = replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1")]), **shared)
    stopped_turn(first)
    text = answer_text(sandbox)
    replicas = [replica(runtimes, home, slack_api, ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": TWO}, call_id="c2"), AIMessage(content=text)]), **shared)
        for _ in range(2)]
    sweeps = [(recovery_for(r), replies_for(r)) for r in replicas]
    start = threading.Barrier(len(sweeps))
    posted: list[int] = []

    def sweep(index: int) -> None:
        recovery, replies = sweeps[index]
        start.wait()
        posted.append(recovery.sweep(replies))

    workers = [threading.Thread(target=sweep, args=(i,)) for i in range(len(sweeps))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(posted) == [0, 1]
    [post] = resumed_posts(slack_api)
    assert post.args["text"].splitlines() == [RESTARTED, text]
    assert described(first) == [ONE, TWO]
    assert len(events(first, "turn.resumed")) == 1 and recovery_for(first).find() == []


def card_texts(activity: dict[str, Any]) -> list[str]:
    """Every text block's and text run's text of the Adaptive Card an activity carries, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("TextBlock", "TextRun"):
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([attachment.get("content") for attachment in activity.get("attachments") or []])
    return found


def test_a_teams_turn_whose_process_was_killed_is_answered_in_its_conversation_once(
        home: Path, sandbox: Any, slack_api: SlackApiStandIn, connector: Any, runtimes: list[Runtime]) -> None:
    """The same crash as above, asked from Teams: the restarted replica posts the answer as a
    card to the Bot Connector of the conversation that asked (the SDK's own client, signed with
    the outbound token), once, and a second sweep posts nothing."""
    from bot.teams_surface import TeamsSurface, thread_of
    from tests.teams_standins import APP_ID, TENANT, StaticCredentialsFactory

    connector.clear()
    slack_api.clear()
    conversation = "a:1resume-personal-chat"
    request = Request(text=QUESTION, user="7a1c0e52-3f1b-4c7e-9d1a-0000000a11ce", surface="teams",
                      channel=conversation, thread_id=thread_of(conversation))
    text, model = crash_in_second_model_step(home, sandbox, request)
    teams_settings = {"microsoft_app_id": APP_ID, "microsoft_app_tenant_id": TENANT,
                      "teams_service_url": connector.url}
    restarted = replica(runtimes, home, slack_api, model, **teams_settings)
    [turn] = recovery_for(restarted).find()
    assert (turn.request.surface, turn.request.channel, turn.status) == ("teams", conversation, "interrupted")

    surface = TeamsSurface(restarted, StaticCredentialsFactory(APP_ID, "outbound-token-for-resume"))
    assert recovery_for(restarted).sweep(replies_for(restarted, surface)) == 1

    [post] = connector.activities()
    assert connector.calls[0]["path"] == f"/v3/conversations/{conversation}/activities"
    assert connector.calls[0]["authorization"] == "Bearer outbound-token-for-resume"
    assert card_texts(post)[0].splitlines() == [RESTARTED, text]  # the lead, as Slack shows it
    assert resumed_posts(slack_api) == []  # nothing went to Slack
    [posted] = events(restarted, "turn.posted")
    assert posted["correlation_id"] == request.correlation_id
    assert described(restarted) == [ONE, TWO]

    second = replica(runtimes, home, slack_api, **teams_settings)
    assert recovery_for(second).sweep(replies_for(second, TeamsSurface(
        second, StaticCredentialsFactory(APP_ID, "outbound-token-for-resume")))) == 0
    assert len(connector.activities()) == 1
