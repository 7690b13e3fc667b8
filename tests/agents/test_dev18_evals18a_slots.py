"""dev18 (evals18a): a viewpoint adverb ("money-wise", "perf-wise") is no resource name, so a
follow-up pointing at the previous turn's place ("that region") still borrows it."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.slots.entities import find_resource_name
from tests.agents.routes import route


def test_a_wise_adverb_is_no_resource_name() -> None:
    assert find_resource_name("money-wise how bad is it", set()) is None
    assert find_resource_name("perf-wise, is api-gw-7 keeping up", set()) == "api-gw-7"


def test_that_region_after_a_listing_is_the_listed_region() -> None:
    listing = TurnContext("infra.inventory", {"region": "ap-southeast-2", "cloud": "aws"}, [])
    asked = apply_context(route("risk-wise how does that region rate", "security.posture", {}, 1.0), listing, 0.45)
    assert asked.skill == "security.posture"
    assert asked.slots.get("region") == "ap-southeast-2"
