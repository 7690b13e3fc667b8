"""Rank fusion with document rankings (knowledge.retrieval), on hand-made rankings."""

from __future__ import annotations

import pytest

from knowledge.retrieval import FusionWeights, fuse, fuse_with_documents

# Two documents: doc 0 has chunks a0, a1; doc 1 has chunks b0, b1.
CHUNK_DOC = {"a0": 0, "a1": 0, "b0": 1, "b1": 1}
DOC_CHUNKS = [["a0", "a1"], ["b0", "b1"]]
EQUAL = FusionWeights(dense=1.0, lexical=1.0, doc_dense=1.0, doc_name=1.0, k=60)


def test_a_document_ranking_lifts_every_chunk_of_its_document() -> None:
    # Chunk rankings alone put b1 first; both document rankings put doc 0 first.
    fused = fuse_with_documents(["b1", "a1"], ["b1", "a1"], [0, 1], [0], CHUNK_DOC, DOC_CHUNKS, EQUAL)
    assert [cid for cid, _ in fused] == ["a1", "b1"]


def test_a_document_only_the_document_rankings_found_contributes_its_first_chunk() -> None:
    fused = dict(fuse_with_documents(["a1"], [], [0, 1], [1], CHUNK_DOC, DOC_CHUNKS, EQUAL))
    assert set(fused) == {"a1", "b0"}
    assert fused["b0"] == pytest.approx((1 / 62 + 1 / 61) / (4 / 61))


def test_first_everywhere_scores_one() -> None:
    fused = fuse_with_documents(["a0"], ["a0"], [0], [0], CHUNK_DOC, DOC_CHUNKS, EQUAL)
    assert fused == [("a0", pytest.approx(1.0))]


def test_weights_decide_between_rankings_that_disagree() -> None:
    lexical_heavy = FusionWeights(dense=1.0, lexical=3.0, doc_dense=0.0, doc_name=0.0, k=60)
    dense_heavy = FusionWeights(dense=3.0, lexical=1.0, doc_dense=0.0, doc_name=0.0, k=60)
    assert fuse_with_documents(["a0", "b0"], ["b0", "a0"], [], [], CHUNK_DOC, DOC_CHUNKS, lexical_heavy)[0][0] == "b0"
    assert fuse_with_documents(["a0", "b0"], ["b0", "a0"], [], [], CHUNK_DOC, DOC_CHUNKS, dense_heavy)[0][0] == "a0"


def test_plain_fuse_weights_and_normalisation() -> None:
    assert fuse([["x", "y"], ["y", "x"]], k=60, weights=[2.0, 1.0])[0][0] == "x"
    assert fuse([["x"], ["x"]])[0] == ("x", pytest.approx(1.0))
