"""Scheduled jobs that run once across replicas and restarts (docs/proactive.md).

A job's run for one period (``digest:daily`` for ``2026-12-01``, ``exposures`` for scan
slot ``1764700000``) is one row whose primary key is ``(job, period)``. Whoever inserts it
holds its lease; a second scheduler's INSERT fails on the key and it walks away. A holder
that dies leaves a lease that expires, and the next scheduler takes the run over with a
conditional UPDATE (``... WHERE lease_until < now``), which only one of several racing
takeovers can win. What the run produced (the digest, the exposures found) is stored on the
row before anything is posted, so a takeover posts the same thing; each post is a delivery
row ``(job, period, target)`` marked ``posting`` before the post and ``posted`` after (or
``failed`` when the surface refused it, for a later attempt), so a restart skips what was
posted and asks the chat surface about the one post a crash left uncertain. The database
decides every race; nothing here is an in-process lock.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Engine, Float, Integer, String, Table, Text, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from agents.db import create_tables, metadata

log = logging.getLogger(__name__)

job_runs_table = Table(
    "guardian_job_runs",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("period", String(64), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("state", String(16), nullable=False),  # running | done
    Column("lease_until", Float, nullable=False),  # epoch seconds: the same on SQLite and PostgreSQL
    Column("payload", Text),  # JSON of what the run produced, set once
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),  # retries after failed posts
)

deliveries_table = Table(
    "guardian_job_deliveries",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("period", String(64), primary_key=True),
    Column("target", String(255), primary_key=True),
    Column("state", String(16), nullable=False),  # posting | posted | failed
    Column("ref", String(255)),  # the surface's id of the message posted
    Column("at", Float, nullable=False),
)

LEASE_SECONDS = 300.0


def new_owner() -> str:
    """One scheduler's identity (a process may run more than one in tests)."""
    return uuid.uuid4().hex[:16]


class LeaseLost(RuntimeError):
    """Another scheduler took this run over (our lease expired): stop, post nothing more."""


@dataclass(frozen=True)
class Claim:
    job: str
    period: str
    owner: str
    taken_over: bool  # a previous holder's lease had expired


