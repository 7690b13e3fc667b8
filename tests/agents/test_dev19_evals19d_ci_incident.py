"""dev19 (evals19d): CI and incident turns as they arrive in channels.

- an auxiliary opening a question ("did ci pass", "has CI finished") is never read as a repository
  named before the CI noun;
- "page ... to X" names whom to page only inside the verb's own clause: "before I escalate: what
  shipped to ledger-api?" names where a change went, and a repository's first part is no person;
- an incident list's rows keep their state, so "the acked one" / "the firing one" picks
  the row in that state;
- a bare "why?" / "how come" right after a CI answer that showed exactly one red run asks why
  that run failed;
- an incident brief cites the runbook of what broke (searched by the incident's title once the
  brief has read it) when that runbook is about it, else the incident-response process.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from agents.clarified import ITEMS, RUN_KIND, items_of, pick
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.planner import Plan
from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import find_people
from agents.specialists import specialist_for

THRESHOLD = 0.45
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def route(text: str, skill: str, agent: str, confidence: float = 0.9, slots: dict | None = None) -> Route:
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


@pytest.mark.parametrize("text", ["did ci pass on the jpy rounding fix", "has CI completed on my branch yet?",
                                  "will ci run again on that PR", "was ci ok for the cart change"])
def test_an_auxiliary_before_ci_names_no_repository(text: str) -> None:
    slots = extract_slots(text, NOW)
    assert "service" not in slots and "repo" not in slots


@pytest.mark.parametrize(("text", "name"), [("has infra ci finished", "infra"), ("did the search ci pass", "search")])
def test_a_name_before_ci_still_names_its_repository(text: str, name: str) -> None:
    assert extract_slots(text, NOW).get("service") == name


@pytest.mark.parametrize("text", ["quick check before I escalate: anything deployed to ledger-api today?",
                                  "gonna page someone soon. what was pushed to ledger-api lately?"])
def test_page_to_across_a_clause_or_into_a_repository_names_nobody(text: str) -> None:
    assert find_people(text.lower(), text)[0] is None


@pytest.mark.parametrize(("text", "person"), [("escalate 1042 to frank", "frank"),
                                              ("please hand it over to erin now", "erin")])
def test_page_to_within_its_clause_still_names_the_person(text: str, person: str) -> None:
    assert find_people(text, text)[0] == person


INCIDENT_ROWS = [{"id": "PAAA111", "number": 7, "status": "triggered", "service": "ledger", "title": "Ledger down"},
                 {"id": "PBBB222", "number": 6, "status": "acknowledged", "service": "ledger",
                  "title": "Ledger slow"}]


def listed_incidents() -> list[dict[str, str]]:
    calls = [{"tool": "pagerduty_open_incidents", "result": {"status": "ok", "rows": INCIDENT_ROWS}}]
    return items_of(calls, {"pagerduty_open_incidents": "pagerduty"})


@pytest.mark.parametrize(("said", "expected"), [("the acked one", "PBBB222"), ("the ackd one pls", "PBBB222"),
                                                ("the firing one?", "PAAA111"),
                                                ("the unacked one", "PAAA111")])
def test_an_incident_row_is_picked_by_its_state(said: str, expected: str) -> None:
    chosen = pick(listed_incidents(), said)
    assert chosen is not None and chosen["id"] == expected


def test_a_state_no_row_is_in_picks_none() -> None:
    assert pick(listed_incidents(), "the fixed one") is None


def run_item(run_id: str, state: str) -> dict[str, str]:
    return {"id": run_id, "name": "", "region": "", "env": "", "kind": RUN_KIND, "cloud": "github", "state": state,
            "service": "ledger-ui", "event": "pull_request", "detail": "CI feat/x dave"}


def status_turn(items: list[dict[str, str]], resources: list[str]) -> TurnContext:
    return TurnContext("cicd.status", {"service": "ledger-ui", ITEMS: items}, resources)


@pytest.mark.parametrize("text", ["how come?", "hm why", "ok but why not", "what happened"])
def test_a_bare_why_after_one_red_run_is_that_runs_failure(text: str) -> None:
    before = status_turn([run_item("7310000901", "failure"), run_item("7310000902", "success")],
                         ["7310000901", "7310000902"])
    asked = apply_context(route(text, "help", "knowledge", 0.2), before, THRESHOLD)
    assert asked.skill == "cicd.failure" and asked.slots["run_id"] == "7310000901"


def test_a_bare_why_after_two_red_runs_picks_neither() -> None:
    before = status_turn([run_item("7310000901", "failure"), run_item("7310000903", "failure")],
                         ["7310000901", "7310000903"])
    asked = apply_context(route("why?", "help", "knowledge", 0.2), before, THRESHOLD)
    assert "run_id" not in asked.slots


def test_a_bare_why_after_green_runs_only_is_left_alone() -> None:
    before = status_turn([run_item("7310000902", "success")], ["7310000902"])
    assert apply_context(route("how come", "help", "knowledge", 0.2), before, THRESHOLD).skill == "help"


def test_a_why_with_a_question_of_its_own_is_not_bare() -> None:
    before = status_turn([run_item("7310000901", "failure")], ["7310000901"])
    asked = apply_context(route("why is the bill so high", "cost.anomalies", "cost", 0.95), before, THRESHOLD)
    assert asked.skill == "cost.anomalies"


def brief_calls(title: str, service: str) -> list[dict[str, Any]]:
    return [{"tool": "pagerduty_incident_brief",
             "result": {"status": "ok", "facts": {"title": title, "service": service}}}]


def searches(title: str, service: str) -> list[Any]:
    agent = specialist_for("incident.brief")
    brief = route("give me the short version for leadership", "incident.brief", "incident")
    return agent.runbook_searches(brief, Plan(runbook_query="incident response process"), brief_calls(title, service))


def test_a_brief_searches_the_runbook_by_the_incidents_title_first() -> None:
    first, fallback = searches("Ledger API 5xx error rate above 3%", "ledger")
    assert "Ledger API 5xx error rate" in first.query and fallback.query.startswith("incident response process")
    assert first.fits is not None and first.fits({"title": "API 5xx error rate spike"})


def test_a_runbook_sharing_one_word_with_the_incident_does_not_fit() -> None:
    first, _ = searches("Billing export lag above 30 minutes", "billing")
    assert first.fits is not None and not first.fits({"title": "RDS replica lag or storage full"})


def test_a_brief_that_read_no_incident_searches_the_process_only() -> None:
    agent = specialist_for("incident.brief")
    brief = route("brief me", "incident.brief", "incident")
    only = agent.runbook_searches(brief, Plan(runbook_query="incident response process"), [])
    assert [s.query for s in only] == ["incident response process. brief me"] and only[0].fits is None


def test_other_skills_search_their_topic_and_the_words() -> None:
    agent = specialist_for("cicd.status")
    status = route("is ledger-ui green", "cicd.status", "cicd")
    only = agent.runbook_searches(status, Plan(runbook_query="failed deploy CI pipeline"), brief_calls("x y", "z"))
    assert [s.query for s in only] == ["failed deploy CI pipeline. is ledger-ui green"]
