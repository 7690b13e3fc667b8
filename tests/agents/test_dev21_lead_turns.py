"""Slots and follow-ups found by the lead's own requests of the demo during dev21, tested in
other words than the ones found."""

from __future__ import annotations

import pytest

from agents.slots.entities import find_service


@pytest.mark.parametrize(("text", "service"), [
    ("anything raised against ledger this morning?", "ledger"),
    ("are there incidents against the ledger service", "ledger"),
    ("pages against storefront since friday?", "storefront"),
    ("is something firing against auth", "auth"),
])
def test_what_an_incident_is_held_against_is_its_service(text: str, service: str) -> None:
    assert find_service(text) == service


@pytest.mark.parametrize("text", ["is anything open against it?", "anything open on port 3389"])
def test_against_a_pronoun_or_a_port_names_no_service(text: str) -> None:
    assert find_service(text) is None
