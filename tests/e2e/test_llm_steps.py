"""LLM mode's loop is made of graph steps: each model call (``llm_model``) and each round of
its tool calls (``llm_tools``) is checkpointed in SQLite (encrypted) and streamed on its
own, and a turn interrupted between steps resumes in a new process without re-running the
tools that already ran, within the same caps. Real graph, real tools against moto, real
SQLite; the model is LangChain's fake chat model scripted with real tool calls. Tool runs
are counted in Guardian's audit trail (one ``tool`` record per run)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from agents.request import Request
from bot.runtime import Runtime
from tests.e2e.test_llm_sandbox import DESCRIBE, MakeRuntime, events, make_runtime  # noqa: F401 - fixture
from tests.e2e.test_trust import _instance
from tests.helpers import ToolCallingFakeChatModel, tool_call

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

ONE, TWO = "payments-api-1", "payments-api-2"
QUESTION = f"describe {ONE}"


def two_rounds(sandbox: Any) -> tuple[list[AIMessage], str]:
    """A model that reads two instances, one per round, then answers naming both ids."""
    one, _ = _instance(sandbox, ONE)
    two, _ = _instance(sandbox, TWO)
    text = f"{ONE} is {one}; {TWO} is {two}."
    return [tool_call(DESCRIBE, {"resource_id": ONE}, call_id="c1"),
            tool_call(DESCRIBE, {"resource_id": TWO}, call_id="c2"),
            AIMessage(content=text)], text


def described(runtime: Runtime) -> list[str]:
    """The resources the describe tool ran for, per the audit trail (one record per run)."""
    return [record["args"]["resource_id"] for record in events(runtime, "tool") if record["tool"] == DESCRIBE]


def start(runtime: Runtime, thread: str, **options: Any) -> dict[str, Any]:
    """A turn on ``thread`` through Guardian's compiled graph, as ``Guardian.ask`` runs it."""
    graph_input = {"request": Request(text=QUESTION, user="alice").model_dump(), "tool_call": None}
    config = {"configurable": {"thread_id": thread}}
    return dict(runtime.guardian.graph.invoke(graph_input, config, context=runtime.guardian.deps, **options))


def resume(runtime: Runtime, thread: str) -> dict[str, Any]:
    """Go on from the thread's last checkpoint (no new input)."""
    config = {"configurable": {"thread_id": thread}}
    return dict(runtime.guardian.graph.invoke(None, config, context=runtime.guardian.deps))


def test_each_model_call_and_each_tool_round_is_one_checkpoint(make_runtime: MakeRuntime, sandbox: Any) -> None:  # noqa: F811
    script, text = two_rounds(sandbox)
    runtime = make_runtime(ToolCallingFakeChatModel(responses=script))
    answer = runtime.guardian.ask(Request(text=QUESTION, user="alice"))
    assert answer.lead == text and [t.name for t in answer.tools] == [DESCRIBE, DESCRIBE]
    graph = runtime.guardian.graph
    newest = next(iter(graph.checkpointer.list(None, limit=1)))
    thread = {"configurable": {"thread_id": newest.config["configurable"]["thread_id"]}}
    history = list(reversed(list(graph.get_state_history(thread))))  # oldest first
    assert [snapshot.next for snapshot in history] == [
        ("__start__",), ("supervisor",), ("infrastructure",),
        ("llm_model",), ("llm_tools",), ("llm_model",), ("llm_tools",), ("llm_model",),
        ("llm_finish",), ("answer",), ()]
    # The checkpoint before the second model call holds the first round, read back from the
    # encrypted SQLite checkpoint: the model's call, the wrapped tool result, the budget.
    before_second = history[5].values
    _system, _human, call, result = before_second["llm_messages"]
    assert isinstance(call, AIMessage) and call.tool_calls[0]["args"] == {"resource_id": ONE}
    one, _ = _instance(sandbox, ONE)
    assert isinstance(result, ToolMessage) and result.tool_call_id == "c1" and one in str(result.content)
    assert str(result.content).startswith(f"<{before_second['llm']['tag']}>")
    assert [c["tool"] for c in before_second["calls"]] == [DESCRIBE]
    assert before_second["llm"]["budget"]["steps"] == 1
    assert history[-1].values["llm"]["budget"]["steps"] == 3


