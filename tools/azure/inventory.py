"""Azure inventory and describe: resource groups and the resources in them with their tags
(VMs with their power state), and the details of one VM named by name or ARM id."""

from __future__ import annotations

import re
from collections import Counter
from difflib import get_close_matches
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tools.azure.client import arm, resource_group_of, text
from tools.azure.errors import AzureNotFound, azure_errors
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.filters import matches
from tools.places import in_place, place_parts
from tools.resolve import AmbiguousResource, Candidate, resolve
from tools.wording import counted

AzureType = Literal["vm", "nsg", "storage_account", "resource_group"]
SHORT_TYPES = {"microsoft.compute/virtualmachines": "vm", "microsoft.network/networksecuritygroups": "nsg",
               "microsoft.storage/storageaccounts": "storage_account"}
# The router's resource-type words are AWS's; each means the Azure kind of the same thing.
TYPE_SYNONYMS = {"ec2": "vm", "instance": "vm", "vms": "vm", "s3": "storage_account", "bucket": "storage_account",
                 "security_group": "nsg", "storage": "storage_account"}


def short_type(arm_type: str) -> str:
    return SHORT_TYPES.get(arm_type.lower(), arm_type)


def power_state(view: Any) -> str:
    """'running', 'stopped', 'deallocated'... from an instance view's statuses ('unknown')."""
    for status in getattr(view, "statuses", None) or []:
        code = str(getattr(status, "code", "") or "")
        if code.lower().startswith("powerstate/"):
            return code.split("/", 1)[1].lower()
    return "unknown"


def _tagged(tags: dict[str, str] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (tags or {}).items()}


def _lowered(tags: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in tags.items()}


def _row(kind: str, ident: str, name: str, location: str, state: str, detail: str,
         tags: dict[str, str]) -> dict[str, Any]:
    low = _lowered(tags)
    return {"type": kind, "name": name, "resource_group": resource_group_of(ident) or name, "location": location,
            "state": state, "detail": detail, "owner": low.get("owner", low.get("team", "")),
            "env": low.get("env", low.get("environment", "")), "service": low.get("service", low.get("app", "")),
            "tags": tags, "id": ident}


def vm_list(ctx: ToolContext, resource_group: str | None = None) -> list[Any]:
    """VMs with their instance view (power state): one call for the subscription."""
    compute = arm(ctx, "compute")
    if resource_group:
        return [compute.virtual_machines.get(resource_group, vm.name, expand="instanceView")
                for vm in compute.virtual_machines.list(resource_group)]
    return list(compute.virtual_machines.list_all(status_only="true"))


def vm_power(vm: Any) -> str:
    return power_state(getattr(vm, "instance_view", None))


def _vm_rows(ctx: ToolContext, resource_group: str | None) -> list[dict[str, Any]]:
    return [_row("vm", vm.id, vm.name, vm.location, vm_power(vm),
                 text(getattr(vm.hardware_profile, "vm_size", None)), _tagged(vm.tags))
            for vm in vm_list(ctx, resource_group)]


def _group_rows(ctx: ToolContext, resource_group: str | None) -> list[dict[str, Any]]:
    groups = arm(ctx, "resource").resource_groups
    found = [groups.get(resource_group)] if resource_group else list(groups.list())
    return [_row("resource_group", g.id, g.name, g.location, text(getattr(g.properties, "provisioning_state", None)),
                 "resource group", _tagged(g.tags)) for g in found]


def _resource_rows(ctx: ToolContext, resource_group: str | None) -> list[dict[str, Any]]:
    resources = arm(ctx, "resource").resources
    found = resources.list_by_resource_group(resource_group) if resource_group else resources.list()
    return [_row(short_type(r.type), r.id, r.name, r.location, "", r.type, _tagged(r.tags)) for r in found]


class AzureInventoryArgs(BaseModel):
    resource_type: AzureType | None = Field(default=None, description="Only this kind: vm, nsg, storage_account, "
                                                                      "resource_group.")
    resource_group: str | None = Field(default=None, description="Only this resource group (e.g. rg-payments).")
    region: str | None = Field(default=None, description="Only this Azure location (eastus, westeurope...).")
    tag_key: str | None = None
    tag_value: str | None = None
    env: str | None = Field(default=None, description="Matches an env/environment tag (prod, staging...); "
                                                      "\"!prod\" is every other env.")
    service: str | None = Field(default=None, description="Matches a service tag or the name.")
    limit: int = Field(default=100, ge=1, le=1000)

    @field_validator("resource_type", mode="before")
    @classmethod
    def _azure_kind(cls, value: Any) -> Any:
        return TYPE_SYNONYMS.get(value.lower(), value.lower()) if isinstance(value, str) else value


