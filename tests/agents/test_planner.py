"""Argument filling from slots: by name, dropping values that do not validate."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from agents.planner import candidate_values, fill_args
from agents.route import Route


class ActionArgs(BaseModel):
    instance_id: str
    action: Literal["start", "stop", "reboot"]


class CostArgs(BaseModel):
    start: str | None = None
    end: str | None = None
    region: str | None = None
    limit: int = 10


def _route(text: str, **slots: object) -> Route:
    return Route(text=text, agent="x", skill="infra.action", confidence=0.9, slots=dict(slots))


def test_time_range_and_ids_become_arguments() -> None:
    values = candidate_values(_route("stop i-0abc", resource_ids=["i-0abc"], action="stop",
                                     time_range={"start": "2026-11-01", "end": "2026-11-08", "label": "x"}))
    assert fill_args(ActionArgs, values) == ({"instance_id": "i-0abc", "action": "stop"}, [])
    args, _ = fill_args(CostArgs, values)
    assert args == {"start": "2026-11-01", "end": "2026-11-08"}


def test_invalid_value_is_dropped_not_guessed() -> None:
    args, missing = fill_args(CostArgs, {"limit": "many", "region": "eu-west-1"})
    assert args == {"region": "eu-west-1"} and missing == []


def test_missing_required_argument_is_reported() -> None:
    args, missing = fill_args(ActionArgs, {"action": "stop"})
    assert args is None and missing == ["instance_id"]


def test_invalid_action_is_reported_as_missing() -> None:
    args, missing = fill_args(ActionArgs, {"action": "explode", "instance_id": "i-1"})
    assert args is None and missing == ["action"]
