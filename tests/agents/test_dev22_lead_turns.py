"""Follow-ups found by the dev22 cases that the lead fixed, tested in other words than the
ones found."""

from __future__ import annotations

from agents.clarified import ITEMS, SAID, items_of
from agents.conversations import TurnContext
from agents.followup import apply_context
from tests.agents.routes import route

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
