"""Chroma's view of our MiniLM embedder, so a collection never falls back to Chroma's
default embedding function (which downloads an ONNX model at first use)."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from knowledge.embeddings import MODEL_NAME, Embedder


class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Embeds with the packaged all-MiniLM-L6-v2 (normalised, 384-d)."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.encode(list(input)))

    @staticmethod
    def name() -> str:
        return "guardian-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:  # noqa: ARG004
        from knowledge.embeddings import shared_embedder

        return MiniLMEmbeddingFunction(shared_embedder())

    def is_legacy(self) -> bool:
        return False
