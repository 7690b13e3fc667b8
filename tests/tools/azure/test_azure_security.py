"""The Azure security checks find exactly the planted problems and nothing on their clean
twins (an NSG allowing SSH from a private range only, web ports open on purpose, a deny
rule, an outbound rule, storage accounts without public blob access)."""

from __future__ import annotations

from sandbox.company import AzureAccount
from tools.base import ToolContext
from tools.registry import ToolRegistry

CONTRACT_FIELDS = ["check", "severity", "cloud", "region", "resource", "detail"]


def _planted_rules(account: AzureAccount, port: int | None = None) -> set[tuple[str, str, int]]:
    return {(nsg.name, rule.name, opened) for nsg in account.nsgs for rule in nsg.open_rules()
            for opened in rule.open_to_internet() if port is None or opened == port}


def test_open_nsg_rules_are_exactly_the_planted_ones(registry: ToolRegistry, ctx: ToolContext,
                                                      account: AzureAccount) -> None:
    result = registry.invoke("azure_open_nsg_rules", {}, ctx)
    assert result.status == "ok", result.summary
    found = {(row["nsg"], row["rule"], int(row["ports"])) for row in result.rows}
    planted = _planted_rules(account)
    assert len(planted) >= 3  # 0.0.0.0/0, * and the Internet tag are each planted
    assert found == planted
    clean = {nsg.name for nsg in account.nsgs if not nsg.open_rules()}
    assert clean and not clean & {row["nsg"] for row in result.rows}
    assert {row["severity"] for row in result.rows} == {"high"}  # SSH and RDP


def test_a_port_narrows_the_open_rules(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    result = registry.invoke("azure_open_nsg_rules", {"port": 3389}, ctx)
    assert {(row["nsg"], row["rule"], int(row["ports"])) for row in result.rows} == _planted_rules(account, 3389)


def test_storage_accounts_allowing_public_blob_access(registry: ToolRegistry, ctx: ToolContext,
                                                      account: AzureAccount) -> None:
    result = registry.invoke("azure_public_storage", {}, ctx)
    public = [sa.name for sa in account.public_storage_accounts()]
    assert public and len(public) < len(account.storage_accounts)  # a clean twin beside it
    assert [row["account"] for row in result.rows] == public
    assert result.facts == {"accounts_checked": len(account.storage_accounts), "public": len(public)}


def test_the_scan_reports_exactly_the_planted_problems(registry: ToolRegistry, ctx: ToolContext,
                                                        account: AzureAccount) -> None:
    result = registry.invoke("azure_security_scan", {}, ctx)
    assert result.status == "ok", result.summary
    assert result.columns == ["severity", "check", "name", "region", "detail"]  # chat shows names, not ARM ids
    assert all(set(CONTRACT_FIELDS) <= set(row) and row["cloud"] == "azure" for row in result.rows)
    assert all(row["name"] == row["resource"].rsplit("/", 1)[-1] for row in result.rows)
    found = {(row["check"], row["resource"]) for row in result.rows}
    expected = {("azure_nsg_open_to_internet", account.nsg_id(nsg)) for nsg in account.open_nsgs()}
    expected |= {("azure_storage_public_blob_access", account.storage_id(sa))
                 for sa in account.public_storage_accounts()}
    assert found == expected
    assert len(result.rows) == len(_planted_rules(account)) + len(account.public_storage_accounts())
    assert all("; fix: " in row["detail"] for row in result.rows)
    locations = {account.nsg_id(n): n.location for n in account.nsgs}
    locations |= {account.storage_id(s): s.location for s in account.storage_accounts}
    assert all(row["region"] == locations[row["resource"]] for row in result.rows)


def test_a_storage_account_named_in_the_words_is_answered_by_name(registry: ToolRegistry, ctx: ToolContext,
                                                                   account: AzureAccount) -> None:
    public = {sa.name for sa in account.public_storage_accounts()}
    closed = next(sa.name for sa in account.storage_accounts if sa.name not in public)
    result = registry.invoke("azure_public_storage", {"query": f"is {closed.upper()} open for anonymous reads, "
                                                               "we keep card data there"}, ctx)
    assert result.status == "no_data"
    assert result.summary.startswith(f"{closed} does not allow public blob access")
    assert all(name in result.summary for name in public)  # which ones do, beside it


def test_a_public_storage_account_named_narrows_to_it(registry: ToolRegistry, ctx: ToolContext,
                                                      account: AzureAccount) -> None:
    opened = account.public_storage_accounts()[0].name
    closed = next(sa.name for sa in account.storage_accounts if sa.name != opened)
    result = registry.invoke("azure_public_storage", {"query": f"compare {opened} and {closed} for public access"},
                             ctx)
    assert [row["account"] for row in result.rows] == [opened]
    assert f"{closed} does not allow public blob access" in result.summary


def test_words_naming_no_storage_account_leave_the_list_whole(registry: ToolRegistry, ctx: ToolContext,
                                                              account: AzureAccount) -> None:
    result = registry.invoke("azure_public_storage", {"query": "which blob stores can strangers read"}, ctx)
    assert {row["account"] for row in result.rows} == {sa.name for sa in account.public_storage_accounts()}
    assert "does not allow" not in result.summary
