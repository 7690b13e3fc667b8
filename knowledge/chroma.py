"""One Chroma collection kept consistent across processes.

Embedded Chroma (a ``PersistentClient``) keeps its vector index in memory: a long-running
process (``guardian serve``) does not see what another process (``guardian knowledge
ingest``) added, and a stale process that writes can even overwrite the newer index on
disk (measured with chromadb 1.5.9: 1,500 vectors lost). So every write bumps a
*generation* kept in the collection's metadata; before each read or write a handle
compares it with what it last saw and reopens the client when it moved (0.2 ms to check,
~20 ms to reopen). Embedded writers also take a file lock, so two ingesting processes
take turns. A Chroma server (``chroma_url``) needs neither, but the generation still tells
every replica when to rebuild its BM25 index.

The collection has no embedding function (Chroma's default one would download an ONNX
model): callers always pass embeddings.
"""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings

GENERATION_KEY = "guardian:generation"
WRITING_KEY = "guardian:writing"

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no cross-process lock, one writer at a time
    fcntl = None  # type: ignore[assignment]


def forget_client(path: Path) -> None:
    """Make the next embedded client for ``path`` load its own system from disk. Chroma shares
    one system per path in a process; dropping it from that cache (without stopping it:
    other handles may still hold it) is how a handle reopens, or forgets a damaged store."""
    SharedSystemClient._identifier_to_system.pop(str(path), None)
    SharedSystemClient._identifier_to_refcount.pop(str(path), None)


@dataclass(frozen=True)
class Snapshot:
    """The collection as of one generation; ``writing`` is true while a write is under way
    (or a writer died mid-way), when counts may still move without a new generation."""

    collection: Collection
    generation: str
    writing: bool


class ChromaHandle:
    """The collection, reopened when another process changed it."""

    def __init__(self, home: Path, chroma_url: str | None, name: str) -> None:
        self.name = name
        self.url = chroma_url
        self.path = None if chroma_url else Path(home) / "chroma"
        self._state_lock = threading.Lock()  # short: guards the client and what it has seen
        self._write_lock = threading.Lock()  # long: one writer per handle, searches go on
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None
        self._seen = ""
        self._own: deque[str] = deque(maxlen=16)  # generations this handle wrote: no reopen for those
        self._open()

    # opening ---------------------------------------------------------------------------
    def _new_client(self) -> ClientAPI:
        settings = Settings(anonymized_telemetry=False)
        if self.url:
            url = urlparse(self.url)
            default_port = 443 if url.scheme == "https" else 8000
            return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or default_port,
                                       ssl=url.scheme == "https", settings=settings)
        assert self.path is not None
        self.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(self.path), settings=settings)

    def _open(self) -> None:
        self._client = self._new_client()
        self._collection = self._client.get_or_create_collection(
            self.name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})
        self._seen = self._read_generation()[0]

    def _reopen(self) -> None:
        """A fresh embedded client loads the index from disk."""
        if self.path is not None:
            forget_client(self.path)
        self._open()

    def _read_generation(self) -> tuple[str, bool]:
        assert self._client is not None
        metadata = self._client.get_collection(self.name, embedding_function=None).metadata or {}
        return str(metadata.get(GENERATION_KEY, "")), bool(metadata.get(WRITING_KEY, False))

    # using -----------------------------------------------------------------------------
    def current(self) -> Snapshot:
        """The collection, fresh with respect to every other writer, and its generation."""
        with self._state_lock:
            generation, writing = self._read_generation()
            if generation != self._seen and generation not in self._own and self.path is not None:
                self._reopen()
            self._seen = generation
            assert self._collection is not None
            return Snapshot(self._collection, generation, writing)

    @contextlib.contextmanager
    def writing(self) -> Iterator[Collection]:
        """Exclusive, fresh access for a write; the generation moves before (so a reader
        never trusts a half-written state as final) and after it."""
        with self._write_lock, self._file_lock():
            collection = self.current().collection
            self._bump(collection, writing=True)
            try:
                yield collection
            finally:
                self._bump(collection, writing=False)

    def _bump(self, collection: Collection, writing: bool) -> None:
        generation = uuid.uuid4().hex
        with self._state_lock:
            self._own.append(generation)
        collection.modify(metadata={GENERATION_KEY: generation, WRITING_KEY: writing})

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self.path is None or fcntl is None:
            yield
            return
        with open(self.path / ".guardian-write.lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def get_all(self, collection: Collection, where: dict[str, Any] | None, include: list[str],
                page: int = 5000) -> tuple[list[str], list[Any], list[Any]]:
        """(ids, documents, metadatas) in pages: SQLite caps the variables per statement,
        so one get() over 50k chunks fails."""
        ids, documents, metadatas, _ = self.get_all_with_vectors(collection, where, include, page)
        return ids, documents, metadatas

    def get_all_with_vectors(self, collection: Collection, where: dict[str, Any] | None, include: list[str],
                             page: int = 5000) -> tuple[list[str], list[Any], list[Any], list[Any]]:
        """(ids, documents, metadatas, embeddings), paged like ``get_all``; embeddings are
        read only when ``include`` names them."""
        ids: list[str] = []
        documents: list[Any] = []
        metadatas: list[Any] = []
        embeddings: list[Any] = []
        offset = 0
        while True:
            got = collection.get(where=where, include=include, limit=page, offset=offset)  # type: ignore[arg-type]
            ids.extend(got["ids"])
            documents.extend(got["documents"] or [None] * len(got["ids"]))
            metadatas.extend(got["metadatas"] or [None] * len(got["ids"]))
            vectors = got.get("embeddings")
            embeddings.extend(list(vectors) if vectors is not None else [None] * len(got["ids"]))
            if len(got["ids"]) < page:
                return ids, documents, metadatas, embeddings
            offset += page
