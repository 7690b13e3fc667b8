"""A turn's caps on the model (OWASP LLM10): steps, tokens and wall time. Every model call
goes through ``TurnBudget.invoke``, so a provider that hangs, fails or overspends ends the
model's part of the turn, and the caller falls back to the offline answer.

Each model call is its own graph step (agents/llm_agent.py), so the budget travels between
steps, and across a crash and resume, as plain data in the checkpointed state
(``TurnBudget.saved`` / ``TurnBudget.restored``): the counters, and the turn's start as wall
time (a monotonic clock does not survive a process). A turn resumed after its deadline is
capped, not given a fresh budget."""

from __future__ import annotations

import contextvars
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage


class ModelFailed(Exception):
    """The provider raised, timed out or answered with something that is not a message;
    the message is one line fit for the user's note."""


@dataclass
class TurnBudget:
    """What one turn may still spend on the model."""

    max_steps: int
    max_tokens: int
    timeout_s: float
    started: float = field(default_factory=time.monotonic)
    steps: int = 0
    tokens: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    earlier_tokens: int = 0  # spent earlier in the turn (the supervisor's routing call)
    started_at: float = field(default_factory=time.time)  # ``started`` as wall time, for the checkpoint

    @classmethod
    def for_turn(cls, max_steps: int, max_tokens: int, timeout_s: float,
                 earlier: dict[str, float] | None = None) -> TurnBudget:
        """A budget for the rest of a turn whose earlier model calls spent ``earlier``
        (``{"seconds": s, "tokens": n}``)."""
        earlier = earlier or {}
        seconds = float(earlier.get("seconds", 0.0))
        return cls(max_steps, max_tokens, timeout_s, started=time.monotonic() - seconds,
                   earlier_tokens=int(earlier.get("tokens", 0)), started_at=time.time() - seconds)

    def saved(self) -> dict[str, float]:
        """The budget as plain data for the graph state (the caps themselves come from the
        settings at each step)."""
        return {"started_at": self.started_at, "steps": self.steps, "tokens": self.tokens,
                "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
                "earlier_tokens": self.earlier_tokens}

    @classmethod
    def restored(cls, max_steps: int, max_tokens: int, timeout_s: float, saved: dict[str, float]) -> TurnBudget:
        """The budget of a turn in progress, from ``saved()`` written by an earlier step,
        possibly in another process: the time since the turn's start (wall time) counts."""
        started_at = float(saved["started_at"])
        elapsed = max(time.time() - started_at, 0.0)
        return cls(max_steps, max_tokens, timeout_s, started=time.monotonic() - elapsed,
                   steps=int(saved.get("steps", 0)), tokens=int(saved.get("tokens", 0)),
                   input_tokens=int(saved.get("input_tokens", 0)), output_tokens=int(saved.get("output_tokens", 0)),
                   earlier_tokens=int(saved.get("earlier_tokens", 0)), started_at=started_at)

    def spent(self) -> dict[str, float]:
        return {"seconds": round(time.monotonic() - self.started, 3), "tokens": self.tokens + self.earlier_tokens}

    @property
    def remaining_s(self) -> float:
        return self.timeout_s - (time.monotonic() - self.started)

    def exhausted(self) -> str | None:
        """Why no further model call may be made, or None."""
        if self.steps >= self.max_steps:
            return f"Stopped after {self.max_steps} tool steps."
        if self.tokens + self.earlier_tokens >= self.max_tokens:
            return (f"Stopped: the turn's model token budget ({self.max_tokens}) is spent "
                    f"({self.tokens + self.earlier_tokens} used).")
        if self.remaining_s <= 0:
            return f"Stopped: the turn's model time budget ({self.timeout_s:g} s) is spent."
        return None

    def invoke(self, model: Any, messages: list[BaseMessage]) -> AIMessage:
        """One model call within the remaining time; its tokens are counted. The call runs
        in a daemon thread so a provider that never answers cannot hold the turn (the thread
        is abandoned; its late reply is dropped)."""
        self.steps += 1
        reply = _call_with_timeout(model, messages, max(self.remaining_s, 0.001), self.timeout_s)
        self.tokens += tokens_of(reply)
        usage = getattr(reply, "usage_metadata", None) or {}
        self.input_tokens += int(usage.get("input_tokens", 0))
        self.output_tokens += int(usage.get("output_tokens", 0))
        return reply

    def usage(self) -> str:
        """The audit's ``llm.usage`` outcome (the eval runner sums it for tokens and cost)."""
        return (f"steps={self.steps} tokens={self.tokens} input={self.input_tokens} "
                f"output={self.output_tokens}")


def tokens_of(message: BaseMessage) -> int:
    """Total tokens a reply reports (``usage_metadata``); 0 when the provider reports none."""
    usage = getattr(message, "usage_metadata", None) or {}
    total = usage.get("total_tokens")
    if total is None:
        total = int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))
    return int(total)


def _call_with_timeout(model: Any, messages: list[BaseMessage], seconds: float, cap: float) -> AIMessage:
    box: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)
    context = contextvars.copy_context()  # LangChain's callbacks and LangGraph's config live in contextvars

    def call() -> None:
        try:
            box.put((True, context.run(model.invoke, list(messages))))
        except Exception as exc:  # the provider's error, reported in the turn's thread
            box.put((False, exc))

    threading.Thread(target=call, name="guardian-llm", daemon=True).start()
    try:
        ok, value = box.get(timeout=seconds)
    except queue.Empty:
        raise ModelFailed(f"the model did not answer within the turn's {cap:g} s") from None
    if not ok:
        raise ModelFailed(f"the model provider failed ({type(value).__name__})") from value
    if not isinstance(value, AIMessage):
        raise ModelFailed(f"the model answered with a {type(value).__name__}, not a message")
    return value