def location_matches(location: str, wanted: str) -> bool:
    """``location`` is the one asked for ("west europe", "westeurope") or lies in the place
    asked for ("europe", "us east")."""
    parts = place_parts(wanted)
    if parts is not None:
        return in_place(location, parts)
    return location.lower() == wanted.lower().replace(" ", "")


def _keep(row: dict[str, Any], args: AzureInventoryArgs) -> bool:
    if args.region and not location_matches(row["location"], args.region):
        return False
    return matches(args, tags=row["tags"], env=row["env"], service=row["service"], name=row["name"])


def _nothing_matched(kind: str, where: str, location: str | None, candidates: list[dict[str, Any]]) -> ToolResult:
    """No row left: when the location is one none of them is in (a typo, another cloud's
    region name), say where they are instead of a bare "nothing matched"."""
    seen = sorted({row["location"].lower() for row in candidates})
    if location and not any(location_matches(place, location) for place in seen):
        there = f"they are in {', '.join(seen)}" if seen else "it has none"
        return ToolResult.no_data(f"No Azure {kind} in location {location} in {where}; {there}.")
    return ToolResult.no_data(f"No Azure {kind} matched in {where}.")


@azure_errors("listing the subscription's resources", "Microsoft.Resources/subscriptions/resources/read")
def inventory(ctx: ToolContext, args: AzureInventoryArgs) -> ToolResult:
    rg = args.resource_group
    kind = args.resource_type
    if kind == "resource_group":
        rows = _group_rows(ctx, rg)
    elif kind == "vm":
        rows = _vm_rows(ctx, rg)
    else:
        others = [row for row in _resource_rows(ctx, rg) if row["type"] != "vm"]
        rows = [*(_vm_rows(ctx, rg)), *others]
        if kind:
            rows = [row for row in rows if row["type"] == kind]
    where = f"resource group {rg}" if rg else f"subscription {ctx.azure.subscription_id}"
    kept = [row for row in rows if _keep(row, args)]
    if not kept:
        return _nothing_matched(kind or "resources", where, args.region, rows)
    rows = kept
    counts = Counter(row["type"] for row in rows)
    listing = ", ".join(f"{n} {k}" for k, n in counts.items())
    names = [row["name"] for row in rows]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    summary = f"{counted(len(rows), 'Azure resource')} in {where}: {listing} ({shown})."
    if set(counts) == {"resource_group"}:
        # "which resource groups, and where": each group with its location
        placed = ", ".join(f"{row['name']} ({row['location']})" for row in rows[:8])
        more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
        summary = f"{counted(len(rows), 'resource group')} in {where}: {placed}{more}."
    for row in rows:
        row["tags"] = ", ".join(f"{k}={v}" for k, v in sorted(row["tags"].items()))
    return ToolResult(
        status="ok", summary=summary,
        columns=["type", "name", "resource_group", "location", "state", "detail", "owner", "env", "service", "tags"],
        rows=rows[: args.limit], facts={"total": len(rows), **{f"count_{k}": n for k, n in counts.items()}},
        resources=sorted({row["name"] for row in rows} | {row["id"] for row in rows}))


# --------------------------------------------------------------------------- one VM


def _parse_vm_id(ident: str) -> tuple[str, str] | None:
    """(resource group, name) of a VM's ARM id, None for a plain name."""
    if "/virtualmachines/" not in ident.lower():
        return None
    return resource_group_of(ident), ident.rstrip("/").rsplit("/", 1)[1]


def find_vm(ctx: ToolContext, ident: str, resource_group: str | None = None) -> Any:
    """The VM (with its instance view) named by ``ident``: an ARM id, its name (in
    ``resource_group`` when given), or what a person called it ("the payments worker");
    several that fit are a question back (AmbiguousResource), none an AzureProblem naming
    where it looked."""
    ident = ident.strip()
    parsed = _parse_vm_id(ident)
    if parsed:
        resource_group, ident = parsed
    vms = vm_list(ctx, None)
    if resource_group:
        vms = [vm for vm in vms if resource_group_of(vm.id).lower() == resource_group.lower()]
    exact = [vm for vm in vms if vm.name.lower() == ident.lower()]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise AmbiguousResource(ident, [_candidate(vm) for vm in exact])
    if " " in ident:  # words ("the payments worker"), not a name: match them to names and tags
        resolution = resolve(ident, [_candidate(vm) for vm in vms], ("ec2",))
        if resolution.ambiguous:
            raise AmbiguousResource(ident, resolution.ambiguous)
        if resolution.match is not None:
            return next(vm for vm in vms if vm.id == resolution.match.id)
    where = f"resource group {resource_group}" if resource_group else f"subscription {ctx.azure.subscription_id}"
    known = ", ".join(sorted(vm.name for vm in vms)) or "none"
    near = _near_names(ident, vms)
    closest = f" Closest: {'; '.join(near)}." if near else ""
    raise AzureNotFound(f"No Azure VM named {ident} in {where} (its VMs: {known}).{closest}", ident)


