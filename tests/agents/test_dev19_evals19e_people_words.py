"""dev19 (evals19e): which words name a person to page or look up.

- prepositions, particles and -ly adverbs name nobody: "we can't get past the login page, get
  someone" has no one called "past", "who is presently on call" asks no one called "presently";
  short names ending in -ly (Molly, Kelly, Emily) and -erly names (Kimberly) still do;
- the gerund "paging" names whom the page is for when its object ends the clause or is followed
  by what or when ("is it worth paging molly over this?"), never the paging set-up itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 5, 11, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "who is presently on call for storefront",
        "is anybody actually on call for search?",
        "shoppers can't get past the login form, can we page the platform on-call",
        "orders won't go through, ping the payments oncall",
        "get around the outage somehow and page the storefront team",
    ],
)
def test_function_words_name_nobody(text: str) -> None:
    assert "person" not in extract_slots(text, NOW)


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("is molly on call", "molly"),
        ("page kelly, the db is on fire", "kelly"),
        ("get kimberly on the phone", "kimberly"),
    ],
)
def test_names_ending_like_adverbs_are_still_names(text: str, person: str) -> None:
    assert extract_slots(text, NOW).get("person") == person


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("is it worth paging molly over this? ok yes page her", "molly"),
        ("considering paging raj tonight for the billing job", "raj"),
        ("should we be paging dave, thoughts", "dave"),
    ],
)
def test_the_person_a_paging_is_for(text: str, person: str) -> None:
    assert extract_slots(text, NOW).get("person") == person


@pytest.mark.parametrize(
    "text",
    [
        "what does our paging policy say about sev2",
        "we got a paging storm from checkout all night",
        "is paging broken?",
        "paging someone for this feels like overkill",
    ],
)
def test_the_paging_set_up_names_nobody(text: str) -> None:
    assert "person" not in extract_slots(text, NOW)
