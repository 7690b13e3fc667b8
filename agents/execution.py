"""Running an approved write: claim it (approved -> executing), run it once with exactly
the arguments the approver saw, record the result. Shared by the graph's execute node and
by an operator's ``approvals resume`` after a crash, so both take the same guarded path."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from agents.approvals import ApprovalError, ApprovalStore
from agents.audit import AuditLog, Origin
from agents.progress import report, tool_step
from agents.redact import redact_obj
from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry

if TYPE_CHECKING:
    from agents.deps import GraphDeps
    from agents.planner import PlannedCall

log = logging.getLogger(__name__)


@dataclass
class Execution:
    """What happened to one approved write; ``call`` is the tool record for the answer."""

    text: str
    call: dict[str, Any] | None = None


def run_approved(approvals: ApprovalStore, audit: AuditLog, registry: ToolRegistry, ctx: ToolContext,
                 approval_id: str, origin: Origin) -> Execution:
    try:
        call = approvals.claim(approval_id)
    except ApprovalError as exc:
        audit.record(origin, "action.claim", outcome=f"refused: {exc}", approval_id=approval_id)
        return Execution(f"{exc} Nothing was run.")
    record = approvals.get(approval_id)
    audit.record(origin, "action.claimed", skill=record.skill, tool=call.tool, args=call.args,
                 approval_id=approval_id, outcome="executing")
    report(f"Running the approved {call.tool}…")
    started = time.perf_counter()
    result = registry.execute(call, ctx)
    elapsed = (time.perf_counter() - started) * 1000
    status = "executed" if result.status == "ok" else ("refused" if result.facts.get("refused") else "failed")
    try:
        approvals.finish(approval_id, status=status, result=result.summary)
    except (ApprovalError, SQLAlchemyError, OSError):
        # The write happened (or was refused); losing the bookkeeping must not lose the
        # answer. The approval stays "executing", which `approvals list` shows.
        log.exception("could not record the result of approval %s", approval_id)
    audit.record(origin, f"action.{status}", skill=record.skill, tool=call.tool, args=call.args,
                 outcome=result.summary, duration_ms=elapsed, approval_id=approval_id)
    verb = {"executed": "Done", "failed": "Failed", "refused": "Not done"}[status]
    summary = result.summary.removeprefix("Not done: ")
    return Execution(f"{verb} (approved by {record.decided_by}, {approval_id}): {summary}",
                     tool_record(call.tool, call.args, result))


def run_read(deps: GraphDeps, origin: Origin, skill: str, call: PlannedCall) -> dict[str, Any]:
    """Run one read tool and audit it (arguments redacted, outcome, duration)."""
    report(tool_step(call.spec))
    started = time.perf_counter()
    result = deps.registry.invoke(call.spec.name, call.args, deps.tool_ctx)
    deps.audit.record(origin, "tool", skill=skill, tool=call.spec.name, args=call.args, outcome=result.status,
                      duration_ms=(time.perf_counter() - started) * 1000)
    return tool_record(call.spec.name, call.args, result)


def tool_record(name: str, args: dict[str, Any], result: ToolResult) -> dict[str, Any]:
    """One tool call as the graph state and the answer keep it (arguments redacted: the raw
    ones live sealed in the approval and go only to the registry)."""
    return {"tool": name, "args": redact_obj(args), "result": result.model_dump()}
