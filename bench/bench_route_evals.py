"""Does the router gain from learning the dev eval cases' requests? Leave-one-batch-out over
the single-turn dev eval cases (evals/cases/dev/, batched by id prefix: dev3-, dev4-, ...,
the first batch unprefixed): each batch is routed by a router that learnt the other training
files plus the requests of every other batch, and by the same router without any eval request
(what shipped before agents/data/utterances_evals.yaml).
The shipped router (with its grammar rules) and the rule-free one (logistic regression + n-grams)
are both measured, since the rules were written after many of these cases' misses and so
flatter the shipped router on old batches; the rule-free gain says what the examples bring.

Held-out eval cases are read only as hashes (``agents.router.text_hash``) so that a dev request
written in the same words as a held-out one is not learnt; nothing of them is printed.

Run: .venv/bin/python bench/bench_route_evals.py [--misses]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from agents.router import EVAL_UTTERANCES_PATH, TRAINING_PATHS, SkillRouter, learnt_utterances_text, text_hash  # noqa: E402
from bench.bench_route import MemoEmbedder, RouterFactory  # noqa: E402
from bench.make_eval_utterances import held_out_eval_hashes, learnable_cases  # noqa: E402
from bench.make_tunable_utterances import held_out_hashes  # noqa: E402
from bench.router_variants import VariantRouter  # noqa: E402
from knowledge.embeddings import Embedder  # noqa: E402

COMMAND = ".venv/bin/python bench/bench_route_evals.py"
# the shipped training files without the eval cases' file, which this bench rebuilds per batch
BASE_PATHS = tuple(path for path in TRAINING_PATHS if path != EVAL_UTTERANCES_PATH)
Request = tuple[str, str]  # (text, skill)


def batch_of(case_id: str) -> str:
    """``dev13-cost-summary-02`` -> ``dev13``; the first batch's ids have no prefix."""
    match = re.match(r"(dev\d+)-", case_id)
    return match.group(1) if match else "dev1"


def dev_requests() -> dict[str, list[Request]]:
    """The learnable dev eval cases' (request, skill) per batch, held-out duplicates dropped."""
    refused = held_out_hashes() | held_out_eval_hashes()
    batches: dict[str, list[Request]] = defaultdict(list)
    for case in learnable_cases():
        if text_hash(case.ask) not in refused:
            batches[batch_of(case.id)].append((case.ask, case.skill))
    return dict(sorted(batches.items(), key=lambda item: int(item[0].removeprefix("dev"))))


def examples_file(path: Path, requests: list[Request]) -> Path:
    """The requests as an examples file, learnt the way make_eval_utterances writes them."""
    path.write_text(learnt_utterances_text(requests, (), COMMAND), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--misses", action="store_true", help="print the left-out misses of the learning router")
    args = parser.parse_args()
    embedder = MemoEmbedder(Embedder())
    now = datetime(2025, 6, 15, 12, 0)
    batches = dev_requests()
    makers: dict[str, RouterFactory] = {
        "shipped": lambda **kw: SkillRouter(embedder, now=lambda: now, **kw),
        "rule-free": lambda **kw: VariantRouter(embedder, "logreg_lexical", now=lambda: now, **kw),
    }
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = ["| batch | requests | shipped | shipped + other batches | rule-free | rule-free + other batches |",
            "|---|---|---|---|---|---|"]
    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        plain = {name: make(cache_dir=cache, utterances_paths=BASE_PATHS) for name, make in makers.items()}
        for batch, requests in batches.items():
            others = [request for name, items in batches.items() if name != batch for request in items]
            extra = examples_file(cache / f"without-{batch}.yaml", others)
            cells = []
            for name, make in makers.items():
                learnt = make(cache_dir=cache, utterances_paths=BASE_PATHS, examples_path=extra)
                for label, router in ((name, plain[name]), (f"{name} + others", learnt)):
                    routes = router.route_many([text for text, _ in requests])
                    right = sum(route.skill == skill for route, (_, skill) in zip(routes, requests, strict=True))
                    totals[label][0] += right
                    totals[label][1] += len(requests)
                    cells.append(f"{right / len(requests):.3f}")
                    if args.misses and label == "shipped + others":
                        missed += [f"{batch}: {text!r} want {skill}, got {route.skill} ({route.confidence:.2f})"
                                   for route, (text, skill) in zip(routes, requests, strict=True)
                                   if route.skill != skill]
            rows.append(f"| {batch} | {len(requests)} | " + " | ".join(cells) + " |")
    n = totals["shipped"][1]
    rows.append(f"| all | {n} | " + " | ".join(
        f"{totals[label][0] / n:.3f}" for label in ("shipped", "shipped + others", "rule-free", "rule-free + others"))
        + " |")
    print(f"Command: `{COMMAND}`\n")
    print("\n".join(rows))
    if missed:
        print("\n".join(["", *missed]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
