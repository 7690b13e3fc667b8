"""dev16 (evals16b): incident follow-ups. A change of an incident that names none acts on the
one incident the previous answer named; a question of its own the router is sure of, asked of
one listed incident ("who's backup for the ledger one"), keeps its skill; "that one" after a
list of incidents, read unsure as another domain's, is a reading of the incident domain; "she"
after an on-call answer is the person whose incident an ack or a resolve means; "which one is
X's" after a list is the list again, narrowed to that person."""

from __future__ import annotations

from agents.clarified import ITEMS
from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.route import Route

THRESHOLD = 0.45


def _route(text: str, skill: str, slots: dict | None = None, confidence: float = 0.97,
           alternatives: list[tuple[str, float]] | None = None) -> Route:
    return Route(text=text, agent=skill.split(".")[0], skill=skill, confidence=confidence, slots=slots or {},
                 alternatives=alternatives or [])


def _item(ident: str, service: str, title: str) -> dict[str, str]:
    return {"id": ident, "name": "", "region": "", "env": "", "kind": "", "cloud": "", "state": "",
            "service": service, "detail": title}


ONE_LISTED = TurnContext("incident.list", {"severity": "high", ITEMS: [_item("PQR12ST", "ledger", "Ledger lag")]},
                         ["PQR12ST", "Jo Park"])
TWO_LISTED = TurnContext("incident.list", {ITEMS: [_item("PQR12ST", "ledger", "Ledger lag"),
                                                   _item("PUV34WX", "billing", "Billing 5xx")]},
                         ["PQR12ST", "PUV34WX", "Jo Park", "Sam Lee"])
BRIEFED = TurnContext("incident.brief", {"incident_id": "1077"}, ["PQR12ST", "Jo Park"])


def test_a_change_naming_no_incident_after_a_list_of_one_acts_on_it() -> None:
    for skill in ("incident.ack", "incident.resolve"):
        followed = apply_context(_route("mine, go ahead pls", skill), ONE_LISTED, THRESHOLD)
        assert followed.slots.get("incident_id") == "PQR12ST"


def test_an_escalation_naming_no_target_after_a_brief_escalates_the_briefed_incident() -> None:
    asked = _route("nobody's picked up, bump to the second level", "incident.page", {"action": "page", "level": 2})
    followed = apply_context(asked, BRIEFED, THRESHOLD)
    assert followed.slots.get("incident_id") == "PQR12ST" and followed.slots.get("level") == 2


def test_no_incident_is_lent_among_several_or_when_the_words_name_a_target() -> None:
    assert "incident_id" not in apply_context(_route("mine, go ahead pls", "incident.ack"), TWO_LISTED,
                                              THRESHOLD).slots
    named = _route("page sam about billing", "incident.page", {"person": "sam", "service": "billing"})
    assert "incident_id" not in apply_context(named, BRIEFED, THRESHOLD).slots
    oncall = TurnContext("incident.oncall", {"service": "ledger"}, ["Jo Park", "Sam Lee"])
    assert "incident_id" not in apply_context(_route("go ahead and ack", "incident.ack"), oncall, THRESHOLD).slots


def test_a_question_of_its_own_about_one_listed_incident_keeps_its_skill() -> None:
    asked = _route("and who's the backup on the billing one", "incident.oncall", {"level": 2})
    followed = apply_context(asked, TWO_LISTED, THRESHOLD)
    assert followed.skill == "incident.oncall"
    assert followed.slots.get("level") == 2


def test_more_about_one_listed_incident_is_still_its_brief() -> None:
    asked = _route("tell me more about the billing one", "incident.oncall", {}, confidence=0.9)
    assert apply_context(asked, TWO_LISTED, THRESHOLD).skill == "incident.brief"


def test_that_one_after_a_list_of_incidents_read_unsure_elsewhere_is_the_incident_reading() -> None:
    asked = _route("specifics on that one, how bad did it peak", "cost.anomalies", confidence=0.3,
                   alternatives=[("cost.anomalies", 0.3), ("incident.brief", 0.2), ("cicd.changes", 0.1)])
    followed = apply_context(asked, ONE_LISTED, THRESHOLD)
    assert followed.skill == "incident.brief" and followed.slots.get("incident_id") == "PQR12ST"


def test_that_one_read_surely_elsewhere_keeps_its_reading() -> None:
    asked = _route("what does that one cost us", "cost.summary", confidence=0.9,
                   alternatives=[("cost.summary", 0.9), ("incident.brief", 0.05)])
    assert apply_context(asked, ONE_LISTED, THRESHOLD).skill == "cost.summary"


def test_she_after_an_oncall_answer_is_whose_incident_a_write_means() -> None:
    rota = TurnContext("incident.oncall", {"service": "ledger"}, ["Jo Park", "Sam Lee"])
    for skill in ("incident.ack", "incident.resolve"):
        followed = apply_context(_route("grab whatever she has open", skill), rota, THRESHOLD)
        assert followed.slots.get("person") == "Jo Park"


def test_which_one_is_a_persons_after_a_list_narrows_the_list_to_them() -> None:
    asked = _route("which one is sam's?", "infra.inventory", {"person": "sam"}, confidence=0.7)
    followed = apply_context(asked, TWO_LISTED, THRESHOLD)
    assert followed.skill == "incident.list" and followed.slots.get("person") == "sam"


def test_it_after_a_brief_read_unsure_elsewhere_is_no_other_incident_question() -> None:
    asked = _route("which host is it?", "infra.describe", confidence=0.35,
                   alternatives=[("infra.describe", 0.35), ("incident.oncall", 0.2), ("incident.brief", 0.1)])
    followed = apply_context(asked, BRIEFED, THRESHOLD)
    assert followed.skill == "infra.describe"
