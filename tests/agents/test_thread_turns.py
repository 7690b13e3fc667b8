"""Thread turns that are about the conversation: acknowledgements in the middle of a thread,
corrections of the previous request, a change naming one item of the previous list by what it
is, a follow-up that moves to another cloud, a runbook question about "that", and the
words each turn keeps for the next."""

from __future__ import annotations

import pytest

from agents.clarified import ITEMS, SAID, items_of
from agents.conversations import TurnContext
from agents.followup import ABOUT, apply_context
from agents.route import Route
from agents.thread_words import correction_rest, is_acknowledgement

LIMIT = 0.45
MACHINES = [
    {"id": "vm/ledger-a", "name": "ledger-a", "region": "northeurope", "env": "prod", "kind": "vm", "cloud": "azure",
     "state": "running", "service": "ledger", "detail": "Standard_B2s Linux"},
    {"id": "vm/ledger-b", "name": "ledger-b", "region": "northeurope", "env": "prod", "kind": "vm", "cloud": "azure",
     "state": "deallocated", "service": "ledger", "detail": "Standard_E4s_v5 Linux"},
    {"id": "vm/builder", "name": "builder", "region": "eastus2", "env": "prod", "kind": "vm", "cloud": "azure",
     "state": "running", "service": "tooling", "detail": "Standard_D4s_v5 Windows"},
]
LISTED = TurnContext("infra.inventory", {"cloud": "azure", ITEMS: MACHINES, SAID: "list the azure machines"},
                     ["ledger-a", "ledger-b", "builder"])


def turn(text: str, skill: str = "help", slots: dict | None = None, confidence: float = 0.2) -> Route:
    agent = skill.split(".")[0] if "." in skill else "help"
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {})


@pytest.mark.parametrize("text", ["ok thx", "thanks!", "cool, cheers", "ty", "great thanks, that helps", "ok"])
def test_thanks_and_okays_are_acknowledgements(text: str) -> None:
    assert is_acknowledgement(text)


@pytest.mark.parametrize("text", ["ok restart it", "thanks, now page carol", "cool and staging?", "ok what else",
                                  "great, who owns it", ""])
def test_a_turn_asking_something_is_no_acknowledgement(text: str) -> None:
    assert not is_acknowledgement(text)


def test_an_acknowledgement_borrows_nothing_and_runs_no_skill_of_the_thread() -> None:
    before = TurnContext("infra.describe", {"resource_name": "ledger-a"}, ["vm/ledger-a"])
    answered = apply_context(turn("ok ta", "infra.describe", confidence=0.1), before, LIMIT)
    assert answered.skill == "help"
    assert answered.slots == {}


@pytest.mark.parametrize(("text", "rest"), [
    ("no, I meant the gcp one", "the gcp one"), ("sorry meant azure", "azure"), ("nah i mean staging", "staging"),
    ("no, the windows one", "the windows one"), ("oops, I meant ledger-b", "ledger-b")])
def test_corrections_give_the_words_put_right(text: str, rest: str) -> None:
    assert correction_rest(text) == rest


@pytest.mark.parametrize("text", ["no", "what did you mean by that", "the gcp one", "no alerts fired?"])
def test_other_turns_correct_nothing(text: str) -> None:
    assert correction_rest(text) is None


def test_a_correction_naming_a_cloud_repeats_the_request_there_without_the_old_place() -> None:
    spend = TurnContext("cost.summary", {"cloud": "azure", "resource_group": "rg-ledger",
                                         "time_range": {"start": "2026-10-01", "end": "2026-11-01"}})
    fixed = apply_context(turn("no sorry, I meant aws", "cost.summary", {"cloud": "aws"}, 0.3), spend, LIMIT)
    assert (fixed.skill, fixed.confidence) == ("cost.summary", LIMIT)
    assert fixed.slots["cloud"] == "aws"
    assert fixed.slots["time_range"]["start"] == "2026-10-01"
    assert "resource_group" not in fixed.slots


def test_a_correction_by_a_bare_name_replaces_the_subject_and_the_item_it_had_found() -> None:
    brief = TurnContext("incident.brief", {"service": "ledger", "incident_id": "PABC123"}, ["PABC123"])
    fixed = apply_context(turn("no, I meant the orders one", "cicd.status", confidence=0.3), brief, LIMIT)
    assert fixed.skill == "incident.brief"
    assert fixed.slots["service"] == "orders"
    assert "incident_id" not in fixed.slots


def test_a_correction_of_a_change_names_the_new_target_only() -> None:
    proposed = TurnContext("infra.action", {"action": "reboot", "instance_id": "i-0aaa", "resource_ids": ["i-0aaa"],
                                            "resource_name": "ledger-a"}, ["i-0aaa"])
    fixed = apply_context(turn("no, I meant ledger-b", "infra.describe", {"resource_name": "ledger-b"}, 0.6),
                          proposed, LIMIT)
    assert fixed.skill == "infra.action"
    assert fixed.slots["resource_name"] == "ledger-b"
    assert "instance_id" not in fixed.slots and "resource_ids" not in fixed.slots
    assert fixed.slots["action"] == "reboot"


