"""Regenerates bench/data/examples_dev.yaml from the tunable dev sets (route_dev.yaml and
route_dev_external.yaml), grouped by skill. Held-out sets never feed it.

Run: .venv/bin/python bench/make_dev_examples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agents.router import SKILL_NAMES  # noqa: E402
from bench.router_variants import DEV_EXAMPLES_PATH  # noqa: E402

SOURCES = ("route_dev.yaml", "route_dev_external.yaml")
HEADER = """\
# Dev examples a bench variant of the router also learns from: the cases of
# tests/agents/route_dev.yaml and route_dev_external.yaml (tunable dev data), copied by skill.
# Measured in docs/BENCHMARKS.md, "## Router"; the held-out files (route_test.yaml,
# route_blind.yaml) never feed this file.
# Regenerate: .venv/bin/python bench/make_dev_examples.py
"""


def main() -> int:
    by_skill: dict[str, list[str]] = {name: [] for name in SKILL_NAMES}
    for source in SOURCES:
        for case in yaml.safe_load((ROOT / "tests" / "agents" / source).read_text(encoding="utf-8"))["cases"]:
            by_skill[case["skill"]].append(str(case["text"]))
    body = {name: texts for name, texts in by_skill.items() if texts}
    DEV_EXAMPLES_PATH.write_text(HEADER + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=200),
                                 encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
