"""A write aimed at "the incident that is still firing" or "the page bob already took": the state
is said after the noun (a relative clause, a negated ack), and names the one open incident in it."""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.pagerduty.test_pagerduty_tools import preflight
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _only(company: SaasCompany, status: str) -> str:
    matching = [i for i in company.pagerduty.open_incidents() if i.status == status]
    assert len(matching) == 1, "the seeded company holds exactly one open incident in each state"
    return matching[0].id


@pytest.mark.parametrize("words", [
    "acknowledge the incident which is currently firing",
    "ack the page nobody has acked yet, it's mine",
    "can you ack the one that has not been acknowledged",
    "take the page that's still triggered",
])
def test_a_relative_clause_naming_the_triggered_state_pins_that_incident(
        words: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_ack_incident", {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _only(company, "triggered")
    assert pagerduty.writes == []


@pytest.mark.parametrize("words", [
    "resolve the incident that was already acknowledged",
    "close out the one somebody acked earlier",
])
def test_a_relative_clause_naming_the_acknowledged_state_pins_that_incident(
        words: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_resolve_incident", {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _only(company, "acknowledged")
    assert pagerduty.writes == []
