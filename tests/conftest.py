"""Fixtures shared by every layer's tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
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
