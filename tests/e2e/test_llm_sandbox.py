"""LLM mode on the sandbox company, through the composition root (bot.runtime.Runtime with
``chat_model`` injected: real graph, real tools against moto and the stand-ins, real SQLite).
The model is LangChain's fake chat model, scripted per turn with real tool calls; every
expected value comes from the sandbox company or from moto, never from Guardian's output."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import PrivateAttr

from agents.request import Request
from bot.evals.runner import latest_state
from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.company import DRIFTWOOD, INJECTION_FIXTURE
from tests.conftest import sandbox_environment
from tests.e2e.test_trust import _instance, _state
from tests.helpers import ToolCallingFakeChatModel, tool_call

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

DESCRIBE = "aws_describe_resource"
STOP = "aws_ec2_instance_action"
LOGS = "aws_logs_errors"
WEBHOOK_LOGS = "/aws/lambda/payments-webhook"

MakeRuntime = Callable[..., Runtime]


@pytest.fixture
def make_runtime(sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 warm_home: Callable[[Path], Path]) -> Iterator[MakeRuntime]:
    """``make_runtime(model, **settings)``: a Runtime on the sandbox with the model injected;
    routing is ``never`` unless a test says otherwise, so each script is only the agent's."""
    sandbox_environment(monkeypatch, sandbox)
    home = warm_home(tmp_path / "home")
    made: list[Runtime] = []

    def make(model: Any, **settings: Any) -> Runtime:
        runtime = Runtime(load_settings(home=home, **{"llm_routing": "never", **settings}), chat_model=model)
        made.append(runtime.__enter__())
        return runtime

    yield make
    for runtime in made:
        runtime.close()


def events(runtime: Runtime, event: str) -> list[dict[str, Any]]:
    return runtime.storage.audit.query(event=event)


def seeded(name: str) -> Any:
    return next(instance for instance in DRIFTWOOD.instances if instance.name == name)


def tool_messages(model: ToolCallingFakeChatModel) -> list[str]:
    return [str(m.content) for m in model.seen_messages[-1] if isinstance(m, ToolMessage)]


# --------------------------------------------------------------------------- grounded use


def test_the_model_reads_through_the_skills_tools_and_its_grounded_answer_is_shown(
        make_runtime: MakeRuntime, sandbox: Any) -> None:
    instance_id, _ = _instance(sandbox, "payments-api-1")
    truth = seeded("payments-api-1")
    text = f"payments-api-1 ({instance_id}) is a {truth.instance_type} in {truth.region}, {truth.state}."
    model = ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": "payments-api-1"}), AIMessage(content=text)])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    assert answer.skill == "infra.describe"
    assert model.bound_tool_names == [DESCRIBE, "aws_metrics", "azure_describe_vm", "knowledge_inventory_lookup",
                                      "knowledge_search_runbooks"]  # the skill's tools, nothing else
    assert [t.name for t in answer.tools] == [DESCRIBE]
    assert answer.lead == text
    assert events(runtime, "llm.ungrounded") == []
    [usage] = events(runtime, "llm.usage")
    assert usage["outcome"] == "steps=2 tokens=0 input=0 output=0"
    [tool_text] = tool_messages(model)
    assert tool_text.startswith("<untrusted-") and instance_id in tool_text
    checkpointed = latest_state(runtime)  # the loop's reads and text are in the checkpointed state
    assert [call["tool"] for call in checkpointed["calls"]] == [DESCRIBE] and checkpointed["llm_text"] == text


# --------------------------------------------------------------------------- grounding


