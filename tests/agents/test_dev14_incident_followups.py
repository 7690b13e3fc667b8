"""Incident questions and follow-ups: whether anything is in the acknowledged state (a state
asked of no incident in particular), words after "that service" that name no service, a
pointed-at item of a one-item list, and what an alert's body says in a brief."""

from __future__ import annotations

import pytest

from agents.clarified import ITEMS
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route
from agents.slots.entities import find_incident_status, find_service
from agents.templates import untrusted_quotes
from tools.base import ToolResult
from tools.pagerduty.tools import _alert_details

THRESHOLD = 0.45


def route(text: str, skill: str = "infra.describe", slots: dict | None = None, confidence: float = 0.2) -> Route:
    agent = {"infra": "infrastructure"}.get(skill.split(".")[0], skill.split(".")[0])
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", ["what's currently acknowledged?", "anything ack'd right now",
                                  "which ones have been acknowledged by the storefront folks"])
def test_asking_what_is_acknowledged_asks_for_that_state(text: str) -> None:
    assert find_incident_status(text) == "acknowledged"


@pytest.mark.parametrize("text", ["ack PXY12AB", "has the storefront incident been acked?",
                                  "anything still unacked?"])
def test_one_incident_or_the_opposite_state_is_not_the_acknowledged_list(text: str) -> None:
    assert find_incident_status(text) != "acknowledged"


@pytest.mark.parametrize("text", ["who covers that service other than frank", "page the service except the primary",
                                  "escalate on the service right now", "who's on the service for tonight"])
def test_words_after_the_service_that_name_none_are_no_service(text: str) -> None:
    assert find_service(text) is None


def test_a_name_after_service_is_still_the_service() -> None:
    assert find_service("who's on call for service ledger") == "ledger"


ONE_LISTED = [{"id": "PQR4ST5", "name": "", "region": "", "env": "", "kind": "", "cloud": "pagerduty",
               "state": "", "service": "ledger", "detail": "Ledger sync stalled"}]
TWO_LISTED = [*ONE_LISTED, {**ONE_LISTED[0], "id": "PUV6WX7", "service": "auth", "detail": "Login errors"}]


def test_pointing_at_the_only_listed_item_is_that_item() -> None:
    previous = TurnContext("incident.list", {ITEMS: ONE_LISTED}, ["PQR4ST5"])
    routed = apply_context(route("ok more on the one there pls, the notes on this one"), previous, THRESHOLD)
    assert routed.skill == "incident.brief" and routed.slots.get("incident_id") == "PQR4ST5"


def test_pointing_at_one_of_several_listed_items_lends_none() -> None:
    previous = TurnContext("incident.list", {ITEMS: TWO_LISTED}, ["PQR4ST5", "PUV6WX7"])
    routed = apply_context(route("ok more on the one there pls, the notes on this one"), previous, THRESHOLD)
    assert "incident_id" not in routed.slots


def test_a_described_item_of_a_one_item_list_is_not_lent_by_pointing() -> None:
    previous = TurnContext("incident.list", {ITEMS: ONE_LISTED}, ["PQR4ST5"])
    routed = apply_context(route("details on the auth login one?"), previous, THRESHOLD)
    assert "incident_id" not in routed.slots


def test_an_alert_body_gives_its_monitor_details_in_one_line() -> None:
    alert = {"id": "PA1", "summary": "api errors 3.1%", "body": {"details": {"load_balancer": "edge-lb-2",
                                                                            "metric": "Errors", "source": "datadog"}}}
    assert _alert_details(alert) == "api errors 3.1%: load balancer edge-lb-2, metric Errors, source datadog"
    assert _alert_details({"id": "PA2", "summary": "disk", "body": {"details": {}}}) == ""
    assert _alert_details({"id": "PA3", "summary": "disk"}) == ""


def test_alert_details_are_quoted_as_untrusted_alert_text() -> None:
    result = ToolResult(status="ok", facts={"alert_details": ["api errors: load balancer edge-lb-2"],
                                            "untrusted": ["alert_details"]})
    quotes = untrusted_quotes(result)
    assert [(q.kind, q.label) for q in quotes] == [("alert", "Alert details")]
    assert "edge-lb-2" in quotes[0].text
