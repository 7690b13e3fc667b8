"""dev22 (evals22a): a resource group typed with one slip of the keyboard ("rg-paymnets") that no
group has, but exactly one group is one slip from, is read as that group, and the answer says so;
a name far from every group is still reported missing."""

from __future__ import annotations

import pytest

from sandbox.company import AzureAccount
from tools.azure.client import _one_slip_apart
from tools.base import ToolContext
from tools.registry import ToolRegistry


@pytest.mark.parametrize(("typed", "name"), [("rg-paymnets", "rg-payments"), ("rg-pyments", "rg-payments"),
                                             ("rg-paymentss", "rg-payments"), ("rg-wbe", "rg-web")])
def test_one_slip_apart(typed: str, name: str) -> None:
    assert _one_slip_apart(typed, name)


@pytest.mark.parametrize(("typed", "name"), [("rg-pay", "rg-payments"), ("rg-web", "rg-web"), ("rg-bew", "rg-web")])
def test_more_than_one_slip_or_none_is_not_a_slip(typed: str, name: str) -> None:
    assert not _one_slip_apart(typed, name)


def test_open_rules_of_a_slipped_group_name_are_that_groups(registry: ToolRegistry, ctx: ToolContext,
                                                             account: AzureAccount) -> None:
    group = next(nsg.resource_group for nsg in account.open_nsgs())
    slipped = group[:-2] + group[-1] + group[-2]  # the last two letters swapped
    result = registry.invoke("azure_open_nsg_rules", {"resource_group": slipped}, ctx)
    assert result.status == "ok", result.summary
    assert {row["resource_group"] for row in result.rows} == {group}
    assert f"as resource group {group}" in result.summary


def test_public_storage_of_a_slipped_group_name(registry: ToolRegistry, ctx: ToolContext,
                                                account: AzureAccount) -> None:
    group = account.public_storage_accounts()[0].resource_group
    result = registry.invoke("azure_public_storage", {"resource_group": group + "x"}, ctx)
    assert result.status == "ok", result.summary
    assert [row["account"] for row in result.rows] == [sa.name for sa in account.public_storage_accounts()
                                                       if sa.resource_group == group]


def test_a_name_far_from_every_group_is_still_missing(registry: ToolRegistry, ctx: ToolContext) -> None:
    result = registry.invoke("azure_open_nsg_rules", {"resource_group": "rg-nowhere-at-all"}, ctx)
    assert result.status != "ok"
