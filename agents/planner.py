"""What every agent's offline planning shares: a plan's shape, and filling a tool's typed
arguments from the router's slots by argument name (agents/specialists.py decides, per
agent, which tools and which values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.route import Route
from tools.base import ToolSpec

RUNBOOK_TOOL = "knowledge_search_runbooks"

@dataclass
class PlannedCall:
    spec: ToolSpec
    args: dict[str, Any]


@dataclass
class Plan:
    reads: list[PlannedCall] = field(default_factory=list)
    write: PlannedCall | None = None
    missing: list[str] = field(default_factory=list)  # required args nobody gave
    runbook_query: str | None = None
    unsupported: str | None = None  # the named cloud has no tool for the skill: said, not swapped


def candidate_values(route: Route) -> dict[str, Any]:
    """Every argument value the slots can supply, under the tool-argument vocabulary."""
    slots = dict(route.slots)
    values: dict[str, Any] = {key: value for key, value in slots.items() if value not in (None, "", [])}
    time_range = slots.get("time_range")
    if isinstance(time_range, dict):
        values.setdefault("start", time_range.get("start"))
        values.setdefault("end", time_range.get("end"))
        if time_range.get("since"):  # "the last hour": the exact moment, for tools that take one
            values.setdefault("start_time", time_range["since"])
    ids: list[str] = [str(item) for item in slots.get("resource_ids") or []]
    instance_ids = [item for item in ids if item.startswith("i-")]
    if instance_ids:
        values.setdefault("instance_id", instance_ids[0])
    named = ids[0] if ids else None
    for key in ("instance_id", "bucket", "resource_name", "log_group"):
        named = named or slots.get(key)
    if named:
        values.setdefault("resource_id", named)
    if slots.get("resource_name"):
        values.setdefault("service", slots["resource_name"])  # a log group or tag named after it
    if "instance_id" not in values and slots.get("resource_name"):
        values["instance_id"] = slots["resource_name"]
    tag = slots.get("tag")
    if isinstance(tag, dict):
        values.setdefault("tag_key", tag.get("key"))
        values.setdefault("tag_value", tag.get("value"))
    values.setdefault("query", route.text)
    return values


def asked_for(model: type[BaseModel], values: dict[str, Any]) -> bool:
    """False when the tool answers only what its own words ask (a field marked
    ``from_question``, e.g. a metric) and the request's slots do not supply it: the tool
    is left out of the plan, not reported as missing an argument."""
    return all(name in values for name, info in model.model_fields.items()
               if isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("from_question"))


def fill_args(model: type[BaseModel], values: dict[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """Arguments for ``model`` from ``values``; a value that does not validate is dropped
    (the tool's default is better than a wrong guess). Returns (args, missing required)."""
    args = {name: values[name] for name in model.model_fields if name in values}
    for _ in range(len(args) + 1):
        try:
            model.model_validate(args)
            return args, []
        except ValidationError as exc:
            bad = {str(err["loc"][0]) for err in exc.errors() if err.get("loc") and err["type"] != "missing"}
            missing = [str(err["loc"][0]) for err in exc.errors() if err["type"] == "missing" and err.get("loc")]
            if missing and not bad:
                return None, missing
            for name in bad:
                args.pop(name, None)
    return None, []
