"""Follow-ups that change the scope of the conversation rather than its subject: widening a
narrowed question back out, asking about the previous answer itself, resuming the topic
from before a detour, and keeping what a spend was of when "it" is asked about again."""

from __future__ import annotations

import pytest

from agents.clarified import EARLIER
from agents.conversations import TurnContext
from agents.followup import apply_context, earlier_turn, widened_slots
from agents.route import Route

WEEK = {"start": "2026-03-02", "end": "2026-03-09", "label": "last week"}
NARROWED = TurnContext("cost.summary", {"time_range": WEEK, "region": "ap-south-1", "cloud": "aws"}, [])
ROTA = TurnContext("incident.oncall", {"service": "ledger"}, ["P1XYZ01"])


def route(text: str, skill: str = "help", slots: dict | None = None, confidence: float = 0.2,
          alternatives: list[tuple[str, float]] | None = None) -> Route:
    agent = {"infra": "infrastructure"}.get(skill.split(".")[0], skill.split(".")[0])
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {},
                 alternatives=alternatives or [])


@pytest.mark.parametrize("text", ["every region then", "ok, across all regions", "everywhere please",
                                  "and in all the regions?"])
def test_widening_drops_the_region_and_keeps_the_rest_of_the_question(text: str) -> None:
    followed = apply_context(route(text, "infra.inventory", confidence=0.8), NARROWED, 0.45)
    assert followed.skill == "cost.summary"
    assert "region" not in followed.slots
    assert followed.slots["time_range"] == WEEK


def test_the_scope_a_turn_widens_is_named_by_all_or_every() -> None:
    assert widened_slots("for all environments") == ("env",)
    assert widened_slots("every team") == ("team",)
    assert widened_slots("only stopped ones") == ()


@pytest.mark.parametrize("text", ["for how long?", "since when", "ok how many are those?", "what's the total"])
def test_a_question_about_the_previous_answer_asks_it_again(text: str) -> None:
    listed = TurnContext("security.iam", {"cloud": "aws"}, ["bob"])
    followed = apply_context(route(text, "cicd.changes", confidence=0.9), listed, 0.45)
    assert followed.skill == "security.iam" and followed.slots["cloud"] == "aws"


def test_a_question_about_a_proposed_change_is_not_a_new_proposal() -> None:
    proposed = TurnContext("infra.action", {"action": "stop", "resource_name": "box-1"}, [])
    followed = apply_context(route("since when?", "cicd.changes", confidence=0.9), proposed, 0.45)
    assert followed.skill == "cicd.changes"


def test_a_detour_keeps_the_turn_before_it_and_the_same_domain_carries_it_on() -> None:
    buckets = TurnContext("security.public_storage", {"cloud": "gcp"}, ["assets-bucket"])
    kept = earlier_turn(buckets, "incident.oncall")
    assert kept is not None and kept["skill"] == "security.public_storage" and kept["slots"] == {"cloud": "gcp"}
    detour = TurnContext("incident.oncall", {EARLIER: kept}, [])
    assert earlier_turn(detour, "incident.list") == kept
    assert earlier_turn(buckets, "security.iam") is None
    assert earlier_turn(None, "security.iam") is None


def test_going_back_to_the_topic_resumes_the_turn_before_the_detour() -> None:
    kept = earlier_turn(TurnContext("security.public_storage", {"cloud": "gcp"}, ["assets-bucket"]),
                        "incident.oncall")
    detour = TurnContext("incident.oncall", {**ROTA.slots, EARLIER: kept}, ROTA.resources)
    followed = apply_context(route("anyway, going back to the storage: which of them are world readable?",
                                   "incident.oncall", confidence=0.9), detour, 0.45)
    assert followed.skill == "security.public_storage" and followed.slots["cloud"] == "gcp"
    plain = apply_context(route("which of them are on call?", "incident.oncall", confidence=0.9), detour, 0.45)
    assert plain.skill == "incident.oncall"


def test_an_unsure_description_of_a_row_of_a_security_list_stays_in_that_domain() -> None:
    keys = TurnContext("security.iam", {}, ["bob", "deploy-bot"])
    unsure = route("who does it belong to?", "infra.describe", confidence=0.3,
                   alternatives=[("security.iam", 0.25), ("incident.oncall", 0.2)])
    assert apply_context(unsure, keys, 0.45).skill == "security.iam"
    sure = route("describe it", "infra.describe", confidence=0.9)
    assert apply_context(sure, keys, 0.45).skill == "infra.describe"


def test_it_in_a_spend_question_is_the_same_spend() -> None:
    storage = TurnContext("cost.summary", {"aws_service": "Amazon Simple Storage Service", "time_range": WEEK}, [])
    followed = apply_context(route("so where does it end up this month?", "cost.forecast", confidence=0.9),
                             storage, 0.45)
    assert followed.slots["aws_service"] == "Amazon Simple Storage Service"
    assert "time_range" not in followed.slots
    elsewhere = apply_context(route("and where does it end up on azure?", "cost.forecast", {"cloud": "azure"}, 0.9),
                              storage, 0.45)
    assert "aws_service" not in elsewhere.slots


