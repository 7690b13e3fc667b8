"""The eval runner's sandbox lifetime: a long run replaces a stale sandbox between agents, so
the seeded times (log lines minutes old) hold for every case, and one agent's cases share one."""

from __future__ import annotations

from typing import Any

import pytest

from bot.evals import runner
from bot.evals.cases import default_root, load_case
from sandbox.server import Sandbox

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def dev_case(relative: str) -> Any:
    return load_case(default_root() / "dev" / relative, "dev")


def counting_starts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A record of every sandbox started, the real start still run."""
    started: list[int] = []
    real_start = Sandbox.start

    def start(self: Sandbox, *args: Any, **kwargs: Any) -> None:
        started.append(id(self))
        real_start(self, *args, **kwargs)

    monkeypatch.setattr(Sandbox, "start", start)
    return started


def test_a_stale_sandbox_is_replaced_at_the_next_agent_only(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [dev_case("cost/cost-summary-01.yaml"), dev_case("cost/cost-forecast-01.yaml"),
             dev_case("infra/infra-logs-01.yaml")]
    started = counting_starts(monkeypatch)
    monkeypatch.setattr(runner, "FRESH_FOR_S", 0)  # every sandbox is stale at once
    scores = runner.run_cases(cases)
    # the two cost cases share the first sandbox; the logs case, of another agent, gets a new one
    assert len(set(started)) == 2
    assert [s.case.id for s in scores] == ["cost-summary-01", "cost-forecast-01", "infra-logs-01"]
    assert all(s.passed for s in scores), [s.failures for s in scores if not s.passed]

