"""dev16 (evals16c): a spend or security check asked of a listing the previous turn showed
("are any of those wasting money?" after a list of addresses) reads the listing's words too:
"those" are what was listed, so the check's rows are narrowed to that kind."""

from __future__ import annotations

from agents.clarified import SAID
from agents.conversations import TurnContext
from agents.focus import LISTED_WORDS
from agents.followup import apply_context
from agents.route import Route
from agents.templates import build_answer
from tools.base import ToolResult

SAVINGS = ToolResult(status="ok", summary="3 savings.", columns=["resource", "name", "kind", "monthly_usd"], rows=[
    {"resource": "vol-0aa", "name": "scratch", "kind": "unattached volume", "monthly_usd": 12.0},
    {"resource": "eipalloc-0bb", "name": "spare-ip", "kind": "unassociated Elastic IP", "monthly_usd": 3.6},
    {"resource": "i-0cc", "name": "old-box", "kind": "stopped instance", "monthly_usd": 2.0}],
    resources=["vol-0aa", "eipalloc-0bb", "i-0cc"])


def route(text: str, slots: dict | None = None) -> Route:
    return Route(text=text, agent="cost", skill="cost.savings", confidence=0.9, slots=slots or {})


def call(result: ToolResult) -> dict[str, object]:
    return {"tool": "aws_savings", "args": {}, "result": result.model_dump()}


def test_a_check_of_a_listing_keeps_the_listings_words() -> None:
    listing = TurnContext("infra.inventory", {"region": "sa-east-1", SAID: "show me every eip we have"}, [])
    followed = apply_context(route("are any of those doing nothing but costing us?"), listing, 0.45)
    assert followed.slots[LISTED_WORDS] == "show me every eip we have"
    assert followed.slots["region"] == "sa-east-1"


def test_the_listings_words_narrow_the_check_to_what_was_listed() -> None:
    answer = build_answer(route("any of those orphaned?", {LISTED_WORDS: "show me every eip we have"}),
                          [call(SAVINGS)])
    assert "spare-ip" in answer.lead
    assert "old-box" not in answer.lead


def test_without_a_listing_the_turns_own_words_decide() -> None:
    answer = build_answer(route("anything orphaned?"), [call(SAVINGS)])
    assert "scratch" in answer.lead and "spare-ip" not in answer.lead
