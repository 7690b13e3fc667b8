"""Approvals and the audit trail, in the one database named by GUARDIAN_DATABASE_URL
(SQLite by default, PostgreSQL for several replicas), through SQLAlchemy Core."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    update,
)

from agents.redact import redact, redact_obj

metadata = MetaData()

approvals_table = Table(
    "guardian_approvals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("checkpoint_thread", String(200), nullable=False),
    Column("conversation", String(200), nullable=False),
    Column("skill", String(64), nullable=False),
    Column("tool", String(100), nullable=False),
    Column("args", JSON, nullable=False),
    Column("summary", Text, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | denied | executed | failed
    Column("decided_by", String(200)),
    Column("result", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
)

audit_table = Table(
    "guardian_audit",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("event", String(64), nullable=False),
    Column("skill", String(64)),
    Column("detail", JSON, nullable=False),
)


@dataclass(frozen=True)
class ApprovalRecord:
    id: str
    checkpoint_thread: str
    conversation: str
    skill: str
    tool: str
    args: dict[str, Any]
    summary: str
    requested_by: str
    status: str
    decided_by: str | None
    result: str | None
    created_at: datetime
    decided_at: datetime | None = None


class ApprovalError(RuntimeError):
    """A decision that cannot be taken (unknown id, already decided)."""


def _now() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine for the configured URL; SQLite gets a busy timeout so processes can share it."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    return create_engine(url, pool_pre_ping=True)


class Storage:
    """Approvals and audit records. Every write is redacted first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    # approvals -------------------------------------------------------------------------
    def create_approval(
        self, *, checkpoint_thread: str, conversation: str, skill: str, tool: str,
        args: dict[str, Any], summary: str, requested_by: str,
    ) -> ApprovalRecord:
        approval_id = "ap-" + uuid.uuid4().hex[:10]
        row = {
            "id": approval_id, "checkpoint_thread": checkpoint_thread, "conversation": conversation,
            "skill": skill, "tool": tool, "args": redact_obj(args), "summary": redact(summary),
            "requested_by": requested_by, "status": "pending", "created_at": _now(),
        }
        with self.engine.begin() as conn:
            conn.execute(insert(approvals_table).values(**row))
        self.audit(requested_by, "approval.requested", skill, {"approval": approval_id, "tool": tool,
                                                               "args": args, "summary": summary})
        return self.get_approval(approval_id)

    def get_approval(self, approval_id: str) -> ApprovalRecord:
        with self.engine.connect() as conn:
            row = conn.execute(select(approvals_table).where(approvals_table.c.id == approval_id)).first()
        if row is None:
            raise ApprovalError(f"No approval with id {approval_id!r}.")
        return ApprovalRecord(**row._asdict())

    def list_approvals(self, status: str | None = "pending", limit: int = 50) -> list[ApprovalRecord]:
        query = select(approvals_table).order_by(approvals_table.c.created_at.desc()).limit(limit)
        if status:
            query = query.where(approvals_table.c.status == status)
        with self.engine.connect() as conn:
            return [ApprovalRecord(**row._asdict()) for row in conn.execute(query)]

    def decide(self, approval_id: str, *, approve: bool, user: str) -> ApprovalRecord:
        """Record a decision exactly once: a compare-and-set on status, so two replicas or a
        double click cannot both approve."""
        status = "approved" if approve else "denied"
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(approvals_table)
                .where(approvals_table.c.id == approval_id, approvals_table.c.status == "pending")
                .values(status=status, decided_by=user, decided_at=_now())
            ).rowcount
        if not changed:
            current = self.get_approval(approval_id)
            raise ApprovalError(f"Approval {approval_id} is already {current.status}.")
        record = self.get_approval(approval_id)
        self.audit(user, f"approval.{status}", record.skill, {"approval": approval_id, "tool": record.tool})
        return record

    def finish(self, approval_id: str, *, ok: bool, result: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(approvals_table)
                .where(approvals_table.c.id == approval_id, approvals_table.c.status == "approved")
                .values(status="executed" if ok else "failed", result=redact(result))
            )

    # audit -----------------------------------------------------------------------------
    def audit(self, actor: str, event: str, skill: str | None, detail: dict[str, Any]) -> None:
        row = {"id": uuid.uuid4().hex[:16], "at": _now(), "actor": actor, "event": event, "skill": skill,
               "detail": json.loads(json.dumps(redact_obj(detail), default=str))}
        with self.engine.begin() as conn:
            conn.execute(insert(audit_table).values(**row))

    def audit_events(self, limit: int = 100) -> list[dict[str, Any]]:
        query = select(audit_table).order_by(audit_table.c.at.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [row._asdict() for row in conn.execute(query)]
