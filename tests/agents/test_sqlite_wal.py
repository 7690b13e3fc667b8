"""The shared SQLite file is in WAL mode before the checkpointer's setup runs, so setup
waits for another connection's write instead of failing with "database is locked"
(a clean-clone CI run failed so: the first turn's setup raced `guardian serve`'s
inventory sync, and SQLite does not wait on its busy timeout for a journal-mode switch)."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from agents.checkpoint import make_checkpointer
from agents.db import make_engine
from agents.sealing import ephemeral_key
from agents.sqlite_wal import ensure_wal, sqlite_file


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])
    finally:
        conn.close()


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another connection takes the write lock now and commits after ``seconds``."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("CREATE TABLE IF NOT EXISTS other_writer (x)")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO other_writer VALUES (1)")

    def release() -> None:
        time.sleep(seconds)
        conn.execute("COMMIT")
        conn.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def locked_rollback_file(tmp_path: Path, seconds: float) -> tuple[Path, threading.Thread]:
    """A database file in the default rollback-journal mode, with another connection holding
    its write lock for ``seconds``."""
    database = tmp_path / "guardian.db"
    sqlite3.connect(database).close()
    return database, hold_write_lock(database, seconds)


def test_the_engine_puts_a_new_database_file_in_wal_mode(tmp_path: Path) -> None:
    database = tmp_path / "guardian.db"
    engine = make_engine(f"sqlite:///{database}")
    engine.dispose()
    assert journal_mode(database) == "wal"


def test_the_switch_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    database, writer = locked_rollback_file(tmp_path, 0.5)
    # What setup() does on its own fails at once, whatever the busy timeout:
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        sqlite3.connect(database, timeout=30).execute("PRAGMA journal_mode=WAL")
    started = time.monotonic()
    ensure_wal(database)
    assert time.monotonic() - started >= 0.3  # it waited for the writer's commit
    writer.join()
    assert journal_mode(database) == "wal"


def test_checkpointer_setup_survives_a_concurrent_writer_on_a_fresh_file(tmp_path: Path) -> None:
    database, writer = locked_rollback_file(tmp_path, 0.5)
    with ExitStack() as stack:
        saver = make_checkpointer(f"sqlite:///{database}", stack, ephemeral_key())
        assert saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_ns": ""}}) is None
    writer.join()
    assert journal_mode(database) == "wal"


def test_a_lock_held_past_the_timeout_is_reported_not_swallowed(tmp_path: Path) -> None:
    database, writer = locked_rollback_file(tmp_path, 1.0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        ensure_wal(database, timeout_s=0.2)
    writer.join()


@pytest.mark.parametrize("database", [None, "", ":memory:", "file::memory:?cache=shared"])
def test_in_memory_databases_have_no_file_to_switch(database: str | None) -> None:
    assert sqlite_file(database) is None
