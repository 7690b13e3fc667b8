"""dev19 (evals19c): "and its logs?" after one machine's description asks that machine's logs
(not the description again); "ok power it on, ..." after a turn about one machine is that
machine's change whatever the reason clause sounds like; a name the question says wins over
one only in the log line or alert pasted above it; a pasted shell command names no resource."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.slots import extract_slots
from tests.agents.routes import route

DESCRIBED = TurnContext("infra.describe", {"resource_name": "ledger-gw-2"}, ["i-0abc1234def567890"])


def test_its_logs_after_a_description_are_that_machines_logs() -> None:
    read = route("and its error lines? anything weird", "infra.logs", {}, 0.97)
    followed = apply_context(read, DESCRIBED, 0.45)
    assert followed.skill == "infra.logs"
    assert followed.slots.get("resource_name") == "ledger-gw-2"


def test_an_ellipsis_without_its_stays_the_previous_question() -> None:
    read = route("and in eu-west-1?", "infra.inventory", {"region": "eu-west-1"}, 0.95)
    assert apply_context(read, DESCRIBED, 0.45).skill == "infra.describe"


def test_its_other_reading_the_router_is_unsure_of_is_no_new_question() -> None:
    read = route("and its logs?", "infra.logs", {}, 0.6)
    assert apply_context(read, DESCRIBED, 0.45).skill == "infra.describe"


def test_a_machine_verb_on_it_after_one_machine_is_its_change() -> None:
    read = route(
        "ok power it on, payroll needs the quarter-end job tonight",
        "cost.forecast",
        {"time_range": {"start": "2026-12-05", "end": "2027-01-01"}, "action": "rerun"},
        0.8,
    )
    followed = apply_context(read, DESCRIBED, 0.45)
    assert followed.skill == "infra.action"
    assert followed.slots.get("action") == "start" and followed.slots.get("resource_name") == "ledger-gw-2"
    assert "time_range" not in followed.slots


def test_a_machine_verb_after_a_bill_is_not_lent_a_machine() -> None:
    bill = TurnContext("cost.summary", {"service": "ledger"})
    read = route("ok shut it down, payroll is done for the quarter", "cost.summary", {}, 0.6)
    assert apply_context(read, bill, 0.45).skill != "infra.action"


NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_the_questions_own_name_wins_over_the_pasted_lines() -> None:
    text = "WARN redis.ConnectionError: ledger-cache refused the connection\nwhat else is ledger-api logging"
    assert extract_slots(text, NOW).get("resource_name") == "ledger-api"


def test_a_pasted_alert_lends_its_name_when_the_question_says_none() -> None:
    text = "ALARM: ledger-gw-2 StatusCheckFailed_System went to ALARM\ncan you reboot it"
    assert extract_slots(text, NOW).get("resource_name") == "ledger-gw-2"


def test_a_question_before_the_paste_keeps_its_own_name() -> None:
    text = "why is ledger-api unhappy?\nERROR timeout talking to ledger-cache"
    assert extract_slots(text, NOW).get("resource_name") == "ledger-api"


def test_a_pasted_shell_command_names_no_resource_or_tag() -> None:
    text = "$ aws rds describe-db-instances --filters Name=engine,Values=postgres\nAccessDenied\nwhich dbs do we have"
    slots = extract_slots(text, NOW)
    assert "resource_name" not in slots and "tag_key" not in slots
    quoted = extract_slots("> ledger-gw-2 is down again\ncan someone look", NOW)
    assert quoted.get("resource_name") == "ledger-gw-2"
