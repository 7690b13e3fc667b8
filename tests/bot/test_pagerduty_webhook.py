"""The PagerDuty webhook's pure parts: v3 signatures (rotation, forgery), event parsing, the
brief's channel names, the user mapping and what a brief shows for each part's outcome."""

from __future__ import annotations

import json

import pytest

from agents.incident_brief import IncidentEvent, actions_for, compose, first_steps, service_key, with_status
from bot.incidents import channel_name, mapping_help, request_text
from bot.pagerduty_webhook import NotAnEvent, parse_event, secrets_of, signature_valid
from bot.settings import parse_user_map
from sandbox.pagerduty_webhooks import incident_event, sign
from sandbox.saas_company import build
from tools.base import ToolResult

BODY = json.dumps(incident_event(build().pagerduty, "P7K2M9Q", "incident.escalated", event_id="01EVT")).encode()


def test_any_v1_signature_under_any_configured_secret_is_accepted_and_nothing_else() -> None:
    assert signature_valid(secrets_of("new"), BODY, sign(BODY, "old", "new"))  # PagerDuty rotating
    assert signature_valid(secrets_of("old, new"), BODY, sign(BODY, "new"))  # we are rotating
    assert not signature_valid(secrets_of("new"), BODY, sign(BODY, "old"))
    assert not signature_valid(secrets_of("new"), BODY + b" ", sign(BODY, "new"))
    assert not signature_valid(secrets_of("new"), BODY, sign(BODY, "new").removeprefix("v1="))
    for junk in ("", "v1=", "v0=abc", "v1=\udcff", ",,,", "v1=" + "f" * 64):
        assert not signature_valid(secrets_of("new"), BODY, junk)
    assert not signature_valid([], BODY, sign(BODY, ""))


def test_a_v3_event_is_parsed_from_its_structured_fields() -> None:
    event = parse_event(BODY)
    incident = build().pagerduty.incident("P7K2M9Q")
    assert (event.event_id, event.event_type, event.incident_id) == ("01EVT", "incident.escalated", "P7K2M9Q")
    assert (event.title, event.service, event.urgency, event.number) == (incident.title, "payments", "high",
                                                                         incident.number)
    assert event.opens_brief and not parse_event(BODY.replace(b"incident.escalated",
                                                              b"incident.resolved")).opens_brief


@pytest.mark.parametrize("body, field", [
    (b"\xff", "UTF-8"), (b"[]", "'event'"), (b'{"event": []}', "'event'"),
    (b'{"event": {"event_type": "incident.triggered"}}', "event.id"),
    (b'{"event": {"id": "x\\u0000", "event_type": "incident.triggered"}}', "event.id"),
    (b'{"event": {"id": "x", "event_type": "incident.triggered", "data": 3}}', "event.data"),
    (b'{"event": {"id": "x", "event_type": "incident.triggered", "data": {"id": 7}}}', "data.id"),
])
def test_a_body_that_is_not_a_v3_incident_event_is_named(body: bytes, field: str) -> None:
    with pytest.raises(NotAnEvent, match=field):
        parse_event(body)


def test_other_event_types_parse_without_an_incident_and_are_ignored_upstream() -> None:
    ping = parse_event(b'{"event": {"id": "p1", "event_type": "pagey.ping"}}')
    assert (ping.event_type, ping.incident_id) == ("pagey.ping", "")


def test_names_and_mappings() -> None:
    assert service_key("Payments API") == "payments" and service_key("checkout-web") == "checkout"
    assert channel_name(IncidentEvent("e", "incident.triggered", "P1", service="Payments API", number=7)) == \
        "inc-7-payments"
    assert parse_user_map("U1:a@x.example, U2:b@x.example") == {"U1": "a@x.example", "U2": "b@x.example"}
    with pytest.raises(ValueError, match="entry 2"):
        parse_user_map("U1:a@x.example,U2")
    assert "`U9:<your PagerDuty email>`" in mapping_help("U9") and "GUARDIAN_PAGERDUTY_USERS" in mapping_help("U9")
    assert request_text("page", "P1", "bob") == "page bob for incident P1"
    assert request_text("page", "P1") == "escalate incident P1"


