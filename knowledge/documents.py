"""Document-level views of the store, derived from its chunks: one vector per document
(the normalised mean of its section vectors) and a BM25 index of its name fields (title and
file name, identifiers split).

A section vector answers "which passage says this"; an alert or a chat question is often
about the whole runbook ("pod keeps restarting"), which no single section states, and an
alert names its runbook outright. These two rankings of documents join the chunk rankings
in the fusion (knowledge.retrieval). Like the BM25 chunk index, this is derived data: built
from what Chroma holds, per store generation, and saved beside it for large stores.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from knowledge.chunking import file_stem
from knowledge.lexical import LexicalIndex

log = logging.getLogger(__name__)
DOCS_FILE = "documents.json"
VECTORS_FILE = "documents.npy"
TITLES_DIR = "titles"


def doc_key(meta: dict[str, Any]) -> str:
    """A document is its (root, source): two folders may both hold README.md."""
    return f"{meta.get('root', '')}\0{meta['source']}"


@dataclass
class DocumentIndex:
    """Per document: its chunk ids in document order, its mean vector, its name fields."""

    keys: list[str]
    namespaces: list[str]
    chunks: list[list[str]]
    vectors: NDArray[np.float32]
    titles: LexicalIndex
    chunk_doc: dict[str, int]

    @classmethod
    def build(cls, ids: Sequence[str], metadatas: Sequence[Any], embeddings: Any) -> DocumentIndex:
        """From every chunk's id, metadata and vector (Chroma's ``get_all`` order)."""
        order: dict[str, int] = {}
        members: list[list[tuple[int, str, int]]] = []  # (position in document, chunk id, row)
        names: list[str] = []
        spaces: list[str] = []
        for row, (cid, meta) in enumerate(zip(ids, metadatas, strict=True)):
            key = doc_key(meta)
            if key not in order:
                order[key] = len(members)
                members.append([])
                names.append(f"{meta.get('title', '')} {file_stem(str(meta['source']))}")
                spaces.append(str(meta.get("namespace", "")))
            members[order[key]].append((int(meta.get("index", 0)), cid, row))
        matrix = np.asarray(embeddings, dtype=np.float32).reshape(len(ids), -1) if len(ids) else \
            np.zeros((0, 0), dtype=np.float32)
        vectors = np.zeros((len(members), matrix.shape[1] if len(ids) else 0), dtype=np.float32)
        for i, group in enumerate(members):
            group.sort()
            mean = matrix[[row for _, _, row in group]].mean(axis=0)
            vectors[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
        keys = list(order)
        chunks = [[cid for _, cid, _ in group] for group in members]
        return cls(keys, spaces, chunks, vectors, LexicalIndex.build(keys, names),
                   {cid: i for i, group in enumerate(chunks) for cid in group})

    def dense(self, query_vector: NDArray[np.float32], k: int) -> list[int]:
        """Documents by cosine similarity of their mean vector to the query, best first."""
        if not self.keys:
            return []
        scores = self.vectors @ np.asarray(query_vector, dtype=np.float32)
        k = min(k, len(self.keys))
        top = np.argpartition(-scores, k - 1)[:k]
        return [int(i) for i in top[np.argsort(-scores[top])]]

    def by_name(self, query: str, k: int) -> list[int]:
        """Documents whose title or file name shares words with the query, best first."""
        position = {key: i for i, key in enumerate(self.keys)}
        return [position[key] for key in self.titles.search(query, k)]

    # persistence (large stores only: rebuilding is cheaper below a few thousand chunks) ----
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / VECTORS_FILE, self.vectors)
        (folder / DOCS_FILE).write_text(json.dumps({"keys": self.keys, "namespaces": self.namespaces,
                                                     "chunks": self.chunks}))
        self.titles.save(folder / TITLES_DIR)

    @classmethod
    def load(cls, folder: Path) -> DocumentIndex | None:
        try:
            data = json.loads((folder / DOCS_FILE).read_text())
            vectors = np.load(folder / VECTORS_FILE)
        except (OSError, ValueError) as exc:
            log.debug("no usable document index in %s: %s", folder, exc)
            return None
        titles = LexicalIndex.load(folder / TITLES_DIR)
        if titles is None:
            return None
        chunks = data["chunks"]
        return cls(data["keys"], data["namespaces"], chunks, vectors, titles,
                   {cid: i for i, group in enumerate(chunks) for cid in group})
