"""Turns a crash left unfinished: found in the checkpoints, resumed once across replicas,
answered where the user asked (docs/llm.md, "Turns a restart interrupted").

Each turn runs on its own checkpoint thread and is checkpointed after every step (in LLM
mode, every model call and every round of tool calls), so a process killed mid-turn leaves
a thread whose latest checkpoint still has steps to run. ``TurnRecovery`` finds those with
the checkpointer's own API (newest checkpoints first, back to a horizon) and leaves alone:

- turns paused on an approval, or past one (decided, executing): their own durable flow
  owns them (agents/approvals.py, ``guardian approvals``);
- turns whose latest step is younger than the grace: a turn still running in another
  replica looks exactly like that, and every step checkpoints, so a step older than the
  grace means nobody is running it.

Each one left is claimed through the scheduled jobs' leases (agents/jobs.py, job
``turn.resume``, period = the turn's id): one INSERT wins across replicas, a holder that
dies is taken over when its lease ends. The winner either resumes the turn from its last
checkpoint (only the interrupted step onward runs; the turn's caps go on counting) and
posts the answer once, first line saying Guardian restarted, or abandons it: too old, its
surface out of reach from here, or resuming or posting failed ``MAX_ATTEMPTS`` times.
Abandoned is final for the automatic sweep (logged, audited); an operator may still
finish one by id (``guardian turns resume ID``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import Engine

from agents.answer import Answer
from agents.audit import AuditLog, Origin
from agents.jobs import Claim, JobRuns, LeaseLost, delivery_key, new_owner
from agents.redact import redact
from agents.request import Request
from agents.service import Guardian, steps_left

log = logging.getLogger(__name__)

JOB = "turn.resume"
RECOVERY_USER = "guardian-recovery"
MAX_ATTEMPTS = 3  # resuming or posting one turn; then it is abandoned
RETRY_AFTER = 60.0  # seconds before a failed attempt is tried again (by any replica)
LEASE_SECONDS = 300.0
PAGE = 200  # checkpoints read per query, newest first
LOOK_PAST_MAX_AGE = timedelta(hours=1)  # the sweep also sees turns this far past the max age, to abandon them
CLOCK_SLACK = timedelta(seconds=60)  # replicas' clocks may disagree this much about a checkpoint's time


class TurnError(RuntimeError):
    """An operator's request about one turn that cannot be done (unknown id, being resumed)."""


class ReplyPoster(Protocol):
    """Posts a finished turn's answer where its request came from (bot/ wires the surfaces)."""

    def unreachable(self, request: Request) -> str | None:
        """Why this process cannot post to the request's surface and channel, or None."""

    def reply(self, request: Request, answer: Answer, key: str) -> str:
        """Post ``answer`` in the request's channel and thread; the message's id. The post
        carries ``key`` where the surface can keep it, for ``find``."""

    def find(self, request: Request, key: str) -> str | None:
        """The id of a post carrying ``key`` already there, or None (also when the surface
        cannot tell)."""


@dataclass(frozen=True)
class RecoveryPolicy:
    """From the settings: how old a turn may be to be resumed, and how long its latest step
    must be idle before it counts as interrupted rather than running elsewhere."""

    max_age_s: float = 900.0
    grace_s: float = 120.0


@dataclass(frozen=True)
class InterruptedTurn:
    """A turn whose latest checkpoint has steps left to run."""

    id: str
    thread: str  # the checkpoint thread, ``<conversation>:<turn>``
    request: Request
    skill: str | None
    step: str  # the node(s) that were to run next
    asked_at: datetime
    interrupted_at: datetime  # the latest checkpoint
    status: str = "interrupted"  # interrupted | resuming | abandoned

    def age_s(self, now: datetime) -> float:
        return (now - self.asked_at).total_seconds()

    def idle_s(self, now: datetime) -> float:
        return (now - self.interrupted_at).total_seconds()

    def row(self, now: datetime) -> dict[str, Any]:
        """The listing's shape (``guardian turns --json``)."""
        return {"id": self.id, "thread": self.thread, "age_s": round(self.age_s(now), 1),
                "idle_s": round(self.idle_s(now), 1), "asked_at": self.asked_at.isoformat(), "skill": self.skill,
                "surface": self.request.surface, "channel": self.request.channel, "user": self.request.user,
                "step": self.step, "status": self.status, "question": question_of(self.request)}


