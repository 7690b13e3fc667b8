"""dev15 (evals15e): words of a CI or incident question that look like names but are not:
a slash between alternatives or after a branch kind, a passive "get", a severity in one word
and a variable spelled in capitals."""

from __future__ import annotations

from datetime import datetime

import pytest

from agents.slots import extract_slots

NOW = datetime(2026, 6, 10, 14, 0)


@pytest.mark.parametrize("text", ["did the ledger jobs go ok? yes/no is fine", "quick up/down on the builds",
                                  "how many red/green runs today"])
def test_a_slash_between_alternatives_names_no_repository(text: str) -> None:
    assert "repo" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "branch"), [("builds on hotfix/tax-cache failing?", "hotfix/tax-cache"),
                                              ("why is chore/bump-deps red", "chore/bump-deps"),
                                              ("ci on the feature/dark-mode branch", "feature/dark-mode")])
def test_a_branch_named_by_its_kind_is_a_branch_not_a_repository(text: str, branch: str) -> None:
    slots = extract_slots(text, NOW)
    assert slots.get("branch") == branch
    assert "repo" not in slots
    assert "service" not in slots


def test_an_owner_and_repository_is_still_a_repository() -> None:
    assert extract_slots("runs in acme/ledger-api", NOW).get("repo") == "acme/ledger-api"


def test_whose_branch_build_it_is_is_the_person() -> None:
    assert extract_slots("is yusuf's fix/vat-rounding build done", NOW).get("person") == "yusuf"


@pytest.mark.parametrize("text", ["did anything get merged to ledger-api since monday",
                                  "will it get rolled back automatically?", "did the patch get deployed"])
def test_a_passive_get_fetches_nobody(text: str) -> None:
    assert "person" not in extract_slots(text, NOW)


def test_get_before_a_name_still_fetches_that_person() -> None:
    assert extract_slots("get jared on the bridge", NOW).get("person") == "jared"


def test_a_severity_in_one_word_is_a_severity_not_a_name() -> None:
    slots = extract_slots("show me the high-sev pages", NOW)
    assert slots.get("severity") == "high"
    assert "resource_name" not in slots
    assert "service" not in slots


@pytest.mark.parametrize("text", ["is the SENTRY_DSN warning why it failed?",
                                  "does AWS_SECRET_ACCESS_KEY missing explain the red build"])
def test_a_variable_in_capitals_is_no_resource(text: str) -> None:
    slots = extract_slots(text, NOW)
    assert "resource_name" not in slots
    assert "service" not in slots


def test_a_snake_case_name_in_lower_case_is_still_a_resource() -> None:
    assert extract_slots("describe ledger_db_2", NOW).get("resource_name") == "ledger_db_2"


@pytest.mark.parametrize("text", ["include the closed ones from this week", "add the resolved pages too"])
def test_including_closed_incidents_widens_to_every_state(text: str) -> None:
    assert extract_slots(text, NOW).get("status") == "all"
