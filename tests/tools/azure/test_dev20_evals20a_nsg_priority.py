"""dev20 (evals20a): each open NSG rule is shown with its priority, which says whether a deny
rule evaluated before it would still block the traffic."""

from __future__ import annotations

from sandbox.company import AzureAccount
from tools.base import ToolContext
from tools.registry import ToolRegistry


def test_open_rules_show_their_priority(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    result = registry.invoke("azure_open_nsg_rules", {}, ctx)
    assert result.status == "ok", result.summary
    assert "priority" in result.columns
    expected = {(nsg.name, rule.name): rule.priority for nsg in account.open_nsgs() for rule in nsg.open_rules()}
    shown = {(row["nsg"], row["rule"]): row["priority"] for row in result.rows}
    assert shown == expected
