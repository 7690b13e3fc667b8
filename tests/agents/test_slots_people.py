"""Page targets: "people", "folks" or "everyone" are nobody in particular, never a person
to page; a paging verb before "folks" is no team; the team they belong to is the target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["could you page people for us at night?", "ping folks when it breaks",
                                  "page everybody"])
def test_a_crowd_is_no_person(text: str) -> None:
    assert "person" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "team"), [("ping folks on data, db is melting", "data"),
                                            ("page people from the frontend please", "frontend"),
                                            ("notify everyone in networking", "networking")])
def test_the_group_a_crowd_belongs_to_is_the_team(text: str, team: str) -> None:
    slots = extract_slots(text, NOW)
    assert slots.get("team") == team
    assert slots.get("team") not in ("ping", "page", "notify")


def test_a_named_person_is_still_paged() -> None:
    assert extract_slots("page frank about the auth errors", NOW).get("person") == "frank"
