"""The shared database's stores, opened together: approvals, the audit trail, the
conversations' context, the deliveries already seen, the inventory's snapshots and the
web chat's resumed answers (the LangGraph checkpoints live in the same database, see
agents/checkpoint.py)."""

from __future__ import annotations

from dataclasses import dataclass

# the scheduled jobs' tables are declared too, so create_schema makes every table /readyz
# checks, whatever this process imported first: a replica that runs no scheduler
# (GUARDIAN_SCHEDULER=0) never builds the jobs' stores, yet must be ready
import agents.exposures
import agents.findings_seen
import agents.jobs
import agents.subscriptions  # noqa: F401
from agents.approvals import ApprovalError, ApprovalRecord, ApprovalStore, Sealer
from agents.audit import AuditLog
from agents.conversations import ConversationStore
from agents.db import create_schema, make_engine
from agents.dedupe import DedupeStore
from agents.incident_posts import IncidentPostStore
from agents.inventory_history import InventoryHistory
from agents.resumed_answers import ResumedAnswerStore


@dataclass
class Storage:
    approvals: ApprovalStore
    audit: AuditLog
    conversations: ConversationStore
    dedupe: DedupeStore
    incidents: IncidentPostStore
    inventory: InventoryHistory
    resumed: ResumedAnswerStore

    @classmethod
    def open(cls, database_url: str, sealer: Sealer) -> Storage:
        engine = make_engine(database_url)
        create_schema(engine)
        return cls(ApprovalStore(engine, sealer), AuditLog(engine), ConversationStore(engine), DedupeStore(engine),
                   IncidentPostStore(engine), InventoryHistory(engine), ResumedAnswerStore(engine, sealer))


__all__ = ["ApprovalError", "ApprovalRecord", "Storage", "make_engine"]
