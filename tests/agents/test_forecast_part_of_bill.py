"""A forecast asked for one part of the bill (a region, an application, a team) is planned
with that part's filter, as the spend summary is: "where will eu spend land" is not the
account's forecast."""

from __future__ import annotations

import pytest

from agents.route import Route
from agents.specialists import SPECIALIST_BY_NAME, specialist_for
from tools.aws import AWS_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry(AWS_TOOLS)


def _forecast_args(text: str, **slots: object) -> dict[str, object]:
    asked = Route(text=text, agent=specialist_for("cost.forecast").name, skill="cost.forecast", confidence=0.9,
                  slots=dict(slots))
    plan = SPECIALIST_BY_NAME["cost"].plan(asked, REGISTRY)
    (call,) = [call for call in plan.reads if call.spec.name == "aws_cost_forecast"]
    return dict(call.args)


@pytest.mark.parametrize(("text", "slots", "wanted"), [
    ("month-end projection for ap-southeast-2 please", {"region": "ap-southeast-2"}, {"region": "ap-southeast-2"}),
    ("what will the ledger service run us by the 31st", {"service": "ledger"}, {"app_service": "ledger"}),
    ("expected spend of the growth team through month end", {"team": "growth"}, {"team": "growth"}),
])
def test_a_forecast_of_one_part_carries_that_parts_filter(text: str, slots: dict[str, str],
                                                          wanted: dict[str, str]) -> None:
    args = _forecast_args(text, **slots)
    assert {key: args.get(key) for key in wanted} == wanted
    assert "group_by" not in args  # a forecast has one figure, not a grouping


def test_an_unnarrowed_forecast_has_no_part_filter() -> None:
    args = _forecast_args("where does the bill land this month")
    assert not {"region", "app_service", "team"} & {key for key, value in args.items() if value}
