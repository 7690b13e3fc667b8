"""The audit trail: one append-only table recording every request, routed skill, policy
decision, tool call and approval decision (refused ones included), with who, where, when
and a correlation id that ties one turn's records together.

Recording never raises: an answer already computed is not lost because the audit write
after it failed; the failure is logged and counted instead (``AuditLog.failures``).

Listeners (``AuditLog.subscribe``) see every event as it is recorded: the composition root
turns some of them into Prometheus counters (bot/metrics.py), so what the audit counts and
what a dashboard shows come from one place and ``agents/`` needs no metrics code.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Engine, Float, String, Table, Text, insert, select
from sqlalchemy.exc import SQLAlchemyError

from agents.db import metadata
from agents.redact import redact, redact_obj

log = logging.getLogger(__name__)

# (event, skill, outcome) of one recorded event, outcome already redacted.
AuditListener = Callable[[str, str | None, str | None], None]

audit_table = Table(
    "guardian_audit_log",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("correlation_id", String(64), nullable=False, index=True),
    Column("user", Text, nullable=False),
    Column("surface", String(32), nullable=False),
    Column("channel", Text),
    Column("event", String(64), nullable=False),
    Column("skill", String(64)),
    Column("tool", String(100)),
    Column("args", JSON),
    Column("outcome", Text),
    Column("duration_ms", Float),
    Column("approval_id", String(32)),
)


def new_correlation_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class Origin:
    """Who did something, where, and the turn (correlation id) it belongs to."""

    user: str
    surface: str = "cli"
    channel: str | None = None
    correlation_id: str = field(default_factory=new_correlation_id)


def _now() -> datetime:
    return datetime.now(UTC)


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(redact_obj(value), default=str)) if value is not None else None


class AuditLog:
    """Appends audit records and reads them back; every stored string is redacted."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.failures = 0
        self._lock = threading.Lock()
        self._listeners: list[AuditListener] = []

    def subscribe(self, listener: AuditListener) -> None:
        """Call ``listener`` for every event recorded from now on (also when the write fails:
        the event happened). A listener that raises is logged and does not stop the others."""
        self._listeners.append(listener)

    def record(
        self, origin: Origin, event: str, *, skill: str | None = None, tool: str | None = None,
        args: Any = None, outcome: str | None = None, duration_ms: float | None = None,
        approval_id: str | None = None,
    ) -> None:
        row = {
            "id": uuid.uuid4().hex, "at": _now(), "correlation_id": origin.correlation_id,
            "user": redact(origin.user), "surface": origin.surface,
            "channel": redact(origin.channel) if origin.channel else None, "event": event, "skill": skill,
            "tool": tool, "args": _jsonable(args), "outcome": redact(outcome) if outcome else outcome,
            "duration_ms": round(duration_ms, 1) if duration_ms is not None else None, "approval_id": approval_id,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(audit_table).values(**row))
        except (SQLAlchemyError, OSError) as exc:
            with self._lock:
                self.failures += 1
            log.error("audit write failed for %s/%s (correlation %s): %s", event, skill, origin.correlation_id,
                      type(exc).__name__)
        for listener in self._listeners:
            try:
                listener(event, skill, row["outcome"])
            except Exception:  # a metrics bug must not lose the answer
                log.exception("audit listener failed on %s", event)

    def query(self, *, since: datetime | None = None, user: str | None = None, event: str | None = None,
              skill: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        """Records oldest first, in the contract's shape (docs/CONTRACT.md `guardian audit`)."""
        query = select(audit_table).order_by(audit_table.c.at, audit_table.c.id)
        if since is not None:
            query = query.where(audit_table.c.at >= since)
        if user is not None:
            query = query.where(audit_table.c.user == user)
        if event is not None:
            query = query.where(audit_table.c.event == event)
        if skill is not None:
            query = query.where(audit_table.c.skill == skill)
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [contract_record(dict(row)) for row in rows]


def contract_record(row: dict[str, Any]) -> dict[str, Any]:
    at = row["at"]
    if isinstance(at, datetime):
        at = (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()
    return {
        "at": at, "correlation_id": row["correlation_id"], "user": row["user"], "surface": row["surface"],
        "channel": row["channel"], "event": row["event"], "skill": row["skill"], "tool": row["tool"],
        "args": row["args"], "outcome": row["outcome"], "duration_ms": row["duration_ms"],
        "approval_id": row["approval_id"],
    }
