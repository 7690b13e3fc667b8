"""Offline planning: for a routed skill, pick the skill's tools from the registry and fill
their typed arguments from the router's slots, by argument name."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from agents.route import Route
from tools.base import ToolSpec
from tools.registry import ToolRegistry
from tools.resolve import Phrase

RUNBOOK_TOOL = "knowledge_search_runbooks"
NAMES_A_RESOURCE = ("infra.action", "infra.describe")

# A runbook worth citing beside each operational skill's facts (searched, never hard-wired
# to a file name, so a team's own runbooks win when they match better).
RUNBOOK_TOPICS: dict[str, str] = {
    "cost.summary": "cost spike unexpected bill investigation",
    "cost.anomalies": "cost spike unexpected bill investigation",
    "cost.forecast": "cost spike unexpected bill budget",
    "cost.savings": "cost reduction idle unattached resources",
    "security.posture": "security group open to the world public bucket",
    "security.public_storage": "S3 bucket exposed publicly",
    "security.open_ports": "SSH port 22 open to the world security group 0.0.0.0/0",
    "security.iam": "IAM user without MFA stale or leaked access key",
    "infra.logs": "log investigation CloudWatch Logs errors",
    "infra.action": "EC2 instance unreachable reboot stop",
    "cicd.status": "failed deploy CI pipeline",
    "cicd.failure": "failed deploy CI pipeline failure",
    "cicd.rerun": "failed deploy CI pipeline rerun rollback",
    "cicd.changes": "rolling back a deployment",
    "incident.list": "incident response process",
    "incident.oncall": "on-call escalation paging policy",
    "incident.ack": "incident response process acknowledge",
    "incident.resolve": "incident response process resolve postmortem",
    "incident.brief": "incident response process",
    "incident.page": "on-call escalation paging policy",
}


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


def candidate_values(route: Route) -> dict[str, Any]:
    """Every argument value the slots can supply, under the tool-argument vocabulary."""
    slots = dict(route.slots)
    values: dict[str, Any] = {key: value for key, value in slots.items() if value not in (None, "", [])}
    time_range = slots.get("time_range")
    if isinstance(time_range, dict):
        values.setdefault("start", time_range.get("start"))
        values.setdefault("end", time_range.get("end"))
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
    if route.skill in NAMES_A_RESOURCE and Phrase.parse(route.text).name_words:
        # "stop the ledger worker box": no id or Name in the words, so the tool resolves
        # what the person called it (Name tags and tags) or asks which one they mean.
        values.setdefault("instance_id", route.text)
        values.setdefault("resource_id", route.text)
    tag = slots.get("tag")
    if isinstance(tag, dict):
        values.setdefault("tag_key", tag.get("key"))
        values.setdefault("tag_value", tag.get("value"))
    values.setdefault("query", route.text)
    return values


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


def plan_for(route: Route, registry: ToolRegistry, configured: Collection[str] | None = None) -> Plan:
    """The calls the offline agent makes for this request. Tools of integrations that are not
    configured are skipped when the skill has others; if it has none, they run anyway so the
    user reads the clear "not configured" sentence."""
    plan = Plan()
    values = candidate_values(route)
    specs = [spec for spec in registry.for_skill(route.skill) if spec.name != RUNBOOK_TOOL]
    cloud = route.slots.get("cloud")
    if cloud:
        specs = [spec for spec in specs if spec.integration in (cloud, "knowledge")] or specs
    if configured is not None:
        specs = [spec for spec in specs if spec.integration in configured] or specs
    if route.skill == "cost.forecast":
        # A forecast looks ahead: "this month" means to its end, which is the tool's default,
        # not the slot's "up to today".
        values = {key: value for key, value in values.items() if key not in ("start", "end")}
    for spec in specs:
        args, missing = fill_args(spec.args_model, values)
        if args is None:
            plan.missing.extend(name for name in missing if name not in plan.missing)
            continue
        call = PlannedCall(spec, args)
        if spec.mutating:
            plan.write = plan.write or call
        else:
            plan.reads.append(call)
    if route.skill == "knowledge.runbook" and RUNBOOK_TOOL in registry:
        plan.reads.append(PlannedCall(registry.get(RUNBOOK_TOOL), {"query": route.text, "k": 3}))
    elif route.skill in RUNBOOK_TOPICS and RUNBOOK_TOOL in registry:
        plan.runbook_query = RUNBOOK_TOPICS[route.skill]
    return plan
