"""Several incidents acknowledged or resolved under one approval ("resolve both", "ack 1041
and 1042"), against the HTTPS stand-in through the real ``pagerduty`` client; the incidents
are sandbox/saas_company.py's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sandbox.http_standin import Call, Endpoint, Reply
from sandbox.pagerduty_api import PagerDutyStandIn
from sandbox.saas_company import SaasCompany
from tests.helpers import approved_call
from tests.tools.pagerduty.conftest import pagerduty_ctx, preflight
from tools.base import ToolContext
from tools.registry import ToolRegistry

pytestmark = pytest.mark.slow  # starts a local HTTPS server per test


def open_ones(company: SaasCompany) -> tuple[Any, Any]:
    triggered = next(i for i in company.pagerduty.incidents if i.status == "triggered")
    acknowledged = next(i for i in company.pagerduty.incidents if i.status == "acknowledged")
    return triggered, acknowledged


def test_resolving_two_incidents_lists_both_for_the_approver_and_pins_their_ids(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    triggered, acknowledged = open_ones(company)
    by_number = [f"#{triggered.number}", str(acknowledged.number)]
    check = preflight(registry, "pagerduty_resolve_incident", {"incident_ids": by_number}, ctx)
    assert check.status == "ok"
    assert check.facts["incident_ids"] == [triggered.id, acknowledged.id]
    assert check.summary.startswith("Resolve 2 incidents as ")
    assert triggered.title in check.summary and acknowledged.title in check.summary
    assert pagerduty.writes == []  # the preflight only reads


def test_an_approved_batch_moves_each_incident_once(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    triggered, acknowledged = open_ones(company)
    call = approved_call("pagerduty_resolve_incident", {"incident_ids": [triggered.id, acknowledged.id]})
    result = registry.execute(call, ctx)
    assert result.status == "ok"
    assert [(w.method, w.path, w.body["incident"]["status"]) for w in pagerduty.writes] == [
        ("PUT", f"/incidents/{triggered.id}", "resolved"), ("PUT", f"/incidents/{acknowledged.id}", "resolved")]
    assert (triggered.status, acknowledged.status) == ("resolved", "resolved")
    assert result.facts["incident_ids"] == [triggered.id, acknowledged.id]
    assert set(result.resources) >= {triggered.id, acknowledged.id}


def test_acking_a_set_leaves_the_already_acknowledged_one_alone_and_says_so(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    triggered, acknowledged = open_ones(company)
    check = preflight(registry, "pagerduty_ack_incident", {"incident_ids": [triggered.id, acknowledged.id]}, ctx)
    assert check.facts["incident_ids"] == [triggered.id]
    assert f"Left alone: {acknowledged.id}" in check.summary and "is already acknowledged" in check.summary
    registry.execute(approved_call("pagerduty_ack_incident", {"incident_ids": check.facts["incident_ids"]}), ctx)
    assert [w.path for w in pagerduty.writes] == [f"/incidents/{triggered.id}"]


def test_a_set_with_an_unknown_incident_is_refused_whole(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    triggered, _ = open_ones(company)
    unknown = str(max(i.number for i in company.pagerduty.incidents) + 1)
    check = preflight(registry, "pagerduty_resolve_incident", {"incident_ids": [triggered.id, unknown]}, ctx)
    assert check.status == "error" and f"#{unknown}" in check.summary
    result = registry.execute(approved_call("pagerduty_resolve_incident", {"incident_ids": [triggered.id, unknown]}),
                              ctx)
    assert result.status == "error" and pagerduty.writes == [] and triggered.status == "triggered"


def test_a_set_already_in_the_state_asks_nothing_of_anyone(
        company: SaasCompany, pagerduty: PagerDutyStandIn, ctx: ToolContext, registry: ToolRegistry) -> None:
    _, acknowledged = open_ones(company)
    resolved = next(i for i in company.pagerduty.incidents if i.status == "resolved")
    check = preflight(registry, "pagerduty_ack_incident", {"incident_ids": [acknowledged.id, resolved.id]}, ctx)
    assert check.status == "error" and check.summary.startswith("There is nothing to acknowledge.")
    assert f"{resolved.id} (#{resolved.number} {resolved.title}) is already resolved" in check.summary
    assert pagerduty.writes == []


class RefusesOneIncident(PagerDutyStandIn):
    """PagerDuty refusing the write of one incident (say, changed meanwhile by someone else)."""

    refused: str = ""

    def respond(self, call: Call, endpoint: Endpoint | None) -> Reply:
        if call.method == "PUT" and call.path == f"/incidents/{self.refused}":
            with self._lock:
                self.calls.append(call)
            return Reply(400, {"error": {"message": "Incident Already Resolved", "code": 2001}})
        return super().respond(call, endpoint)


@pytest.fixture
def refusing(company: SaasCompany) -> Iterator[RefusesOneIncident]:
    with RefusesOneIncident(company.pagerduty) as standin:
        yield standin


def test_a_write_refused_midway_says_what_changed_and_what_did_not(
        company: SaasCompany, refusing: RefusesOneIncident, registry: ToolRegistry) -> None:
    triggered, acknowledged = open_ones(company)
    refusing.refused = acknowledged.id
    result = registry.execute(approved_call("pagerduty_resolve_incident",
                                            {"incident_ids": [triggered.id, acknowledged.id]}), pagerduty_ctx(refusing))
    assert result.status == "error"
    assert result.summary.startswith(f"Resolved {triggered.id}") and f"Not changed: {acknowledged.id}" in result.summary
    assert triggered.status == "resolved" and acknowledged.status == "acknowledged"
    assert len(refusing.writes) == 2  # each write sent once, none retried
