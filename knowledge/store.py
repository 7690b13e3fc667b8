"""The knowledge store: runbooks and inventory notes in Chroma (embedded under
GUARDIAN_HOME, or a Chroma server), embedded with MiniLM in batches, searched hybrid
(dense + BM25, fused by reciprocal rank).

Ingest is idempotent per file: each chunk carries its file's content hash, so an
unchanged file is skipped without re-embedding and a changed one replaces its chunks.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import chromadb
from chromadb.config import Settings as ChromaSettings
from pydantic import BaseModel

from knowledge.chroma_embedding import MiniLMEmbeddingFunction
from knowledge.chunking import Chunk, chunk_document, chunk_markdown
from knowledge.embeddings import Embedder
from knowledge.lexical import LexicalIndex
from knowledge.retrieval import fuse

log = logging.getLogger(__name__)

DOC_SUFFIXES = (".md", ".markdown", ".txt")
ADD_BATCH = 512
GET_PAGE = 5000


class KnowledgeError(Exception):
    """A user-facing problem with knowledge input (missing path, unreadable file)."""


class SearchHit(BaseModel):
    source: str
    title: str
    section: str
    score: float
    text: str
    chunk_id: str


class IngestReport(BaseModel):
    files_seen: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    skipped: list[str] = []


def _embedding_input(chunk: Chunk) -> str:
    return f"{chunk.title} — {chunk.section}\n{chunk.text}"


def _files_under(path: Path) -> list[tuple[Path, str]]:
    """(file, source) pairs: source is relative to a directory given, the name for a file."""
    if path.is_file():
        return [(path, path.name)]
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOC_SUFFIXES)
    return [(p, p.relative_to(path).as_posix()) for p in files]


class KnowledgeStore:
    """Chroma-backed runbook store with hybrid retrieval."""

    def __init__(self, home: Path, embedder: Embedder, chroma_url: str | None = None,
                 collection: str = "guardian-knowledge", hybrid: bool = True) -> None:
        self.home = Path(home)
        self.embedder = embedder
        self.hybrid = hybrid
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if chroma_url:
            from urllib.parse import urlparse

            url = urlparse(chroma_url)
            self.client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                              ssl=url.scheme == "https", settings=settings)
        else:
            (self.home / "chroma").mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(self.home / "chroma"), settings=settings)
        self.collection = self.client.get_or_create_collection(
            collection, embedding_function=MiniLMEmbeddingFunction(embedder),  # type: ignore[arg-type]
            metadata={"hnsw:space": "cosine"},
        )
        self._lexical = LexicalIndex()
        self._lexical_generation: tuple[int, str] | None = None
        self._marker = self.home / f".{collection}.generation"

    # writing ---------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path]) -> IngestReport:
        report = IngestReport()
        for path in paths:
            path = Path(path)
            if not path.exists():
                raise KnowledgeError(f"No such file or directory: {path}")
            root = str(path.resolve())
            seen: set[str] = set()
            for file, source in _files_under(path):
                report.files_seen += 1
                seen.add(source)
                self._ingest_file(file, source, root, report)
            if path.is_dir():
                self._remove_missing(root, seen, report)
        if report.chunks_added or report.chunks_removed:
            self._bump_generation()
        return report

    def _ingest_file(self, file: Path, source: str, root: str, report: IngestReport) -> None:
        raw = file.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            report.skipped.append(f"{source}: not UTF-8 text")
            return
        if "\x00" in text:
            report.skipped.append(f"{source}: binary content")
            return
        existing = self.collection.get(where={"$and": [{"root": root}, {"source": source}]},
                                       include=["metadatas"])
        hashes = {str(m.get("sha256")) for m in existing["metadatas"] or []}
        if existing["ids"] and hashes == {digest}:
            report.files_unchanged += 1
            return
        if existing["ids"]:
            self.collection.delete(ids=existing["ids"])
            report.chunks_removed += len(existing["ids"])
        chunks = chunk_document(text, source)
        if chunks:
            self._add(chunks, {"root": root, "sha256": digest, "namespace": "docs"})
        report.files_indexed += 1
        report.chunks_added += len(chunks)

    def _remove_missing(self, root: str, seen: set[str], report: IngestReport) -> None:
        ids, _, metadatas = self._get_all({"root": root}, ["metadatas"])
        stale = [(cid, str(m["source"])) for cid, m in zip(ids, metadatas, strict=True) if m["source"] not in seen]
        if stale:
            self.collection.delete(ids=[cid for cid, _ in stale])
            report.chunks_removed += len(stale)
            report.files_removed += len({source for _, source in stale})

    def _add(self, chunks: Sequence[Chunk], extra: dict[str, Any]) -> None:
        """Encode in batches ourselves, then add precomputed vectors (Chroma embedding inside
        add() is several times slower on two cores)."""
        for start in range(0, len(chunks), ADD_BATCH):
            batch = chunks[start:start + ADD_BATCH]
            vectors = self.embedder.encode([_embedding_input(c) for c in batch])
            self.collection.add(
                ids=[uuid.uuid4().hex for _ in batch],
                embeddings=vectors,
                documents=[c.text for c in batch],
                metadatas=[{"source": c.source, "title": c.title, "section": c.section, "index": c.index,
                            **extra} for c in batch],
            )

    def upsert_documents(self, namespace: str, docs: Sequence[tuple[str, str, str]]) -> int:
        """Replace every document of ``namespace`` (e.g. the inventory snapshot) with ``docs``
        given as (source, title, text). Returns the number of chunks stored."""
        old_ids, _, _ = self._get_all({"namespace": namespace}, [])
        for start in range(0, len(old_ids), GET_PAGE):
            self.collection.delete(ids=old_ids[start:start + GET_PAGE])
        chunks = [chunk for source, title, text in docs for chunk in chunk_markdown(f"# {title}\n\n{text}", source)]
        if chunks:
            self._add(chunks, {"root": f"namespace:{namespace}", "sha256": "", "namespace": namespace})
        self._bump_generation()
        return len(chunks)

    def ensure_builtin_runbooks(self) -> IngestReport | None:
        """Ingest the runbooks shipped in the package, once per change of their content."""
        folder = Path(str(resources.files("knowledge") / "runbooks"))
        if not folder.is_dir():
            return None
        digest = hashlib.sha256()
        for file, source in _files_under(folder):
            digest.update(source.encode() + b"\0" + file.read_bytes())
        marker = self.home / ".builtin-runbooks.sha256"
        if marker.exists() and marker.read_text() == digest.hexdigest() and self.count():
            return None
        report = self.ingest([folder])
        marker.write_text(digest.hexdigest())
        return report

    def _get_all(self, where: dict[str, Any] | None, include: list[str]) -> tuple[list[str], list[Any], list[Any]]:
        """(ids, documents, metadatas) in pages: SQLite limits variables per statement, so a
        single get() over a large collection fails."""
        ids: list[str] = []
        documents: list[Any] = []
        metadatas: list[Any] = []
        offset = 0
        while True:
            page = self.collection.get(where=where, include=include, limit=GET_PAGE,  # type: ignore[arg-type]
                                       offset=offset)
            ids.extend(page["ids"])
            documents.extend(page["documents"] or [None] * len(page["ids"]))
            metadatas.extend(page["metadatas"] or [None] * len(page["ids"]))
            if len(page["ids"]) < GET_PAGE:
                return ids, documents, metadatas
            offset += GET_PAGE

    def _bump_generation(self) -> None:
        self._marker.write_text(uuid.uuid4().hex)

    def count(self) -> int:
        return int(self.collection.count())

    # reading ---------------------------------------------------------------------------
    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        return self.search_many([query], k=k)[0]

    def search_many(self, queries: Sequence[str], k: int = 5) -> list[list[SearchHit]]:
        """Best-first hits per query; all queries are embedded in one batch."""
        if not queries:
            return []
        total = self.count()
        if total == 0:
            return [[] for _ in queries]
        k = max(1, min(k, total))
        pool = min(total, max(4 * k, 20))
        vectors = self.embedder.encode(list(queries))
        dense = self.collection.query(query_embeddings=vectors, n_results=pool,
                                      include=["documents", "metadatas", "distances"])
        lexical = self._lexical_index() if self.hybrid else None
        results = []
        for i, query in enumerate(queries):
            dense_ids = dense["ids"][i]
            docs = {cid: (doc, meta) for cid, doc, meta in zip(
                dense_ids, (dense["documents"] or [[]])[i], (dense["metadatas"] or [[]])[i], strict=True)}
            similarity = {cid: 1.0 - float(d) for cid, d in zip(dense_ids, (dense["distances"] or [[]])[i],
                                                                strict=True)}
            if lexical is None:
                ranked = [(cid, max(0.0, min(1.0, similarity[cid]))) for cid in dense_ids[:k]]
            else:
                lexical_ids = lexical.search(query, pool)
                ranked = fuse([dense_ids, lexical_ids])[:k]
                self._fetch_missing(docs, [cid for cid, _ in ranked])
            results.append([self._hit(cid, score, docs) for cid, score in ranked if cid in docs])
        return results

    def _fetch_missing(self, docs: dict[str, tuple[Any, Any]], ids: Iterable[str]) -> None:
        missing = [cid for cid in ids if cid not in docs]
        if missing:
            got = self.collection.get(ids=missing, include=["documents", "metadatas"])
            for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
                docs[cid] = (doc, meta)

    @staticmethod
    def _hit(cid: str, score: float, docs: dict[str, tuple[Any, Any]]) -> SearchHit:
        doc, meta = docs[cid]
        return SearchHit(source=str(meta["source"]), title=str(meta["title"]), section=str(meta["section"]),
                         score=round(float(score), 4), text=str(doc), chunk_id=cid)

    def _lexical_index(self) -> LexicalIndex:
        """The BM25 index, rebuilt when another process (or this one) changed the store."""
        marker = self._marker.read_text() if self._marker.exists() else ""
        generation = (self.count(), marker)
        if generation != self._lexical_generation:
            ids, documents, metadatas = self._get_all(None, ["documents", "metadatas"])
            texts = [f"{m['title']} {m['section']} {d}" for d, m in zip(documents, metadatas, strict=True)]
            self._lexical.build(ids, texts)
            self._lexical_generation = generation
        return self._lexical
