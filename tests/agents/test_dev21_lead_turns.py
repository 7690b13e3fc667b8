"""Slots and follow-ups found by the lead's own requests of the demo during dev21, tested in
other words than the ones found."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.clarified import ITEMS, SAID, items_of, pick
from agents.conversations import TurnContext
from agents.focus import LISTED_WORDS, SUBJECTS, asked_facets
from agents.followup import apply_context, is_elliptical
from agents.slots import extract_slots
from agents.slots.entities import find_incident_status, find_service, named_ports
from agents.slots.time import time_range
from agents.spelling import Speller
from tests.agents.routes import route

NOW = datetime(2026, 3, 18, 9, 30)


@pytest.mark.parametrize(("text", "service"), [
    ("anything raised against ledger this morning?", "ledger"),
    ("are there incidents against the ledger service", "ledger"),
    ("pages against storefront since friday?", "storefront"),
    ("is something firing against auth", "auth"),
])
def test_what_an_incident_is_held_against_is_its_service(text: str, service: str) -> None:
    assert find_service(text) == service


@pytest.mark.parametrize("text", ["is anything open against it?", "anything open on port 3389"])
def test_against_a_pronoun_or_a_port_names_no_service(text: str) -> None:
    assert find_service(text) is None


@pytest.mark.parametrize(("typed", "read"), [
    ("why did run 77 err", "why did run 77 error"),
    ("storage spend nxt quarter", "storage spend next quarter"),
    ("Err on the nightly?", "Error on the nightly?"),
    ("what broke yday", "what broke yesterday"),
])
def test_chat_shorthand_reads_as_the_word_it_shortens(typed: str, read: str) -> None:
    speller = Speller(["why did the run error", "spend next quarter", "what broke yesterday"], frozenset({"err"}))
    assert speller.correct(typed) == read


def test_shorthand_inside_a_name_is_left_alone() -> None:
    speller = Speller(["show the logs"], frozenset())
    assert speller.correct("logs of err-handler and wk-2") == "logs of err-handler and wk-2"


@pytest.mark.parametrize(("text", "service"), [
    ("oncall ledger", "ledger"), ("on-call billing-api?", "billing-api"), ("ok. oncall ledger pls", "ledger")])
def test_a_rota_typed_tersely_names_its_owner_after_the_noun(text: str, service: str) -> None:
    assert find_service(text) == service


@pytest.mark.parametrize("text", ["oncall now?", "oncall this weekend", "oncall rota", "oncall is who?"])
def test_a_time_or_a_rota_word_after_the_noun_names_no_owner(text: str) -> None:
    assert find_service(text) is None


@pytest.mark.parametrize(("text", "ports"), [
    ("ssh ones only", [22]), ("just the rdp rules", [3389]), ("only redis", [6379]), ("the ssh one - disabled?", [22])])
def test_a_port_named_to_pick_rows_of_exposures_is_the_port(text: str, ports: list[int]) -> None:
    assert named_ports(text) == ports


@pytest.mark.parametrize("text", ["ssh into ledger-vm-2 and check", "redis logs only", "how do I rdp to the box"])
def test_a_port_name_in_other_words_picks_no_port(text: str) -> None:
    assert named_ports(text) == []


INCIDENT_ROWS = [
    {"id": "PQ1AAAA", "status": "triggered", "urgency": "low", "service": "ledger", "title": "Ledger sync slow"},
    {"id": "PQ2BBBB", "status": "triggered", "urgency": "high", "service": "billing", "title": "Invoices failing"},
    {"id": "PQ3CCCC", "status": "acknowledged", "urgency": "low", "service": "auth", "title": "Login latency"},
]
LISTED = TurnContext("incident.list", {ITEMS: items_of([{"tool": "pagerduty_open_incidents",
                                                         "result": {"rows": INCIDENT_ROWS}}], {})},
                     [row["id"] for row in INCIDENT_ROWS])


@pytest.mark.parametrize(("text", "skill", "incident"), [
    ("resolve 3rd", "incident.resolve", "PQ3CCCC"),
    ("ack first pls", "incident.ack", "PQ1AAAA"),
    ("ack the high one", "incident.ack", "PQ2BBBB"),
])
def test_a_row_picked_tersely_or_by_its_urgency_is_that_row(text: str, skill: str, incident: str) -> None:
    asked = apply_context(route(text, skill, {}, 0.9), LISTED, 0.45)
    assert asked.slots.get("incident_id") == incident


def test_a_level_shared_by_several_rows_picks_none() -> None:
    assert pick(LISTED.slots[ITEMS], "the low one") is None


@pytest.mark.parametrize(("text", "status"), [
    ("and the pages that were closed since monday?", "resolved"),
    ("resolved incidents for ledger this week", "resolved"),
    ("unresolved incidents for ledger", None),
])
def test_the_closed_set_named_asks_for_resolved_incidents(text: str, status: str | None) -> None:
    assert find_incident_status(text) == status


def test_asking_for_others_like_the_pasted_one_narrows_to_no_name_nor_its_region() -> None:
    slots = extract_slots("Scanner: FAIL public bucket ledger-exports eu-west-1\nany others like that?", NOW)
    assert "resource_name" not in slots and "region" not in slots and "bucket" not in slots


def test_a_region_said_on_the_line_asking_for_others_stays() -> None:
    slots = extract_slots("is ledger-vm-2 the only one in eu-west-1 with ssh open?", NOW)
    assert slots.get("region") == "eu-west-1"
    assert "resource_name" not in slots


def test_one_thing_asked_alone_keeps_its_name() -> None:
    assert extract_slots("is ledger-vm-2 open on ssh?", NOW).get("resource_name") == "ledger-vm-2"


@pytest.mark.parametrize("text", ["can anyone on the internet get to it?", "could someone from the outside reach it"])
def test_someone_out_on_the_internet_is_no_team(text: str) -> None:
    assert extract_slots(text, NOW).get("team") is None


MACHINES = TurnContext("infra.inventory", {"cloud": "azure", "resource_group": "rg-ledger"}, ["vm-a", "vm-b"])


def test_a_check_of_those_listed_machines_is_of_the_place_they_were_listed_in() -> None:
    text = "are those boxes reachable over ssh from outside?"
    asked = apply_context(route(text, "security.open_ports", extract_slots(text, NOW), 0.95), MACHINES, 0.45)
    assert (asked.slots.get("cloud"), asked.slots.get("resource_group")) == ("azure", "rg-ledger")
    assert "resource_name" not in asked.slots


def test_a_check_of_one_listed_machine_named_is_of_that_machine() -> None:
    text = "is vm-b reachable over ssh from outside?"
    asked = apply_context(route(text, "security.open_ports", extract_slots(text, NOW), 0.95), MACHINES, 0.45)
    assert asked.slots.get("resource_name") == "vm-b"


@pytest.mark.parametrize(("text", "elliptical"), [
    ("people with a console password only, skip the service accounts", True),
    ("eu ones only pls", True),
    ("prod only - not staging", True),
    ("reboot ledger-vm-2 only", False),  # a request of its own
    ("list prod only", False),  # a question of its own
])
def test_a_qualifier_said_after_its_noun_narrows_the_previous_question(text: str, elliptical: bool) -> None:
    assert is_elliptical(text) is elliptical


def test_the_narrowed_list_keeps_the_words_its_focus_was_asked_in() -> None:
    no_mfa = TurnContext("security.iam", {"cloud": "aws", SAID: "which users lack mfa"}, ["erin"])
    text = "console users only, skip the bots"
    asked = apply_context(route(text, "security.iam", extract_slots(text, NOW), 0.6), no_mfa, 0.45)
    assert asked.slots.get(LISTED_WORDS) == "which users lack mfa"


VOLUMES = TurnContext("cost.savings", {"aws_service": "ebs", "resource_type": "volume"}, ["vol-1"])


@pytest.mark.parametrize("text", ["k and anything unencrypted at rest? disks or snapshots",
                                  "ok. and security-wise how does that look"])
def test_a_short_question_in_the_security_agents_own_words_is_its_own(text: str) -> None:
    asked = apply_context(route(text, "security.posture", {}, 0.86), VOLUMES, 0.45)
    assert asked.skill == "security.posture"


@pytest.mark.parametrize(("text", "disk"), [
    ("any orphaned ebs volumes we still pay for?", False),  # the state said before "ebs volumes"
    ("are there volumes not attached to anything", False),
    ("any disks we pay for and never use", True),
])
def test_a_volume_asked_by_its_state_anywhere_is_that_state_alone(text: str, disk: bool) -> None:
    asked = [facet.name for facet in asked_facets(SUBJECTS["aws_savings"], text)]
    assert asked == (["disk"] if disk else ["unattached"])


GUARDDUTY = TurnContext("security.findings", {"cloud": "aws", "aws_service": "guardduty"}, [])


def test_an_unsure_reading_as_likely_as_the_threads_own_domain_is_the_threads() -> None:
    asked = apply_context(route("anything bad from this week?", "incident.list", {}, 0.3,
                                alternatives=[("security.findings", 0.34), ("cicd.changes", 0.2)]), GUARDDUTY, 0.45)
    assert asked.skill == "security.findings"


def test_a_far_less_likely_reading_of_the_threads_domain_is_not_taken() -> None:
    asked = apply_context(route("anything bad from this week?", "incident.list", {}, 0.4,
                                alternatives=[("cicd.changes", 0.2), ("security.findings", 0.05)]), GUARDDUTY, 0.45)
    assert asked.skill == "incident.list"


INCIDENTS = TurnContext("incident.list", {ITEMS: items_of([{"tool": "pagerduty_open_incidents",
                                                            "result": {"rows": INCIDENT_ROWS}}], {})},
                        [row["id"] for row in INCIDENT_ROWS])


def test_a_barely_sure_other_reading_of_one_listed_item_is_its_brief() -> None:
    asked = apply_context(route("which is worse? dig into the billing one for me", "incident.oncall", {}, 0.46),
                          INCIDENTS, 0.45)
    assert (asked.skill, asked.slots.get("incident_id")) == ("incident.brief", "PQ2BBBB")


def test_a_rate_word_inside_a_hyphenated_name_is_no_period() -> None:
    assert time_range("the ledger-monthly budget alert fired, why?", NOW) is None
    assert time_range("the ledger-weekly report job", NOW) is None


@pytest.mark.parametrize("text", ["spend in the current billing period", "over budget for the current period?"])
def test_the_current_period_of_a_budget_is_this_month_so_far(text: str) -> None:
    found = time_range(text, NOW)
    assert found is not None and (found["start"], found["end"]) == ("2026-03-01", "2026-03-19")
