"""dev18 (evals18a): the open-NSG check narrows to one NSG, or to the NSGs guarding one VM, when
it is named; a name that is neither (a service, a word) narrows nothing."""

from __future__ import annotations

from sandbox.company import AzureAccount
from tools.base import ToolContext
from tools.registry import ToolRegistry


def test_a_vm_named_narrows_to_its_own_nsg(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    opened = {nsg.name for nsg in account.open_nsgs()}
    guarded = [vm for vm in account.vms if vm.nsg in opened]
    assert len({vm.nsg for vm in guarded}) > 1  # several open NSGs, so narrowing shows
    for vm in guarded:
        result = registry.invoke("azure_open_nsg_rules", {"resource_id": vm.name}, ctx)
        assert result.status == "ok", result.summary
        assert {row["nsg"] for row in result.rows} == {vm.nsg}


def test_a_vm_whose_nsg_opens_nothing_says_so(registry: ToolRegistry, ctx: ToolContext,
                                              account: AzureAccount) -> None:
    opened = {nsg.name for nsg in account.open_nsgs()}
    closed = next(vm for vm in account.vms if vm.nsg and vm.nsg not in opened)
    result = registry.invoke("azure_open_nsg_rules", {"resource_id": closed.name}, ctx)
    assert result.status == "no_data"
    assert closed.name in result.summary and str(closed.nsg) in result.summary


def test_an_nsg_named_and_an_unknown_word(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    some = account.open_nsgs()[-1]
    result = registry.invoke("azure_open_nsg_rules", {"resource_id": some.name}, ctx)
    assert {row["nsg"] for row in result.rows} == {some.name}
    every = registry.invoke("azure_open_nsg_rules", {}, ctx)
    unknown = registry.invoke("azure_open_nsg_rules", {"resource_id": "payments"}, ctx)
    assert unknown.rows == every.rows


def test_a_name_from_another_resource_group_narrows_nothing(registry: ToolRegistry, ctx: ToolContext,
                                                            account: AzureAccount) -> None:
    groups = {nsg.resource_group for nsg in account.open_nsgs()}
    assert len(groups) > 1
    named = account.open_nsgs()[0]
    other = next(group for group in sorted(groups) if group != named.resource_group)
    whole = registry.invoke("azure_open_nsg_rules", {"resource_group": other}, ctx)
    asked = registry.invoke("azure_open_nsg_rules", {"resource_group": other, "resource_id": named.name}, ctx)
    assert asked.status == "ok" and asked.rows == whole.rows
    assert named.name not in {row["nsg"] for row in asked.rows}
