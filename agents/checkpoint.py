"""The LangGraph checkpointer for the configured database URL: the same SQLite file as
approvals and audit by default, PostgreSQL's saver for several replicas."""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack
from typing import Any

from sqlalchemy.engine import make_url


def make_checkpointer(database_url: str, stack: ExitStack) -> Any:
    """Open a checkpointer whose resources close with ``stack``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(url.database or ":memory:", check_same_thread=False, timeout=30)
        stack.callback(conn.close)
        saver: Any = SqliteSaver(conn)
        saver.setup()
        return saver
    if url.get_backend_name() == "postgresql":
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
        except ImportError as exc:  # optional extra
            raise RuntimeError(
                "PostgreSQL checkpoints need the 'postgres' extra: pip install 'guardian-angel[postgres]'"
            ) from exc
        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        pg_saver: Any = stack.enter_context(PostgresSaver.from_conn_string(plain))
        pg_saver.setup()
        return pg_saver
    raise ValueError(f"Unsupported GUARDIAN_DATABASE_URL backend: {url.get_backend_name()}")
