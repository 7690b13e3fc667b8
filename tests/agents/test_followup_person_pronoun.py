"""dev15 (evals15e): "she" or "he" right after an on-call answer is the person it named first,
when the follow-up reads about a person (their incidents, their shift)."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

ROTA = TurnContext("incident.oncall", {"team": "ledger"}, ["Yusuf Amari", "Lena Ortiz"])


def route(text: str, skill: str, slots: dict | None = None) -> Route:
    return Route(text=text, agent="incident", skill=skill, confidence=0.8, slots=slots or {}, alternatives=[])


def test_she_after_an_oncall_answer_is_its_first_person() -> None:
    followed = apply_context(route("has she got anything open right now", "incident.list"), ROTA, 0.45)
    assert followed.slots["person"] == "Yusuf Amari"


def test_a_person_named_in_the_follow_up_wins() -> None:
    followed = apply_context(route("is he or lena on anything", "incident.list", {"person": "lena"}), ROTA, 0.45)
    assert followed.slots["person"] == "lena"


def test_no_pronoun_lends_no_person() -> None:
    followed = apply_context(route("any open incidents at all?", "incident.list"), ROTA, 0.45)
    assert "person" not in followed.slots


def test_a_pronoun_after_another_skill_lends_no_person() -> None:
    before = TurnContext("incident.list", {}, ["P1ABCDE"])
    followed = apply_context(route("is she on call too", "incident.oncall"), before, 0.45)
    assert "person" not in followed.slots


def test_a_change_asked_with_a_pronoun_is_left_to_the_paging_rules() -> None:
    followed = apply_context(route("page her", "incident.page"), ROTA, 0.45)
    assert followed.slots.get("person") != "Yusuf Amari"


def test_who_is_behind_her_asks_the_rota_not_about_her() -> None:
    followed = apply_context(route("and who's behind her if she sleeps through it", "incident.oncall"), ROTA, 0.45)
    assert "person" not in followed.slots
