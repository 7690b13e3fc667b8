"""dev16 (evals16c): a question about whether one may have a change made ("can you kick it off
again for me, who approves that?") after a CI answer is about re-running the run, not about
restarting a machine."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

RUNS = TurnContext("cicd.status", {"repo": "ledger-api"}, ["8120000004"])
BOXES = TurnContext("infra.inventory", {"region": "eu-north-1"}, ["i-0abc"])


def asked(text: str) -> Route:
    return Route(text=text, agent="cicd", skill="cicd.status", confidence=0.5, requested_skill="infra.action")


def test_a_permission_question_about_restarting_after_ci_is_about_a_rerun() -> None:
    followed = apply_context(asked("if it's red could you restart it, or who'd have to ok that?"), RUNS, 0.45)
    assert followed.requested_skill == "cicd.rerun"


def test_after_machines_it_stays_a_machine_action() -> None:
    followed = apply_context(asked("could you restart it, or who'd have to ok that?"), BOXES, 0.45)
    assert followed.requested_skill == "infra.action"