@dataclass(frozen=True)
class Resumed:
    """What finishing one turn gave: the answer as posted (restart line first), and where
    it went (``posted``: the message id) or why it was not posted."""

    turn: InterruptedTurn
    answer: Answer
    posted: str | None
    not_posted: str | None = None


def turn_id(thread: str) -> str:
    """A short, stable id for a checkpoint thread (which may hold a user's name or a
    channel id): what listings show and operators type."""
    return "tn-" + hashlib.sha256(thread.encode()).hexdigest()[:10]


def question_of(request: Request, limit: int = 80) -> str:
    text = " ".join(redact(request.text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def restarted(answer: Answer, request: Request) -> Answer:
    """The answer with one first line saying the turn was interrupted and finished later."""
    line = f"Guardian restarted while answering \"{question_of(request)}\"; this is the answer."
    return answer.model_copy(update={"lead": f"{line}\n{answer.lead}" if answer.lead else line})


class TurnRecovery:
    """Finds, claims, resumes and delivers (or abandons) interrupted turns."""

    def __init__(self, guardian: Guardian, engine: Engine, audit: AuditLog, policy: RecoveryPolicy | None = None,
                 *, owner: str | None = None, clock: Callable[[], float] = time.time) -> None:
        self.guardian = guardian
        self.audit = audit
        self.policy = policy or RecoveryPolicy()
        self.runs = JobRuns(engine, LEASE_SECONDS, clock)
        self.owner = owner or new_owner()
        self.clock = clock
        self.swept_since: datetime | None = None  # see sweep_horizon

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def sweep_horizon(self) -> datetime:
        """How far back the next sweep reads checkpoints: the listing's horizon on the first
        sweep of this process; after one, only back to that sweep's start less the grace.

        Why that is enough: a turn whose latest checkpoint is at ``c`` is handled by the first
        sweep starting at or after ``c + grace``; the sweep before it started before then, so
        ``c`` is after that earlier start less the grace, and is read. Retries and dead
        holders come from the leases (``JobRuns.stalled``), not from this reading, so a busy
        store is not decrypted whole every tick."""
        horizon = self.now() - timedelta(seconds=self.policy.max_age_s) - LOOK_PAST_MAX_AGE
        return horizon if self.swept_since is None else max(horizon, self.swept_since)

    # ------------------------------------------------------------------ finding
    def find(self, since: datetime | None = None) -> list[InterruptedTurn]:
        """Interrupted turns whose latest checkpoint is newer than ``since`` (default: the
        max age plus an hour), newest first; paused or decided approvals are not listed."""
        since = since or self.now() - timedelta(seconds=self.policy.max_age_s) - LOOK_PAST_MAX_AGE
        found = []
        for thread in self._recent_threads(since):
            turn = self.inspect(thread)
            if turn is not None:
                found.append(turn)
        return found

    def lookup(self, turn: str, since: datetime | None = None) -> InterruptedTurn:
        """An interrupted turn by id (``tn-…``) or by its checkpoint thread."""
        if not turn.startswith("tn-"):
            found = self.inspect(turn)
            if found is not None:
                return found
        else:
            for candidate in self.find(since):
                if candidate.id == turn:
                    return candidate
        raise TurnError(f"No interrupted turn {turn!r} (finished, paused on an approval, or older than the "
                        "listing's horizon: see `guardian turns`).")

    def _recent_threads(self, since: datetime) -> Iterator[str]:
        """Each checkpoint thread once, newest latest-checkpoint first, back to ``since``:
        the checkpointer's list (newest first), read a page at a time."""
        seen: set[str] = set()
        before: Any = None
        saver = self.guardian.graph.checkpointer
        while True:
            page = list(saver.list(None, before=before, limit=PAGE))
            for item in page:
                if _parse_ts(item.checkpoint["ts"]) < since:
                    return
                configurable = item.config["configurable"]
                thread = str(configurable["thread_id"])
                if configurable.get("checkpoint_ns") or thread in seen:
                    continue
                seen.add(thread)
                yield thread
            if len(page) < PAGE:
                return
            before = page[-1].config

    def inspect(self, thread: str, *, finished: bool = False) -> InterruptedTurn | None:
        """The interrupted turn on ``thread`` (with ``finished``, also a finished one, whose
        ``step`` is empty), or None when it is not a Guardian turn or an approval owns it
        (paused on one, or decided)."""
        graph = self.guardian.graph
        config = {"configurable": {"thread_id": thread}}
        snapshot = graph.get_state(config)
        values = snapshot.values or {}
        if "request" not in values or snapshot.created_at is None:
            return None
        if snapshot.interrupts or values.get("decision") is not None or "execute" in snapshot.next:
            return None
        left = steps_left(snapshot)
        if not left and not finished:  # most threads: answered long ago
            return None
        first = next(iter(graph.checkpointer.list(config, filter={"step": -1}, limit=1)), None)
        asked = _parse_ts(first.checkpoint["ts"]) if first is not None else _parse_ts(snapshot.created_at)
        turn = InterruptedTurn(id=turn_id(thread), thread=thread, request=Request.model_validate(values["request"]),
                               skill=(values.get("route") or {}).get("skill"), step=left,
                               asked_at=asked, interrupted_at=_parse_ts(snapshot.created_at))
        state = self.runs.state(JOB, turn.id)
        status = {None: "interrupted", "running": "resuming", "done": "abandoned"}.get(state, str(state))
        return turn if status == "interrupted" else dataclasses.replace(turn, status=status)

    # ------------------------------------------------------------------ the sweep
    def sweep(self, poster: ReplyPoster) -> int:
        """One pass (every replica runs it at start-up and then on a timer): finish what a
        dead holder left (or whose retry is due), then every interrupted turn idle past the
        grace. Returns how many answers were posted."""
        started = self.now()
        posted = 0
        for period in self.runs.stalled(JOB):
            claim = self.runs.claim(JOB, period, self.owner)
            if claim is not None:
                posted += self._taken_over(claim, poster)
        now = self.now()
        for turn in self.find(self.sweep_horizon()):
            if turn.status != "interrupted" or turn.idle_s(now) < self.policy.grace_s:
                continue  # claimed elsewhere, given up, or perhaps still running in another replica
            claim = self.runs.claim(JOB, turn.id, self.owner)
            if claim is None:
                continue
            try:
                self.runs.store_payload(claim, {"thread": turn.thread})
                posted += self._handle(claim, turn, poster)
            except LeaseLost as exc:
                log.warning("%s", exc)
        self.swept_since = started - timedelta(seconds=self.policy.grace_s) - CLOCK_SLACK
        return posted

    def _taken_over(self, claim: Claim, poster: ReplyPoster) -> int:
        payload = self.runs.payload(JOB, claim.period) or {}
        turn = self.inspect(str(payload["thread"]), finished=True) if payload.get("thread") else None
        if turn is None:  # no longer ours to finish (an approval owns it, or its checkpoints are gone)
            self.runs.finish(claim)
            return 0
        try:
            return self._handle(claim, turn, poster)
        except LeaseLost as exc:
            log.warning("%s", exc)
            return 0

    def _handle(self, claim: Claim, turn: InterruptedTurn, poster: ReplyPoster) -> int:
        """Abandon the turn, or resume it (when it still has steps) and post its answer."""
        why = self._abandon_reason(turn, poster)
        if why is not None:
            self._abandon(claim, turn, why)
            return 0
        try:
            answer = self._finish(turn, RECOVERY_USER)
        except Exception as exc:  # a broken step, a store down: tried again later, a few times
            log.exception("turn %s: resuming it failed", turn.id)
            self._failed(claim, turn, f"resuming it failed ({type(exc).__name__})")
            return 0
        try:
            ref = self._deliver(claim, turn, answer, poster)
        except LeaseLost:
            raise
        except Exception as exc:
            log.warning("turn %s: posting its answer to %s failed: %s", turn.id, turn.request.surface, exc)
            self._failed(claim, turn, f"posting the answer failed ({type(exc).__name__})")
            return 0
        self.runs.finish(claim)
        return 1 if ref is not None else 0

    def _abandon_reason(self, turn: InterruptedTurn, poster: ReplyPoster) -> str | None:
        age = turn.age_s(self.now())
        if age > self.policy.max_age_s:
            return f"too old: asked {age:.0f} s ago, past the {self.policy.max_age_s:g} s max age"
        unreachable = poster.unreachable(turn.request)
        return f"its surface cannot be reached: {unreachable}" if unreachable else None

    def _finish(self, turn: InterruptedTurn, actor: str) -> Answer:
        """Run the turn's remaining steps (none when a previous holder already did)."""
        answer = self.guardian.finish_turn(turn.thread)
        self.audit.record(self._origin(turn, actor), "turn.resumed", skill=answer.skill,
                          args={"turn": turn.id, "step": turn.step, "requested_by": turn.request.user},
                          outcome="approval requested" if answer.pending_approval else "answered")
        return restarted(answer, turn.request)

    def _deliver(self, claim: Claim, turn: InterruptedTurn, answer: Answer, poster: ReplyPoster) -> str | None:
        """Post once (a takeover asks the surface whether an uncertain post is there)."""
        target = f"{turn.request.surface}:{turn.request.channel or ''}"
        key = delivery_key(JOB, turn.id, target)
        ref = self.runs.deliver(claim, target, partial(poster.reply, turn.request, answer, key),
                                partial(poster.find, turn.request, key))
        if ref is not None:
            log.info("turn %s: answered after a restart, posted to %s (%s)", turn.id, target, ref)
            self.audit.record(self._origin(turn, RECOVERY_USER), "turn.posted", skill=answer.skill,
                              args={"turn": turn.id}, outcome=f"posted {ref}")
        return ref

    def _failed(self, claim: Claim, turn: InterruptedTurn, why: str) -> None:
        attempts = self.runs.retry_later(claim, RETRY_AFTER)
        self.audit.record(self._origin(turn, RECOVERY_USER), "turn.failed", skill=turn.skill,
                          args={"turn": turn.id, "attempt": attempts}, outcome=why)
        if attempts >= MAX_ATTEMPTS:
            self._abandon(claim, turn, f"{why}, {attempts} times")

    def _abandon(self, claim: Claim, turn: InterruptedTurn, why: str) -> None:
        log.warning("turn %s (%s, %s %s, step %s) abandoned: %s", turn.id, turn.skill, turn.request.surface,
                    turn.request.channel or "-", turn.step, why)
        self.audit.record(self._origin(turn, RECOVERY_USER), "turn.abandoned", skill=turn.skill,
                          args={"turn": turn.id, "step": turn.step, "requested_by": turn.request.user}, outcome=why)
        self.runs.finish(claim)

    @staticmethod
    def _origin(turn: InterruptedTurn, actor: str) -> Origin:
        """Who acted (the sweep or an operator), where the turn was asked, and the turn's own
        correlation id, so `guardian audit` shows its records together."""
        return Origin(user=actor, surface=turn.request.surface, channel=turn.request.channel,
                      correlation_id=turn.request.correlation_id)

    # ------------------------------------------------------------------ an operator's
    def resume(self, turn_ref: str, poster: ReplyPoster, *, user: str, since: datetime | None = None) -> Resumed:
        """Finish one turn now (``guardian turns resume ID``), also one the sweep abandoned,
        and post its answer where it was asked when this process can reach that surface."""
        turn = self.lookup(turn_ref, since)
        idle = turn.idle_s(self.now())
        if idle < self.policy.grace_s:
            raise TurnError(f"Turn {turn.id} took its last step {idle:.0f} s ago: it may still be running in another "
                            f"process. Try again in {self.policy.grace_s - idle:.0f} s.")
        claim = self.runs.claim(JOB, turn.id, self.owner) or self.runs.reopen(JOB, turn.id, self.owner)
        if claim is None:
            raise TurnError(f"Turn {turn.id} is being resumed by another Guardian process.")
        if self.runs.payload(JOB, turn.id) is None:
            self.runs.store_payload(claim, {"thread": turn.thread})
        self.audit.record(self._origin(turn, user), "turn.resume", skill=turn.skill,
                          args={"turn": turn.id, "step": turn.step}, outcome="by an operator")
        try:
            answer = self._finish(turn, user)
        except Exception as exc:
            self._failed(claim, turn, f"resuming it failed ({type(exc).__name__}: {exc})")
            raise TurnError(f"Resuming turn {turn.id} failed: {type(exc).__name__}: {exc}") from exc
        not_posted = poster.unreachable(turn.request)
        posted = None
        if not_posted is None:
            try:
                posted = self._deliver(claim, turn, answer, poster)
            except Exception as exc:
                not_posted = f"posting failed ({type(exc).__name__}: {exc})"
                self.audit.record(self._origin(turn, user), "turn.failed", skill=answer.skill,
                                  args={"turn": turn.id}, outcome=not_posted)
        self.runs.finish(claim)
        return Resumed(turn, answer, posted, not_posted)


def _parse_ts(value: str) -> datetime:
    when = datetime.fromisoformat(value)
    return when if when.tzinfo else when.replace(tzinfo=UTC)
