"""What a conversation (a Slack thread, a Teams conversation, a CLI --thread) remembers
between turns: the last answered skill, its slots and the resources its answer named, so a
follow-up ("and in eu-west-1?", "stop it") can reuse them. Kept in the shared database, so
any replica answers the next message of a thread; each turn still runs on its own
checkpoint thread."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Engine, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from agents.db import metadata
from agents.redact import redact_obj

log = logging.getLogger(__name__)

conversations_table = Table(
    "guardian_conversations",
    metadata,
    Column("conversation", Text, primary_key=True),
    Column("skill", String(64), nullable=False),
    Column("slots", JSON, nullable=False),
    Column("resources", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class TurnContext:
    """The previous turn of a conversation, as follow-ups need it."""

    skill: str
    slots: dict[str, Any] = field(default_factory=dict)
    resources: list[str] = field(default_factory=list)


class ConversationStore:
    """The last answered turn per conversation. Reading or writing it never costs an answer:
    a failure is logged and the turn goes on without context."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, conversation: str) -> TurnContext | None:
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(conversations_table)
                                   .where(conversations_table.c.conversation == conversation)).first()
        except SQLAlchemyError as exc:
            log.error("could not read the context of conversation %s: %s", conversation, type(exc).__name__)
            return None
        if row is None:
            return None
        return TurnContext(row.skill, dict(row.slots or {}), list(row.resources or []))

    def put(self, conversation: str, context: TurnContext) -> None:
        values = {"skill": context.skill, "slots": json.loads(json.dumps(redact_obj(context.slots), default=str)),
                  "resources": list(context.resources)[:50], "updated_at": datetime.now(UTC)}
        try:
            with self.engine.begin() as conn:
                changed = conn.execute(update(conversations_table)
                                       .where(conversations_table.c.conversation == conversation)
                                       .values(**values)).rowcount
                if not changed:
                    conn.execute(insert(conversations_table).values(conversation=conversation, **values))
        except SQLAlchemyError as exc:
            log.error("could not keep the context of conversation %s: %s", conversation, type(exc).__name__)

    def forget(self, conversation: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(conversations_table).where(conversations_table.c.conversation == conversation))
