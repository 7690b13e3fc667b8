"""dev19 (evals19b): a help question about how changes are controlled at large ("can it touch
prod by itself?", "does each action need sign-off?") is answered with every write Guardian can
make and who approves it, from the access policy; a question naming one write keeps that write's
own answer, and a plain "what can you do?" adds no such line."""

from __future__ import annotations

import pytest

from agents.policy import AccessPolicy, parse_policy
from agents.request import Request
from agents.route import Route
from agents.templates import asks_changes_at_large
from tests.agents.test_graph import POLICY, World, world  # noqa: F401 - the shared world fixture


def _help(text: str, slots: dict | None = None) -> Route:
    return Route(text=text, agent="knowledge", skill="help", confidence=0.9, slots=slots or {})


@pytest.mark.parametrize("text", ["compliance wants to know: is this thing able to touch prod by itself?",
                                  "does each action you take need a sign-off from somebody?",
                                  "walk me through your approval process pls"])
def test_changes_at_large_are_asked(text: str) -> None:
    assert asks_changes_at_large(_help(text))


@pytest.mark.parametrize(("text", "slots"), [("what can you do?", {}),
                                             ("can you reboot vms on your own?", {"action": "reboot"})])
def test_no_change_or_one_change_named_is_not_at_large(text: str, slots: dict) -> None:
    assert not asks_changes_at_large(_help(text, slots))


def test_the_answer_names_every_write_and_who_approves_it(world: World) -> None:  # noqa: F811
    world.policy = AccessPolicy(parse_policy(POLICY))
    guardian = world.guardian()
    answer = guardian.ask(Request(text="the auditors ask whether you ever make changes without a human okaying them",
                                  user="mallory"))
    assert answer.skill == "help" and answer.pending_approval is None
    assert answer.lead.startswith("I change nothing on my own"), answer.lead
    assert "infra.action approved by role oncall, not the person who asked" in answer.lead
    assert "incident.page approved by no role in the access policy" in answer.lead
    assert guardian.deps.approvals.list(statuses=None) == ([], 0)