def test_what_a_savings_list_would_save_is_asked_of_that_list() -> None:
    candidates = TurnContext("cost.savings", {"cloud": "aws"}, ["old-disk"])
    followed = apply_context(route("and what would dropping those save us yearly?", "cost.summary", confidence=0.9),
                             candidates, 0.45)
    assert followed.skill == "cost.savings"
    # the period as the router reads it
    last_month = {"time_range": {"start": "2026-11-01", "end": "2026-12-01", "label": "last month"}}
    bill = apply_context(route("what did those cost last month?", "cost.summary", last_month, 0.9), candidates, 0.45)
    assert bill.skill == "cost.summary"


def test_a_widening_turn_that_names_its_own_region_keeps_it() -> None:
    followed = apply_context(route("and everywhere in eu-north-1?", "cost.summary", {"region": "eu-north-1"}, 0.8),
                             NARROWED, 0.45)
    assert followed.slots["region"] == "eu-north-1"


def test_what_an_item_of_a_savings_list_costs_is_asked_of_that_list() -> None:
    candidates = TurnContext("cost.savings", {"cloud": "aws"}, ["old-disk", "spare-ip"])
    followed = apply_context(route("and what's that one costing us monthly?", "cost.summary", confidence=0.9),
                             candidates, 0.45)
    assert followed.skill == "cost.savings"


def test_which_of_the_previous_items_is_asked_of_the_same_cloud_and_place() -> None:
    buckets = TurnContext("security.public_storage", {"cloud": "gcp", "region": "europe-west1"}, ["b1", "b2"])
    followed = apply_context(route("which one is readable by any signed-in account, not only anonymous users?",
                                   "security.public_storage", confidence=0.6), buckets, 0.45)
    assert (followed.slots.get("cloud"), followed.slots.get("region")) == ("gcp", "europe-west1")


MONTH = {"start": "2026-03-01", "end": "2026-03-19", "label": "month to date"}


@pytest.mark.parametrize("text", ["how much of that was ledger?", "what part of it is the ledger service"])
def test_a_share_of_the_previous_spend_keeps_its_period_and_takes_the_named_service(text: str) -> None:
    spent = TurnContext("cost.summary", {"time_range": MONTH, "cloud": "aws", "group_by": "service"}, [])
    followed = apply_context(route(text, "cost.summary", {"service": "ledger"}, confidence=0.9), spent, 0.45)
    assert followed.skill == "cost.summary"
    assert followed.slots["time_range"] == MONTH and followed.slots["service"] == "ledger"


def test_a_share_asked_of_another_cloud_is_not_the_previous_spend() -> None:
    spent = TurnContext("cost.summary", {"time_range": MONTH, "cloud": "aws"}, [])
    followed = apply_context(route("how much of that is on azure", "cost.summary", {"cloud": "azure"},
                                   confidence=0.9), spent, 0.45)
    assert "time_range" not in followed.slots


@pytest.mark.parametrize("text", ["what would the largest one save us", "and the cheapest one, what does it save?"])
def test_what_one_savings_candidate_saves_is_the_savings_list_again(text: str) -> None:
    listed = TurnContext("cost.savings", {"cloud": "aws"}, ["vol-1", "i-2"])
    followed = apply_context(route(text, "cost.summary", confidence=0.8), listed, 0.45)
    assert followed.skill == "cost.savings"


def test_the_spend_of_a_listed_kind_keeps_the_kind() -> None:
    """"how much were those last quarter?" after the Azure machines: the spend of that kind (the
    cloud's tool bills it by its service), in the listing's cloud and group."""
    machines = TurnContext("infra.inventory", {"cloud": "azure", "resource_type": "ec2", "resource_group": "rg-ml"},
                           ["gpu-1", "gpu-2", "gpu-3"])
    quarter = {"time_range": {"start": "2026-07-01", "end": "2026-10-01", "label": "last quarter"}}
    bill = apply_context(route("how much were those last quarter?", "cost.summary", quarter, 0.9), machines, 0.45)
    assert bill.skill == "cost.summary"
    assert {key: bill.slots.get(key) for key in ("cloud", "resource_type", "resource_group")} == {
        "cloud": "azure", "resource_type": "ec2", "resource_group": "rg-ml"}
    one = TurnContext("infra.inventory", {"cloud": "azure", "resource_type": "ec2"}, ["gpu-1"])
    its = apply_context(route("how much was it last quarter?", "cost.summary", quarter, 0.9), one, 0.45)
    assert "resource_type" not in its.slots  # one machine listed: "it" is that machine, not its kind
