"""Constructions found in the dev23 cases the router missed, each tested in other words than
the ones found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from agents.conversations import TurnContext
from agents.followup import apply_context
from agents.mood import mood_for, occurrences
from agents.router import SkillRouter
from agents.router_rules import asked_words, without_pasted_code
from agents.slots import extract_slots as slots_at
from tests.agents.routes import route


def extract_slots(text: str) -> dict[str, Any]:
    return slots_at(text, datetime(2026, 4, 7, 14, 0))


@pytest.mark.parametrize(("text", "skill", "person"), [
    ("please don't page marta, she's on leave - get oscar instead", "incident.page", "oscar"),
    ("do not wake up dave for this. ping erin instead", "incident.page", "erin"),
])
def test_a_forbidden_write_then_its_replacement_asks_it_of_the_replacement(router: SkillRouter, text: str,
                                                                           skill: str, person: str) -> None:
    routed = router.route(text)
    assert (routed.skill, routed.mood, routed.slots.get("person")) == (skill, "request", person)


def test_a_forbidden_write_alone_still_names_its_person_and_asks_nothing() -> None:
    assert mood_for("incident.page", "don't page marta tonight")[0] == "negated"
    assert extract_slots("don't page marta tonight").get("person") == "marta"


@pytest.mark.parametrize(("text", "asked"), [
    ("my lead asked me to restart ledger-web-2 before she left", True),
    ("priya wants us to rerun the nightly on billing-api", True),
    ("dave told me to reboot ledger-web-2, should i?", False),
    ("who asked me to restart ledger-web-2", False),
])
def test_someone_elses_ask_passed_on_is_a_request_unless_doubted(text: str, asked: bool) -> None:
    [occ] = occurrences(text)
    assert (occ.mood == "request") == asked


@pytest.mark.parametrize("text", ["could you have whoever is on call for storage look into the full disk",
                                  "get somebody from data to take a look at the stuck etl job",
                                  "have marta check on the ledger errors please"])
def test_a_person_had_look_into_something_is_a_page(router: SkillRouter, text: str) -> None:
    assert router.route(text).skill == "incident.page"


@pytest.mark.parametrize("text", ["can you have a look at the ledger errors", "let me have a look at the bill"])
def test_having_a_look_oneself_summons_nobody(router: SkillRouter, text: str) -> None:
    assert router.route(text).skill != "incident.page"


@pytest.mark.parametrize("text", ["trigger `restart.sh` on the batch box again", "is the rerun-failed.py step green"])
def test_a_verb_that_is_a_file_name_is_no_action(text: str) -> None:
    assert not [occ for occ in occurrences(text) if occ.verb in ("restart", "rerun")]


def test_a_verb_after_a_dash_still_is_one() -> None:
    assert [occ.mood for occ in occurrences("ledger-web-2 is wedged - restart it")] == ["request"]


def test_a_topic_lead_before_a_question_makes_it_a_question(router: SkillRouter) -> None:
    routed = router.route("ok back to the release: did the billing-api rollout reach prod")
    assert routed.skill == "cicd.status"


def test_pasted_code_is_taken_out_only_with_enough_words_around_it() -> None:
    text = "got `disk usage 97% on ledger-db-1 /var` in #alerts, is anything open for ledger right now?"
    assert "97%" not in without_pasted_code(text) and "open for ledger" in without_pasted_code(text)
    assert without_pasted_code("`OOMKilled exit 137` what is it") == "`OOMKilled exit 137` what is it"
    assert "97%" in asked_words(text)  # the whole message is still read; the router weighs both readings


def test_a_paste_that_carries_the_topic_keeps_the_reading_of_the_whole(router: SkillRouter) -> None:
    routed = router.route("email from audit: `Secure score for subscription driftwood-prod fell to 58%` - "
                          "what is dragging it down?")
    assert routed.skill == "security.posture"


def test_the_incident_list_is_asked_after_a_pasted_alert(router: SkillRouter) -> None:
    routed = router.route("seeing `ledger-api error rate 12%` in #alerts :fire: what's open on ledger?")
    assert routed.skill == "incident.list"


@pytest.mark.parametrize(("text", "number"), [("has 2210 been acked by anyone", "2210"),
                                              ("is #880 resolved yet?", "880"),
                                              ("did 3004 get escalated", "3004")])
def test_the_state_asked_of_a_numbered_incident_names_it(text: str, number: str) -> None:
    assert extract_slots(text)["incident_id"] == number


def test_a_year_is_no_incident_whose_state_is_asked() -> None:
    assert "incident_id" not in extract_slots("was 2024 resolved in the budget")


def test_a_state_asked_of_a_numbered_incident_is_its_brief(router: SkillRouter) -> None:
    assert router.route("has 2210 been acked by anyone").skill == "incident.brief"


PROPOSED = TurnContext("incident.resolve", {"service": "ledger"}, ["PQ4RST7"])


def test_a_write_called_off_then_a_read_of_it_is_the_thread_incidents_brief() -> None:
    text = "wait, hold off on resolving it. how bad is it right now"
    called_off = route(text, "incident.list", {}, 0.9).model_copy(
        update={"mood": "negated", "requested_skill": "incident.resolve"})
    followed = apply_context(called_off, PROPOSED, 0.45)
    assert (followed.skill, followed.slots.get("incident_id")) == ("incident.brief", "PQ4RST7")


def test_a_write_called_off_after_a_list_of_several_stays_the_list() -> None:
    listed = TurnContext("incident.list", {}, ["PQ4RST7", "PZ8XY21"])
    called_off = route("don't ack them yet, what's going on with it", "incident.list", {}, 0.9).model_copy(
        update={"mood": "negated", "requested_skill": "incident.ack"})
    assert apply_context(called_off, listed, 0.45).skill == "incident.list"


def test_a_person_paged_after_one_passed_over_is_the_one_paged() -> None:
    assert extract_slots("he's not answering, forget him and page marta")["person"] == "marta"
    assert "person" not in extract_slots("the status page and its logs")


ROTA = TurnContext("incident.oncall", {"team": "ledger", "level": 2}, ["Marta Ruiz", "Oscar Pena"])


def test_a_level_paged_after_a_teams_rota_is_that_teams_level() -> None:
    followed = apply_context(route("ok wake the secondary up", "incident.page", {"level": 2}, 0.95), ROTA, 0.45)
    assert (followed.slots.get("team"), followed.slots.get("level")) == ("ledger", 2)


def test_a_level_paged_of_a_rota_it_names_keeps_its_own() -> None:
    own = {"level": 2, "team": "billing"}
    followed = apply_context(route("page the billing secondary", "incident.page", own, 0.95), ROTA, 0.45)
    assert followed.slots.get("team") == "billing"


@pytest.mark.parametrize("text", ["ledger-web-2 reboot", "billing-worker-1 restart now pls"])
def test_a_name_then_a_bare_verb_is_the_terse_order(router: SkillRouter, text: str) -> None:
    routed = router.route(text)
    assert (routed.skill, routed.mood) == ("infra.action", "request")


@pytest.mark.parametrize("text", ["ledger-web-2 restart?", "ledger-web-2 restarted"])
def test_a_name_then_a_verb_asked_or_told_orders_nothing(router: SkillRouter, text: str) -> None:
    assert router.route(text).skill != "infra.action"


@pytest.mark.parametrize("text", ["we must to stop the ledger-web-2 tonight, is possible?",
                                  "bitte, can you to restart ledger-web-2", "por favor reboot ledger-web-2"])
def test_requests_framed_in_a_second_language_are_requests(router: SkillRouter, text: str) -> None:
    routed = router.route(text)
    assert (routed.skill, routed.mood) == ("infra.action", "request")


@pytest.mark.parametrize("text", ["the box is frozen again, give it a hard reboot please",
                                  "ledger-web-2 hangs. make a restart of it"])
def test_a_machine_action_said_as_a_noun_in_its_own_clause_is_asked(router: SkillRouter, text: str) -> None:
    routed = router.route(text)
    assert (routed.skill, routed.mood) == ("infra.action", "request")


def test_a_machine_action_as_a_noun_in_a_question_is_no_request(router: SkillRouter) -> None:
    assert router.route("would we need to do a restart of ledger-web-2 after patching?").mood != "request"


BRIEFED = TurnContext("incident.brief", {"service": "ledger"}, ["PQ4RST7", "driftwood/ledger-api#12"])


def test_the_other_one_after_a_brief_rules_the_briefed_incident_out() -> None:
    text = "nah, that one is handled already - resolve the other one"
    followed = apply_context(route(text, "incident.resolve", {}, 0.95), BRIEFED, 0.45)
    assert followed.slots.get("not_incident_ids") == ["PQ4RST7"] and "incident_id" not in followed.slots


def test_the_other_one_with_its_own_incident_named_keeps_it() -> None:
    own = {"incident_id": "2211"}
    followed = apply_context(route("the other one, 2211 - ack it", "incident.ack", own, 0.95), BRIEFED, 0.45)
    assert followed.slots["incident_id"] == "2211" and "not_incident_ids" not in followed.slots


def test_an_unsure_page_reading_of_a_rota_question_stays_the_rota() -> None:
    unsure = route("and the one after him?", "incident.page", {"level": 2}, 0.05)
    assert apply_context(unsure, ROTA, 0.45).skill == "incident.oncall"


@pytest.mark.parametrize(("text", "person", "incident"), [
    ("could you tell marta to look at 2210", "marta", "2210"),
    ("ask oscar to take a look at the ledger alert", "oscar", None),
])
def test_a_person_told_to_look_into_something_is_paged_onto_it(router: SkillRouter, text: str, person: str,
                                                               incident: str | None) -> None:
    routed = router.route(text)
    assert (routed.skill, routed.slots.get("person"), routed.slots.get("incident_id")) == \
        ("incident.page", person, incident)


@pytest.mark.parametrize("text", ["tell guardian to look at the ledger logs", "can you ask me to look at it later"])
def test_the_bot_or_the_asker_told_to_look_is_no_page(router: SkillRouter, text: str) -> None:
    assert router.route(text).skill != "incident.page"


def test_a_named_services_logs_around_a_deploy_are_its_logs(router: SkillRouter) -> None:
    assert router.route("anything odd in the ledger-api logs right after the release?").skill == "infra.logs"


def test_whether_anyone_is_actually_on_an_incident_is_its_brief(router: SkillRouter) -> None:
    assert router.route("the ledger alert - is anyone really on it?").skill == "incident.brief"
