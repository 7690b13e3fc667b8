"""A who/when question about one change, named by its title's words, leads with that change;
"anything else from them" after it is the author's other changes."""

from __future__ import annotations

from agents.clarified import ANSWERED
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.named_change import named_change
from agents.route import Route
from tools.base import ToolResult

ROWS = [
    {"kind": "merged PR", "ref": "acme/web#12", "title": "Bump eslint to 9 and fix the lint config", "author": "kim",
     "age": "2d 1h"},
    {"kind": "merged PR", "ref": "acme/api#40", "title": "Cache the tax rates for 10 minutes", "author": "raj",
     "age": "5h"},
    {"kind": "commit", "ref": "a1b2c3d", "title": "Fix typo in the eslint readme", "author": "lee", "age": "1d"},
]
CHANGES = ToolResult(status="ok", summary="Since 2026-11-27 in acme/web, acme/api: 2 merged PRs, 1 direct commit.",
                     columns=["age", "kind", "ref", "title", "author", "state"], rows=ROWS)


def test_who_merged_a_change_named_by_its_title_leads_with_it() -> None:
    focused = named_change(CHANGES, "who shipped the eslint 9 bump?")
    assert focused is not None and focused.lead == "acme/web#12 was merged by kim 2d 1h ago."
    assert [row["ref"] for row in focused.rows] == ["acme/web#12"]
    when = named_change(CHANGES, "when did the tax rates cache land")
    assert when is not None and when.lead == "acme/api#40 was merged by raj 5h ago."


def test_no_single_change_named_leaves_the_listing() -> None:
    assert named_change(CHANGES, "what merged this week?") is None  # no who/when about one change
    assert named_change(CHANGES, "who touched eslint?") is None  # one shared word: two changes fit
    assert named_change(CHANGES, "who merged the kafka upgrade?") is None  # names none of them


def test_whether_one_change_is_in_yet_leads_with_it() -> None:
    """"Was X merged or still in review?", "did X ship": the change found among the merged ones
    answers it (a change still in review is not among them, so the listing stays)."""
    merged = named_change(CHANGES, "is the tax rates caching PR merged, or still waiting on review?")
    assert merged is not None and merged.lead == "acme/api#40 was merged by raj 5h ago."
    shipped = named_change(CHANGES, "did the eslint 9 bump ship yet")
    assert shipped is not None and [row["ref"] for row in shipped.rows] == ["acme/web#12"]
    assert named_change(CHANGES, "was the kafka consumer rewrite merged?") is None  # names none of them
    assert named_change(CHANGES, "is the eslint 9 bump any good?") is None  # asks nothing of its state


def _route(text: str, skill: str, agent: str, confidence: float) -> Route:
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots={})


def test_more_from_them_after_a_named_change_is_the_authors_changes() -> None:
    before = TurnContext("cicd.changes", {ANSWERED: "acme/web#12 was merged by kim 2d 1h ago."}, ["acme/web#12"])
    followed = apply_context(_route("what else has she put in recently?", "incident.list", "incident", 0.7),
                             before, 0.45)
    assert followed.skill == "cicd.changes" and followed.slots["person"] == "kim"
    listing = TurnContext("cicd.changes", {ANSWERED: "Since 2026-11-27 in acme/web: 2 merged PRs."}, [])
    assert apply_context(_route("anything else from them?", "incident.list", "incident", 0.7),
                         listing, 0.45).skill == "incident.list"  # no one author named: nothing to narrow to
