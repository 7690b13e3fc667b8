"""dev18 (evals18c): a listing of resource groups says where each group is."""

from __future__ import annotations

from sandbox.company import AzureAccount
from tools.base import ToolContext
from tools.registry import ToolRegistry


def test_a_listing_of_groups_names_each_groups_location(
        registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    result = registry.invoke("azure_inventory", {"resource_type": "resource_group"}, ctx)
    assert result.summary.startswith(f"{len(account.resource_groups)} resource groups")
    for group in account.resource_groups:
        assert f"{group.name} ({group.location})" in result.summary
