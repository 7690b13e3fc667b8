"""dev18 (evals18d): a brief asked of the incident a person holds ("what did she note on hers"
after who is on call) is the open incident assigned to that person, not the newest open one;
a person holding none gets no other person's incident."""

from __future__ import annotations

from sandbox.saas_company import SaasCompany, person
from tools.base import ToolContext
from tools.registry import ToolRegistry


def test_a_brief_of_the_incident_a_person_holds_is_theirs(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    for incident in company.pagerduty.open_incidents():
        holder = person(incident.assignees[0])
        result = registry.invoke("pagerduty_incident_brief", {"person": holder.handle}, ctx)
        assert result.status == "ok", result.summary
        assert result.summary.startswith(f"{incident.id} (#{incident.number})")
        assert f"assigned to {holder.name}" in result.summary


def test_a_person_holding_no_open_incident_is_told_so(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_incident_brief", {"person": "frank"}, ctx)
    assert result.status != "ok" or "Frank" in result.summary
    assert "No open incidents" in result.summary
