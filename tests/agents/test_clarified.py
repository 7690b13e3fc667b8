"""Replies to Guardian's "which of these did you mean?": the candidates the asking turn kept,
and the one a reply picks by place, id or name, or by what sets it apart."""

from __future__ import annotations

import pytest

from agents.clarified import ASKED, CHOICES, apply_choice, choices_of, pick
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

CANDIDATES = [
    {"id": "i-0aaa1111bbb", "name": "ledger-worker-1", "region": "us-east-1", "env": "prod", "kind": "ec2",
     "cloud": "aws"},
    {"id": "/subscriptions/s/resourceGroups/rg-l/providers/Microsoft.Compute/virtualMachines/ledger-worker-2",
     "name": "ledger-worker-2", "region": "westeurope", "env": "staging", "kind": "vm", "cloud": "azure"},
    {"id": "gce-ledger-3", "name": "gce-ledger-3", "region": "us-central1-a", "env": "prod", "kind": "vm",
     "cloud": "gcp"},
]
ASKING = TurnContext("infra.action", {"action": "stop", CHOICES: CANDIDATES, ASKED: "stop the ledger box"},
                     ["i-0aaa1111bbb", "ledger-worker-2", "gce-ledger-3"])


def reply(text: str, skill: str = "help", confidence: float = 0.2, slots: dict | None = None) -> Route:
    return Route(text=text, agent=skill.split(".")[0], skill=skill, confidence=confidence, slots=slots or {})


@pytest.mark.parametrize(("text", "name"), [
    ("the second one", "ledger-worker-2"), ("3", "gce-ledger-3"), ("no, the last", "gce-ledger-3"),
    ("ledger-worker-1", "ledger-worker-1"), ("i meant i-0aaa1111bbb", "ledger-worker-1"),
    ("the azure one", "ledger-worker-2"), ("the google one", "gce-ledger-3"),
    ("the one in europe", "ledger-worker-2"), ("staging", "ledger-worker-2"), ("the aws box", "ledger-worker-1"),
])
def test_a_reply_picks_one_candidate(text: str, name: str) -> None:
    chosen = pick(CANDIDATES, text)
    assert chosen is not None and chosen["name"] == name


@pytest.mark.parametrize("text", ["the prod one", "the fifth one", "whatever", "the one in asia"])
def test_a_reply_fitting_several_or_none_picks_nothing(text: str) -> None:
    assert pick(CANDIDATES, text) is None


def test_the_pick_runs_the_asking_request_with_that_target() -> None:
    followed = apply_context(reply("the azure one"), ASKING, 0.45)
    assert (followed.skill, followed.agent) == ("infra.action", "infrastructure")
    assert followed.slots["action"] == "stop"
    assert (followed.slots["resource_name"], followed.slots["cloud"]) == ("ledger-worker-2", "azure")
    assert CHOICES not in followed.slots and ASKED not in followed.slots
    assert followed.text.startswith("stop the ledger box")
    first = apply_context(reply("the first one"), ASKING, 0.45)
    assert (first.slots["instance_id"], first.slots["resource_ids"]) == ("i-0aaa1111bbb", ["i-0aaa1111bbb"])


def test_a_question_of_its_own_after_the_clarifying_one_is_not_a_pick() -> None:
    own = reply("who is on call for the payments service this week in europe?", "incident.oncall", 0.9)
    assert apply_choice(own, ASKING, 0.45) is None
    assert apply_context(own, ASKING, 0.45).skill == "incident.oncall"


def test_only_ambiguous_results_offer_choices_with_their_cloud() -> None:
    calls = [{"tool": "azure_vm_describe", "result": {"facts": {"ambiguous": True}, "rows": [
                 {"kind": "vm", "id": "/x/vm-a", "name": "vm-a", "location": "eastus", "env": "prod"}]}},
             {"tool": "aws_inventory", "result": {"facts": {}, "rows": [{"id": "i-1", "name": "other"}]}}]
    assert choices_of(calls, {"azure_vm_describe": "azure", "aws_inventory": "aws"}) == [
        {"id": "/x/vm-a", "name": "vm-a", "region": "eastus", "env": "prod", "kind": "vm", "cloud": "azure"}]
