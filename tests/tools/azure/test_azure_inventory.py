"""Azure inventory and VM describe through the real management SDKs against the ARM
stand-in; every expectation is derived from sandbox/company.py."""

from __future__ import annotations

from sandbox.azure_api import AzureStandIn
from sandbox.company import AzureAccount
from tools.base import ToolContext
from tools.registry import ToolRegistry


def test_every_resource_is_listed_with_its_tags_and_vm_power_states(
        registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    result = registry.invoke("azure_inventory", {}, ctx)
    assert result.status == "ok", result.summary
    names = {row["name"]: row for row in result.rows}
    expected = ({vm.name for vm in account.vms} | {nsg.name for nsg in account.nsgs}
                | {sa.name for sa in account.storage_accounts})
    assert set(names) == expected
    for vm in account.vms:
        row = names[vm.name]
        assert (row["type"], row["state"], row["resource_group"], row["location"]) == (
            "vm", vm.power_state, vm.resource_group, vm.location)
        assert row["owner"] == vm.tags["owner"] and row["service"] == vm.service
        assert row["tags"] == ", ".join(f"{k}={v}" for k, v in sorted(vm.tags.items()))
    assert result.facts["count_vm"] == len(account.vms)


def test_resource_groups_are_listed_with_their_tags(registry: ToolRegistry, ctx: ToolContext,
                                                     account: AzureAccount) -> None:
    result = registry.invoke("azure_inventory", {"resource_type": "resource_group"}, ctx)
    assert {(row["name"], row["location"], row["env"], row["owner"]) for row in result.rows} == {
        (g.name, g.location, g.env, g.tags["owner"]) for g in account.resource_groups}


def test_one_resource_groups_vms_by_the_routers_word_for_instances(
        registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    result = registry.invoke("azure_inventory", {"resource_group": "rg-payments", "resource_type": "ec2"}, ctx)
    assert result.status == "ok"
    assert {row["name"]: row["state"] for row in result.rows} == {
        vm.name: vm.power_state for vm in account.vms if vm.resource_group == "rg-payments"}


def test_an_unknown_resource_group_is_named(registry: ToolRegistry, ctx: ToolContext) -> None:
    result = registry.invoke("azure_inventory", {"resource_group": "rg-nowhere"}, ctx)
    assert result.status == "error"
    assert "rg-nowhere" in result.summary and "could not be found" in result.summary


def test_a_location_nothing_is_in_says_where_things_are(registry: ToolRegistry, ctx: ToolContext,
                                                         account: AzureAccount) -> None:
    result = registry.invoke("azure_inventory", {"resource_type": "vm", "region": "narnia-east"}, ctx)
    assert result.status == "no_data"
    locations = ", ".join(sorted({vm.location for vm in account.vms}))
    assert result.summary == (f"No Azure vm in location narnia-east in subscription {account.subscription_id}; "
                              f"they are in {locations}.")


def test_a_real_location_with_nothing_matching_stays_a_plain_no_match(registry: ToolRegistry, ctx: ToolContext,
                                                                      account: AzureAccount) -> None:
    location = account.vms[0].location
    result = registry.invoke("azure_inventory", {"resource_type": "vm", "region": location,
                                                 "service": "no-such-service"}, ctx)
    assert result.status == "no_data"
    assert result.summary == f"No Azure vm matched in subscription {account.subscription_id}."


def test_the_sdk_speaks_arm_with_a_bearer_token_and_api_versions(registry: ToolRegistry, ctx: ToolContext,
                                                                   arm: AzureStandIn) -> None:
    registry.invoke("azure_inventory", {}, ctx)
    assert arm.calls
    assert all(call.headers["authorization"] == f"Bearer {arm.token}" for call in arm.calls)
    assert all(call.arg("api-version") for call in arm.calls)
    paths = {call.path.lower() for call in arm.calls}
    assert f"/subscriptions/{arm.account.subscription_id}/providers/microsoft.compute/virtualmachines" in paths


def test_describe_a_vm_by_name_and_by_arm_id(registry: ToolRegistry, ctx: ToolContext,
                                               account: AzureAccount) -> None:
    vm = account.vm("win-build-1")
    ident = account.resource_id(vm.resource_group, "Microsoft.Compute", "virtualMachines", vm.name)
    for named in (vm.name, ident):
        result = registry.invoke("azure_describe_vm", {"resource_id": named}, ctx)
        assert result.status == "ok", result.summary
        facts = result.facts
        assert (facts["id"], facts["state"], facts["size"], facts["os_type"], facts["resource_group"]) == (
            ident, vm.power_state, vm.size, vm.os_type, vm.resource_group)
        assert result.summary.startswith(f"Azure VM {vm.name} is {vm.power_state} in {vm.location}")


def test_a_vm_described_by_its_os_resolves_when_only_one_runs_it(registry: ToolRegistry, ctx: ToolContext,
                                                                 account: AzureAccount) -> None:
    """"the windows one": the one VM whose OS the words name (here the only Windows VM)."""
    [windows] = [vm for vm in account.vms if vm.os_type == "Windows"]
    result = registry.invoke("azure_describe_vm", {"resource_id": "details on the windows box please"}, ctx)
    assert result.status == "ok", result.summary
    assert result.facts["name"] == windows.name and result.facts["size"] == windows.size


def test_an_unknown_vm_gets_a_clear_message(registry: ToolRegistry, ctx: ToolContext,
                                            account: AzureAccount) -> None:
    result = registry.invoke("azure_describe_vm", {"resource_id": "payments-worker-9"}, ctx)
    assert result.status == "error"
    assert result.summary.startswith(f"No Azure VM named payments-worker-9 in subscription {account.subscription_id}")
    assert all(vm.name in result.summary for vm in account.vms)  # what does exist, to pick from


def test_a_misnumbered_vm_points_to_its_numbered_siblings_with_their_size(
        registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    siblings = sorted((vm for vm in account.vms if vm.name.startswith("web-frontend-") and vm.name[-1].isdigit()),
                      key=lambda vm: vm.name)
    assert siblings
    result = registry.invoke("azure_describe_vm", {"resource_id": "web-frontend-7"}, ctx)
    assert result.status == "error"
    closest = result.summary.split("Closest: ", 1)[1]
    assert closest == "; ".join(f"{vm.name} ({vm.size})" for vm in siblings) + "."
    unlike = registry.invoke("azure_describe_vm", {"resource_id": "zebra"}, ctx)  # near nothing
    assert "Closest" not in unlike.summary
