"""Keeping a warm server's long-lived heap out of the garbage collector's way.

Why: a warm ``guardian serve`` holds well over 200,000 container objects that live as long
as the process (langgraph, chromadb, botbuilder, the cloud SDKs, the graph, the model's
tokenizer). A full (generation 2) collection walks every one of them while holding the GIL:
measured 0.4-0.6 s per collection on the 2-core CI machine (``bench/bench_slack.py`` notes).
During a burst of Slack deliveries, the turns' allocations trigger such collections again and
again, and each one stalls the event loop that has to acknowledge within Slack's 3 seconds.

After start-up has built everything a turn needs, ``settle`` moves the surviving objects to
the permanent generation (``gc.freeze``), which collections skip; the garbage of each request
is still collected as before. ``GcPauses`` reports every collection's pause on ``/metrics``
(``guardian_gc_pause_seconds{generation}``), so the effect is visible in production too.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry, Histogram

log = logging.getLogger(__name__)

PAUSE_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)


def settle() -> int:
    """Collect what start-up left behind, then freeze the rest; returns how many objects were
    frozen. Call once, after the warm-up, never per request (freezing is not undone)."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("heap: %d long-lived objects moved out of the collector's scans", frozen)
    return frozen


class GcPauses:
    """A ``gc.callbacks`` hook timing every collection into a histogram by generation.

    The callback runs inside the collection, in whichever thread triggered it, with the GIL
    held, so no other Python code runs between its start and stop phases."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.pauses = Histogram("guardian_gc_pause_seconds", "Garbage collection pauses, by generation",
                                ["generation"], buckets=PAUSE_BUCKETS, registry=registry)
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.labels(str(info.get("generation", "?"))).observe(time.perf_counter() - self._started)

    def install(self) -> GcPauses:
        if self not in gc.callbacks:
            gc.callbacks.append(self)
        return self

    def remove(self) -> None:
        if self in gc.callbacks:
            gc.callbacks.remove(self)
