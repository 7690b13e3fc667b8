"""Azure questions reach the Azure tools: the router's skill, the slots a question names
(a resource group, deallocate, "by resource group") and each agent's plan. A question that
names no cloud is answered by the first cloud (AWS), one that names Azure or its own words
(NSG, storage account, resource group) by Azure, one that names several clouds by each."""

from __future__ import annotations

import pytest

from agents.router import SkillRouter
from agents.specialists import specialist_for
from tools.aws import AWS_TOOLS
from tools.azure import AZURE_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow
REGISTRY = ToolRegistry([*AWS_TOOLS, *AZURE_TOOLS, *KNOWLEDGE_TOOLS])


def plan_of(router: SkillRouter, text: str) -> tuple[str, list[tuple[str, dict[str, object]]]]:
    route = router.route(text)
    plan = specialist_for(route.skill).plan(route, REGISTRY)
    calls = [(call.spec.name, call.args) for call in plan.reads]
    if plan.write:
        calls.append((plan.write.spec.name, plan.write.args))
    return route.skill, calls


def _without_query(args: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in args.items() if key != "query"}


def test_running_vms_of_a_resource_group(router: SkillRouter) -> None:
    skill, calls = plan_of(router, "which azure VMs are running in rg-payments?")
    assert skill == "infra.inventory"
    assert [(name, _without_query(args)) for name, args in calls] == [
        ("azure_inventory", {"resource_type": "ec2", "resource_group": "rg-payments"})]


@pytest.mark.parametrize(("text", "action", "vm"), [
    ("stop the vm payments-worker-1 in azure", "stop", "payments-worker-1"),
    ("deallocate the azure vm payments-worker-2", "deallocate", "payments-worker-2"),
    ("restart jump-host-1 in azure", "reboot", "jump-host-1"),
])
def test_vm_power_actions_are_azure_writes(router: SkillRouter, text: str, action: str, vm: str) -> None:
    skill, calls = plan_of(router, text)
    assert skill == "infra.action"
    [(name, args)] = calls
    assert name == "azure_vm_action" and args["action"] == action and args["resource_id"] == vm


def test_open_nsgs(router: SkillRouter) -> None:
    skill, calls = plan_of(router, "any NSG open to the internet in azure?")
    assert skill == "security.open_ports" and [name for name, _ in calls] == ["azure_open_nsg_rules"]


def test_spend_by_resource_group(router: SkillRouter) -> None:
    skill, calls = plan_of(router, "azure spend last month by resource group")
    assert skill == "cost.summary"
    [(name, args)] = calls
    assert name == "azure_cost_summary" and args["group_by"] == "resource_group"
    assert (args["start"], args["end"]) == ("2025-05-01", "2025-06-01")  # the router's fixed now: June 2025


def test_a_question_naming_no_cloud_stays_with_aws(router: SkillRouter) -> None:
    skill, calls = plan_of(router, "which buckets are public?")
    assert skill == "security.public_storage" and [name for name, _ in calls] == ["aws_public_buckets"]


def test_a_question_naming_both_clouds_asks_each(router: SkillRouter) -> None:
    skill, calls = plan_of(router, "how much did we spend on aws and azure last month?")
    assert skill == "cost.summary"
    assert {name for name, _ in calls} == {"aws_cost_by_service", "azure_cost_summary"}
