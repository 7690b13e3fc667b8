"""Follow-ups and periods found by the lead's dev20 requests, in other words than the ones
found: a repeat asked for after thanks and with its reason after the question, and a rate
("per month") with no period named."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context, asked_part, is_elliptical
from agents.route import Route
from agents.slots.time import time_range

NOW = datetime(2026, 3, 18, 9, 30)  # a Wednesday


def route(text: str, skill: str, confidence: float = 0.3, slots: dict | None = None) -> Route:
    agent = {"infra": "infrastructure"}.get(skill.split(".")[0], skill.split(".")[0])
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", [
    "cheers! could you grab the same for ledger? my boss wants them side by side",
    "thanks, can you do the same for ledger",
    "great. same for ledger?",
])
def test_a_repeat_asked_after_thanks_is_elliptical(text: str) -> None:
    assert is_elliptical(text)


def test_a_reason_after_the_question_is_not_part_of_it() -> None:
    assert asked_part("same for ledger? the cfo asked") == "same for ledger?"
    assert asked_part("same for ledger? and for billing?") == "same for ledger? and for billing?"  # two asks
    assert asked_part("same for ledger?") == "same for ledger?"
    assert asked_part("on that lb, are the targets healthy? which one isnt") \
        == "on that lb, are the targets healthy? which one isnt"  # a second question, its mark left out
    assert asked_part("and the week before that? was it any cheaper") == "and the week before that?"  # leans on it


def test_the_repeat_asks_the_previous_question_of_the_new_name() -> None:
    spend = TurnContext("cost.summary", {"team": "payments"}, [])
    asked = apply_context(route("thanks! could you pull the same for ledger? finance wants both", "incident.page"),
                          spend, 0.45)
    assert (asked.skill, asked.slots.get("team")) == ("cost.summary", "ledger")


@pytest.mark.parametrize(("text", "start", "end"), [
    ("what does the ledger team spend per month", "2026-02-01", "2026-03-01"),
    ("monthly cost of the ledger db", "2026-02-01", "2026-03-01"),
    ("weekly spend on ledger", "2026-03-09", "2026-03-16"),
    ("ledger spend per week last month", "2026-02-01", "2026-03-01"),  # a period named wins
])
def test_a_rate_with_no_period_named_is_the_last_whole_one(text: str, start: str, end: str) -> None:
    found = time_range(text, NOW)
    assert found is not None
    assert (found["start"][:10], found["end"][:10]) == (start, end)


def test_the_same_question_asked_of_another_place_besides() -> None:
    spikes = TurnContext("cost.anomalies", {"cloud": "aws"}, [])
    asked = apply_context(route("is it hitting eu-west-1 as well", "infra.inventory", 0.55, {"region": "eu-west-1"}),
                          spikes, 0.45)
    assert (asked.skill, asked.slots.get("region"), asked.slots.get("cloud")) == ("cost.anomalies", "eu-west-1", "aws")
    # naming the other agent's own things is its own question
    listed = apply_context(route("any instances there too, in eu-west-1", "infra.inventory", 0.55,
                                 {"region": "eu-west-1"}), spikes, 0.45)
    assert listed.skill == "infra.inventory"


def test_a_ci_word_in_a_reason_clause_is_no_object_of_it() -> None:
    from agents.slots.entities import find_action
    assert find_action("bring that one back up please, the export job needs it at noon") == "start"
    assert find_action("restart it, the ledger build is wedged") == "reboot"
    assert find_action("restart the ledger build, it is wedged") == "rerun"


def test_a_thing_priced_per_month_after_savings_is_asked_of_that_list() -> None:
    savings = TurnContext("cost.savings", {"cloud": "aws"}, ["idle-ip"])
    per_month = time_range("what does that address cost per month", NOW)
    asked = apply_context(route("what does that address cost per month", "cost.summary", 0.9,
                                {"time_range": per_month}), savings, 0.45)
    assert asked.skill == "cost.savings"


def test_a_runner_up_of_noise_weight_is_no_reading() -> None:
    volumes = TurnContext("cost.savings", {"cloud": "aws"}, ["vol-1"])
    read = Route(text="how tall is it?", agent="infrastructure", skill="infra.describe", confidence=0.4, slots={},
                 alternatives=[("incident.brief", 0.002), ("cost.summary", 0.0004)])
    assert apply_context(read, volumes, 0.45).skill != "cost.summary"
