"""Constructions found in this stop's review of the dev21 cases left unrouted, each tested in
other words than the ones found."""

from __future__ import annotations

import pytest

from agents.router import SkillRouter
from agents.router_rules import SKILL_NAMES, rule_boosts


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
