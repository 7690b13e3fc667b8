"""Page targets found by the dev23 cases, tested in other words: an incident described first
and then escalated by a pronoun, and a team's name said where a service would stand."""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany, person
from tests.tools.pagerduty.conftest import preflight
from tools.base import ToolContext
from tools.pagerduty.targets import escalated_words
from tools.registry import ToolRegistry


@pytest.mark.parametrize(("text", "words"), [
    ("the search indexer issue keeps growing, nobody answers - escalate it please", "search indexer"),
    ("escalate the ledger lag thing", "ledger lag"),
])
def test_the_incident_escalated_is_the_one_described(text: str, words: str) -> None:
    assert escalated_words(text) == words


@pytest.mark.parametrize("text", ["escalate it", "the intern is sharp, escalate it to dave"])
def test_a_pronoun_with_no_incident_described_escalates_nothing_described(text: str) -> None:
    assert escalated_words(text) is None


@pytest.mark.slow  # starts a local HTTPS server
def test_a_described_open_incident_escalated_by_pronoun_is_escalated_not_paged_anew(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    incident = next(i for i in company.pagerduty.incidents if i.open and i.status == "acknowledged")
    title = " ".join(incident.title.lower().split()[:2])  # e.g. "checkout p95"
    check = preflight(registry, "pagerduty_page", {"query": f"the {title} thing got worse overnight. escalate it"}, ctx)
    assert check.status == "ok" and check.facts["incident_id"] == incident.id
    assert check.summary.startswith(f"Escalate {incident.id}")
    assert pagerduty.writes == []


@pytest.mark.slow  # starts a local HTTPS server
def test_a_team_said_as_a_service_pages_that_teams_level(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    services = {s.name for s in company.pagerduty.services}
    team = next(t for t in company.pagerduty.teams if t.name.lower() not in services)
    its_service = next(s for s in company.pagerduty.services if s.team == team.id)
    rota = company.pagerduty.oncall_for_service(its_service.name)
    second = person(next(handle for level, handle, _ in rota if level == 2)).name
    check = preflight(registry, "pagerduty_page", {"service": team.name.lower(), "level": 2}, ctx)
    assert check.status == "ok", check.summary
    assert second in check.summary
    assert pagerduty.writes == []


@pytest.mark.slow  # starts a local HTTPS server
def test_the_one_open_incident_left_once_one_is_ruled_out_is_meant(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    opened = company.pagerduty.open_incidents()
    assert len(opened) == 2
    ruled_out, other = opened
    check = preflight(registry, "pagerduty_resolve_incident", {"not_incident_ids": [ruled_out.id]}, ctx)
    assert check.status == "ok" and check.facts["incident_id"] == other.id
    assert pagerduty.writes == []


@pytest.mark.slow  # starts a local HTTPS server
def test_several_left_once_one_is_ruled_out_are_asked_about_not_guessed(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    resolved = next(i for i in company.pagerduty.incidents if i.status == "resolved")
    check = preflight(registry, "pagerduty_resolve_incident", {"not_incident_ids": [resolved.id]}, ctx)
    assert check.status == "error" and "2 other open incidents" in check.summary and "say which" in check.summary