class JobRuns:
    """Leases, payloads and deliveries of scheduled runs, in the shared database."""

    def __init__(self, engine: Engine, lease_seconds: float = LEASE_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.lease_seconds = lease_seconds
        self.clock = clock
        create_tables(engine, job_runs_table, deliveries_table)  # also adds columns a newer Guardian declares

    def _key(self, job: str, period: str) -> Any:
        return and_(job_runs_table.c.job == job, job_runs_table.c.period == period)

    def claim(self, job: str, period: str, owner: str) -> Claim | None:
        """The lease on ``(job, period)`` for ``owner``, or None when the run is done or
        another scheduler holds a live lease on it."""
        now = self.clock()
        with self.engine.connect() as conn:  # every tick asks: answer the common "done" without a failing INSERT
            row = conn.execute(select(job_runs_table.c.state, job_runs_table.c.lease_until).where(
                self._key(job, period))).first()
        if row is not None and (row.state == "done" or row.lease_until >= now):
            return None
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(job_runs_table).values(
                    job=job, period=period, owner=owner, state="running", lease_until=now + self.lease_seconds,
                    started_at=now))
            return Claim(job, period, owner, taken_over=False)
        except IntegrityError:
            pass
        with self.engine.begin() as conn:
            taken = conn.execute(update(job_runs_table).where(
                self._key(job, period), job_runs_table.c.state == "running",
                job_runs_table.c.lease_until < now,
            ).values(owner=owner, lease_until=now + self.lease_seconds)).rowcount
        if taken == 1:
            log.info("job %s %s: lease expired (a holder died or a retry is due); taken over by %s", job, period, owner)
            return Claim(job, period, owner, taken_over=True)
        return None

    def reopen(self, job: str, period: str, owner: str) -> Claim | None:
        """A finished run claimed again for ``owner``: an operator's explicit request to
        finish what a scheduler gave up (a resumed turn, agents/turn_recovery.py). Only one of
        several racing reopens wins."""
        now = self.clock()
        with self.engine.begin() as conn:
            taken = conn.execute(update(job_runs_table).where(
                self._key(job, period), job_runs_table.c.state == "done",
            ).values(owner=owner, state="running", lease_until=now + self.lease_seconds, finished_at=None)).rowcount
        return Claim(job, period, owner, taken_over=True) if taken == 1 else None

    def stalled(self, job: str) -> list[str]:
        """Periods of ``job`` left running by a holder whose lease has ended (it died, or a
        retry is due), oldest first: a scheduler resumes them, whatever period is due now."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(job_runs_table.c.period).where(
                job_runs_table.c.job == job, job_runs_table.c.state == "running",
                job_runs_table.c.lease_until < self.clock()).order_by(job_runs_table.c.started_at)).scalars()
            return [str(period) for period in rows]

    def renew(self, claim: Claim) -> None:
        """Extend the lease; LeaseLost when it is no longer ours."""
        with self.engine.begin() as conn:
            kept = conn.execute(update(job_runs_table).where(
                self._key(claim.job, claim.period), job_runs_table.c.owner == claim.owner,
                job_runs_table.c.state == "running",
            ).values(lease_until=self.clock() + self.lease_seconds)).rowcount
        if kept != 1:
            raise LeaseLost(f"job {claim.job} {claim.period}: lease lost by {claim.owner}")

    def payload(self, job: str, period: str) -> Any | None:
        with self.engine.connect() as conn:
            text = conn.execute(select(job_runs_table.c.payload).where(self._key(job, period))).scalar()
        return json.loads(text) if text else None

    def store_payload(self, claim: Claim, payload: Any, conn: Any = None) -> None:
        """Set what the run produced, once, while the lease is ours. ``conn``: inside the
        caller's transaction, so the payload and the caller's own writes commit together."""
        statement = update(job_runs_table).where(
            self._key(claim.job, claim.period), job_runs_table.c.owner == claim.owner,
            job_runs_table.c.state == "running", job_runs_table.c.payload.is_(None),
        ).values(payload=json.dumps(payload, default=str), lease_until=self.clock() + self.lease_seconds)
        if conn is not None:
            stored = conn.execute(statement).rowcount
        else:
            with self.engine.begin() as own:
                stored = own.execute(statement).rowcount
        if stored != 1:
            raise LeaseLost(f"job {claim.job} {claim.period}: payload not stored, lease lost by {claim.owner}")

    def retry_later(self, claim: Claim, delay: float) -> int:
        """Give the run back for a later attempt (some posts failed): its lease ends in
        ``delay`` seconds, when any scheduler (this one included) takes it over and posts what
        is not posted yet. Returns the attempts made so far."""
        with self.engine.begin() as conn:
            conn.execute(update(job_runs_table).where(
                self._key(claim.job, claim.period), job_runs_table.c.owner == claim.owner,
                job_runs_table.c.state == "running",
            ).values(lease_until=self.clock() + delay, attempts=job_runs_table.c.attempts + 1))
            value = conn.execute(select(job_runs_table.c.attempts).where(self._key(claim.job, claim.period))).scalar()
        return int(value or 0)

    def finish(self, claim: Claim) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(job_runs_table).where(
                self._key(claim.job, claim.period), job_runs_table.c.owner == claim.owner,
                job_runs_table.c.state == "running",
            ).values(state="done", finished_at=self.clock())).rowcount
        return done == 1

    def state(self, job: str, period: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(job_runs_table.c.state).where(self._key(job, period))).scalar()
        return str(value) if value is not None else None

    # ------------------------------------------------------------------ deliveries
    def deliver(self, claim: Claim, target: str, post: Callable[[], str],
                find: Callable[[], str | None] | None = None) -> str | None:
        """Post to ``target`` at most once for this run and at least once across restarts.
        Returns the message ref when this call posted, None when it was already posted.

        ``find`` asks the surface whether a post carrying this delivery's key is there: it
        settles the one uncertain case, a holder that died between posting and recording."""
        self.renew(claim)
        key = and_(deliveries_table.c.job == claim.job, deliveries_table.c.period == claim.period,
                   deliveries_table.c.target == target)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries_table).values(job=claim.job, period=claim.period, target=target,
                                                             state="posting", at=self.clock()))
        except IntegrityError:
            with self.engine.connect() as conn:
                state = conn.execute(select(deliveries_table.c.state).where(key)).scalar()
            if state == "posted":
                return None
            found = find() if find is not None else None
            if found:
                log.info("job %s %s: the post to %s was made before a restart (%s); not repeated",
                         claim.job, claim.period, target, found)
                self._posted(key, found)
                return None
            log.warning("job %s %s: the post to %s was started before a restart and is not there; posting it",
                        claim.job, claim.period, target)
        self.renew(claim)  # the last moment to find out another scheduler holds the run
        try:
            ref = post()
        except Exception:
            with self.engine.begin() as conn:  # said no (or broke): a later attempt posts it
                conn.execute(update(deliveries_table).where(key).values(state="failed", at=self.clock()))
            raise
        self._posted(key, ref)
        return ref

    def _posted(self, key: Any, ref: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(deliveries_table).where(key).values(state="posted", ref=ref[:255], at=self.clock()))

    def delivered(self, job: str, period: str) -> dict[str, str]:
        """{target: state} of one run's deliveries."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries_table.c.target, deliveries_table.c.state).where(
                deliveries_table.c.job == job, deliveries_table.c.period == period)).all()
        return {str(target): str(state) for target, state in rows}


def delivery_key(job: str, period: str, target: str) -> str:
    """The key a post carries (Slack message metadata) so a restart can find it."""
    return f"{job}/{period}/{target}"
