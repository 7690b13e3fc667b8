"""Azure questions to the real `guardian` CLI against the sandbox's ARM stand-in, through
the real Azure management SDKs; expectations derived from sandbox/company.py. The VM stop
waits for an approval and only then changes the VM in the stand-in; a missing subscription
skips Azure in the scan with one line while AWS answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from sandbox.company import DRIFTWOOD, DRIFTWOOD_AZURE, utc_today
from tests.e2e.conftest import Cli
from tests.scan_expectations import azure_expected_pairs, expected_pairs

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
AZURE = DRIFTWOOD_AZURE


@pytest.fixture
def azure_as_seeded(sandbox: Any) -> Iterator[Any]:
    """Every Azure VM in its seeded power state, before and after the test; no calls recorded."""
    sandbox.azure.reset()
    sandbox.azure.clear_calls()
    yield sandbox.azure
    sandbox.azure.reset()


def ask(cli: Cli, question: str, user: str = "alice") -> dict[str, Any]:
    result = cli("ask", "--json", "--user", user, question)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.last


def lead(answer: dict[str, Any]) -> str:
    return str(answer["answer"]).split("\n\n")[0]


def test_running_vms_of_one_resource_group(cli: Cli, azure_as_seeded: Any) -> None:
    answer = ask(cli, "which azure VMs are running in rg-payments?")
    assert answer["skill"] == "infra.inventory"
    assert [tool["name"] for tool in answer["tools"]] == ["azure_inventory"]
    group = [vm for vm in AZURE.vms if vm.resource_group == "rg-payments"]
    running = [vm.name for vm in group if vm.power_state == "running"]
    assert running and len(running) < len(group)  # a VM that is not running, so the filter is tested
    assert lead(answer) == f"{len(running)} of {len(group)} Azure VMs are running: {', '.join(running)}."
    assert set(answer["resources"]) == set(running)


def test_stop_waits_for_approval_then_changes_the_vm(cli: Cli, azure_as_seeded: Any) -> None:
    arm = azure_as_seeded
    vm = AZURE.vm("payments-worker-1")
    assert arm.power[vm.name] == "running"
    answer = ask(cli, f"stop the vm {vm.name} in azure")
    assert answer["skill"] == "infra.action"
    pending = answer["pending_approval"]
    assert pending and vm.name in pending["summary"]
    assert [c["source"] for c in answer["citations"]] == ["azure-vm-unresponsive.md"]  # not the EC2 runbook
    assert arm.power[vm.name] == "running" and arm.writes == []
    approved = cli("approvals", "approve", pending["id"], "--user", "bob", "--json")
    assert approved.returncode == 0, approved.stderr
    assert arm.power[vm.name] == "stopped"
    assert [call.path.rsplit("/", 1)[1].lower() for call in arm.writes] == ["poweroff"]


def test_an_unknown_vm_is_named_and_nothing_waits_for_approval(cli: Cli, azure_as_seeded: Any) -> None:
    answer = ask(cli, "stop the vm payments-worker-9 in azure")
    assert answer["pending_approval"] is None
    assert lead(answer).startswith("No Azure VM named payments-worker-9")
    assert azure_as_seeded.writes == []


def test_open_nsgs_are_exactly_the_planted_ones(cli: Cli) -> None:
    answer = ask(cli, "any NSG open to the internet in azure?")
    assert answer["skill"] == "security.open_ports"
    assert [tool["name"] for tool in answer["tools"]] == ["azure_open_nsg_rules"]
    assert set(answer["resources"]) == {nsg.name for nsg in AZURE.open_nsgs()}
    assert not any(nsg.name in answer["answer"] for nsg in AZURE.nsgs if not nsg.open_rules())
    assert [c["source"] for c in answer["citations"]] == ["azure-nsg-open-to-internet.md"]


def test_public_storage_accounts_cite_the_azure_runbook(cli: Cli) -> None:
    answer = ask(cli, "which azure storage accounts allow public blob access?")
    assert answer["skill"] == "security.public_storage"
    assert [tool["name"] for tool in answer["tools"]] == ["azure_public_storage"]
    assert {a.name for a in AZURE.public_storage_accounts()} <= set(answer["resources"])
    assert [c["source"] for c in answer["citations"]] == ["azure-storage-public-blob-access.md"]


def test_the_posture_of_azure_is_its_own_scan_not_aws(cli: Cli) -> None:
    answer = ask(cli, "what's our azure security posture?")
    assert answer["skill"] == "security.posture"
    assert [tool["name"] for tool in answer["tools"]] == ["azure_security_scan"]
    planted = azure_expected_pairs()
    assert set(answer["resources"]) == {resource.rsplit("/", 1)[-1] for _check, resource in planted}
    # one finding per port an open rule exposes
    rules = sum(len(rule.open_to_internet()) for nsg in AZURE.nsgs for rule in nsg.open_rules())
    assert answer["answer"].startswith(f"Azure: {rules + len(AZURE.public_storage_accounts())} findings (")


def test_last_months_spend_by_resource_group(cli: Cli) -> None:
    answer = ask(cli, "azure spend last month by resource group")
    assert answer["skill"] == "cost.summary"
    [tool] = answer["tools"]
    assert tool["name"] == "azure_cost_summary" and tool["args"]["group_by"] == "resource_group"
    end = utc_today().replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    for group in AZURE.resource_groups:
        spent = AZURE.total_cost(start, end, resource_group=group.name)
        assert f"| {group.name} | ${spent:,.2f} |" in answer["answer"]
    assert f"${AZURE.total_cost(start, end):,.2f}" in lead(answer)
    # the chart (its last points as a table in markdown): each biggest group's spend on the last day
    ranked = sorted(AZURE.resource_groups, key=lambda g: AZURE.total_cost(start, end, resource_group=g.name),
                    reverse=True)
    last = end - timedelta(days=1)
    cells = " | ".join(f"${AZURE.total_cost(last, end, resource_group=g.name):,.2f}" for g in ranked[:3])
    assert f"| {last.isoformat()} | {cells} |" in answer["answer"]


def test_the_scan_skips_azure_without_a_subscription_and_aws_answers(cli: Cli, sandbox: Any) -> None:
    env = {key: value for key, value in cli.env.items() if key != "AZURE_SUBSCRIPTION_ID"}
    scan = cli("scan", "security", "--json", env=env)
    assert scan.returncode == 0, scan.stderr[-800:]
    assert scan.stderr.strip().splitlines() == ["guardian: skipped azure_security_scan: Azure is not configured: "
                                                "it needs a subscription (set AZURE_SUBSCRIPTION_ID)."]
    assert "azure" not in {line["cloud"] for line in scan.json_lines}
    aws = {(line["check"], line["resource"]) for line in scan.json_lines if line["cloud"] == "aws"}
    assert aws == expected_pairs(DRIFTWOOD, sandbox.seeded)


def test_the_scan_names_a_throttled_azure_and_keeps_the_aws_findings(cli: Cli, sandbox: Any,
                                                                     azure_as_seeded: Any) -> None:
    azure_as_seeded.throttle(100)
    scan = cli("scan", "security", "--json")
    assert scan.returncode == 1
    assert "Azure is throttling" in scan.stderr and "Traceback" not in scan.stderr
    assert "azure" not in {line["cloud"] for line in scan.json_lines}
    aws = {(line["check"], line["resource"]) for line in scan.json_lines if line["cloud"] == "aws"}
    assert aws == expected_pairs(DRIFTWOOD, sandbox.seeded)


# --------------------------------------------------------------------------- a name without its cloud


def only_in_azure() -> Any:
    """An Azure VM whose name no AWS instance has: "restart <it>" names no cloud."""
    aws_names = {instance.name for instance in DRIFTWOOD.instances}
    vm = next(vm for vm in AZURE.vms if vm.power_state == "running" and vm.name not in aws_names)
    return vm


def test_an_action_on_a_vm_named_without_its_cloud_finds_it_in_azure(cli: Cli, azure_as_seeded: Any) -> None:
    vm = only_in_azure()
    answer = ask(cli, f"restart {vm.name}")
    assert answer["skill"] == "infra.action"
    pending = answer["pending_approval"]
    assert pending is not None, answer["answer"]
    assert pending["action"] == "azure_vm_action"
    assert [c["source"] for c in answer["citations"]] == ["azure-vm-unresponsive.md"]
    assert pending["summary"] == f"restart Azure VM {vm.name} ({vm.power_state}, {vm.resource_group}, {vm.location})"
    assert azure_as_seeded.writes == [] and azure_as_seeded.power[vm.name] == "running"  # only proposed


def test_a_vm_named_without_its_cloud_is_described_from_azure(cli: Cli, azure_as_seeded: Any) -> None:
    vm = only_in_azure()
    answer = ask(cli, f"describe {vm.name}")
    assert answer["skill"] == "infra.describe"
    assert "azure_describe_vm" in [tool["name"] for tool in answer["tools"]]
    assert lead(answer).startswith(f"Azure VM {vm.name} is {vm.power_state} in {vm.location} "
                                   f"(resource group {vm.resource_group}, owner {vm.tags['owner']}): {vm.size}")


def test_a_name_no_cloud_has_says_where_it_looked_and_proposes_nothing(cli: Cli, azure_as_seeded: Any) -> None:
    answer = ask(cli, "restart ledger-sync-77")
    assert answer["pending_approval"] is None
    text = str(answer["answer"])
    assert "No resource named ledger-sync-77 was found in us-east-1, eu-west-1." in text
    assert "Also looked in Azure: No Azure VM named ledger-sync-77" in text
    assert ", ".join(sorted(vm.name for vm in AZURE.vms)) in text  # the VMs it does have
    assert azure_as_seeded.writes == []


def test_an_aws_instance_named_without_its_cloud_does_not_ask_azure(cli: Cli, azure_as_seeded: Any) -> None:
    instance = next(i for i in DRIFTWOOD.instances if i.state == "running")
    answer = ask(cli, f"reboot {instance.name}")
    assert answer["pending_approval"] is not None
    assert answer["pending_approval"]["action"] == "aws_ec2_instance_action"
    assert [c["source"] for c in answer["citations"]] == ["ec2-instance-unreachable.md"]
    assert azure_as_seeded.calls == []  # found in AWS: no other cloud was searched


def test_a_named_cloud_is_the_only_one_searched(cli: Cli, azure_as_seeded: Any) -> None:
    vm = only_in_azure()
    answer = ask(cli, f"restart the ec2 instance {vm.name} in aws")
    assert answer["pending_approval"] is None
    assert lead(answer).startswith(f"No resource named {vm.name} was found")
    assert azure_as_seeded.calls == []
