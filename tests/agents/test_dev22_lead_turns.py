"""Follow-ups found by the dev22 cases that the lead fixed, tested in other words than the
ones found."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.clarified import ITEMS, SAID, items_of
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.mood import occurrences
from agents.slots import extract_slots
from agents.thread_words import correction_rest
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



BRIEFED = TurnContext("incident.brief", {"incident_id": "P0LEDGR", SAID: "catch me up on the ledger page"}, ["P0LEDGR"])
POSTURE = TurnContext("security.posture", {SAID: "how is our security posture", "cloud": "aws"}, [])


@pytest.mark.parametrize("text", ["ok now a shorter version for the leadership channel", "tl;dr for the execs pls"])
def test_the_answer_asked_again_in_fewer_words_is_the_previous_question(text: str) -> None:
    asked = apply_context(route(text, "cicd.rerun", {}, 0.36), BRIEFED, 0.45)
    assert (asked.skill, asked.slots["incident_id"]) == ("incident.brief", "P0LEDGR")


def test_part_of_the_answer_pointed_at_by_its_noun_narrows_the_previous_question() -> None:
    text = "just the us-east-1 bits from that report"
    asked = apply_context(route(text, "infra.inventory", extract_slots(text, NOW), 1.0), POSTURE, 0.45)
    assert (asked.skill, asked.slots["region"], asked.slots["cloud"]) == ("security.posture", "us-east-1", "aws")


def test_the_grammar_reading_the_thread_s_check_firmly_keeps_it() -> None:
    text = "which of those are hurting the score most"
    asked = apply_context(route(text, "cost.summary", extract_slots(text, NOW), 0.9), POSTURE, 0.45)
    assert asked.skill == "security.posture"


def test_a_firm_reading_of_another_agent_the_grammar_does_not_contest_stands() -> None:
    text = "what did we spend on ec2 last week"
    asked = apply_context(route(text, "cost.summary", extract_slots(text, NOW), 0.95), POSTURE, 0.45)
    assert asked.skill == "cost.summary"


@pytest.mark.parametrize(("text", "rest"), [("wrong box, i meant ledger-worker-3", "ledger-worker-3"),
                                            ("oops not that one, i meant the eu one", "the eu one")])
def test_the_target_said_to_be_wrong_opens_a_correction(text: str, rest: str) -> None:
    assert correction_rest(text) == rest


def test_a_correction_that_asks_a_change_asks_it_of_the_one_meant_not_the_previous_target() -> None:
    text = "sorry wrong one, i meant the staging ledger vm. reboot that one"
    asked = apply_context(route(text, "infra.action", extract_slots(text, NOW), 1.0), DESCRIBED, 0.45)
    assert asked.skill == "infra.action" and asked.slots["action"] == "reboot"
    assert asked.slots.get("resource_name") != "ledger-worker-2"


def test_a_correction_naming_another_machine_asks_the_previous_question_of_it() -> None:
    text = "no i meant ledger-worker-3"
    asked = apply_context(route(text, "infra.describe", extract_slots(text, NOW), 0.9), DESCRIBED, 0.45)
    assert (asked.skill, asked.slots["resource_name"]) == ("infra.describe", "ledger-worker-3")


def test_why_an_item_of_a_list_cut_short_is_there_asks_of_the_whole_list() -> None:
    top = TurnContext("cost.savings", {SAID: "biggest savings, top 2", "limit": 2, ITEMS: [
        {"id": "i-0ledger9", "name": "ledger-batch-9", "kind": "low CPU instance"},
        {"id": "vol-0ledger", "name": "ledger-scratch", "kind": "unattached volume"}]}, ["i-0ledger9", "vol-0ledger"])
    asked = apply_context(route("why is ledger-batch-9 on there?", "infra.describe",
                                {"resource_name": "ledger-batch-9"}, 0.95), top, 0.45)
    assert asked.skill == "cost.savings" and "limit" not in asked.slots
