"""A write a program names (MCP's tool call, ``Guardian.ask(..., tool_call=...)``) takes the
chat path from the policy on: same preflight, approval record and interrupt, run only after a
person decides. Reuses test_graph's world: real router, SQLite checkpoints and approvals."""

from __future__ import annotations

import pytest

from agents.policy import AccessPolicy, parse_policy
from agents.request import Request, ToolCall
from tests.agents import test_graph
from tests.agents.test_graph import World

pytestmark = pytest.mark.slow
world = test_graph.world  # the same fixture, under its name here

POLICY = """\
roles:
  reader: {ask: ["infra.describe", "knowledge.*", "help"]}
  oncall: {ask: ["*"], approve: ["infra.action"]}
users: {agent: [oncall], bob: [oncall]}
default_roles: [reader]
"""


def test_a_named_write_waits_for_approval_then_runs_once(world: World) -> None:
    guardian = world.guardian()
    asked = guardian.ask(Request(text="test_power (MCP call)", user="agent", surface="mcp"),
                         tool_call=ToolCall(tool="test_power", args={"instance_id": "i-0bbb5678eee", "action": "stop"}))
    pending = asked.pending_approval
    assert asked.skill == "infra.action" and pending is not None
    assert pending.action == "test_power" and pending.summary == "stop i-0bbb5678eee (now running)"
    assert asked.tools == [] and world.machines.changes == []
    record = guardian.deps.approvals.get(pending.id)
    assert (record.requested_by, record.surface, record.status) == ("agent", "mcp", "pending")
    world.guardian().decide(pending.id, approve=True, user="bob")
    assert world.machines.changes == [("i-0bbb5678eee", "stop")]
    routed = [e for e in guardian.deps.audit.query(event="route") if e["surface"] == "mcp"]
    assert [(e["tool"], e["outcome"]) for e in routed] == [("test_power", "direct call")]


def test_a_named_read_or_unknown_tool_is_refused_and_creates_nothing(world: World) -> None:
    guardian = world.guardian()
    for tool in ("knowledge_search_runbooks", "no_such_tool"):
        answer = guardian.ask(Request(text=f"{tool} (MCP call)", user="agent"), tool_call=ToolCall(tool=tool))
        assert answer.pending_approval is None
        assert f"{tool} is not a write tool" in answer.lead
    assert guardian.deps.approvals.list(statuses=None) == ([], 0)


def test_the_policy_refuses_a_named_write_like_a_chat_request(world: World) -> None:
    world.policy = AccessPolicy(parse_policy(POLICY))
    guardian = world.guardian()
    call = ToolCall(tool="test_power", args={"instance_id": "i-0abc1234def", "action": "stop"})
    answer = guardian.ask(Request(text="test_power (MCP call)", user="viewer"), tool_call=call)
    assert answer.pending_approval is None and "role oncall would" in answer.lead
    assert guardian.deps.approvals.list(statuses=None) == ([], 0)
    assert world.machines.changes == []
