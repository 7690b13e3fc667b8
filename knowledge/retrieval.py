"""Rank fusion for hybrid retrieval: chunk rankings (dense, BM25) and document rankings
(mean vector, name fields) into one chunk ranking.

Reciprocal rank fusion needs no score calibration between a cosine similarity and a BM25
score, which live on unrelated scales; it only trusts each ranking's order. A document
ranking lifts every chunk of a document it ranks: a chunk's score is its own fused rank
score plus its document's, so the best passage of the best runbook leads, and a runbook that
only the document rankings found still contributes its first passage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RRF_K = 60


@dataclass(frozen=True)
class FusionWeights:
    """How much each ranking counts, and the reciprocal-rank constant (smaller: the top of
    each ranking counts more). Tuned on the public runbooks' alert-form queries and dev
    questions (bench/bench_retrieval_public.py), never on the held-out questions, and held
    to no loss on the project's own cases (tests/knowledge/*search_cases.yaml): BM25 at 1.5
    and k=15 gave the best MRR; the name field at 1.0 lifted alert names but cost MRR on
    prose titles ("Disk full on a Linux host" shares a word with many questions), so 0.3."""

    dense: float = 1.0
    lexical: float = 1.5
    doc_dense: float = 1.0
    doc_name: float = 0.3
    k: int = 15


DEFAULT_FUSION = FusionWeights()


def fuse(rankings: Sequence[Sequence[str]], k: int = RRF_K,
         weights: Sequence[float] | None = None) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of best-first id lists, best first (ties keep the first
    ranking's order). Scores are normalised to [0, 1]: 1.0 means first in every ranking."""
    if not rankings:
        return []
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + weight / (k + rank + 1)
    best_possible = sum(weights) / (k + 1)
    return sorted(((cid, s / best_possible) for cid, s in scores.items()), key=lambda item: -item[1])


def fuse_with_documents(dense: Sequence[str], lexical: Sequence[str], doc_dense: Sequence[int],
                        doc_name: Sequence[int], chunk_doc: Mapping[str, int], doc_chunks: Sequence[Sequence[str]],
                        weights: FusionWeights = DEFAULT_FUSION) -> list[tuple[str, float]]:
    """Chunks best first: each chunk's reciprocal-rank score in the chunk rankings plus its
    document's in the document rankings; normalised so 1.0 means first everywhere."""
    k = weights.k
    chunk_score: dict[str, float] = {}
    for ranking, weight in ((dense, weights.dense), (lexical, weights.lexical)):
        for rank, cid in enumerate(ranking):
            chunk_score[cid] = chunk_score.get(cid, 0.0) + weight / (k + rank + 1)
    doc_score: dict[int, float] = {}
    for docs, weight in ((doc_dense, weights.doc_dense), (doc_name, weights.doc_name)):
        for rank, doc in enumerate(docs):
            doc_score[doc] = doc_score.get(doc, 0.0) + weight / (k + rank + 1)
    present = {chunk_doc[cid] for cid in chunk_score if cid in chunk_doc}
    for doc in doc_score:
        if doc not in present and doc_chunks[doc]:
            chunk_score.setdefault(doc_chunks[doc][0], 0.0)
    best_possible = (weights.dense + weights.lexical + weights.doc_dense + weights.doc_name) / (k + 1)
    fused = ((cid, (score + doc_score.get(chunk_doc.get(cid, -1), 0.0)) / best_possible)
             for cid, score in chunk_score.items())
    return sorted(fused, key=lambda item: -item[1])
