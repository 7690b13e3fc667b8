"""dev15 (evals15e): a list question naming several services after a word of place ("open on
auth or analytics") is asked of each of them; one service alone is left to the slots, and a
service's name used as a plain word names nothing."""

from __future__ import annotations

from tools.base import ToolContext
from tools.registry import ToolRegistry


def ids(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {row["id"] for row in result.rows}


def test_services_listed_after_a_place_word_are_all_asked_about(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {"query": "whats open for auth, payments and analytics"}, ctx)
    assert ids(result) == {"P7K2M9Q"}
    assert "auth" in result.summary and "analytics" in result.summary


def test_the_list_keeps_the_state_asked(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents",
                             {"query": "incidents on search or checkout", "status": "all"}, ctx)
    assert ids(result) == {"P3H8W1R", "P9D4T6N"}


def test_one_service_in_the_words_filters_nothing_by_itself(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {"query": "search pagerduty for checkout problems"}, ctx)
    assert ids(result) == {"P7K2M9Q", "P3H8W1R"}


def test_a_slot_service_outside_the_list_wins(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents",
                             {"service": "payments", "query": "payments issues, not on search or checkout"}, ctx)
    assert ids(result) == {"P7K2M9Q"}


def test_a_team_asked_about_is_not_narrowed_by_listed_services(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents",
                             {"team": "Payments", "query": "for search and checkout"}, ctx)
    assert ids(result) == {"P7K2M9Q"}


def test_services_ruled_out_are_not_asked_about(ctx: ToolContext, registry: ToolRegistry) -> None:
    result = registry.invoke("pagerduty_open_incidents", {"query": "anything open except on auth and checkout"}, ctx)
    assert ids(result) == {"P7K2M9Q", "P3H8W1R"}
