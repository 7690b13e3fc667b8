"""The Azure write tool: start, stop (power off), deallocate or restart one VM. Its preflight
resolves the VM (name or ARM id) and refuses impossible transitions before anyone is asked to
approve; the VM's ARM id and resource group are pinned into the approval (``pins``), so the
write acts on exactly the VM the approver saw, and the fingerprint (id, state) is checked
again just before the write runs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tools.azure.client import arm, resource_group_of
from tools.azure.errors import azure_errors
from tools.azure.inventory import find_vm, power_state, vm_power
from tools.base import ToolContext, ToolResult, ToolSpec

VmAction = Literal["start", "stop", "deallocate", "restart"]
# The power states each action may start from.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    "start": ("stopped", "deallocated"),
    "stop": ("running", "starting"),
    "deallocate": ("running", "stopped"),
    "restart": ("running",),
}
SYNONYMS = {"reboot": "restart", "power_off": "stop", "poweroff": "stop", "shutdown": "stop"}
PERMISSION = {"start": "start", "stop": "powerOff", "deallocate": "deallocate", "restart": "restart"}
VERB = {"start": "Started", "stop": "Stopped", "deallocate": "Deallocated", "restart": "Restarted"}


class AzureVmActionArgs(BaseModel):
    resource_id: str = Field(min_length=1, description="The VM's name or ARM id.")
    action: VmAction = Field(description="start, stop (power off, still billed), deallocate (stops billing "
                                         "for compute) or restart.")
    resource_group: str | None = Field(default=None, description="Its resource group, when names repeat.")

    @field_validator("action", mode="before")
    @classmethod
    def _synonym(cls, value: Any) -> Any:
        return SYNONYMS.get(str(value).lower(), value) if isinstance(value, str) else value


def _refusal(action: str, name: str, state: str) -> str | None:
    if state in ALLOWED_FROM[action]:
        return None
    return f"Cannot {action} Azure VM {name}: it is {state} (it must be {' or '.join(ALLOWED_FROM[action])})."


@azure_errors("reading the virtual machine", "Microsoft.Compute/virtualMachines/read")
def preflight(ctx: ToolContext, args: AzureVmActionArgs) -> ToolResult:
    vm = find_vm(ctx, args.resource_id, args.resource_group)
    state, group = vm_power(vm), resource_group_of(vm.id)
    refusal = _refusal(args.action, vm.name, state)
    if refusal:
        return ToolResult.error(refusal)
    return ToolResult(status="ok", summary=f"{args.action} Azure VM {vm.name} ({state}, {group}, {vm.location})",
                      facts={"resource_id": vm.id, "resource_group": group, "name": vm.name, "state": state,
                             "location": vm.location, "action": args.action,
                             "target": {"vm": vm.id, "state": state}},
                      resources=[vm.name, vm.id])


def _run(ctx: ToolContext, args: AzureVmActionArgs) -> ToolResult:
    vm = find_vm(ctx, args.resource_id, args.resource_group)
    before, group = vm_power(vm), resource_group_of(vm.id)
    refusal = _refusal(args.action, vm.name, before)
    if refusal:
        return ToolResult.error(refusal)
    machines = arm(ctx, "compute").virtual_machines
    begin = {"start": machines.begin_start, "stop": machines.begin_power_off,
             "deallocate": machines.begin_deallocate, "restart": machines.begin_restart}[args.action]
    begin(group, vm.name).result()
    after = power_state(machines.instance_view(group, vm.name))
    return ToolResult(status="ok", summary=f"{VERB[args.action]} Azure VM {vm.name} in {group}: {before} -> {after}.",
                      facts={"resource_id": vm.id, "name": vm.name, "resource_group": group, "action": args.action,
                             "previous_state": before, "current_state": after},
                      resources=[vm.name, vm.id])


def vm_action(ctx: ToolContext, args: AzureVmActionArgs) -> ToolResult:
    """The write, with the permission its action needs named if Azure denies it."""
    permission = f"Microsoft.Compute/virtualMachines/{PERMISSION[args.action]}/action"
    return azure_errors(f"the {args.action} of the virtual machine", permission)(_run)(ctx, args)


ACTION_TOOLS: list[ToolSpec] = [
    ToolSpec("azure_vm_action", "Start, stop (power off), deallocate or restart one Azure VM (needs approval).",
             AzureVmActionArgs, "write", ("infra.action",), "azure", vm_action, preflight=preflight,
             pins=("resource_id", "resource_group")),
]
