"""Warming what an incident brief needs while ``guardian serve`` starts, so the first page
after a (re)start is briefed as fast as the next ones.

Why it is shaped this way:
- It starts with the app's lifespan and runs in daemon threads: the server answers
  ``/healthz`` (and acknowledges webhooks) at once, never waiting for it.
- Storage comes first, alone (every webhook's dedupe claim waits for it); then the other
  parts, independent of each other, run side by side: the knowledge store (the embedder, Chroma,
  the built-in runbooks and the first search), the graph's dependencies (storage, router,
  tool registry, checkpointer) and the tool clients (boto3 service models, PyGithub), none
  of which sends a request. A brief arriving meanwhile waits only for what
  is still being built (the runtime's parts are built once, under their own locks).
- ``/readyz`` answers 503 "warming up" while it runs (instead of blocking on the same
  builds), so an orchestrator sends traffic once a replica is warm; a part that fails is
  logged and left to the first request, which says what is missing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def brief_parts(rt: Runtime) -> dict[str, Callable[[], object]]:
    """What the first brief would otherwise build: each part's work, by name."""
    return {"storage": lambda: rt.storage,  # first on its own: every webhook's dedupe claim needs it
            "knowledge": lambda: rt.knowledge.search("incident response", k=1),
            "graph": lambda: rt.guardian,
            "router": lambda: rt.router.route("warm up"),  # every chat turn's first step
            "tools": lambda: warm_tools(rt)}


BRIEF_AWS_SERVICES = ("ec2", "logs", "rds", "lambda", "s3")  # what the brief's log and health reads use


def warm_tools(rt: Runtime) -> None:
    """The brief's reads' clients made once, sending nothing: boto3's service models parsed
    (a process-wide loader keeps them) and the GitHub client's modules imported."""
    import importlib

    ctx = rt.tool_ctx
    session = ctx.boto_session()
    region = (list(ctx.regions) or ["us-east-1"])[0]
    for service in BRIEF_AWS_SERVICES:
        session.client(service, region_name=region)
    importlib.import_module("github")


class WarmUp:
    """Runs ``parts`` once, each in its own thread; tells what is still warming."""

    def __init__(self, parts: dict[str, Callable[[], object]], after: Callable[[], object] | None = None,
                 first: tuple[str, ...] = ()) -> None:
        self.parts = parts
        self.first = tuple(name for name in first if name in parts)
        """Built alone before the rest start: on two cores, storage built beside four importing
        threads took 0.78 s instead of 0.27 s, and a webhook's dedupe claim waits for it."""
        self.after = after  # run once, when every part is done (serve: freeze the warm heap, bot/heap.py)
        self.pending: set[str] = set()
        self.failed: dict[str, str] = {}
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()
        self._done = threading.Event()

    @property
    def running(self) -> bool:
        with self._lock:
            return bool(self.pending)

    def start(self) -> None:
        with self._lock:
            self.pending = set(self.parts)
        threading.Thread(target=self._launch, name="warm-up", daemon=True).start()

    def _launch(self) -> None:
        for name in self.first:
            self._run(name, self.parts[name])
        for name, work in self.parts.items():
            if name not in self.first:
                threading.Thread(target=self._run, args=(name, work), name=f"warm-up-{name}", daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        """True once every part finished (tests, benchmarks)."""
        return self._done.wait(timeout)

    def _run(self, name: str, work: Callable[[], object]) -> None:
        started = time.perf_counter()
        try:
            work()
        except Exception as exc:  # the first request that needs it says what is missing
            log.warning("warm-up: %s failed (%s); the first brief will be slower", name, type(exc).__name__)
            with self._lock:
                self.failed[name] = type(exc).__name__
        with self._lock:
            self.seconds[name] = round(time.perf_counter() - started, 2)
            self.pending.discard(name)
            finished = not self.pending
        if finished:
            log.info("warm-up: ready to brief (%s)", ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items()))
            self._finish()

    def _finish(self) -> None:
        try:
            if self.after is not None:
                self.after()
        except Exception as exc:
            log.warning("warm-up: the step after it failed (%s)", type(exc).__name__)
        finally:
            self._done.set()


def mount_warm_up(app: FastAPI, rt: Runtime) -> WarmUp:
    """Start warming with the app's lifespan; the warm-up is ``app.state.warm_up``."""
    warm_up = WarmUp(brief_parts(rt), first=("storage",))
    app.state.warm_up = warm_up

    async def start() -> None:
        warm_up.start()

    app.router.on_startup.append(start)
    return warm_up


__all__ = ["WarmUp", "brief_parts", "mount_warm_up"]
