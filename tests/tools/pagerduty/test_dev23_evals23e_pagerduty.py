"""dev23 (evals23e): incidents singled out by contrast and negation.

- an urgency under a negation ("all but the low-priority one") picks the open incident of the
  other urgency, never the one ruled out;
- "leave X open" / "keep X alone" rules X out of a write's target, as "not X" does;
- a brief asked with a ruled-out incident and a meant one ("skip checkout, tell me about
  search") briefs the meant one.
"""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.pagerduty.test_pagerduty_tools import preflight
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def _open_of(company: SaasCompany, urgency: str) -> str:
    return next(i.id for i in company.pagerduty.incidents if i.open and i.urgency == urgency)


@pytest.mark.parametrize(("words", "meant"), [
    ("close all of them but the low-priority page", "high"),
    ("resolve every open one apart from the high urgency incident", "low"),
])
def test_an_urgency_excepted_picks_the_other_one(
        words: str, meant: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_resolve_incident", {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _open_of(company, meant)
    assert pagerduty.writes == []


def test_an_incident_kept_open_is_not_the_target(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    words = "the ledger errors are gone on payments, close that; keep the checkout incident alone for now"
    result = preflight(registry, "pagerduty_resolve_incident", {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _open_of(company, "high")
    assert pagerduty.writes == []


def test_a_brief_skips_the_incident_ruled_out(
        company: SaasCompany, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_incident_brief",
                             {"query": "except the checkout one, the search one: how did it end?"}, ctx)
    searched = next(i.id for i in company.pagerduty.incidents if i.number == 1038)
    assert result.status == "ok" and searched in result.summary
