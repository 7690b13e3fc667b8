"""dev16 (evals16c): "there" in a follow-up points at the place the previous turn looked in
(its region, cloud, resource group), not at the first item that turn listed."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from tests.agents.routes import route

LISTED = TurnContext("infra.inventory", {"region": "ap-southeast-2", "cloud": "aws"},
                     ["i-0aaa111122223333a", "i-0bbb111122223333b"])


def test_there_lends_the_region_of_the_listing_not_its_first_instance() -> None:
    followed = apply_context(route("what's wasting money out there?", "cost.savings"), LISTED, 0.45)
    assert followed.skill == "cost.savings"
    assert followed.slots.get("region") == "ap-southeast-2"
    assert "instance_id" not in followed.slots


def test_a_region_named_in_the_turn_wins_over_there() -> None:
    followed = apply_context(route("and in eu-central-1, anything idle over there?", "cost.savings",
                                   {"region": "eu-central-1"}), LISTED, 0.45)
    assert followed.slots.get("region") == "eu-central-1"


def test_it_over_there_is_still_the_listed_item() -> None:
    followed = apply_context(route("is it still running over there?", "infra.describe"), LISTED, 0.45)
    assert followed.slots.get("instance_id") == "i-0aaa111122223333a"


def test_in_there_is_the_previous_answer_not_a_place() -> None:
    from agents.followup import _points_at_a_place
    assert not _points_at_a_place("anything weird in there?", LISTED)
    assert _points_at_a_place("anything weird over there?", LISTED)


def test_over_there_with_no_place_before_lends_what_it_did() -> None:
    unplaced = TurnContext("infra.inventory", {"cloud": "aws"}, ["i-0aaa111122223333a"])
    followed = apply_context(route("anything over there we overpay for?", "cost.savings"), unplaced, 0.45)
    assert "region" not in followed.slots
