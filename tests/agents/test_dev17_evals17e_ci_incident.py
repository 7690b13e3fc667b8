"""dev17 (evals17e): CI and incident turns in mixed-domain threads.

- a conjunction or a grouping word beside "repo" names no repository;
- a word no repository is called but one repository's description or language names (the
  Terraform repository) picks that repository;
- incidents someone closed out, and the closed ones "included" or "even if closed", are states;
- a list of incidents that holds resolved ones is not called open;
- a short fragment the router reads surely as another agent's question, naming that agent's
  own noun, is that question, not the previous one again; so is the rest of a message opening
  on one item of the previous list;
- the runs of a status list are items a later turn picks ("the red PR one");
- chat abbreviations ("atm", "rn") and hedged words ("unrelated-ish") name nobody and nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from agents.clarified import ITEMS, items_of
from agents.conversations import TurnContext
from agents.focus import focus
from agents.followup import apply_context
from agents.route import Route
from agents.slots import extract_slots
from agents.slots.entities import find_incident_status, find_repo
from tools.base import ToolResult
from tools.github.client import described_by, describes

NOW = datetime(2026, 4, 2, 9, 30, tzinfo=UTC)
THRESHOLD = 0.45


def route(text: str, skill: str, agent: str, confidence: float = 0.9, slots: dict | None = None) -> Route:
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {}, alternatives=[])


# --------------------------------------------------------------------------- repository words


@pytest.mark.parametrize("text", ["list the merges, split by repo when you can",
                                  "changes over the fortnight, per repo if possible",
                                  "one line per repo pls", "sorted by repo so i can skim"])
def test_a_grouping_beside_repo_names_no_repository(text: str) -> None:
    assert find_repo(text) is None


@pytest.mark.parametrize(("text", "name"), [("what landed in the ledger-svc repo", "ledger-svc"),
                                            ("repo orders-web, last 3 days", "orders-web")])
def test_a_name_beside_repo_is_still_the_repository(text: str, name: str) -> None:
    assert find_repo(text) == name


def test_a_word_of_a_repository_description_or_its_language_names_it() -> None:
    assert describes("Helm charts and Terraform for the EU accounts", "HCL", "terraform")
    assert describes("Mobile app", "Kotlin", "kotlin")
    assert not describes("Terraform-managed DNS", None, "terraform")  # part of a longer word
    assert not describes("Orders service", "Go", "go")  # too short to mean anything


def test_only_the_repositories_whose_metadata_names_the_word_are_picked() -> None:
    meta = {"acme/orders": ("Orders and refunds", "Python"), "acme/platform": ("Terraform for AWS", "HCL"),
            "acme/site": ("Marketing site", "TypeScript")}
    gh = SimpleNamespace(get_repo=lambda name: SimpleNamespace(description=meta[name][0], language=meta[name][1]))
    assert described_by(gh, list(meta), "terraform") == ["acme/platform"]  # type: ignore[arg-type]
    assert described_by(gh, list(meta), "kubernetes") == []  # type: ignore[arg-type]


# --------------------------------------------------------------------------- incident states


@pytest.mark.parametrize("text", ["which incidents did yusuf close out this week",
                                  "what pages has the ledger team resolved since monday"])
def test_incidents_someone_closed_are_the_resolved_ones(text: str) -> None:
    assert find_incident_status(text) == "resolved"


@pytest.mark.parametrize("text", ["urgent pages for ledger, closed ones included",
                                  "anything for the auth service lately, even if it's resolved",
                                  "any incident on search this week even if they were closed"])
def test_closed_ones_said_to_be_included_widen_to_every_state(text: str) -> None:
    assert find_incident_status(text) == "all"


def test_a_question_about_one_incident_sets_no_state() -> None:
    assert find_incident_status("did yusuf resolve 2201?") is None


INCIDENTS = ToolResult(
    status="ok", summary="2 incidents", columns=["id", "status", "urgency", "title"],
    rows=[{"id": "PQ1AAAA", "status": "resolved", "urgency": "high", "title": "Ledger sync stalled"},
          {"id": "PQ2BBBB", "status": "acknowledged", "urgency": "low", "title": "Slow search"}],
    resources=["PQ1AAAA", "PQ2BBBB"])


def test_a_list_holding_resolved_incidents_is_not_called_open() -> None:
    focused = focus("pagerduty_open_incidents", INCIDENTS, "only the high urgency ones")
    assert focused is not None
    assert "open incidents" not in focused.lead
    assert "1 of 2 incidents" in focused.lead


def test_a_list_of_open_incidents_is_still_called_open() -> None:
    rows = [dict(row, status="triggered") for row in INCIDENTS.rows]
    focused = focus("pagerduty_open_incidents", INCIDENTS.model_copy(update={"rows": rows}), "just the high ones")
    assert focused is not None
    assert "1 of 2 open incidents" in focused.lead


# --------------------------------------------------------------------------- another domain's question


def test_a_fragment_naming_another_agents_noun_is_its_own_question() -> None:
    before = TurnContext("cost.summary", {"aws_service": "ec2", "time_range": {"label": "this month"}}, [])
    asked = apply_context(route("okay - pagerduty incidents then", "incident.list", "incident", 1.0), before,
                          THRESHOLD)
    assert asked.skill == "incident.list"
    assert "aws_service" not in asked.slots


def test_a_fragment_naming_ci_after_incidents_asks_ci() -> None:
    before = TurnContext("incident.list", {"service": "ledger", "status": "acknowledged"}, ["PQ2BBBB"])
    asked = apply_context(route("and ledger-web builds, all green?", "cicd.status", "cicd", 0.8,
                                {"service": "ledger-web"}), before, THRESHOLD)
    assert asked.skill == "cicd.status"
    assert "status" not in asked.slots


def test_a_fragment_without_another_domains_noun_still_carries_the_question() -> None:
    before = TurnContext("incident.list", {"service": "ledger"}, ["PQ2BBBB"])
    asked = apply_context(route("and for search?", "infra.inventory", "infrastructure", 0.6,
                                {"service": "search"}), before, THRESHOLD)
    assert asked.skill == "incident.list"


def test_an_item_of_a_list_then_a_question_of_another_domain_asks_that_domain() -> None:
    items = [{"id": "PQ1AAAA", "name": "", "region": "", "env": "", "kind": "", "cloud": "pagerduty",
              "state": "triggered", "service": "ledger", "detail": "Ledger sync stalled"},
             {"id": "PQ2BBBB", "name": "", "region": "", "env": "", "kind": "", "cloud": "pagerduty",
              "state": "acknowledged", "service": "search", "detail": "Slow search"}]
    before = TurnContext("incident.list", {ITEMS: items}, ["PQ1AAAA", "PQ2BBBB"])
    asked = apply_context(route("the ledger one - did the build that went red cause it? what broke",
                                "cicd.failure", "cicd", 1.0), before, THRESHOLD)
    assert asked.skill == "cicd.failure"


# --------------------------------------------------------------------------- runs as listed items


RUN_ROWS = [
    {"repo": "acme/orders-web", "workflow": "Deploy", "run_id": 5550000003, "conclusion": "success",
     "status": "completed", "event": "push", "branch": "main", "actor": "yusuf"},
    {"repo": "acme/orders-web", "workflow": "CI", "run_id": 5550000002, "conclusion": "failure",
     "status": "completed", "event": "pull_request", "branch": "feat/vat", "actor": "mei"},
    {"repo": "acme/orders-web", "workflow": "CI", "run_id": 5550000001, "conclusion": "failure",
     "status": "completed", "event": "schedule", "branch": "main", "actor": "ola"},
]


def _run_items() -> list[dict[str, str]]:
    return items_of([{"tool": "github_workflow_runs", "result": {"rows": RUN_ROWS}}], {})


def test_the_runs_of_a_status_list_are_kept_as_items() -> None:
    assert [item["id"] for item in _run_items()] == ["5550000003", "5550000002", "5550000001"]


@pytest.mark.parametrize(("text", "run"), [("retry the failing PR one", "5550000002"),
                                           ("kick the red nightly one again", "5550000001")])
def test_a_rerun_of_the_run_the_words_describe(text: str, run: str) -> None:
    before = TurnContext("cicd.status", {"service": "orders-web", ITEMS: _run_items()},
                         [row["run_id"].__str__() for row in RUN_ROWS])
    asked = apply_context(route(text, "cicd.rerun", "cicd", 1.0), before, THRESHOLD)
    assert asked.slots.get("run_id") == run


# --------------------------------------------------------------------------- chat words


@pytest.mark.parametrize("text", ["anyone holding an unacked page atm", "who's got a page open rn"])
def test_a_chat_abbreviation_after_page_is_nobody(text: str) -> None:
    assert extract_slots(text, NOW).get("person") is None


def test_a_hedged_word_is_no_resource_or_service() -> None:
    found = extract_slots("off-topic-ish, is the nightly on orders-web green", NOW)
    assert "off-topic-ish" not in found.values()
    assert extract_slots("restart ledger-worker-2", NOW).get("resource_name") == "ledger-worker-2"
