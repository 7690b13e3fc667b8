"""dev15 (evals15e): "it" after a CI answer narrowed to one kind of run (a nightly, a branch,
someone's runs) keeps that narrowing, so a failure or a re-run asked of it is of that run, not
the repository's newest failure."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route


def route(text: str, skill: str, slots: dict | None = None) -> Route:
    return Route(text=text, agent="cicd", skill=skill, confidence=0.8, slots=slots or {}, alternatives=[])


def test_it_after_a_nightly_status_keeps_the_schedule_trigger() -> None:
    before = TurnContext("cicd.status", {"service": "ledger-web", "event": "schedule"}, [])
    followed = apply_context(route("why did it crash", "cicd.failure"), before, 0.45)
    assert followed.slots["service"] == "ledger-web"
    assert followed.slots["event"] == "schedule"


def test_it_after_a_branch_status_keeps_the_branch_and_person_for_a_rerun() -> None:
    before = TurnContext("cicd.status", {"repo": "ledger-web", "branch": "fix/vat", "person": "yusuf"}, [])
    followed = apply_context(route("retry it", "cicd.rerun"), before, 0.45)
    assert followed.slots["branch"] == "fix/vat"
    assert followed.slots["person"] == "yusuf"


def test_a_run_id_already_lent_is_not_narrowed_further() -> None:
    before = TurnContext("cicd.failure", {"run_id": "8800000001", "event": "schedule"}, [])
    followed = apply_context(route("rerun it", "cicd.rerun"), before, 0.45)
    assert followed.slots["run_id"] == "8800000001"
    assert "event" not in followed.slots


def test_outside_ci_nothing_of_a_run_is_lent() -> None:
    before = TurnContext("incident.list", {"service": "ledger", "person": "yusuf"}, [])
    followed = apply_context(route("page it", "incident.page"), before, 0.45)
    assert "person" not in followed.slots
