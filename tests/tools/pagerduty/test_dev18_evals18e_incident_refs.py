"""dev18 (evals18e): how an ack or a resolve names its incident by words.

- a word before "incident" that names no PagerDuty service or team ("the latency incident",
  "the cdn incident") is a word of the title, matched as the request's words are;
- an incident ruled out by the words ("except the checkout one", "besides the payments
  incident") is never the one picked, and when exactly one open incident is left to move, that
  one is ("the other one").
"""

from __future__ import annotations

import pytest

from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany
from tests.tools.pagerduty.test_pagerduty_tools import preflight
from tools.base import ToolContext
from tools.registry import ToolRegistry


def _open_on(company: SaasCompany, service_id: str) -> str:
    found = [i for i in company.pagerduty.open_incidents() if i.service == service_id]
    assert len(found) == 1
    return found[0].id


@pytest.mark.parametrize(("word", "service_id"), [("latency", "PSV0CHK"), ("5xx", "PSV0PAY")])
def test_a_title_word_read_as_a_service_still_finds_the_incident(
        word: str, service_id: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    words = f"numbers look healthy again, close out that {word} incident"
    result = preflight(registry, "pagerduty_resolve_incident", {"service": word, "query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _open_on(company, service_id)
    assert pagerduty.writes == []


def test_a_word_of_no_service_without_the_words_is_still_refused(
        pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    result = preflight(registry, "pagerduty_resolve_incident", {"service": "latency"}, ctx)
    assert result.status != "ok"


@pytest.mark.parametrize(("words", "service_id"), [
    ("all of it except for the checkout one - acknowledge the remaining one", "PSV0PAY"),
    ("besides the payments incident, there's another open one; resolve that other one", "PSV0CHK"),
])
def test_the_incident_left_when_one_is_ruled_out(
        words: str, service_id: str, company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext,
        registry: ToolRegistry) -> None:
    tool = "pagerduty_ack_incident" if "acknowledge" in words else "pagerduty_resolve_incident"
    result = preflight(registry, tool, {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] == _open_on(company, service_id)


def test_a_ruled_out_incident_is_never_the_one_named(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    words = "not the checkout incident -- resolve whatever else is open"
    result = preflight(registry, "pagerduty_resolve_incident", {"query": words}, ctx)
    assert result.status == "ok" and result.facts["incident_id"] != _open_on(company, "PSV0CHK")
