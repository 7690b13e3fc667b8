"""The snapshot difference field by field: tags and labels compared key by key, whether a
tool gave them as a mapping or as ``k=v, k=v`` text; each change dated by the snapshot that
first showed the resource as it is now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tools.knowledge.changes import diff, field_changes

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_tags_are_compared_key_by_key() -> None:
    old = {"state": "running", "tags": "env=prod, owner=alice", "labels": {"team": "a"}, "detail": "m5.large"}
    new = {"state": "running", "tags": "env=staging, owner=alice, cost=7", "detail": "m5.xlarge"}
    assert field_changes(old, new) == ["detail: m5.large -> m5.xlarge", "labels.team: a -> (none)",
                                       "tags.cost: (none) -> 7", "tags.env: prod -> staging"]


def test_a_change_is_dated_by_the_snapshot_that_first_showed_it() -> None:
    vm = {"cloud": "gcp", "type": "instance", "id": "1", "name": "vm-1", "state": "RUNNING"}
    base = (T0, {"a": vm, "b": {**vm, "id": "2", "name": "vm-2"}})
    later = [(T0 + timedelta(hours=1), {"a": {**vm, "state": "TERMINATED"}, "b": base[1]["b"]}),
             (T0 + timedelta(hours=2), {"a": {**vm, "state": "TERMINATED"}})]
    rows = diff(base, later)
    assert [(r["change"], r["name"], r["what"], r["when"]) for r in rows] == [
        ("removed", "vm-2", "", "2026-11-01 11:00:00 UTC"),
        ("changed", "vm-1", "state: RUNNING -> TERMINATED", "2026-11-01 10:00:00 UTC"),
    ]
