"""dev23 (evals23c), terse requests and colleagues writing in a second language: places named in
their own language ("europa", "irland"); their possessives ("seu", "ihre") pointing back like "its"
and, with their articles and prepositions, never taken for a service's name; the owner after "of"
("the boxes of billing"); a partitive said with "from"/"among" or as "which one is <state>"; and a
two-word request with no object ("reboot pls", "errors?") after a turn about one machine asking
about that machine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from agents.conversations import TurnContext
from agents.followup import _ANAPHOR, _PARTITIVE, apply_context
from agents.slots import extract_slots
from agents.slots.entities import find_place
from tests.agents.routes import route
from tools.places import place_parts, regions_in


def _slots(text: str) -> dict[str, Any]:
    return extract_slots(text, datetime.now(UTC))


def test_places_named_in_another_language_are_the_same_places() -> None:
    assert place_parts("europa") == place_parts("europe")
    assert place_parts("Irland") == place_parts("ireland")
    assert regions_in("irlande", ["us-east-1", "eu-west-1", "westeurope"]) == ["eu-west-1"]
    assert regions_in("deutschland", ["us-east-1", "eu-central-1"]) == ["eu-central-1"]
    assert find_place("wie viele vms haben wir in europa") == "europa"
    assert find_place("databases irlanda") == "irlanda"


def test_a_foreign_possessive_points_back_and_names_no_service() -> None:
    for text in ("mostra os erros dele", "zeig mir ihre logs", "los errores de sus logs"):
        assert _ANAPHOR.search(text), text
        assert "service" not in _slots(text), text


def test_foreign_articles_and_prepositions_name_no_service() -> None:
    assert "service" not in _slots("fehler in den logs bitte")
    assert _slots("die logs von orders bitte")["service"] == "orders"
    assert _slots("los logs de ledger por favor")["service"] == "ledger"


def test_the_owner_after_of_is_the_service() -> None:
    assert _slots("just the boxes of orders")["service"] == "orders"
    assert _slots("show me the servers of the ledger")["service"] == "ledger"
    assert "service" not in _slots("which ones of those are stopped")
    assert "service" not in _slots("the machines of last week")
    assert "service" not in _slots("every bucket of the company and its region")
    assert "service" not in _slots("all the vms of the account please")


def test_the_partitive_said_other_ways() -> None:
    assert _PARTITIVE.search("and which from them run in prod?")
    assert _PARTITIVE.search("how many among those are windows")
    assert _PARTITIVE.search("ok which one is down")
    assert not _PARTITIVE.search("which one is the cheapest to run")


DESCRIBED = TurnContext("infra.describe", {"resource_name": "ledger-node-3", "cloud": "aws"}, ["i-0abc1234"])


def test_a_request_without_its_object_after_one_machine_is_about_that_machine() -> None:
    for text, skill, slots in (("reboot pls", "infra.action", {"action": "reboot"}),
                               ("errors?", "infra.logs", {}),
                               ("bitte neu starten now", "infra.action", {"action": "reboot"})):
        got = apply_context(route(text, skill, slots), DESCRIBED, 0.5)
        assert got.slots.get("resource_name") == "ledger-node-3" or got.slots.get("instance_id") == "i-0abc1234", text


def test_a_longer_request_without_an_object_borrows_nothing() -> None:
    asked = route("what are the most common errors across all our services today", "infra.logs")
    got = apply_context(asked, DESCRIBED, 0.5)
    assert "resource_name" not in got.slots and "instance_id" not in got.slots
