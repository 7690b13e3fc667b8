"""dev18 (evals18c): a listing narrowed to one Compute Engine machine says its state, zone and
machine type in the lead, which is what a question about that one machine asks."""

from __future__ import annotations

from sandbox.company import GcpProject
from tests.tools.gcp.conftest import Tools


def test_one_machine_listed_is_described_in_the_lead(tools: Tools, project: GcpProject) -> None:
    machine = sorted(project.instances, key=lambda i: i.name)[-1]
    result = tools("gcp_inventory", resource_type="instance", service=machine.name)
    assert result.status == "ok", result.summary
    assert f"{machine.name} is {machine.status.lower()} in zone {machine.zone}: {machine.machine_type}." \
        in result.summary


def test_several_machines_are_not_described_one_by_one(tools: Tools, project: GcpProject) -> None:
    result = tools("gcp_inventory", resource_type="instance")
    assert " in zone " not in result.summary
