"""A pipeline question naming several repositories ("what merged in ledger-api and
storefront-web") reads every repository, not only the first one named; one name still narrows."""

from __future__ import annotations

from datetime import UTC, datetime

from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import named_services
from agents.specialists import specialist_for
from tools.github import GITHUB
from tools.registry import ToolRegistry

NOW = datetime(2026, 5, 20, 9, 0, tzinfo=UTC)
REGISTRY = ToolRegistry.of(GITHUB)


def planned(skill: str, text: str) -> dict[str, dict[str, object]]:
    route = Route(text=text, agent="cicd", skill=skill, confidence=0.9, slots=extract_slots(text, NOW))
    plan = specialist_for(skill).plan(route, REGISTRY)
    return {call.spec.name: call.args for call in plan.reads}


def test_every_service_shaped_name_is_found_once_in_order() -> None:
    assert named_services("ledger-api then storefront-web, then ledger-api again") == ["ledger-api", "storefront-web"]


def test_changes_naming_two_repositories_are_read_from_all_of_them() -> None:
    args = planned("cicd.changes", "anything merged into ledger-api or storefront-web since monday?")
    assert not args["github_recent_changes"].get("service") and not args["github_recent_changes"].get("repo")


def test_one_repository_named_still_narrows() -> None:
    args = planned("cicd.changes", "anything merged into ledger-api since monday?")
    assert "ledger-api" in {args["github_recent_changes"].get("service"), args["github_recent_changes"].get("repo")}