def test_runbook_first_steps_are_the_numbered_lines() -> None:
    text = "## What to do\nLook first.\n1. Check the dashboard\n2. Roll back the deploy\n- page the owner\nEnd."
    assert first_steps(text) == "1. Check the dashboard\n2. Roll back the deploy\n- page the owner"
    assert first_steps("Just prose.\nMore prose.") == "Just prose.\nMore prose."


def _record(tool: str, result: ToolResult) -> dict[str, object]:
    return {"tool": tool, "args": {}, "result": result.model_dump()}


def test_a_failed_part_is_named_and_the_rest_is_kept_and_status_updates_keep_the_facts() -> None:
    event = IncidentEvent("e1", "incident.triggered", "P7K2M9Q", title="Disk full on db-1", service="payments",
                          urgency="high", status="triggered", number=9)
    answer = compose(event, {
        "incident details": _record("pagerduty_incident_brief", ToolResult.error("PagerDuty is unreachable.")),
        "recent changes": _record("github_recent_changes",
                                  ToolResult.error("GitHub had a server error (503); try again shortly.")),
        "on-call": _record("pagerduty_oncall", ToolResult(
            status="ok", summary="On call now", columns=["escalation_policy", "level", "user", "schedule", "until"],
            rows=[{"escalation_policy": "Payments", "level": 1, "user": "Alice Chen", "schedule": "P", "until": "x"}],
            resources=["Alice Chen"])),
    })
    assert answer.lead == "Triggered: incident P7K2M9Q (#9) on payments, high urgency, now triggered."
    assert "missing: recent changes (GitHub had a server error (503); try again shortly.)" in answer.notes
    assert "missing: incident details (PagerDuty is unreachable.)" in answer.notes
    assert answer.tables[0].column("user")[0].value == "Alice Chen"
    assert answer.quotes[0].kind == "alert" and answer.quotes[0].text == "Disk full on db-1"
    assert [a.verb for a in answer.incident_actions] == ["ack", "resolve", "escalate"]
    acked = with_status(answer, IncidentEvent("e2", "incident.acknowledged", "P7K2M9Q", agent="Alice Chen"))
    assert acked.paragraphs[0] == "Acknowledged by Alice Chen." and acked.lead.endswith("now acknowledged.")
    assert [a.verb for a in acked.incident_actions] == ["resolve", "escalate"]
    assert acked.tables == answer.tables and acked.notes == answer.notes
    resolved = with_status(acked, IncidentEvent("e3", "incident.resolved", "P7K2M9Q", agent="Bob"))
    assert resolved.paragraphs[0] == "Resolved by Bob." and resolved.incident_actions == []
    assert not any(p.startswith("Acknowledged") for p in resolved.paragraphs)
    assert actions_for("P1", "resolved") == []


def test_whom_a_pagerduty_write_acts_as_comes_from_the_request_never_from_the_arguments() -> None:
    from agents.graph import _acting_as
    from agents.planner import PlannedCall
    from agents.request import Request
    from tools.pagerduty import PAGERDUTY_TOOLS

    ack = next(spec for spec in PAGERDUTY_TOOLS if spec.name == "pagerduty_ack_incident")
    smuggled = PlannedCall(ack, {"incident_id": "P7K2M9Q", "as_email": "ceo@driftwood.example"})  # a model's idea
    assert _acting_as(smuggled, Request(text="ack it")).args == {"incident_id": "P7K2M9Q"}
    mapped = _acting_as(smuggled, Request(text="ack it", acting_as="alice@driftwood.example"))
    assert mapped.args == {"incident_id": "P7K2M9Q", "as_email": "alice@driftwood.example"}
