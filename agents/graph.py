"""The LangGraph graph: supervisor -> (policy) -> one of six agents -> (approval -> execute)
-> answer. In LLM mode the agent hands over to the model's loop, one step per model call
and per round of its tool calls: agent -> llm_model <-> llm_tools -> llm_finish ->
(approval -> execute) -> answer (agents/llm_agent.py).

Nodes are module-level functions over a typed state; what they need (router, tools,
stores, policy) arrives as LangGraph's runtime context (``GraphDeps``), built once in
``bot/``. A write tool never runs from an agent node: the agent proposes it with the
preflight's pinned arguments, the approval node interrupts, and only the execute node,
after claiming the approval in the database, may run it.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Collection, Sequence
from typing import Any, Literal, TypedDict

from langchain_core.messages import BaseMessage
from langgraph.config import get_config
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt
from sqlalchemy.exc import SQLAlchemyError

from agents.answer import Answer, PendingApproval
from agents.asker import asker_meant
from agents.audit import Origin
from agents.deps import GraphDeps, origin_of
from agents.elsewhere import all_not_found, not_found, on_a_cloud, other_cloud_plans, searched_note
from agents.execution import run_approved, run_read, tool_record
from agents.followup import apply_context, spend_ahead
from agents.llm_agent import FINISH_NODE, MODEL_NODE, TOOLS_NODE, llm_model, llm_tools
from agents.llm_agent import begin as begin_llm
from agents.llm_agent import finish as finish_llm
from agents.llm_router import consult
from agents.mood import VERBS, asks_permission
from agents.pasted import plain_text
from agents.planner import RUNBOOK_TOOL, Plan, PlannedCall
from agents.request import Request, ToolCall
from agents.route import Route
from agents.skills import SKILL_BY_NAME, SKILLS
from agents.specialists import SPECIALISTS, Specialist, plan_clouds, specialist_for
from agents.templates import (
    asked_read,
    asked_write,
    asks_changes_at_large,
    asks_own_rights,
    build_answer,
    clarify_answer,
    help_answer,
    refusal_answer,
    would_do,
)
from tools.base import ToolResult

log = logging.getLogger(__name__)


class GraphState(TypedDict, total=False):
    request: dict[str, Any]
    tool_call: dict[str, Any] | None  # a write a program named (agents.request.ToolCall), not words
    route: dict[str, Any]
    calls: list[dict[str, Any]]
    runbook: dict[str, Any] | None
    proposal: dict[str, Any] | None
    decision: dict[str, Any] | None
    outcome: str | None
    llm_text: str | None
    llm_spent: dict[str, float]  # the supervisor's model call, counted in the turn's caps
    llm_messages: list[BaseMessage]  # LLM mode: the model's conversation this turn (agents/llm_agent.py)
    llm: dict[str, Any] | None  # LLM mode: the loop's budget, tag, text, proposal and notes, as plain data
    notes: list[str]
    answer: dict[str, Any]


# --------------------------------------------------------------------------- nodes


def supervisor(state: GraphState, runtime: Runtime[GraphDeps]) -> Command[
        Literal["help", "clarify", "refused", "cost", "security", "infrastructure", "cicd", "incident",
                "knowledge"]]:
    """Route the request to one skill, then ask the access policy whether this user may."""
    deps = runtime.context
    request = Request.model_validate(state["request"])
    origin = origin_of(request)
    if state.get("tool_call"):
        return _direct_call_route(deps, request, ToolCall.model_validate(state["tool_call"]), origin)
    # a pasted Slack message's markup (a mention, a <url|label> link) is read as the words it stands for
    route: Route = deps.router.route(plain_text(request.text))
    if deps.conversations is not None:  # a follow-up borrows the previous turn's skill or target
        route = apply_context(route, deps.conversations.get(request.thread_id), deps.threshold)
    route = asker_meant(route, request)  # "assigned to me": the asker's own incidents
    route = spend_ahead(route)  # a spend of a period still to come is a forecast
    route, spent = consult(deps, route, origin)  # LLM mode: the model's pick where the router is unsure
    update: dict[str, Any] = {"route": route.model_dump(), "calls": [], "runbook": None, "proposal": None,
                              "decision": None, "outcome": None, "llm_text": None, "notes": [], "llm_spent": spent}
    # help is a read like any other: text that resembles nothing (gibberish, whose best guess may
    # be help as well as anything) gets the clarifying question, not the catalogue
    confident = route.confidence >= deps.threshold
    hedged = not confident and _answered_unsure(deps, route)
    deps.audit.record(origin, "route", skill=route.skill, outcome=f"{route.mood} {route.confidence:.2f}"
                      + ("" if confident else " unsure, answered" if hedged else " clarify"),
                      args={"text": request.text})
    if not (confident or hedged):
        return Command(goto="clarify", update=update)
    return _allowed_route(deps, request, origin, route, update)


def _answered_unsure(deps: GraphDeps, route: Route) -> bool:
    """An unsure read above the floor is answered rather than asked about: on the tunable
    routing sets, each left out, the router's first guess between 0.25 and 0.45 is right about
    7 times in 10 (``bench_route.py --tunable-only --bands``, docs/BENCHMARKS.md), a wrong read
    costs one reply, as a clarifying question would, and the note names the other guesses. A
    write stays a question: nothing is proposed on a guess."""
    return route.confidence >= deps.answer_floor and not SKILL_BY_NAME[route.skill].mutating


def _unsure_notes(deps: GraphDeps, route: Route) -> list[str]:
    """An answer to an unsure route names what it answered and the router's next guesses, so a
    wrong guess costs one reply."""
    if route.skill == "help" or route.confidence >= deps.threshold:
        return []
    others = "; ".join(SKILL_BY_NAME[skill].purpose for skill, _ in route.alternatives[:2] if skill != "help")
    return [f"Not sure I read this right: answered as {SKILL_BY_NAME[route.skill].purpose}."
            + (f" Other readings: {others}. Rephrase if you meant one of those." if others else "")]


def _allowed_route(deps: GraphDeps, request: Request, origin: Origin, route: Route,
                   update: dict[str, Any]) -> Command[Any]:
    """Ask the access policy whether this user may use the routed skill, then go to it."""
    decision = deps.policy.may_ask(request.user, route.skill)
    deps.audit.record(origin, "policy.ask", skill=route.skill,
                      outcome=("allowed: " if decision.allowed else "refused: ") + decision.reason)
    if not decision.allowed:
        return Command(goto="refused", update={**update, "outcome": decision.reason})
    if route.skill == "help":
        return Command(goto="help", update=update)
    return Command(goto=route.agent, update=update)


def _direct_call_route(deps: GraphDeps, request: Request, call: ToolCall, origin: Origin) -> Command[Any]:
    """A write named by a program (MCP): no routing, its tool's skill is the route; the policy
    and the approval path are the ones every chat request takes. Anything but a write tool
    is refused here (reads never need a graph turn, and must not become approvals)."""
    spec = deps.registry.get(call.tool) if call.tool in deps.registry else None
    skill = spec.skills[0] if spec is not None and spec.mutating and spec.skills else None
    route = Route(text=request.text, agent=SKILL_BY_NAME[skill].agent if skill else "knowledge",
                  skill=skill or "help", confidence=1.0)
    update: dict[str, Any] = {"route": route.model_dump(), "calls": [], "runbook": None, "proposal": None,
                              "decision": None, "outcome": None, "llm_text": None, "notes": []}
    deps.audit.record(origin, "route", skill=skill, tool=call.tool, outcome="direct call",
                      args={"text": request.text})
    if skill is None:
        why = f"Refused: {call.tool} is not a write tool; only write tools are proposed for approval."
        return Command(goto="refused", update={**update, "outcome": why})
    return _allowed_route(deps, request, origin, route, update)


def help_node(state: GraphState, runtime: Runtime[GraphDeps]) -> dict[str, Any]:
    route = Route.model_validate(state["route"])
    names: dict[str, list[str]] = {}
    for spec in runtime.context.registry.all():
        for skill in spec.skills:
            names.setdefault(skill, []).append(spec.name)
    request = Request.model_validate(state["request"])
    return {"answer": help_answer(route, names, _policy_lines(runtime.context, request, route)).model_dump()}


def _policy_lines(deps: GraphDeps, request: Request, route: Route) -> list[str]:
    """How the action a help question is about would be carried out ("does it have to go
    through you?", "does someone have to approve that first?"): the policy's answer for this user."""
    skill = asked_write(route)
    if skill is None and asks_changes_at_large(route):
        # "can the bot change prod on its own?": every write it can make, and who approves each
        return _changes_at_large(deps)
    if skill is None and asks_own_rights(route) and deps.policy.enforced:
        # "what am I allowed to use you for?": every skill this user may ask, and those they may not
        return [_own_rights(deps, request.user)]
    if skill is None:
        read = asked_read(route)
        if read is None or not deps.policy.enforced:
            return []
        # "am I even allowed to ask for forecasts?": whether this user may, and by which role
        decision = deps.policy.may_ask(request.user, read)
        return [f"{read} ({SKILL_BY_NAME[read].purpose}): " + (
            f"yes, you may ask for it ({decision.reason}); it changes nothing, so no approval is needed."
            if decision.allowed else f"you may not ask for it: {decision.reason.removeprefix('Refused: ')}")]
    asked = f"To {_action(skill)}: ask me (e.g. {_asked_directly(skill)}). I propose it, and nothing changes until "
    if not deps.policy.enforced:
        return [asked + "it is approved; with no access policy (local single-user mode) you may approve it yourself."]
    decision = deps.policy.may_ask(request.user, skill)
    may = f"You may ask for it ({decision.reason})." if decision.allowed else \
        f"You may not ask for it: {decision.reason.removeprefix('Refused: ')}"
    return [asked + f"someone approves it: {deps.policy.approval_rule(skill)}.", may]


def _own_rights(deps: GraphDeps, user: str) -> str:
    """What the access policy lets ``user`` ask for, by skill, and what it does not (with the
    role that would)."""
    decisions = [(skill, deps.policy.may_ask(user, skill.name)) for skill in SKILLS]
    allowed = [skill.name for skill, decision in decisions if decision.allowed]
    refused = [(skill.name, decision) for skill, decision in decisions if not decision.allowed]
    roles = deps.policy.roles_of(user)
    held = f"role {', '.join(roles)}" if roles else "no role"
    if not allowed:
        return f"You ({user}, {held}) may not ask me for anything: the access policy allows you no skill."
    said = f"You ({user}, {held}) may ask me for: {', '.join(allowed)}."
    if not refused:
        return said + " That is every skill I have."
    would = {role for _name, decision in refused for role in decision.would_allow}
    return (said + f" Not for: {', '.join(name for name, _decision in refused)}"
            + (f" (role {' or '.join(sorted(would))} may)." if would else " (no role in the access policy may)."))


def _changes_at_large(deps: GraphDeps) -> list[str]:
    """Every write Guardian can make, grouped by who approves it: nothing changes on its own."""
    writes = [skill for skill in SKILLS if skill.mutating]
    if not deps.policy.enforced:
        rules = {"anyone (no access policy: local single-user mode)": writes}
    else:
        rules = {}
        for skill in writes:
            rules.setdefault(deps.policy.approval_rule(skill.name), []).append(skill)
    said = "; ".join(f"{', '.join(skill.name for skill in skills)} approved by {rule}"
                     for rule, skills in rules.items())
    return [f"I change nothing on my own: every change I can make is proposed first and runs only once a human "
            f"approves it ({said}). Reads change nothing and need no approval."]


def _action(skill: str) -> str:
    """A write skill's action in words ("re-run a failed workflow/job"), for notes about it."""
    return SKILL_BY_NAME[skill].purpose.split(",")[0]


def _asked_directly(skill: str) -> str:
    """How to ask for a write skill's action ("ack <name>"), quoted, for notes about it."""
    return f"\"{VERBS[skill][0][0]} <name>\""


def clarify_node(state: GraphState) -> dict[str, Any]:
    return {"answer": clarify_answer(Route.model_validate(state["route"])).model_dump()}


def refused_node(state: GraphState) -> dict[str, Any]:
    route = Route.model_validate(state["route"])
    return {"answer": refusal_answer(route, state.get("outcome") or "Refused by the access policy.").model_dump()}


class AgentNode:
    """The graph node of one specialist: its own plan, then the shared steps."""

    def __init__(self, specialist: Specialist) -> None:
        self.specialist = specialist
        self.__name__ = specialist.name  # LangGraph names nodes after their callables

    def __call__(self, state: GraphState,
                 runtime: Runtime[GraphDeps]) -> Command[Literal["approval", "answer", "llm_model", "llm_finish"]]:
        return run_agent(self.specialist, state, runtime)


def run_agent(specialist: Specialist, state: GraphState,
              runtime: Runtime[GraphDeps]) -> Command[Literal["approval", "answer", "llm_model", "llm_finish"]]:
    """Plan and run the skill's read tools, then propose its write (if any) for approval. In
    LLM mode the model's loop takes over from here, one graph step per model call and per
    round of tool calls, and ``llm_finish`` ends the turn as this node would."""
    deps = runtime.context
    route = Route.model_validate(state["route"])
    request = Request.model_validate(state["request"])
    origin = origin_of(request)
    direct = _direct_call(deps, state)
    if direct is not None:  # a program named the write: nothing to read, plan or ask a model
        return _conclude(deps, request, route, origin, direct, [], direct.write, None, [])
    if deps.chat_model is not None:
        return begin_llm(deps, request, route, origin, state.get("llm_spent"))
    configured = deps.registry.configured(deps.tool_ctx)
    plan = specialist.plan(route, deps.registry, configured=configured)
    checked = None
    if plan.write is not None and not plan.reads:  # an action on a resource: is it in this cloud?
        plan, checked = _where_the_target_is(deps, specialist, route, plan, configured)
    calls, notes = _offline_reads(deps, origin, route, specialist, plan, [])
    if all_not_found(calls, deps.registry):  # the named resource is not in this cloud: look in the others
        plan, calls, notes = _read_where_it_is(deps, origin, specialist, route, plan, configured, calls, notes)
    return _conclude(deps, request, route, origin, plan, calls, plan.write, None, notes, checked=checked)


def _read_where_it_is(deps: GraphDeps, origin: Origin, specialist: Specialist, route: Route, plan: Plan,
                      configured: Collection[str], calls: list[dict[str, Any]],
                      notes: list[str]) -> tuple[Plan, list[dict[str, Any]], list[str]]:
    """The reads of the first other cloud that has the named resource (its cloud calls beside
    this plan's other ones: the inventory's, the runbooks'); when none has it, the first
    cloud's answer with a line per other cloud searched."""
    others = [call for call in calls if not on_a_cloud(call, deps.registry)]
    searched = []
    for there in other_cloud_plans(specialist, route, deps.registry, plan, configured):
        clouds = plan_clouds(there)
        there = dataclasses.replace(there, reads=[call for call in there.reads if call.spec.integration in clouds])
        found, found_notes = _offline_reads(deps, origin, route, specialist, there, [])
        if not all_not_found(found, deps.registry):
            return there, [*found, *others], [*notes, *found_notes]  # the runbook follows the cloud
        searched += [searched_note(cloud, found[0]["result"]) for cloud in clouds if found]
    return plan, calls, [*notes, *searched]


def _where_the_target_is(deps: GraphDeps, specialist: Specialist, route: Route, plan: Plan,
                         configured: Collection[str]) -> tuple[Plan, tuple[PlannedCall, ToolResult] | None]:
    """The plan for the cloud that has the action's target, with its write's preflight: the
    primary cloud's when its read-only preflight finds the target (or fails for another
    reason), else the first other cloud whose preflight does (agents/elsewhere.py). No
    preflight runs here when no other cloud could hold the target."""
    assert plan.write is not None
    if route.slots.get("cloud") or not plan_clouds(plan):
        return plan, None
    first = _preflight(deps, plan.write)
    if not not_found(first):
        return plan, (plan.write, first)
    searched = []
    for there in other_cloud_plans(specialist, route, deps.registry, plan, configured):
        if there.write is None:
            continue
        if not not_found(preflight := _preflight(deps, there.write)):
            return there, (there.write, preflight)
        searched.append(searched_note(there.write.spec.integration, preflight))
    if searched:  # not found anywhere: the first cloud's sentence, then the others'
        first = first.model_copy(update={"summary": " ".join([first.summary, *searched])})
    return plan, (plan.write, first)


def llm_finish_node(state: GraphState, runtime: Runtime[GraphDeps]) -> Command[Literal["approval", "answer"]]:
    """The end of the model's loop: its reads, text and proposal go through the agent's
    shared steps; a failed provider (or nothing grounded gathered) gets the offline answer."""
    deps = runtime.context
    route = Route.model_validate(state["route"])
    request = Request.model_validate(state["request"])
    origin = origin_of(request)
    specialist = next(specialist for specialist in SPECIALISTS if specialist.name == route.agent)
    plan = specialist.plan(route, deps.registry, configured=deps.registry.configured(deps.tool_ctx))
    outcome = finish_llm(deps, state, origin)
    if outcome.offline:  # the model failed: its one-line note comes first
        calls, notes = _offline_reads(deps, origin, route, specialist, plan, outcome.notes)
        return _conclude(deps, request, route, origin, plan, calls, plan.write, None, notes)
    return _conclude(deps, request, route, origin, plan, outcome.calls, outcome.proposal, outcome.text,
                     outcome.notes)


def _offline_reads(deps: GraphDeps, origin: Origin, route: Route, specialist: Specialist, plan: Plan,
                   notes: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Offline mode's reads (the plan's write is its proposal), and the notes after ``notes``."""
    calls = [run_read(deps, origin, route.skill, call) for call in plan.reads]
    missing = specialist.missing_note(plan)
    return calls, [*notes, *([missing] if missing else [])]


def _conclude(deps: GraphDeps, request: Request, route: Route, origin: Origin, plan: Plan,
              calls: list[dict[str, Any]], proposal_call: PlannedCall | None, llm_text: str | None,
              notes: list[str], checked: tuple[PlannedCall, ToolResult] | None = None) -> Command[Any]:
    """The agent's shared steps after its reads: question calls, the runbook, the write's
    preflight (``checked``: one already run for this call) and approval."""
    calls = [*calls, *_question_calls(deps, origin, route)]
    # "can I reboot X?" gets the policy's word, which says what asking for it would do
    notes = [*_unsure_notes(deps, route), *(_permission_notes(deps, request, route) or _mood_notes(route)),
             *_period_notes(route, calls), *notes]
    runbook = _runbook(deps, origin, route, plan, calls)
    update: dict[str, Any] = {"calls": calls, "runbook": runbook, "llm_text": llm_text, "notes": notes}
    if proposal_call is None:
        return Command(goto="answer", update=update)
    proposal_call = _acting_as(proposal_call, request)
    if checked is not None and (checked[0].spec.name, checked[0].args) == (proposal_call.spec.name, proposal_call.args):
        preflight = checked[1]
    else:
        preflight = _preflight(deps, proposal_call)
    if preflight.status != "ok":
        calls.append(tool_record(proposal_call.spec.name + ".preflight", proposal_call.args, preflight))
        return Command(goto="answer", update=update)
    pinned = _pinned(proposal_call, preflight)
    try:
        approval = deps.approvals.create(
            checkpoint_thread=str(get_config()["configurable"]["thread_id"]), conversation=request.thread_id,
            skill=route.skill, tool=pinned.spec.name, args=pinned.args, target=preflight.facts.get("target"),
            summary=preflight.summary, requested_by=request.user, correlation_id=request.correlation_id,
            surface=request.surface, channel=request.channel,
        )
    except (SQLAlchemyError, OSError) as exc:  # the reads already answered: keep them
        log.error("could not store the approval for %s: %s", pinned.spec.name, exc)
        update["notes"] = [*notes, f"Could not record the approval for {preflight.summary} (the database "
                                   "refused the write; it is logged). Nothing was proposed; ask again."]
        return Command(goto="answer", update=update)
    deps.audit.record(origin, "approval.requested", skill=route.skill, tool=pinned.spec.name,
                      args=pinned.args, outcome=preflight.summary, approval_id=approval.id)
    pending = PendingApproval(id=approval.id, action=pinned.spec.name, summary=approval.summary)
    proposal = {"approval_id": approval.id, "tool": pinned.spec.name, "summary": approval.summary}
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


def execute_node(state: GraphState, runtime: Runtime[GraphDeps]) -> dict[str, Any]:
    """Claim the approval and run it once; the database decides, not the resume payload."""
    deps = runtime.context
    proposal = state["proposal"] or {}
    decision = state.get("decision") or {}
    origin = Origin(user=str(decision.get("user", "?")), surface=str(decision.get("surface", "cli")),
                    channel=decision.get("channel"),
                    correlation_id=str(decision.get("correlation_id") or state["request"]["correlation_id"]))
    done = run_approved(deps.approvals, deps.audit, deps.registry, deps.tool_ctx,
                        str(proposal.get("approval_id")), origin)
    calls = [*state.get("calls", []), done.call] if done.call else state.get("calls", [])
    return {"calls": calls, "outcome": done.text}


def answer_node(state: GraphState) -> dict[str, Any]:
    route = Route.model_validate(state["route"])
    calls = state.get("calls", [])
    proposal = state.get("proposal")
    if proposal and state.get("decision") is not None:
        # After a decision, the answer is about the action, not the earlier reads.
        calls = [call for call in calls if call["tool"] == proposal["tool"]]
    answer = build_answer(route, calls, runbook=state.get("runbook"), outcome=state.get("outcome"),
                          llm_text=state.get("llm_text") if not state.get("decision") else None,
                          notes=state.get("notes", []))
    return {"answer": answer.model_dump()}


# --------------------------------------------------------------------------- helpers


def _question_calls(deps: GraphDeps, origin: Origin, route: Route) -> list[dict[str, Any]]:
    """For a sentence about an action that did not ask for it: what the action would do
    (hypothetical; the write's read-only preview) or what was done (past; Guardian's audit)."""
    if route.requested_skill is None or route.mood not in ("hypothetical", "past"):
        return []
    if route.skill in ("help", "knowledge.runbook"):  # how such an action is done or what it does in general
        return []
    if route.mood == "past":
        return [_history(deps, route, route.requested_skill)]
    asked = route.model_copy(update={"skill": route.requested_skill})
    write = specialist_for(asked.skill).plan(asked, deps.registry).write
    if write is None:
        return []
    started = time.perf_counter()
    preview = deps.registry.preview(write.spec.name, write.args, deps.tool_ctx)
    deps.audit.record(origin, "tool.preview", skill=route.requested_skill, tool=write.spec.name,
                      args=write.args, outcome=preview.status, duration_ms=(time.perf_counter() - started) * 1000)
    if preview.status == "ok":
        preview = preview.model_copy(update={"summary": would_do(preview.summary)})
    return [tool_record(write.spec.name + ".preview", write.args, preview)]


def _history(deps: GraphDeps, route: Route, requested: str) -> dict[str, Any]:
    """Actions Guardian ran for the ``requested`` skill whose target the text names."""
    names = {str(value) for key, value in route.slots.items()
             if key in ("resource_name", "instance_id", "incident_id", "repo", "workflow") and value}
    names.update(str(item) for item in route.slots.get("resource_ids") or [])
    rows = []
    for record in deps.audit.query(event="action.executed", skill=requested):
        text = f"{record['args']} {record['outcome']}"
        if names and not any(name in text for name in names):
            continue
        rows.append({"when": record["at"], "action": record["outcome"], "by": record["user"],
                     "approval": record["approval_id"]})
    skill = SKILL_BY_NAME[requested]
    what = ", ".join(sorted(names))
    on = f" on {what}" if what else ""  # "which incidents got resolved": no target, any of the action
    if rows:
        summary = f"Guardian's audit shows {len(rows)} {skill.name} action(s){on}; the latest first."
        result = ToolResult(status="ok", summary=summary, columns=["when", "action", "by", "approval"],
                            rows=list(reversed(rows)))
    else:
        result = ToolResult(status="ok", summary=(f"Guardian's audit has no {skill.name} action{on}. "
                                                  "Changes made outside Guardian are not in it."))
    return tool_record("guardian_audit_history", {"skill": skill.name, "target": what or "any"}, result)


def _period_notes(route: Route, calls: list[dict[str, Any]]) -> list[str]:
    """A period the words named but Guardian could not read ("last blurgday"): said, so the
    default period the tools used is not taken for the one asked for."""
    phrase = route.slots.get("unread_period")
    if not phrase or not calls:
        return []
    return [f"I could not read the period \"{phrase}\", so the answer uses the default period. "
            "Periods I read look like \"yesterday\", \"last 7 days\", \"last month\", \"since 2026-11-01\"."]


def _permission_notes(deps: GraphDeps, request: Request, route: Route) -> list[str]:
    """"Can I reboot X?" is answered with the access policy's word on it for this user, beside
    the facts about X: whether they may ask for it, and that it would wait for an approval."""
    if route.requested_skill is None or not asks_permission(route.text):
        return []
    skill, action = route.requested_skill, _action(route.requested_skill)
    decision = deps.policy.may_ask(request.user, skill)
    if not decision.allowed:
        return [f"Whether you may {action}: no. {decision.reason.removeprefix('Refused: ')}"]
    return [f"Whether you may {action}: yes, you may ask me to ({decision.reason}). Nothing was proposed; "
            f"ask directly (e.g. {_asked_directly(skill)}) and it waits for an approval before anything changes."]


def _mood_notes(route: Route) -> list[str]:
    if route.requested_skill is None:
        return []
    reason = {"negated": "you asked me not to", "hypothetical": "you asked what would happen",
              "past": "you asked about what already happened",
              "reported": "the sentence mentions it without asking me to do it"}.get(route.mood, "")
    return [f"No action was proposed ({SKILL_BY_NAME[route.requested_skill].purpose}): {reason}. "
            f"Ask directly (e.g. {_asked_directly(route.requested_skill)}) if you want it done."]


def _direct_call(deps: GraphDeps, state: GraphState) -> Plan | None:
    """The plan of a write a program named (``ToolCall``): that call alone."""
    if not state.get("tool_call"):
        return None
    call = ToolCall.model_validate(state["tool_call"])
    return Plan(write=PlannedCall(deps.registry.get(call.tool), dict(call.args)))


def _acting_as(call: PlannedCall, request: Request) -> PlannedCall:
    """Whom a write acts as comes from the surface's user mapping (``Request.acting_as``),
    never from the words or a model's arguments."""
    if "as_email" not in call.spec.args_model.model_fields:
        return call
    args = {key: value for key, value in call.args.items() if key != "as_email"}
    if request.acting_as:
        args["as_email"] = request.acting_as
    return PlannedCall(call.spec, args)


def _preflight(deps: GraphDeps, call: PlannedCall) -> ToolResult:
    spec = call.spec
    if spec.preflight is None:
        return ToolResult(status="ok", summary=f"run {spec.name} with {call.args}")
    return deps.registry.preview(spec.name, call.args, deps.tool_ctx)


def _pinned(call: PlannedCall, preflight: ToolResult) -> PlannedCall:
    """Arguments the preflight resolved (a Name tag to its instance id, "the latest failed
    run" to its id) replace the requested ones, so what runs after approval is exactly what
    the approver saw; other arguments the preflight filled in only where none was given."""
    args = dict(call.args)
    for name in call.spec.args_model.model_fields:
        value = preflight.facts.get(name)
        if value is None:
            continue
        if name in call.spec.pins or args.get(name) is None:
            args[name] = value
    try:
        call.spec.args_model.model_validate(args)
    except Exception:
        return call
    return PlannedCall(call.spec, args)


def _runbook(deps: GraphDeps, origin: Origin, route: Route, plan: Plan,
             calls: Sequence[dict[str, Any]] = ()) -> dict[str, Any] | None:
    if not plan.runbook_query or RUNBOOK_TOOL not in deps.registry:
        return None
    for search in specialist_for(route.skill).runbook_searches(route, plan, calls):
        call = PlannedCall(deps.registry.get(RUNBOOK_TOOL), {"query": search.query, "k": 1})
        result: dict[str, Any] = run_read(deps, origin, route.skill, call)["result"]
        if result["status"] != "ok":
            return None
        rows = result.get("rows") or []
        if search.fits is None or (rows and search.fits(rows[0])):
            return result
    return None


def build_graph(checkpointer: Any) -> Any:
    """Compile the graph with a checkpointer (SQLite or PostgreSQL); run it with
    ``context=GraphDeps(...)``."""
    graph = StateGraph(GraphState, context_schema=GraphDeps)
    graph.add_node("supervisor", supervisor)
    graph.add_node("help", help_node)
    graph.add_node("clarify", clarify_node)
    graph.add_node("refused", refused_node)
    for specialist in SPECIALISTS:
        graph.add_node(specialist.name, AgentNode(specialist))
    graph.add_node(MODEL_NODE, llm_model)
    graph.add_node(TOOLS_NODE, llm_tools)
    graph.add_node(FINISH_NODE, llm_finish_node)
    graph.add_node("approval", approval_node)
    graph.add_node("execute", execute_node)
    graph.add_node("answer", answer_node)
    graph.add_edge(START, "supervisor")
    for terminal in ("help", "clarify", "refused", "answer"):
        graph.add_edge(terminal, END)
    graph.add_edge("execute", "answer")
    return graph.compile(checkpointer=checkpointer)


__all__ = ["Answer", "GraphDeps", "GraphState", "build_graph"]
