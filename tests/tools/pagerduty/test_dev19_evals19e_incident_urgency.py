"""dev19 (evals19e): an ack or a resolve naming its incident by urgency.

- "the low-priority incident", "whichever is high urgency", "the one with urgency: low" pick the one
  open incident of that urgency; when several share it, the one of them the write can still move;
- an urgency no open incident has, or one the words rule out, picks nothing.
"""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.pagerduty.test_pagerduty_tools import preflight
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _open_of(company: SaasCompany, urgency: str) -> str:
    found = [i for i in company.pagerduty.open_incidents() if i.urgency == urgency]
    assert len(found) == 1
    return found[0].id


@pytest.mark.parametrize(
    ("tool", "words", "urgency"),
    [
        ("pagerduty_resolve_incident", "latency graphs are flat again, close the low-priority incident", "low"),
        ("pagerduty_ack_incident", "i'll take whichever is high urgency, acknowledge it", "high"),
        ("pagerduty_resolve_incident", "resolve the one with urgency: low", "low"),
    ],
)
def test_the_open_incident_of_the_urgency_said(
    tool: str,
    words: str,
    urgency: str,
    company: SaasCompany,
    pagerduty: PagerDutyStandIn,
    ctx: ToolContext,
    registry: ToolRegistry,
) -> None:
    result = preflight(registry, tool, {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _open_of(company, urgency)
    assert pagerduty.writes == []


def test_an_ack_of_a_low_urgency_incident_already_acked_still_picks_it(
    company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry
) -> None:
    # the one low-urgency incident is acknowledged: an ack renews it rather than naming another one
    result = preflight(registry, "pagerduty_ack_incident", {"query": "ack the low urgency page again"}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _open_of(company, "low")


def test_an_urgency_ruled_out_picks_nothing_by_urgency(
    company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry
) -> None:
    result = preflight(registry, "pagerduty_resolve_incident", {"query": "not the high urgency one - resolve it"}, ctx)
    assert result.status != "ok" or result.facts["incident_id"] != _open_of(company, "high")
