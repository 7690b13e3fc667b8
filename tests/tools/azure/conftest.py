"""One Azure Resource Manager stand-in (HTTPS, throwaway CA) for these tests, seeded from
sandbox/company.py and reset before each test: every VM in its seeded power state, no
throttling or denied permissions left over, no calls recorded."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sandbox.azure_api import AzureStandIn
from sandbox.company import DRIFTWOOD_AZURE, AzureAccount
from tools.azure import AZURE
from tools.base import ToolContext
from tools.registry import ToolRegistry
from tools.settings import AzureSettings


@pytest.fixture(scope="session")
def azure_standin() -> Iterator[AzureStandIn]:
    with AzureStandIn() as standin:
        yield standin


@pytest.fixture
def arm(azure_standin: AzureStandIn) -> Iterator[AzureStandIn]:
    """The stand-in as seeded, and left so for the next test."""
    azure_standin.reset()
    azure_standin.clear_calls()
    yield azure_standin
    azure_standin.reset()


@pytest.fixture
def account() -> AzureAccount:
    return DRIFTWOOD_AZURE


def azure_ctx(standin: AzureStandIn, **overrides: object) -> ToolContext:
    """The context bot/ builds from the stand-in's environment variables."""
    env = standin.env()
    config: dict[str, object] = {"subscription_id": env["AZURE_SUBSCRIPTION_ID"],
                                 "arm_url": env["GUARDIAN_AZURE_ARM_URL"],
                                 "verify": env["GUARDIAN_AZURE_CA_BUNDLE"], "token": env["GUARDIAN_AZURE_TOKEN"]}
    config.update(overrides)
    return ToolContext(azure=AzureSettings.model_validate(config))


@pytest.fixture
def ctx(arm: AzureStandIn) -> ToolContext:
    return azure_ctx(arm)


@pytest.fixture
def registry() -> ToolRegistry:
    return ToolRegistry.of(AZURE)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
