"""The built-in runbooks' vector cache: what it answers is what the model answers, it keeps
what it computed, and it lives with the exact model it was computed by."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.embeddings import Embedder
from knowledge.onnx_export import onnx_path, packaged_model_dir
from knowledge.vector_cache import FILE, _key, _load, cache_file, encode_cached

TEXTS = ["Vector cache check: restart the payments API pods", "Vector cache check: drain the node"]


def test_cached_vectors_are_the_models_and_are_kept_beside_its_export(embedder: Embedder) -> None:
    path = cache_file(embedder)
    assert path == onnx_path(packaged_model_dir(), embedder.cache_dir).parent / FILE
    fresh = embedder.encode(TEXTS)
    first = encode_cached(embedder, TEXTS)
    again = encode_cached(embedder, TEXTS)
    assert first.shape == (2, 384) and np.allclose(first, fresh, atol=1e-6)
    assert np.array_equal(first, again)
    kept = _load(path)
    assert all(np.array_equal(kept[_key(text)], first[i]) for i, text in enumerate(TEXTS))


def test_an_unreadable_cache_is_ignored_not_trusted(tmp_path: Path) -> None:
    broken = tmp_path / FILE
    broken.write_bytes(b"not an npz file")
    assert _load(broken) == {}
