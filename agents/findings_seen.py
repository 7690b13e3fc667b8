"""The security findings each digest cadence has already shown: a finding is "new" in a
daily (weekly) digest when the previous daily (weekly) digest did not list it, and "still
open" after that. The first digest of a cadence has nothing to compare with (a marker row
records that it ran). A finding that went away and came back is new again."""

from __future__ import annotations

from sqlalchemy import Column, Connection, Engine, String, Table, and_, delete, insert, select

from agents.db import create_tables, metadata

findings_seen_table = Table(
    "guardian_digest_findings",
    metadata,
    Column("cadence", String(16), primary_key=True),
    Column("key", String(512), primary_key=True),
)
MARK = "__digest_ran__"


class FindingsSeen:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, findings_seen_table)

    def known(self, cadence: str) -> set[str] | None:
        """The findings the previous digest of ``cadence`` listed; None before its first."""
        table = findings_seen_table
        with self.engine.connect() as conn:
            keys = {str(key) for key in conn.execute(select(table.c.key).where(table.c.cadence == cadence)).scalars()}
        return (keys - {MARK}) if MARK in keys else None

    def replace(self, conn: Connection, cadence: str, current: set[str], complete: bool) -> None:
        """Store what this digest listed, inside the caller's transaction (with the digest
        itself). ``complete``: every region answered, so findings missing now are gone."""
        table = findings_seen_table
        stored = {str(key) for key in conn.execute(select(table.c.key).where(table.c.cadence == cadence)).scalars()}
        fresh = sorted((current | {MARK}) - stored)
        if fresh:
            conn.execute(insert(table), [{"cadence": cadence, "key": key} for key in fresh])
        gone = sorted(stored - current - {MARK})
        if complete and gone:
            conn.execute(delete(table).where(and_(table.c.cadence == cadence, table.c.key.in_(gone))))