@pytest.mark.parametrize(("invented", "kind"), [
    ("i-0123456789abcdef0", "id(s)"),           # an EC2 id of the regex's shape
    ("payments-api-9", "id(s)"),                # a Name tag of a known family
    ("PQ7Z9XK", "id(s)"),                       # a PagerDuty-shaped incident id
    ("$4,812.77", "figure(s)"),                 # money no tool returned
    ("see ec2-rightsizing.md", "citation(s)"),  # a source nothing retrieved
])
def test_an_invented_id_figure_or_citation_replaces_the_text_with_the_templated_answer(
        make_runtime: MakeRuntime, sandbox: Any, invented: str, kind: str) -> None:
    instance_id, _ = _instance(sandbox, "payments-api-1")
    text = f"payments-api-1 ({instance_id}) is fine; also check {invented}."
    model = ToolCallingFakeChatModel(responses=[tool_call(DESCRIBE, {"resource_id": "payments-api-1"}),
                                                AIMessage(content=text)])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    offline = make_runtime(None).guardian.ask(Request(text="describe payments-api-1", user="alice"))
    shown = answer.shown_text()
    assert invented.split()[-1] not in shown and text not in shown
    assert answer.lead == offline.lead and answer.tables == offline.tables  # the templated answer
    [note] = [n for n in answer.notes if n.startswith("The model's answer named")]
    assert note.startswith(f"The model's answer named 1 {kind.removesuffix('(s)')} that no tool returned")
    [record] = events(runtime, "llm.ungrounded")
    assert record["outcome"] == f"{kind} {invented.split()[-1]}" and record["skill"] == "infra.describe"


# --------------------------------------------------------------------------- injection


def test_a_model_obeying_an_injected_log_line_cannot_act_outside_its_skill(
        make_runtime: MakeRuntime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "payments-api-1")
    model = ToolCallingFakeChatModel(responses=[
        tool_call(LOGS, {"log_group": WEBHOOK_LOGS}),
        tool_call(STOP, {"instance_id": instance_id, "action": "stop"}, call_id="c2"),
        AIMessage(content="The webhook logs show errors."),
    ])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text=f"show errors in the {WEBHOOK_LOGS} logs", user="alice"))
    assert answer.skill == "infra.logs"
    logs_seen = tool_messages(model)[0]
    assert INJECTION_FIXTURE in logs_seen  # the model did read the injected text, as data
    assert answer.pending_approval is None and [t.name for t in answer.tools] == [LOGS]
    assert f"Tool {STOP} is not available for infra.logs" in tool_messages(model)[1]
    assert runtime.storage.approvals.list(statuses=None, limit=10)[0] == []
    assert _state(ec2, instance_id) == seeded("payments-api-1").state == "running"
    assert [r["event"] for r in events(runtime, "llm.bad_call")] == ["llm.bad_call"]


def test_a_model_proposing_an_injected_write_only_creates_an_approval(
        make_runtime: MakeRuntime, sandbox: Any) -> None:
    target_id, ec2 = _instance(sandbox, "payments-api-2")
    model = ToolCallingFakeChatModel(responses=[
        tool_call("knowledge_search_runbooks", {"query": "reboot an instance"}),
        tool_call(STOP, {"instance_id": target_id, "action": "stop"}, call_id="c2"),
    ])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text="reboot search-indexer-1", user="alice"))
    assert answer.skill == "infra.action" and answer.pending_approval is not None
    records, _ = runtime.storage.approvals.list(statuses=None, limit=10)
    assert [(r.status, r.tool, r.args["instance_id"], r.args["action"]) for r in records] == [
        ("pending", STOP, target_id, "stop")]
    time.sleep(0.2)
    assert _state(ec2, target_id) == "running"  # nothing ran: a person must approve it


# --------------------------------------------------------------------------- caps


def test_a_looping_model_is_capped_at_max_tool_steps(make_runtime: MakeRuntime) -> None:
    model = ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": "payments-api-1"}, call_id=f"c{i}") for i in range(20)])
    runtime = make_runtime(model, max_tool_steps=3)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    assert [t.name for t in answer.tools] == [DESCRIBE] * 3
    assert "Stopped after 3 tool steps." in answer.notes
    assert len(model.seen_messages) == 3
    assert [r["outcome"] for r in events(runtime, "llm.capped")] == ["Stopped after 3 tool steps."]


