"""dev17 (evals17b): a turn after another domain's answer that names the paging system ("pd",
"pagerduty", "the pager") and that the router read first, however unsure, as an incident
question is that incident question, not the previous skill asked again because of "that"; chat
shorthand ("rn", "atm", "tonite") and contractions typed without their apostrophe ("whos",
"thats") are never read as a service or a team."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.conversations import TurnContext
from agents.followup import _asks_the_pager, apply_context
from agents.route import Route
from agents.slots import extract_slots

THRESHOLD = 0.45
AFTER_LOGS = TurnContext("infra.logs", {"log_group": "/svc/ledger-writer", "time_range": {"label": "today"}},
                         ["/svc/ledger-writer"])
AFTER_SPEND = TurnContext("cost.summary", {"aws_service": "rds"}, [])


def _route(text: str, skill: str, confidence: float, slots: dict | None = None) -> Route:
    return Route(text=text, agent=skill.split(".")[0], skill=skill, confidence=confidence, slots=slots or {},
                 alternatives=[])


@pytest.mark.parametrize(("text", "previous"), [
    ("hmm could that be why pagerduty is yelling? how bad is it", AFTER_LOGS),
    ("does that line up with what the pager woke me up for", AFTER_LOGS),
    ("whatever pd is firing about rn, how long has it been going", AFTER_SPEND),
])
def test_naming_the_paging_system_keeps_an_unsure_incident_reading(text: str, previous: TurnContext) -> None:
    followed = apply_context(_route(text, "incident.brief", 0.15), previous, THRESHOLD)
    assert followed.skill == "incident.brief" and followed.confidence >= THRESHOLD
    assert "log_group" not in followed.slots


def test_a_change_a_cloud_target_or_an_incident_conversation_is_not_taken_up_by_the_rule() -> None:
    named = _route("is /svc/ledger-writer the pd thing?", "incident.brief", 0.15, {"log_group": "/svc/ledger-writer"})
    assert not _asks_the_pager(named, AFTER_LOGS)
    assert not _asks_the_pager(_route("ack the pd thing", "incident.ack", 0.15), AFTER_LOGS)
    briefed = TurnContext("incident.brief", {"incident_id": "PQR12ST"}, ["PQR12ST"])
    assert not _asks_the_pager(_route("and in pagerduty who has it", "incident.list", 0.15), briefed)
    assert not _asks_the_pager(_route("is that tied to the deploy", "incident.brief", 0.15), AFTER_LOGS)


@pytest.mark.parametrize(("text", "not_named"), [
    ("whose got the pager for that service rn", "rn"),
    ("whos backup on that", "whos"),
    ("who's holding the ledger pager atm", "atm"),
    ("thats the service tonite, who's on it", "tonite"),
])
def test_chat_shorthand_names_no_service_nor_team(text: str, not_named: str) -> None:
    slots = extract_slots(text, datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert not_named not in (slots.get("service"), slots.get("team"), slots.get("person"))


BRIEFED_ONE = TurnContext("incident.brief", {}, ["PQR12ST", "Jo Park"])


def test_an_oncall_question_naming_no_rota_after_a_brief_asks_that_incidents_rota() -> None:
    asked = _route("and if jo can't answer, who comes next", "incident.oncall", 0.9, {"level": 2})
    assert apply_context(asked, BRIEFED_ONE, THRESHOLD).slots.get("incident_id") == "PQR12ST"


@pytest.mark.parametrize(("text", "slots"), [
    ("who's on call across all teams right now", {}),
    ("who covers billing tonight", {"service": "billing"}),
    ("and who's the platform primary", {"team": "platform", "level": 1}),
    ("who is on call for platform right now", {}),  # no level asked: the router's own question
])
def test_an_oncall_question_with_its_own_rota_every_rota_or_no_level_keeps_it(text: str, slots: dict) -> None:
    assert "incident_id" not in apply_context(_route(text, "incident.oncall", 0.9, slots), BRIEFED_ONE,
                                              THRESHOLD).slots


NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(("text", "key", "value"), [
    ("who's the ledger on-call this week", "service", "ledger"),
    ("quick one: ledger oncall?", "service", "ledger"),
    ("sign in is 500ing - auth on-call?", "service", "auth"),
    ("whos sre oncall", "team", "sre"),
    ("and who's the backup for ledger", "service", "ledger"),
])
def test_a_rota_owner_said_before_the_oncall_noun_is_read(text: str, key: str, value: str) -> None:
    assert extract_slots(text, NOW).get(key) == value


@pytest.mark.parametrize("text", ["is jo on call this weekend", "is jo still on call for billing",
                                  "who's the secondary oncall"])
def test_a_person_on_call_or_a_level_is_no_rota_owner(text: str) -> None:
    slots = extract_slots(text, NOW)
    assert slots.get("service") in (None, "billing") and slots.get("service") not in ("jo", "still", "secondary")


@pytest.mark.parametrize(("text", "level"), [
    ("if jo doesn't pick up who's next", 2),
    ("who's next if sam won't answer", 2),
    ("sam didnt ack, who is next", 2),
    ("who's next on the billing rota", None),
])
def test_whos_next_when_the_first_is_silent_is_the_next_level(text: str, level: int | None) -> None:
    assert extract_slots(text, NOW).get("level") == level


def test_after_a_brief_asked_of_a_service_the_rota_is_that_services() -> None:
    by_service = TurnContext("incident.brief", {"service": "ledger"}, ["PQR12ST"])
    asked = _route("if jo can't answer, who comes next", "incident.oncall", 0.9, {"level": 2})
    followed = apply_context(asked, by_service, THRESHOLD)
    assert followed.slots.get("service") == "ledger" and "incident_id" not in followed.slots


@pytest.mark.parametrize(("text", "team"), [
    ("go wake up the ledger on-call", "ledger"),
    ("who is on call for infra at the moment", "infra"),
    ("who's the backup for platform", "platform"),
])
def test_a_page_of_a_teams_oncall_or_a_team_word_after_the_rota_is_a_team(text: str, team: str) -> None:
    slots = extract_slots(text, NOW)
    assert slots.get("team") == team and slots.get("service") != team
