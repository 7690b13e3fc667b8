"""The findings of a cloud's security scan, as `guardian scan security` prints them (one
dict per finding: check, severity, cloud, region, resource, detail), and the sentence that
sums them up when chat asks for that cloud's posture."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def scan_summary(where: str, findings: Sequence[dict[str, Any]]) -> str:
    """"Azure: 5 findings (4 high, 1 medium); most severe: open_nsg_rule on nsg-jump (...)".
    ``findings`` come most severe first."""
    if not findings:
        return f"{where}: no security check found anything."
    counts = Counter(f["severity"] for f in findings)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in SEVERITY_ORDER if counts[s])
    top = findings[0]
    resource = top["resource"].rsplit("/", 1)[-1]  # an ARM id's last segment is the resource's name
    return (f"{where}: {len(findings)} finding{'s' if len(findings) != 1 else ''} ({by_severity}); "
            f"most severe: {top['check']} on {resource} ({top['detail']}).")