def test_the_turns_token_budget_stops_the_loop(make_runtime: MakeRuntime) -> None:
    def step(i: int) -> AIMessage:
        message = tool_call(DESCRIBE, {"resource_id": "payments-api-1"}, call_id=f"c{i}")
        message.usage_metadata = {"input_tokens": 500, "output_tokens": 100, "total_tokens": 600}
        return message

    model = ToolCallingFakeChatModel(responses=[step(i) for i in range(10)])
    runtime = make_runtime(model, llm_max_tokens=1000)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    assert len(model.seen_messages) == 2 and len(answer.tools) == 2
    assert "Stopped: the turn's model token budget (1000) is spent (1200 used)." in answer.notes
    assert events(runtime, "llm.usage")[0]["outcome"] == "steps=2 tokens=1200 input=1000 output=200"


class SlowModel(ToolCallingFakeChatModel):
    """A provider that does not answer until the test lets it (``release``)."""

    _release: threading.Event = PrivateAttr(default_factory=threading.Event)
    _answered: threading.Event = PrivateAttr(default_factory=threading.Event)

    def invoke(self, input: Any, *args: Any, **kwargs: Any) -> BaseMessage:
        self._release.wait(120)
        self._answered.set()
        return super().invoke(input, *args, **kwargs)

    def answered(self) -> bool:
        return self._answered.is_set()

    def release(self) -> None:
        self._release.set()


class BrokenModel(ToolCallingFakeChatModel):
    """A provider that fails (an outage, a bad key)."""

    def invoke(self, input: Any, *args: Any, **kwargs: Any) -> BaseMessage:
        raise ConnectionError("provider unreachable")


@pytest.mark.parametrize(("model", "note"), [
    (SlowModel(responses=[AIMessage(content="late")]),
     "Answered without the language model: the model did not answer within the turn's 0.5 s."),
    (BrokenModel(responses=[AIMessage(content="never")]),
     "Answered without the language model: the model provider failed (ConnectionError)."),
])
def test_a_provider_timeout_or_error_falls_back_to_the_offline_answer(
        make_runtime: MakeRuntime, model: Any, note: str) -> None:
    runtime = make_runtime(model, llm_timeout_s=0.5)
    try:
        answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
        if isinstance(model, SlowModel):
            assert not model.answered()  # the answer did not wait for the provider
    finally:
        if isinstance(model, SlowModel):
            model.release()
    offline = make_runtime(None).guardian.ask(Request(text="describe payments-api-1", user="alice"))
    assert answer.notes[0] == note
    assert answer.lead == offline.lead and [t.name for t in answer.tools] == [t.name for t in offline.tools]
    assert len(events(runtime, "llm.failed")) == 1


# --------------------------------------------------------------------------- bad tool calls


def test_malformed_and_unknown_tool_calls_run_nothing_and_the_model_is_told(
        make_runtime: MakeRuntime, sandbox: Any) -> None:
    instance_id, _ = _instance(sandbox, "payments-api-1")
    malformed = AIMessage(content="", invalid_tool_calls=[
        {"name": DESCRIBE, "args": "{resource_id: ", "id": "bad-json", "error": "not JSON",
         "type": "invalid_tool_call"}])
    model = ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": ""}, call_id="c1"),
        tool_call("shell_exec", {"cmd": "aws ec2 stop-instances"}, call_id="c2"),
        tool_call(STOP, {"instance_id": instance_id, "action": "explode"}, call_id="c3"),
        malformed,
        tool_call(DESCRIBE, {"resource_id": "payments-api-1"}, call_id="c5"),
        AIMessage(content=f"payments-api-1 is {instance_id}."),
    ])
    runtime = make_runtime(model, max_tool_steps=8)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    told = tool_messages(model)
    assert told[0].startswith(f"Invalid arguments for {DESCRIBE}: resource_id: ")
    assert told[1].startswith("Tool shell_exec is not available for infra.describe; nothing ran.")
    assert told[2].startswith(f"Tool {STOP} is not available for infra.describe")
    assert told[3].startswith(f"The call to {DESCRIBE} was malformed (not JSON)")
    assert [t.name for t in answer.tools] == [DESCRIBE] and answer.pending_approval is None
    assert answer.lead == f"payments-api-1 is {instance_id}."
    assert len(events(runtime, "llm.bad_call")) == 4


