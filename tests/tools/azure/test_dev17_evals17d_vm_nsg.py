"""dev17 (evals17d): a VM's description names the network security groups guarding its network
interfaces (from the groups' own list of the interfaces they are attached to)."""

from __future__ import annotations

from sandbox.company import AzureAccount
from tools.base import ToolContext
from tools.registry import ToolRegistry


def test_a_vm_names_the_nsg_on_its_interface(registry: ToolRegistry, ctx: ToolContext,
                                             account: AzureAccount) -> None:
    guarded = [vm for vm in account.vms if vm.nsg]
    assert guarded
    for vm in guarded:
        result = registry.invoke("azure_describe_vm", {"resource_id": vm.name}, ctx)
        assert result.status == "ok", result.summary
        assert result.facts["network_security_groups"] == vm.nsg
        assert f"NSG {vm.nsg}" in result.summary


def test_a_vm_with_no_nsg_names_none(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    bare = [vm for vm in account.vms if not vm.nsg]
    assert bare
    result = registry.invoke("azure_describe_vm", {"resource_id": bare[0].name}, ctx)
    assert result.status == "ok", result.summary
    assert not result.facts.get("network_security_groups") and "NSG" not in result.summary
