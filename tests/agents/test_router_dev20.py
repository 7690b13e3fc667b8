"""Constructions found by the lead's own requests and the dev20 cases (goal-framed, polite,
two asks in one message, phone typing), each tested in other words than the ones found."""

from __future__ import annotations

import pytest

from agents.mood import occurrences
from agents.router import SkillRouter
from agents.router_rules import SKILL_NAMES, asked_words, rule_boosts
from agents.spelling import Speller


def _moods(text: str, skill: str) -> list[str]:
    return [occ.mood for occ in occurrences(text) if occ.skill == skill]


def _boost(text: str, skill: str) -> float:
    boosts, _ = rule_boosts(text)
    return float(boosts[SKILL_NAMES.index(skill)])


@pytest.mark.parametrize(("text", "skill"), [
    ("if the ledger build broke again re-run it", "cicd.rerun"),
    ("if ledger-worker-3 is still wedged reboot it", "infra.action"),
    ("once the backfill finished restart ledger-worker-3", "infra.action"),
])
def test_a_condition_typed_without_its_comma_conditions_the_request(text: str, skill: str) -> None:
    assert _moods(text, skill) == ["request"]


@pytest.mark.parametrize(("text", "skill"), [
    ("if we re-run it will the ledger build pass", "cicd.rerun"),  # a person's act: the verb is the condition's
    ("if i reboot ledger-worker-3 does it lose its queue", "infra.action"),
])
def test_a_condition_about_our_own_act_asks_nothing(text: str, skill: str) -> None:
    assert "request" not in _moods(text, skill)


def test_a_request_put_to_the_bot_after_a_question_is_a_request() -> None:
    assert _moods("who covers ledger tonight and could you page them", "incident.page") == ["request"]
    assert _moods("who covers ledger tonight and should I page them", "incident.page") != ["request"]


def test_the_act_of_a_condition_is_asked_by_a_go_ahead_after_it() -> None:
    text = "if no one has acknowledged the ledger page yet, do it for me - back at my desk soon"
    assert _moods(text, "incident.ack") == ["request"]
    assert _moods("if no one has acknowledged the ledger page yet, who will?", "incident.ack") != ["request"]


def test_a_thing_asked_to_be_got_into_a_state_is_a_request() -> None:
    assert _moods("could we get ledger-worker-3 rebooted", "infra.action") == ["request"]
    assert _moods("can i get the ledger deploy re-run", "cicd.rerun") == ["request"]


@pytest.mark.parametrize(("text", "skill"), [
    ("who's covering ledger right now? page them", "incident.page"),
    ("who holds the ledger pager, and can you page them", "incident.page"),
    ("is the ledger nightly red? re-run it", "cicd.rerun"),
    ("who would I page for ledger", "incident.oncall"),  # asked about, not asked for
    ("list the incidents of this week, open or closed", "incident.list"),  # a participle asks nothing
])
def test_a_write_asked_with_the_question_that_leads_to_it_is_the_ask(
        router: SkillRouter, text: str, skill: str) -> None:
    assert router.route(text).skill == skill


@pytest.mark.parametrize(("text", "skill"), [
    ("could you remind me how we handle an expired cert", "knowledge.runbook"),
    ("tell me how we usually deal with a stuck queue", "knowledge.runbook"),
    ("need to shave the gcp bill this quarter, where do we begin", "cost.savings"),
    ("what's eating the azure budget", "cost.summary"),
    ("the ledger page, has anybody picked it up", "incident.brief"),
    ("which alarms are behind the ledger incident", "incident.brief"),
    ("has anyone acked the incidents from the weekend", "incident.list"),  # plural: the list
    ("for the postmortem I need the error the ledger release hit", "cicd.failure"),
    ("are we logging api calls in every region", "security.posture"),
    ("hm ok reboot it then", "infra.action"),  # a sound before the ask
    ("for the pen test: does guardian ever stop machines without anyone approving?", "help"),
    ("is there a page listing everything you can answer", "help"),
    ("the auditors want all our s3 buckets and where each one lives", "infra.inventory"),
    ("bring ledger-vm-2 back up please, the export job needs it tonight", "infra.action"),
    ("if ledger-worker-3 is wedged could you give it a restart", "infra.action"),
    ("would you be able to page erin? the ledger queue is backing up", "incident.page"),
    ("i was wondering if you could resolve 2207, the ledger backlog has drained", "incident.resolve"),
    ("on it already, can you get pagerduty to stop paging me", "incident.ack"),
    ("rotating the ledger certs at noon - who should we notify on the billing side?", "incident.oncall"),
    ("nobody picked up the ledger one, bump it to whoever is next", "incident.page"),
    ("shipping the ledger patch soon. anything open against ledger? if not i'll go ahead", "incident.list"),
    ("ping the ledger backup as well, this needs two of us", "incident.page"),
])
def test_constructions_found_by_the_dev20_requests(router: SkillRouter, text: str, skill: str) -> None:
    assert router.route(text).skill == skill


def test_a_cause_asked_of_the_pager_proposes_nothing(router: SkillRouter) -> None:
    route = router.route("how come pagerduty keeps ringing me")
    assert route.skill not in ("incident.page", "incident.ack", "incident.resolve")


def test_a_thing_set_aside_before_the_ask_counts_against_it() -> None:
    text = "cheers. apart from the buckets, is mfa on for every admin?"
    assert asked_words(text) == "is mfa on for every admin?"
    assert _boost(text, "security.public_storage") <= 0


def test_a_word_typed_without_its_vowels_is_read() -> None:
    speller = Speller(["projected spend", "restart the instance", "restart it"], frozenset())
    assert speller.correct("prjctd spend") == "projected spend"
    assert speller.correct("rstrt the instance") == "restart the instance"
    assert speller.correct("prajctd spend") == "prajctd spend"  # a vowel the word does not have


def test_a_dropped_vowel_is_the_likelier_typo() -> None:
    """"fixd" is one edit from "fixed" (a vowel dropped) and from "find" (a letter changed);
    fast typing drops vowels, so "fixed" is read even when "find" is the commoner word."""
    speller = Speller(["find it", "find them", "find the logs", "who fixed it"], frozenset())
    assert speller.word("fixd") == "fixed"
    assert speller.word("fnd") == "fnd"  # three letters: too short to repair
