"""dev16 (evals16c): time windows said with "for/during the last" are rolling, as "in/over the
last" are; and a word singling a machine out ("the actual box", "the exact instance") is no
service the machine belongs to."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 6, 10, 14, 0)


@pytest.mark.parametrize("text", ["ok but what's the actual box doing this", "name the exact instance pls",
                                  "which is the underlying vm", "find me the offending server"])
def test_a_word_singling_a_machine_out_is_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


def test_a_service_machine_is_still_its_service() -> None:
    assert extract_slots("restart the ledger box", NOW).get("service") == "ledger"


@pytest.mark.parametrize("text", ["s3 spikes for the last month?", "anything odd during the last month"])
def test_for_the_last_month_is_the_thirty_days_up_to_today(text: str) -> None:
    period = extract_slots(text, NOW)["time_range"]
    assert (period["start"], period["end"]) == ("2026-05-11", "2026-06-10")


def test_last_month_alone_is_still_the_calendar_month() -> None:
    period = extract_slots("s3 spend last month", NOW)["time_range"]
    assert (period["start"], period["end"]) == ("2026-05-01", "2026-06-01")
