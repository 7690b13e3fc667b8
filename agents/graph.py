"""The LangGraph graph: supervisor -> one of six agents -> (approval -> execute) -> answer.

Nodes are small functions over a typed state. A write tool never runs from an agent node:
the agent proposes it, the approval node interrupts, and only the execute node, after it
has re-read an *approved* decision from the database, may invoke it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from agents.answer import Answer, PendingApproval
from agents.planner import RUNBOOK_TOOL, Plan, PlannedCall, plan_for
from agents.request import Request
from agents.route import Route
from agents.skills import AGENTS
from agents.storage import ApprovalError, Storage
from agents.templates import build_answer, clarify_answer, help_answer
from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry

log = logging.getLogger(__name__)




class GraphState(TypedDict, total=False):
    request: dict[str, Any]
    route: dict[str, Any]
    calls: list[dict[str, Any]]
    runbook: dict[str, Any] | None
    proposal: dict[str, Any] | None
    decision: dict[str, Any] | None
    outcome: str | None
    llm_text: str | None
    notes: list[str]
    answer: dict[str, Any]


@dataclass
class GraphDeps:
    """What the nodes need; built by the composition root in bot/."""

    router: Any  # agents.router.SkillRouter (route(text) -> Route)
    registry: ToolRegistry
    tool_ctx: ToolContext
    storage: Storage
    threshold: float = 0.45
    chat_model: Any | None = None
    max_tool_steps: int = 6


def _record(name: str, args: dict[str, Any], result: ToolResult) -> dict[str, Any]:
    return {"tool": name, "args": args, "result": result.model_dump()}


def build_graph(deps: GraphDeps, checkpointer: Any) -> Any:
    """Compile the graph with a checkpointer (SQLite or PostgreSQL)."""

    def supervisor(state: GraphState) -> Command[Any]:
        request = Request.model_validate(state["request"])
        route: Route = deps.router.route(request.text)
        update: dict[str, Any] = {"route": route.model_dump(), "calls": [], "runbook": None,
                                  "proposal": None, "decision": None, "outcome": None,
                                  "llm_text": None, "notes": []}
        if route.skill == "help":
            return Command(goto="help", update=update)
        if route.confidence < deps.threshold:
            return Command(goto="clarify", update=update)
        return Command(goto=route.agent, update=update)

    def help_node(state: GraphState) -> dict[str, Any]:
        route = Route.model_validate(state["route"])
        names: dict[str, list[str]] = {}
        for spec in deps.registry.all():
            for skill in spec.skills:
                names.setdefault(skill, []).append(spec.name)
        return {"answer": help_answer(route, names).model_dump()}

    def clarify_node(state: GraphState) -> dict[str, Any]:
        return {"answer": clarify_answer(Route.model_validate(state["route"])).model_dump()}

    def agent_node(state: GraphState, config: RunnableConfig) -> Command[Literal["approval", "answer"]]:
        route = Route.model_validate(state["route"])
        request = Request.model_validate(state["request"])
        plan = plan_for(route, deps.registry, configured={"aws", "knowledge", *deps.tool_ctx.extras})
        if deps.chat_model is not None:
            from agents.llm_agent import run_llm_agent

            outcome = run_llm_agent(deps, request, route)
            calls, proposal_call, llm_text, notes = outcome.calls, outcome.proposal, outcome.text, outcome.notes
        else:
            calls = [_run_read(call) for call in plan.reads]
            proposal_call, llm_text = plan.write, None
            notes = _missing_notes(plan, route)
        runbook = _runbook(route, plan)
        update: dict[str, Any] = {"calls": calls, "runbook": runbook, "llm_text": llm_text, "notes": notes}
        if proposal_call is None:
            return Command(goto="answer", update=update)
        preflight = _preflight(proposal_call)
        if preflight.status != "ok":
            calls.append(_record(proposal_call.spec.name + ".preflight", proposal_call.args, preflight))
            return Command(goto="answer", update=update)
        proposal_call = _pinned(proposal_call, preflight)
        approval = deps.storage.create_approval(
            checkpoint_thread=str(config["configurable"]["thread_id"]),
            conversation=request.thread_id, skill=route.skill, tool=proposal_call.spec.name,
            args=proposal_call.args, summary=preflight.summary, requested_by=request.user,
        )
        pending = PendingApproval(id=approval.id, action=proposal_call.spec.name, summary=preflight.summary)
        proposal = {"approval_id": approval.id, "tool": proposal_call.spec.name,
                    "args": proposal_call.args, "summary": preflight.summary}
        answer = build_answer(route, calls, runbook=runbook, pending=pending, llm_text=llm_text, notes=notes)
        update.update({"proposal": proposal, "answer": answer.model_dump()})
        return Command(goto="approval", update=update)

    def approval_node(state: GraphState) -> Command[Literal["execute", "answer"]]:
        proposal = state["proposal"] or {}
        # Resumed with the decision; this node re-runs from its start on resume, so it has
        # no side effects before interrupt().
        decision = interrupt({"approval_id": proposal.get("approval_id"), "summary": proposal.get("summary")})
        if isinstance(decision, dict) and decision.get("approve"):
            return Command(goto="execute", update={"decision": decision})
        user = decision.get("user", "?") if isinstance(decision, dict) else "?"
        return Command(goto="answer", update={"decision": decision,
                                             "outcome": f"Denied by {user}: nothing was changed."})

    def execute_node(state: GraphState) -> dict[str, Any]:
        proposal = state["proposal"] or {}
        approval_id = str(proposal.get("approval_id"))
        try:
            record = deps.storage.get_approval(approval_id)
        except ApprovalError as exc:
            return {"outcome": str(exc)}
        if record.status != "approved":  # complete mediation: the database decides, not the payload
            return {"outcome": f"Approval {approval_id} is {record.status}; nothing was changed."}
        result = deps.registry.invoke(record.tool, record.args, deps.tool_ctx, approval_id=approval_id)
        deps.storage.finish(approval_id, ok=result.status == "ok", result=result.summary)
        deps.storage.audit(record.decided_by or "?", "action.executed" if result.status == "ok"
                           else "action.failed", record.skill,
                           {"approval": approval_id, "tool": record.tool, "args": record.args,
                            "result": result.summary})
        verb = "Done" if result.status == "ok" else "Failed"
        return {"calls": [*state.get("calls", []), _record(record.tool, record.args, result)],
                "outcome": f"{verb} (approved by {record.decided_by}, `{approval_id}`): {result.summary}"}

    def answer_node(state: GraphState) -> dict[str, Any]:
        route = Route.model_validate(state["route"])
        calls = state.get("calls", [])
        if state.get("proposal") and state.get("decision") is not None:
            # After a decision, the answer is about the action, not the earlier reads.
            calls = [call for call in calls if call["tool"] == state["proposal"]["tool"]]  # type: ignore[index]
        answer = build_answer(route, calls, runbook=state.get("runbook"), outcome=state.get("outcome"),
                              llm_text=state.get("llm_text") if not state.get("decision") else None,
                              notes=state.get("notes", []))
        return {"answer": answer.model_dump()}

    def _run_read(call: PlannedCall) -> dict[str, Any]:
        return _record(call.spec.name, call.args, deps.registry.invoke(call.spec.name, call.args, deps.tool_ctx))

    def _preflight(call: PlannedCall) -> ToolResult:
        spec = call.spec
        if spec.preflight is None:
            return ToolResult(status="ok", summary=f"run {spec.name} with {call.args}")
        try:
            parsed = spec.args_model.model_validate(call.args)
            return spec.preflight(deps.tool_ctx, parsed)
        except Exception as exc:
            log.exception("preflight of %s failed", spec.name)
            return ToolResult.error(f"Could not check {spec.name} before asking for approval: {exc}")

    def _pinned(call: PlannedCall, preflight: ToolResult) -> PlannedCall:
        """Arguments the preflight resolved (e.g. "the latest failed run" -> its id) are pinned,
        so what runs after approval is exactly what the human approved."""
        args = dict(call.args)
        for name in call.spec.args_model.model_fields:
            if args.get(name) is None and preflight.facts.get(name) is not None:
                args[name] = preflight.facts[name]
        try:
            call.spec.args_model.model_validate(args)
        except Exception:
            return call
        return PlannedCall(call.spec, args)

    def _runbook(route: Route, plan: Plan) -> dict[str, Any] | None:
        if not plan.runbook_query or RUNBOOK_TOOL not in deps.registry:
            return None
        query = f"{plan.runbook_query}. {route.text}"
        result = deps.registry.invoke(RUNBOOK_TOOL, {"query": query, "k": 1}, deps.tool_ctx)
        return result.model_dump() if result.status == "ok" else None

    graph = StateGraph(GraphState)
    graph.add_node("supervisor", supervisor)
    graph.add_node("help", help_node)
    graph.add_node("clarify", clarify_node)
    for agent in AGENTS:
        graph.add_node(agent, agent_node)
    graph.add_node("approval", approval_node)
    graph.add_node("execute", execute_node)
    graph.add_node("answer", answer_node)
    graph.add_edge(START, "supervisor")
    graph.add_edge("help", END)
    graph.add_edge("clarify", END)
    graph.add_edge("execute", "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer)


def _missing_notes(plan: Plan, route: Route) -> list[str]:
    if not plan.missing:
        return []
    needed = ", ".join(plan.missing)
    return [f"To do that I need: {needed} (for example `stop i-0abc1234`)." if route.skill == "infra.action"
            else f"To do that I need: {needed}."]


__all__ = ["Answer", "GraphDeps", "GraphState", "build_graph"]
