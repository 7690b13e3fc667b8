"""dev21 (evals21e): terse page requests.

"ping ledger backup", "page identity primary": a rota's name right before its level names the
rota (its team), not a person called after it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "level"), [("ping ledger backup", 2), ("page identity primary", 1),
                                             ("page ledger secondary pls", 2)])
def test_a_rota_name_before_its_level_names_no_person(text: str, level: int) -> None:
    slots = extract_slots(text, NOW)
    assert "person" not in slots and slots.get("level") == level


def test_a_name_alone_after_page_is_still_the_person() -> None:
    assert extract_slots("page jo now", NOW).get("person") == "jo"

