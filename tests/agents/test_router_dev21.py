"""Constructions found by the dev21 cases (terse shorthand, non-engineers, context pasted first,
other tools' words), each tested in other words than the ones found."""

from __future__ import annotations

import pytest

from agents.clarified import ITEMS, items_of
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.mood import mood_for
from agents.router import SkillRouter
from agents.router_rules import SKILL_NAMES, rule_boosts
from tests.agents.routes import route


def _boost(text: str, skill: str) -> float:
    boosts, _ = rule_boosts(text)
    return float(boosts[SKILL_NAMES.index(skill)])


@pytest.mark.parametrize(("text", "skill"), [
    ("who do we ring first when the ledger db falls over, is that documented somewhere?", "knowledge.runbook"),
    ("what's the order we escalate in for a sev1? is it written down anywhere", "knowledge.runbook"),
    ("tell pd i've got the ledger one", "incident.ack"),
    ("which changes would save us the most on ec2", "cost.savings"),
    ("we blew through the ledger budget in ten days, what is driving that?", "cost.anomalies"),
    ("the ledger backlog page from monday, is it closed? who did close it", "incident.brief"),
    ("who acked that one in the end", "incident.brief"),
    ("pls mark as being worked on the ledger alert, im on it", "incident.ack"),
])
def test_constructions_found_by_the_dev21_cases(router: SkillRouter, text: str, skill: str) -> None:
    assert router.route(text).skill == skill


def test_whom_to_call_is_still_the_rota_when_nothing_asks_for_the_document(router: SkillRouter) -> None:
    assert router.route("who do we call about the ledger db falling over?").skill == "incident.oncall"


def test_telling_the_pager_the_speaker_has_it_asks_for_the_ack() -> None:
    assert mood_for("incident.ack", "on call for ledger here - please tell pagerduty we have it") \
        == ("request", "incident.ack")
    assert mood_for("incident.ack", "did you tell pagerduty i have it?")[0] != "request"


@pytest.mark.parametrize("text", ["i'm the one on call for ledger - please tell pagerduty we have it",
                                  "im on call for ledger. reboot ledger-vm-2"])
def test_the_speaker_saying_they_are_on_call_asks_no_rota(text: str) -> None:
    assert _boost(text, "incident.oncall") < 4.0


@pytest.mark.parametrize("text", ["am i on call for ledger this weekend", "i'm on call for ledger when?"])
def test_the_speaker_asking_about_their_own_turn_asks_the_rota(text: str) -> None:
    assert _boost(text, "incident.oncall") == 4.0


HUB_ROWS = [
    {"severity": "medium", "title": "IAM.5 MFA should be enabled for console users",
     "resource": "arn:aws:iam::9:user/erin", "region": "eu-north-1"},
    {"severity": "low", "title": "ELB.4 Load balancers should drop invalid headers", "resource": "arn:aws:elb:lb/web",
     "region": "eu-north-1"},
]
FINDINGS = TurnContext("security.findings",
                       {"cloud": "aws", ITEMS: items_of([{"tool": "aws_security_hub_findings",
                                                          "result": {"rows": HUB_ROWS}}], {})},
                       [row["resource"] for row in HUB_ROWS])


@pytest.mark.parametrize("text", ["the one about mfa, which account it is for?",
                                  "ok the one about invalid headers - which load balancer is that on?"])
def test_a_message_opening_on_the_one_about_x_asks_of_that_listed_item(text: str) -> None:
    asked = apply_context(route(text, "security.iam", confidence=1.0), FINDINGS, 0.45)
    assert asked.skill == "security.findings"


def test_an_incident_marked_as_taken_asks_for_the_ack() -> None:
    assert mood_for("incident.ack", "can you mark 2207 as handled") == ("request", "incident.ack")
    assert mood_for("incident.ack", "who marked it as handled?")[0] != "request"
