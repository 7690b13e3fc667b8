"""Writes one benchmark's section of docs/BENCHMARKS.md, leaving the others alone."""

from __future__ import annotations

import platform
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\nMeasured on the project's 2-core machine; ratios are against baselines measured in the "
    "same run.\n"
)


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank ``pct`` percentile (0-100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))]


def write_section(title: str, body: str) -> None:
    text = DOC.read_text() if DOC.exists() else HEADER
    stamp = f"_Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}._"
    section = f"## {title}\n\n{stamp}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(text)
