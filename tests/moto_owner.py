"""Who last set this test process's moto state.

moto keeps one state per process, shared by every moto server in it: the sandbox company's
(tests/sandbox, tests/e2e) and the empty account each tests/tools/aws module builds after a
reset. Tests run in random order, so each side records when it takes the state over and the
sandbox side re-seeds (same ids: moto's RNG is seeded) when the other side had it last.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

SANDBOX = "sandbox company"
TOOLS_AWS = "tools/aws modules"

_owner: list[str] = [""]
_reseeders: list[Callable[[], object]] = []


def claim(owner: str) -> None:
    _owner[0] = owner


def owned_by(owner: str) -> bool:
    return _owner[0] == owner


def sandbox_started(reseed: Callable[[], object]) -> None:
    """A running sandbox registers how to rebuild its company; the tools/aws modules call it
    when they hand moto back, so module- and session-scoped fixtures (set up before any
    function-scoped autouse fixture could re-seed) always find the company in place."""
    _reseeders.append(reseed)
    claim(SANDBOX)


def sandbox_stopped(reseed: Callable[[], object]) -> None:
    _reseeders.remove(reseed)


def give_back_to_sandbox() -> None:
    """After a tools/aws module: seed the sandbox company again if a sandbox is running."""
    if _reseeders and not owned_by(SANDBOX):
        _reseeders[-1]()
        claim(SANDBOX)


@pytest.fixture(autouse=True)
def sandbox_owns_moto(request: pytest.FixtureRequest) -> None:
    """Before a test that uses the ``sandbox`` fixture: if a tools/aws module reset moto since,
    seed the sandbox company again (same ids). Imported by the conftests that define
    ``sandbox``."""
    if "sandbox" not in request.fixturenames:
        return
    sandbox = request.getfixturevalue("sandbox")
    if not owned_by(SANDBOX):
        sandbox.seed()
        claim(SANDBOX)
