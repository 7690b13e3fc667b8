"""Two follow-ups of a listing or a spend the router reads as another question:

- why one item is in the list just shown ("how come old-nat-gw got flagged?") is the list's own
  check again, of that item, not the item's description;
- "can you do gcp too, by project" after a spend is that spend of the other place, put to the
  bot as "can you do", not a question of what the bot can do ("or only aws? which clouds do
  you cover" still is)."""

from __future__ import annotations

from agents.clarified import ITEMS, SAID
from agents.conversations import TurnContext
from agents.followup import apply_context
from tests.agents.routes import route

THRESHOLD = 0.45
CUTS = TurnContext("cost.savings", {SAID: "anything idle we could turn off?", ITEMS: [
    {"id": "i-0aa11bb22cc33dd44", "name": "etl-worker-7", "kind": "low CPU instance"},
    {"id": "vol-0ee55ff66aa77bb88", "name": "old-nat-gw-disk", "kind": "unattached volume"},
]}, ["i-0aa11bb22cc33dd44", "vol-0ee55ff66aa77bb88"])
OPEN = TurnContext("security.public_storage", {SAID: "world readable buckets?", ITEMS: [
    {"id": "acme-press-kit", "name": "acme-press-kit"},
]}, ["acme-press-kit"])
SPEND = TurnContext("cost.summary", {SAID: "what did we spend last week by service", "group_by": "service"}, [])


def test_why_a_listed_item_is_there_is_the_lists_own_check() -> None:
    for text, name in (("why is etl-worker-7 on there?", "etl-worker-7"),
                       ("how come old-nat-gw-disk got flagged", "old-nat-gw-disk"),
                       ("why's etl-worker-7 in that list at all", "etl-worker-7")):
        asked = route(text, "infra.describe", {"resource_name": name}, confidence=0.95)
        assert apply_context(asked, CUTS, THRESHOLD).skill == "cost.savings", text


def test_why_a_listed_bucket_is_there_after_a_security_list() -> None:
    asked = route("why is acme-press-kit listed", "infra.describe", {"bucket": "acme-press-kit"}, confidence=0.9)
    assert apply_context(asked, OPEN, THRESHOLD).skill == "security.public_storage"


def test_a_name_the_list_never_showed_is_its_own_question() -> None:
    asked = route("why is billing-api-3 on there?", "infra.describe", {"resource_name": "billing-api-3"},
                  confidence=0.95)
    assert apply_context(asked, CUTS, THRESHOLD).skill == "infra.describe"


def test_another_cloud_put_to_the_bot_after_a_spend_is_that_spend() -> None:
    asked = route("could you do gcp too, per region", "help", {"cloud": "gcp", "group_by": "region"}, confidence=0.99)
    routed = apply_context(asked, SPEND, THRESHOLD)
    assert routed.skill == "cost.summary"
    assert routed.slots.get("cloud") == "gcp"


def test_asking_which_clouds_are_covered_stays_a_question_of_the_bot() -> None:
    for text in ("can you do azure as well or only aws?", "do you cover gcp too? which providers do you support"):
        slots = {"cloud": "azure" if "azure" in text else "gcp"}
        assert apply_context(route(text, "help", slots, confidence=0.99), SPEND, THRESHOLD).skill == "help", text
