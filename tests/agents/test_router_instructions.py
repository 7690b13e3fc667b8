"""Router grammar for three constructions: a how-to question asks for the procedure whatever
domain words it names, a CI run that died with its error asked for is a failure, and
resources paid for but not used are savings. Phrasings here are this file's own."""

from __future__ import annotations

import pytest

from agents.router_rules import SKILL_NAMES, STRONG, rule_boosts


def boost(text: str, skill: str) -> float:
    boosts, _ = rule_boosts(text)
    return float(boosts[SKILL_NAMES.index(skill)])


def top(text: str) -> str:
    boosts, _ = rule_boosts(text)
    return SKILL_NAMES[int(boosts.argmax())]


@pytest.mark.parametrize("text", ["how do I lock down an s3 bucket someone opened to everyone",
                                  "how should we close port 22 that is open to the world on the bastion",
                                  "how to rotate an access key that leaked"])
def test_an_instruction_question_outweighs_the_domain_words_it_names(text: str) -> None:
    assert top(text) == "knowledge.runbook"
    assert boost(text, "knowledge.runbook") > STRONG
    assert all(boost(text, skill) <= 0 for skill in SKILL_NAMES if skill != "knowledge.runbook")


@pytest.mark.parametrize(("text", "skill"), [("how do I find which buckets are public", "security.public_storage"),
                                           ("how can we see the open ports", "security.open_ports")])
def test_asking_how_to_see_something_keeps_the_skill_that_shows_it(text: str, skill: str) -> None:
    assert boost(text, "knowledge.runbook") == STRONG  # the plain how-to weight, no more
    assert boost(text, skill) > 0  # its domain words still count


@pytest.mark.parametrize("text", ["how does this bot work", "how do you page someone"])
def test_a_how_to_about_the_bot_itself_gets_no_instruction_boost(text: str) -> None:
    assert boost(text, "knowledge.runbook") <= STRONG


def test_a_ci_run_that_died_with_its_error_asked_for_is_a_failure() -> None:
    assert top("the release pipeline for billing crashed overnight, what was the error") == "cicd.failure"
    # said alone it is still about the run (a failure), never about a machine to act on
    assert top("the release pipeline for billing crashed overnight") == "cicd.failure"
    assert boost("the release pipeline for billing crashed overnight", "infra.action") == 0.0


def test_things_paid_for_but_not_in_use_are_savings() -> None:
    assert top("which load balancers are we paying for and not using") == "cost.savings"


@pytest.mark.parametrize("text", ["who owns the reporting box", "where does billing-api-2 run",
                                  "who is responsible for ledger-db", "where is the search cluster hosted"])
def test_who_owns_or_where_a_thing_runs_asks_about_that_thing(text: str) -> None:
    assert top(text) == "infra.describe"
    assert boost(text, "cicd.status") <= 0  # "run" here is not a pipeline run


@pytest.mark.parametrize(("text", "skill"), [("where does the nightly deploy workflow run", "cicd.status"),
                                           ("who owns the sev1 incident on billing", "incident.brief")])
def test_ownership_grammar_leaves_pipelines_and_incidents_alone(text: str, skill: str) -> None:
    assert boost(text, "infra.describe") < STRONG
