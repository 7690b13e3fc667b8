"""The knowledge store behind a fault boundary. It is opened on first use, not when the
process starts, and a damaged or unreachable store fails only the calls that need it, with
one sentence naming the store and how to rebuild it: approvals, decisions and every skill
that does not need a runbook keep working.

What counts as the store failing: Chroma's own errors, SQLite errors, file-system errors and
Rust panics from Chroma's bindings. Anything else (a bug) still propagates as itself.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from knowledge.sources import KnowledgeError

if TYPE_CHECKING:
    from knowledge.store import IngestReport, KnowledgeStore, SearchHit

log = logging.getLogger(__name__)

T = TypeVar("T")
CHECK_TIMEOUT_S = 2.0
REBUILD_HINT = "run `guardian knowledge rebuild` to move it aside and rebuild it, then ingest your documents again"


class KnowledgeUnavailable(KnowledgeError):
    """The store cannot be opened or read; the message is one sentence saying what to do,
    ``reason`` the gist without paths (for a readiness probe)."""

    user_facing = True

    def __init__(self, sentence: str, reason: str = "") -> None:
        super().__init__(sentence)
        self.reason = reason or sentence


def is_store_failure(exc: BaseException) -> bool:
    """Whether ``exc`` is the store failing (as opposed to a bug or an interrupt)."""
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        return False
    if isinstance(exc, sqlite3.Error | OSError):
        return True
    kind = type(exc)
    return kind.__module__.split(".")[0] in ("chromadb", "chromadb_rust_bindings") or kind.__name__ == "PanicException"


def short_reason(exc: BaseException) -> str:
    """The gist of a failure in a few words: its first line, without Chroma's prefixes."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    for prefix in ("error returned from database: ", "Error executing plan: ", "Internal error: "):
        text = text.replace(prefix, "")
    text = re.sub(r"^\(code: \d+\) ", "", text)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror  # the sentence around it names the store
    return text[:160].rstrip(" .")


