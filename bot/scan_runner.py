"""Runs every cloud's ``*_security_scan`` tool side by side for ``guardian scan security``.

A cold scan is mostly its clouds' SDK imports: pure Python that holds the interpreter lock,
so in threads of one process they ran one after the other (6-7.6 s with three clouds,
docs/BENCHMARKS.md "Cold scan per configured cloud"). So the scans are split over two
processes, one per core of the 2-core target: AWS here, Azure and Google Cloud (the
heaviest imports) in one child started before anything else, each process running its
scans in threads. One child, not one per cloud: the memory budget counts every process.

On Linux, while this process still runs a single thread, the child is a fork: it starts in
a millisecond and shares, copy-on-write, everything already loaded (the interpreter,
pydantic, the settings, detect-secrets), so only what it imports itself is its own memory.
``security_scans`` forks before the other toolsets are declared: the AWS one imports
botocore, whose pages the child would carry (and count in its RSS) without using them.
Elsewhere (or once threads run, when forking is unsafe) it is a fresh interpreter,
``python -m bot.scan_runner``, that gets the settings pickled on its stdin, never secrets on
its command line, and rebuilds the registry from the toolsets' import paths. Either way the
child runs the tools through a registry holding their toolsets, like every tool run
(prerequisites, error mapping, output masking), and hands back the ``ToolResult``s.

The scan threads share one malloc arena (glibc's ``M_ARENA_MAX``): by default each thread
that allocates under contention gets an arena of its own, and the AWS scan's threads (a
region and a check each) left ~15 MB of partly used arenas behind (docs/BENCHMARKS.md).
Python's small objects come from its own allocator, under the interpreter lock, so the
threads hardly wait on the shared one.

The cyclic garbage collector is paused while the scans run and frozen at exit: importing
the SDKs makes hundreds of thousands of long-lived objects the collector would otherwise
walk again and again, and once more at exit (together ~2.5 s of CPU of the cold scan)."""

from __future__ import annotations

import atexit
import contextvars
import ctypes
import dataclasses
import gc
import importlib
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NoReturn

from pydantic import BaseModel

from tools.base import ToolContext, ToolResult
from tools.redaction import load_detectors
from tools.registry import ToolRegistry, clean_result
from tools.toolset import Toolset

log = logging.getLogger(__name__)

# Integration -> its toolset's import path, for the scans that run in the child process.
OWN_PROCESS = {"gcp": "tools.gcp:GCP", "azure": "tools.azure:AZURE"}

SCAN_SUFFIX = "_security_scan"
Answers = Callable[[], dict[str, ToolResult]]  # waits for the child and returns its results


def security_scans(declared: Callable[[], ToolRegistry], ctx: ToolContext, *,
                   fork: bool | None = None) -> tuple[dict[str, ToolResult], dict[str, str]]:
    """Every ``*_security_scan`` of the ``declared()`` registry that these settings allow, run
    at once (its result by name, in the registry's order), and why each other one cannot run.

    The child starts first, with the scans of the ``OWN_PROCESS`` toolsets (imported by path:
    declaring them imports no SDK), and only then is ``declared()`` called, which imports the
    other toolsets and with them botocore (~8 MB the child never uses, that a fork would
    carry). The child starts even when no scan is left for this process."""
    own = ToolRegistry.of(*own_toolsets())
    own_reasons = scan_reasons(own, ctx)
    away = [name for name, why in own_reasons.items() if not why]
    one_malloc_arena()
    with paused_collector():
        answers = start_child(own, away, ctx, may_fork() if fork is None else fork) if away else None
        try:
            registry = declared()
            reasons = {**scan_reasons(registry, ctx), **own_reasons}  # the registry's order, the child's own reasons
            here = [name for name, why in reasons.items() if not why and name not in own_reasons]
        except BaseException:
            if answers:
                answers()  # reaped before the failure is told: no child outlives the command
            raise
        results = finish(registry, here, ctx, answers)
    return ({name: results[name] for name in reasons if name in results},
            {name: why for name, why in reasons.items() if why})


def own_toolsets() -> list[Toolset]:
    """The toolsets whose scans run in the child, imported by their paths in ``OWN_PROCESS``."""
    return [toolset_at(path) for path in OWN_PROCESS.values()]


def toolset_at(path: str) -> Toolset:
    """The toolset at ``module:attribute``."""
    module, _, attribute = path.partition(":")
    toolset: Toolset = getattr(importlib.import_module(module), attribute)
    return toolset


def scan_reasons(registry: ToolRegistry, ctx: ToolContext) -> dict[str, str | None]:
    """Each security scan of ``registry`` and why it cannot run with these settings (None: it can)."""
    return {spec.name: registry.unavailable_reason(spec, ctx) for spec in registry.all()
            if spec.name.endswith(SCAN_SUFFIX)}


def finish(registry: ToolRegistry, here: list[str], ctx: ToolContext, answers: Answers | None) -> dict[str, ToolResult]:
    """``here`` run in threads of this process while the child (if any) runs its part; both
    parts' results."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scan-child") as pool:
        child = pool.submit(answers) if answers else None  # waited for in a thread: it imports while we do
        results = run_here(registry, here, ctx) if here else {}
        if child is not None:
            results.update(child.result())
    return results


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


M_ARENA_MAX = -8  # glibc's malloc.h


def one_malloc_arena() -> bool:
    """Every thread of this process (and of a fork of it) allocates from one malloc arena,
    where the C library is glibc; elsewhere nothing changes. True when it was set."""
    if sys.platform != "linux":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_ARENA_MAX, 1))


def may_fork() -> bool:
    """A fork copies only the calling thread: safe while this process runs one thread (native
    ones counted: /proc lists every task), and only on Linux, where it is the default."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def start_child(registry: ToolRegistry, names: list[str], ctx: ToolContext, fork: bool) -> Answers:
    """The child started now, running ``names``; the returned call waits for its results.
    A child that cannot start answers each tool with an error naming why."""
    try:
        return forked(registry, names, ctx) if fork else spawned(registry, names, ctx)
    except OSError as exc:
        failures = {name: ToolResult.error(f"{name} could not start its process: {exc.strerror or exc}.")
                    for name in names}
        return lambda: failures


