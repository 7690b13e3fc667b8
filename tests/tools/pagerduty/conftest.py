"""A fresh PagerDuty stand-in (HTTPS, throwaway CA) per test, seeded from saas_company."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany, build
from tools.base import ToolContext, ToolResult
from tools.pagerduty import PAGERDUTY
from tools.registry import ToolRegistry
from tools.settings import PagerDutySettings


@pytest.fixture
def company() -> SaasCompany:
    return build()


@pytest.fixture
def pagerduty(company: SaasCompany) -> Iterator[PagerDutyStandIn]:
    with PagerDutyStandIn(company.pagerduty) as standin:
        yield standin


def pagerduty_ctx(standin: PagerDutyStandIn, **overrides: object) -> ToolContext:
    """The context bot/ builds from the stand-in's environment variables."""
    env = standin.env()
    config: dict[str, object] = {"api_key": env["PAGERDUTY_API_KEY"], "api_url": env["PAGERDUTY_API_URL"],
                                 "from_email": env["GUARDIAN_PAGERDUTY_FROM_EMAIL"],
                                 "verify": env["GUARDIAN_PAGERDUTY_CA_BUNDLE"]}
    config.update(overrides)
    return ToolContext(pagerduty=PagerDutySettings.model_validate(config))


@pytest.fixture
def ctx(pagerduty: PagerDutyStandIn) -> ToolContext:
    return pagerduty_ctx(pagerduty)


@pytest.fixture
def registry() -> ToolRegistry:
    return ToolRegistry.of(PAGERDUTY)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def preflight(registry: ToolRegistry, name: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
    """What a write would do, as the approver sees it (its preflight): nothing is written."""
    spec = registry.get(name)
    assert spec.preflight is not None
    return spec.preflight(ctx, spec.args_model.model_validate(args))
