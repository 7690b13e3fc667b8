"""Garbage-collection cost of a warm Guardian, with and without the start-up freeze
(bot/heap.py), measured in one process: rounds of the same offline turns against the
sandbox alternate between an unfrozen heap and a frozen one, so machine load affects both
alike. Reports turn time and collection pauses (count and seconds per generation).

    .venv/bin/python bench/bench_heap.py [--turns 60] [--rounds 2] [--no-write]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = ["which buckets are public?", "list ec2 instances in eu-west-1", "who is on call right now?",
             "which instances are stopped?"]


class Pauses:
    """Collection pauses by generation since the last ``reset``."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.count = [0, 0, 0]
        self._started = 0.0

    def reset(self) -> None:
        self.seconds, self.count = [0.0, 0.0, 0.0], [0, 0, 0]

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        self.seconds[info["generation"]] += time.perf_counter() - self._started
        self.count[info["generation"]] += 1


def run_turns(rt: Any, pauses: Pauses, tag: str, turns: int,
              fresh_clients: bool = False) -> tuple[float, list[int], list[float]]:
    """``fresh_clients``: boto3 clients made anew for every turn, as before they were shared per
    ToolContext (tools/aws/common.py): the baseline of that change."""
    from agents.request import Request

    pauses.reset()
    started = time.perf_counter()
    for index in range(turns):
        if fresh_clients:
            with rt.tool_ctx.aws_clients_lock:
                rt.tool_ctx.aws_clients.clear()
        rt.guardian.ask(Request(text=QUESTIONS[index % len(QUESTIONS)], user="bench", thread_id=f"{tag}{index}"))
    return time.perf_counter() - started, list(pauses.count), list(pauses.seconds)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from bench.bench_ask import sandbox_process
    from bench.report import write_section
    from bot.runtime import Runtime
    from bot.settings import load_settings

    results: dict[str, list[tuple[float, list[int], list[float]]]] = {
        "unfrozen, boto3 clients per turn": [], "unfrozen": [], "frozen": []}
    loads = [f"{os.getloadavg()[0]:.1f}"]
    with sandbox_process() as sandbox_env:
        os.environ.update(sandbox_env)
        os.environ["GUARDIAN_HOME"] = tempfile.mkdtemp(prefix="bench-heap-")
        with Runtime(load_settings()) as rt:
            from agents.request import Request

            for index, question in enumerate(QUESTIONS * 2):  # warm: model, Chroma, graph, clients
                rt.guardian.ask(Request(text=question, user="bench", thread_id=f"warm{index}"))
            pauses = Pauses()
            gc.callbacks.append(pauses)
            for round_ in range(args.rounds):
                gc.unfreeze()
                results["unfrozen, boto3 clients per turn"].append(
                    run_turns(rt, pauses, f"c{round_}-", args.turns, fresh_clients=True))
                results["unfrozen"].append(run_turns(rt, pauses, f"u{round_}-", args.turns))
                gc.collect()
                gc.freeze()
                frozen = gc.get_freeze_count()
                results["frozen"].append(run_turns(rt, pauses, f"f{round_}-", args.turns))
                loads.append(f"{os.getloadavg()[0]:.1f}")
            gc.callbacks.remove(pauses)
    lines = [f"Command: `.venv/bin/python bench/bench_heap.py --turns {args.turns} --rounds {args.rounds}` "
             f"({args.turns} offline turns per round against the sandbox, one warm process, rounds alternating "
             f"boto3 clients made per turn (the code before the per-context client cache) / shared clients / "
             f"shared clients and frozen heap; {frozen} objects frozen; 1-min load average at each round: "
             f"{' → '.join(loads)}).", "",
             "| heap | turns s (median of rounds) | gen0 collections / s | gen1 collections / s "
             "| gen2 collections / s | all collections s | vs clients per turn |", "|---|---|---|---|---|---|---|"]
    base = results["unfrozen, boto3 clients per turn"]
    base_gc = statistics.median(sum(r[2]) for r in base)
    base_turns = statistics.median(r[0] for r in base)
    for name, rows in results.items():
        turns = statistics.median(r[0] for r in rows)
        counts = [statistics.median(r[1][g] for r in rows) for g in range(3)]
        seconds = [statistics.median(r[2][g] for r in rows) for g in range(3)]
        total = statistics.median(sum(r[2]) for r in rows)
        lines.append(f"| {name} | {turns:.1f} | " + " | ".join(f"{counts[g]:.0f} / {seconds[g]:.2f}" for g in range(3))
                     + f" | {total:.2f} | turns {turns / base_turns:.2f}x, collections {total / base_gc:.2f}x |")
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("Garbage collection (warm serve)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
