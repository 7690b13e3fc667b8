"""Regenerates agents/data/utterances_tunable.yaml, the router's third training file: every
case of the tunable routing sets (tests/agents/route_dev*.yaml), grouped by skill.

Why the router learns from them: left out one set at a time, learning from the other five
took the rule-free router from 1528 to 1546 of 1591 tunable requests right
(docs/BENCHMARKS.md, "Learning from the tunable sets"). The held-out files (route_blind.yaml,
route_test.yaml) never feed it: a tunable case whose words also appear in one (written
independently, e.g. "list your skills") is left out, compared by hash so nothing prints the
held-out text; tests/agents/test_router.py checks the file equals what this writes.

Run: .venv/bin/python bench/make_tunable_utterances.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from agents.router import TUNABLE_UTTERANCES_PATH, text_hash, tunable_utterances_text  # noqa: E402

TUNABLE_SETS = tuple(ROOT / "tests" / "agents" / name for name in (
    "route_dev.yaml", "route_dev_external.yaml", "route_dev2.yaml", "route_dev3.yaml", "route_dev4.yaml",
    "route_dev5.yaml", "route_dev6.yaml", "route_dev7.yaml", "route_dev8.yaml"))
HELD_OUT_SETS = tuple(ROOT / "tests" / "agents" / name for name in ("route_test.yaml", "route_blind.yaml"))


def held_out_hashes() -> set[str]:
    """``text_hash`` of every held-out routing case (only hashes leave this function)."""
    return {text_hash(str(case["text"])) for path in HELD_OUT_SETS
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]}


def main() -> int:
    TUNABLE_UTTERANCES_PATH.write_text(tunable_utterances_text(TUNABLE_SETS, held_out_hashes()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
