"""The graph's front door for every surface: ask a question, decide an approval, and let an
operator finish what a crash left open.

Each turn runs on its own checkpoint thread (``<conversation>:<turn>``), so a paused
approval survives later messages in the same conversation and can be resumed by id from
any process or replica. Every decision, allowed or refused, lands in the audit trail.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any, Final

from langgraph.types import Command, StateSnapshot

from agents.answer import Answer
from agents.approvals import ApprovalError, ApprovalRecord
from agents.audit import Origin, new_correlation_id
from agents.clarified import (
    ANSWERED,
    ASKED,
    CHOICES,
    EARLIER,
    ITEMS,
    ROWS,
    SAID,
    THREAD_KEYS,
    UNMADE,
    choices_of,
    items_of,
)
from agents.conversations import TurnContext
from agents.deps import origin_of
from agents.execution import run_approved
from agents.followup import acted_on, earlier_turn
from agents.graph import GraphDeps, build_graph
from agents.progress import ProgressCallback
from agents.redact import sanitize_obj
from agents.request import Request, ToolCall
from agents.skills import SKILL_BY_NAME

log = logging.getLogger(__name__)

DURABILITY: Final = "sync"  # see Guardian._run
MAX_LEAD_KEPT: Final = 300  # the previous answer's lead a follow-up may look up (agents/followup.py)


class DecisionRefused(ApprovalError):
    """The access policy does not let this user decide this approval; it stays pending."""


class NeedsResume(ApprovalError):
    """Already approved and not finished: a crash may have interrupted its run, which
    resuming runs once. Each surface words how to resume (a command, a button)."""

    def __init__(self, message: str, approval_id: str) -> None:
        super().__init__(message)
        self.approval_id = approval_id


class Guardian:
    """Runs turns through the compiled graph and records them in the audit trail."""

    def __init__(self, deps: GraphDeps, checkpointer: Any) -> None:
        self.deps = deps
        self.graph = build_graph(checkpointer)

    def ask(self, request: Request, on_progress: ProgressCallback | None = None, *,
            tool_call: ToolCall | None = None) -> Answer:
        """One turn. ``on_progress`` hears what the turn is doing while it runs (see
        agents/progress.py); a failing callback is logged and never costs the answer. With
        ``tool_call`` (a write a program named, MCP), the turn proposes exactly that call."""
        config = {"configurable": {"thread_id": f"{request.thread_id}:{uuid.uuid4().hex[:8]}"}}
        origin = origin_of(request)
        started = time.perf_counter()
        self.deps.audit.record(origin, "request", args={"text": request.text, "thread": request.thread_id})
        graph_input = {"request": request.model_dump(),
                       "tool_call": tool_call.model_dump() if tool_call is not None else None}
        state = self._run(graph_input, config, on_progress)
        answer = _finished(state)
        self._remember(request, state, answer)
        self.deps.audit.record(origin, "answer", skill=answer.skill,
                               outcome="approval requested" if answer.pending_approval else "answered",
                               duration_ms=(time.perf_counter() - started) * 1000,
                               approval_id=answer.pending_approval.id if answer.pending_approval else None)
        return answer

    def finish_turn(self, checkpoint_thread: str) -> Answer:
        """The answer of a turn a crash interrupted between steps: its remaining steps run
        from the thread's latest checkpoint (the steps already checkpointed, and the tools they
        ran, are not repeated; the turn's caps go on counting); a turn already finished gives
        its stored answer. Finding and claiming such turns is agents/turn_recovery.py's job."""
        config = {"configurable": {"thread_id": checkpoint_thread}}
        snapshot = self.graph.get_state(config, subgraphs=False)
        request = Request.model_validate(snapshot.values["request"])
        started = time.perf_counter()
        left = steps_left(snapshot)
        state = self._run(None, config, None) if left else dict(snapshot.values)
        answer = _finished(state)
        if left:
            self._remember(request, state, answer)
            self.deps.audit.record(origin_of(request), "answer", skill=answer.skill,
                                   outcome="approval requested" if answer.pending_approval else "answered",
                                   duration_ms=(time.perf_counter() - started) * 1000,
                                   approval_id=answer.pending_approval.id if answer.pending_approval else None)
        return answer

    def _run(self, graph_input: Any, config: dict[str, Any], on_progress: ProgressCallback | None) -> dict[str, Any]:
        """Run the graph to its end or its interrupt; with a listener, stream its progress.

        Each step's checkpoint (and its tasks' writes) is stored before the next step starts
        (``durability="sync"``; LangGraph's default writes them in the background while the
        next step runs): a process killed during a step then leaves the steps before it on
        disk, so resuming never runs a finished step's tools again (agents/turn_recovery.py)."""
        if on_progress is None:
            return dict(self.graph.invoke(graph_input, config, context=self.deps, durability=DURABILITY))
        state: dict[str, Any] = {}
        for mode, chunk in self.graph.stream(graph_input, config, context=self.deps, durability=DURABILITY,
                                             stream_mode=["custom", "values"]):
            if mode == "values":
                state = dict(chunk)
            elif isinstance(chunk, dict) and "progress" in chunk:
                try:
                    on_progress(str(chunk["progress"]))
                except Exception:
                    log.exception("a progress listener failed; the turn goes on")
        return state

    def _remember(self, request: Request, state: dict[str, Any], answer: Answer) -> None:
        """Keep what a follow-up in this conversation may reuse: only turns a skill answered
        or proposed an action (not a clarifying question or a refusal)."""
        if self.deps.conversations is None or answer.clarify_options:
            return
        if not state.get("calls") and not state.get("proposal"):
            self._remember_unmade_change(request, state)
            return
        route = state["route"]
        slots = {key: value for key, value in dict(route["slots"]).items() if key not in THREAD_KEYS}
        integrations = {spec.name: spec.integration for spec in self.deps.registry.all()}
        choices = choices_of(state.get("calls") or [], integrations)
        if choices:  # "which of these did you mean?": a reply picking one runs this request again
            slots.update({CHOICES: choices, ASKED: str(route.get("text") or request.text)})
        items = items_of(state.get("calls") or [], integrations) if not state.get("proposal") else []
        if items:  # "start the deallocated one": a later turn picks one of the listed items
            slots[ITEMS] = items
        slots.update(self._proposed_target(answer, slots))
        rows = answer.row_ids()
        if rows:  # "the second one": the second row the person saw
            slots[ROWS] = rows
        # the words this turn was about ("how do I fix that" next looks them up); a follow-up
        # that carried on the previous question says both (agents/followup.py)
        slots[SAID] = str(dict(route["slots"]).get(SAID) or route.get("text") or request.text)
        if answer.lead:
            slots[ANSWERED] = answer.lead[:MAX_LEAD_KEPT]
        earlier = earlier_turn(self.deps.conversations.get(request.thread_id), str(route["skill"]))
        if earlier:  # "btw who's on call?" in the middle: "back to the spike" next resumes the turn before
            slots[EARLIER] = earlier
        self.deps.conversations.put(request.thread_id, TurnContext(route["skill"], slots, list(answer.resources)))

    def _remember_unmade_change(self, request: Request, state: dict[str, Any]) -> None:
        """A change asked for and not proposed (refused, or missing what it needs) is kept as
        the skill asked, beside what the conversation already kept (which it leaves as it was):
        "who's allowed to approve that?" next is about that change; nothing of it is lent."""
        if self.deps.conversations is None:
            return
        route = state.get("route") or {}
        skill = str(route.get("skill") or "")
        if skill not in SKILL_BY_NAME or not SKILL_BY_NAME[skill].mutating:
            return
        kept = self.deps.conversations.get(request.thread_id)
        context = TurnContext(kept.skill, {**kept.slots, UNMADE: skill}, list(kept.resources)) if kept \
            else TurnContext(skill, {UNMADE: skill, SAID: str(route.get("text") or request.text)}, [])
        self.deps.conversations.put(request.thread_id, context)

    def _proposed_target(self, answer: Answer, slots: dict[str, Any]) -> dict[str, Any]:
        """What a proposed action acts on ("resolve P3H8W1R"), when the turn's words did not
        name it (the agent found it in the thread): "ok close it out" next means the same one."""
        if answer.pending_approval is None:
            return {}
        try:
            args = self.deps.approvals.get(answer.pending_approval.id).args
        except ApprovalError:
            return {}
        return {key: value for key, value in acted_on(args).items() if key not in slots}

    def decide(self, approval_id: str, *, approve: bool, user: str, surface: str = "cli",
               channel: str | None = None, on_progress: ProgressCallback | None = None) -> Answer:
        """Check the policy, record the decision (once), then resume the paused turn, which
        runs the action only after claiming it in the database."""
        origin = Origin(user=user, surface=surface, channel=channel, correlation_id=new_correlation_id())
        verb = "approve" if approve else "deny"
        record = self._decidable(approval_id, origin, verb)
        config = {"configurable": {"thread_id": record.checkpoint_thread}}
        if not self.graph.get_state(config, subgraphs=False).interrupts:
            self._refuse(origin, record, verb, "its paused turn is gone (it may have expired)")
        try:
            record = self.deps.approvals.decide(approval_id, approve=approve, user=user)
        except ApprovalError as exc:  # the loser of a race
            self._refuse(origin, record, verb, str(exc).removeprefix(f"Approval {approval_id} is "))
        self.deps.audit.record(origin, f"approval.{record.status}", skill=record.skill, tool=record.tool,
                               outcome=record.status, approval_id=approval_id)
        resume = {"approve": approve, "user": user, "surface": surface, "channel": channel,
                  "correlation_id": origin.correlation_id}
        state = self._run(Command(resume=resume), config, on_progress)
        return _finished(state)

    def resume(self, approval_id: str, *, user: str, surface: str = "cli") -> Answer:
        """Run an approval that was approved but never started (its process died between the
        decision and the execution). The claim makes a second run impossible."""
        origin = Origin(user=user, surface=surface, correlation_id=new_correlation_id())
        record = self._known(approval_id, origin, "resume")
        self._check_policy(origin, record)
        if record.status != "approved":
            self._refuse(origin, record, "resume", f"it is {record.status}, not approved-and-not-started")
        done = run_approved(self.deps.approvals, self.deps.audit, self.deps.registry, self.deps.tool_ctx,
                            approval_id, origin)
        return self._about(record, done.text)

    def cancel(self, approval_id: str, *, user: str, reason: str, surface: str = "cli") -> Answer:
        """Close an approval a crash left open: approved (nothing ran) becomes cancelled,
        executing (it may have run) becomes abandoned; never re-run."""
        origin = Origin(user=user, surface=surface, correlation_id=new_correlation_id())
        record = self._known(approval_id, origin, "cancel")
        self._check_policy(origin, record)
        try:
            record = self.deps.approvals.cancel(approval_id, user=user, reason=reason)
        except ApprovalError as exc:
            self._refuse(origin, record, "cancel", str(exc).removeprefix(f"Approval {approval_id} is "))
        self.deps.audit.record(origin, f"approval.{record.status}", skill=record.skill, tool=record.tool,
                               outcome=record.result, approval_id=approval_id)
        return self._about(record, record.result or record.status)

    # ------------------------------------------------------------------------------------
    def _decidable(self, approval_id: str, origin: Origin, verb: str) -> ApprovalRecord:
        record = self._known(approval_id, origin, verb)
        self._check_policy(origin, record)
        if record.status == "approved":
            try:
                self._refuse(origin, record, verb, "already approved. If its run was interrupted, resuming it "
                                                   "runs it once")
            except ApprovalError as exc:
                raise NeedsResume(str(exc), approval_id) from None
        if record.status != "pending":
            self._refuse(origin, record, verb, f"already {record.status}")
        return record

    def _known(self, approval_id: str, origin: Origin, verb: str) -> ApprovalRecord:
        try:
            return self.deps.approvals.get(approval_id)
        except ApprovalError:
            self.deps.audit.record(origin, f"approval.{verb}", outcome="refused: unknown id",
                                   args={"approval_id": approval_id})
            raise

    def _check_policy(self, origin: Origin, record: ApprovalRecord) -> None:
        decision = self.deps.policy.may_decide(origin.user, record.skill, record.requested_by)
        self.deps.audit.record(origin, "policy.decide", skill=record.skill, tool=record.tool,
                               outcome=("allowed: " if decision.allowed else "refused: ") + decision.reason,
                               approval_id=record.id)
        if not decision.allowed:
            raise DecisionRefused(f"{decision.reason} Approval {record.id} is unchanged ({record.status}).")

    def _refuse(self, origin: Origin, record: ApprovalRecord, verb: str, why: str) -> None:
        self.deps.audit.record(origin, f"approval.{verb}", skill=record.skill, tool=record.tool,
                               outcome=f"refused: {why}", approval_id=record.id)
        raise ApprovalError(f"Approval {record.id} is {why}" if why.startswith("already")
                            else f"Cannot {verb} {record.id}: {why}.")

    @staticmethod
    def _about(record: ApprovalRecord, text: str) -> Answer:
        skill = SKILL_BY_NAME[record.skill]
        return Answer(agent=skill.agent, skill=record.skill, lead=text)


def steps_left(snapshot: StateSnapshot) -> str:
    """What a turn's latest checkpoint still has to run ("" once it finished): the steps
    due next, or, when the latest step's tasks all finished but the process died before
    the checkpoint after them was written, "after <those steps>" (resuming applies their
    saved writes and goes on: they do not run again)."""
    if snapshot.next:
        return ",".join(snapshot.next)
    done = [task.name for task in snapshot.tasks if not task.interrupts]
    return "after " + ",".join(done) if done else ""


def _finished(state: dict[str, Any]) -> Answer:
    """The turn's answer as it leaves the graph for any surface: the one place where what
    every answer says is masked (secrets, terminal control sequences), whatever template or
    model wrote it."""
    return Answer.model_validate(sanitize_obj(state["answer"]))
