"""A resource named without its cloud is looked for in every configured cloud.

A request that names no cloud is planned for the first cloud with a tool for its skill
(agents/specialists.py ``primary_cloud_only``). "restart web-frontend-1" for an Azure VM
then reached AWS alone and answered "No resource named web-frontend-1 was found in
us-east-1, eu-west-1", although Guardian could act on it. Tools mark that answer
(``ToolResult.not_found``, ``facts["not_found"]``); when every call of the plan says so, the
same request is planned again for each other configured cloud with a tool for the skill, in
the registry's order, and the first cloud that has the resource answers. A cloud that
failed for another reason (denied, throttled, unreachable) is not "not found": its error
stands, so a problem is never hidden behind another cloud's answer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from agents.planner import Plan
from agents.route import Route
from agents.specialists import CLOUD_NAMES, CLOUDS, Specialist, plan_clouds
from tools.base import NOT_FOUND, ToolResult
from tools.registry import ToolRegistry


def not_found(result: ToolResult | dict[str, Any]) -> bool:
    """True when a result says the named resource does not exist where its tool looked."""
    facts = result.facts if isinstance(result, ToolResult) else (result.get("facts") or {})
    status = result.status if isinstance(result, ToolResult) else result.get("status")
    return status == "error" and bool(facts.get(NOT_FOUND))


def on_a_cloud(call: dict[str, Any], registry: ToolRegistry) -> bool:
    """Whether a tool record is a cloud's call (not the runbooks' or the inventory's)."""
    return call["tool"] in registry and registry.get(call["tool"]).integration in CLOUDS


def all_not_found(calls: list[dict[str, Any]], registry: ToolRegistry) -> bool:
    """Every cloud call of a plan (tool records) came back "not found" (and there was one)."""
    cloud = [call for call in calls if on_a_cloud(call, registry)]
    return bool(cloud) and all(not_found(call["result"]) for call in cloud)


def searched_note(cloud: str, result: ToolResult | dict[str, Any]) -> str:
    """One line for a cloud that was searched too and does not have the resource."""
    summary = result.summary if isinstance(result, ToolResult) else str(result.get("summary", ""))
    return f"Also looked in {CLOUD_NAMES.get(cloud, cloud)}: {summary}"


def other_cloud_plans(specialist: Specialist, route: Route, registry: ToolRegistry, plan: Plan,
                      configured: Collection[str] | None) -> Iterator[Plan]:
    """The same request planned for each other configured cloud with a tool for its skill;
    nothing when the request named its cloud (the person said where to look)."""
    if route.slots.get("cloud"):
        return
    tried = plan_clouds(plan)
    if not tried:
        return
    clouds = [spec.integration for spec in registry.for_skill(route.skill)
              if spec.integration in CLOUDS and spec.integration not in tried
              and (configured is None or spec.integration in configured)]
    for cloud in dict.fromkeys(clouds):
        there = specialist.plan(route.model_copy(update={"slots": {**route.slots, "cloud": cloud}}),
                                registry, configured=configured)
        if (there.reads or there.write) and not there.unsupported:
            yield there
