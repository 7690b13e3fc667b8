"""dev23 (evals23b): requests from people who are not engineers. A message naming two clouds
where one is said to be finished asks of the other; an "allocation" is a budget; a follow-up
asking whether the asker may use the bot, or who signs off a change the words name, is a help
question; "billed separately" is no change of subject; "what about X only?" is an ellipsis;
and the anomaly tool says whose the machines behind a spike are, in a stated currency."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context, is_elliptical
from agents.slots.entities import find_cloud
from agents.specialists import budget_named
from agents.thread_words import TOPIC_SHIFT, without_topic_shift
from tests.agents.routes import route
from tools.aws.cost import owned_by


def test_a_cloud_said_to_be_finished_leaves_the_other_one_asked() -> None:
    assert find_cloud("the gcp numbers are sorted, now what did azure cost in october", None) == "azure"
    assert find_cloud("done with aws. how about google cloud for q3", None) == "gcp"
    assert find_cloud("compare aws and azure spend for october", None) is None  # both asked
    assert find_cloud("aws is done and azure is done too", None) is None  # nothing left: no single cloud


def test_an_allocation_is_a_budget_figure() -> None:
    assert budget_named("our group has a 7,500 allocation for december, will we stay inside it") == 7500.0
    assert budget_named("allocation is $12k this quarter") == 12000.0
    assert budget_named("what will the 2027 allocation look like") is None  # a year, no figure


def test_billed_separately_changes_no_subject() -> None:
    assert not TOPIC_SHIFT.search("the uk subsidiary is invoiced separately")
    assert not TOPIC_SHIFT.search("those get paid separately by procurement")
    assert TOPIC_SHIFT.search("separately, is anything on fire?")
    assert without_topic_shift("separately - any open incidents") == "any open incidents"


def test_what_about_a_part_only_is_an_ellipsis() -> None:
    assert is_elliptical("what about the us-east-1 piece only?")
    assert is_elliptical("and the storefront portion only? accounting needs it split")
    assert not is_elliptical("what runs in us-east-1 only")  # a question of its own


FORECAST = TurnContext("cost.forecast", {"time_range": {"label": "this month"}}, [])
SAVINGS = TurnContext("cost.savings", {}, ["vol-0abc"])


def test_may_i_use_it_after_an_answer_is_a_help_question() -> None:
    asked = route("one thing first: am I even allowed to get these numbers out of you as a contractor?", "help",
                  {}, confidence=0.8, alternatives=[("cost.forecast", 0.15)])
    got = apply_context(asked, FORECAST, 0.45)
    assert got.skill == "help"


def test_who_signs_off_a_change_the_words_name_is_help_about_that_change() -> None:
    asked = route("suppose we turned a couple of those off, who would need to approve that?", "incident.oncall",
                  {"action": "stop"}, confidence=0.6, alternatives=[("cost.savings", 0.1)])
    got = apply_context(asked, SAVINGS, 0.45)
    assert got.skill == "help"
    assert got.requested_skill == "infra.action"


def test_who_owns_a_finding_is_no_sign_off_question() -> None:
    asked = route("who owns those?", "incident.oncall", {}, confidence=0.6)
    assert apply_context(asked, SAVINGS, 0.45).skill != "help"


def test_a_machine_is_said_with_its_team_and_owner() -> None:
    assert owned_by({"team": "Payments", "owner": "alice", "Name": "x"}) == " of team Payments (owner alice)"
    assert owned_by({"team": "Payments"}) == " of team Payments"
    assert owned_by({"owner": "alice"}) == " (owner alice)"
    assert owned_by({}) == ""
