"""dev19 (evals19b): one Azure service's spend ("what did our blob storage cost", "the VMs per
resource group") is that service's lines alone, by service or by resource group (a ServiceName
filter Cost Management evaluates); the words people use map to the
ServiceName Cost Management knows. The figures are the company's cost lines over the same days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from agents.route import Route
from agents.specialists import azure_service_named
from sandbox.company import AzureAccount, utc_today
from tools.azure.cost import service_name
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _last_month() -> tuple[date, date]:
    end = utc_today().replace(day=1)
    return (end - timedelta(days=1)).replace(day=1), end


def test_one_services_spend_by_resource_group(registry: ToolRegistry, ctx: ToolContext,
                                               account: AzureAccount) -> None:
    begin, stop = _last_month()
    result = registry.invoke("azure_cost_summary", {"start": begin.isoformat(), "end": stop.isoformat(),
                                                    "group_by": "resource_group", "service_name": "blob"}, ctx)
    assert result.status == "ok", result.summary
    groups = {line.resource_group for line in account.cost_lines if line.service_name == "Storage"}
    expected = {group: account.total_cost(begin, stop, service_name="Storage", resource_group=group)
                for group in groups}
    assert {row["resource_group"]: row["cost"] for row in result.rows} == pytest.approx(expected, abs=0.011)
    assert result.facts["total"] == pytest.approx(account.total_cost(begin, stop, service_name="Storage"), abs=0.05)
    assert result.facts["service_name"] == "Storage" and "Storage" in result.summary


def test_one_services_spend_by_service_is_its_one_line(registry: ToolRegistry, ctx: ToolContext,
                                                        account: AzureAccount) -> None:
    begin, stop = _last_month()
    result = registry.invoke("azure_cost_summary", {"start": begin.isoformat(), "end": stop.isoformat(),
                                                    "service_name": "Bandwidth"}, ctx)
    assert [row["service"] for row in result.rows] == ["Bandwidth"]
    assert result.facts["total"] == pytest.approx(account.total_cost(begin, stop, service_name="Bandwidth"), abs=0.05)


@pytest.mark.parametrize(("said", "meant"), [("VMs", "Virtual Machines"), ("egress", "Bandwidth"),
                                             ("vnet", "Virtual Network"), ("Cosmos DB", "Cosmos DB")])
def test_words_for_a_service_are_its_service_name(said: str, meant: str) -> None:
    assert service_name(said) == meant


def _spend(text: str, slots: dict | None = None) -> Route:
    return Route(text=text, agent="cost", skill="cost.summary", confidence=0.9, slots=slots or {})


def test_a_spend_question_naming_one_azure_service_narrows_to_it() -> None:
    assert azure_service_named(_spend("how much did the azure virtual machines run us in march")) == "vms"
    assert azure_service_named(_spend("what did those cost?", {"resource_type": "ec2", "cloud": "azure"})) == "vms"


def test_none_or_several_services_named_narrow_nothing() -> None:
    assert azure_service_named(_spend("azure bill for march please")) is None
    assert azure_service_named(_spend("azure vms vs storage for march, side by side")) is None
