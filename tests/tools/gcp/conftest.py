"""Google Cloud tool tests: the real SDK clients (google-cloud-logging, -compute, -storage)
against the sandbox's stand-in of their JSON APIs, seeded with Driftwood's project. One
stand-in per module (the tools only read); each test starts with no faults planted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.company import DRIFTWOOD_GCP, GcpProject
from sandbox.gcp_api import GcpStandIn
from tools.base import ToolContext, ToolResult
from tools.gcp import GCP
from tools.registry import ToolRegistry
from tools.settings import GcpSettings


@pytest.fixture(scope="module")
def project() -> GcpProject:
    return DRIFTWOOD_GCP


@pytest.fixture(scope="module")
def standin(project: GcpProject) -> Iterator[GcpStandIn]:
    with GcpStandIn(project) as running:
        yield running


@pytest.fixture(autouse=True)
def clean_standin(standin: GcpStandIn) -> Iterator[None]:
    standin.faults.clear()
    standin.clear_calls()
    yield
    standin.faults.clear()


def gcp_ctx(standin: GcpStandIn, **overrides: object) -> ToolContext:
    """The context bot/ builds from the stand-in's environment variables."""
    env = standin.env()
    settings = {"project": env["GOOGLE_CLOUD_PROJECT"], "api_url": env["GUARDIAN_GCP_API_URL"],
                "anonymous": env["GUARDIAN_GCP_ANONYMOUS"] == "1", **overrides}
    return ToolContext(gcp=GcpSettings.model_validate(settings))


@pytest.fixture
def ctx(standin: GcpStandIn) -> ToolContext:
    return gcp_ctx(standin)


class Tools:
    """Runs GCP tools through the registry, as an agent does (prerequisites, masking)."""

    def __init__(self, ctx: ToolContext) -> None:
        self.ctx = ctx
        self.registry = ToolRegistry.of(GCP)

    def __call__(self, name: str, ctx: ToolContext | None = None, **args: object) -> ToolResult:
        return self.registry.invoke(name, dict(args), ctx or self.ctx)


@pytest.fixture
def tools(ctx: ToolContext) -> Tools:
    return Tools(ctx)
