"""Azure spend by service and by resource group through the Cost Management query API;
the figures are the company's cost lines summed over the same days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.azure_api import AzureStandIn
from sandbox.company import AzureAccount, utc_today
from sandbox.company import days_between as company_days
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _window() -> tuple[str, str]:
    end = utc_today().replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    return start.isoformat(), end.isoformat()  # last month


@pytest.mark.parametrize("group_by", ["service", "resource_group"])
def test_last_months_spend_by_service_and_by_resource_group(
        registry: ToolRegistry, ctx: ToolContext, account: AzureAccount, arm: AzureStandIn, group_by: str) -> None:
    start, end = _window()
    result = registry.invoke("azure_cost_summary", {"start": start, "end": end, "group_by": group_by}, ctx)
    assert result.status == "ok", result.summary
    begin, stop = utc_today().fromisoformat(start), utc_today().fromisoformat(end)
    if group_by == "service":
        names = {line.service_name for line in account.cost_lines}
        expected = {n: account.total_cost(begin, stop, service_name=n) for n in names}
    else:
        names = {line.resource_group for line in account.cost_lines}
        expected = {n: account.total_cost(begin, stop, resource_group=n) for n in names}
    assert {row[group_by]: row["cost"] for row in result.rows} == pytest.approx(expected, abs=0.011)
    assert [row["cost"] for row in result.rows] == sorted((row["cost"] for row in result.rows), reverse=True)
    assert result.facts["total"] == pytest.approx(account.total_cost(begin, stop), abs=0.05)
    query = next(call for call in arm.calls if call.path.lower().endswith("/microsoft.costmanagement/query"))
    assert query.method == "POST" and query.body["timeframe"] == "Custom"


def test_one_resource_groups_spend(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount) -> None:
    start, end = _window()
    result = registry.invoke("azure_cost_summary", {"start": start, "end": end, "resource_group": "rg-web"}, ctx)
    begin, stop = utc_today().fromisoformat(start), utc_today().fromisoformat(end)
    assert result.facts["total"] == pytest.approx(account.total_cost(begin, stop, resource_group="rg-web"), abs=0.05)
    assert {row["service"] for row in result.rows} == {
        line.service_name for line in account.cost_lines if line.resource_group == "rg-web"}


@pytest.mark.parametrize(("kind", "service_name"), [("vm", "Virtual Machines"), ("ec2", "Virtual Machines"),
                                                  ("storage account", "Storage")])
def test_one_kind_of_resources_spend_is_its_services(registry: ToolRegistry, ctx: ToolContext, account: AzureAccount,
                                                     arm: AzureStandIn, kind: str, service_name: str) -> None:
    """"what do our azure vms cost per resource group": the Virtual Machines service's spend,
    filtered by Cost Management itself (a ServiceName dimension filter), per group."""
    start, end = _window()
    result = registry.invoke("azure_cost_summary", {"start": start, "end": end, "group_by": "resource_group",
                                                    "service_name": kind}, ctx)
    begin, stop = utc_today().fromisoformat(start), utc_today().fromisoformat(end)
    expected = {group: account.total_cost(begin, stop, service_name=service_name, resource_group=group)
                for group in {line.resource_group for line in account.cost_lines if line.service_name == service_name}}
    assert {row["resource_group"]: row["cost"] for row in result.rows} == pytest.approx(expected, abs=0.011)
    assert result.summary.startswith(f"Azure spend for {service_name} in the subscription from {start}")
    query = [call for call in arm.calls if call.path.lower().endswith("/microsoft.costmanagement/query")][-1]
    assert query.body["dataset"]["filter"] == {"dimensions": {"name": "ServiceName", "operator": "In",
                                                             "values": [service_name]}}


def test_a_service_azure_has_no_spend_for_says_so(registry: ToolRegistry, ctx: ToolContext) -> None:
    start, end = _window()
    result = registry.invoke("azure_cost_summary", {"start": start, "end": end, "service_name": "Cosmos DB"}, ctx)
    assert result.status == "no_data"
    assert result.summary.startswith("Azure Cost Management has no spend for Cosmos DB in the subscription from")


def test_the_stand_in_refuses_a_filter_it_does_not_evaluate(arm: AzureStandIn, ctx: ToolContext) -> None:
    import requests

    start, end = _window()
    body = {"type": "ActualCost", "timeframe": "Custom", "timePeriod": {"from": f"{start}T00:00:00Z",
                                                                        "to": f"{end}T00:00:00Z"},
            "dataset": {"granularity": "None", "grouping": [{"type": "Dimension", "name": "ServiceName"}],
                        "filter": {"tags": {"name": "env", "operator": "In", "values": ["prod"]}}}}
    scope = f"{arm.url}/subscriptions/{arm.account.subscription_id}"
    reply = requests.post(f"{scope}/providers/Microsoft.CostManagement/query?api-version=2023-03-01", json=body,
                          headers={"Authorization": f"Bearer {arm.token}"}, timeout=5,
                          verify=arm.env()["GUARDIAN_AZURE_CA_BUNDLE"])
    assert reply.status_code == 400 and "ServiceName" in reply.json()["error"]["message"]


def test_spend_comes_with_each_biggest_groups_daily_series_for_a_chart(
        registry: ToolRegistry, ctx: ToolContext, account: AzureAccount, arm: AzureStandIn) -> None:
    start, end = _window()
    result = registry.invoke("azure_cost_summary", {"start": start, "end": end}, ctx)
    begin, stop = utc_today().fromisoformat(start), utc_today().fromisoformat(end)
    names = {line.service_name for line in account.cost_lines}
    ranked = sorted(names, key=lambda n: account.total_cost(begin, stop, service_name=n), reverse=True)
    assert list(result.facts["daily"]) == ranked[:3]
    days = company_days(begin, stop)
    for name, series in result.facts["daily"].items():
        assert [day for day, _amount in series] == [d.isoformat() for d in days]
        assert [amount for _day, amount in series] == pytest.approx(
            [account.total_cost(d, d + timedelta(days=1), service_name=name) for d in days], abs=0.011)
    query = next(call for call in reversed(arm.calls)
                 if call.path.lower().endswith("/microsoft.costmanagement/query"))
    assert query.body["dataset"]["granularity"] == "Daily"
