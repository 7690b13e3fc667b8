"""Fixtures shared by every layer's tests."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from knowledge.embeddings import Embedder, shared_embedder

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The machine's PostgreSQL (CI and developer machines run one); said loudly when absent."""
    if not _port_open("127.0.0.1", 5432):
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    yield POSTGRES_URL


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real packaged MiniLM model, loaded once per test session and shared by all layers."""
    return shared_embedder()


KNOWLEDGE_DIRS = ("chroma", "bm25")  # the embedded knowledge store under a Guardian home


@contextmanager
def run_wide_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """A directory shared by every xdist worker of this run (one process: this session's own),
    held under an exclusive lock: the first worker builds what goes in it, the others wait
    and then find it built. Two workers on two cores each fitting the same router or embedding
    the same runbooks cost a worker a minute at the start of every run."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # pytest-N/, the parent of every worker's popen-gwK/
    path = base / name
    path.mkdir(mode=0o700, exist_ok=True)
    with (base / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield path
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def runbooks_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Guardian home whose knowledge store holds the packaged runbooks, built once per
    run by the real Runtime (ensure_builtin_runbooks: ~190 chunks through MiniLM, ~10 s
    of CPU) and shared by the xdist workers. Fixtures copy it into their own fresh homes
    (``warm_home``) instead of each embedding the same runbooks again; tests/knowledge and
    the CLI tests still build theirs. Nothing opens it after it is built."""
    from bot.runtime import Runtime
    from bot.settings import load_settings

    with run_wide_dir(tmp_path_factory, "runbooks-home") as home:
        built = home / ".built"
        if not built.exists():
            with Runtime(load_settings(home=home)) as rt:
                assert rt.knowledge.search("public bucket"), "the packaged runbooks were not indexed"
            built.touch()
    return home


@pytest.fixture(scope="session")
def warm_home(runbooks_home: Path) -> Callable[[Path], Path]:
    """``warm_home(path)``: a new Guardian home at ``path`` (created if missing) whose knowledge
    store already holds the packaged runbooks; everything else in it (database, key, audit)
    starts empty, as in any fresh home."""

    def make(home: Path) -> Path:
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in KNOWLEDGE_DIRS:
            if (runbooks_home / name).exists():
                shutil.copytree(runbooks_home / name, home / name)
        return home

    return make


def sandbox_environment(patch: pytest.MonkeyPatch, sandbox: Any) -> None:
    """Point this process at the sandbox exactly: its variables set, and the per-service AWS
    endpoint overrides and profile removed (AWS_ENDPOINT_URL_COST_EXPLORER, say, outranks
    AWS_ENDPOINT_URL, so one left over would send a Runtime's calls elsewhere)."""
    import os

    for key in list(os.environ):
        if key.startswith("AWS_ENDPOINT_URL_") or key in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            patch.delenv(key)
    for key, value in sandbox.env.items():
        patch.setenv(key, value)


@pytest.fixture(scope="module")
def issuer() -> Iterator[Any]:
    """The Bot Framework's OpenID metadata, JWKS and token signing on loopback (Teams tests)."""
    from tests.teams_standins import TokenIssuer

    running = TokenIssuer()
    yield running
    running.close()


@pytest.fixture(scope="module")
def connector() -> Iterator[Any]:
    """The Bot Connector at a Teams activity's serviceUrl, recording what the bot sends."""
    from tests.teams_standins import Connector

    running = Connector()
    yield running
    running.close()


@pytest.fixture(scope="module")
def slack_api() -> Iterator[Any]:
    """The Slack Web API stand-in (sandbox/slack_api.py), recording what the bot sent; one per
    module, so a module's assertions see only its own calls."""
    from sandbox.slack_api import SlackApiStandIn

    with SlackApiStandIn() as stand_in:
        yield stand_in


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """The random order's seed, also under -q (which hides pytest-randomly's header line), so
    an order-dependent failure in CI can be replayed with `-p randomly -p "randomly" --randomly-seed=N`."""
    try:
        seed = config.getoption("randomly_seed")
    except ValueError:  # pytest-randomly disabled (-p no:randomly)
        return
    terminalreporter.write_line(f"Test order: random, replay with --randomly-seed={seed}")
