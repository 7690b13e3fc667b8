"""Follow-ups that leave the previous skill: a contrast or a sentence adverb after "ok" opens a
question of its own ("ok but generally, where do we stand"), and a subset of a plain inventory
asked by a property a security or spend check judges runs that check over the same place."""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context, is_elliptical
from agents.route import Route

THRESHOLD = 0.45


def route(text: str, skill: str, slots: dict | None = None, confidence: float = 0.9) -> Route:
    agent = {"infra": "infrastructure"}.get(skill.split(".")[0], skill.split(".")[0])
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", ["ok but what's the big picture", "ok, overall how bad is it",
                                  "and honestly where do we stand", "ok but in general who owns it"])
def test_a_question_after_a_contrast_or_an_adverb_is_not_a_fragment(text: str) -> None:
    assert not is_elliptical(text)


@pytest.mark.parametrize("text", ["ok but in us-east-1?", "and actually for staging", "ok but only last week"])
def test_a_bare_qualifier_after_but_or_an_adverb_is_still_a_fragment(text: str) -> None:
    assert is_elliptical(text)


def test_a_whole_account_question_after_a_bucket_check_is_that_question() -> None:
    buckets = TurnContext("security.public_storage", {"region": "eu-west-1"}, [])
    asked = apply_context(route("ok but generally, how healthy is our cloud security", "security.posture"),
                          buckets, THRESHOLD)
    assert asked.skill == "security.posture"


@pytest.mark.parametrize(("text", "skill"), [("which of these are open to anyone on the internet",
                                              "security.public_storage"),
                                             ("any of them lacking encryption", "security.public_storage"),
                                             ("how many of those have port 22 wide open", "security.open_ports")])
def test_a_security_property_of_listed_items_runs_the_check_there(text: str, skill: str) -> None:
    listing = TurnContext("infra.inventory", {"region": "us-east-1", "resource_type": "s3"}, [])
    asked = apply_context(route(text, skill), listing, THRESHOLD)
    assert asked.skill == skill
    assert asked.slots.get("region") == "us-east-1" and "resource_type" not in asked.slots


def test_an_unsure_reading_of_listed_items_stays_the_listing() -> None:
    listing = TurnContext("infra.inventory", {"region": "us-east-1"}, [])
    asked = apply_context(route("which of those are stopped", "security.posture", confidence=0.3), listing, THRESHOLD)
    assert asked.skill == "infra.inventory"


def test_a_subset_of_a_security_list_is_still_that_list() -> None:
    exposed = TurnContext("security.open_ports", {}, [])
    asked = apply_context(route("which of those are in eu-west-1", "infra.inventory", {"region": "eu-west-1"}),
                          exposed, THRESHOLD)
    assert asked.skill == "security.open_ports"
