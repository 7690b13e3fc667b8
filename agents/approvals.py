"""Approvals: a proposed write, stored with the exact arguments the approver sees, decided
exactly once, then claimed exactly once before it runs.

Life of an approval (every arrow is a compare-and-set on ``status``, so two replicas, a
double click or a crashed process can never make a write run twice)::

    pending --decide--> approved --claim--> executing --finish--> executed | failed | refused
            \\-> denied          \\--cancel--> cancelled   \\--cancel--> abandoned

``approved`` and ``executing`` are the states a crash can leave behind; ``approvals list``
shows them, and an operator resumes (``approved`` only: nothing ran yet) or cancels them.
The raw arguments and the target the preflight saw are kept sealed (encrypted) and are
read only by ``claim``; listings, logs and the audit see the redacted copy.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Column, DateTime, Engine, String, Table, Text, func, insert, select, update

from agents.db import metadata
from agents.redact import redact, redact_obj
from tools.base import ApprovedCall

OPEN_STATUSES = ("pending", "approved", "executing")
FINAL_STATUSES = ("denied", "executed", "failed", "refused", "cancelled", "abandoned")

approvals_table = Table(
    "guardian_approvals",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("checkpoint_thread", Text, nullable=False),
    Column("conversation", Text, nullable=False),
    Column("skill", String(64), nullable=False),
    Column("tool", String(100), nullable=False),
    Column("args", JSON, nullable=False),  # redacted copy, for people
    Column("summary", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("decided_by", Text),
    Column("result", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    # added with the trust work; create_schema() adds them to older databases
    Column("sealed", Text),  # the raw arguments and the preflight's target, encrypted
    Column("correlation_id", String(64)),
    Column("surface", String(32)),
    Column("channel", Text),
    Column("claimed_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)


class Sealer(Protocol):
    """Encrypts what must not rest in plain text (see bot/runtime.py for the key)."""

    def seal(self, value: Any) -> str: ...

    def unseal(self, token: str) -> Any: ...


class ApprovalError(RuntimeError):
    """A decision that cannot be taken (unknown id, already decided, wrong state)."""


@dataclass(frozen=True)
class ApprovalRecord:
    """An approval as people see it (arguments redacted)."""

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
    correlation_id: str | None = None
    surface: str | None = None
    channel: str | None = None
    claimed_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def age_seconds(self, now: datetime | None = None) -> float:
        moment = self.claimed_at or self.decided_at or self.created_at
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return ((now or _now()) - moment).total_seconds()


_RECORD_FIELDS = tuple(ApprovalRecord.__dataclass_fields__)


def _now() -> datetime:
    return datetime.now(UTC)


def _record(row: Any) -> ApprovalRecord:
    data = row._asdict()
    return ApprovalRecord(**{name: data.get(name) for name in _RECORD_FIELDS})


class ApprovalStore:
    """Approvals in the shared database."""

    def __init__(self, engine: Engine, sealer: Sealer) -> None:
        self.engine = engine
        self.sealer = sealer

    def create(
        self, *, checkpoint_thread: str, conversation: str, skill: str, tool: str, args: dict[str, Any],
        target: dict[str, Any] | None, summary: str, requested_by: str, correlation_id: str | None = None,
        surface: str | None = None, channel: str | None = None,
    ) -> ApprovalRecord:
        approval_id = "ap-" + uuid.uuid4().hex[:10]
        row = {
            "id": approval_id, "checkpoint_thread": checkpoint_thread, "conversation": conversation,
            "skill": skill, "tool": tool, "args": json.loads(json.dumps(redact_obj(args), default=str)),
            "sealed": self.sealer.seal({"args": args, "target": target}), "summary": redact(summary),
            "requested_by": requested_by, "status": "pending", "created_at": _now(),
            "correlation_id": correlation_id, "surface": surface, "channel": channel,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(approvals_table).values(**row))
        return self.get(approval_id)

    def get(self, approval_id: str) -> ApprovalRecord:
        with self.engine.connect() as conn:
            row = conn.execute(select(*_visible()).where(approvals_table.c.id == approval_id)).first()
        if row is None:
            raise ApprovalError(f"No approval with id {approval_id!r}.")
        return _record(row)

    def list(self, statuses: tuple[str, ...] | None = OPEN_STATUSES,
             limit: int = 50) -> tuple[list[ApprovalRecord], int]:
        """(the newest ``limit`` approvals in ``statuses`` (all when None), how many exist
        that this listing does not show)."""
        query = select(*_visible()).order_by(approvals_table.c.created_at.desc()).limit(limit)
        if statuses is not None:
            query = query.where(approvals_table.c.status.in_(statuses))
        with self.engine.connect() as conn:
            records = [_record(row) for row in conn.execute(query)]
            total = conn.execute(select(func.count()).select_from(approvals_table)).scalar_one()
        return records, int(total) - len(records)

    def decide(self, approval_id: str, *, approve: bool, user: str) -> ApprovalRecord:
        """pending -> approved | denied, once."""
        status = "approved" if approve else "denied"
        self._transition(approval_id, ("pending",), status, decided_by=user, decided_at=_now())
        return self.get(approval_id)

    def claim(self, approval_id: str) -> ApprovedCall:
        """approved -> executing, once; the claimed call carries the raw arguments and the
        target the preflight saw, and can say whether it is still claimed."""
        self._transition(approval_id, ("approved",), "executing", claimed_at=_now())
        with self.engine.connect() as conn:
            row = conn.execute(select(approvals_table.c.tool, approvals_table.c.sealed)
                               .where(approvals_table.c.id == approval_id)).one()
        if not row.sealed:
            self._transition(approval_id, ("executing",), "refused", finished_at=_now(),
                             result="Not run: this approval predates sealed arguments; ask again.")
            raise ApprovalError(f"Approval {approval_id} has no sealed arguments (made by an older Guardian); "
                                "nothing was run. Ask for the action again.")
        payload = self.sealer.unseal(row.sealed)
        return ApprovedCall(approval_id=approval_id, tool=row.tool, args=dict(payload["args"]),
                            target=payload.get("target"), still_claimed=lambda: self._is(approval_id, "executing"))

    def finish(self, approval_id: str, *, status: str, result: str) -> ApprovalRecord:
        """executing -> executed | failed | refused."""
        if status not in ("executed", "failed", "refused"):
            raise ValueError(f"not a final execution status: {status}")
        self._transition(approval_id, ("executing",), status, result=redact(result), finished_at=_now())
        return self.get(approval_id)

    def cancel(self, approval_id: str, *, user: str, reason: str) -> ApprovalRecord:
        """An operator closes what a crash left open: approved (nothing ran) -> cancelled,
        executing (it may have run) -> abandoned. Pending ones are denied instead."""
        record = self.get(approval_id)
        if record.status == "approved":
            self._transition(approval_id, ("approved",), "cancelled", finished_at=_now(),
                             result=redact(f"Cancelled by {user} before it ran: {reason}"))
        elif record.status == "executing":
            self._transition(approval_id, ("executing",), "abandoned", finished_at=_now(),
                             result=redact(f"Abandoned by {user}; it may or may not have run: {reason}"))
        elif record.status == "pending":
            raise ApprovalError(f"Approval {approval_id} is pending: deny it instead.")
        else:
            raise ApprovalError(f"Approval {approval_id} is already {record.status}.")
        return self.get(approval_id)

    def _is(self, approval_id: str, status: str) -> bool:
        with self.engine.connect() as conn:
            current = conn.execute(select(approvals_table.c.status)
                                   .where(approvals_table.c.id == approval_id)).scalar_one_or_none()
        return current == status

    def _transition(self, approval_id: str, sources: tuple[str, ...], target: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(approvals_table)
                .where(approvals_table.c.id == approval_id, approvals_table.c.status.in_(sources))
                .values(status=target, **values)
            ).rowcount
        if not changed:
            current = self.get(approval_id)  # raises for an unknown id
            raise ApprovalError(f"Approval {approval_id} is already {current.status}.")


def _visible() -> list[Any]:
    return [column for column in approvals_table.columns if column.name != "sealed"]
