"""The inventory's snapshots in the shared database (SQLite and PostgreSQL): found by time,
bounded to KEEP_FOR, sanitized before they are stored; and a sync that could not read a
cloud carries that cloud's last resources forward instead of reporting them removed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from agents.db import create_tables, make_engine
from agents.inventory_history import KEEP_FOR, InventoryHistory, inventory_snapshots
from bot.inventory import snapshot_resources
from sandbox.company import SECRET_FIXTURE
from tools.redaction import sanitize

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
VM = {"cloud": "aws", "type": "ec2", "id": "i-1", "name": "web-1", "state": "running"}
BUCKET = {"cloud": "azure", "type": "storage", "id": "acct", "name": "acct"}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh schema per test: a file on SQLite, a schema of its own on PostgreSQL (tests run
    in parallel against the one database)."""
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'guardian.db'}")
        create_tables(made, inventory_snapshots)
        yield made
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"inv_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    made = make_engine(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    create_tables(made, inventory_snapshots)
    try:
        yield made
    finally:
        made.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_snapshots_are_found_by_time(engine: Engine) -> None:
    history = InventoryHistory(engine)
    history.record({"inventory/ec2/i-1": VM}, T0)
    history.record({"inventory/ec2/i-1": {**VM, "state": "stopped"}}, T0 + timedelta(hours=1))
    history.record({}, T0 + timedelta(hours=2))
    assert history.at_or_before(T0 - timedelta(seconds=1)) is None
    assert history.at_or_before(T0) == (T0, {"inventory/ec2/i-1": VM})
    assert history.at_or_before(T0 + timedelta(minutes=90)) == (
        T0 + timedelta(hours=1), {"inventory/ec2/i-1": {**VM, "state": "stopped"}})
    assert [moment for moment, _ in history.after(T0)] == [T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    assert history.latest() == (T0 + timedelta(hours=2), {})


def test_history_is_bounded_and_sanitized(engine: Engine) -> None:
    history = InventoryHistory(engine)
    history.record({"inventory/ec2/i-1": VM}, T0)
    history.record({"inventory/ec2/i-1": VM}, T0 + KEEP_FOR)  # exactly KEEP_FOR later: kept
    history.record({"inventory/ec2/i-1": {**VM, "tags": f"note={SECRET_FIXTURE}"}}, T0 + KEEP_FOR + timedelta(1))
    assert history.at_or_before(T0) is None  # the first is now older than KEEP_FOR
    assert [moment for moment, _ in history.after(T0 - timedelta(1))] == [T0 + KEEP_FOR,
                                                                         T0 + KEEP_FOR + timedelta(1)]
    latest = history.latest()
    assert latest is not None
    assert latest[1]["inventory/ec2/i-1"]["tags"] == sanitize(f"note={SECRET_FIXTURE}") != f"note={SECRET_FIXTURE}"


def test_a_cloud_that_could_not_be_read_keeps_its_last_resources(engine: Engine) -> None:
    history = InventoryHistory(engine)
    history.record({"inventory/ec2/i-1": VM, "inventory/storage/acct": BUCKET}, T0)
    now = {"inventory/ec2/i-1": {**VM, "state": "stopped"}}
    assert snapshot_resources(now, {"azure"}, history) == {**now, "inventory/storage/acct": BUCKET}
    assert snapshot_resources(now, set(), history) == now  # read and gone: removed