def test_a_streamed_turn_yields_one_update_per_model_step(make_runtime: MakeRuntime, sandbox: Any) -> None:  # noqa: F811
    script, text = two_rounds(sandbox)
    runtime = make_runtime(ToolCallingFakeChatModel(responses=script))
    graph_input = {"request": Request(text=QUESTION, user="alice").model_dump(), "tool_call": None}
    config = {"configurable": {"thread_id": f"stream-{uuid.uuid4().hex[:8]}"}}
    updates = list(runtime.guardian.graph.stream(graph_input, config, context=runtime.guardian.deps,
                                                 stream_mode="updates"))
    nodes = [next(iter(update)) for update in updates]
    assert nodes == ["supervisor", "infrastructure", "llm_model", "llm_tools", "llm_model", "llm_tools",
                     "llm_model", "llm_finish", "answer"]
    replies = [update["llm_model"]["llm_messages"][-1] for update in updates if "llm_model" in update]
    assert replies == script  # each model step streamed its own reply as it came
    assert updates[-1]["answer"]["answer"]["lead"] == text


def test_a_turn_interrupted_after_a_tool_round_resumes_without_rerunning_it(
        make_runtime: MakeRuntime, sandbox: Any) -> None:  # noqa: F811
    script, text = two_rounds(sandbox)
    first = ToolCallingFakeChatModel(responses=script[:1])
    thread = f"crash-{uuid.uuid4().hex[:8]}"
    stopped = make_runtime(first)
    state = start(stopped, thread, interrupt_after=["llm_tools"])
    assert "answer" not in state and described(stopped) == [ONE]
    stopped.close()  # the process goes away; its checkpoint stays in SQLite
    second = ToolCallingFakeChatModel(responses=script[1:])
    resumed = make_runtime(second)  # a new process on the same home (database and key)
    state = resume(resumed, thread)
    assert described(resumed) == [ONE, TWO]  # the first round's read did not run again
    assert state["answer"]["lead"] == text  # grounded by both rounds' results
    assert [call["tool"] for call in state["calls"]] == [DESCRIBE, DESCRIBE]
    one, _ = _instance(sandbox, ONE)
    restored = [m for m in second.seen_messages[0] if isinstance(m, ToolMessage)]
    assert len(restored) == 1 and one in str(restored[0].content)  # the conversation came from the checkpoint
    assert [r["outcome"] for r in events(resumed, "llm.usage")] == ["steps=3 tokens=0 input=0 output=0"]


def test_the_step_cap_holds_across_a_resume(make_runtime: MakeRuntime) -> None:  # noqa: F811
    looping = [tool_call(DESCRIBE, {"resource_id": ONE}, call_id=f"c{i}") for i in range(10)]
    thread = f"steps-{uuid.uuid4().hex[:8]}"
    stopped = make_runtime(ToolCallingFakeChatModel(responses=looping), max_tool_steps=3)
    start(stopped, thread, interrupt_after=["llm_tools"])
    stopped.close()
    second = ToolCallingFakeChatModel(responses=looping)
    resumed = make_runtime(second, max_tool_steps=3)
    state = resume(resumed, thread)
    assert len(second.seen_messages) == 2  # 1 step before the stop + 2 after: 3 in all, not 1 + 3
    assert "Stopped after 3 tool steps." in state["answer"]["notes"]
    assert [r["outcome"] for r in events(resumed, "llm.capped")] == ["Stopped after 3 tool steps."]
    assert described(resumed) == [ONE] * 3


def test_the_turns_wall_time_counts_across_a_resume(make_runtime: MakeRuntime, sandbox: Any) -> None:  # noqa: F811
    script, _ = two_rounds(sandbox)
    thread = f"time-{uuid.uuid4().hex[:8]}"
    stopped = make_runtime(ToolCallingFakeChatModel(responses=script[:1]), llm_timeout_s=1.5)
    state = start(stopped, thread, interrupt_after=["llm_tools"])
    stopped.close()
    time.sleep(max(state["llm"]["budget"]["started_at"] + 1.6 - time.time(), 0))  # past the turn's deadline
    second = ToolCallingFakeChatModel(responses=script[1:])
    resumed = make_runtime(second, llm_timeout_s=1.5)
    state = resume(resumed, thread)
    assert second.seen_messages == []  # no model call after the deadline
    assert "Stopped: the turn's model time budget (1.5 s) is spent." in state["answer"]["notes"]
    assert [call["tool"] for call in state["calls"]] == [DESCRIBE]  # the answer is built from the round that ran
    assert described(resumed) == [ONE]
    assert [r["outcome"] for r in events(resumed, "llm.capped")] == [
        "Stopped: the turn's model time budget (1.5 s) is spent."]
