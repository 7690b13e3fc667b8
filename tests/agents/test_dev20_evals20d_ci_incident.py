"""dev20 (evals20d): CI and incident turns.

- "the second one" counts the rows the previous answer's table showed: an id it named only
  beside the table (a run still under way, in the lead) is no row of the list, so the place
  picks the row the person saw there; an answer with no table still counts its ids.
"""

from __future__ import annotations

import pytest

from agents.answer import Answer, Cell, Column, Table
from agents.clarified import ROWS, THREAD_KEYS
from agents.conversations import TurnContext
from agents.followup import _nth_item, apply_context
from agents.route import Route

THRESHOLD = 0.45


def route(text: str, skill: str, agent: str, confidence: float = 0.9) -> Route:
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots={}, alternatives=[])


def runs_table(*ids: str) -> Table:
    return Table(columns=[Column(key="repo", label="Repo"), Column(key="run", label="Run", kind="id"),
                          Column(key="state", label="State", kind="status")],
                 rows=[[Cell(value="acme/ledger"), Cell(kind="id", value=run), Cell(kind="status", value="failure")]
                       for run in ids])


def test_an_answer_keeps_the_ids_of_its_rows_in_their_order() -> None:
    answer = Answer(agent="cicd", skill="cicd.status", lead="Under way: run 9000000001.",
                    tables=[runs_table("9000000005", "9000000003")],
                    resources=["9000000001", "9000000003", "9000000005"])
    assert answer.row_ids() == ["9000000005", "9000000003"]


def test_a_row_naming_none_of_the_resources_counts_for_nothing() -> None:
    answer = Answer(agent="cicd", skill="cicd.status", tables=[runs_table("9000000007")], resources=[])
    assert answer.row_ids() == []


def test_the_rows_shown_are_kept_for_the_next_turn_and_never_lent_as_a_slot() -> None:
    assert ROWS in THREAD_KEYS


def test_a_place_counts_the_rows_shown_not_an_id_named_beside_the_table() -> None:
    # the lead named a run still going; the table listed two red ones below it
    previous = TurnContext("cicd.status", {}, ["9000000001", "9000000005", "9000000003"])
    rows = ["9000000005", "9000000003"]
    assert _nth_item(previous, "what broke in the 2nd one", rows=rows) == {"run_id": "9000000003"}
    assert _nth_item(previous, "and the first one?", rows=rows) == {"run_id": "9000000005"}
    assert _nth_item(previous, "the last one", rows=rows) == {"run_id": "9000000003"}


def test_without_rows_the_place_still_counts_the_answers_ids() -> None:
    previous = TurnContext("cicd.status", {}, ["9000000001", "9000000005"])
    assert _nth_item(previous, "the second one") == {"run_id": "9000000005"}


def test_rows_of_another_kind_leave_the_ids_in_the_answers_order() -> None:
    # a table of steps or alerts names no run: the answer's runs are counted as it named them
    previous = TurnContext("cicd.status", {}, ["9000000001", "9000000005"])
    assert _nth_item(previous, "the second one", rows=["PA0Z001"]) == {"run_id": "9000000005"}


def test_asking_why_the_nth_row_failed_after_a_list_of_red_runs_reads_that_row() -> None:
    previous = TurnContext("cicd.status", {ROWS: ["9000000005", "9000000003"], "turn_text": "what is failing"},
                           ["9000000001", "9000000005", "9000000003"])
    out = apply_context(route("the 2nd one, why did it go wrong", "cicd.failure", "cicd", 0.7), previous, THRESHOLD)
    assert out.skill == "cicd.failure" and out.slots["run_id"] == "9000000003"


# - the idioms of doing it once more ("fire it back up", "give it another shot", "one more time")
#   after a CI answer re-run its run, as "kick it again" does, however sure the router was of a
#   machine's start;
# - a yes/no question of whether something happened ("did they ship it?", "has anyone re-run
#   that?"), which the router leaned (not firmly) towards a change of the thread's domain, is
#   that domain's status question; a change asked for in the same words stays a change.

FAILED_RUN = TurnContext("cicd.failure", {"repo": "acme/ledger", "run_id": "9000000003"}, ["9000000003"])


def machine_start(text: str) -> Route:
    return Route(text=text, agent="infrastructure", skill="infra.action", confidence=0.97,
                 slots={"action": "start"}, alternatives=[])


@pytest.mark.parametrize("text", ["flaky again probably. fire it back up", "give that another shot would you",
                                  "spin that one up please", "meh just run through it one more time"])
def test_doing_it_once_more_after_a_ci_turn_is_the_rerun(text: str) -> None:
    out = apply_context(machine_start(text), FAILED_RUN, THRESHOLD)
    assert (out.skill, out.agent) == ("cicd.rerun", "cicd")


def test_spinning_up_a_machine_after_a_machine_turn_stays_the_machines() -> None:
    described = TurnContext("infra.describe", {"resource_name": "ledger-worker-2"}, ["i-0abc12345"])
    out = apply_context(machine_start("fire it back up"), described, THRESHOLD)
    assert out.skill == "infra.action"


MERGED = TurnContext("cicd.changes", {"repo": "acme/infra", "turn_text": "what landed in acme/infra"}, [])


def leaning_rerun(text: str, confidence: float = 0.55) -> Route:
    return Route(text=text, agent="cicd", skill="cicd.rerun", confidence=confidence, slots={},
                 alternatives=[("cicd.status", 0.2), ("cicd.failure", 0.05)])


@pytest.mark.parametrize("text", ["so did that get applied?", "k has anyone re-run it since",
                                  "was it deployed in the end", "hm were those rolled out to prod"])
def test_asking_whether_it_happened_is_the_status_not_the_change(text: str) -> None:
    out = apply_context(leaning_rerun(text), MERGED, THRESHOLD)
    assert out.skill == "cicd.status" and out.confidence >= THRESHOLD


@pytest.mark.parametrize("text", ["did it die again? rerun it then", "was wondering if you could kick it again"])
def test_a_change_asked_for_after_a_past_remark_stays_the_change(text: str) -> None:
    assert apply_context(leaning_rerun(text), MERGED, THRESHOLD).skill == "cicd.rerun"


def test_a_firm_reading_of_the_change_is_kept() -> None:
    assert apply_context(leaning_rerun("did that go through? re-run it", 0.95), MERGED, THRESHOLD).skill \
        == "cicd.rerun"
