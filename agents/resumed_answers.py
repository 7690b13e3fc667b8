"""Answers to web chat turns a restart interrupted, kept for the page that asked.

The web chat answers on the HTTP request that asked; when the process dies mid-turn that
connection dies with it, so the restarted replica that finishes the turn
(agents/turn_recovery.py) has nowhere to post. It stores the answer here instead, in the
shared database, keyed by the turn's delivery key (one row per turn: a second insert by a
takeover changes nothing), with the conversation and the user who asked. The page reads
its own conversation's rows back (``GET /api/chat/resumed``, bot/webchat.py) and shows
each once. The web chat keeps here too the answer of a turn whose stream broke while its
process went on (a page reloaded mid-answer): no restart would ever keep that one.

The answer is sealed at rest like the checkpoints it came from (it holds what the tools
read). Rows are kept for ``KEEP`` and pruned on the next write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, delete, insert, select
from sqlalchemy.exc import IntegrityError

from agents.answer import Answer
from agents.approvals import Sealer
from agents.db import metadata
from agents.request import MAX_ID, Request

log = logging.getLogger(__name__)

KEEP = timedelta(days=1)  # far past the resume max age: a page reopened the next morning still finds it
# Rows are read back from ``since`` less this much: a row stamped before another replica's
# but committed after it is still seen (the page drops what it already shows, by key).
OVERLAP = timedelta(seconds=30)

resumed_answers_table = Table(
    "guardian_resumed_answers",
    metadata,
    Column("key", String(512), primary_key=True),  # the turn's delivery key (agents/jobs.py)
    Column("user", String(4 * MAX_ID), nullable=False),
    Column("thread", String(MAX_ID), nullable=False, index=True),  # the request's thread_id: web:<user>:<page>
    Column("correlation_id", String(64), nullable=False),
    Column("answer", Text, nullable=False),  # sealed Answer JSON
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
)


@dataclass(frozen=True)
class ResumedAnswer:
    key: str
    thread: str
    correlation_id: str
    answer: Answer
    created_at: datetime


class ResumedAnswerStore:
    """One row per resumed web turn; written once, read by the conversation's owner."""

    def __init__(self, engine: Engine, sealer: Sealer, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.sealer = sealer
        self.clock = clock

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def put(self, key: str, request: Request, answer: Answer) -> str:
        """Keep the answer for the page that asked; the key (the delivery's ref). A second
        put of the same key (a takeover unsure the first one landed) keeps the first."""
        now = self._now()
        table = resumed_answers_table
        try:
            with self.engine.begin() as conn:
                conn.execute(delete(table).where(table.c.created_at < now - KEEP))
                conn.execute(
                    insert(table).values(
                        key=key,
                        user=request.user,
                        thread=request.thread_id,
                        correlation_id=request.correlation_id,
                        answer=self.sealer.seal(answer.model_dump(mode="json")),
                        created_at=now,
                    )
                )
        except IntegrityError:
            pass  # already kept: the first one stands
        return key

    def find(self, key: str) -> str | None:
        """The key when its answer is kept, else None (``ReplyPoster.find``)."""
        with self.engine.connect() as conn:
            found = conn.execute(select(resumed_answers_table.c.key).where(resumed_answers_table.c.key == key)).scalar()
        return str(found) if found is not None else None

    def since(self, user: str, thread: str, since: datetime | None, limit: int = 20) -> list[ResumedAnswer]:
        """``user``'s answers in ``thread`` kept at or after ``since`` less ``OVERLAP`` (None:
        all kept), oldest first, at most ``limit`` (the newest ones when there are more)."""
        table = resumed_answers_table
        query = select(table).where(table.c.user == user, table.c.thread == thread)
        if since is not None:
            query = query.where(table.c.created_at >= since - OVERLAP)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.created_at.desc()).limit(limit)).all()
        found = (self._answer(row) for row in reversed(rows))
        return [answer for answer in found if answer is not None]

    def _answer(self, row: Any) -> ResumedAnswer | None:
        """The row's answer; None (logged) when it cannot be read, e.g. sealed with another
        GUARDIAN_SECRET_KEY: one bad row does not hide the others."""
        try:
            answer = Answer.model_validate(self.sealer.unseal(row.answer))
        except Exception as exc:
            log.warning("resumed answer %s is unreadable (%s); not shown", row.key, type(exc).__name__)
            return None
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return ResumedAnswer(row.key, row.thread, row.correlation_id, answer, created)
