"""dev16 (evals16c): the people a rumour came from ("somebody at the retro mentioned...") are
its source, not a team the spend question is about; a meeting is no team either."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 6, 10, 14, 0)


@pytest.mark.parametrize("text", [
    "what's s3 costing us, somebody at the retro mentioned it went up",
    "people in the all-hands were saying rds is pricey, what did it cost last week",
    "someone on slack claims the lambda bill doubled - true?",
    "someone from billing told me ec2 is through the roof, how much this month",
])
def test_the_source_of_a_rumour_is_no_team(text: str) -> None:
    assert "team" not in extract_slots(text, NOW)


def test_people_from_a_team_asked_for_is_still_a_team() -> None:
    assert extract_slots("get someone from platform on the phone", NOW).get("team") == "platform"
