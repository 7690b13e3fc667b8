"""dev18 (evals18d): CI and incident follow-ups.

- "ok" and then a verb of its own that restarts or re-runs ("ok, retry it", "okay kick the thing
  off again") is a change asked, not an ellipsis of the previous question; after a CI answer it
  is that domain's re-run;
- a re-run naming no target right after a CI answer about one run ("just re-run the broken jobs")
  is of that run, not of the newest failure anywhere; after a list of several runs, none is picked;
- an on-call answer names people: a follow-up pointing back ("did it break on the deploy?") never
  borrows a person's name as a repository or a resource;
- "she"/"he" right after who is on call, in a brief, is the person that answer named (the brief
  then picks the incident that person holds), and the changes beside that brief are not narrowed
  to that person.
"""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context, is_elliptical
from agents.planner import Plan, PlannedCall
from agents.route import Route
from agents.specialists import specialist_for
from tools.github import GITHUB_TOOLS
from tools.pagerduty import PAGERDUTY_TOOLS
from tools.registry import ToolRegistry

THRESHOLD = 0.45
REGISTRY = ToolRegistry([*GITHUB_TOOLS, *PAGERDUTY_TOOLS])


def route(text: str, skill: str, agent: str, confidence: float = 0.9, slots: dict | None = None,
          alternatives: list | None = None) -> Route:
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {},
                 alternatives=alternatives or [])


@pytest.mark.parametrize("text", ["ok, retry it for me", "okay kick the thing off again", "ok rerun pls",
                                  "ok re-trigger that", "okay restart it now"])
def test_a_restart_verb_after_discourse_words_is_no_ellipsis(text: str) -> None:
    assert not is_elliptical(text)


def test_an_ellipsis_is_still_one() -> None:
    assert is_elliptical("ok and for checkout-web?")


def test_okay_and_a_restart_verb_after_a_red_run_is_its_rerun() -> None:
    before = TurnContext("cicd.failure", {"service": "ledger", "workflow": "deploy"}, ["7310000099", "abc1234"])
    asked = apply_context(route("okay, kick it off one more time", "infra.action", "infrastructure", 0.97), before,
                          THRESHOLD)
    assert asked.skill == "cicd.rerun"


@pytest.mark.parametrize("text", ["just re-run the broken jobs, probably a flake",
                                  "probably flaky - retry the failed bits"])
def test_a_rerun_naming_nothing_after_one_runs_failure_is_of_that_run(text: str) -> None:
    before = TurnContext("cicd.failure", {"service": "storefront-ui"}, ["7310000077", "f00dbab"])
    asked = apply_context(route(text, "cicd.rerun", "cicd", 0.99, {"action": "rerun"}), before, THRESHOLD)
    assert asked.skill == "cicd.rerun" and asked.slots.get("run_id") == "7310000077"


def test_a_rerun_after_several_runs_picks_none_of_them() -> None:
    before = TurnContext("cicd.status", {"service": "storefront-ui"}, ["7310000077", "7310000078"])
    asked = apply_context(route("just re-run the broken jobs", "cicd.rerun", "cicd", 0.99), before, THRESHOLD)
    assert "run_id" not in asked.slots


def test_a_rerun_naming_its_own_run_keeps_it() -> None:
    before = TurnContext("cicd.failure", {}, ["7310000077"])
    asked = apply_context(route("retry run 7310000012", "cicd.rerun", "cicd", 0.99, {"run_id": "7310000012"}),
                          before, THRESHOLD)
    assert asked.slots["run_id"] == "7310000012"


def test_people_on_call_are_never_lent_as_a_resource() -> None:
    before = TurnContext("incident.oncall", {"team": "platform"}, ["Erin Walsh", "Frank Li"])
    asked = apply_context(route("did it break on the deploy?", "cicd.failure", "cicd", 0.93), before, THRESHOLD)
    assert "Erin Walsh" not in asked.slots.values()
    assert not {"resource_name", "repo", "service"} & set(asked.slots)


def test_he_in_a_brief_after_who_is_on_call_is_the_person_named() -> None:
    before = TurnContext("incident.oncall", {"team": "storefront"}, ["Dave Kim", "Carol Diaz"])
    asked = apply_context(route("is he sitting on an incident? anything in his notes", "incident.brief", "incident",
                                0.7), before, THRESHOLD)
    assert asked.skill == "incident.brief" and asked.slots.get("person") == "Dave Kim"


def test_the_changes_beside_a_brief_of_someones_incident_are_anyones() -> None:
    asked = route("the incident dave holds, brief me", "incident.brief", "incident", 0.9, {"person": "Dave Kim"})
    plan: Plan = specialist_for("incident.brief").plan(asked, REGISTRY)
    calls: dict[str, PlannedCall] = {call.spec.name: call for call in plan.reads}
    assert calls["pagerduty_incident_brief"].args.get("person") == "Dave Kim"
    assert "person" not in calls["github_recent_changes"].args
