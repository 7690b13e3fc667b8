"""Follow-ups in security threads, by grammar: whether the last answer covers a place ("does
it even include X?"), what a score is made of ("is that due to X?"), "the ones <clause>" and
"any of that in <place>" as subsets of the list, "the X thing" as one listed item when the
router also reads the list's skill, and an account pointed at ("that user") after an IAM answer."""

from __future__ import annotations

import pytest

from agents.clarified import MEANT
from agents.conversations import TurnContext
from agents.followup import apply_context
from tests.agents.routes import route

THRESHOLD = 0.45


THREATS = TurnContext("security.findings", {"cloud": "aws", "aws_service": "guardduty"}, ["i-0abc1234def567890"])
SCORE = TurnContext("security.posture", {"cloud": "aws"}, ["root", "some-bucket"])
GROUPS = TurnContext("security.open_ports", {"cloud": "aws"}, ["sg-0aa", "sg-0bb"])
NSGS = TurnContext("security.open_ports", {"cloud": "azure"}, ["nsg-a", "nsg-b"])
ADMINS = TurnContext("security.iam", {}, ["marco", "full-access"])


@pytest.mark.parametrize("text", ["hang on, does that even include ap-south-1?", "is ap-south-1 even covered?",
                                  "did it look at ap-south-1 too"])
def test_whether_the_answer_covers_a_place_is_the_same_check_there(text: str) -> None:
    asked = apply_context(route(text, "infra.inventory", {"region": "ap-south-1"}, 0.88), THREATS, THRESHOLD)
    assert asked.skill == "security.findings"
    assert asked.slots["region"] == "ap-south-1"
    assert asked.slots.get("aws_service") == "guardduty"


def test_what_covers_a_named_thing_is_a_question_of_its_own() -> None:
    own = route("is web-7 covered by the backup plan", "infra.describe", {"resource_name": "web-7"}, 0.9)
    assert apply_context(own, THREATS, THRESHOLD).skill == "infra.describe"


@pytest.mark.parametrize("text", ["is some of this due to the unencrypted disks and rds?",
                                  "is that coming from unencrypted volumes"])
def test_what_a_score_comes_from_is_the_score_again(text: str) -> None:
    asked = apply_context(route(text, "security.public_storage", {"resource_type": "volume"}, 1.0), SCORE, THRESHOLD)
    assert asked.skill == "security.posture"


def test_a_cause_asked_after_a_list_that_adds_up_to_nothing_keeps_its_reading() -> None:
    asked = apply_context(route("is that due to the unencrypted disks", "security.public_storage", confidence=1.0),
                          ADMINS, THRESHOLD)
    assert asked.skill == "security.public_storage"


def test_the_ones_with_a_clause_are_a_subset_of_the_list() -> None:
    asked = apply_context(route("so could i delete the ones with no instances on them", "cost.savings",
                                confidence=0.6), GROUPS, THRESHOLD)
    assert asked.skill == "security.open_ports"


def test_the_ones_read_firmly_as_another_question_keep_that_reading() -> None:
    asked = apply_context(route("list the ones dana opened this week", "cicd.status", confidence=0.9),
                          GROUPS, THRESHOLD)
    assert asked.skill == "cicd.status"


def test_any_of_that_in_a_place_is_a_subset_of_the_list() -> None:
    asked = apply_context(route("is any of that under the web resource group", "infra.inventory",
                                {"cloud": "azure"}, 0.87), NSGS, THRESHOLD)
    assert asked.skill == "security.open_ports"
    assert asked.slots["cloud"] == "azure"


def test_the_x_thing_is_a_listed_item_when_the_list_is_a_reading_too() -> None:
    asked = apply_context(route("how worried should i be about the dns mining thing", "security.open_ports",
                                confidence=0.62, alternatives=[("security.findings", 0.36)]), THREATS, THRESHOLD)
    assert asked.skill == "security.findings"


def test_the_x_thing_without_the_list_among_the_readings_keeps_its_reading() -> None:
    asked = apply_context(route("how worried should i be about the dns mining thing", "security.open_ports",
                                confidence=0.97, alternatives=[("security.iam", 0.02)]), THREATS, THRESHOLD)
    assert asked.skill == "security.open_ports"


def test_an_account_pointed_at_after_an_iam_answer_lends_what_that_answer_named() -> None:
    asked = apply_context(route("is this user at least on mfa", "security.iam", confidence=1.0), ADMINS, THRESHOLD)
    assert asked.skill == "security.iam"
    assert asked.slots[MEANT] == ["marco", "full-access"]


def test_what_was_pointed_at_is_not_lent_to_the_turn_after() -> None:
    pointed = TurnContext("security.iam", {MEANT: ["marco"]}, ["priya"])
    asked = apply_context(route("and who has old keys", "security.iam", confidence=1.0), pointed, THRESHOLD)
    assert MEANT not in asked.slots


def test_a_pronoun_after_another_domain_lends_no_account() -> None:
    oncall = TurnContext("incident.oncall", {}, ["Marco Diaz"])
    asked = apply_context(route("does she have mfa", "security.iam", confidence=1.0), oncall, THRESHOLD)
    assert MEANT not in asked.slots