def _near_names(ident: str, vms: list[Any]) -> list[str]:
    """The VMs a mistyped or misnumbered name most likely meant ("payments-worker-3" when
    there are -1 and -2), with their size: what the question about the wrong name wanted."""
    stem = re.sub(r"[-_]?\d+$", "", ident.lower())
    by_stem = [vm for vm in vms if stem and stem != ident.lower() and re.sub(r"[-_]?\d+$", "", vm.name.lower()) == stem]
    names = {vm.name.lower(): vm for vm in vms}
    near = by_stem or [names[name] for name in get_close_matches(ident.lower(), list(names), n=3, cutoff=0.8)]
    ordered = sorted(near, key=lambda vm: vm.name)
    return [f"{vm.name} ({text(getattr(vm.hardware_profile, 'vm_size', None))})" for vm in ordered]


def _candidate(vm: Any) -> Candidate:
    tags = _lowered(_tagged(vm.tags))
    os_disk = getattr(getattr(vm, "storage_profile", None), "os_disk", None)
    os_type = text(getattr(os_disk, "os_type", None)).lower()
    return Candidate("ec2", vm.id, vm.name, vm.location, tags.get("env", ""), tags.get("service", ""),
                     traits=(os_type,) if os_type else (), shown_kind="Azure VM")


def _props(pairs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"property": key, "value": value} for key, value in pairs.items() if value not in (None, "")]


class AzureDescribeArgs(BaseModel):
    resource_id: str = Field(min_length=1, description="The VM's name or ARM id.")
    resource_group: str | None = Field(default=None, description="Its resource group, when names repeat.")


@azure_errors("reading the virtual machine", "Microsoft.Compute/virtualMachines/read")
def describe_vm(ctx: ToolContext, args: AzureDescribeArgs) -> ToolResult:
    vm = find_vm(ctx, args.resource_id, args.resource_group)
    tags = _tagged(vm.tags)
    state = vm_power(vm)
    os_disk = getattr(getattr(vm, "storage_profile", None), "os_disk", None)
    nic_ids = [nic.id for nic in getattr(vm.network_profile, "network_interfaces", None) or []]
    nics = [nic.rsplit("/", 1)[1] for nic in nic_ids]
    guarded = _nsgs_of(ctx, resource_group_of(vm.id), nic_ids)
    facts = {"id": vm.id, "name": vm.name, "type": "vm", "state": state, "resource_group": resource_group_of(vm.id),
             "location": vm.location, "size": text(vm.hardware_profile.vm_size),
             "os_type": text(getattr(os_disk, "os_type", None)), "provisioning_state": vm.provisioning_state,
             "network_interfaces": ", ".join(nics), "network_security_groups": ", ".join(guarded),
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    lowered = {key.lower(): value for key, value in tags.items()}
    owner = lowered.get("owner") or lowered.get("team")  # as the inventory reads it: "who owns X?"
    summary = (f"Azure VM {vm.name} is {state} in {vm.location} (resource group {facts['resource_group']}"
               f"{f', owner {owner}' if owner else ''}): {facts['size']}, {facts['os_type'] or 'unknown OS'}"
               f"{', NSG ' + ', '.join(guarded) if guarded else ''}.")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts), facts=facts,
                      resources=[vm.name, vm.id])


def _nsgs_of(ctx: ToolContext, resource_group: str, nic_ids: list[str]) -> list[str]:
    """The network security groups guarding a VM's network interfaces (an NSG lists the NICs
    it is attached to), by name; none when there are none or the groups cannot be read (the
    VM's own description stands without them)."""
    from azure.core.exceptions import AzureError

    wanted = {nic.lower() for nic in nic_ids}
    if not wanted:
        return []
    try:
        groups = list(arm(ctx, "network").network_security_groups.list(resource_group))
    except AzureError:
        return []
    return sorted(nsg.name for nsg in groups
                  if any(str(nic.id).lower() in wanted for nic in nsg.network_interfaces or []))


INVENTORY_TOOLS: list[ToolSpec] = [
    ToolSpec("azure_inventory", "List and count Azure resource groups and resources (VMs with power state, NSGs, "
             "storage accounts) with their tags, by resource group, type, location, tag, env or service.",
             AzureInventoryArgs, "read", ("infra.inventory",), "azure", inventory),
    ToolSpec("azure_describe_vm", "Details and power state of one Azure VM named by name or ARM id.",
             AzureDescribeArgs, "read", ("infra.describe",), "azure", describe_vm),
]
