"""A page whose slots name no target still has one when a word of the request is the very name
of a PagerDuty team or service; and a page opened for a person's (or a team's) rota lands on the
one of that team's services the request names, not simply its first."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany, person
from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def _preflight(registry: ToolRegistry, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
    spec = registry.get("pagerduty_page")
    assert spec.preflight is not None
    return spec.preflight(ctx, spec.args_model.model_validate(args))


def test_a_team_named_only_among_the_words_is_paged_through_its_policy(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    team = company.pagerduty.team("Storefront")
    policy = next(p for p in company.pagerduty.escalation_policies if p.team == team.id)
    check = _preflight(registry, {"query": "could somebody wake storefront, carts are broken"}, ctx)
    assert check.status == "ok", check.summary
    assert policy.name in check.summary
    assert pagerduty.writes == []


def test_a_service_named_only_among_the_words_opens_the_page_on_it(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    service = company.pagerduty.service("analytics")
    policy = company.pagerduty.policy(service.escalation_policy)
    check = _preflight(registry, {"query": "dashboards for analytics went blank, get whoever is up"}, ctx)
    assert check.status == "ok", check.summary
    assert f"on {service.name} paging {policy.name}" in check.summary


def test_words_naming_no_team_or_service_still_ask_whom_to_page(
        ctx: ToolContext, registry: ToolRegistry) -> None:
    check = _preflight(registry, {"query": "wake somebody up please, it is bad"}, ctx)
    assert check.status == "error" and check.summary.startswith("Say whom to page")


def test_a_persons_page_opens_on_the_service_of_their_team_the_words_name(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    someone = person("dave")
    theirs = [s.name for s in company.pagerduty.services if s.team in someone.teams]
    assert len(theirs) > 1
    named = theirs[-1]  # not the first: the default when the words name none of them
    check = _preflight(registry, {"person": "dave", "query": f"dave needs to look at {named}, it looks stale"}, ctx)
    assert check.status == "ok", check.summary
    assert f"incident on {named} paging {someone.name}" in check.summary
    default = _preflight(registry, {"person": "dave", "query": "dave please"}, ctx)
    assert f"incident on {theirs[0]} paging" in default.summary
