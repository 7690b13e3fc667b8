"""How often the grounding check (agents/grounding.py) would refuse a *true* answer: the
offline mode's templated prose is built from the tool results alone, so every id, figure
and citation it names is grounded by construction; any flag on it is a false positive of
the checker (LLM mode would then show the templated answer instead of the model's text).

    .venv/bin/python -m bench.bench_grounding [--subset fast|full]

Dev split only (the held-out cases are never looked at for tuning). Prints one JSON line:
cases, answers flagged, and the flagged values.
"""

from __future__ import annotations

import argparse
import json
import time

from agents.grounding import check, known_values
from bot.evals.cases import default_root, load_cases
from bot.evals.runner import run_cases


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subset", choices=("fast", "full"), default="full")
    args = parser.parse_args()
    cases = load_cases(default_root(), args.subset, ("dev",))
    scores = run_cases(cases)
    flagged, checked_ms = [], 0.0
    # Help has no tools (the model never writes it); an approval's sentence is Guardian's own,
    # from the write's preflight, which this turn's evidence here does not carry.
    scores = [s for s in scores if s.case.skill != "help" and not s.turn.approval]
    for s in scores:
        evidence = json.loads(s.turn.evidence or "[]")
        results = [item for item in evidence if isinstance(item, dict)]
        own = [str(i) for item in evidence if isinstance(item, list) for i in item]
        started = time.perf_counter()
        found = check(s.turn.prose, known_values(results, [s.case.ask, *s.case.thread, *own]))
        checked_ms += (time.perf_counter() - started) * 1000
        if not found.grounded:
            flagged.append({"case": s.case.id, "flagged": found.describe()})
    print(json.dumps({"cases": len(scores), "flagged": len(flagged),
                      "check_ms_mean": round(checked_ms / max(len(scores), 1), 3), "examples": flagged[:40]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
