"""Regenerates agents/data/utterances_evals.yaml, the router's fourth training file: the request
of every single-turn dev eval case (evals/cases/dev/), grouped by skill.

Why the router learns from them: each eval batch left out, learning from the others took the
rule-free router from 0.950 to 0.977 of 918 requests and left the shipped router at 0.991
(bench/bench_route_evals.py, docs/BENCHMARKS.md "Learning from the dev eval cases"). A threaded
case's scored turn leans on the turns before it ("and for search?"), so it teaches no skill on
its own and is not learnt. The held-out eval cases and routing sets never feed it: a dev request
in the same words as one of their turns is left out, compared by hash so nothing prints the
held-out text; tests/agents/test_router.py checks the file equals what this writes.

Run: .venv/bin/python bench/make_eval_utterances.py (after adding or changing a dev eval case)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.router import EVAL_UTTERANCES_PATH, learnt_utterances_text, text_hash  # noqa: E402
from bench.make_tunable_utterances import held_out_hashes  # noqa: E402
from bot.evals.cases import Case, default_root, load_cases  # noqa: E402

SOURCE = "bench/make_eval_utterances.py from the single-turn dev eval cases\n# (evals/cases/dev/)"


def held_out_eval_hashes(root: Path | None = None) -> set[str]:
    """``text_hash`` of every turn of every held-out eval case (only hashes leave here)."""
    cases = load_cases(root or default_root(), "full", ("heldout",))
    return {text_hash(turn) for case in cases for turn in (*case.thread, case.ask)}


def learnable_cases(root: Path | None = None) -> list[Case]:
    """The dev eval cases whose request stands alone (no earlier turns), by id."""
    return [case for case in load_cases(root or default_root(), "full", ("dev",)) if not case.thread]


def eval_utterances_text(root: Path | None = None) -> str:
    """The YAML of utterances_evals.yaml for the cases under ``root`` (default: the project's)."""
    refused = held_out_hashes() | held_out_eval_hashes(root)
    return learnt_utterances_text([(case.ask, case.skill) for case in learnable_cases(root)], refused, SOURCE)


def main() -> int:
    EVAL_UTTERANCES_PATH.write_text(eval_utterances_text(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
