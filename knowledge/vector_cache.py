"""Vectors of the runbooks Guardian ships, kept beside the model's ONNX export in the cache
folder, so that a fresh GUARDIAN_HOME (a new replica, a demo, a benchmark) indexes them
without running the model: on two shared cores, embedding the ~200 built-in chunks is the
largest part of the first incident brief after a start (tens of seconds).

Why it is shaped this way:
- Only text Guardian ships goes in (the built-in root); user documents and queries never
  reach the disk here.
- Entries are keyed by the SHA-256 of the exact model input, and the file lives in the
  folder of that exact model's export (``onnx_path``): another model never reads them.
- Written to a temporary file and renamed: concurrent writers each leave a whole file.
- ``python -m knowledge.vector_cache`` fills it (``make install`` does).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from knowledge.embeddings import EMBEDDING_DIM, Embedder

log = logging.getLogger(__name__)

FILE = "builtin-vectors.npz"


def cache_file(embedder: Embedder) -> Path | None:
    """The cache of this embedder's model, or None when its location cannot be known."""
    from knowledge.onnx_export import onnx_path, packaged_model_dir

    try:
        return onnx_path(embedder.model_dir or packaged_model_dir(), embedder.cache_dir).parent / FILE
    except (OSError, AttributeError) as exc:
        log.info("vector cache: unavailable (%s)", type(exc).__name__)
        return None


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _load(path: Path) -> dict[str, NDArray[np.float32]]:
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, KeyError, ValueError) as exc:
        if path.exists():
            log.warning("vector cache: %s is unreadable (%s); recomputing", path, type(exc).__name__)
        return {}
    if vectors.ndim != 2 or vectors.shape[1] != EMBEDDING_DIM or len(keys) != len(vectors):
        return {}
    return {str(key): vectors[i] for i, key in enumerate(keys)}


def _save(path: Path, entries: dict[str, NDArray[np.float32]]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".vectors-", suffix=".npz", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            np.savez(out, keys=np.array(list(entries), dtype=str),
                     vectors=np.stack(list(entries.values())).astype(np.float32))
        os.replace(tmp, path)
    except OSError as exc:  # a read-only cache folder costs speed, never the ingest
        log.info("vector cache: not written (%s)", type(exc).__name__)


def encode_cached(embedder: Embedder, texts: Sequence[str]) -> NDArray[np.float32]:
    """``embedder.encode(texts)``, taking what the cache holds and adding what it lacks."""
    path = cache_file(embedder)
    if path is None:
        return embedder.encode(texts)
    entries = _load(path)
    keys = [_key(text) for text in texts]
    missing = sorted({i for i, key in enumerate(keys) if key not in entries})
    if missing:
        fresh = embedder.encode([texts[i] for i in missing])
        for row, i in enumerate(missing):
            entries[keys[i]] = fresh[row]
        _save(path, entries)
    return np.stack([entries[key] for key in keys]).astype(np.float32)


def main() -> int:
    """Fill the cache with the built-in runbooks' vectors (a throwaway store does the chunking)."""
    from knowledge.embeddings import shared_embedder
    from knowledge.store import KnowledgeStore

    with tempfile.TemporaryDirectory() as home:
        store = KnowledgeStore(Path(home), shared_embedder())
        store.ensure_builtin_runbooks()
        chunks = store.count()
    sys.stdout.write(f"built-in runbook vectors cached ({chunks} chunks)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
