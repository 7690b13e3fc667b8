"""The knowledge store: runbooks, notes and inventory snapshots in Chroma (embedded under
``<home>/chroma``, or a Chroma server), embedded with MiniLM by us in batches, searched
hybrid (dense + BM25, reciprocal rank fusion) or dense alone.

Every chunk's metadata carries its document's root, source, content hash and chunk count;
that *is* the manifest, so it lives where the chunks live and every process and replica
agrees on it. Ingest is idempotent per document: an unchanged file is skipped without
re-embedding, a changed one replaces its chunks, a file gone from a re-ingested directory
loses them. Chunk ids are derived from (root, source, hash, position), so two processes
ingesting the same file write the same ids instead of duplicates.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.models.Collection import Collection
from numpy.typing import NDArray
from pydantic import BaseModel

from knowledge.chroma import ChromaHandle, Snapshot
from knowledge.chunking import OVERVIEW, TEXT_SECTION, Chunk, chunk_document, chunk_markdown
from knowledge.documents import DocumentIndex
from knowledge.embeddings import Embedder
from knowledge.expansion import expand_query
from knowledge.identifiers import identifiers_as_words
from knowledge.lexical import LexicalIndex
from knowledge.namespaces import FILES_NAMESPACE, INVENTORY_NAMESPACE
from knowledge.retrieval import DEFAULT_FUSION, FusionWeights, fuse_with_documents
from knowledge.sources import KnowledgeError, Root, discover, read_text
from knowledge.vector_cache import encode_cached

__all__ = ["FILES_NAMESPACE", "INVENTORY_NAMESPACE", "IngestReport", "KnowledgeError", "KnowledgeStore", "SearchHit"]

log = logging.getLogger(__name__)

BUILTIN_ROOT = "builtin:runbooks"
NAMESPACE_PREFIX = "namespace:"
WRITE_BATCH = 512  # chunks encoded and written per step
DELETE_PAGE = 5000  # SQLite caps the variables per statement
LEXICAL_PERSIST_MIN = 5000  # below this, rebuilding BM25 is faster than loading it
DERIVED_VERSION = "v2"  # bump when the saved indexes change shape (v2: identifiers split, documents)


class SearchHit(BaseModel):
    source: str
    title: str
    section: str
    score: float
    text: str
    chunk_id: str
    namespace: str = FILES_NAMESPACE


class IngestReport(BaseModel):
    files_seen: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    skipped: list[str] = []

    @property
    def changed(self) -> bool:
        return bool(self.files_indexed or self.files_removed or self.chunks_removed)


@dataclass
class _Doc:
    """A document to bring the store in line with: ``text`` None means it has nothing
    indexable (``problem`` says why) and any stored chunks of it go."""

    source: str
    sha256: str
    text: str | None
    problem: str | None = None
    title: str | None = None


@dataclass
class _Stored:
    ids: list[str] = field(default_factory=list)
    hashes: set[str] = field(default_factory=set)
    expected: int = 0

    def is_current(self, sha256: str) -> bool:
        return self.hashes == {sha256} and len(self.ids) == self.expected


@dataclass
class _Plan:
    add: list[tuple[Chunk, str, dict[str, Any]]] = field(default_factory=list)  # (chunk, id, metadata)
    delete: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not self.add and not self.delete


def _embedding_input(chunk: Chunk) -> str:
    """What MiniLM reads: the title and heading path give a short section its context; a
    title written as an identifier (an alert name) is read as its words."""
    title = identifiers_as_words(chunk.title)
    if chunk.section in (OVERVIEW, TEXT_SECTION):
        return f"{title}\n{chunk.text}"
    return f"{title}: {chunk.section}\n{chunk.text}"


def _lexical_input(metadata: dict[str, Any], text: str) -> str:
    return f"{metadata['title']} {metadata['section']} {text}"


@dataclass
class _Derived:
    """What search derives from the chunks: BM25 over chunks, document vectors and names."""

    lexical: LexicalIndex
    documents: DocumentIndex

    def allowed(self, namespaces: Sequence[str] | None) -> set[int] | None:
        """Document positions in ``namespaces`` (None: every document)."""
        if namespaces is None:
            return None
        wanted = set(namespaces)
        return {i for i, name in enumerate(self.documents.namespaces) if name in wanted}

    @classmethod
    def load(cls, folder: Path) -> _Derived | None:
        lexical = LexicalIndex.load(folder / "chunks")
        documents = DocumentIndex.load(folder / "documents") if lexical is not None else None
        return cls(lexical, documents) if lexical is not None and documents is not None else None


def _doc_key(root: str, source: str) -> str:
    return hashlib.sha1(f"{root}\0{source}".encode()).hexdigest()[:16]


class KnowledgeStore:
    """Chroma-backed document store with hybrid retrieval; safe to open from several
    processes on one home (writers take turns) or from several replicas on one server."""

    def __init__(self, home: Path, embedder: Embedder, chroma_url: str | None = None,
                 collection: str = "guardian-knowledge", hybrid: bool = True,
                 sanitizer: Callable[[str], str] | None = None, fusion: FusionWeights = DEFAULT_FUSION) -> None:
        self.home = Path(home)
        self.embedder = embedder
        self.hybrid = hybrid
        self.sanitizer = sanitizer
        """Applied to every document (and title) before it is chunked, embedded and stored:
        the composition root injects secret redaction (knowledge never imports tools)."""
        self._chroma = ChromaHandle(self.home, chroma_url, collection)
        self._lexical_dir = self.home / "bm25" / collection
        self._indexes: _Derived | None = None
        self._indexes_key: tuple[str, int] | None = None
        self.fusion = fusion
        self._lexical_lock = threading.Lock()
        self._counted: tuple[str, int] | None = None

    # writing ---------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path]) -> IngestReport:
        """Index files and directories (recursively: .md, .markdown, .txt). Every path is
        checked before anything is written, so a typo changes nothing."""
        if not paths:
            raise KnowledgeError("Nothing to ingest: give at least one file or directory")
        roots = [discover(Path(path)) for path in paths]
        return self._sync([(root.key, root.complete, functools.partial(self._read_root, root)) for root in roots])

    def upsert_documents(self, namespace: str, docs: Sequence[tuple[str, str, str]]) -> int:
        """Make ``docs`` (source, title, markdown text) the whole content of ``namespace``
        (e.g. "inventory"): unchanged documents keep their vectors, changed ones are
        re-embedded, documents not given any more are removed. Returns the number of chunks
        the namespace now holds."""
        if not namespace or namespace == FILES_NAMESPACE:
            raise KnowledgeError(f"Invalid namespace: {namespace!r}")
        latest = {source: (title, text) for source, title, text in docs}  # the last one given wins

        def read() -> list[_Doc]:
            return [_Doc(source, hashlib.sha256(f"{title}\0{text}".encode()).hexdigest(),
                         text if text.strip() else None, None if text.strip() else "empty", title)
                    for source, (title, text) in latest.items()]

        self._sync([(NAMESPACE_PREFIX + namespace, True, read)])
        collection = self._chroma.current().collection
        ids, _, _ = self._chroma.get_all(collection, {"root": NAMESPACE_PREFIX + namespace}, [])
        return len(ids)

    def ensure_builtin_runbooks(self) -> IngestReport | None:
        """Bring the runbooks shipped in the package (knowledge/runbooks/) into the store;
        None when they are already current (costs one metadata read, no model load)."""
        folder = Path(str(resources.files("knowledge") / "runbooks"))
        if not folder.is_dir():
            return None
        root = discover(folder, key=BUILTIN_ROOT)
        report = self._sync([(root.key, True, functools.partial(self._read_root, root))])
        return report if report.changed else None

    def count(self) -> int:
        return self._count(self._chroma.current())

    def _count(self, snapshot: Snapshot) -> int:
        """Chunks in the store, remembered per generation (counting costs ~2.5 ms at 50k
        chunks); recounted every time while a write is under way."""
        with self._lexical_lock:
            if not snapshot.writing and self._counted is not None and self._counted[0] == snapshot.generation:
                return self._counted[1]
        total = int(snapshot.collection.count())
        with self._lexical_lock:
            self._counted = None if snapshot.writing else (snapshot.generation, total)
        return total

    @staticmethod
    def _read_root(root: Root) -> list[_Doc]:
        docs = []
        for file in root.files:
            result = read_text(file.path)
            docs.append(_Doc(file.source, result.sha256, result.text, result.problem))
        return docs

    def _sync(self, roots: Sequence[tuple[str, bool, Callable[[], list[_Doc]]]]) -> IngestReport:
        """Plan against a fresh read; write (under the cross-process write lock, planning
        again there) only when something changed, so a no-op touches nothing."""
        collection = self._chroma.current().collection
        report = IngestReport()
        plans = [self._plan(collection, key, complete, read(), report) for key, complete, read in roots]
        if all(plan.empty() for plan in plans):
            return report
        report = IngestReport()
        with self._chroma.writing() as collection:
            for key, complete, read in roots:
                self._apply(collection, self._plan(collection, key, complete, read(), report))
        return report

    def _stored(self, collection: Collection, root: str) -> dict[str, _Stored]:
        ids, _, metadatas = self._chroma.get_all(collection, {"root": root}, ["metadatas"])
        stored: dict[str, _Stored] = {}
        for cid, meta in zip(ids, metadatas, strict=True):
            entry = stored.setdefault(str(meta["source"]), _Stored())
            entry.ids.append(cid)
            entry.hashes.add(str(meta.get("sha256", "")))
            entry.expected = int(meta.get("chunks", 0))
        return stored

    def _plan(self, collection: Collection, root: str, complete: bool, docs: list[_Doc],
              report: IngestReport) -> _Plan:
        plan = _Plan()
        stored = self._stored(collection, root)
        namespace = root.removeprefix(NAMESPACE_PREFIX) if root.startswith(NAMESPACE_PREFIX) else FILES_NAMESPACE
        for doc in docs:
            report.files_seen += 1
            old = stored.pop(doc.source, _Stored())
            if doc.text is not None and old.is_current(doc.sha256):  # before chunking: a no-op stays cheap
                report.files_unchanged += 1
                continue
            chunks = self._chunks(doc) if doc.text is not None else []
            if doc.text is not None and not chunks:
                doc.problem = "no text outside headings"
            if doc.problem:
                report.skipped.append(f"{doc.source}: {doc.problem}")
            elif old.is_current(doc.sha256):
                report.files_unchanged += 1
                continue
            else:
                report.files_indexed += 1
            prefix = f"{_doc_key(root, doc.source)}-{doc.sha256[:12]}"
            base = {"root": root, "namespace": namespace, "sha256": doc.sha256, "chunks": len(chunks)}
            new = [(c, f"{prefix}-{c.index}", {"source": c.source, "title": c.title, "section": c.section,
                                               "index": c.index, **base}) for c in chunks]
            new_ids = {cid for _, cid, _ in new}
            plan.add.extend(new)
            gone = [cid for cid in old.ids if cid not in new_ids]
            plan.delete.extend(gone)
            report.chunks_added += len(new)
            report.chunks_removed += len(gone)
        if complete:
            for entry in stored.values():
                plan.delete.extend(entry.ids)
                report.files_removed += 1
                report.chunks_removed += len(entry.ids)
        return plan

    def _chunks(self, doc: _Doc) -> list[Chunk]:
        assert doc.text is not None
        text, title = doc.text, doc.title
        if self.sanitizer is not None:
            text, title = self.sanitizer(text), None if title is None else self.sanitizer(title)
        if title is not None:
            return chunk_markdown(text, doc.source, title=title)
        return chunk_document(text, doc.source)

    def _apply(self, collection: Collection, plan: _Plan) -> None:
        """Add new chunks first, then delete old ones: a reader meanwhile sees the old and
        the new version side by side, never neither."""
        for start in range(0, len(plan.add), WRITE_BATCH):
            batch = plan.add[start:start + WRITE_BATCH]
            texts = [_embedding_input(chunk) for chunk, _, _ in batch]
            shipped = all(meta.get("root") == BUILTIN_ROOT for _, _, meta in batch)
            vectors = encode_cached(self.embedder, texts) if shipped else self.embedder.encode(texts)
            collection.upsert(ids=[cid for _, cid, _ in batch], embeddings=vectors,
                              documents=[chunk.text for chunk, _, _ in batch],
                              metadatas=[meta for _, _, meta in batch])
        for start in range(0, len(plan.delete), DELETE_PAGE):
            collection.delete(ids=plan.delete[start:start + DELETE_PAGE])

    # reading ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, namespaces: Sequence[str] | None = None) -> list[SearchHit]:
        """The ``k`` best chunks for ``query``, best first; scores in [0, 1]. ``namespaces``
        limits the hits (e.g. ``[FILES_NAMESPACE]``: runbooks and notes, not inventory)."""
        return self.search_many([query], k=k, namespaces=namespaces)[0]

    def search_many(self, queries: Sequence[str], k: int = 5,
                    namespaces: Sequence[str] | None = None) -> list[list[SearchHit]]:
        """Best-first hits per query; all queries are embedded in one batch."""
        queries = list(queries)
        snapshot = self._chroma.current()
        total = self._count(snapshot) if queries and k > 0 else 0
        if total == 0:
            return [[] for _ in queries]
        k = min(k, total)
        pool = min(total, max(4 * k, 20))  # candidates each ranking contributes to the fusion
        where = {"namespace": {"$in": list(namespaces)}} if namespaces is not None else None
        vectors = self.embedder.encode([identifiers_as_words(expand_query(q)) for q in queries] if self.hybrid
                                       else queries)
        dense = snapshot.collection.query(query_embeddings=vectors, n_results=pool, where=where,  # type: ignore[arg-type]
                                          include=["distances"])
        if not self.hybrid:
            ranked_per_query = [[(cid, min(1.0, max(0.0, 1.0 - float(d)))) for cid, d in
                                 zip(dense["ids"][i], (dense["distances"] or [])[i], strict=True)][:k]
                                for i in range(len(queries))]
        else:
            derived = self._derived(snapshot, total)
            allowed = derived.allowed(namespaces)
            ranked_per_query = [self._fused(derived, allowed, query, vectors[i], dense["ids"][i], pool)[:k]
                                for i, query in enumerate(queries)]
        found = self._documents(snapshot.collection, {cid for ranked in ranked_per_query for cid, _ in ranked})
        return [[self._hit(cid, score, *found[cid]) for cid, score in ranked if cid in found]
                for ranked in ranked_per_query]

    def _fused(self, derived: _Derived, allowed: set[int] | None, query: str, vector: NDArray[np.float32],
               dense_ids: list[str], pool: int) -> list[tuple[str, float]]:
        """The shipped ranking: chunk vectors, chunk BM25, document vectors and document
        names, fused (knowledge.retrieval.fuse_with_documents)."""
        docs = derived.documents
        expanded = expand_query(query)
        wide = pool if allowed is None else 4 * pool  # other namespaces' hits are dropped below
        lexical = derived.lexical.search(expanded, wide)
        doc_dense = docs.dense(vector, wide)
        doc_name = docs.by_name(expanded, wide)
        if allowed is not None:
            lexical = [cid for cid in lexical if docs.chunk_doc.get(cid) in allowed]
            doc_dense = [d for d in doc_dense if d in allowed]
            doc_name = [d for d in doc_name if d in allowed]
        return fuse_with_documents(dense_ids, lexical[:pool], doc_dense[:pool], doc_name[:pool], docs.chunk_doc,
                                   docs.chunks, self.fusion)

    @staticmethod
    def _documents(collection: Collection, ids: set[str]) -> dict[str, tuple[Any, Any]]:
        """Text and metadata of the chunks that made a result list (the ranking itself reads
        ids only: fetching 20 candidates' texts per query costs more than the search)."""
        if not ids:
            return {}
        got = collection.get(ids=sorted(ids), include=["documents", "metadatas"])
        return {cid: (doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"] or [],
                                                           got["metadatas"] or [], strict=True)}

    @staticmethod
    def _hit(cid: str, score: float, doc: Any, meta: Any) -> SearchHit:
        return SearchHit(source=str(meta["source"]), title=str(meta["title"]), section=str(meta["section"]),
                         score=round(float(score), 4), text=str(doc), chunk_id=cid,
                         namespace=str(meta.get("namespace", FILES_NAMESPACE)))

    def _derived(self, snapshot: Snapshot, total: int) -> _Derived:
        """The BM25 and document indexes for the store as it is now: kept in memory while
        the generation and chunk count hold, else loaded from disk (saved by any process)
        or rebuilt from the chunks."""
        collection = snapshot.collection
        key = (snapshot.generation or "initial", total)
        with self._lexical_lock:
            if self._indexes is not None and self._indexes_key == key:
                return self._indexes
            folder = self._lexical_dir / f"{DERIVED_VERSION}-{key[0]}-{key[1]}"
            derived = _Derived.load(folder) if total >= LEXICAL_PERSIST_MIN else None
            if derived is None:
                ids, documents, metadatas, vectors = self._chroma.get_all_with_vectors(
                    collection, None, ["documents", "metadatas", "embeddings"])
                derived = _Derived(
                    LexicalIndex.build(ids, [_lexical_input(m, d) for d, m in zip(documents, metadatas, strict=True)]),
                    DocumentIndex.build(ids, metadatas, vectors))
                if len(ids) >= LEXICAL_PERSIST_MIN and not snapshot.writing:
                    self._save_derived(derived, folder)
            self._indexes, self._indexes_key = derived, key
            return derived

    def _save_derived(self, derived: _Derived, folder: Path) -> None:
        """Keep one saved index per store: older generations are useless."""
        try:
            derived.documents.save(folder / "documents")
            derived.lexical.save(folder / "chunks")  # written last: its presence means complete
            for other in self._lexical_dir.iterdir():
                if other != folder:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError as exc:  # a read-only home still searches, it just rebuilds
            log.warning("could not save the BM25 index under %s: %s", folder, exc)
