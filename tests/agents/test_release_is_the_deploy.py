"""A release or a rollout of a service is its deploy workflow: "did the checkout release
succeed?" asks the checkout repository's deploy runs, not every repository's runs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "service"), [
    ("did the search release from last night go through ok", "search"),
    ("hows the payments rollout looking", "payments"),
    ("is our checkout roll-out done yet?", "checkout"),
    ("search releases this week - any red?", "search"),
])
def test_a_service_release_is_its_deploy(text: str, service: str) -> None:
    slots = extract_slots(text, NOW)
    assert slots.get("service") == service
    if "releases" not in text:
        assert slots.get("workflow") == "deploy"


@pytest.mark.parametrize("text", ["is the release branch green?", "release notes for the last sprint please"])
def test_release_as_a_branch_or_notes_names_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)
