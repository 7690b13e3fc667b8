"""Rank fusion for hybrid retrieval (dense + BM25).

Reciprocal rank fusion needs no score calibration between a cosine similarity and a BM25
score, which live on unrelated scales; it only trusts each ranking's order.
"""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def fuse(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[tuple[str, float]]:
    """Reciprocal rank fusion of best-first id lists, best first (ties keep the first
    ranking's order). Scores are normalised to [0, 1]: 1.0 means first in every ranking."""
    if not rankings:
        return []
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, cid in enumerate(ranking):
            scores[cid] = scores.get(cid, 0.0) + 1.0 / (k + rank + 1)
    best_possible = len(rankings) / (k + 1)
    return sorted(((cid, s / best_possible) for cid, s in scores.items()), key=lambda item: -item[1])
