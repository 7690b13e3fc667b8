"""Knowledge benchmarks, each against a baseline measured in the same run:

1. ingest throughput vs the embedding model's own encode time for the same chunks;
2. search latency p50/p95 at 1k and 50k chunks (with and without the query embedding);
3. retrieval quality, hybrid (dense + BM25, fused) vs dense alone, on tests/knowledge/search_cases.yaml.

    .venv/bin/python bench/bench_knowledge.py [--big 50000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = ("disk cpu memory latency error timeout deploy rollback certificate bucket policy queue backlog "
         "connection pool replica lag throttle lambda pod restart node kernel packet dns resolver cache "
         "ingress egress firewall port ssh key rotation token expiry alert page escalate incident").split()


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def synthetic_docs(folder: Path, files: int, sections: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    for f in range(files):
        body = [f"# Synthetic runbook {f}"]
        for s in range(sections):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120)))
            body.append(f"## Step {s}\n{words}\n")
        (folder / f"doc-{f:05d}.md").write_text("\n".join(body))


def bench_ingest(embedder: object) -> list[str]:
    from knowledge.chunking import chunk_document
    from knowledge.store import KnowledgeStore, _embedding_input

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    docs = work / "docs"
    docs.mkdir()
    synthetic_docs(docs, files=100, sections=10)
    chunks = [c for p in sorted(docs.glob("*.md")) for c in chunk_document(p.read_text(), p.name)]
    started = time.perf_counter()
    embedder.encode([_embedding_input(c) for c in chunks])  # type: ignore[attr-defined]
    encode_s = time.perf_counter() - started
    store = KnowledgeStore(work / "home", embedder)  # type: ignore[arg-type]
    started = time.perf_counter()
    report = store.ingest([docs])
    ingest_s = time.perf_counter() - started
    started = time.perf_counter()
    store.ingest([docs])
    reingest_s = time.perf_counter() - started
    shutil.rmtree(work)
    n = report.chunks_added
    return [
        f"| ingest {n} chunks (100 files) | {ingest_s:.2f} s ({n / ingest_s:.0f} chunks/s) |",
        f"| model encode of the same {len(chunks)} chunks (baseline) | {encode_s:.2f} s "
        f"({len(chunks) / encode_s:.0f} chunks/s) |",
        f"| ingest / encode | **{ingest_s / encode_s:.2f}x** (target <= 1.10x) |",
        f"| re-ingest unchanged | {reingest_s * 1000:.0f} ms |",
    ]


def bench_search(embedder: object, size: int, queries: list[str]) -> list[str]:
    """A store of ``size`` chunks built from precomputed vectors: a few thousand real
    embeddings of synthetic text, reused with small perturbations (encoding 50k chunks
    would take minutes and measures the model, not search)."""
    from knowledge.store import KnowledgeStore

    rng = np.random.default_rng(3)
    work = Path(tempfile.mkdtemp(prefix="bench-search-"))
    store = KnowledgeStore(work, embedder)  # type: ignore[arg-type]
    texts = [" ".join(rng.choice(WORDS, size=60)) for _ in range(min(size, 2000))]
    base = embedder.encode(texts)  # type: ignore[attr-defined]
    for start in range(0, size, 5000):
        count = min(5000, size - start)
        picks = rng.integers(0, len(texts), size=count)
        vectors = base[picks] + rng.normal(0, 0.02, size=(count, base.shape[1])).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.collection.add(ids=[f"c{start + i}" for i in range(count)], embeddings=vectors,
                             documents=[texts[p] for p in picks],
                             metadatas=[{"source": f"doc-{(start + i) // 10}.md", "title": "t", "section": "s",
                                         "root": "bench", "sha256": "", "namespace": "docs"} for i in range(count)])
    store._bump_generation()
    store.search("warm up the bm25 index")
    qvecs = embedder.encode(queries)  # type: ignore[attr-defined]
    full, only_dense, only_vector = [], [], []
    for q, v in zip(queries * 3, np.concatenate([qvecs] * 3), strict=True):
        t0 = time.perf_counter()
        store.search(q, k=5)
        full.append((time.perf_counter() - t0) * 1000)
        store.hybrid = False
        t0 = time.perf_counter()
        store.search(q, k=5)
        only_dense.append((time.perf_counter() - t0) * 1000)
        store.hybrid = True
        t0 = time.perf_counter()
        store.collection.query(query_embeddings=[v], n_results=20)
        only_vector.append((time.perf_counter() - t0) * 1000)
    shutil.rmtree(work)
    return [f"| {size:,} chunks | {percentile(full, 50):.1f} / {percentile(full, 95):.1f} ms "
            f"| {percentile(only_dense, 50):.1f} / {percentile(only_dense, 95):.1f} ms "
            f"| {percentile(only_vector, 50):.1f} / {percentile(only_vector, 95):.1f} ms |"]


def bench_quality(embedder: object) -> list[str]:
    from knowledge.store import KnowledgeStore

    cases = yaml.safe_load((ROOT / "tests/knowledge/search_cases.yaml").read_text())["cases"]
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    store = KnowledgeStore(work, embedder)  # type: ignore[arg-type]
    store.ensure_builtin_runbooks()
    rows = []
    for label, hybrid in (("dense alone", False), ("hybrid (dense + BM25, RRF)", True)):
        store.hybrid = hybrid
        results = store.search_many([c["query"] for c in cases], k=5)
        ranks = []
        for case, hits in zip(cases, results, strict=True):
            sources = list(dict.fromkeys(h.source for h in hits))
            ranks.append(sources.index(case["expected_source"]) + 1 if case["expected_source"] in sources else 0)
        top1 = sum(r == 1 for r in ranks) / len(ranks)
        top3 = sum(0 < r <= 3 for r in ranks) / len(ranks)
        mrr = sum(1 / r for r in ranks if r) / len(ranks)
        rows.append(f"| {label} | {top1:.3f} | {top3:.3f} | {mrr:.3f} |")
    shutil.rmtree(work)
    return [f"{len(cases)} cases from `tests/knowledge/search_cases.yaml`, over the shipped runbooks.", "",
            "| retrieval | top-1 | top-3 | MRR |", "|---|---|---|---|", *rows]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", type=int, default=50_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from bench.report import write_section
    from knowledge.embeddings import shared_embedder

    embedder = shared_embedder()
    embedder.encode(["warm up"])
    queries = ["disk full on web-3", "rotate leaked key", "pod keeps restarting", "cert expires soon",
               "bill tripled", "ssh open to the world", "too many db connections", "rollback deploy"]
    lines = [f"Command: `.venv/bin/python bench/bench_knowledge.py --big {args.big}`", "",
             "### Ingest", "", "| measure | value |", "|---|---|", *bench_ingest(embedder), "",
             "### Search latency (p50 / p95, k=5)", "",
             "| store | hybrid search incl. query embedding | dense search incl. query embedding "
             "| Chroma query alone (baseline) |", "|---|---|---|---|",
             *bench_search(embedder, 1000, queries), *bench_search(embedder, args.big, queries), "",
             "### Retrieval quality", "", *bench_quality(embedder)]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("Knowledge", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
