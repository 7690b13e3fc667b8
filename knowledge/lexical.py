"""BM25 over chunk texts with bm25s (English stop words, Snowball stemming via PyStemmer).

Exact words matter in ops text (alert names, error strings, ports), where a sentence
embedding blurs them; the store fuses this ranking with the dense one. Compound identifiers
(``KubePodCrashLooping``, ``nf_conntrack``) are indexed whole and as their parts
(knowledge.identifiers), on both the document and the query side. The index is
derived data: it is rebuilt from the chunks in Chroma and saved under GUARDIAN_HOME,
keyed by the store's generation, so another process loads it instead of rebuilding.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer

from knowledge.identifiers import split_identifiers

log = logging.getLogger(__name__)
IDS_FILE = "chunk_ids.json"


class LexicalIndex:
    """An immutable BM25 index over (chunk id, text) pairs."""

    def __init__(self, ids: Sequence[str], retriever: Any, split: bool = True) -> None:
        self.ids = list(ids)
        self._retriever = retriever
        self._stemmer = Stemmer.Stemmer("english")
        self.split = split

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str], split: bool = True) -> LexicalIndex:
        """``split`` False indexes words as the tokenizer finds them (the plain BM25 baseline)."""
        if not ids:
            return cls([], None, split)
        texts = [split_identifiers(text) for text in texts] if split else list(texts)
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=Stemmer.Stemmer("english"),
                                show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        return cls(ids, retriever, split)

    def save(self, folder: Path) -> None:
        """Write to ``folder`` atomically (a temp folder renamed), so a concurrent reader
        sees a whole index or none."""
        if self._retriever is None:
            return
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        self._retriever.save(str(staging), show_progress=False)
        (staging / IDS_FILE).write_text(json.dumps(self.ids))
        try:
            staging.rename(folder)
        except OSError:  # another process saved the same generation first
            shutil.rmtree(staging, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        try:
            ids = json.loads((folder / IDS_FILE).read_text())
            retriever = bm25s.BM25.load(str(folder), mmap=False, show_progress=False)
        except (OSError, ValueError) as exc:
            log.debug("no usable BM25 index in %s: %s", folder, exc)
            return None
        return cls(ids, retriever)

    def search(self, query: str, k: int) -> list[str]:
        """Ids of the best ``k`` chunks that share a word with the query, best first."""
        if self._retriever is None or k <= 0:
            return []
        text = split_identifiers(query) if self.split else query
        words = bm25s.tokenize([text], stopwords="en", stemmer=self._stemmer, return_ids=False,
                               show_progress=False)[0]
        known = [w for w in words if w in self._retriever.vocab_dict]
        if not known:
            return []
        docs, scores = self._retriever.retrieve([known], k=min(k, len(self.ids)), show_progress=False,
                                                n_threads=1)
        positive = np.asarray(scores[0]) > 0
        return [self.ids[int(d)] for d in np.asarray(docs[0])[positive]]