def parsed(names: list[str], out: bytes, code: int, last_words: str) -> dict[str, ToolResult]:
    """The child's pickled answers, or for each tool why there is none."""
    try:
        answers = pickle.loads(out) if code == 0 else None
    except Exception:
        answers = None
    if not isinstance(answers, dict) or set(answers) != set(names):
        why = last_words or (f"exit status {code}" if code >= 0 else f"signal {-code}")
        return {name: ToolResult.error(f"{name} stopped without an answer ({why}).") for name in names}
    return {name: ToolResult.model_validate(answers[name]) for name in names}


def answers_of(registry: ToolRegistry, names: list[str], ctx: ToolContext) -> dict[str, dict[str, Any]]:
    """What a child sends back: each tool's result as plain data, or one failure for all."""
    try:
        return {name: result.model_dump() for name, result in run_here(registry, names, ctx).items()}
    except Exception as exc:
        log.debug("scan failed", exc_info=True)
        failure = clean_result(ToolResult.error(f"{type(exc).__name__}: {exc}")).model_dump()
        return dict.fromkeys(names, failure)


# --------------------------------------------------------------------------- a forked child


def forked(registry: ToolRegistry, names: list[str], ctx: ToolContext) -> Answers:
    """A fork of this process runs ``names`` with this registry and context and writes its
    pickled answers into a pipe. Its stderr is ours; its stdout is pointed there too, so a
    stray print never lands among the findings."""
    load_detectors()  # both processes mask their results: loaded once, shared, not once in each
    read_end, write_end = os.pipe()
    sys.stdout.flush()  # nothing buffered before the fork is written twice
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:
        os.close(read_end)
        child_of_fork(registry, names, ctx, write_end)
    os.close(write_end)

    def answers() -> dict[str, ToolResult]:
        with os.fdopen(read_end, "rb") as pipe:
            out = pipe.read()
        _, status = os.waitpid(pid, 0)
        return parsed(names, out, os.waitstatus_to_exitcode(status), "")

    return answers


def child_of_fork(registry: ToolRegistry, names: list[str], ctx: ToolContext, write_end: int) -> NoReturn:
    """The forked child: run, answer, and exit at once (``os._exit``, as multiprocessing's
    children do): no atexit handler or buffer inherited from the parent runs twice."""
    code = 1
    try:
        gc.disable()
        os.dup2(2, 1)
        sys.stdout = sys.stderr  # Python-level writers too, whatever object stdout was
        payload = pickle.dumps(answers_of(registry, names, ctx))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        try:
            sys.stderr.flush()
        finally:
            os._exit(code)


# --------------------------------------------------------------------------- a fresh interpreter


def spawned(registry: ToolRegistry, names: list[str], ctx: ToolContext) -> Answers:
    """``python -m bot.scan_runner`` runs ``names``. The request (toolsets, tools, settings,
    log level) goes in on stdin, pickled; the child's stderr (warnings, -v logs) is passed on
    to ours as it would have been written from a thread."""
    toolsets = sorted({OWN_PROCESS[registry.get(name).integration] for name in names})
    request = pickle.dumps({"toolsets": toolsets, "tools": names, "settings": settings_of(ctx),
                            "log_level": logging.getLogger().getEffectiveLevel()})
    child = subprocess.Popen([sys.executable, "-P", "-m", "bot.scan_runner"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def answers() -> dict[str, ToolResult]:
        with child:
            out, err = child.communicate(request)
        if err:
            sys.stderr.write(err.decode("utf-8", "replace"))
            sys.stderr.flush()
        last = err.decode("utf-8", "replace").strip().splitlines()[-1:]
        return parsed(names, out, child.returncode, last[0] if last else "")

    return answers


def settings_of(ctx: ToolContext) -> dict[str, BaseModel]:
    """The context's settings models (what a child needs to rebuild it): no store handle,
    locks or client caches."""
    fields = (field.name for field in dataclasses.fields(ctx) if field.init)
    return {name: value for name in fields if isinstance(value := getattr(ctx, name), BaseModel)}


def serve_one() -> None:
    """The spawned child: one request from stdin, its pickled results (dicts) on stdout,
    then exit at once (``os._exit``): nothing here outlives it."""
    gc.disable()
    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything the SDKs print goes to stderr, never into the result
    request = pickle.load(sys.stdin.buffer)
    logging.basicConfig(level=request["log_level"], format="%(levelname)s %(name)s: %(message)s")
    try:
        toolsets = [toolset_at(path) for path in request["toolsets"]]
        answers = answers_of(ToolRegistry.of(*toolsets), request["tools"], ToolContext(**request["settings"]))
    except Exception as exc:
        failure = clean_result(ToolResult.error(f"{type(exc).__name__}: {exc}")).model_dump()
        answers = dict.fromkeys(request["tools"], failure)
    results.write(pickle.dumps(answers))
    results.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    serve_one()
