"""BM25 over chunk texts with the bm25s library (English stop words, Snowball stemming)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import bm25s
import Stemmer


class LexicalIndex:
    """An in-memory BM25 index over (id, text) pairs."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._ids: list[str] = []
        self._retriever: Any = None

    def build(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self._ids = list(ids)
        if not self._ids:
            self._retriever = None
            return
        tokens = bm25s.tokenize(list(texts), stopwords="en", stemmer=self._stemmer, show_progress=False)
        self._retriever = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[str]:
        """Ids of the best ``k`` chunks with a positive score, best first."""
        if self._retriever is None:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=self._stemmer, show_progress=False)
        if not tokens.ids or not tokens.ids[0]:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._retriever.retrieve(tokens, k=k, show_progress=False)
        return [self._ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
