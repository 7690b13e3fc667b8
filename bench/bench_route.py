"""Router benchmark: accuracy per approach on the dev and test sets, batch throughput and
single-request latency, each against the raw MiniLM encode of the same texts measured in
the same run (so the numbers travel between machines as ratios).

Run: .venv/bin/python bench/bench_route.py [--no-write]
Writes the "## Router" section of docs/BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.router import SkillRouter  # noqa: E402
from bench.report import percentile, write_section  # noqa: E402
from knowledge.embeddings import Embedder  # noqa: E402

APPROACHES = ("knn", "centroid", "knn_rules", "logreg", "logreg_rules")
COMMAND = ".venv/bin/python bench/bench_route.py"


def cases(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load((ROOT / "tests" / "agents" / name).read_text())["cases"]
    return data


def accuracy(router: SkillRouter, items: list[dict[str, Any]]) -> float:
    routes = router.route_many([item["text"] for item in items])
    return sum(route.skill == item["skill"] for route, item in zip(routes, items, strict=True)) / len(items)


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """Fastest wall time of ``repeats`` runs (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-write", action="store_true", help="print only, leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()
    embedder = Embedder()
    embedder.encode(["warm up"])
    dev, test = cases("route_dev.yaml"), cases("route_test.yaml")
    texts = [item["text"] for item in test]
    now = datetime(2025, 6, 15, 12, 0)
    lines = [f"Command: `{COMMAND}` (MiniLM on CPU; {len(dev)} dev cases, {len(test)} test cases).", ""]

    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        router = SkillRouter(embedder, now=lambda: now, cache_dir=Path(cache))
        router.warm()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        SkillRouter(embedder, now=lambda: now, cache_dir=Path(cache)).warm()
        warm = time.perf_counter() - start

        lines += ["| approach | dev accuracy | test accuracy |", "|---|---|---|"]
        for approach in APPROACHES:
            candidate = SkillRouter(embedder, now=lambda: now, cache_dir=Path(cache), approach=approach)
            mark = " (shipped)" if approach == router.approach else ""
            lines.append(f"| {approach}{mark} | {accuracy(candidate, dev):.3f} | {accuracy(candidate, test):.3f} |")

    encode_batch = best_of(3, lambda: embedder.encode(texts))
    route_batch = best_of(3, lambda: router.route_many(texts))
    single_encode, single_route = [], []
    for text in texts:
        start = time.perf_counter()
        embedder.encode([text])
        single_encode.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        router.route(text)
        single_route.append((time.perf_counter() - start) * 1000)
    p50_base, p95_base = statistics.median(single_encode), percentile(single_encode, 95)
    p50, p95 = statistics.median(single_route), percentile(single_route, 95)
    n = len(texts)
    lines += [
        "",
        "| measure | raw MiniLM encode (baseline) | router | router / baseline |",
        "|---|---|---|---|",
        f"| batch throughput, {n} texts (texts/s) | {n / encode_batch:.0f} | {n / route_batch:.0f} | "
        f"{encode_batch / route_batch:.2f}x |",
        f"| single request p50 (ms) | {p50_base:.1f} | {p50:.1f} | {p50 / p50_base:.2f}x |",
        f"| single request p95 (ms) | {p95_base:.1f} | {p95:.1f} | {p95 / p95_base:.2f}x |",
        "",
        f"Index build (embed {len(router.index.labels)} utterances + fit): {cold:.1f} s cold, "
        f"{warm:.2f} s from the on-disk cache.",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section("Router", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
