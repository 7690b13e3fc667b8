"""Warm `ask` latency and memory, offline mode, against the sandbox company.

Ratios are against baselines measured in the same run (these machines are noisy): the
router alone (one MiniLM encode plus rules) and one raw knowledge search. The sandbox runs
in its own process, so the peak RSS is Guardian's alone.

    .venv/bin/python bench/bench_ask.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = [
    "which buckets are public?",
    "any security groups with ssh open to the world",
    "what did we spend last week by service",
    "why did our bill jump",
    "list ec2 instances in eu-west-1",
    "users without mfa",
    "errors in the checkout logs",
    "how do I fix a full disk",
    "what can you do",
]


def timed(fn: object, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def cold_runs(args: list[str], rounds: int) -> list[float]:
    """Wall time of a fresh process per round (imports, model load, Chroma open, one answer)."""
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def current_rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


@contextlib.contextmanager
def sandbox_process() -> Iterator[dict[str, str]]:
    """The sandbox in its own process, so this process's RSS is Guardian's alone."""
    proc = subprocess.Popen([sys.executable, "-m", "bot", "sandbox"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    env: dict[str, str] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("export "):
                key, _, value = line.removeprefix("export ").strip().partition("=")
                env[key] = value.strip("'\"")
            elif env and not line.startswith("export"):
                break
        yield env
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold-rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from agents.request import Request
    from bench.report import percentile, write_section
    from bot.runtime import Runtime
    from bot.settings import load_settings

    with sandbox_process() as sandbox_env:
        os.environ.update(sandbox_env)
        os.environ["GUARDIAN_HOME"] = tempfile.mkdtemp(prefix="bench-ask-")
        with Runtime(load_settings()) as rt:
            for question in QUESTIONS:  # warm: model, Chroma, graph, boto3 clients
                rt.guardian.ask(Request(text=question, user="bench"))
            warm_rss_mb = current_rss_mb()
            ask_ms: list[float] = []
            per_question: dict[str, tuple[float, float]] = {}
            for question in QUESTIONS:
                samples = timed(lambda q=question: rt.guardian.ask(Request(text=q, user="bench")), args.rounds)
                per_question[question] = (statistics.median(samples), max(samples))
                ask_ms.extend(samples)
            route_ms = [s for q in QUESTIONS for s in timed(lambda q=q: rt.router.route(q), args.rounds)]
            search_ms = [s for q in QUESTIONS for s in timed(lambda q=q: rt.knowledge.search(q, k=3), args.rounds)]
        # Cold: a new `guardian ask` per round on the same (already ingested) home; the
        # baseline is a bare interpreter start in the same run.
        guardian = str(Path(sys.executable).with_name("guardian"))
        python_ms = cold_runs([sys.executable, "-c", "pass"], args.cold_rounds)
        cold_ms = cold_runs([guardian, "ask", QUESTIONS[0]], args.cold_rounds)
        import_ms = cold_runs([sys.executable, "-c", "import bot.cli, bot.runtime, agents.service, knowledge.store"],
                              args.cold_rounds)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    end_rss_mb = current_rss_mb()
    p50, p95 = percentile(ask_ms, 50), percentile(ask_ms, 95)
    route_p50, search_p50 = percentile(route_ms, 50), percentile(search_ms, 50)
    lines = [
        f"Command: `.venv/bin/python bench/bench_ask.py --rounds {args.rounds}` (offline mode, sandbox "
        "company, in-process, warm).",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| warm ask p50 | {p50:.1f} ms | <= 300 ms |",
        f"| warm ask p95 | {p95:.1f} ms | |",
        f"| router alone p50 (baseline) | {route_p50:.1f} ms | |",
        f"| knowledge search p50 (baseline) | {search_p50:.1f} ms | |",
        f"| ask p50 / router p50 | {p50 / route_p50:.1f}x | |",
        f"| cold `guardian ask` p50 ({args.cold_rounds} fresh processes) | {percentile(cold_ms, 50):.0f} ms "
        "| <= 3000 ms |",
        f"| cold `guardian ask` slowest | {max(cold_ms):.0f} ms | |",
        f"| bare `python -c pass` p50 (baseline) | {percentile(python_ms, 50):.0f} ms | |",
        f"| importing the CLI, runtime, graph and store p50 | {percentile(import_ms, 50):.0f} ms | |",
        f"| load average at the end (2 cores) | {os.getloadavg()[0]:.1f} | |",
        f"| RSS warm (after the first turns) | {warm_rss_mb:.0f} MB | <= 800 MB |",
        f"| RSS after all rounds | {end_rss_mb:.0f} MB | <= 800 MB |",
        f"| peak RSS (includes the first-run ingest of the shipped runbooks) | {rss_mb:.0f} MB | |",
        "",
        "| question | median ms | slowest ms |",
        "|---|---|---|",
        *[f"| {q} | {mid:.1f} | {top:.1f} |" for q, (mid, top) in per_question.items()],
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_write:
        write_section("Ask", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
