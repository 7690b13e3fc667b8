"""Who holds incidents and which states are asked for: "has erin got any pages" names a holder;
"just the firing ones" is one state, "closed ones as well" every state; and what a list is
wanted for ("for the retro") is no service. The branch a CI question names is read apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.slots import extract_slots
from agents.slots.entities import find_branch

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "person"), [("has erin got any open pages?", "erin"),
                                              ("does frank have anything open in pagerduty", "frank"),
                                              ("do bob have any high urgency alerts", "bob")])
def test_the_one_asked_whether_they_hold_incidents_is_the_holder(text: str, person: str) -> None:
    assert extract_slots(text, NOW).get("person") == person


@pytest.mark.parametrize(("text", "status"), [("just the firing ones please", "triggered"),
                                              ("only the acknowledged pages", "acknowledged"),
                                              ("show me only resolved incidents", "resolved"),
                                              ("pages from this week, closed ones as well", "all"),
                                              ("incidents since monday incl. resolved", "all"),
                                              ("open pages that no one's acked", "triggered")])
def test_a_state_said_outright_is_the_status_asked_for(text: str, status: str) -> None:
    assert extract_slots(text, NOW).get("status") == status


def test_one_state_and_another_is_no_single_state() -> None:
    assert extract_slots("just the triggered and the acked ones", NOW).get("status") is None


@pytest.mark.parametrize("text", ["open pages for the retro", "incidents for my handover notes",
                                  "alerts for the exec update"])
def test_what_a_list_is_wanted_for_is_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


def test_a_service_after_for_is_still_one() -> None:
    assert extract_slots("open incidents for search", NOW).get("service") == "search"


@pytest.mark.parametrize(("text", "branch"), [("why is the build on master red", "master"),
                                              ("payments-api develop keeps failing", "develop"),
                                              ("rerun branch hotfix/ledger-sum", "hotfix/ledger-sum"),
                                              ("the release/2.4 branch ci", "release/2.4")])
def test_a_branch_named_in_a_ci_question(text: str, branch: str) -> None:
    assert find_branch(text) == branch


@pytest.mark.parametrize("text", ["the main problem is latency", "what's on the main status page",
                                  "carol's branch is red", "main thing: is prod ok"])
def test_a_word_that_only_looks_like_a_branch_names_none(text: str) -> None:
    assert find_branch(text) is None


def test_the_branch_is_a_slot_of_the_request() -> None:
    assert extract_slots("why did the deploy on master fail", NOW).get("branch") == "master"
    assert "branch" not in extract_slots("why did the deploy fail", NOW)
