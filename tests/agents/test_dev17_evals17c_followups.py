"""dev17 (evals17c): follow-ups after a spend, a listing or a description, each in words of its own.

- an answer's item named first, then a question another skill of the same agent answers for sure;
- the listed things set aside ("neither of those ..."), then a question of its own;
- "that region" points at the previous place, not at the first listed item;
- "just <name>" after a spend split by team is that team;
- what an idle resource just described costs is the savings check's price, not the bill.
"""

from __future__ import annotations

from agents.clarified import ANSWERED, SAID
from agents.conversations import TurnContext
from agents.focus import LISTED_WORDS
from agents.followup import apply_context
from agents.route import Route
from tests.agents.routes import route as a_reading

THRESHOLD = 0.45


def route(text: str, skill: str, slots: dict | None = None, confidence: float = 0.95,
          alternatives: list[tuple[str, float]] | None = None) -> Route:
    """The router's reading, sure by default (these turns test what a sure reading keeps)."""
    return a_reading(text, skill, slots, confidence, alternatives)


SPEND_BY_SERVICE = TurnContext("cost.summary", {"time_range": {"start": "2026-01-05", "end": "2026-01-12",
                                                               "label": "this week"}},
                               ["Amazon Elastic Compute Cloud - Compute", "AWS Lambda"])


def test_an_item_named_first_then_asked_another_sure_question_of_the_same_agent_keeps_that_question() -> None:
    followed = apply_context(route("the top one seems blown up - is that an actual anomaly?", "cost.anomalies",
                                   confidence=0.99, alternatives=[("cost.forecast", 0.004)]),
                             SPEND_BY_SERVICE, THRESHOLD)
    assert followed.skill == "cost.anomalies"


def test_an_item_named_first_with_an_unsure_reading_is_still_described_by_the_list() -> None:
    followed = apply_context(route("the lambda one - is it weird?", "cost.anomalies", confidence=0.6,
                                   alternatives=[("cost.summary", 0.3)]), SPEND_BY_SERVICE, THRESHOLD)
    assert followed.skill == "cost.summary"


def test_more_about_an_item_stays_the_lists_question() -> None:
    followed = apply_context(route("tell me more about the lambda one", "cost.anomalies", confidence=0.9),
                             SPEND_BY_SERVICE, THRESHOLD)
    assert followed.skill == "cost.summary"


S3_SPEND = TurnContext("cost.summary", {"aws_service": "s3", "cloud": "aws",
                                        "time_range": {"start": "2026-01-01", "end": "2026-01-31", "label": "x"}})


def test_the_listed_things_set_aside_lend_nothing_to_a_sure_question_of_its_own() -> None:
    asked = route("none of those look off to me, so where's the jump coming from", "cost.anomalies",
                  {"time_range": {"start": "2026-01-05", "end": "2026-01-12", "label": "this week"}}, 0.9)
    followed = apply_context(asked, S3_SPEND, THRESHOLD)
    assert followed.skill == "cost.anomalies"
    assert "aws_service" not in followed.slots


def test_a_question_about_which_of_those_is_still_a_subset() -> None:
    followed = apply_context(route("which of those went up?", "cost.anomalies", confidence=0.5), S3_SPEND,
                             THRESHOLD)
    assert followed.skill == "cost.summary"


LISTING = TurnContext("infra.inventory", {"region": "ap-south-1", "cloud": "aws", "resource_type": "ec2"},
                      ["i-0aaa111122223333a", "i-0bbb111122223333b"])


def test_that_region_lends_the_region_not_the_first_listed_item() -> None:
    followed = apply_context(route("how much will compute in that region cost by month end", "cost.forecast",
                                   {"aws_service": "ec2"}), LISTING, THRESHOLD)
    assert followed.slots.get("region") == "ap-south-1"
    assert "instance_id" not in followed.slots and "resource_ids" not in followed.slots


def test_the_same_region_named_by_the_turn_is_its_own() -> None:
    followed = apply_context(route("and what does us-west-2 cost, same region?", "cost.summary",
                                   {"region": "us-west-2"}), LISTING, THRESHOLD)
    assert followed.slots.get("region") == "us-west-2"


BY_TEAM = TurnContext("cost.summary", {"group_by": "tag:team",
                                       "time_range": {"start": "2026-01-01", "end": "2026-02-01", "label": "x"}})


def test_just_a_bare_name_after_a_spend_by_team_is_that_team() -> None:
    followed = apply_context(route("ok only growth", "help", confidence=0.4), BY_TEAM, THRESHOLD)
    assert followed.skill == "cost.summary"
    assert followed.slots.get("team") == "growth"
    assert "group_by" not in followed.slots  # that team alone, not every team beside it


def test_a_bare_name_after_a_spend_not_grouped_by_team_is_a_service() -> None:
    plain = TurnContext("cost.summary", {"time_range": {"start": "2026-01-01", "end": "2026-02-01", "label": "x"}})
    followed = apply_context(route("and for ledger?", "cost.summary", confidence=0.4), plain, THRESHOLD)
    assert followed.slots.get("service") == "ledger"


DESCRIBED = TurnContext("infra.describe", {"resource_name": "old-backup-disk", "resource_type": "volume",
                                           SAID: "is old-backup-disk in use?",
                                           ANSWERED: "vol-0abc (old-backup-disk) is available: 80 GiB, not attached."})


def test_what_an_idle_described_resource_costs_is_priced_by_the_savings_check() -> None:
    followed = apply_context(route("so nobody uses it - what's that costing us?", "cost.summary", confidence=0.6),
                             DESCRIBED, THRESHOLD)
    assert followed.skill == "cost.savings"
    assert followed.slots.get(LISTED_WORDS) == "is old-backup-disk in use?"


def test_a_spend_with_its_own_period_after_a_description_stays_the_bill() -> None:
    asked = route("what did it cost last month?", "cost.summary",
                  {"time_range": {"start": "2026-01-01", "end": "2026-02-01", "label": "last month"}}, 0.9)
    assert apply_context(asked, DESCRIBED, THRESHOLD).skill == "cost.summary"


def test_a_busy_described_resource_is_not_sent_to_savings() -> None:
    busy = TurnContext("infra.describe", {"resource_name": "web-7", SAID: "how is web-7 doing?",
                                          ANSWERED: "i-0abc (web-7) is running: c5.large, checks ok."})
    assert apply_context(route("what's it costing us?", "cost.summary", confidence=0.6), busy,
                         THRESHOLD).skill == "cost.summary"


VMS = TurnContext("infra.inventory", {"cloud": "azure", "resource_type": "ec2"},
                  ["/subscriptions/s/resourceGroups/rg-a/providers/Microsoft.Compute/virtualMachines/vm-a",
                   "/subscriptions/s/resourceGroups/rg-b/providers/Microsoft.Compute/virtualMachines/vm-b"])


def test_the_spend_of_those_after_a_listing_is_the_listings_scope_not_its_first_item() -> None:
    followed = apply_context(route("and what do those run us a month?", "cost.summary", {"cloud": "azure"}),
                             VMS, THRESHOLD)
    assert followed.slots.get("cloud") == "azure"
    assert not {"resource_name", "instance_id", "resource_ids"} & set(followed.slots)


def test_the_spend_of_it_after_a_listing_of_one_is_still_that_item() -> None:
    one = TurnContext("infra.inventory", {"cloud": "aws", "resource_name": "cache-1"}, ["i-0aaa111122223333a"])
    followed = apply_context(route("what does it cost?", "cost.summary"), one, THRESHOLD)
    assert followed.slots.get("resource_name") == "cache-1"
