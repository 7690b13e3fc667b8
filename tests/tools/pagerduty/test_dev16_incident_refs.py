"""dev16 (evals16b): how a write names its incident without an id. A bare incident number among
the words ("1041 is sorted, close it") is that incident; a resource named after a service (an
alarm's load balancer, a worker) stands for that service; a person's one open incident is the
one a write "for her" means."""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.pagerduty.test_pagerduty_tools import preflight
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _open(company: SaasCompany, service_id: str) -> tuple[str, int]:
    found = [i for i in company.pagerduty.open_incidents() if i.service == service_id]
    assert len(found) == 1
    return found[0].id, found[0].number


@pytest.mark.parametrize("service_id", ["PSV0PAY", "PSV0CHK"])
def test_a_bare_number_of_an_open_incident_names_it(
        service_id: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    incident_id, number = _open(company, service_id)
    words = f"alright {number} is sorted on our side, close it out"
    result = preflight(registry, "pagerduty_resolve_incident", {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == incident_id
    assert pagerduty.writes == []


def test_a_number_of_no_incident_names_none(pagerduty: PagerDutyStandIn, ctx: ToolContext,
                                            registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_resolve_incident", {"query": "9999 is sorted, close it out"}, ctx)
    assert result.status != "ok"


@pytest.mark.parametrize(("name", "service_id"), [
    ("payments-internal-nlb", "PSV0PAY"),
    ("checkout-cart-worker", "PSV0CHK"),
])
def test_a_resource_named_after_a_service_stands_for_it(
        name: str, service_id: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    incident_id, _ = _open(company, service_id)
    result = preflight(registry, "pagerduty_ack_incident", {"service": name, "query": f"ack the {name} one"}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == incident_id


def test_a_resource_whose_first_part_is_no_service_is_still_unknown(
        pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_ack_incident", {"service": "ledger-prod-alb"}, ctx)
    assert result.status != "ok"


def test_the_one_open_incident_a_person_holds(company: SaasCompany, pagerduty: PagerDutyStandIn,
                                             ctx: ToolContext, registry: ToolRegistry) -> None:
    held = [i for i in company.pagerduty.open_incidents() if "carol" in i.assignees]
    assert len(held) == 1
    result = preflight(registry, "pagerduty_resolve_incident", {"person": "Carol Diaz", "query": "close hers"}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == held[0].id
    assert pagerduty.writes == []


def test_a_person_holding_nothing_names_no_incident(pagerduty: PagerDutyStandIn, ctx: ToolContext,
                                                    registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_ack_incident", {"person": "frank", "query": "ack his"}, ctx)
    assert result.status != "ok"
