"""One row of the previous list named by a phrase after "the one" ("the one on dave's branch",
"the one in eu-west-1"), and reading verbs ("fish out", "bring up") that ask to look at it, not
to change it: the row is described by the list's own domain even when the router guessed a change."""

from __future__ import annotations

from agents.clarified import SAID
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

THRESHOLD = 0.45
RED_RUNS = TurnContext("cicd.status", {"repo": "storefront", SAID: "which workflows went red on the web repo?"},
                       ["8800000001", "8800000002"])
MACHINES = TurnContext("infra.inventory", {"cloud": "aws"}, ["i-0aaa1111bbb", "i-0ccc2222ddd"])


def _route(text: str, skill: str, confidence: float) -> Route:
    return Route(text=text, agent=skill.split(".")[0], skill=skill, confidence=confidence, slots={})


def test_reading_out_of_the_one_on_a_branch_is_why_that_run_failed() -> None:
    followed = apply_context(_route("fish the failure out of the one on dave's branch", "incident.ack", 0.3),
                             RED_RUNS, THRESHOLD)
    assert followed.skill == "cicd.failure"
    assert followed.slots.get("repo") == "storefront"  # the list's own repository


def test_the_one_in_a_region_after_an_inventory_is_described() -> None:
    followed = apply_context(_route("what size is the one in eu-west-1", "cost.summary", 0.25), MACHINES, THRESHOLD)
    assert followed.skill == "infra.describe"


def test_the_one_on_call_is_a_person_not_a_row() -> None:
    asked = _route("who's the one on call for that?", "incident.oncall", 0.9)
    listed = TurnContext("incident.list", {}, ["PABC123", "PDEF456"])
    assert apply_context(asked, listed, THRESHOLD).skill == "incident.oncall"


def test_digging_up_a_log_is_no_change_the_router_guessed() -> None:
    followed = apply_context(_route("dig the log up for the one from last night", "cicd.rerun", 0.3),
                             RED_RUNS, THRESHOLD)
    assert followed.skill == "cicd.failure"


def test_bringing_the_stopped_one_back_up_is_still_a_start() -> None:
    asked = Route(text="bring the stopped one back up", agent="infra", skill="infra.action", confidence=0.8,
                  slots={"action": "start"})
    assert apply_context(asked, MACHINES, THRESHOLD).skill == "infra.action"
