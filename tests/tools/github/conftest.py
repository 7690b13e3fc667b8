"""A fresh GitHub stand-in per test (writes change its data), seeded from saas_company."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sandbox.github_api import GitHubStandIn
from sandbox.saas_company import SaasCompany, build
from tools.base import ToolContext
from tools.github import GITHUB
from tools.registry import ToolRegistry
from tools.settings import GitHubSettings


@pytest.fixture
def company() -> SaasCompany:
    return build()


@pytest.fixture
def github(company: SaasCompany) -> Iterator[GitHubStandIn]:
    with GitHubStandIn(company.github) as standin:
        yield standin


def github_ctx(standin: GitHubStandIn, **overrides: object) -> ToolContext:
    """The context bot/ builds from the stand-in's environment variables."""
    env = standin.env()
    config: dict[str, object] = {"token": env["GITHUB_TOKEN"], "api_url": env["GITHUB_API_URL"],
                                 "org": env["GUARDIAN_GITHUB_ORG"], "repos": env["GUARDIAN_GITHUB_REPOS"].split(",")}
    config.update(overrides)
    return ToolContext(github=GitHubSettings.model_validate(config))


@pytest.fixture
def ctx(github: GitHubStandIn) -> ToolContext:
    return github_ctx(github)


@pytest.fixture
def registry() -> ToolRegistry:
    return ToolRegistry.of(GITHUB)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
