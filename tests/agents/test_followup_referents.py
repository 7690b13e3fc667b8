"""What a follow-up's words point back at: a moment ("after that"), the kind of thing just
listed ("which of them ..."), a machine just described ("kick it") or one row of a list
that the turn then asks another domain about, naming its own target."""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route


def route(text: str, skill: str, slots: dict | None = None, confidence: float = 0.9,
          alternatives: list[tuple[str, float]] | None = None) -> Route:
    return Route(text=text, agent=skill.split(".")[0] if skill != "infra.logs" and not skill.startswith("infra.")
                 else "infrastructure", skill=skill, confidence=confidence, slots=slots or {},
                 alternatives=alternatives or [])


BUILD = TurnContext("cicd.status", {"repo": "acme/ledger", "service": "ledger", "resource_name": "ledger"},
                    ["81000001"])


@pytest.mark.parametrize("text", ["did the queue consumer start failing after that?",
                                  "anything logged by the cron function since that?",
                                  "was the sync lambda erroring before that too"])
def test_after_that_is_a_moment_not_the_previous_target(text: str) -> None:
    logs = route(text, "infra.logs", {"resource_type": "lambda"})
    followed = apply_context(logs, BUILD, 0.45)
    assert followed.skill == "infra.logs"
    assert "resource_name" not in followed.slots and "service" not in followed.slots


def test_that_as_an_object_still_points_at_the_previous_target() -> None:
    followed = apply_context(route("pull the error lines for that", "infra.logs"), BUILD, 0.45)
    assert followed.slots.get("service") == "ledger"


FUNCTIONS = TurnContext("infra.inventory", {"resource_type": "lambda", "aws_service": "lambda"}, ["fn-a", "fn-b"])


@pytest.mark.parametrize("text", ["which of them run on node instead of python",
                                  "any of those still on an old box runtime?"])
def test_a_subset_of_a_listing_keeps_the_kind_listed(text: str) -> None:
    # a machine noun the turn's words happen to hold ("node", "box") names no new kind: "them" is
    # the functions just listed
    subset = route(text, "infra.describe", {"resource_type": "ec2"}, confidence=0.25)
    followed = apply_context(subset, FUNCTIONS, 0.45)
    assert followed.skill == "infra.inventory" and followed.slots["resource_type"] == "lambda"


def test_a_subset_of_an_untyped_listing_takes_the_kind_it_names() -> None:
    owned = TurnContext("infra.inventory", {"person": "zoe"}, ["fn-a", "vm-b"])
    followed = apply_context(route("which of those are vms", "infra.inventory", {"resource_type": "ec2"}), owned, 0.45)
    assert followed.slots["resource_type"] == "ec2"


DESCRIBED_VM = TurnContext("infra.describe", {"resource_name": "ci-runner-7", "cloud": "azure"},
                           ["/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/ci-runner-7"])


@pytest.mark.parametrize("text", ["kick it over, the build agent on it hung", "restart it, the ci job runner is stuck",
                                  "bounce it pls, builds are queueing on it"])
def test_a_restart_of_it_after_a_machine_is_the_machines_action_however_sure_of_a_rerun(text: str) -> None:
    rerun = route(text, "cicd.rerun", {}, 0.97)
    followed = apply_context(rerun, DESCRIBED_VM, 0.45)
    assert (followed.skill, followed.agent) == ("infra.action", "infrastructure")
    assert followed.slots["resource_name"] == "ci-runner-7" and followed.slots["cloud"] == "azure"
    assert followed.slots.get("action") == "reboot"


def test_a_rerun_word_after_a_machine_stays_a_rerun() -> None:
    followed = apply_context(route("rerun it", "cicd.rerun", {}, 0.97), DESCRIBED_VM, 0.45)
    assert followed.skill == "cicd.rerun"


INCIDENTS = TurnContext("incident.list", {}, ["PAAA111", "PBBB222"])


def test_a_row_named_first_then_another_domains_question_of_its_own_target_is_that_question() -> None:
    logs = route("the cart latency one - anything in web-3's logs that explains it?", "infra.logs",
                 {"resource_name": "web-3"}, 0.97)
    followed = apply_context(logs, INCIDENTS, 0.45)
    assert followed.skill == "infra.logs" and followed.slots["resource_name"] == "web-3"


def test_a_row_named_first_with_no_target_of_its_own_is_still_that_row() -> None:
    about = route("the cart latency one - what's going on with it", "infra.describe", {}, 0.8)
    assert apply_context(about, INCIDENTS, 0.45).skill == "incident.brief"


def test_a_name_inside_the_row_phrase_describes_the_row_not_a_target_of_its_own() -> None:
    # "the cart-api one" names the row by its words; the router reading the name as a resource
    # to describe does not make it another question
    named = {"resource_name": "cart-api", "service": "cart-api"}
    about = route("ok dig into the cart-api one", "infra.describe", named, 0.8)
    assert apply_context(about, INCIDENTS, 0.45).skill == "incident.brief"
