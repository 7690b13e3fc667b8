"""Retrieval quality over the shipped runbooks, on held cases (tests/knowledge/search_cases.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.embeddings import Embedder
from knowledge.store import KnowledgeStore

pytestmark = pytest.mark.slow
CASES = yaml.safe_load((Path(__file__).with_name("search_cases.yaml")).read_text())["cases"]


@pytest.fixture(scope="module")
def runbook_store(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> KnowledgeStore:
    store = KnowledgeStore(tmp_path_factory.mktemp("quality"), embedder)
    store.ensure_builtin_runbooks()
    return store


def top_k_accuracy(store: KnowledgeStore, k: int) -> tuple[float, list[str]]:
    queries = [case["query"] for case in CASES]
    misses = []
    for case, hits in zip(CASES, store.search_many(queries, k=k), strict=True):
        if case["expected_source"] not in [hit.source for hit in hits]:
            misses.append(f"{case['query']!r}: got {[hit.source for hit in hits]}")
    return 1 - len(misses) / len(CASES), misses


def test_every_case_names_a_shipped_runbook(runbook_store: KnowledgeStore) -> None:
    shipped = {hit.source for hit in runbook_store.search("runbook", k=runbook_store.count())}
    assert {case["expected_source"] for case in CASES} <= shipped


def test_hybrid_top1_and_top3(runbook_store: KnowledgeStore) -> None:
    top1, misses1 = top_k_accuracy(runbook_store, 1)
    top3, misses3 = top_k_accuracy(runbook_store, 3)
    assert top1 >= 0.85, "\n".join(misses1)
    assert top3 >= 0.95, "\n".join(misses3)
