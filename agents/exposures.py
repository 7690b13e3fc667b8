"""Exposures and what is new about them: a public bucket, a port open to 0.0.0.0/0 or ::/0,
or a user holding administrator access, that the previous scan did not see.

Each exposure has a stable key (``public_bucket:<bucket>``, ``open_port:<region>:<group>:
<rule>``, ``admin:<user>``); the last scan's keys are kept in the database and a scan's new
exposures are its keys minus those. The first scan has nothing to compare with, so it only
records the baseline. A region the scan could not read keeps its previous keys, so a region
that answers again does not look like a burst of new exposures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Connection, Engine, Float, String, Table, Text, delete, insert, select, update

from agents.db import create_tables, metadata

exposure_baseline_table = Table(
    "guardian_exposure_baseline",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("check", String(32), nullable=False),
    Column("region", String(64), nullable=False),
    Column("resource", String(255), nullable=False),
    Column("detail", Text, nullable=False),
    Column("first_seen", Float, nullable=False),
)
BASELINE_MARK = "__baseline__"  # a row that says a scan ran (when: its first_seen), even one that found nothing


@dataclass(frozen=True)
class Exposure:
    key: str
    check: str  # public_bucket | open_port | admin
    region: str
    resource: str
    detail: str

    def as_row(self) -> dict[str, Any]:
        return {"key": self.key, "check": self.check, "region": self.region, "resource": self.resource,
                "detail": self.detail}


def exposures_of(findings: list[dict[str, Any]]) -> list[Exposure]:
    """The exposures among a security scan's findings (rows of ``aws_security_scan``)."""
    found: dict[str, Exposure] = {}
    for row in findings:
        check, region, resource, detail = row["check"], row["region"], row["resource"], row["detail"]
        if check == "public_bucket":
            exposure = Exposure(f"public_bucket:{resource}", "public_bucket", region, resource, detail)
        elif check == "open_security_group":
            rule = str(detail).split("; ")[0]  # the rule, without the group name, usage or fix hint
            exposure = Exposure(f"open_port:{region}:{resource}:{rule}", "open_port", region, resource, detail)
        elif check == "iam_admin_user":
            exposure = Exposure(f"admin:{resource}", "admin", region, resource, detail)
        else:
            continue
        found[exposure.key[:512]] = exposure
    return list(found.values())


@dataclass(frozen=True)
class ExposureDiff:
    new: list[Exposure]
    baseline: bool  # this scan only recorded the baseline
    current: int


class ExposureBaseline:
    """The last scan's exposures, replaced by each scan inside the caller's transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        create_tables(engine, exposure_baseline_table)

    def keys(self) -> set[str]:
        with self.engine.connect() as conn:
            return {str(key) for key in conn.execute(select(exposure_baseline_table.c.key)).scalars()}

    def replace(self, conn: Connection, current: list[Exposure], failed_regions: set[str], now: float,
                stale_before: float = 0.0) -> ExposureDiff:
        """Diff ``current`` against the stored scan and store ``current`` in its place
        (keeping what a failed region had). A stored scan older than ``stale_before`` (scans
        stopped while no channel subscribed) is no baseline: this scan takes a fresh one
        rather than announcing everything that changed meanwhile."""
        table = exposure_baseline_table
        stored = {row.key: row for row in conn.execute(select(table.c.key, table.c.region, table.c.first_seen)).all()}
        mark = stored.get(BASELINE_MARK)
        baseline = mark is None or mark.first_seen < stale_before
        if mark is not None:  # the mark's time is the last scan's
            conn.execute(update(table).where(table.c.key == BASELINE_MARK).values(first_seen=now))
        current_keys = {exposure.key for exposure in current}
        gone = [key for key, row in stored.items()
                if key != BASELINE_MARK and key not in current_keys and row.region not in failed_regions]
        new = [exposure for exposure in current if exposure.key not in stored]
        if gone:
            conn.execute(delete(table).where(table.c.key.in_(gone)))
        rows = [{**exposure.as_row(), "first_seen": now} for exposure in new]
        if mark is None:
            rows.append({"key": BASELINE_MARK, "check": "", "region": "", "resource": "", "detail": "",
                         "first_seen": now})
        if rows:
            conn.execute(insert(table), rows)
        return ExposureDiff(new=[] if baseline else new, baseline=baseline, current=len(current))
