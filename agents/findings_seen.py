"""When each security finding was first seen by a digest: what makes a finding "new" in
the digest of the period it appeared in, and "still open" in the ones after."""

from __future__ import annotations

from sqlalchemy import Column, Engine, Float, String, Table, insert, select
from sqlalchemy.exc import IntegrityError

from agents.db import create_tables, metadata

findings_seen_table = Table(
    "guardian_findings_seen",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("first_seen", Float, nullable=False),
)


class FindingsSeen:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, findings_seen_table)

    def record(self, keys: set[str], now: float) -> dict[str, float]:
        """First-seen time of each key, recording ``now`` for the keys never seen. A key
        another replica recorded meanwhile keeps that replica's time (insert only)."""
        try:
            return self._record(keys, now)
        except IntegrityError:  # another replica inserted one of them first: read again
            return self._record(keys, now)

    def _record(self, keys: set[str], now: float) -> dict[str, float]:
        table = findings_seen_table
        with self.engine.begin() as conn:
            known = {str(key): float(at) for key, at in conn.execute(select(table.c.key, table.c.first_seen)).all()}
            fresh = sorted(keys - known.keys())
            if fresh:
                conn.execute(insert(table), [{"key": key, "first_seen": now} for key in fresh])
        return {**known, **dict.fromkeys(fresh, now)}

    def empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(findings_seen_table.c.key).limit(1)).first() is None