def test_a_write_with_invalid_arguments_is_not_proposed(make_runtime: MakeRuntime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "search-indexer-1")
    model = ToolCallingFakeChatModel(responses=[
        tool_call(STOP, {"instance_id": instance_id, "action": "explode"}),
        AIMessage(content="I could not do that."),
    ])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text="reboot search-indexer-1", user="alice"))
    assert answer.pending_approval is None
    assert tool_messages(model)[0].startswith(f"Invalid arguments for {STOP}: action: ")
    assert runtime.storage.approvals.list(statuses=None, limit=10)[0] == []
    assert _state(ec2, instance_id) == "running"


# --------------------------------------------------------------------------- follow-up


def test_a_follow_up_in_a_thread_uses_the_previous_turns_context(make_runtime: MakeRuntime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "payments-api-1")
    model = ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": "payments-api-1"}),
        AIMessage(content=f"payments-api-1 is {instance_id}."),
        tool_call(STOP, {"instance_id": instance_id, "action": "stop"}, call_id="c2",
                  text=f"Proposing to stop {instance_id}."),
    ])
    runtime = make_runtime(model)
    first = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice", thread_id="t-llm"))
    assert instance_id in first.resources
    second = runtime.guardian.ask(Request(text="stop it", user="alice", thread_id="t-llm"))
    [human] = [m for m in model.seen_messages[-1] if isinstance(m, HumanMessage)]
    assert '"previous_turn"' in str(human.content) and instance_id in str(human.content)
    assert second.skill == "infra.action" and second.pending_approval is not None
    assert runtime.storage.approvals.get(second.pending_approval.id).args["instance_id"] == instance_id
    assert second.lead == f"Proposing to stop {instance_id}."  # grounded by the thread's previous turn
    assert _state(ec2, instance_id) == "running"


# --------------------------------------------------------------------------- routing


def choose(skill: str) -> AIMessage:
    return tool_call("choose_skill", {"skill": skill}, call_id="route")


def test_fallback_routing_consults_the_model_only_when_the_router_is_unsure(make_runtime: MakeRuntime) -> None:
    model = ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": "payments-api-1"}), AIMessage(content="payments-api-1 is up."),
        choose("incident.list"), tool_call("pagerduty_open_incidents", {}), AIMessage(content="See the table."),
    ])
    runtime = make_runtime(model, llm_routing="fallback")
    sure = runtime.router.route("describe payments-api-1")
    unsure_text = "zorp the quibbly frandle"
    vague = runtime.router.route(unsure_text)
    assert sure.confidence >= runtime.settings.router_threshold > vague.confidence
    assert runtime.guardian.ask(Request(text="describe payments-api-1", user="alice")).skill == "infra.describe"
    assert events(runtime, "llm.route") == []
    answer = runtime.guardian.ask(Request(text=unsure_text, user="alice"))
    assert answer.skill == "incident.list" and [t.name for t in answer.tools] == ["pagerduty_open_incidents"]
    [record] = events(runtime, "llm.route")
    assert record["skill"] == "incident.list" and record["outcome"].endswith("'incident.list' used")


