"""Exactly-once delivery for the surfaces and webhooks: Slack retries an event it thinks
was not acknowledged (and has re-sent one message under new event ids), PagerDuty retries
webhooks for twenty minutes, Alertmanager repeats a group. Each delivery's key is claimed
once in the shared database, so it holds across replicas and restarts; the database's
primary key is the arbiter, not a read-then-write."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

from agents.db import metadata

log = logging.getLogger(__name__)

dedupe_table = Table(
    "guardian_dedupe",
    metadata,
    Column("source", String(32), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

KEEP_FOR = timedelta(days=2)  # far beyond every sender's retry window (PagerDuty: ~20 minutes)
MAX_KEY = 512


class DedupeStore:
    """``claim(source, key)`` is True for the first delivery of a key and False for every
    repeat. A database failure raises: a surface must then refuse the delivery (the
    sender retries) rather than risk running it twice."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._claims = 0

    def claim(self, source: str, key: str) -> bool:
        key = key[:MAX_KEY]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(dedupe_table).values(source=source, key=key, seen_at=datetime.now(UTC)))
        except IntegrityError:
            log.info("%s delivery %s was seen before: ignored", source, key)
            return False
        self._claims += 1
        if self._claims % 500 == 1:
            self.prune()
        return True

    def prune(self, now: datetime | None = None) -> int:
        """Forget keys older than every retry window; returns how many were dropped."""
        cutoff = (now or datetime.now(UTC)) - KEEP_FOR
        with self.engine.begin() as conn:
            return int(conn.execute(delete(dedupe_table).where(dedupe_table.c.seen_at < cutoff)).rowcount or 0)