class GuardedKnowledge:
    """The knowledge store, opened lazily and failing alone. ``problem`` is the last
    failure's sentence (None once a call succeeds again), for surfaces that want to say why
    an answer has no runbook."""

    def __init__(self, home: Path, opener: Callable[[], KnowledgeStore], chroma_url: str | None = None) -> None:
        self.home = Path(home)
        self.url = chroma_url
        self.path = None if chroma_url else self.home / "chroma"
        self._opener = opener
        self._store: KnowledgeStore | None = None
        self._lock = threading.RLock()
        self._opened = False  # once open, a store that vanishes is not silently recreated empty
        self.problem: str | None = None

    # the boundary ----------------------------------------------------------------------
    def explain(self, exc: BaseException) -> str:
        if self.path is not None:
            return f"The knowledge store in {self.path} cannot be read ({short_reason(exc)}): {REBUILD_HINT}."
        return (f"The Chroma server at {self.url} failed ({short_reason(exc)}): check that it is running and "
                "reachable (GUARDIAN_CHROMA_URL).")

    def _guard(self, call: Callable[[], T]) -> T:
        try:
            result = call()
        except KnowledgeError:
            raise
        except BaseException as exc:
            if not is_store_failure(exc):
                raise
            sentence = self.explain(exc)
            log.info("%s", sentence)  # the caller shows it; readiness and answers say it too
            log.debug("knowledge store failure", exc_info=exc)
            self.problem = sentence
            self._forget()
            raise KnowledgeUnavailable(sentence, short_reason(exc)) from exc
        self.problem = None
        return result

    def _forget(self) -> None:
        """Drop the handle so the next call opens the store afresh (it may have been rebuilt)."""
        from knowledge.chroma import forget_client

        with self._lock:
            self._store = None
        if self.path is not None:
            forget_client(self.path)

    def store(self) -> KnowledgeStore:
        """The opened store (opening it now if needed). An embedded store that this process
        opened before and that has since disappeared is not recreated empty: that would hide
        the loss (and rebuild the runbooks on every call)."""
        with self._lock:
            if self._store is None:
                if self._opened and self.path is not None and not (self.path / "chroma.sqlite3").exists():
                    error = FileNotFoundError(2, "the store's files have disappeared", str(self.path))
                    sentence = (f"The knowledge store in {self.path} has disappeared since Guardian started: put it "
                                "back, or run `guardian knowledge rebuild` to build a new one.")
                    self.problem = sentence
                    raise KnowledgeUnavailable(sentence, "store file is missing") from error
                self._store = self._guard(self._opener)
                self._opened = True
            return self._store

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._guard(lambda: getattr(self.store(), name)(*args, **kwargs))

    # the store's API -------------------------------------------------------------------
    def search(self, query: str, k: int = 5, namespaces: Sequence[str] | None = None) -> list[SearchHit]:
        result: list[SearchHit] = self._call("search", query, k=k, namespaces=namespaces)
        return result

    def search_many(self, queries: Sequence[str], k: int = 5,
                    namespaces: Sequence[str] | None = None) -> list[list[SearchHit]]:
        result: list[list[SearchHit]] = self._call("search_many", queries, k=k, namespaces=namespaces)
        return result

    def ingest(self, paths: Sequence[Path]) -> IngestReport:
        result: IngestReport = self._call("ingest", paths)
        return result

    def upsert_documents(self, namespace: str, docs: Sequence[tuple[str, str, str]]) -> int:
        return int(self._call("upsert_documents", namespace, docs))

    def count(self) -> int:
        return int(self._call("count"))

    def __getattr__(self, name: str) -> Any:
        """Anything else the store offers, behind the same boundary."""
        if name.startswith("_"):
            raise AttributeError(name)
        attr = self._guard(lambda: getattr(self.store(), name))
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: self._guard(lambda: attr(*args, **kwargs))

    # readiness and repair --------------------------------------------------------------
    def check(self) -> str | None:
        """A cheap real read, every time: None when the store answers, else why not (a few
        words, no paths). The embedded store's file is opened afresh: Chroma's own
        connections keep reading a file that was moved or deleted under them."""
        try:
            self.count()  # opens the store (creating its file) on first use
            if self.path is not None:
                _read_catalog(self.path / "chroma.sqlite3")
        except KnowledgeUnavailable as exc:
            return exc.reason
        except BaseException as exc:
            if not is_store_failure(exc):
                raise
            self.problem = self.explain(exc)
            log.warning("%s", self.problem)
            self._forget()
            return "store file is missing" if isinstance(exc, FileNotFoundError) else short_reason(exc)
        return None

    def rebuild(self, force: bool = False) -> tuple[Path | None, int]:
        """Move a damaged embedded store aside and build a fresh one with the built-in
        runbooks: (where the old one went, chunks now in the store)."""
        if self.path is None:
            raise KnowledgeError(f"The knowledge store is the Chroma server at {self.url}: rebuild it there, then "
                                 "run `guardian knowledge ingest` again.")
        if not force and self.path.exists() and self.check() is None:
            raise KnowledgeError(f"The knowledge store in {self.path} reads fine: nothing to rebuild "
                                 "(add --force to rebuild it anyway).")
        self._forget()
        self._opened = False
        moved: Path | None = None
        if self.path.exists() or self.path.is_symlink():
            moved = self.path.with_name(f"{self.path.name}.damaged-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
            try:
                self.path.rename(moved)
            except OSError as exc:
                raise KnowledgeError(f"Could not move {self.path} aside ({short_reason(exc)}): move or delete it "
                                     "yourself, then run `guardian knowledge rebuild` again.") from exc
        shutil.rmtree(self.home / "bm25", ignore_errors=True)  # derived from the old store
        return moved, self.count()


def _read_catalog(database: Path) -> None:
    """Open Chroma's SQLite file read-only, afresh, and read its collection catalog."""
    if not database.is_file():
        raise FileNotFoundError(2, "No such file", str(database))
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=CHECK_TIMEOUT_S)
    try:
        conn.execute("SELECT count(*) FROM collections").fetchone()
    finally:
        conn.close()
