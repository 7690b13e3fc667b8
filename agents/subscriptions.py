"""Channels subscribed to proactive posts: the daily or weekly digest, exposure alerts, and
failed CI runs on default branches (posted by the GitHub webhook).
One row per (surface, channel, kind) in the shared database, so every replica's scheduler
sees the same subscribers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    Engine,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from agents.db import create_tables, metadata

Kind = Literal["digest", "exposures", "cicd"]
KINDS: tuple[Kind, ...] = ("digest", "exposures", "cicd")
CADENCES: tuple[str, ...] = ("daily", "weekly")

subscriptions_table = Table(
    "guardian_subscriptions",
    metadata,
    Column("surface", String(32), primary_key=True),
    Column("channel", String(200), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("cadence", String(16), nullable=False, default=""),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Subscription:
    surface: str
    channel: str
    kind: str
    cadence: str
    created_by: str

    @property
    def target(self) -> str:
        """Where posts go, as one string (the delivery key's last part)."""
        return f"{self.surface}:{self.channel}"

    def describe(self) -> str:
        return describe_kind(self.kind, self.cadence)


def describe_kind(kind: str, cadence: str = "") -> str:
    """What a subscription of ``kind`` brings to its channel, in a few words."""
    if kind == "digest":
        return f"the {cadence} digest" if cadence else "the digest"
    return "failed CI runs on default branches" if kind == "cicd" else "exposure alerts"


class SubscriptionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, subscriptions_table)

    def _key(self, surface: str, channel: str, kind: str) -> ColumnElement[bool]:
        table = subscriptions_table
        return and_(table.c.surface == surface, table.c.channel == channel, table.c.kind == kind)

    def subscribe(self, surface: str, channel: str, kind: str, cadence: str, user: str) -> bool:
        """Add (or change the cadence of) a subscription; True when something changed."""
        values = {"cadence": cadence, "created_by": user, "created_at": datetime.now(UTC)}
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(subscriptions_table).values(surface=surface, channel=channel, kind=kind, **values))
            return True
        except IntegrityError:
            with self.engine.begin() as conn:
                changed = conn.execute(update(subscriptions_table).where(
                    self._key(surface, channel, kind), subscriptions_table.c.cadence != cadence).values(**values))
            return bool(changed.rowcount)

    def unsubscribe(self, surface: str, channel: str, kind: str) -> bool:
        with self.engine.begin() as conn:
            gone = conn.execute(delete(subscriptions_table).where(self._key(surface, channel, kind)))
        return bool(gone.rowcount)

    def of_channel(self, surface: str, channel: str) -> list[Subscription]:
        table = subscriptions_table
        return self._select(and_(table.c.surface == surface, table.c.channel == channel))

    def of_kind(self, kind: str, cadence: str = "") -> list[Subscription]:
        table = subscriptions_table
        where = table.c.kind == kind if not cadence else and_(table.c.kind == kind, table.c.cadence == cadence)
        return self._select(where)

    def _select(self, where: ColumnElement[bool]) -> list[Subscription]:
        table = subscriptions_table
        query = select(table.c.surface, table.c.channel, table.c.kind, table.c.cadence, table.c.created_by).where(
            where).order_by(table.c.surface, table.c.channel, table.c.kind)
        with self.engine.connect() as conn:
            return [Subscription(*row) for row in conn.execute(query).all()]
