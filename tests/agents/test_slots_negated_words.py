"""Words a request rules out never fill a filter slot: an environment it excludes becomes
"!env", and a service or severity it turns away from is not the one asked for."""

from __future__ import annotations

from typing import Any

import pytest

from agents.slots import extract_slots
from agents.slots.negation import ruled_out, without_ruled_out_words
from tests.agents.conftest import FIXED_NOW


def slots(text: str) -> dict[str, Any]:
    return extract_slots(text, FIXED_NOW)


@pytest.mark.parametrize(("text", "env"), [
    ("show me every bucket except production", "!prod"),
    ("nonprod vms in azure", "!prod"),
    ("lambdas that aren't staging", "!staging"),
    ("the staging hosts, not the dev ones", "staging"),
    ("dev databases", "dev"),
])
def test_an_excluded_environment_is_an_exclusion(text: str, env: str) -> None:
    assert slots(text)["env"] == env


def test_the_service_turned_away_from_is_not_the_one_asked_for() -> None:
    assert slots("no wait, lambda spend, not ec2")["aws_service"] == "lambda"
    assert slots("cost of the relational database service in march")["aws_service"] == "rds"


def test_a_severity_is_read_from_what_is_kept() -> None:
    assert slots("just the highs, not the mediums")["severity"] == "high"


def test_a_negation_rules_out_one_word_only() -> None:
    assert ruled_out("why can't we reach the rds proxy") == ["we"]
    assert "rds" in without_ruled_out_words("why can't we reach the rds proxy")


def test_a_machine_is_called_by_the_service_it_runs() -> None:
    assert slots("any errors on that ledger box?")["service"] == "ledger"
    assert "service" not in slots("reboot the staging server")
    assert "service" not in slots("is the gcp instance up")
