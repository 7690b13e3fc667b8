"""The graph's front door for every surface: ask a question, decide an approval.

Each turn runs on its own checkpoint thread (``<conversation>:<turn>``), so a paused
approval survives later messages in the same conversation and can be resumed by id from
any process or replica.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from langgraph.types import Command

from agents.answer import Answer
from agents.graph import GraphDeps, build_graph
from agents.request import Request
from agents.storage import ApprovalError

log = logging.getLogger(__name__)


class Guardian:
    """Runs turns through the compiled graph and records them in the audit trail."""

    def __init__(self, deps: GraphDeps, checkpointer: Any) -> None:
        self.deps = deps
        self.graph = build_graph(deps, checkpointer)

    def ask(self, request: Request) -> Answer:
        config = {"configurable": {"thread_id": f"{request.thread_id}:{uuid.uuid4().hex[:8]}"}}
        started = time.perf_counter()
        state = self.graph.invoke({"request": request.model_dump()}, config)
        answer = Answer.model_validate(state["answer"])
        self.deps.storage.audit(request.user, "ask", answer.skill, {
            "surface": request.surface, "channel": request.channel, "thread": request.thread_id,
            "text": request.text, "tools": [t.model_dump() for t in answer.tools],
            "pending_approval": answer.pending_approval.id if answer.pending_approval else None,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        })
        return answer

    def decide(self, approval_id: str, *, approve: bool, user: str) -> Answer:
        """Record the decision (once), then resume the paused turn, which runs the action
        only if the database says approved."""
        record = self.deps.storage.get_approval(approval_id)
        config = {"configurable": {"thread_id": record.checkpoint_thread}}
        if record.status == "pending" and not self.graph.get_state(config).interrupts:
            raise ApprovalError(f"Approval {record.id} has no paused turn to resume (it may have expired).")
        record = self.deps.storage.decide(approval_id, approve=approve, user=user)
        return self._resume(config, approve=approve, user=user)

    def _resume(self, config: dict[str, Any], *, approve: bool, user: str) -> Answer:
        state = self.graph.invoke(Command(resume={"approve": approve, "user": user}), config)
        return Answer.model_validate(state["answer"])
