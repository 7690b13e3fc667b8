"""dev17 (evals17b): a brief asked by an incident's bare number ("#1038 - what was the root
cause?") is that incident, open or resolved, and a number no incident carries, a quantity or a
year names none; a page for a person whose first name the words also gave as the "service"
(the person's name read both ways) opens on the person's own team's service."""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany, person
from tests.tools.pagerduty.test_pagerduty_tools import preflight
from tools.base import ToolContext
from tools.pagerduty.tools import _numbered
from tools.registry import ToolRegistry


@pytest.mark.parametrize("template", ["{n} — root cause? and who picked it up", "quick q on #{n}: how long did it run"])
def test_a_brief_asked_by_a_bare_number_is_that_incident(
        template: str, company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    for incident in company.pagerduty.incidents:  # open and resolved alike
        result = registry.invoke("pagerduty_incident_brief", {"query": template.format(n=incident.number)}, ctx)
        assert result.status == "ok" and result.summary.startswith(f"{incident.id} (#{incident.number})")


@pytest.mark.parametrize("words", ["is 9998 on fire too", "seeing 1041 errors, what's up",
                                   "p95 hit 1041ms, is that the page", "1041.5 requests a second",
                                   "any page like this in 2026?", "did deploy-1041 break it"])
def test_a_number_no_incident_carries_or_a_quantity_names_none(words: str) -> None:
    listed = [{"id": "PAAA111", "incident_number": 1041}, {"id": "PBBB222", "incident_number": 2026}]
    assert _numbered(listed, words) is None


def test_a_service_word_that_is_the_paged_persons_name_opens_on_their_team(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    frank = person("frank")
    theirs = {s.name for s in company.pagerduty.services if s.team in frank.teams}
    check = preflight(registry, "pagerduty_page", {"person": "frank", "service": "frank",
                                                   "query": "she said the auth login thing broke, page him"}, ctx)
    assert check.status == "ok", check.summary
    assert frank.name in check.summary and "on auth" in check.summary and "auth" in theirs
    assert pagerduty.writes == []


def test_a_service_word_naming_no_one_still_has_to_be_a_service(
        pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    check = preflight(registry, "pagerduty_page", {"person": "frank", "service": "ledgerx"}, ctx)
    assert check.status == "error" and "ledgerx" in check.summary
