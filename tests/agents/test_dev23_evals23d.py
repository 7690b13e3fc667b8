"""dev23 (evals23d): CI and incident questions typed by developers who paste references. A pull
request or a commit pasted beside "infra" asks about the repository, not the cloud inventory;
naming two workflow files asks about both (never the first alone); a trunk pasted as code or
asked of as a build ("is `master` red") is the branch the runs are on; chat's "different q" /
"new q" changes the subject as "different question" does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import find_branch, find_workflow
from agents.specialists import SPECIALIST_BY_NAME
from agents.thread_words import TOPIC_SHIFT, without_topic_shift
from tools.aws import AWS_TOOLS
from tools.github import GITHUB_TOOLS
from tools.knowledge import KNOWLEDGE_TOOLS
from tools.registry import ToolRegistry

REGISTRY = ToolRegistry([*AWS_TOOLS, *GITHUB_TOOLS, *KNOWLEDGE_TOOLS])
CODE = [spec.name for spec in GITHUB_TOOLS if "cicd.changes" in spec.skills]
INVENTORY = ["knowledge_inventory_changes"]
NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def _changes(text: str) -> list[str]:
    route = Route(text=text, agent="cicd", skill="cicd.changes", confidence=0.9, slots={})
    return [call.spec.name for call in SPECIALIST_BY_NAME["cicd"].plan(route, REGISTRY).reads]


@pytest.mark.parametrize("text", [
    "what landed in infra lately apart from #31?",
    "infra changes since https://github.com/acme/infra/pull/12 went in?",
    "anything changed on infra after `9c0ffee1` this week",
])
def test_a_pasted_pull_request_or_commit_asks_the_repositories(text: str) -> None:
    assert _changes(text) == CODE


def test_infrastructure_words_alone_still_ask_the_inventory() -> None:
    assert _changes("what changed in our infra since monday?") == INVENTORY
    assert _changes("what changed in the infrastructure this week") == INVENTORY


def test_two_workflow_files_named_ask_about_every_workflow() -> None:
    assert find_workflow("is lint.yml or release.yaml red on the api repo") is None
    assert extract_slots("status of `build.yml` and `publish.yml` in acme/web", NOW).get("workflow") is None
    assert find_workflow("is release.yaml red") == "release.yaml"
    assert find_workflow("release.yml failed again, release.yml is cursed") == "release.yml"  # one file, twice


@pytest.mark.parametrize(("text", "branch"), [
    ("hey is `master` passing on the web repo?", "master"),
    ("quick one, is develop red right now", "develop"),
    ("was trunk broken this morning?", "trunk"),
])
def test_a_trunk_pasted_as_code_or_asked_of_as_a_build_is_the_branch(text: str, branch: str) -> None:
    assert find_branch(text) == branch


def test_a_trunk_word_in_other_senses_names_no_branch() -> None:
    assert find_branch("what is the main cost driver") is None
    assert find_branch("is the main dashboard red for anyone else?") is None


@pytest.mark.parametrize("opener", ["different q: ", "ok new q - ", "another qq, "])
def test_a_chat_abbreviated_change_of_subject_is_one(opener: str) -> None:
    text = f"{opener}who is on call for auth?"
    assert TOPIC_SHIFT.search(text)
    assert without_topic_shift(text) == "who is on call for auth?"


def test_a_q_that_is_no_question_is_no_change_of_subject() -> None:
    assert not TOPIC_SHIFT.search("is the q3 report queue different from before?")
