"""dev21 (evals21d): CI turns.

- a write verb standing before a CI noun ("retry nightly", "rerun checkout builds") is the
  imperative, never the name of whose the noun is (the slot finder took "rerun" as a service),
  and an auxiliary opening a question ("why did deploy 118 fail") is no name either;
- a short message that first says what was done, then asks a change in a clause of its own
  ("patched the schema. run it again"), is no ellipsis of the previous question;
- asking for the log lines with no source named, right after a CI answer that showed one red
  run, read unsure as a machine's logs, asks for that run's failure.
"""

from __future__ import annotations

import pytest

from agents.clarified import ITEMS, ROWS
from agents.conversations import TurnContext
from agents.followup import apply_context, is_elliptical
from agents.route import Route
from agents.slots.entities import find_service

THRESHOLD = 0.45


@pytest.mark.parametrize("text", ["retry nightly", "re-run nightly pls", "retrigger nightly", "redeploy nightly"])
def test_a_write_verb_before_a_ci_noun_names_no_service(text: str) -> None:
    assert find_service(text) is None


@pytest.mark.parametrize("text", ["why did release 7 fail", "has deploy 40 finished", "was build 12 green"])
def test_an_auxiliary_before_a_ci_noun_names_no_service(text: str) -> None:
    assert find_service(text) is None


def test_a_name_between_the_verb_and_the_noun_is_still_the_service() -> None:
    assert find_service("retry ledger nightly") == "ledger"


@pytest.mark.parametrize("text", ["patched the schema. run it again", "ok raised the limit - retry it",
                                  "so I fixed the env var; rerun please"])
def test_a_change_asked_after_a_statement_is_no_ellipsis(text: str) -> None:
    assert not is_elliptical(text)


def test_a_bare_qualifier_is_still_an_ellipsis() -> None:
    assert is_elliptical("and on main?")


DIED = TurnContext("cicd.failure", {"repo": "acme/portal", "event": "schedule"}, ["9100000004"])


def test_a_machine_restart_after_a_statement_re_runs_the_threads_run() -> None:
    routed = Route(text="alright, gave the runner more memory. start it again", agent="infrastructure",
                   skill="infra.action", confidence=0.96, slots={"action": "start"},
                   alternatives=[("cicd.rerun", 0.03)])
    assert apply_context(routed, DIED, THRESHOLD).skill == "cicd.rerun"


def _runs(*states: tuple[str, str]) -> list[dict[str, str]]:
    return [{"id": run, "kind": "run", "state": state, "cloud": "github"} for run, state in states]


def _logs(text: str, confidence: float = 0.5, slots: dict[str, str] | None = None) -> Route:
    return Route(text=text, agent="infrastructure", skill="infra.logs", confidence=confidence, slots=slots or {},
                 alternatives=[("cicd.failure", 0.07)])


ONE_RED = TurnContext("cicd.status", {ITEMS: _runs(("9100000007", "failure"), ("9100000006", "success")),
                                      ROWS: ["9100000007"]}, ["9100000007"])


def test_the_log_lines_asked_after_one_red_run_are_its_failure() -> None:
    out = apply_context(_logs("hm, show me what it printed when it errored"), ONE_RED, THRESHOLD)
    assert out.skill == "cicd.failure" and out.slots["run_id"] == "9100000007"


def test_log_lines_of_a_named_source_stay_a_logs_question() -> None:
    asked = _logs("can you pull the ledger-api error logs from this morning", slots={"service": "ledger-api"})
    out = apply_context(asked, ONE_RED, THRESHOLD)
    assert out.skill == "infra.logs"


def test_log_lines_the_router_is_sure_of_stay_a_logs_question() -> None:
    assert apply_context(_logs("cloudwatch errors from the api boxes", 0.97), ONE_RED, THRESHOLD).skill == "infra.logs"


def test_with_two_red_runs_shown_no_run_is_guessed() -> None:
    two = TurnContext("cicd.status", {ITEMS: _runs(("9100000007", "failure"), ("9100000005", "failure"))},
                      ["9100000007", "9100000005"])
    assert apply_context(_logs("show me what it printed when it errored"), two, THRESHOLD).skill != "cicd.failure"
