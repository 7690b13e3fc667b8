"""The sandbox's Cost Explorer stand-in behind the cost tools, with a test's own cost lines and
today: what the tools ask of a boto3 Cost Explorer client, answered in process."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import pytest

import tools.aws.cost as cost
from sandbox.company import CostLine
from sandbox.cost_explorer import CostExplorerStandIn


class StandInClient:
    """A boto3 Cost Explorer client's calls (``get_cost_and_usage``) as the stand-in's operations."""

    def __init__(self, standin: CostExplorerStandIn) -> None:
        self.standin = standin

    def __getattr__(self, name: str) -> Any:
        operation = "".join(part.title() for part in name.split("_"))
        return lambda **body: self.standin.handle(operation, body)


def cost_explorer(monkeypatch: pytest.MonkeyPatch, lines: Sequence[CostLine], today: date) -> CostExplorerStandIn:
    """The stand-in the cost tools read for the test, with its lines and its today."""
    standin = CostExplorerStandIn(lines=tuple(lines), today=lambda: today, monitors=())
    monkeypatch.setattr(cost, "client", lambda *_args, **_kwargs: StandInClient(standin))
    monkeypatch.setattr(cost, "today", lambda: today)
    monkeypatch.setattr("tools.aws.common.today", lambda: today)
    return standin
