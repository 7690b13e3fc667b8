"""Put a SQLite database file in WAL mode before anything else shares it.

LangGraph's SQLite checkpointer switches its file to WAL in ``setup()``. Approvals, audit
and the inventory history write the same file through SQLAlchemy, and ``guardian serve``
writes it from background jobs. SQLite does not wait on its busy timeout for a journal-mode
switch: while another connection holds a write lock, ``PRAGMA journal_mode=WAL`` fails at
once with "database is locked" (seen in a clean-clone CI run: the first turn's checkpointer
setup against the scheduled inventory sync). WAL mode is stored in the file, so switching
once, early, and retrying only that switch removes the race: on a file already in WAL the
pragma is a no-op, and every later write waits on the busy timeout as usual.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from agents.private import private_sqlite

log = logging.getLogger(__name__)

RETRY_PAUSE_S = 0.05


def ensure_wal(path: Path, timeout_s: float = 30.0) -> None:
    """Switch ``path`` to WAL mode, retrying while another connection holds a lock (up to
    ``timeout_s``, the busy timeout every Guardian connection uses). Raises the last
    ``sqlite3.OperationalError`` when the lock outlasts it."""
    deadline = time.monotonic() + timeout_s
    while True:
        conn = sqlite3.connect(path, timeout=timeout_s)
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            log.debug("waiting for a lock on %s to switch it to WAL", path)
            time.sleep(RETRY_PAUSE_S)
            continue
        finally:
            conn.close()
        if str(mode).lower() != "wal":  # e.g. a file system without shared memory
            log.warning("%s stays in %s journal mode: SQLite refused WAL", path, mode)
        return


def prepare_file(path: Path) -> None:
    """What every opener of the shared file does first: owner-only, then WAL mode."""
    private_sqlite(path)
    ensure_wal(path)


def sqlite_file(database: str | None) -> Path | None:
    """The file behind a SQLAlchemy SQLite URL's database part; None for in-memory ones."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database)
