"""dev14 (evals14c): the word after a grouping by service is no service's name, and the team
askers introduce themselves with is no filter on the spend they ask about."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 6, 10, 14, 0)


@pytest.mark.parametrize("text", ["split the bill per service approximately", "spend by service overall",
                                  "what does each service cost monthly"])
def test_the_word_after_a_grouping_by_service_is_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


def test_a_service_named_after_the_word_service_is_still_taken() -> None:
    assert extract_slots("costs of service ledger in may", NOW).get("service") == "ledger"


@pytest.mark.parametrize("text", ["i just joined the billing squad - total aws spend last month?",
                                  "I'm on the mobile team, how much is s3 costing",
                                  "im brand new in the ml crew, whats our monthly bill"])
def test_the_team_the_asker_introduces_themselves_with_is_no_filter(text: str) -> None:
    assert "team" not in extract_slots(text.lower(), NOW)


def test_a_team_asked_about_is_still_a_filter() -> None:
    assert extract_slots("how much did the mobile team spend in may", NOW).get("team") == "mobile"
