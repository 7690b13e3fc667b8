"""Constructions found in this stop's review of the dev21 cases left unrouted, each tested in
other words than the ones found."""

from __future__ import annotations

import re

import pytest

from agents.mood import CLAIMED_BY_ME, mood_for, occurrences
from agents.router import SkillRouter
from agents.router_rules import SKILL_NAMES, rule_boosts
from agents.spelling import Speller


def _boost(text: str, skill: str) -> float:
    boosts, _ = rule_boosts(text)
    return float(boosts[SKILL_NAMES.index(skill)])


@pytest.mark.parametrize(("text", "skill"), [
    ("what's the function that processes the thumbnail queue called", "infra.describe"),
    ("which vm hosts the internal wiki?", "infra.describe"),
    ("which servers serve the marketing site", "infra.inventory"),
])
def test_which_machine_plays_a_part_is_its_description_or_the_listing(router: SkillRouter, text: str,
                                                                        skill: str) -> None:
    assert router.route(text).skill == skill


@pytest.mark.parametrize("text", ["which lambda handles refunds and is it logging errors",
                                  "what's the box that hosts the wiki costing us"])
def test_a_part_played_asked_with_its_logs_or_its_bill_is_not_the_description(text: str) -> None:
    assert _boost(text, "infra.describe") == 0 and _boost(text, "infra.inventory") == 0


@pytest.mark.parametrize(("text", "skill"), [
    # the speaker claiming an incident
    ("the checkout alert is mine now", "incident.ack"),
    ("i'm taking the ledger page", "incident.ack"),
    ("i'll take that one", "incident.ack"),
    # a page wished of the channel, or a person put on it
    ("someone has to wake carol up, the db is melting", "incident.page"),
    ("somebody should page the dba", "incident.page"),
    ("get the dba on it", "incident.page"),
    # what the responders have found: the incident's notes
    ("what did the responders find so far", "incident.brief"),
    ("is the nightly finished or still building", "cicd.status"),
    ("which checks are dragging our score down", "security.posture"),
    ("whose access key is this", "security.iam"),
    ("does erin log into the console at all", "security.iam"),
    ("the 5432 group - is anything attached to it", "security.open_ports"),
])
def test_constructions_found_by_the_dev22_cases(router: SkillRouter, text: str, skill: str) -> None:
    assert router.route(text).skill == skill


@pytest.mark.parametrize("text", ["is the ledger page mine?", "that outage is on me, sorry, i pushed the bad config",
                                  "whose is the checkout alert"])
def test_a_question_of_whose_it_is_or_blame_taken_claims_nothing(text: str) -> None:
    assert not re.search(CLAIMED_BY_ME, text.lower())


def test_a_claim_is_the_ack_asked_for_wherever_it_stands() -> None:
    assert mood_for("incident.ack", "alice is asleep, so the ledger page is mine") == ("request", "incident.ack")


@pytest.mark.parametrize("text", ["we should have paged the dba", "someone should've restarted it last night",
                                  "carol could have acked it sooner"])
def test_what_should_have_been_done_asks_for_nothing_now(text: str) -> None:
    assert [occ.mood for occ in occurrences(text)] == ["past"]


def test_scanners_finding_things_are_findings_not_notes() -> None:
    assert _boost("what has inspector found on the bastion", "incident.brief") == 0


@pytest.mark.parametrize("text", ["do we run anything on azure apart from the vms", "does we have stuff in gcp still"])
def test_whether_the_company_uses_a_cloud_reads_as_its_inventory(text: str) -> None:
    assert _boost(text, "infra.inventory") >= 4.0


def test_whether_the_bot_covers_a_cloud_is_not_the_inventory() -> None:
    assert _boost("do you do azure too", "infra.inventory") == 0


@pytest.mark.parametrize("text", ["proj feb for rds", "proj q2?"])
def test_proj_before_a_month_or_a_quarter_is_the_projection(router: SkillRouter, text: str) -> None:
    assert router.route(text).skill == "cost.forecast"


def test_proj_is_left_as_typed_not_repaired_to_prod() -> None:
    speller = Speller(["is prod down", "show prod errors"], frozenset())
    assert speller.correct("proj spend next month") == "proj spend next month"
    assert speller.correct("prid errors") == "prod errors"  # the repair itself still runs


@pytest.mark.parametrize(("typed", "kept"), [("dont page anyone yet", "dont page anyone yet"),
                                             ("stopped ones dont count", "stopped ones dont count"),
                                             ("it isnt attached", "it isnt attached")])
def test_a_contraction_typed_without_its_apostrophe_keeps_its_not(typed: str, kept: str) -> None:
    speller = Speller(["is it done", "is it attached", "page someone"], frozenset())
    assert speller.correct(typed) == kept
