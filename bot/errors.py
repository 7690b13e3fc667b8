"""User errors: shown as one line on stderr with exit status 1, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class UserError(Exception):
    """Something the user can fix (a missing file, a bad id, an unset integration)."""


def one_line(text: str, limit: int = 400) -> str:
    """Any message as a single line of bounded length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def local_state_error(exc: BaseException, database_url: str | None) -> str | None:
    """One sentence for a failure of local state (the SQLite database, a file under
    GUARDIAN_HOME) naming the file and what to do; None when ``exc`` is something else."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, sqlite3.Error | OSError):
        cause = getattr(cause, "orig", None) or cause.__cause__
    if isinstance(cause, sqlite3.Error):
        return _sqlite_sentence(cause, _sqlite_path(database_url))
    if isinstance(cause, OSError) and cause.filename:
        return (f"Cannot use {cause.filename} ({cause.strerror or type(cause).__name__}): check that it exists and "
                "that this user may read and write it.")
    return None


def _sqlite_path(database_url: str | None) -> str:
    if database_url and database_url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        name = make_url(database_url).database
        if name and name != ":memory:":
            return str(Path(name))
    return "the database"


def _sqlite_sentence(error: sqlite3.Error, path: str) -> str:
    reason = one_line(str(error), 120)
    lowered = reason.lower()
    if "not a database" in lowered or "malformed" in lowered or "no such table" in lowered:
        return (f"The database {path} is damaged ({reason}): move it aside to start a new one (its approvals and "
                "history stay in the old file), or restore it from a backup.")
    if "readonly" in lowered or "read-only" in lowered:
        return f"The database {path} is read-only for this user ({reason}): fix its permissions."
    if "locked" in lowered or "busy" in lowered:
        return f"The database {path} is locked by another process ({reason}): try again in a moment."
    if "unable to open" in lowered:
        return f"Cannot open the database {path} ({reason}): check that its folder exists and is writable."
    return f"The database {path} failed ({reason}): check the file, or move it aside to start a new one."
