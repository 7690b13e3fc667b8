"""bot/heap.py: the warm heap is frozen once, and every collection's pause is counted."""

from __future__ import annotations

import gc
import subprocess
import sys

from prometheus_client import CollectorRegistry

from bot.heap import GcPauses


def test_settle_moves_the_surviving_objects_out_of_the_collectors_scans() -> None:
    # In a fresh interpreter: freezing is process-wide and is not undone for the test run.
    code = ("import gc, json\nimport bot.http_app\nfrom bot.heap import settle\n"
            "before = len(gc.get_objects())\nfrozen = settle()\n"
            "print(json.dumps([before, frozen, gc.get_freeze_count(), len(gc.get_objects())]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    before, frozen, freeze_count, after = map(int, out.stdout.strip().strip("[]").split(","))
    assert frozen == freeze_count
    assert frozen > before * 0.9  # almost all of an imported app is long-lived
    assert after < 100  # what the collector still scans: only what settle's own call left


def sample(registry: CollectorRegistry, generation: str) -> float:
    value = registry.get_sample_value("guardian_gc_pause_seconds_count", {"generation": generation})
    return value or 0.0


def test_gc_pauses_counts_each_collection_under_its_generation() -> None:
    # The test process's heap (torch, Chroma, moto: millions of objects) is frozen for the
    # test, as `settle` freezes a warm server's: each full collection of it took ~3 s under
    # load, here milliseconds. The callback sees every collection all the same. A heap an
    # in-process server already settled stays frozen afterwards, as it was.
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        registry = CollectorRegistry()
        pauses = GcPauses(registry).install()
        try:
            before = {g: sample(registry, g) for g in ("0", "1", "2")}
            gc.collect(1)
            gc.collect(2)
            gc.collect(2)
        finally:
            pauses.remove()
        assert sample(registry, "1") - before["1"] >= 1
        assert sample(registry, "2") - before["2"] >= 2
        assert pauses not in gc.callbacks
        removed = sample(registry, "2")
        gc.collect(2)  # after removal nothing more is counted
        assert sample(registry, "2") == removed
    finally:
        if not was_frozen:
            gc.unfreeze()
    assert (registry.get_sample_value("guardian_gc_pause_seconds_sum", {"generation": "2"}) or 0.0) > 0.0


def test_installing_twice_registers_one_callback() -> None:
    pauses = GcPauses(CollectorRegistry())
    pauses.install()
    pauses.install()
    try:
        assert gc.callbacks.count(pauses) == 1
    finally:
        pauses.remove()