def test_a_change_picks_the_listed_item_its_words_describe() -> None:
    start = turn("the deallocated one, bring it back up", "infra.action", {"action": "start"}, 0.62)
    chosen = apply_context(start, LISTED, LIMIT)
    assert chosen.slots["resource_name"] == "ledger-b"
    assert chosen.slots["cloud"] == "azure"


def test_a_change_whose_words_fit_several_items_borrows_no_listed_item() -> None:
    start = turn("the ledger one, restart it", "infra.action", {"action": "restart"}, 0.62)
    assert apply_context(start, LISTED, LIMIT).slots.get("resource_name") != "ledger-a"


def test_moving_to_another_cloud_drops_the_previous_clouds_region() -> None:
    counted = TurnContext("infra.inventory", {"region": "ap-south-1", "cloud": "aws", "resource_type": "ec2"})
    moved = apply_context(turn("and azure?", "infra.inventory", {"cloud": "azure"}, 0.3), counted, LIMIT)
    assert moved.slots["cloud"] == "azure"
    assert "region" not in moved.slots
    assert moved.slots["resource_type"] == "ec2"


def test_a_bare_common_word_after_a_repository_names_another_repository() -> None:
    merged = TurnContext("cicd.changes", {"repo": "ledger-api", "service": "ledger-api"})
    moved = apply_context(turn("and platform?", "incident.oncall", confidence=0.2), merged, LIMIT)
    assert moved.skill == "cicd.changes"
    assert moved.slots["repo"] == "platform"


def test_a_runbook_question_about_that_carries_the_words_it_points_to() -> None:
    found = TurnContext("security.iam", {SAID: "which users skip two-factor"}, [])
    asked = apply_context(turn("whats the procedure to fix that", "knowledge.runbook", confidence=0.9), found, LIMIT)
    assert asked.skill == "knowledge.runbook"
    assert asked.slots[ABOUT] == "which users skip two-factor"


def test_a_runbook_question_of_its_own_carries_nothing() -> None:
    found = TurnContext("security.iam", {SAID: "which users skip two-factor"}, [])
    asked = apply_context(turn("runbook for a full disk", "knowledge.runbook", confidence=0.9), found, LIMIT)
    assert ABOUT not in asked.slots


def test_an_elliptical_turn_says_both_its_words_and_the_ones_it_continues() -> None:
    spend = TurnContext("cost.summary", {"region": "us-east-1", SAID: "spend on databases"})
    followed = apply_context(turn("and in eu-west-1?", slots={"region": "eu-west-1"}), spend, LIMIT)
    assert followed.slots[SAID] == "spend on databases and in eu-west-1?"


def test_listed_items_carry_what_tells_them_apart() -> None:
    calls = [{"tool": "azure_inventory", "result": {"rows": [
        {"type": "vm", "id": "vm/x", "name": "x", "location": "westus", "state": "stopped", "env": "dev",
         "service": "cart", "severity": "low", "detail": "Standard_B1s Windows"}, {"type": "vm", "cost": 3}]}}]
    items = items_of(calls, {"azure_inventory": "azure"})
    assert items == [{"id": "vm/x", "name": "x", "region": "westus", "env": "dev", "kind": "vm", "cloud": "azure",
                      "state": "stopped", "service": "cart", "level": "low", "detail": "Standard_B1s Windows"}]


INCIDENTS = TurnContext("incident.list", {ITEMS: [
    {"id": "PAAA111", "name": "", "region": "", "env": "", "kind": "", "cloud": "pagerduty", "state": "triggered",
     "service": "ledger", "detail": "Ledger API error rate above 5%"},
    {"id": "PBBB222", "name": "", "region": "", "env": "", "kind": "", "cloud": "pagerduty", "state": "acknowledged",
     "service": "storefront", "detail": "Storefront p95 latency above 2s"}]}, ["PAAA111", "PBBB222"])


def test_a_change_naming_a_listed_incident_by_its_service_targets_that_incident() -> None:
    closing = apply_context(turn("resolve the storefront one", "incident.resolve", {"action": "resolve"}, 0.99),
                            INCIDENTS, LIMIT)
    assert closing.slots["incident_id"] == "PBBB222"
    assert "resource_name" not in closing.slots


def test_a_place_in_a_list_of_named_resources_names_that_resource() -> None:
    buckets = TurnContext("security.public_storage", {}, ["ledger-exports", "ledger-static"])
    asked = apply_context(turn("who owns the second one", "infra.describe", confidence=0.99), buckets, LIMIT)
    assert asked.slots["resource_name"] == "ledger-static"


def test_a_place_in_a_list_of_spend_lines_names_nothing() -> None:
    spend = TurnContext("cost.summary", {}, ["Amazon Elastic Compute Cloud - Compute", "AWS Lambda"])
    asked = apply_context(turn("tell me about the first one", "infra.describe", confidence=0.99), spend, LIMIT)
    assert "resource_name" not in asked.slots


