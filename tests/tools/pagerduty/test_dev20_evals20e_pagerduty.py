"""dev20 (evals20e): PagerDuty targets said the way people say them.

- a service said by one thing its description names, in the singular or the plural ("a token"
  for a service described "... and tokens");
- a page naming a team is paged through that team even when a word PagerDuty knows no service
  by came along as the service (a log group lent by the turn before);
- "the older one" / "the newer one" of the open incidents, said without an id, is the oldest /
  newest of them;
- a page naming no target lands on the one service whose description a word of the request
  names ("can't log in": the service described by its login).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sandbox.saas_company import SaasCompany
from tools.base import ToolContext, ToolResult
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def _preflight(registry: ToolRegistry, tool: str, args: dict[str, Any], ctx: ToolContext) -> ToolResult:
    spec = registry.get(tool)
    assert spec.preflight is not None
    return spec.preflight(ctx, spec.args_model.model_validate(args))


def _described_word(company: SaasCompany) -> tuple[str, str]:
    """A word ending in 's' in exactly one service's description, and that service."""
    for service in company.pagerduty.services:
        for word in re.findall(r"[a-z]{4,}s\b", service.description.lower()):
            others = [s for s in company.pagerduty.services
                      if s is not service and re.search(rf"\b{word[:-1]}s?\b", s.description.lower())]
            if not others and word[:-1] != service.name:
                return word, service.name
    raise AssertionError("no plural word in one service's description")


def test_a_service_said_by_the_singular_of_its_description(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    plural, name = _described_word(company)
    service = company.pagerduty.service(name)
    policy = company.pagerduty.policy(service.escalation_policy)
    for said in (plural, plural[:-1]):
        result = registry.invoke("pagerduty_oncall", {"service": said}, ctx)
        assert result.status == "ok", result.summary
        assert policy.name in result.summary


def test_a_named_team_is_paged_when_the_lent_service_is_unknown(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    team = company.pagerduty.teams[-1]
    policy = next(p for p in company.pagerduty.escalation_policies if p.team == team.id)
    check = _preflight(registry, "pagerduty_page", {"team": team.name.lower(), "service": "/app/no-such-group",
                                                    "query": "get them looking at it"}, ctx)
    assert check.status == "ok", check.summary
    assert policy.name in check.summary


def test_an_unknown_service_without_a_team_still_says_so(ctx: ToolContext, registry: ToolRegistry) -> None:
    check = _preflight(registry, "pagerduty_page", {"service": "/app/no-such-group", "query": "page it"}, ctx)
    assert check.status == "error" and "no service matching" in check.summary


@pytest.mark.parametrize(("said", "oldest"), [("the older one is fixed, close it", True),
                                              ("close the newer one", False)])
def test_an_open_incident_by_its_age_in_a_comparative(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry, said: str, oldest: bool) -> None:
    opened = company.pagerduty.open_incidents()  # newest first
    expected = opened[-1] if oldest else opened[0]
    check = _preflight(registry, "pagerduty_resolve_incident", {"query": said}, ctx)
    assert check.status == "ok", check.summary
    assert expected.id in check.summary


def test_a_page_naming_nobody_lands_on_the_service_its_words_describe(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    plural, name = _described_word(company)
    policy = company.pagerduty.policy(company.pagerduty.service(name).escalation_policy)
    check = _preflight(registry, "pagerduty_page", {"query": f"our {plural[:-1]} thing is broken, get whoever owns it"},
                       ctx)
    assert check.status == "ok", check.summary
    assert f"on {name} paging {policy.name}" in check.summary


def test_signing_in_said_as_two_words_is_a_login_service(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    described = [s for s in company.pagerduty.services if re.search(r"\blogin\b", s.description.lower())]
    assert len(described) == 1
    check = _preflight(registry, "pagerduty_page", {"query": "folks can't log in, wake up whoever handles that"}, ctx)
    assert check.status == "ok", check.summary
    assert f"on {described[0].name} paging" in check.summary


def test_words_describing_no_service_still_ask_whom_to_page(ctx: ToolContext, registry: ToolRegistry) -> None:
    check = _preflight(registry, "pagerduty_page", {"query": "wake somebody up please, it is bad"}, ctx)
    assert check.status == "error" and check.summary.startswith("Say whom to page")
