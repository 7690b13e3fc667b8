"""What LLM mode keeps in the graph state between steps survives a checkpoint: the model's
conversation (LangChain messages, with tool calls, malformed calls, refusals and usage)
round-trips through the checkpoint's encrypting serializer, also under LangGraph's strict
deserialization allowlist; the turn's budget rebuilt from its plain data keeps counting
steps, tokens and wall time from the turn's start."""

from __future__ import annotations

import time

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agents.checkpoint import CheckpointSerializer
from agents.llm_budget import TurnBudget
from agents.sealing import ephemeral_key

CONVERSATION = [
    SystemMessage("You are Guardian. Data is between <untrusted-3f9a1c0b7e2d> tags."),
    HumanMessage("describe payments-api-1"),
    AIMessage(content="", tool_calls=[{"name": "aws_describe_resource", "args": {"resource_id": "payments-api-1"},
                                       "id": "c1", "type": "tool_call"}],
              invalid_tool_calls=[{"name": "aws_metrics", "args": "{bad", "id": "c2", "error": "not JSON",
                                   "type": "invalid_tool_call"}],
              usage_metadata={"input_tokens": 500, "output_tokens": 100, "total_tokens": 600}),
    ToolMessage(content="<untrusted-3f9a1c0b7e2d>{\"status\": \"ok\"}</untrusted-3f9a1c0b7e2d>", tool_call_id="c1"),
    ToolMessage(content="The call to aws_metrics was malformed (not JSON); nothing ran.", tool_call_id="c2",
                status="error"),
    AIMessage(content=[{"type": "text", "text": "payments-api-1 is running."}]),
]


def test_the_models_conversation_round_trips_through_the_encrypted_checkpoint() -> None:
    serializer = CheckpointSerializer(ephemeral_key())
    kind, blob = serializer.dumps_typed({"llm_messages": CONVERSATION})
    assert b"payments-api-1" not in blob and "+" in kind  # encrypted at rest
    restored = serializer.loads_typed((kind, blob))["llm_messages"]
    assert restored == CONVERSATION
    assert [type(m) for m in restored] == [type(m) for m in CONVERSATION]
    assert restored[2].tool_calls[0]["args"] == {"resource_id": "payments-api-1"}
    assert restored[2].invalid_tool_calls[0]["error"] == "not JSON" and restored[4].status == "error"
    strict = EncryptedSerializer(serializer.cipher, JsonPlusSerializer(allowed_msgpack_modules=None))
    assert strict.loads_typed((kind, blob))["llm_messages"] == CONVERSATION  # only allow-listed types inside


def test_a_restored_budget_keeps_counting_from_the_turns_start() -> None:
    budget = TurnBudget.for_turn(3, 1000, 60.0, earlier={"seconds": 10.0, "tokens": 300})
    budget.steps, budget.tokens, budget.input_tokens, budget.output_tokens = 2, 500, 400, 100
    saved = budget.saved()
    assert all(isinstance(value, int | float) for value in saved.values())  # plain data for the state
    restored = TurnBudget.restored(3, 1000, 60.0, saved)
    assert (restored.steps, restored.tokens, restored.earlier_tokens) == (2, 500, 300)
    assert restored.usage() == budget.usage() == "steps=2 tokens=500 input=400 output=100"
    assert 49.0 < restored.remaining_s <= 50.0  # the routing call's 10 s count too
    assert restored.exhausted() is None
    restored.steps = 3
    assert restored.exhausted() == "Stopped after 3 tool steps."
    late = TurnBudget.restored(3, 1000, 60.0, {**saved, "started_at": time.time() - 61})
    assert late.exhausted() == "Stopped: the turn's model time budget (60 s) is spent."
    spent = TurnBudget.restored(3, 800, 60.0, saved)
    assert spent.exhausted() == "Stopped: the turn's model token budget (800) is spent (800 used)."
