"""Runs every cloud's ``*_security_scan`` tool side by side for ``guardian scan security``.

A cold scan is mostly its clouds' SDK imports: pure Python that holds the interpreter lock,
so in threads of one process they ran one after the other (6-7.6 s with three clouds,
docs/BENCHMARKS.md "Cold scan per configured cloud"). So the scans are split over two
processes, one per core of the 2-core target: AWS here, Azure and Google Cloud (the
heaviest imports) in one child started before anything else, each process running its
scans in threads. One child, not one per cloud: each interpreter costs ~0.25 s of CPU and
~30 MB, and the memory budget counts every process. The child runs the tools through a
registry holding their toolsets, like every tool run (prerequisites, error mapping, output
masking), and hands back the ``ToolResult``s; it gets the settings pickled on its stdin,
never secrets on its command line.

The cyclic garbage collector is paused while the scans run and frozen at exit: importing
the SDKs makes hundreds of thousands of long-lived objects the collector would otherwise
walk again and again, and once more at exit (together ~2.5 s of CPU of the cold scan)."""

from __future__ import annotations

import atexit
import contextvars
import dataclasses
import gc
import importlib
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from pydantic import BaseModel

from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry, clean_result

log = logging.getLogger(__name__)

# Integration -> its toolset's import path, for the scans that run in the child process.
OWN_PROCESS = {"gcp": "tools.gcp:GCP", "azure": "tools.azure:AZURE"}


def run_scans(registry: ToolRegistry, names: list[str], ctx: ToolContext) -> dict[str, ToolResult]:
    """Each named read tool's result, all run at once: those of ``OWN_PROCESS`` integrations
    in one child process (when some scan stays here), the rest in threads here."""
    movable = {spec.name for toolset in registry.toolsets() if toolset.name in OWN_PROCESS for spec in toolset.tools}
    away = [name for name in names if name in movable]
    here = [name for name in names if name not in away]
    if not here:
        here, away = names, []
    with paused_collector(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-child") as pool:
        child = pool.submit(run_in_child, {registry.get(name).integration for name in away}, away, ctx) if away \
            else None  # first: the child starts before this process's own imports take the CPU
        results = run_here(registry, here, ctx)
        if child is not None:
            results.update(child.result())
    return {name: results[name] for name in names}


def run_here(registry: ToolRegistry, names: list[str], ctx: ToolContext) -> dict[str, ToolResult]:
    """Each named read tool run in a thread of this process, all at once."""
    with ThreadPoolExecutor(max_workers=max(1, len(names)), thread_name_prefix="scan") as pool:
        futures = [pool.submit(contextvars.copy_context().run, registry.invoke, name, {}, ctx) for name in names]
        return dict(zip(names, (future.result() for future in futures), strict=True))


@contextmanager
def paused_collector() -> Iterator[None]:
    """No cyclic collection while the scans import their SDKs; what they loaded lives until
    the process ends, so it is frozen at exit rather than walked once more."""
    was_enabled = gc.isenabled()
    gc.disable()
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)  # once; runs before the interpreter's own exit collections
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --------------------------------------------------------------------------- the parent side


def run_in_child(integrations: set[str], names: list[str], ctx: ToolContext) -> dict[str, ToolResult]:
    """``names`` run by ``python -m bot.scan_runner`` and their results. The request
    (toolsets, tools, settings, log level) goes in on stdin, pickled; the child's stderr
    (warnings, -v logs) is passed on to ours as it would have been written from a thread."""
    request = pickle.dumps({"toolsets": [OWN_PROCESS[name] for name in sorted(integrations)], "tools": names,
                            "settings": settings_of(ctx), "log_level": logging.getLogger().getEffectiveLevel()})
    try:
        with subprocess.Popen([sys.executable, "-P", "-m", "bot.scan_runner"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
            out, err = child.communicate(request)
    except OSError as exc:
        return {name: ToolResult.error(f"{name} could not start its process: {exc.strerror or exc}.") for name in names}
    if err:
        sys.stderr.write(err.decode("utf-8", "replace"))
        sys.stderr.flush()
    try:
        answers = pickle.loads(out) if child.returncode == 0 else None
    except Exception:
        answers = None
    if not isinstance(answers, dict) or set(answers) != set(names):
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {child.returncode}"]
        return {name: ToolResult.error(f"{name} stopped without an answer ({last[0]}).") for name in names}
    return {name: ToolResult.model_validate(answers[name]) for name in names}


def settings_of(ctx: ToolContext) -> dict[str, BaseModel]:
    """The context's settings models (what a child needs to rebuild it): no store handle,
    locks or client caches."""
    fields = (field.name for field in dataclasses.fields(ctx) if field.init)
    return {name: value for name in fields if isinstance(value := getattr(ctx, name), BaseModel)}


# --------------------------------------------------------------------------- the child side


def serve_one() -> None:
    """The child: one request from stdin, its pickled results (dicts) on stdout, then exit
    at once (``os._exit``, as multiprocessing's children do): nothing here outlives it."""
    gc.disable()
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything the SDKs print goes to stderr, never into the result
    request = pickle.load(sys.stdin.buffer)
    logging.basicConfig(level=request["log_level"], format="%(levelname)s %(name)s: %(message)s")
    try:
        toolsets = [getattr(importlib.import_module(module), attribute)
                    for module, _, attribute in (path.partition(":") for path in request["toolsets"])]
        done = run_here(ToolRegistry.of(*toolsets), request["tools"], ToolContext(**request["settings"]))
        answers = {name: result.model_dump() for name, result in done.items()}
    except Exception as exc:
        log.debug("scan failed", exc_info=True)
        failure = clean_result(ToolResult.error(f"{type(exc).__name__}: {exc}")).model_dump()
        answers = dict.fromkeys(request["tools"], failure)
    results.write(pickle.dumps(answers))
    results.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    serve_one()
