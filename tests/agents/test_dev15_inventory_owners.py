"""An inventory narrowed by who a resource belongs to: "belongs to X" names the owning service
(or person) as "does X own" does, and after a listing "which of those belong to X" is a subset
of that listing (its kind and place kept), not a new question about X."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route
from agents.slots import extract_slots
from tools.filters import matches

NOW = datetime(2026, 3, 2, 14, 30)
THRESHOLD = 0.45


@pytest.mark.parametrize(("text", "service"), [
    ("show me the vms belonging to ledger", "ledger"),
    ("anything in gcp that belongs to the mailer service?", "mailer"),
    ("which functions belong to notifications", "notifications"),
])
def test_belonging_to_names_the_owner(text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


@pytest.mark.parametrize("text", ["what belongs to us", "does this belong to me?"])
def test_belonging_to_a_pronoun_names_nobody(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


def route(text: str, slots: dict) -> Route:
    return Route(text=text, agent="infrastructure", skill="infra.inventory", confidence=0.9, slots=slots,
                 alternatives=[])


def test_a_subset_of_a_listing_by_owner_keeps_the_listing_kind_and_place() -> None:
    listing = TurnContext("infra.inventory", {"resource_type": "rds", "region": "ap-south-1"}, [])
    asked = apply_context(route("which of those belong to ledger?", {"service": "ledger"}), listing, THRESHOLD)
    assert asked.skill == "infra.inventory"
    assert asked.slots["resource_type"] == "rds" and asked.slots["region"] == "ap-south-1"
    assert asked.slots["service"] == "ledger"


def test_a_service_filter_also_matches_the_owner_tag() -> None:
    args = SimpleNamespace(tag_key=None, tag_value=None, env=None, service="zoe")
    assert matches(args, tags={"Owner": "Zoe", "service": "ledger"}, env="prod", service="ledger", name="ledger-1")
    assert not matches(args, tags={"owner": "max", "service": "ledger"}, env="prod", service="ledger",
                       name="ledger-2")


@pytest.mark.parametrize(("text", "kind"), [
    ("show me every ebs snapshot in eu-west-1", "snapshot"),
    ("how many volume snaps have we got", "snapshot"),
    ("any elastic ips not attached?", "elastic_ip"),
    ("list the eips", "elastic_ip"),
    ("which ebs volumes are unattached", "volume"),
])
def test_snapshots_and_addresses_are_kinds_of_their_own(text: str, kind: str) -> None:
    assert extract_slots(text, NOW).get("resource_type") == kind
