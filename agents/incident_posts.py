"""Where each incident's brief was posted: the channel and message ts, the brief itself and
the incident's last known status. Acknowledged and resolved events update that message in
place, and ``/guardian incident ...`` in a channel finds its incident here. Kept in the
shared database, so any replica handles the next event; the incident id is the primary key,
so two replicas (or a trigger and an escalation arriving together) post one brief.
Alertmanager groups are kept here too, under ``ALERT_GROUP_PREFIX`` + a digest of their
groupKey (agents/alert_brief.py); they are not incidents, so a channel's commands never
pick one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Engine, String, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from agents.db import metadata

log = logging.getLogger(__name__)

ALERT_GROUP_PREFIX = "alerts:"  # PagerDuty incident ids are letters and digits: no clash

incident_posts_table = Table(
    "guardian_incident_posts",
    metadata,
    Column("incident_id", String(64), primary_key=True),
    Column("surface", String(16), nullable=False),
    Column("channel", String(128), nullable=False, index=True),
    Column("ts", String(64)),
    Column("status", String(16), nullable=False),
    Column("answer", JSON),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class IncidentPost:
    incident_id: str
    surface: str
    channel: str
    ts: str | None
    status: str
    answer: dict[str, Any] | None
    updated_at: datetime


class IncidentPostStore:
    """One row per incident; every change is a single statement."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, incident_id: str, surface: str, channel: str, status: str) -> bool:
        """True for the first brief of this incident (this caller posts it), False when one
        was already posted or is being posted."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(incident_posts_table).values(
                    incident_id=incident_id, surface=surface, channel=channel, status=status,
                    updated_at=datetime.now(UTC)))
        except IntegrityError:
            return False
        return True

    def posted(self, incident_id: str, ts: str, answer: dict[str, Any], status: str) -> None:
        self._set(incident_id, ts=ts, answer=answer, status=status)

    def update(self, incident_id: str, answer: dict[str, Any], status: str) -> None:
        self._set(incident_id, answer=answer, status=status)

    def release(self, incident_id: str) -> None:
        """Forget a claim whose post failed, so PagerDuty's retry can post it."""
        with self.engine.begin() as conn:
            conn.execute(delete(incident_posts_table).where(incident_posts_table.c.incident_id == incident_id))

    def get(self, incident_id: str) -> IncidentPost | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(incident_posts_table)
                               .where(incident_posts_table.c.incident_id == incident_id)).first()
        return _post(row) if row is not None else None

    def in_channel(self, channel: str) -> IncidentPost | None:
        """The incident a channel is about: its newest open one, else its newest (alert groups
        are not incidents)."""
        with self.engine.connect() as conn:
            incidents = ~incident_posts_table.c.incident_id.startswith(ALERT_GROUP_PREFIX, autoescape=True)
            rows = conn.execute(select(incident_posts_table)
                                .where(incident_posts_table.c.channel == channel, incidents)
                                .order_by(incident_posts_table.c.updated_at.desc()).limit(50)).all()
        posts = [_post(row) for row in rows if row.ts]
        return next((p for p in posts if p.status != "resolved"), posts[0] if posts else None)

    def changed_since(self, since: datetime | None, limit: int = 20) -> list[IncidentPost]:
        """Briefs posted or updated at or after ``since`` (None: the newest), oldest first,
        at most ``limit``: the web chat's incident feed. A Teams card's row repeats a brief
        already here, and a claim not yet posted has no brief: both are left out."""
        table = incident_posts_table
        query = select(table).where(table.c.surface != "teams").where(table.c.answer.is_not(None))
        if since is not None:
            query = query.where(table.c.updated_at >= since)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.updated_at.desc()).limit(limit)).all()
        return [_post(row) for row in reversed(rows)]

    def _set(self, incident_id: str, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(incident_posts_table).where(incident_posts_table.c.incident_id == incident_id)
                         .values(updated_at=datetime.now(UTC), **values))


def _post(row: Any) -> IncidentPost:
    return IncidentPost(row.incident_id, row.surface, row.channel, row.ts, row.status,
                        dict(row.answer) if row.answer else None, row.updated_at)
