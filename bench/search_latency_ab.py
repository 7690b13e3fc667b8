"""Warm search latency over the shipped runbooks for whichever checkout is first on the
path, so two versions of knowledge/ can be timed alternately on one machine (before/after):

    PYTHONPATH=/work/main .venv/bin/python bench/search_latency_ab.py /work/main
    PYTHONPATH=. .venv/bin/python bench/search_latency_ab.py .

Queries: tests/knowledge/search_cases.yaml and extra_search_cases.yaml (148), 3 rounds,
k=5, query embedding included; prints p50/p95 wall time and the 1-minute load average.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

import knowledge.store as store_module
from knowledge.embeddings import shared_embedder
from knowledge.evaluation import load_cases


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    embedder = shared_embedder()
    embedder.encode(["warm up"])
    home = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    try:
        store = store_module.KnowledgeStore(home, embedder)
        store.ensure_builtin_runbooks()
        queries = [c.query for name in ("search_cases.yaml", "extra_search_cases.yaml")
                   for c in load_cases(yaml.safe_load((root / "tests/knowledge" / name).read_text()))]
        store.search("warm up")
        times = []
        for _ in range(3):
            for query in queries:
                started = time.perf_counter()
                store.search(query, k=5)
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(f"code {store_module.__file__}: {store.count()} chunks, {len(queries)} queries x 3, "
              f"p50 {statistics.median(times):.1f} ms, p95 {times[int(0.95 * len(times))]:.1f} ms, "
              f"load {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
