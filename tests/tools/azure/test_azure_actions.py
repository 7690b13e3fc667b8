"""The Azure VM power actions: never run without a claimed approval, refused before anyone
is asked when the VM is unknown or cannot make that transition, and, once approved, they
change the VM's state in the stand-in through the SDK's long-running operations."""

from __future__ import annotations

import pytest

from sandbox.azure_api import AzureStandIn
from sandbox.company import AzureAccount
from tests.helpers import approved_call
from tools.base import ToolContext
from tools.registry import ToolRegistry, WriteNotApproved


def test_a_write_never_runs_without_an_approval(registry: ToolRegistry, ctx: ToolContext,
                                                arm: AzureStandIn) -> None:
    with pytest.raises(WriteNotApproved):
        registry.invoke("azure_vm_action", {"resource_id": "payments-worker-1", "action": "stop"}, ctx)
    assert arm.writes == []
    assert arm.power["payments-worker-1"] == "running"


def test_the_preview_pins_the_vm_and_changes_nothing(registry: ToolRegistry, ctx: ToolContext,
                                                     arm: AzureStandIn, account: AzureAccount) -> None:
    vm = account.vm("payments-worker-1")
    preview = registry.preview("azure_vm_action", {"resource_id": vm.name, "action": "stop"}, ctx)
    assert preview.status == "ok", preview.summary
    ident = account.resource_id(vm.resource_group, "Microsoft.Compute", "virtualMachines", vm.name)
    assert preview.facts["resource_id"] == ident and preview.facts["resource_group"] == vm.resource_group
    assert preview.facts["target"] == {"vm": ident, "state": "running"}
    assert arm.writes == []


@pytest.mark.parametrize(("action", "name", "after"), [
    ("stop", "payments-worker-1", "stopped"),
    ("deallocate", "payments-worker-2", "deallocated"),
    ("start", "payments-batch-1", "running"),
    ("restart", "jump-host-1", "running"),
])
def test_an_approved_action_changes_the_vm(registry: ToolRegistry, ctx: ToolContext, arm: AzureStandIn,
                                           account: AzureAccount, action: str, name: str, after: str) -> None:
    vm = account.vm(name)
    args = {"resource_id": name, "action": action}
    target = registry.preview("azure_vm_action", args, ctx).facts["target"]
    done = registry.execute(approved_call("azure_vm_action", args, target), ctx)
    assert done.status == "ok", done.summary
    assert (done.facts["previous_state"], done.facts["current_state"]) == (vm.power_state, after)
    assert arm.power[name] == after
    verbs = {"stop": "poweroff", "deallocate": "deallocate", "start": "start", "restart": "restart"}
    assert [call.path.rsplit("/", 1)[1].lower() for call in arm.writes] == [verbs[action]]


def test_the_routers_reboot_is_a_restart(registry: ToolRegistry, ctx: ToolContext) -> None:
    preview = registry.preview("azure_vm_action", {"resource_id": "jump-host-1", "action": "reboot"}, ctx)
    assert preview.status == "ok" and preview.facts["action"] == "restart"


def test_impossible_transitions_and_unknown_vms_are_refused_before_approval(
        registry: ToolRegistry, ctx: ToolContext, arm: AzureStandIn) -> None:
    started = registry.preview("azure_vm_action", {"resource_id": "payments-worker-1", "action": "start"}, ctx)
    assert started.status == "error"
    assert started.summary == ("Cannot start Azure VM payments-worker-1: it is running (it must be stopped or "
                               "deallocated).")
    unknown = registry.preview("azure_vm_action", {"resource_id": "payments-worker-9", "action": "stop"}, ctx)
    assert unknown.status == "error" and unknown.summary.startswith("No Azure VM named payments-worker-9")
    assert arm.writes == []


def test_an_approval_is_refused_when_the_vm_changed_since(registry: ToolRegistry, ctx: ToolContext,
                                                          arm: AzureStandIn) -> None:
    args = {"resource_id": "web-frontend-1", "action": "stop"}
    target = registry.preview("azure_vm_action", args, ctx).facts["target"]
    arm.power["web-frontend-1"] = "deallocated"  # someone else acted in between
    result = registry.execute(approved_call("azure_vm_action", args, target), ctx)
    assert result.status == "error" and result.summary.startswith("Not done:")
    assert arm.writes == []