def test_a_past_period_after_a_forecast_asks_what_it_cost() -> None:
    forecast = TurnContext("cost.forecast", {"time_range": {"start": "2999-01-01", "end": "2999-02-01"}})
    past = apply_context(turn("what about last month", slots={"time_range": {"start": "2020-03-01",
                                                                              "end": "2020-04-01"}}), forecast, LIMIT)
    assert past.skill == "cost.summary"
    assert past.slots["time_range"]["start"] == "2020-03-01"
    ahead = apply_context(turn("and the next quarter?", slots={"time_range": {"start": "2999-04-01",
                                                                              "end": "2999-07-01"}}), forecast, LIMIT)
    assert ahead.skill == "cost.forecast"


def test_a_place_in_a_list_of_machines_names_the_listed_machine_not_a_number() -> None:
    numbered = TurnContext("infra.inventory", {"cloud": "gcp", ITEMS: [
        {"id": "1000000000000000001", "name": "gce-a", "region": "us-central1-a", "env": "prod", "kind": "instance",
         "cloud": "gcp", "state": "RUNNING", "service": "x", "detail": ""},
        {"id": "1000000000000000002", "name": "gce-b", "region": "europe-west1-b", "env": "prod", "kind": "instance",
         "cloud": "gcp", "state": "RUNNING", "service": "y", "detail": ""}]},
        ["1000000000000000001", "1000000000000000002"])
    asked = apply_context(turn("the second one - what zone is it in", "infra.describe", confidence=0.3), numbered,
                          LIMIT)
    assert asked.slots["resource_name"] == "gce-b"
    assert asked.slots["cloud"] == "gcp"
    assert "run_id" not in asked.slots


def test_a_short_question_naming_nothing_is_asked_of_the_same_machines() -> None:
    counted = TurnContext("infra.inventory", {"cloud": "azure", "resource_type": "ec2"}, [])
    asked = apply_context(turn("how many are stopped", "infra.inventory", confidence=0.97), counted, LIMIT)
    assert asked.slots == {"cloud": "azure", "resource_type": "ec2"}


def test_a_longer_question_of_its_own_keeps_its_own_scope() -> None:
    counted = TurnContext("infra.inventory", {"cloud": "azure"}, [])
    asked = apply_context(turn("list every single instance we run across the whole company", "infra.inventory",
                               confidence=0.97), counted, LIMIT)
    assert "cloud" not in asked.slots


def test_the_triggered_ones_of_a_list_of_open_incidents_are_named_and_the_rest_counted() -> None:
    from agents.focus import focus
    from tools.base import ToolResult

    opened = ToolResult(status="ok", summary="3 open incidents", columns=["id", "status", "urgency", "title"], rows=[
        {"id": "PAAA111", "status": "triggered", "urgency": "low", "title": "Ledger lag"},
        {"id": "PBBB222", "status": "acknowledged", "urgency": "high", "title": "Storefront 5xx"},
        {"id": "PCCC333", "status": "triggered", "urgency": "high", "title": "Login errors"}])
    focused = focus("pagerduty_open_incidents", opened, "no wait, just the triggered ones")
    assert focused is not None
    assert [row["id"] for row in focused.rows] == ["PAAA111", "PCCC333"]
    assert focused.lead.startswith("2 of 3 open incidents are triggered")
    unacked = focus("pagerduty_open_incidents", opened, "anything still unacked?")
    assert unacked is not None and len(unacked.rows) == 2
    high = focus("pagerduty_open_incidents", opened, "only the high urgency ones")
    assert high is not None and [row["id"] for row in high.rows] == ["PBBB222", "PCCC333"]
    assert focus("pagerduty_open_incidents", opened, "what's open right now") is None


@pytest.mark.parametrize("text", ["could you retry that one for me?", "go again on that pls"])
def test_a_change_on_that_after_a_ci_answer_targets_the_run_it_named(text: str) -> None:
    # the failure answer named one run (a long number): "that" is the run, not a repository
    failure = TurnContext("cicd.failure", {}, ["9900000123", "octo/web"])
    asked = apply_context(turn(text, "cicd.rerun", confidence=0.5), failure, LIMIT)
    assert asked.slots.get("run_id") == "9900000123"
    assert "resource_name" not in asked.slots


def test_a_long_number_after_a_cloud_answer_stays_a_name() -> None:
    # Compute Engine ids are numbers too: outside CI they are no run
    vm = TurnContext("infra.describe", {}, ["4419020311223344"])
    asked = apply_context(turn("reboot that one", "infra.action", confidence=0.5), vm, LIMIT)
    assert "run_id" not in asked.slots


def test_asking_more_about_one_listed_item_names_that_item() -> None:
    """"more on the builder one" after a listing: the one row the words fit is
    described (its name and place), not whatever else elsewhere shares the word."""
    asked = apply_context(turn("more on the builder one pls", "infra.describe", confidence=0.9), LISTED,
                          LIMIT)
    assert asked.skill == "infra.describe"
    assert asked.slots.get("resource_name") == "builder" or asked.slots.get("resource_ids") == ["vm/builder"]
    vague = apply_context(turn("more on the ledger one pls", "infra.describe", confidence=0.9), LISTED, LIMIT)
    assert "resource_name" not in vague.slots and "resource_ids" not in vague.slots  # two rows fit: the words decide
