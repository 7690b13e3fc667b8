"""LLM mode through the same graph: LangChain's fake chat model emits real tool calls;
Guardian runs read tools itself, turns write calls into approvals, and replaces an answer
naming ids the model invented with the templated one."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, ToolMessage

from agents.llm_router import unsure
from agents.progress import tool_step
from agents.request import Request
from agents.route import Route
from tests.agents.test_graph import World, world  # noqa: F401 - the shared world fixture
from tests.helpers import ToolCallingFakeChatModel, tool_call

pytestmark = pytest.mark.slow


def test_model_reads_through_tools_and_an_answer_with_invented_ids_is_replaced(world: World) -> None:  # noqa: F811
    model = ToolCallingFakeChatModel(responses=[
        tool_call("knowledge_search_runbooks", {"query": "queue backlog", "k": 2}),
        AIMessage(content="Scale consumers out (see the runbook). Also check i-0deadbeef0001."),
    ])
    answer = world.guardian(chat_model=model).ask(Request(text="how do I deal with a growing queue backlog"))
    assert [t.name for t in answer.tools] == ["knowledge_search_runbooks"]
    assert "i-0deadbeef0001" not in answer.shown_text() and "Scale consumers out" not in answer.shown_text()
    assert answer.lead.startswith("From the runbook Queue backlog growing, section ")  # the templated lead
    assert any(note.startswith("The model's answer named 1 id that no tool returned")
               for note in answer.notes)
    assert answer.citations and answer.citations[0].source == "queue-backlog.md"
    assert "knowledge_search_runbooks" in model.bound_tool_names
    tool_messages = [m for m in model.seen_messages[-1] if isinstance(m, ToolMessage)]
    assert tool_messages and str(tool_messages[0].content).startswith("<untrusted-")


def test_model_write_call_becomes_an_approval_not_an_action(world: World) -> None:  # noqa: F811
    model = ToolCallingFakeChatModel(responses=[
        tool_call("test_power", {"instance_id": "i-0abc1234def", "action": "stop"}, text="Stopping it."),
    ])
    answer = world.guardian(chat_model=model).ask(Request(text="stop i-0abc1234def"))
    assert answer.pending_approval is not None
    assert world.machines.changes == []
    world.guardian().decide(answer.pending_approval.id, approve=True, user="bob")
    assert world.machines.changes == [("i-0abc1234def", "stop")]


def test_model_cannot_call_tools_outside_the_skill(world: World) -> None:  # noqa: F811
    model = ToolCallingFakeChatModel(responses=[
        tool_call("test_power", {"instance_id": "i-0abc1234def", "action": "stop"}),
        AIMessage(content="I could not do that."),
    ])
    answer = world.guardian(chat_model=model).ask(Request(text="how do I deal with a growing queue backlog"))
    assert answer.skill == "knowledge.runbook"
    assert answer.pending_approval is None and world.machines.changes == []


def test_tool_loop_is_capped(world: World) -> None:  # noqa: F811
    model = ToolCallingFakeChatModel(responses=[
        tool_call("knowledge_search_runbooks", {"query": f"q{i}"}, call_id=f"c{i}") for i in range(20)])
    guardian = world.guardian(chat_model=model)
    answer = guardian.ask(Request(text="how do I deal with a growing queue backlog"))
    assert len(answer.tools) == guardian.deps.max_tool_steps
    assert any("Stopped after" in note for note in answer.notes)


def test_each_model_step_and_tool_is_streamed_as_progress(world: World) -> None:  # noqa: F811
    model = ToolCallingFakeChatModel(responses=[
        tool_call("knowledge_search_runbooks", {"query": "queue backlog"}),
        AIMessage(content="Scale the consumers out."),
    ])
    guardian = world.guardian(chat_model=model)
    heard: list[str] = []
    guardian.ask(Request(text="how do I deal with a growing queue backlog"), on_progress=heard.append)
    steps = guardian.deps.max_tool_steps
    search = tool_step(guardian.deps.registry.get("knowledge_search_runbooks"))
    assert heard[:3] == [f"Asking the model (step 1 of at most {steps})…", search,
                         f"Asking the model (step 2 of at most {steps})…"]


@pytest.mark.parametrize(("confidence", "runner_up", "expected"), [
    (0.30, 0.10, True),   # below the threshold
    (0.80, 0.70, True),   # above it, but too close to the next skill
    (0.80, 0.50, False),  # sure
])
def test_the_router_is_unsure_below_the_threshold_or_with_a_low_margin(
        confidence: float, runner_up: float, expected: bool) -> None:
    route = Route(text="x", agent="cost", skill="cost.summary", confidence=confidence,
                  alternatives=[("cost.forecast", runner_up)])
    assert unsure(route, threshold=0.45) is expected


def test_content_blocks_of_a_provider_are_read_as_their_text(world: World) -> None:  # noqa: F811
    model = ToolCallingFakeChatModel(responses=[
        tool_call("knowledge_search_runbooks", {"query": "queue backlog"}),
        AIMessage(content=[{"type": "text", "text": "Scale the consumers out."}]),  # Anthropic's shape
    ])
    answer = world.guardian(chat_model=model).ask(Request(text="how do I deal with a growing queue backlog"))
    assert answer.lead == "Scale the consumers out."
