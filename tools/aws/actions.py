"""The one AWS write tool: start, stop or reboot an EC2 instance. Its preflight resolves the
instance (id or Name tag) and refuses impossible transitions before anyone is asked to
approve. The resolved instance id and region are pinned into the approval (``pins``), so the
write acts on exactly the instance the approver saw even if a Name tag moves later; the
preflight's fingerprint (id, region, state) is checked again just before the write."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.aws.common import client, regions_for, tag_map
from tools.aws.errors import ResourceNotFound, aws_errors
from tools.aws.inventory import find_instance
from tools.base import ToolContext, ToolResult, ToolSpec

Action = Literal["start", "stop", "reboot"]
# The states each action may start from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "start": ("stopped",),
    "stop": ("running", "pending"),
    "reboot": ("running",),
}


class InstanceActionArgs(BaseModel):
    instance_id: str = Field(min_length=1, description="Instance id (i-...) or its Name tag.")
    action: Action
    region: str | None = None


def _resolve(ctx: ToolContext, args: InstanceActionArgs) -> tuple[str, dict[str, Any], str]:
    """(region, instance, Name) or ResourceNotFound."""
    regions = regions_for(ctx, args.region)
    found = find_instance(ctx, regions, args.instance_id.strip())
    if found is None:
        raise ResourceNotFound(args.instance_id, regions)
    region, inst = found
    return region, inst, tag_map(inst.get("Tags")).get("Name", "")


def _refusal(action: str, ident: str, state: str) -> str | None:
    if state in ALLOWED_FROM[action]:
        return None
    return f"Cannot {action} {ident}: it is {state} (it must be {' or '.join(ALLOWED_FROM[action])})."


@aws_errors("ec2")
def preflight(ctx: ToolContext, args: InstanceActionArgs) -> ToolResult:
    region, inst, name = _resolve(ctx, args)
    ident, state = inst["InstanceId"], inst["State"]["Name"]
    refusal = _refusal(args.action, ident, state)
    if refusal:
        return ToolResult.error(refusal)
    label = f"{name}, " if name else ""
    return ToolResult(status="ok", summary=f"{args.action} {ident} ({label}{state}, {region})",
                      facts={"instance_id": ident, "name": name, "state": state, "region": region,
                             "action": args.action,
                             "target": {"instance_id": ident, "region": region, "state": state}},
                      resources=[x for x in (ident, name) if x])


@aws_errors("ec2")
def instance_action(ctx: ToolContext, args: InstanceActionArgs) -> ToolResult:
    region, inst, name = _resolve(ctx, args)
    ident, before = inst["InstanceId"], inst["State"]["Name"]
    refusal = _refusal(args.action, ident, before)
    if refusal:
        return ToolResult.error(refusal)
    ec2 = client(ctx, "ec2", region)
    if args.action == "start":
        after = ec2.start_instances(InstanceIds=[ident])["StartingInstances"][0]["CurrentState"]["Name"]
    elif args.action == "stop":
        after = ec2.stop_instances(InstanceIds=[ident])["StoppingInstances"][0]["CurrentState"]["Name"]
    else:
        ec2.reboot_instances(InstanceIds=[ident])
        after = ec2.describe_instances(InstanceIds=[ident])["Reservations"][0]["Instances"][0]["State"]["Name"]
    label = f" ({name})" if name else ""
    verb = {"start": "Started", "stop": "Stopped", "reboot": "Rebooted"}[args.action]
    return ToolResult(status="ok", summary=f"{verb} {ident}{label} in {region}: {before} -> {after}.",
                      facts={"instance_id": ident, "name": name, "region": region, "action": args.action,
                             "previous_state": before, "current_state": after},
                      resources=[x for x in (ident, name) if x])


def describe_instance_action(ctx: ToolContext, instance_id: str, action: Action,
                             region: str | None = None) -> ToolResult:
    """What ``action`` would change on one instance (id or Name tag), read-only: the same check
    as the write tool's preflight, callable without building its arguments model."""
    return preflight(ctx, InstanceActionArgs(instance_id=instance_id, action=action, region=region))


ACTION_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_ec2_instance_action", "Start, stop or reboot one EC2 instance (needs approval).",
             InstanceActionArgs, "write", ("infra.action",), "aws", instance_action, preflight=preflight,
             pins=("instance_id", "region")),
]
