"""No action from a sentence that did not ask for one: grammatical mood of action verbs, and
the router's answer on the corpus written before the fix (tests/agents/non_action_corpus.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from agents.mood import (
    asks_about_paging_effect,
    asks_how_it_is_done,
    mood_for,
    occurrences,
    sentence_mood,
    talked_about,
)
from agents.router import SkillRouter
from agents.skills import SKILL_BY_NAME

CORPUS = yaml.safe_load((Path(__file__).parent / "non_action_corpus.yaml").read_text())["cases"]


@pytest.mark.parametrize(("skill", "text", "mood"), [
    ("infra.action", "reboot i-0abc1234 please", "request"),
    ("infra.action", "can you stop payments-api-1?", "request"),
    ("infra.action", "hey guardian, restart the search box", "request"),
    ("infra.action", "I need auth-eu-1 restarted asap", "request"),
    ("infra.action", "we need to reboot bastion-1 now", "request"),
    ("infra.action", "give bastion-1 a quick reboot", "request"),
    ("infra.action", "reports-legacy-1 hangs again, give it a restart", "request"),
    ("infra.action", "spin auth-eu-1 back up please", "request"),
    ("infra.action", "turn it off", "request"),
    ("cicd.rerun", "fine, just retry that", "request"),
    ("incident.resolve", "latency is normal again, you can resolve P3H8W1R", "request"),
    ("incident.resolve", "P3H8W1R can be resolved now", "request"),
    ("incident.resolve", "which of these can be resolved?", "reported"),
    ("incident.ack", "i'm on it, ack it", "request"),
    ("incident.page", "send a pagerduty page to security", "request"),
    ("cicd.rerun", "roll back by redeploying the previous version", "request"),
    ("infra.action", "do not restart auth-service-1", "negated"),
    ("infra.action", "don't stop or restart payments-api-1", "negated"),
    ("infra.action", "leave analytics-dev-1 running", "negated"),
    ("infra.action", "why did bastion-1 reboot last night?", "past"),
    ("infra.action", "has anyone restarted payments-api-2 today", "past"),
    ("incident.ack", "who acked P3H8W1R?", "past"),
    ("infra.action", "what happens if we reboot auth-eu-1", "hypothetical"),
    ("infra.action", "is it safe to stop analytics-dev-1 right now?", "hypothetical"),
    ("cicd.rerun", "should we rerun the deploy or roll back?", "hypothetical"),
    ("infra.action", "how do I reboot bastion-1 safely", "reported"),
    ("incident.page", "alice said she would page frank", "reported"),
    ("infra.action", "whats the difference between stop and reboot for payments-api-2?", "reported"),
    # polite frames and a wish put to the bot ask for the action
    ("infra.action", "would it be possible to reboot cache-7 tonight?", "request"),
    ("infra.action", "i'd like to power off the lab vms", "request"),
    ("incident.page", "the queue team is needed, please you escalate", "request"),
    ("infra.action", "could we get you to bounce cache-7 before the batch starts?", "request"),
    ("cicd.rerun", "can I have you re-run the lint job on main", "request"),
    ("infra.action", "can I bounce cache-7 myself?", "hypothetical"),  # the asker acting, not the bot
    ("cicd.rerun", "can you retry the nightly or does it need a lead's ok first", "hypothetical"),  # process
    # leave asked to act through the bot asks for the act
    ("incident.ack", "can i ack the disk space one? it keeps buzzing me", "request"),
    ("infra.action", "ok may we reboot cache-7 please", "request"),
    # a named thing said to need the act asks for it; asking whether it does, or reporting it, does not
    ("infra.action", "worker-9 needs a reboot, it stopped pulling jobs", "request"),
    ("infra.action", "cache-7 could use a quick restart", "request"),
    ("infra.action", "does cache-7 need a restart?", "hypothetical"),
    ("infra.action", "the vendor says worker-9 needs a reboot after each upgrade", "reported"),
    # a condition closed before the verb's clause conditions the request
    ("infra.action", "if the queue is empty, could you stop worker-9?", "request"),
    ("infra.action", "if we stop worker-9, is the queue lost?", "hypothetical"),
    # a causative participle ("put it resolved", "make it acknowledged")
    ("incident.resolve", "that cpu alarm is gone, put it resolved", "request"),
    ("incident.ack", "kindly make acknowledged the disk alert", "request"),
    # a request put to the channel, and an opinion before a permissive passive
    ("cicd.rerun", "sorry for the noise, could somebody retry the lint job", "request"),
    ("infra.action", "could somebody bounce cache-7? it's wedged again", "request"),  # asked first
    ("incident.resolve", "the disk full alert on the reporting box can be closed, the cleanup worked", "request"),
    ("incident.resolve", "i believe the cache sev3 can be resolved now", "request"),
    ("incident.resolve", "i believe bob resolved the cache sev3 already", "past"),
])
def test_mood_of_an_action_verb(skill: str, text: str, mood: str) -> None:
    assert mood_for(skill, text)[0] == mood


def test_a_question_to_the_channel_about_what_happened_is_no_request() -> None:
    assert mood_for("infra.action", "could anyone explain why web-3 rebooted?")[0] != "request"
    assert mood_for("infra.action", "could someone have restarted it overnight?")[0] != "request"


def test_a_request_for_another_action_wins_over_a_negated_one() -> None:
    assert mood_for("incident.page", "ack P7K2M9Q, don't page anyone else") == ("request", "incident.ack")


def test_nouns_are_not_commands() -> None:
    assert [occ.verb for occ in occurrences("show the last run and the deploy status of the page")] == []


@pytest.mark.parametrize("text", [
    "bounce the broken ledger nightly e2e run please",
    "stop the stuck orders jenkins deploy, it's been an hour",
    "ledger db latency page: what's it about?",
    "the orders 502 page. who has it",
])
def test_a_ci_noun_compound_and_a_page_named_by_its_subject_are_nouns(text: str) -> None:
    assert not [occ for occ in occurrences(text) if occ.verb in ("run", "deploy", "page")]


@pytest.mark.parametrize("text", ["who do we page", "ok go ahead and page", "page them, dont wait"])
def test_page_with_its_object_elsewhere_is_still_a_verb(text: str) -> None:
    assert [occ.verb for occ in occurrences(text)] == ["page"]


def test_retry_naming_a_change_is_no_verb() -> None:
    assert [occ.verb for occ in occurrences("is the ledger retry/backoff fix deployed to prod yet")] == ["deploy"]


@pytest.mark.slow
def test_corpus_written_before_the_fix(router: SkillRouter) -> None:
    """Every sentence that only talks about an action routes to a read-only skill; every real
    request routes to the action it asks for."""
    routes = router.route_many([case["text"] for case in CORPUS])
    wrong: list[tuple[str, Any, str]] = []
    for case, route in zip(CORPUS, routes, strict=True):
        proposes = SKILL_BY_NAME[route.skill].mutating
        if case["approval"] and route.skill != case["skill"]:
            wrong.append((case["text"], case["skill"], route.skill))
        if not case["approval"] and proposes:
            wrong.append((case["text"], "a read-only skill", route.skill))
        if not case["approval"] and route.requested_skill:
            assert route.mood != "request" and not SKILL_BY_NAME[route.skill].mutating
    assert wrong == []
    assert sum(not case["approval"] for case in CORPUS) >= 90 and sum(case["approval"] for case in CORPUS) >= 40


@pytest.mark.parametrize("text", ["the hostname stopped resolving after the vpc change",
                                  "dns won't resolve for internal zones, any fix?",
                                  "api.internal resolves to 10.2.0.9, is that right"])
def test_names_resolving_is_not_an_incident_resolved(text: str) -> None:
    assert not [occ for occ in occurrences(text) if occ.skill == "incident.resolve"]


def test_resolving_an_incident_is_still_a_resolve() -> None:
    assert [occ.skill for occ in occurrences("resolve P1ABC23, dns is fine again")] == ["incident.resolve"]


@pytest.mark.parametrize("text", ["is ledger-vm-3 running?", "are the workers still running", "is it running now"])
def test_running_as_a_state_is_no_run(text: str) -> None:
    assert not occurrences(text)


def test_running_a_job_is_still_a_run() -> None:
    assert [occ.skill for occ in occurrences("running the nightly job again, ok?")] == ["cicd.rerun"]


@pytest.mark.parametrize("text", ["mark the billing page fixed", "i took the orders page an hour ago",
                                  "our nightly deploy is slow"])
def test_a_noun_after_its_modifier_is_no_command(text: str) -> None:
    assert [occ.verb for occ in occurrences(text) if occ.verb in ("page", "deploy", "run")] == []


@pytest.mark.parametrize(("skill", "text"), [
    ("incident.resolve", "all green again, you can resolve P4R7T2K"),
    ("incident.ack", "feel free to ack the kafka page"),
    ("incident.resolve", "we can close the dns incident now"),
])
def test_permission_given_to_the_bot_is_a_request(skill: str, text: str) -> None:
    assert mood_for(skill, text) == ("request", skill)


def test_we_can_without_now_is_only_talk() -> None:
    assert mood_for("infra.action", "we can restart the proxy tomorrow")[0] != "request"


def test_permission_in_the_passive_is_a_request_unless_someone_else_acts() -> None:
    assert mood_for("incident.resolve", "the kafka incident can now be resolved") == ("request", "incident.resolve")
    assert mood_for("infra.action", "it can be restarted by the db team")[0] != "request"
    assert mood_for("infra.action", "it should be restarted at some point")[0] != "request"


@pytest.mark.parametrize("text", ["already restarted ledger-worker-2 ourselves, it's healthy",
                                  "bounced the api box by hand, looks fine now",
                                  "just acked it"])
def test_an_action_the_speaker_already_did_asks_for_nothing(text: str) -> None:
    assert [occ.mood for occ in occurrences(text)] == ["past"]


@pytest.mark.parametrize(("skill", "text"), [
    ("infra.action", "we have a systemd timer that restarts the exporter nightly, is that normal?"),
    ("incident.page", "our policy which escalates sev1s to the director after 10 min never fired"),
    ("cicd.rerun", "the bot that retries flaky builds is broken"),
])
def test_an_action_in_a_relative_clause_describes_something(skill: str, text: str) -> None:
    assert mood_for(skill, text)[0] == "reported"


def test_a_relative_clause_does_not_hide_a_request() -> None:
    assert mood_for("infra.action", "restart the worker that stops responding every night") == (
        "request", "infra.action")


def test_the_second_of_two_states_is_no_action() -> None:
    assert [occ.verb for occ in occurrences("is cache-7 running or stopped right now?")] == []


@pytest.mark.parametrize(("skill", "text"), [
    ("incident.resolve", "fine by me - resolve P7K2M9Q"),
    ("infra.action", "on it \u2014 restart checkout-web-2"),
    ("cicd.rerun", "flaky again -- rerun the nightly"),
])
def test_a_dash_between_spaces_starts_a_new_clause(skill: str, text: str) -> None:
    assert mood_for(skill, text) == ("request", skill)


def test_a_hyphen_inside_a_name_splits_nothing() -> None:
    """The negation before a hyphenated name still governs the verb after it."""
    assert mood_for("infra.action", "do not let cache-7 stop")[0] == "negated"
    assert mood_for("infra.action", "do not let cache - stop")[0] == "request"  # spaced: a new clause


@pytest.mark.parametrize("text", ["latency recovered, you can mark the sev2 done", "mark it as closed please"])
def test_marking_an_incident_done_asks_for_the_resolve(text: str) -> None:
    assert mood_for("incident.resolve", text) == ("request", "incident.resolve")


def test_asking_whether_someone_marked_it_done_is_no_request() -> None:
    assert mood_for("incident.resolve", "did anyone mark the sev2 done?")[0] != "request"


def test_no_with_a_plural_noun_forbids_the_action() -> None:
    assert sentence_mood("no restarts on prod this week please") == "negated"
    assert sentence_mood("no, restart it") == "request"


def test_have_another_go_is_a_request_and_have_they_a_question_about_the_past() -> None:
    assert sentence_mood("have another go at the release") == "request"
    assert sentence_mood("have they rolled it back") == "past"


@pytest.mark.parametrize(("skill", "text"), [
    ("infra.action", "dana reckons we should bounce cache-7, could you do that?"),
    ("incident.ack", "what happens if I acknowledge P7K2M9Q? ok, go ahead"),
    ("cicd.rerun", "the team wants the nightly retried - please do it"),
])
def test_a_go_ahead_closing_the_message_asks_for_the_action_it_mentioned(skill: str, text: str) -> None:
    assert mood_for(skill, text) == ("request", skill)


@pytest.mark.parametrize(("skill", "text"), [
    ("infra.action", "dana reckons we should bounce cache-7, don't do it yet"),
    ("infra.action", "what happens if I reboot cache-7? tell me before you do it"),
])
def test_a_go_ahead_held_back_asks_for_nothing(skill: str, text: str) -> None:
    assert mood_for(skill, text)[0] != "request"


@pytest.mark.parametrize(("skill", "text"), [
    ("cicd.rerun", "need last night's build re-run"),  # the base form doubles as the participle
    ("cicd.rerun", "around 6pm retry the release workflow"),  # a time of day before the imperative
    ("infra.action", "at 22:30 stop reporting-vm-2"),  # the colon of a time ends no clause
    ("incident.resolve", "all green \U0001f389 resolve P7K2M9Q"),  # an emoji ends the clause before it
    ("incident.ack", "leave the postmortem for later; for now ack P7K2M9Q"),
])
def test_requests_after_a_time_an_emoji_or_for_now_and_participles(skill: str, text: str) -> None:
    assert mood_for(skill, text) == ("request", skill)


@pytest.mark.parametrize(("skill", "text"), [
    ("infra.action", "could you reboot vms on your own, or must we do it by hand?"),
    ("incident.page", "do you page teams, or is that not a thing you do? just curious"),
    ("cicd.rerun", "can you retry builds or don't you have access"),
])
def test_asking_only_whether_the_bot_could_act_asks_for_nothing(skill: str, text: str) -> None:
    assert mood_for(skill, text)[0] != "request"


def test_an_imperative_put_to_the_channel_and_a_you_do_it_are_requests() -> None:
    assert mood_for("incident.resolve", "someone please resolve P7K2M9Q") == ("request", "incident.resolve")
    assert mood_for("infra.action", "ops wants cache-7 bounced soon. guardian, you do it") == (
        "request", "infra.action")


def test_a_restart_count_is_a_measure_not_a_restart() -> None:
    assert [occ.verb for occ in occurrences("restart count is 12 on api-3, why?")] == []
    assert [occ.verb for occ in occurrences("restart api-3, its restart loop is back")] == ["restart"]


@pytest.mark.parametrize("text", ["was paged at 3am and I'm lost. could you bring the db on-call into the bridge",
                                  "pls get carol on the call"])
def test_bringing_someone_into_the_incident_is_a_page(text: str) -> None:
    assert mood_for("incident.page", text) == ("request", "incident.page")


def test_asking_who_got_someone_in_is_no_page() -> None:
    assert mood_for("incident.page", "who got carol on the call last night?")[0] != "request"


@pytest.mark.parametrize(("skill", "text"), [
    ("incident.ack", "> pd: disk full on db-2 > dave: mine > guardian ack it"),  # a quoted line ends a clause
    ("cicd.rerun", "we need a rollback of checkout-web done asap"),  # the action as a noun, needed
])
def test_quoted_lines_and_a_needed_action_noun_are_requests(skill: str, text: str) -> None:
    assert mood_for(skill, text) == ("request", skill)


def test_whether_the_bot_acts_on_things_in_general_asks_for_nothing() -> None:
    assert mood_for("infra.action", "can you stop machines?")[0] != "request"


def test_a_participle_after_objects_joined_by_and_is_requested() -> None:
    assert mood_for("incident.page", "error rate climbing, get erin and frank paged") == ("request", "incident.page")
    assert mood_for("infra.action", "need web-1 and web-2 restarted") == ("request", "infra.action")
    assert mood_for("infra.action", "we need logs and it got restarted")[0] != "request"


@pytest.mark.parametrize("text", ["queue drained, latency back to normal for half an hour",
                                  "all green again on search"])
def test_a_recovery_told_without_a_verb_asks_for_no_resolve(text: str) -> None:
    assert mood_for("incident.resolve", text)[0] != "request"


def test_a_pasted_alert_with_no_verb_of_a_change_asks_for_none() -> None:
    assert mood_for("infra.action", "[FIRING] web-lb HealthyHostCount < 2 (us-west-2)")[0] != "request"
    assert mood_for("infra.action", "ALARM: web-3 StatusCheckFailed, reboot it") == ("request", "infra.action")
    assert mood_for("infra.action", "give web-3 a kick") == ("request", "infra.action")  # no alert: as before


def test_an_ask_after_a_pasted_alert_is_still_read() -> None:
    assert mood_for("incident.page", "ALERT db-2 replication lag > 60s - get the data on-call on it") == (
        "request", "incident.page")


def test_what_a_thing_keeps_doing_by_itself_is_a_symptom_not_talk_of_the_action() -> None:
    assert talked_about("cache-7 keeps rebooting, pull its error logs") is None
    assert talked_about("what happens if we reboot cache-7") == ("infra.action", "hypothetical")


@pytest.mark.parametrize("text", [
    "does bouncing cache-7 have to go through the bot?",
    "if we want the nightly re-triggered, does somebody need to approve it?",
    "would acking 2231 need an approval from a lead?",
    "will you resolve it yourself or should I?",
    "can guardian stop web-3 or do we have to do it ourselves?",
    "can interns page people via the bot, or only leads?",  # the act done by way of the bot
    "how does one get guardian to retry a red pipeline?",  # how to have the bot do it
    "are we allowed to close incidents thru you?",  # "thru" is "through"
    "say the nightly fails - who signs off on a re-run?",  # who approves it
])
def test_how_an_action_would_be_carried_out_is_a_question_of_process(text: str) -> None:
    assert asks_how_it_is_done(text)


@pytest.mark.parametrize("text", [
    "stop web-3 myself? no, you do it",  # an order, then a reply to it
    "did the approval for the web-3 restart go through?",
    "is the rerun still waiting for approval?",
    "page the db on-call, I approve",
    "could I get you to bounce cache-7 please",  # a polite request, no question of process
])
def test_a_request_or_a_question_about_one_approval_is_no_question_of_process(text: str) -> None:
    assert not asks_how_it_is_done(text)


@pytest.mark.parametrize(("text", "effect"), [
    ("if I acknowledge 2231, do the pages stop?", True),
    ("does resolving it keep notifying the team?", True),
    ("would an ack silence the escalation to level 2?", True),
    ("ack 2231, I'm on it", False),
    ("who got paged for 2231?", False),
])
def test_what_an_incident_action_does_to_the_paging_is_asked_of_the_policy(text: str, effect: bool) -> None:
    assert asks_about_paging_effect(text) is effect


@pytest.mark.parametrize(("text", "talked"), [
    ("list the resolved outages from yesterday", None),  # a state of the incidents, not the act
    ("are any of them acknowledged right now?", None),
    ("was 2231 acknowledged by anyone?", ("incident.ack", "past")),  # whether the act happened
])
def test_a_participle_naming_an_incident_state_is_no_talk_of_the_act(text: str, talked: object) -> None:
    assert talked_about(text) == talked


def test_the_speaker_telling_what_they_are_doing_asks_for_nothing() -> None:
    # news about the speaker's own work, with no action verb: the skill the classifier saw in
    # its nouns ("pager") is talked about, not asked for
    assert sentence_mood("he's on leave, im holding his pager till friday") == "reported"
    assert sentence_mood("we're watching the queue, nothing needed yet") == "reported"
    assert sentence_mood("get carol on this") == "request"


@pytest.mark.parametrize("text", ["turn off erin's aws console password until she's back",
                                  "switch on MFA for the root login", "kill the old access keys of the ci user"])
def test_a_login_switched_off_is_no_machine_act(text: str) -> None:
    assert not [occ for occ in occurrences(text.lower()) if occ.skill == "infra.action"]


def test_a_machine_switched_off_is_still_the_act() -> None:
    assert [occ.verb for occ in occurrences("turn off web-frontend-staging tonight")] == ["turn off"]


@pytest.mark.parametrize("text", ["close port 5432 on sg-0db1 asap", "please close 22 on the jump box's group",
                                  "close ssh on that group"])
def test_a_port_closed_is_no_incident_closed(text: str) -> None:
    assert not [occ for occ in occurrences(text) if occ.skill == "incident.resolve"]


@pytest.mark.parametrize("text", ["close 1038 in pagerduty, the indexer caught up", "close out the lag incident"])
def test_an_incident_closed_is_still_a_resolve(text: str) -> None:
    assert [occ.skill for occ in occurrences(text)] == ["incident.resolve"]


@pytest.mark.parametrize("text", ["fire up win-build-1 please", "can you boot up the staging web box"])
def test_fire_up_and_boot_up_start_a_machine(text: str) -> None:
    assert [(occ.skill, occ.mood) for occ in occurrences(text)] == [("infra.action", "request")]


@pytest.mark.parametrize("text", ["go ahead n restart ledger-vm-2", "btw reboot ledger-vm-2 when you can",
                                  "go ahead & bounce ledger-vm-2"])
def test_chat_shorthand_before_the_verb_keeps_the_request(text: str) -> None:
    assert [(occ.skill, occ.mood) for occ in occurrences(text)] == [("infra.action", "request")]


@pytest.mark.parametrize("text", ["can i restart ledger-vm-2 myself or does an on-call engineer have to do it",
                                  "may we ack it ourselves or does someone approve it"])
def test_doing_it_oneself_or_by_another_person_is_a_question_of_process(text: str) -> None:
    assert asks_how_it_is_done(text)


@pytest.mark.parametrize("text", ["did anything get restarted overnight?", "has the lag incident got resolved yet"])
def test_got_with_a_participle_and_no_object_is_the_passive(text: str) -> None:
    assert all(occ.mood != "request" for occ in occurrences(text))


def test_get_with_an_object_and_a_participle_still_asks() -> None:
    assert [occ.mood for occ in occurrences("get ledger-vm-2 restarted please")] == ["request"]


def test_asking_leave_and_whether_it_is_given_at_all_is_a_question() -> None:
    assert mood_for("incident.ack", "could we ack the ledger one via you, or are we not permitted")[0] != "request"
    assert mood_for("incident.ack", "can we ack the ledger one?")[0] == "request"


def test_a_verb_inside_a_quoted_alert_only_reports() -> None:
    """A quoted alert or log line is what someone else wrote: its verbs ask nothing; the words
    outside the quotes do, and a go-ahead after a quoted request still makes it asked."""
    pasted = '"Datadog: [#88] ledger p99 above 3s - TRIGGERED" ack it pls, on it'
    assert [(occ.verb, occ.mood) for occ in occurrences(pasted)] == [("trigger", "reported"), ("ack", "request")]
    relayed = 'kim wrote "reboot ledger-worker-2" in the channel - go ahead'
    assert [(occ.verb, occ.mood) for occ in occurrences(relayed)] == [("reboot", "request")]
    assert [(occ.verb, occ.mood) for occ in occurrences('"reboot ledger-worker-2"')] == [("reboot", "request")]


@pytest.mark.parametrize("text", ["give me the rundown on the acknowledged one", "what's up with the resolved one?"])
def test_an_incident_named_by_the_state_a_write_left_is_asked_about(text: str) -> None:
    skill = "incident.ack" if "ack" in text else "incident.resolve"
    assert mood_for(skill, text)[0] == "reported"


def test_a_line_break_ends_a_pasted_line() -> None:
    """A pasted alert's last line, then the ask on a line of its own: the ask is at the head of
    its clause, as after a full stop."""
    pasted = "CRITICAL: ledger-worker-3 StatusCheckFailed changed state to ALARM\nrestart it please"
    assert [(occ.verb, occ.mood) for occ in occurrences(pasted)] == [("restart", "request")]


@pytest.mark.parametrize("text", ["did the ledger retry thing get merged", "is the retry work in main yet"])
def test_retry_naming_a_piece_of_work_is_no_rerun(text: str) -> None:
    assert not [occ for occ in occurrences(text) if occ.verb == "retry"]


@pytest.mark.parametrize("text", ["only the alerts which were acked overnight",
                                  "incidents that have been closed since monday", "ones that got resolved today?"])
def test_a_state_in_a_relative_clause_names_what_is_listed(text: str) -> None:
    assert not occurrences(text)


def test_a_request_whose_object_carries_a_state_still_asks() -> None:
    assert [(occ.skill, occ.mood) for occ in occurrences("resolve the ones that were acked")] == [
        ("incident.resolve", "request")]