def test_an_unknown_skill_from_the_model_is_ignored(make_runtime: MakeRuntime) -> None:
    model = ToolCallingFakeChatModel(responses=[choose("ops.delete_everything")])
    runtime = make_runtime(model, llm_routing="always")
    answer = runtime.guardian.ask(Request(text="zorp the quibbly frandle", user="alice"))
    assert answer.clarify_options  # the offline router's clarifying question stands
    [record] = events(runtime, "llm.route")
    assert record["skill"] is None and record["outcome"].endswith("'ops.delete_everything' ignored")


def test_never_routing_does_not_consult_and_a_negated_action_is_not_rerouted(make_runtime: MakeRuntime) -> None:
    model = ToolCallingFakeChatModel(responses=[choose("infra.action"), AIMessage(content="Nothing to do.")])
    never = make_runtime(model, llm_routing="never")
    assert never.guardian.ask(Request(text="zorp the quibbly frandle", user="alice")).clarify_options
    assert model.seen_messages == []
    always = make_runtime(model, llm_routing="always")
    answer = always.guardian.ask(Request(text="do not stop payments-api-1", user="alice"))
    assert answer.skill != "infra.action" and answer.pending_approval is None
    [record] = events(always, "llm.route")
    assert record["outcome"].endswith("'infra.action' ignored")


def test_the_routing_call_counts_in_the_turns_token_budget(make_runtime: MakeRuntime) -> None:
    routed = choose("infra.describe")
    routed.usage_metadata = {"input_tokens": 850, "output_tokens": 50, "total_tokens": 900}
    step = tool_call(DESCRIBE, {"resource_id": "payments-api-1"}, call_id="c1")
    step.usage_metadata = {"input_tokens": 150, "output_tokens": 50, "total_tokens": 200}
    model = ToolCallingFakeChatModel(responses=[routed, step, AIMessage(content="never asked")])
    runtime = make_runtime(model, llm_routing="always", llm_max_tokens=1000)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    assert len(model.seen_messages) == 2 and [t.name for t in answer.tools] == [DESCRIBE]
    assert "Stopped: the turn's model token budget (1000) is spent (1100 used)." in answer.notes
    assert [r["outcome"] for r in events(runtime, "llm.usage")] == [
        "steps=1 tokens=900 input=850 output=50", "steps=1 tokens=200 input=150 output=50"]


def test_an_answer_relaying_an_injected_instruction_is_replaced(make_runtime: MakeRuntime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "payments-api-1")
    relayed = f"The logs say: {INJECTION_FIXTURE}."
    model = ToolCallingFakeChatModel(responses=[tool_call(LOGS, {"log_group": WEBHOOK_LOGS}),
                                                AIMessage(content=relayed)])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text=f"show errors in the {WEBHOOK_LOGS} logs", user="alice"))
    assert answer.lead != relayed and relayed not in answer.sentences()
    assert ("The model's answer relayed instructions found in the data; showing the answer built from the tool "
            "results instead.") in answer.notes
    assert INJECTION_FIXTURE not in "\n".join(answer.sentences())  # only inside a quoted log, marked as data
    [record] = events(runtime, "llm.ungrounded")
    assert record["outcome"].startswith("instruction(s) ")
    assert answer.pending_approval is None and _state(ec2, instance_id) == "running"


def test_an_id_the_model_made_up_for_a_call_is_not_grounded_by_that_call(
        make_runtime: MakeRuntime, sandbox: Any) -> None:
    made_up = "i-0f00f00f00f00f00f"
    model = ToolCallingFakeChatModel(responses=[
        tool_call(DESCRIBE, {"resource_id": made_up}),
        AIMessage(content=f"{made_up} is healthy."),
    ])
    runtime = make_runtime(model)
    answer = runtime.guardian.ask(Request(text="describe payments-api-1", user="alice"))
    assert [t.name for t in answer.tools] == [DESCRIBE]
    assert f"{made_up} is healthy." not in answer.sentences()
    [record] = events(runtime, "llm.ungrounded")
    assert record["outcome"] == f"id(s) {made_up}"
