"""Router benchmark: skill and agent accuracy per approach on the dev, external dev and
blind sets, reported apart; batch throughput and single-request latency against the raw
MiniLM encode of the same texts measured in the same run (so the numbers travel between
machines as ratios).

- route_dev.yaml: the set the approaches and rules were chosen on;
- route_dev_external.yaml: requests in other companies' voice, tunable;
- route_dev2.yaml: a second such set, written with agents/data/utterances_external.yaml from
  the skills' definitions, tunable;
- route_dev3.yaml: a third such set (275 requests), written and labelled before any of the
  router's misses on it was read, tunable;
- route_dev4.yaml: three rounds of fresh probes (275 requests), tunable;
- route_dev5.yaml: 300 requests in voices the others cover thinly (terse, narrative, non-native,
  keyword-less, two domains, negated, hedged), committed before the router was run on it, tunable;
- route_dev6.yaml: 250 requests in further thin voices (alert or log line pasted first, resources
  in plain words, statements as asks, British/Indian/Australian idioms, one-to-three words),
  committed before the router was run on it, tunable;
- route_dev7.yaml: 250 requests in further thin voices (incident-bridge shorthand, permission framing,
  resource first, two-step asks, corporate hedging, slang and emoji, quoted errors, Spanish/German
  English, a teammate's claim, domain synonyms), committed before the router was run on it, tunable
  (not yet in agents/data/utterances_tunable.yaml: its left-out router is the shipped one);
- route_dev8.yaml: 250 requests in further thin voices (pasted Slack thread then the ask, ticket ids and
  PR numbers, "+1, also X" replies, a resource name plus one word, numbers and units, quoted errors,
  Japanese/Indian/Nigerian English, two resources, a dashboard or tool named, meta requests about
  Guardian's answers), committed before the router was run on it, tunable (not yet in
  agents/data/utterances_tunable.yaml: its left-out router is the shipped one);
- route_blind.yaml: written before any tuning, never tuned on; only its aggregate is read.

route_test.yaml is reported too but is contaminated (rules were written after it).

The router learns from the tunable sets' cases too (agents/data/utterances_tunable.yaml), so
each tunable set is measured left out: by a router that learnt from the hand-written files and
the other tunable sets only ("left out" below). Held-out sets are measured with the full training.

Run: .venv/bin/python bench/bench_route.py [--no-write] [--tuned] [--tunable-only] [--misses]
``--tunable-only`` measures the routers on the tunable sets alone, each left out (the held-out
files are not even read) and writes nothing; ``--misses`` prints every miss of the shipped
router on a left-out tunable set (never a held-out case). ``--tuned`` adds the contrastively fine-tuned
MiniLM variant (bench/router_variants.py), training it first if it is not cached. Writes the "## Router" section of
docs/BENCHMARKS.md unless --no-write.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.router import (  # noqa: E402
    HAND_WRITTEN_PATHS,
    LEARNT_PATHS,
    UTTERANCES_PATH,
    SkillRouter,
    with_examples,
)
from agents.router_rules import SKILL_NAMES  # noqa: E402
from agents.skills import agent_of  # noqa: E402
from bench.report import percentile, write_section  # noqa: E402
from bench.router_variants import Approach, VariantRouter, tuned_router  # noqa: E402
from knowledge.embeddings import Embedder  # noqa: E402

APPROACHES: tuple[Approach, ...] = ("knn", "centroid", "knn_rules", "logreg", "lexical", "logreg_lexical",
                                    "logreg_rules")
SETS = ("route_dev.yaml", "route_dev_external.yaml", "route_dev2.yaml", "route_dev3.yaml", "route_dev4.yaml",
        "route_dev5.yaml", "route_dev6.yaml", "route_dev7.yaml", "route_dev8.yaml", "route_blind.yaml",
        "route_test.yaml")
COMMAND = ".venv/bin/python bench/bench_route.py"


def cases(name: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load((ROOT / "tests" / "agents" / name).read_text())["cases"]
    return data


def accuracy(router: SkillRouter, items: list[dict[str, Any]]) -> tuple[float, float]:
    """(skill accuracy, agent accuracy): aggregates only, no case is printed."""
    routes = router.route_many([item["text"] for item in items])
    pairs = list(zip(routes, items, strict=True))
    skill = sum(route.skill == item["skill"] for route, item in pairs) / len(items)
    agent = sum(route.agent == agent_of(item["skill"]) for route, item in pairs) / len(items)
    return skill, agent


def row(label: str, router: SkillRouter, data: dict[str, list[dict[str, Any]]],
        names: Sequence[str] = SETS) -> str:
    cells = []
    for name in names:
        skill, agent = accuracy(router, data[name])
        cells.append(f"{skill:.3f} / {agent:.3f}")
    return f"| {label} | " + " | ".join(cells) + " |"


TYPO_RATE = 0.15  # share of the words of 4+ letters given one edit in the typo rows
TYPO_SEED = 7
TUNABLE = ("route_dev.yaml", "route_dev_external.yaml", "route_dev2.yaml", "route_dev3.yaml", "route_dev4.yaml",
           "route_dev5.yaml", "route_dev6.yaml", "route_dev7.yaml", "route_dev8.yaml")


def misspelt(items: list[dict[str, Any]], rate: float = TYPO_RATE, seed: int = TYPO_SEED) -> list[dict[str, Any]]:
    """The cases with one edit (a letter dropped, doubled or two swapped, never the first)
    in ``rate`` of their alphabetic words of 4+ letters, from a fixed seed."""
    rng = random.Random(seed)

    def typo(word: str) -> str:
        if len(word) < 4 or not word.isalpha() or rng.random() >= rate:
            return word
        i = rng.randrange(1, len(word) - 1)
        edit = rng.choice("dst")
        if edit == "d":
            return word[:i] + word[i + 1:]
        if edit == "s":
            return word[:i] + word[i + 1] + word[i] + word[i + 2:]
        return word[:i] + word[i] + word[i:]

    return [{**item, "text": " ".join(typo(word) for word in item["text"].split())} for item in items]


RouterFactory = Callable[..., SkillRouter]


def left_out(make: RouterFactory, cache: Path) -> dict[str, SkillRouter]:
    """Per tunable set, a router from ``make`` (SkillRouter or a variant's constructor, given the
    training keywords) that learnt from the hand-written files and the shipped learnt files
    (tunable sets, dev eval cases) without that set's cases."""
    shipped = with_examples({skill: [] for skill in SKILL_NAMES}, LEARNT_PATHS)
    routers: dict[str, SkillRouter] = {}
    for name in TUNABLE:
        others = cache / f"tunable-without-{name}"
        if not others.exists():
            unseen = {str(case["text"]) for case in cases(name)}
            kept = {skill: [text for text in texts if text not in unseen] for skill, texts in shipped.items()}
            others.write_text(yaml.safe_dump({skill: texts for skill, texts in kept.items() if texts},
                                             sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
        routers[name] = make(utterances_paths=HAND_WRITTEN_PATHS, examples_path=others, cache_dir=cache)
    return routers


def left_out_row(label: str, routers: dict[str, SkillRouter], data: dict[str, list[dict[str, Any]]],
                 spoil: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] = list) -> str:
    """One row over the tunable sets, each measured by the router that did not learn from it,
    and their total."""
    cells, right, agents, total = [], 0, 0, 0
    for name in TUNABLE:
        items = spoil(data[name])
        skill, agent = accuracy(routers[name], items)
        cells.append(f"{skill:.3f} / {agent:.3f}")
        right, agents, total = right + round(skill * len(items)), agents + round(agent * len(items)), total + len(items)
    return f"| {label} | " + " | ".join(cells) + f" | {right / total:.3f} / {agents / total:.3f} |"


def misses(routers: dict[str, SkillRouter], data: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Every miss on a left-out tunable set, one line each (held-out sets are refused)."""
    lines = []
    for name in TUNABLE:
        items = data[name]
        for route, item in zip(routers[name].route_many([item["text"] for item in items]), items, strict=True):
            if route.skill != item["skill"]:
                runners_up = ", ".join(f"{skill} {p:.2f}" for skill, p in route.alternatives[:2])
                lines.append(f"{name.removesuffix('.yaml')}: {item['text']!r} want {item['skill']}, got {route.skill}"
                             f" ({route.confidence:.2f}; {runners_up})")
    return lines


LEFT_OUT_HEADER = ("| approach (each set left out of training) | " + " | ".join(
    name.removesuffix(".yaml").removeprefix("route_") for name in TUNABLE) + " | all tunable |",
                   "|---" * (len(TUNABLE) + 2) + "|")


def left_out_rows(embedder: Embedder, now: datetime, cache: Path,
                  data: dict[str, list[dict[str, Any]]]) -> tuple[list[str], dict[str, SkillRouter]]:
    """The tunable table: the shipped router and its rule-free and n-gram-free variants, each
    set left out, and the router of the hand-written files alone (which never saw any set)."""
    def variant(approach: Approach) -> RouterFactory:
        return lambda **kw: VariantRouter(embedder, approach, now=lambda: now, **kw)

    shipped = left_out(lambda **kw: SkillRouter(embedder, now=lambda: now, **kw), cache)
    hand_written = SkillRouter(embedder, now=lambda: now, cache_dir=cache, utterances_paths=HAND_WRITTEN_PATHS)
    rows = [*LEFT_OUT_HEADER,
            left_out_row("hand-written examples only (shipped before)", dict.fromkeys(TUNABLE, hand_written), data),
            left_out_row("no grammar rules", left_out(variant("logreg_lexical"), cache), data),
            left_out_row("no n-gram classifier", left_out(variant("logreg_rules"), cache), data),
            left_out_row("shipped", shipped, data)]
    return rows, shipped


BANDS = (0.0, 0.15, 0.25, 0.35, 0.45, 0.6, 1.0)  # confidence bands; 0.45 is the clarify threshold


def bands(routers: dict[str, SkillRouter], data: dict[str, list[dict[str, Any]]]) -> list[str]:
    """How often the first guess is right per confidence band, over the left-out tunable sets:
    the evidence for where the graph asks instead of answering (GUARDIAN_ROUTER_ANSWER_FLOOR)."""
    right = dict.fromkeys(BANDS[:-1], 0)
    seen = dict.fromkeys(BANDS[:-1], 0)
    for name in TUNABLE:
        items = data[name]
        for route, item in zip(routers[name].route_many([item["text"] for item in items]), items, strict=True):
            low = max(edge for edge in BANDS[:-1] if edge <= route.confidence)
            seen[low] += 1
            right[low] += route.skill == item["skill"]
    rows = ["| confidence | requests | first guess right |", "|---|---|---|"]
    for low, high in itertools.pairwise(BANDS):
        share = f"{right[low] / seen[low]:.2f}" if seen[low] else "-"
        rows.append(f"| {low:.2f}-{high:.2f} | {seen[low]} | {right[low]} ({share}) |")
    return rows


def tunable_only(embedder: Embedder, now: datetime, show_misses: bool, show_bands: bool = False) -> int:
    """The routers on the tunable sets only, each left out: the quick loop for tuning."""
    data = {name: cases(name) for name in TUNABLE}
    with tempfile.TemporaryDirectory() as cache:
        rows, shipped = left_out_rows(embedder, now, Path(cache), data)
        print("\n".join(rows))
        if show_bands:
            print("\n".join(["", *bands(shipped, data)]))
        if show_misses:
            print("\n".join(misses(shipped, data)))
    return 0


class MemoEmbedder(Embedder):
    """The same vectors, each text encoded once per run (the rows share the cases)."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__()
        self.inner = inner
        self.seen: dict[str, NDArray[np.float32]] = {}

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        missing = [text for text in dict.fromkeys(texts) if text not in self.seen]
        if missing:
            self.seen.update(zip(missing, self.inner.encode(missing), strict=True))
        return np.stack([self.seen[text] for text in texts]) if texts else self.inner.encode(texts)


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
    parser.add_argument("--tuned", action="store_true", help="also measure the fine-tuned MiniLM variant")
    parser.add_argument("--tuned-cache", type=Path, default=Path.home() / ".cache" / "guardian",
                        help="where the fine-tuned model is kept between runs")
    parser.add_argument("--tunable-only", action="store_true",
                        help="only the shipped router on the tunable sets (held-out files unread); implies --no-write")
    parser.add_argument("--misses", action="store_true", help="print the shipped router's misses on the tunable sets")
    parser.add_argument("--bands", action="store_true",
                        help="with --tunable-only: how often the first guess is right per confidence band")
    args = parser.parse_args()
    embedder = Embedder()
    embedder.encode(["warm up"])
    now = datetime(2025, 6, 15, 12, 0)
    if args.tunable_only:
        return tunable_only(embedder, now, args.misses, args.bands)
    data = {name: cases(name) for name in SETS}
    texts = [item["text"] for item in data["route_dev_external.yaml"]]
    sizes = ", ".join(f"{name.removesuffix('.yaml')} {len(items)}" for name, items in data.items())
    held = ("route_blind.yaml", "route_test.yaml")
    lines = [
        f"Command: `{COMMAND}{' --tuned' if args.tuned else ''}` (MiniLM on CPU; cases: {sizes}).",
        "",
        "Each cell is skill accuracy / agent accuracy. Tunable sets: each measured by a router that learnt "
        "from the hand-written examples (agents/data/utterances.yaml, utterances_external.yaml) and the other "
        "tunable sets, never from the set itself.",
        "",
    ]
    memo = MemoEmbedder(embedder)  # each case is embedded once for all the rows
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        router = SkillRouter(embedder, now=lambda: now, cache_dir=Path(cache))
        router.warm()
        cold = time.perf_counter() - start
        start = time.perf_counter()
        SkillRouter(embedder, now=lambda: now, cache_dir=Path(cache)).warm()
        warm = time.perf_counter() - start
        rows, shipped_left_out = left_out_rows(memo, now, Path(cache), data)
        lines += rows
        lines += ["", "Held-out sets (blind: never tuned on, aggregate only; test: contaminated), every "
                  "router learning from all its training files:", "",
                  "| approach | blind | test |", "|---|---|---|"]
        for approach in APPROACHES:
            variant = VariantRouter(memo, approach, now=lambda: now, cache_dir=Path(cache))
            lines.append(row(approach, variant, data, held))
        before = SkillRouter(memo, now=lambda: now, cache_dir=Path(cache), utterances_paths=(UTTERANCES_PATH,))
        lines.append(row("logreg + grammar rules, utterances.yaml only", before, data, held))
        hand_written = SkillRouter(memo, now=lambda: now, cache_dir=Path(cache), utterances_paths=HAND_WRITTEN_PATHS)
        lines.append(row("logreg + grammar rules, hand-written examples only (shipped before)", hand_written, data,
                         held))
        unrepaired = SkillRouter(memo, now=lambda: now, cache_dir=Path(cache), repair_typos=False)
        lines.append(row("logreg + grammar rules, no typo repair", unrepaired, data, held))
        shipped = SkillRouter(memo, now=lambda: now, cache_dir=Path(cache))
        lines.append(row("logreg + grammar rules (shipped)", shipped, data, held))
        unrepaired_left_out = left_out(lambda **kw: SkillRouter(memo, now=lambda: now, repair_typos=False, **kw),
                                       Path(cache))
        lines += ["", f"Typo robustness: the tunable sets, each left out, with {TYPO_RATE:.0%} of their words of "
                  f"4+ letters misspelt by one edit (seed {TYPO_SEED}; bench_route.misspelt).", "",
                  *LEFT_OUT_HEADER,
                  left_out_row("no typo repair", unrepaired_left_out, data, misspelt),
                  left_out_row("shipped, typo repair", shipped_left_out, data, misspelt)]
    trained_note = ""
    if args.tuned:
        tuned, trained = tuned_router(args.tuned_cache, now=lambda: now)
        lines.append(row("fine-tuned MiniLM + logreg + rules, hand-written examples (bench only)", tuned, data,
                         held))
        trained_note = (f" Fine-tuning MiniLM (80 steps of 64 utterances) took {trained:.0f} s on this machine."
                        if trained > 1 else " Fine-tuned model loaded from the cache.")

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
        f"{warm:.2f} s from the on-disk cache.{trained_note}",
    ]
    if args.misses:
        lines += ["", "Misses of the shipped router on the left-out tunable sets:", *misses(shipped_left_out, data)]
    section = "\n".join(lines)
    print(section)
    if not args.no_write:
        write_section("Router", section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
