"""dev16 (evals16e): CI and incident turns.

- a quantifier before a CI noun ("the entire pipeline") names no repository;
- a repository's own name before "pipeline" is the repository, not a workflow of that name;
- whoever holds the listed items ("which of them does dana have") is a person filter;
- both sides of an incident's state ("active or closed") ask every state;
- a dashed word beside "it" in a CI thread is context, not a cloud target;
- the reason or cause of one run of a status list is why that run failed;
- a marked change of subject ("unrelated, ...") borrows nothing from the previous turn;
- a failure's signature (an exit code, OOM) asked unsure after a CI answer is that run's failure;
- a re-run of the whole run re-runs every job.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route
from agents.slots import extract_slots
from agents.specialists import SPECIALIST_BY_NAME

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
THRESHOLD = 0.45


def slots(text: str) -> dict:
    return extract_slots(text, NOW)


def route(text: str, skill: str, *, agent: str, confidence: float = 0.8, slots: dict | None = None,
          alternatives: list[tuple[str, float]] | None = None) -> Route:
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {},
                 alternatives=alternatives or [])


# --------------------------------------------------------------------------- slots


@pytest.mark.parametrize("text", ["retry the entire pipeline please", "kick off the complete workflow again",
                                  "redo the full build"])
def test_a_quantifier_before_a_ci_noun_names_no_repository(text: str) -> None:
    found = slots(text)
    assert found.get("service") not in ("entire", "complete", "full")
    assert found.get("repo") not in ("entire", "complete", "full")


def test_a_quantifier_does_not_hide_a_real_repository_name() -> None:
    assert slots("rerun the ledger-svc pipeline")["service"] == "ledger-svc"


@pytest.mark.parametrize("text", ["is the ledger-svc pipeline passing right now", "hows the orders-web workflow"])
def test_a_repository_name_before_pipeline_is_no_workflow(text: str) -> None:
    found = slots(text)
    assert "workflow" not in found
    assert found["service"] in ("ledger-svc", "orders-web")


def test_a_workflow_name_before_pipeline_is_still_one() -> None:
    assert slots("is the release pipeline stuck")["workflow"] == "release"


@pytest.mark.parametrize(("text", "who"), [("which of them does dana have", "dana"),
                                          ("what's omar got right now", "omar"),
                                          ("which ones has priya got", "priya")])
def test_whoever_holds_the_listed_items_is_the_person(text: str, who: str) -> None:
    assert slots(text)["person"] == who


@pytest.mark.parametrize("text", ["pages from this week, active or closed", "incidents resolved or not",
                                  "every page regardless of status", "show open + resolved ones"])
def test_both_sides_of_the_state_ask_every_state(text: str) -> None:
    assert slots(text)["status"] == "all"


def test_one_state_alone_is_not_every_state() -> None:
    assert slots("only the resolved ones").get("status") == "resolved"
    assert slots("anything open right now").get("status") != "all"


# --------------------------------------------------------------------------- follow-ups

RED_RUN = TurnContext("cicd.failure", {"event": "schedule"}, ["8810000042", "abc1234"])
CI_LIST = TurnContext("cicd.status", {"person": "omar"}, ["8810000042", "8810000043"])


def test_a_dashed_setting_beside_it_in_a_ci_thread_is_not_the_target() -> None:
    asked = route("raised pool-max-size, retry it please", "cicd.rerun", agent="cicd", confidence=0.95,
                  slots={"action": "rerun", "resource_name": "pool-max-size"})
    followed = apply_context(asked, RED_RUN, THRESHOLD)
    assert followed.slots.get("run_id") == "8810000042"
    assert "resource_name" not in followed.slots


def test_a_ci_service_named_beside_it_stays_the_target() -> None:
    asked = route("rerun it on ledger-svc", "cicd.rerun", agent="cicd", confidence=0.95,
                  slots={"action": "rerun", "service": "ledger-svc"})
    followed = apply_context(asked, RED_RUN, THRESHOLD)
    assert followed.slots["service"] == "ledger-svc"


def test_outside_a_ci_thread_a_dashed_name_beside_it_stays() -> None:
    before = TurnContext("infra.describe", {"resource_name": "old-box"}, ["i-0abc12345678"])
    asked = route("web-node-7 is hung, reboot it", "infra.action", agent="infrastructure", confidence=0.95,
                  slots={"resource_name": "web-node-7"})
    assert apply_context(asked, before, THRESHOLD).slots["resource_name"] == "web-node-7"


@pytest.mark.parametrize("text", ["what's the cause on the ledger one", "root cause for the orders one?",
                                  "any idea what the issue is with the nightly one"])
def test_the_reason_of_one_listed_run_is_its_failure(text: str) -> None:
    asked = route(text, "cicd.status", agent="cicd", confidence=0.3)
    assert apply_context(asked, CI_LIST, THRESHOLD).skill == "cicd.failure"


@pytest.mark.parametrize("text", ["ok unrelated: anything paging in pagerduty",
                                  "ok different question - any open pages?", "and btw anything on fire?"])
def test_a_marked_change_of_subject_borrows_nothing(text: str) -> None:
    before = TurnContext("cost.summary", {"cloud": "aws", "time_range": {"label": "this month"}}, [])
    asked = route(text, "incident.list", agent="incident", confidence=1.0)
    followed = apply_context(asked, before, THRESHOLD)
    assert followed.skill == "incident.list"
    assert "time_range" not in followed.slots and "cloud" not in followed.slots


def test_a_marked_aside_that_points_back_still_borrows() -> None:
    before = TurnContext("security.public_storage", {"cloud": "aws"}, ["logs-bucket"])
    asked = route("btw is it encrypted too?", "security.posture", agent="security", confidence=0.3)
    assert apply_context(asked, before, THRESHOLD).slots.get("resource_name") == "logs-bucket"


def test_without_the_marker_the_fragment_is_still_an_ellipsis() -> None:
    before = TurnContext("cost.summary", {"cloud": "aws"}, [])
    asked = route("and for gcp?", "cost.summary", agent="cost", confidence=0.4, slots={"cloud": "gcp"})
    assert apply_context(asked, before, THRESHOLD).skill == "cost.summary"


@pytest.mark.parametrize("text", ["exit 137 - out of memory or not?", "was it an oom", "segfault or something?"])
def test_a_failure_signature_after_a_ci_answer_is_that_runs_failure(text: str) -> None:
    asked = route(text, "knowledge.runbook", agent="knowledge", confidence=0.3,
                  alternatives=[("cicd.failure", 0.2), ("infra.action", 0.05)])
    followed = apply_context(asked, CI_LIST, THRESHOLD)
    assert followed.skill == "cicd.failure"
    assert followed.slots["run_id"] == "8810000042"
    assert followed.slots["person"] == "omar"


def test_a_signature_already_read_as_a_failure_is_the_listed_runs_failure() -> None:
    # read as the failure (unsure, naming no run): the run the CI answer was about, not the
    # latest failure anywhere; a run named in the words stays the one named
    asked = route("sigkill 137, is that the oom killer?", "cicd.failure", agent="cicd", confidence=0.25)
    followed = apply_context(asked, CI_LIST, THRESHOLD)
    assert followed.slots["run_id"] == "8810000042" and followed.confidence == THRESHOLD
    named = route("exit 137 on run 8810000099 - oom?", "cicd.failure", agent="cicd", confidence=0.9,
                  slots={"run_id": "8810000099"})
    assert apply_context(named, CI_LIST, THRESHOLD).slots["run_id"] == "8810000099"


def test_a_sure_runbook_reading_of_a_signature_is_kept() -> None:
    asked = route("how do we usually deal with an oom on the api boxes", "knowledge.runbook", agent="knowledge",
                  confidence=0.9, alternatives=[("cicd.failure", 0.05)])
    assert apply_context(asked, CI_LIST, THRESHOLD).skill == "knowledge.runbook"


def test_a_signature_after_another_domain_is_not_a_run() -> None:
    before = TurnContext("infra.describe", {}, ["i-0abc12345678"])
    asked = route("exit 137 - oom?", "knowledge.runbook", agent="knowledge", confidence=0.3,
                  alternatives=[("cicd.failure", 0.2)])
    assert apply_context(asked, before, THRESHOLD).skill == "knowledge.runbook"


# --------------------------------------------------------------------------- the re-run's scope


@pytest.mark.parametrize(("text", "failed_only"), [("rerun the whole workflow", False),
                                                   ("retry all the jobs of it", False),
                                                   ("rerun it from scratch", False),
                                                   ("rerun it, not just the failed job", False),
                                                   ("rerun only the failed job", None),
                                                   ("rerun it", None)])
def test_a_rerun_of_the_whole_run_reruns_every_job(text: str, failed_only: bool | None) -> None:
    asked = route(text, "cicd.rerun", agent="cicd", confidence=0.95, slots={"run_id": "8810000042"})
    values = SPECIALIST_BY_NAME["cicd"].argument_values(asked)
    assert values.get("failed_only") is failed_only


# --------------------------------------------------------------------------- what a changes answer lends

SHIPPED = TurnContext("cicd.changes", {}, ["deployment 8120", "acme/ledger-svc#57", "9f8e7d6"])


@pytest.mark.parametrize(("text", "skill", "agent"), [("why did it blow up?", "cicd.failure", "cicd"),
                                                      ("is it paging anybody", "incident.list", "incident")])
def test_a_change_ref_is_never_lent_as_a_resource_name(text: str, skill: str, agent: str) -> None:
    followed = apply_context(route(text, skill, agent=agent, confidence=0.9), SHIPPED, THRESHOLD)
    assert "resource_name" not in followed.slots
    assert followed.skill == skill


def test_a_run_listed_by_a_ci_answer_is_still_lent() -> None:
    listed = TurnContext("cicd.status", {}, ["8810000042"])
    followed = apply_context(route("retry it", "cicd.rerun", agent="cicd", confidence=0.95), listed, THRESHOLD)
    assert followed.slots["run_id"] == "8810000042"
