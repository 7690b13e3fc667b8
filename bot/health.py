"""Readiness: real, bounded reads of the database and the knowledge store, every time they
are asked for (never a result remembered from start-up). A database file moved, truncated
or dropped under a running server makes readiness fail, not the next request.

The SQLite file is opened afresh for each check: the server's own connections keep reading
a file that was moved or deleted under them, so only a new open sees what a new process
would see."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

CHECK_TIMEOUT_S = 2.0
CHECKPOINT_TABLES = ("checkpoints",)  # LangGraph's, in the SQLite and the PostgreSQL savers


def guardian_tables() -> list[str]:
    """The approvals/audit tables (whatever the stores declare) and the checkpoints."""
    import agents.storage  # noqa: F401 - importing the stores declares their tables
    from agents.db import metadata

    return [table.name for table in metadata.sorted_tables] + list(CHECKPOINT_TABLES)


class DatabaseCheck:
    """``check()`` -> None when every table answers ``SELECT 1 ... LIMIT 1``, else a short
    reason (no paths, no credentials)."""

    def __init__(self, url: str, timeout: float = CHECK_TIMEOUT_S) -> None:
        self.url = url
        self.timeout = timeout
        parsed = make_url(url)
        self.sqlite_path: Path | None = None
        self._engine: Any = None
        if parsed.get_backend_name() == "sqlite":
            self.sqlite_path = Path(parsed.database) if parsed.database and parsed.database != ":memory:" else None
        else:
            plain = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
            ms = int(self.timeout * 1000)
            self._engine = create_engine(plain, poolclass=NullPool, connect_args={
                "connect_timeout": max(1, int(self.timeout)), "options": f"-c statement_timeout={ms}"})

    def check(self) -> str | None:
        tables = guardian_tables()
        try:
            if self._engine is not None:
                with self._engine.connect() as conn:
                    for table in tables:
                        conn.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).fetchall()
                return None
            if self.sqlite_path is None:
                return None  # in-memory: nothing on disk to lose
            return _check_sqlite(self.sqlite_path, tables, self.timeout)
        except Exception as exc:
            return _reason(exc)


def _check_sqlite(path: Path, tables: list[str], timeout: float) -> str | None:
    if not path.is_file():
        return "database file is missing"
    deadline = time.monotonic() + timeout
    conn = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=timeout)
    try:
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)  # a bounded query
        for table in tables:
            conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchall()
    finally:
        conn.close()
    return None


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's error
    message = " ".join(str(orig or exc).split()).split(" [SQL:")[0]
    if message == "interrupted":
        return "database did not answer in time"
    return message[:160] or type(exc).__name__
