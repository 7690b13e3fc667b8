"""Names the user rules out ("..., not the billing repo") are no slot: the subject is the
name they do mean; state words that only sound negative stay where they were."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots
from agents.slots.negation import without_ruled_out

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_ruled_out_repo_is_not_the_repo_slot() -> None:
    slots = extract_slots("deploys for ledger-api today please, not the billing repo.", NOW)
    assert slots.get("repo") != "billing"
    assert slots.get("service") == "ledger-api"


def test_a_ruled_out_environment_leaves_the_one_meant() -> None:
    assert extract_slots("errors for the mailer service in prod, not staging", NOW).get("env") == "prod"


def test_a_ruled_out_person_is_not_the_one_paged() -> None:
    assert extract_slots("page dave, not erin", NOW).get("person") == "dave"


@pytest.mark.parametrize("text", ["which boxes are not running in eu-west-1", "why is the pipeline not green yet"])
def test_a_negated_state_inside_a_clause_is_left_alone(text: str) -> None:
    assert without_ruled_out(text) == text


def test_blanking_keeps_the_words_apart_and_the_length() -> None:
    text = "the mailer one, not the ledger one"
    assert len(without_ruled_out(text)) == len(text)
    assert "ledger" not in without_ruled_out(text)

