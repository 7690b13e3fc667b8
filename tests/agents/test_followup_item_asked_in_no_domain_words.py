"""An item of the previous list pointed at ("the 400 day old one") and asked of in words that
name no noun of the agent the router leans to stays the list's item; a question put to the bot
about acting on "one of them" is a policy question, not a narrowing of the list."""

from __future__ import annotations

from agents.clarified import SAID
from agents.conversations import TurnContext
from agents.followup import apply_context
from tests.agents.routes import route

THRESHOLD = 0.45
OLD_KEYS = TurnContext("security.iam", {SAID: "whose access keys are ancient?"}, ["build-bot"])
RUNS = TurnContext("cicd.status", {SAID: "how are the web repo's workflows doing"}, ["8800000001", "8800000002"])


def test_an_aged_item_read_as_ci_stays_the_listed_account() -> None:
    asked = route("is the 400 day old one even in use anymore?", "cicd.status", confidence=0.5)
    assert apply_context(asked, OLD_KEYS, THRESHOLD).skill == "security.iam"


def test_an_item_asked_of_in_ci_words_is_a_ci_question() -> None:
    asked = route("is the 400 day old one what the deploy pipeline uses?", "cicd.status", confidence=0.9)
    assert apply_context(asked, OLD_KEYS, THRESHOLD).skill == "cicd.status"


def test_asking_the_bot_to_act_on_one_of_them_is_its_policy() -> None:
    asked = route("if one of them fails can i have you start it again? who signs off on that", "help", confidence=0.6)
    assert apply_context(asked, RUNS, THRESHOLD).skill == "help"


def test_one_of_them_without_words_to_the_bot_narrows_the_list() -> None:
    asked = route("did any of them fail on main?", "cicd.failure", confidence=0.6)
    assert apply_context(asked, RUNS, THRESHOLD).skill == "cicd.status"

