"""Follow-ups found by the dev22 cases that the lead fixed, tested in other words than the
ones found."""

from __future__ import annotations

from datetime import datetime

from agents.clarified import ITEMS, SAID, items_of
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.mood import occurrences
from agents.slots import extract_slots
from tests.agents.routes import route

NOW = datetime(2026, 3, 18, 9, 30)

LOG_ROWS = [{"time": "2026-03-18T09:10:00Z", "service": "ledger-api", "message": "disk quota exceeded on /var/lib"},
            {"time": "2026-03-18T09:12:00Z", "service": "ledger-api", "message": "upstream timed out after 30s"}]
LOGS = TurnContext("infra.logs", {ITEMS: items_of([{"tool": "aws_logs_errors", "result": {"rows": LOG_ROWS}}], {}),
                                  SAID: "errors in ledger-api logs?", "service": "ledger-api"}, [])


def test_a_procedure_asked_for_what_the_message_names_first_is_the_runbook() -> None:
    text = "the disk quota one, is there a runbook for that"
    asked = apply_context(route(text, "knowledge.runbook", {}, 1.0), LOGS, 0.45)
    assert asked.skill == "knowledge.runbook"


def test_the_item_asked_again_without_a_procedure_is_still_the_list_s_check() -> None:
    asked = apply_context(route("the disk quota one, more on it", "knowledge.runbook", {}, 0.4), LOGS, 0.45)
    assert asked.skill == "infra.logs"


DESCRIBED = TurnContext("infra.describe", {"resource_name": "ledger-worker-2", SAID: "how is ledger-worker-2 doing"},
                        ["i-0ledger2"])


def test_a_machine_verb_only_the_slots_know_asks_for_the_change_of_the_machine_described() -> None:
    text = "just cycle the box"
    slots = extract_slots(text, NOW)
    assert slots["action"] == "reboot" and not occurrences(text)  # a verb the mood tables do not hold
    asked = apply_context(route(text, "infra.action", slots, 0.56), DESCRIBED, 0.45)
    assert asked.skill == "infra.action"
    assert asked.slots["resource_name"] == "ledger-worker-2" and asked.slots["action"] == "reboot"

