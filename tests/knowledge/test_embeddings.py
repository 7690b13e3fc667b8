"""The ONNX embedder yields sentence-transformers' vectors for the packaged MiniLM, and a
query-time load imports neither torch nor sentence-transformers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import EMBEDDING_DIM, Embedder
from knowledge.onnx_export import ensure_onnx, onnx_path, packaged_model_dir

TEXTS = [
    "which buckets are public?",
    "how do I fix a full disk",
    "CheckoutLatencyHigh: p99 latency of checkout-api above 2s for 10 minutes",
    "Ünïcode naïve café ☃ and an emoji 🚀",
    "",
    "disk " * 400,  # longer than the 256-token limit: truncated the same way
]


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(embedder: Embedder) -> None:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(packaged_model_dir()), device="cpu").encode(
        TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    ours = embedder.encode(TEXTS)
    assert ours.shape == (len(TEXTS), EMBEDDING_DIM) and ours.dtype == np.float32
    cosines = np.sum(ours * reference, axis=1) / np.linalg.norm(reference, axis=1)
    assert cosines.min() >= 0.9999, dict(zip(TEXTS, cosines.round(6), strict=True))


@pytest.mark.slow
def test_batches_keep_input_order_and_match_one_by_one(embedder: Embedder) -> None:
    batched = Embedder(batch_size=2, cache_dir=embedder.cache_dir).encode(TEXTS)
    for text, vector in zip(TEXTS, batched, strict=True):
        assert float(vector @ embedder.encode_one(text)) >= 0.9999, text
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, EMBEDDING_DIM)


@pytest.mark.slow
def test_export_is_cached_per_model_and_reused(embedder: Embedder, tmp_path: Path) -> None:
    model_dir = packaged_model_dir()
    cached = ensure_onnx(model_dir, embedder.cache_dir)
    assert cached == onnx_path(model_dir, embedder.cache_dir)
    before = cached.stat().st_mtime_ns
    assert ensure_onnx(model_dir, embedder.cache_dir).stat().st_mtime_ns == before  # not exported again
    assert onnx_path(model_dir, tmp_path) != cached  # another cache folder is its own


@pytest.mark.slow
def test_query_time_load_imports_no_torch(embedder: Embedder) -> None:
    ensure_onnx(packaged_model_dir(), embedder.cache_dir)
    code = (
        "import sys\nfrom pathlib import Path\nfrom knowledge.embeddings import Embedder\n"
        f"v = Embedder(cache_dir=Path({str(embedder.cache_dir)!r})).encode_one('disk full')\n"
        "print(v.shape[0], 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.split() == [str(EMBEDDING_DIM), "False", "False"], out.stderr[-800:]
