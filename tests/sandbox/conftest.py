"""One seeded Driftwood Labs sandbox per test session (AWS only: the SaaS stand-ins have
their own tests). Tools reach it through a session pinned to its endpoint, so no other
test's AWS_* environment can redirect them.

moto keeps its state per process: a test here re-seeds it first when anything else reset it
since (``tests.moto_owner``; ``sandbox.seed()`` rebuilds the same ids)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.aws import SeededIds
from sandbox.company import DRIFTWOOD, Company
from sandbox.server import Sandbox
from tests import moto_owner
from tests.conftest import sandbox_environment
from tests.moto_owner import sandbox_owns_moto  # noqa: F401 - autouse: re-seed after a moto reset
from tools.aws import AWS_TOOLS
from tools.base import ToolContext
from tools.registry import ToolRegistry
from tools.settings import AwsSettings


@pytest.fixture(scope="session")
def company() -> Company:
    return DRIFTWOOD


@pytest.fixture(scope="session")
def sandbox(company: Company) -> Iterator[Sandbox]:
    with Sandbox(company, standins=[]) as running:  # starts and seeds
        moto_owner.sandbox_started(running.seed)
        yield running
        moto_owner.sandbox_stopped(running.seed)


@pytest.fixture(scope="session")
def ids(sandbox: Sandbox) -> SeededIds:
    assert sandbox.ids is not None
    return sandbox.ids


@pytest.fixture(scope="session")
def ctx(sandbox: Sandbox, company: Company) -> ToolContext:
    return ToolContext(aws=AwsSettings(regions=tuple(company.regions)), boto_session_factory=sandbox.boto_session)


@pytest.fixture(scope="session")
def registry() -> ToolRegistry:
    return ToolRegistry(AWS_TOOLS)


@pytest.fixture
def sandbox_runtime(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    warm_home: Callable[[Path], Path]) -> Iterator[Runtime]:
    """A Runtime on the sandbox in a fresh home (what `guardian` builds from the sandbox's
    environment). A test that changes the AWS account also takes ``reseeded_after``."""
    sandbox_environment(monkeypatch, sandbox)
    with Runtime(load_settings(home=warm_home(tmp_path / "home"))) as rt:
        yield rt


@pytest.fixture
def reseeded_after(sandbox: Sandbox) -> Iterator[None]:
    """The sandbox's AWS account re-seeded after the test (moto reset and seed, same ids), for
    tests that change it; only those pay for it (a re-seed took 4-7 s in a loaded full run)."""
    yield
    sandbox.reset()
