"""Follow-ups that name a subject of their own or only a period: a team named in the turn
replaces the service the previous turn was about, a period's determiner ("this month") is no
pointer to the previous answer, a name the user rules out is never the target, and a failure
question after a list of recent changes is about the same repository."""

from __future__ import annotations

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

THRESHOLD = 0.45


def route(text: str, skill: str, slots: dict | None = None, confidence: float = 0.95) -> Route:
    return Route(text=text, agent=skill.split(".")[0], skill=skill, confidence=confidence, slots=slots or {})


def test_a_team_named_in_the_turn_is_not_joined_by_the_previous_service() -> None:
    before = TurnContext("incident.oncall", {"service": "search"}, ["Carol Diaz"])
    asked = route("what about the analytics team, who carries it?", "incident.oncall", {"team": "analytics"})
    followed = apply_context(asked, before, THRESHOLD)
    assert followed.slots.get("team") == "analytics"
    assert "service" not in followed.slots


def test_a_period_determiner_is_no_pointer_to_the_previous_answer() -> None:
    before = TurnContext("incident.list", {"service": "auth"}, ["PXXXXX1"])
    period = {"start": "2026-11-01", "end": "2026-12-01", "label": "this month"}
    asked = route("how many pages did the storefront team get this month", "incident.list",
                  {"team": "storefront", "time_range": period})
    followed = apply_context(asked, before, THRESHOLD)
    assert "incident_id" not in followed.slots and "service" not in followed.slots


def test_an_incident_pointed_at_with_it_is_still_lent() -> None:
    before = TurnContext("incident.brief", {"incident_id": "PABC123"}, ["PABC123"])
    followed = apply_context(route("escalate it to the web team", "incident.page", {"team": "web"}), before,
                             THRESHOLD)
    assert followed.slots.get("incident_id") == "PABC123"


def test_a_failure_question_after_recent_changes_keeps_the_repository() -> None:
    before = TurnContext("cicd.changes", {"service": "billing-web"}, ["deployment 1"])
    followed = apply_context(route("so what broke in the failed one", "cicd.failure"), before, THRESHOLD)
    assert followed.skill == "cicd.failure"
    assert followed.slots.get("service") == "billing-web"


def test_the_item_named_after_a_ruled_out_one_is_the_one_picked() -> None:
    items = [{"id": "i-0aaa1111", "name": "ledger-worker", "region": "", "env": "", "kind": "", "cloud": "aws",
              "state": "stopped", "service": "", "detail": ""},
             {"id": "i-0bbb2222", "name": "mailer-worker", "region": "", "env": "", "kind": "", "cloud": "aws",
              "state": "stopped", "service": "", "detail": ""}]
    before = TurnContext("infra.inventory", {"listed_items": items}, ["i-0aaa1111", "i-0bbb2222"])
    asked = route("not the ledger one, the mailer one. start it", "infra.action", {"action": "start"})
    followed = apply_context(asked, before, THRESHOLD)
    assert followed.slots.get("instance_id") == "i-0bbb2222"


def test_a_runbook_question_about_that_looks_up_what_the_previous_answer_led_with() -> None:
    before = TurnContext("incident.brief", {"incident_id": "PQ1W2E3", "turn_text": "summary of #88 pls",
                                            "answer_lead": "PQ1W2E3 (#88) Disk usage above 95% on db-7: triggered"},
                         ["PQ1W2E3"])
    followed = apply_context(route("any playbook for that sort of problem", "knowledge.runbook"), before, THRESHOLD)
    about = followed.slots.get("about", "")
    assert "summary of #88" in about and "Disk usage above 95%" in about
    assert "answer_lead" not in followed.slots


def test_a_runbook_question_about_what_an_action_on_it_does_looks_up_its_own_words() -> None:
    before = TurnContext("incident.brief", {"incident_id": "PQ1W2E3", "turn_text": "summary of #88 pls",
                                            "answer_lead": "PQ1W2E3 (#88) Disk usage above 95% on db-7: triggered"},
                         ["PQ1W2E3"])
    asked = route("if I resolve it do the pages stop?", "knowledge.runbook").model_copy(
        update={"requested_skill": "incident.resolve", "mood": "hypothetical"})
    assert "about" not in apply_context(asked, before, THRESHOLD).slots  # "it" is the incident, not the topic


def test_the_one_before_a_briefed_incident_is_asked_by_its_number() -> None:
    before = TurnContext("incident.brief", {"incident_id": "PZZ9Y8X", "answer_lead": "PZZ9Y8X (#310) Queue lag: ack"},
                         ["PZZ9Y8X"])
    followed = apply_context(route("and the previous one?", "incident.brief", confidence=0.3), before, THRESHOLD)
    assert followed.skill == "incident.brief"
    assert followed.slots["incident_id"] == "before #310"


def test_the_next_incident_after_one_named_by_number() -> None:
    before = TurnContext("incident.brief", {"incident_id": "77"}, [])
    followed = apply_context(route("and the one after?", "incident.brief", confidence=0.3), before, THRESHOLD)
    assert followed.slots["incident_id"] == "after #77"


def test_the_week_before_after_an_incident_list_is_still_a_period() -> None:
    period = {"start": "2026-11-23", "end": "2026-11-30", "label": "last week"}
    before = TurnContext("incident.list", {"time_range": period}, ["PAAAAA1"])
    followed = apply_context(route("and the week before?", "incident.list", confidence=0.3), before, THRESHOLD)
    assert followed.slots["time_range"]["start"] == "2026-11-16"
    assert "incident_id" not in followed.slots


def test_a_name_said_in_separate_words_replaces_the_previous_service() -> None:
    """"how about the invoice export worker" after one service's error lines: the same question
    of the service those words name (kebab-case, as resources are named), not the old one."""
    before = TurnContext("infra.logs", {"service": "billing"}, ["/app/billing"])
    followed = apply_context(route("how about the invoice export worker one", "cost.savings", confidence=0.2),
                             before, THRESHOLD)
    assert followed.skill == "infra.logs"
    assert followed.slots.get("service") == "invoice-export-worker"
    # a kind word said with the name is no part of it
    followed = apply_context(route("and the ledger sync lambda?", "infra.logs", confidence=0.3), before, THRESHOLD)
    assert followed.slots.get("service") == "ledger-sync"


def test_one_item_of_a_list_is_still_described_when_no_service_was_named() -> None:
    items = [{"id": "mail-db", "name": "mail-db", "region": "eu-west-1", "env": "prod", "kind": "rds",
              "cloud": "aws", "state": "available", "service": "mail", "detail": "mysql db.t3.small"}]
    before = TurnContext("infra.inventory", {"listed_items": items, "region": "eu-west-1"}, ["mail-db"])
    followed = apply_context(route("what about the mail one", "cost.savings", confidence=0.2), before, THRESHOLD)
    assert followed.skill == "infra.describe"


def test_words_after_incidents_are_a_service_and_a_symptom_not_a_joined_name() -> None:
    before = TurnContext("incident.list", {"service": "billing"}, ["PQRS123"])
    followed = apply_context(route("and the mailer latency one?", "incident.list", confidence=0.3), before,
                             THRESHOLD)
    assert followed.slots.get("service") != "mailer-latency"


def test_a_subset_described_by_state_is_no_name() -> None:
    before = TurnContext("infra.inventory", {"resource_type": "ec2"}, ["i-0aaa1111"])
    for said in ("only the idle ones", "and the unattached ones?", "just the running big ones"):
        followed = apply_context(route(said, "infra.inventory", confidence=0.3), before, THRESHOLD)
        assert "service" not in followed.slots, said
