"""The inventory's past: each ``guardian inventory sync`` records what it saw (resource key
-> fields) with its time in the shared database, so "what changed since yesterday?" is the
difference between two snapshots. The knowledge store keeps only the latest snapshot (it is
replaced at each sync); the history lives here, bounded to KEEP_FOR.

One row per snapshot (a JSON object of resources) rather than one per resource: a snapshot is
always read whole, and a small company's is a few kilobytes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Engine, Integer, Table, delete, insert, select

from agents.db import metadata
from agents.redact import sanitize_obj

inventory_snapshots = Table(
    "guardian_inventory_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("taken_at", DateTime(timezone=True), nullable=False, index=True),
    Column("resources", JSON, nullable=False),
)

KEEP_FOR = timedelta(days=30)

Snapshot = tuple[datetime, dict[str, dict[str, Any]]]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every moment here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class InventoryHistory:
    """Snapshots of the inventory over time (tools.base.InventoryHistory). Values are
    sanitized before they are stored: a secret in a tag never reaches the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, resources: Mapping[str, Mapping[str, Any]], taken_at: datetime | None = None) -> datetime:
        """Store one snapshot and drop those older than KEEP_FOR; returns its time."""
        moment = _aware(taken_at or datetime.now(UTC))
        clean = sanitize_obj({str(key): dict(fields) for key, fields in resources.items()})
        with self.engine.begin() as conn:
            conn.execute(insert(inventory_snapshots).values(taken_at=moment, resources=clean))
            conn.execute(delete(inventory_snapshots).where(inventory_snapshots.c.taken_at < moment - KEEP_FOR))
        return moment

    def latest(self) -> Snapshot | None:
        table = inventory_snapshots
        query = (select(table.c.taken_at, table.c.resources)
                 .order_by(table.c.taken_at.desc(), table.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (_aware(row.taken_at), dict(row.resources))

    def at_or_before(self, moment: datetime) -> Snapshot | None:
        """The last snapshot taken at or before ``moment``: the inventory as it was then."""
        table = inventory_snapshots
        query = (select(table.c.taken_at, table.c.resources).where(table.c.taken_at <= _aware(moment))
                 .order_by(table.c.taken_at.desc(), table.c.id.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else (_aware(row.taken_at), dict(row.resources))

    def after(self, moment: datetime) -> list[Snapshot]:
        """Every snapshot taken after ``moment``, oldest first (the last is the latest)."""
        table = inventory_snapshots
        query = (select(table.c.taken_at, table.c.resources).where(table.c.taken_at > _aware(moment))
                 .order_by(table.c.taken_at.asc(), table.c.id.asc()))
        with self.engine.connect() as conn:
            return [(_aware(row.taken_at), dict(row.resources)) for row in conn.execute(query)]
