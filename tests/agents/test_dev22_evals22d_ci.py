"""CI requests that name a repository by a word beside "repo", by "the X one", or by a state
asked of it; a workflow's kind word that names no service; a yes/no question set off by a
dash; a re-run after a failure answer that also showed an all-digit commit (dev22, evals22d)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.conversations import TurnContext
from agents.focus import _asks_whether
from agents.followup import apply_context
from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import find_repo

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "repo"), [
    ("the mobile repo seems broken since lunch", "mobile"),
    ("our billing repo keeps timing out in ci", "billing"),
    ("i don't know the repo names, which one has the ledger code", None),
    ("can you check repo access for me", None),
    ("not that repo - the search one", "search"),
    ("and the other repo, the ledger one?", "ledger"),
    ("repo ledger-api please", "ledger-api"),
])
def test_the_repository_a_sentence_names(text: str, repo: str | None) -> None:
    assert find_repo(text) == repo


def test_the_one_word_needs_the_word_repo_nearby() -> None:
    assert find_repo("show me the payments one") is None


@pytest.mark.parametrize("text", ["the plan pipeline looks stuck", "is the lint pipeline red", "the build logs pls"])
def test_a_workflow_kind_names_no_service(text: str) -> None:
    assert "service" not in extract_slots(text, NOW)


@pytest.mark.parametrize(("text", "service"), [
    ("builds for search still failing?", "search"),
    ("pipeline for ledger green yet", "ledger"),
    ("the workflow for ledger stuck again", "ledger"),
])
def test_a_state_after_the_scope_of_a_ci_noun(text: str, service: str) -> None:
    assert extract_slots(text, NOW).get("service") == service


def test_a_dash_sets_a_yes_no_question_off() -> None:
    assert _asks_whether("quick one from finance - is main green now?")
    assert _asks_whether("sorry to bug you \u2014 did the nightly pass")
    assert not _asks_whether("list the green-is-good builds")


def _route(text: str, skill: str, slots: dict[str, object]) -> Route:
    return Route(text=text, agent=skill.split(".", 1)[0], skill=skill, confidence=0.9, slots=slots)


def test_a_rerun_after_a_failure_takes_its_run_not_a_digit_only_sha() -> None:
    previous = TurnContext("cicd.failure", {"event": "schedule"}, ["7310004242", "8812034"])
    routed = apply_context(_route("go again", "cicd.rerun", {"action": "rerun"}), previous, 0.5)
    assert routed.slots.get("run_id") == "7310004242"


def test_two_runs_named_leave_the_rerun_unsure_of_either() -> None:
    previous = TurnContext("cicd.failure", {}, ["7310004242", "7310004243"])
    routed = apply_context(_route("go again", "cicd.rerun", {"action": "rerun"}), previous, 0.5)
    assert "run_id" not in routed.slots
