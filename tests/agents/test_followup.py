"""Follow-ups by grammar: what a conversation's previous turn lends the next one, and what
it must never lend (a write by ellipsis, context to a turn that asks its own question)."""

from __future__ import annotations

import pytest

from agents.conversations import TurnContext
from agents.followup import _nth_item, _target_of, apply_context, is_elliptical
from agents.route import Route

COST = TurnContext("cost.summary", {"time_range": {"start": "2026-11-01", "end": "2026-11-08", "label": "last week"},
                                    "region": "us-east-1"}, ["Amazon EC2"])
DESCRIBE = TurnContext("infra.describe", {}, ["sg-0123", "i-0abc1234def", "vol-9"])


def route(text: str, skill: str = "help", slots: dict | None = None, confidence: float = 0.2) -> Route:
    agent = skill.split(".")[0] if "." in skill else "help"
    return Route(text=text, agent=agent, skill=skill, confidence=confidence, slots=slots or {})


@pytest.mark.parametrize("text", ["and in eu-west-1?", "what about staging", "same for last month",
                                  "ok and the week before?", "in us-west-2 only", "how about prod"])
def test_fragments_with_only_new_qualifiers_are_elliptical(text: str) -> None:
    assert is_elliptical(text)


@pytest.mark.parametrize("text", ["and who is on call?", "what about: show me the failing workflows",
                                  "what did we spend last week in eu-west-1 on compute and storage, by service",
                                  "stop it", "ok then, retry that one", "", "ok so why did it die",
                                  "and well, who owns it"])
def test_turns_with_their_own_question_are_not_elliptical(text: str) -> None:
    assert not is_elliptical(text)


def test_an_elliptical_turn_repeats_the_skill_with_its_new_slots_laid_over() -> None:
    followed = apply_context(route("and in eu-west-1?", slots={"region": "eu-west-1"}), COST, 0.45)
    assert (followed.skill, followed.agent) == ("cost.summary", "cost")
    assert followed.slots["region"] == "eu-west-1"
    assert followed.slots["time_range"]["label"] == "last week"
    assert followed.confidence == 0.45


def test_the_week_before_moves_the_period_back_by_its_own_length() -> None:
    followed = apply_context(route("and the week before?"), COST, 0.45)
    assert followed.slots["time_range"]["start"] == "2026-10-25"
    assert followed.slots["time_range"]["end"] == "2026-11-01"


def test_an_anaphor_borrows_the_previous_target_and_prefers_an_instance() -> None:
    followed = apply_context(route("stop it", "infra.action", {"action": "stop"}, 0.9), DESCRIBE, 0.45)
    assert followed.skill == "infra.action"
    assert followed.slots["instance_id"] == "i-0abc1234def"
    assert followed.slots["action"] == "stop"


def test_a_turn_naming_its_own_target_keeps_it() -> None:
    own = route("stop that one, i-0fff0000aaa", "infra.action", {"instance_id": "i-0fff0000aaa"}, 0.9)
    assert apply_context(own, DESCRIBE, 0.45).slots["instance_id"] == "i-0fff0000aaa"


def test_ellipsis_after_a_write_proposes_nothing() -> None:
    after_stop = TurnContext("infra.action", {"instance_id": "i-0abc1234def", "action": "stop"}, ["i-0abc1234def"])
    followed = apply_context(route("and in eu-west-1?", slots={"region": "eu-west-1"}), after_stop, 0.45)
    assert followed.skill == "help"


def test_no_previous_turn_or_help_lends_nothing() -> None:
    original = route("and in eu-west-1?", slots={"region": "eu-west-1"})
    assert apply_context(original, None, 0.45) == original
    assert apply_context(original, TurnContext("help"), 0.45) == original


ONCALL = TurnContext("incident.oncall", {"service": "payments"}, ["Alice Chen"])


@pytest.mark.parametrize(("text", "name"), [("and for search?", "search"), ("same for checkout", "checkout"),
                                            ("what about auth-eu?", "auth-eu")])
def test_a_bare_name_in_a_fragment_replaces_the_previous_subject(text: str, name: str) -> None:
    followed = apply_context(route(text), ONCALL, 0.45)
    assert followed.skill == "incident.oncall" and followed.slots["service"] == name


def test_a_fragment_whose_words_a_slot_took_keeps_the_previous_subject() -> None:
    followed = apply_context(route("what about staging", slots={"env": "staging"}), ONCALL, 0.45)
    assert followed.slots == {"service": "payments", "env": "staging"}
    assert apply_context(route("and the week before?"), ONCALL, 0.45).slots["service"] == "payments"


@pytest.mark.parametrize("text", ["ok fixed the config, rerun it", "now restart it", "also stop bastion-2"])
def test_a_fragment_with_a_verb_in_the_imperative_is_its_own_request(text: str) -> None:
    assert not is_elliptical(text)
    own = route(text, "cicd.rerun", {}, 0.9)
    failure = TurnContext("cicd.failure", {"repo": "driftwood/payments-api"}, [])
    assert apply_context(own, failure, 0.45).skill == "cicd.rerun"


PUBLIC = TurnContext("security.public_storage", {"resource_type": "s3"}, ["bucket-a", "bucket-b"])


@pytest.mark.parametrize("text", ["how many of them are in eu-west-1", "only the ones in eu-central-1 pls",
                                  "any of those in prod?", "which ones sit in eu-west-1?",
                                  "ok what ones are in eu-west-1", "but which ones live in eu-west-1?"])
def test_a_subset_of_the_previous_answer_asks_the_previous_question_again(text: str) -> None:
    # "which of those..." has a question word of its own, but what it asks about is the list
    # just shown: the previous skill with the new qualifiers, and no item of it lent as target
    followed = apply_context(route(text, "infra.inventory", {"region": "eu-west-1"}), PUBLIC, 0.45)
    assert followed.skill == "security.public_storage"
    assert followed.slots["resource_type"] == "s3" and followed.slots["region"] == "eu-west-1"
    assert "resource_name" not in followed.slots


def test_which_ones_opening_a_sentence_elsewhere_is_no_subset() -> None:
    # "ones" stands for the listed noun only when the question opens on it
    followed = apply_context(route("show me the ones carol merged, which ones failed ci", "cicd.status",
                                   confidence=0.9), PUBLIC, 0.45)
    assert followed.skill == "cicd.status"


def test_a_subset_after_a_write_or_with_its_own_target_is_not_a_repeat() -> None:
    after_stop = TurnContext("infra.action", {"instance_id": "i-0abc1234def", "action": "stop"}, ["i-0abc1234def"])
    assert apply_context(route("which of those are stopped", "infra.inventory"), after_stop, 0.45).skill \
        == "infra.inventory"
    named = route("which of those is bucket-z", "infra.describe", {"resource_name": "bucket-z"})
    assert apply_context(named, PUBLIC, 0.45).skill == "infra.describe"


@pytest.mark.parametrize("text", ["break that down by team", "split it per region pls", "ok group those by account"])
def test_regrouping_the_previous_answer_asks_it_again_grouped(text: str) -> None:
    followed = apply_context(route(text, "infra.action", {"group_by": "team"}, confidence=0.1), COST, 0.45)
    assert followed.skill == "cost.summary" and followed.slots["group_by"] == "team"
    assert followed.slots["time_range"] == COST.slots["time_range"]


def test_an_anaphor_in_the_same_domain_is_answered_and_borrows_no_cost_line_as_target() -> None:
    close_call = route("and where will it land?", "cost.forecast", confidence=0.3)
    followed = apply_context(close_call, COST, 0.45)
    assert followed.skill == "cost.forecast" and followed.confidence == 0.45
    assert "resource_name" not in followed.slots
    other_domain = apply_context(route("who owns it?", "incident.oncall", confidence=0.3), COST, 0.45)
    assert other_domain.confidence == 0.3


def test_an_anaphor_lends_the_cloud_its_target_lives_in() -> None:
    gcp = TurnContext("infra.describe", {"resource_name": "gce-ledger-2", "cloud": "gcp"}, ["gce-ledger-2"])
    followed = apply_context(route("errors in its logs?", "infra.logs", {}, 0.9), gcp, 0.45)
    assert followed.slots["resource_name"] == "gce-ledger-2" and followed.slots["cloud"] == "gcp"
    named = apply_context(route("its logs on aws", "infra.logs", {"cloud": "aws"}, 0.9), gcp, 0.45)
    assert named.slots["cloud"] == "aws"


@pytest.mark.parametrize(("listed", "text", "detail"), [
    ("incident.list", "more on the ledger one please", "incident.brief"),
    ("infra.inventory", "what about the linux one", "infra.describe"),
    ("cicd.status", "why did the release one break", "cicd.failure"),
    ("cicd.status", "and the lint one, how long did it take", "cicd.status"),
])
def test_one_item_of_a_listing_is_asked_about_in_its_domain(listed: str, text: str, detail: str) -> None:
    previous = TurnContext(listed, {"cloud": "azure"}, ["a", "b"])
    followed = apply_context(route(text, "cost.summary", {}, 0.3), previous, 0.45)
    assert followed.skill == detail and followed.confidence == 0.45
    assert followed.slots.get("cloud") == "azure"


def test_a_confident_turn_of_another_domain_is_not_an_item_of_the_listing() -> None:
    previous = TurnContext("incident.list", {}, ["P1"])
    own = route("what did the ledger one cost last month", "cost.summary", {}, 0.9)
    assert apply_context(own, previous, 0.45).skill == "cost.summary"


def test_a_change_asked_for_one_item_of_a_listing_stays_that_change() -> None:
    previous = TurnContext("incident.list", {}, ["P1", "P2"])
    ack = route("ack the ledger one", "incident.ack", {"action": "ack"}, 0.95)
    assert apply_context(ack, previous, 0.45).skill == "incident.ack"


def test_a_change_asked_with_its_own_verb_after_a_brief_is_not_an_ellipsis() -> None:
    previous = TurnContext("incident.brief", {"service": "ledger"}, ["PQ1W2E3", "Some One"])
    close = route("okay, all good again, close it", "incident.resolve", {}, 0.97)
    followed = apply_context(close, previous, 0.45)
    assert followed.skill == "incident.resolve"
    assert followed.slots["service"] == "ledger"


@pytest.mark.parametrize("text", ["wake him up", "page her now"])
def test_a_person_pronoun_points_at_the_previous_target(text: str) -> None:
    previous = TurnContext("incident.oncall", {"service": "billing"}, [])
    followed = apply_context(route(text, "incident.page", {"action": "page"}, 0.99), previous, 0.45)
    assert followed.slots["service"] == "billing"


@pytest.mark.parametrize(("previous_slots", "key"), [({"team": "ledger"}, "team"), ({"person": "zoe"}, "person")])
def test_a_bare_name_replaces_the_previous_team_or_person(previous_slots: dict, key: str) -> None:
    previous = TurnContext("cost.summary", previous_slots, [])
    followed = apply_context(route("and for growth?"), previous, 0.45)
    assert followed.slots[key] == "growth"
    assert "service" not in followed.slots


def test_the_words_that_killed_a_run_ask_why_it_failed() -> None:
    previous = TurnContext("cicd.status", {}, ["7000000001"])
    followed = apply_context(route("the release one - what killed it", "cicd.status", {}, 0.8), previous, 0.45)
    assert followed.skill == "cicd.failure"


def test_looking_closer_at_an_item_is_no_change_the_router_guessed() -> None:
    previous = TurnContext("incident.list", {}, ["PA1", "PB2"])
    closer = route("drill into the billing one", "incident.page", {}, 0.6)
    assert apply_context(closer, previous, 0.45).skill == "incident.brief"


def test_an_item_of_a_list_with_no_detail_skill_asks_the_list_again() -> None:
    previous = TurnContext("security.findings", {"region": "eu-west-1"}, ["f-1"])
    item = route("the miner one, which host", "infra.describe", {}, 0.3)
    followed = apply_context(item, previous, 0.45)
    assert followed.skill == "security.findings" and followed.slots["region"] == "eu-west-1"


def test_an_unsure_anaphor_takes_the_reading_in_the_previous_turns_domain() -> None:
    previous = TurnContext("cost.summary", {}, ["Amazon EC2"])
    unsure = Route(text="anything odd in there?", agent="incident", skill="incident.list", confidence=0.1,
                   alternatives=[("help", 0.12), ("infra.action", 0.1), ("cost.anomalies", 0.05)])
    unsure = unsure.model_copy(update={"text": "anything odd in that?"})
    followed = apply_context(unsure, previous, 0.45)
    assert (followed.skill, followed.confidence) == ("cost.anomalies", 0.45)
    sure = unsure.model_copy(update={"text": "any incident open on that?", "confidence": 0.8})
    assert apply_context(sure, previous, 0.45).skill == "incident.list"


def test_a_question_going_on_in_the_same_skill_keeps_its_subject() -> None:
    previous = TurnContext("incident.oncall", {"service": "ledger"}, ["Some One"])
    followed = apply_context(route("and who's the backup?", "incident.oncall", {}, 0.9), previous, 0.45)
    assert followed.slots["service"] == "ledger"
    other = apply_context(route("and who's on call for growth?", "incident.oncall", {"service": "growth"}, 0.9),
                          previous, 0.45)
    assert other.slots["service"] == "growth"
    elsewhere = apply_context(route("and what did we spend?", "cost.summary", {}, 0.9), previous, 0.45)
    assert "service" not in elsewhere.slots


def test_the_month_before_a_whole_month_is_the_calendar_month() -> None:
    previous = TurnContext("cost.summary", {"time_range": {"start": "2026-03-01", "end": "2026-04-01"}}, [])
    followed = apply_context(route("and the month before?"), previous, 0.45)
    assert (followed.slots["time_range"]["start"], followed.slots["time_range"]["end"]) == ("2026-02-01", "2026-03-01")


def test_an_unsure_change_on_it_is_the_change_of_the_previous_turns_domain() -> None:
    """After a failed run, "patched the schema, kick it again" read as an ack by an unsure
    router is the rerun of that run (approval still required); a confident reading is kept."""
    failure = TurnContext("cicd.failure", {"repo": "driftwood/payments-api", "run_id": 42}, ["42"])
    unsure = Route(text="patched the schema, kick it again", agent="incident", skill="incident.ack", confidence=0.3,
                   slots={}, alternatives=[("infra.action", 0.25), ("cicd.rerun", 0.2)])
    followed = apply_context(unsure, failure, 0.45)
    assert (followed.skill, followed.agent, followed.confidence) == ("cicd.rerun", "cicd", 0.45)
    sure = unsure.model_copy(update={"confidence": 0.9})
    assert apply_context(sure, failure, 0.45).skill == "incident.ack"
    nothing_in_domain = unsure.model_copy(update={"alternatives": [("infra.action", 0.25)]})
    assert apply_context(nothing_in_domain, failure, 0.45).skill == "incident.ack"


@pytest.mark.parametrize("text", ["kick it again", "ok restart it", "go on, run it"])
def test_a_restart_on_it_after_a_ci_turn_is_the_rerun_however_sure_of_a_machine(text: str) -> None:
    failure = TurnContext("cicd.failure", {"repo": "driftwood/payments-api", "run_id": 42}, ["42"])
    machine = route(text, "infra.action", {}, 0.92)
    followed = apply_context(machine, failure, 0.45)
    assert (followed.skill, followed.agent, followed.slots.get("run_id")) == ("cicd.rerun", "cicd", 42)


def test_a_machine_verb_no_ci_run_takes_or_a_machine_thread_keeps_the_machine_action() -> None:
    failure = TurnContext("cicd.failure", {"repo": "driftwood/payments-api", "run_id": 42}, ["42"])
    assert apply_context(route("stop it", "infra.action", {}, 0.92), failure, 0.45).skill == "infra.action"
    described = TurnContext("infra.describe", {"resource_name": "search-indexer-1"}, ["i-0abc"])
    assert apply_context(route("restart it", "infra.action", {}, 0.92), described, 0.45).skill == "infra.action"


def test_a_message_opening_on_one_item_of_a_list_is_about_that_item_in_the_lists_domain() -> None:
    findings = TurnContext("security.findings", {"cloud": "aws"}, ["f-1", "f-2"])
    elsewhere = route("the ssh brute force one - what host and region", "infra.describe", {}, 0.5)
    followed = apply_context(elsewhere, findings, 0.45)
    assert (followed.skill, followed.slots.get("cloud")) == ("security.findings", "aws")


@pytest.mark.parametrize(("listed", "text"), [
    ("security.public_storage", "which subscription is that one in?"),
    ("security.open_ports", "and where is it?"),
    ("cost.savings", "was it the old reporting vm?"),
])
def test_a_question_of_it_after_a_listing_of_cloud_resources_asks_that_listing(listed: str, text: str) -> None:
    previous = TurnContext(listed, {"cloud": "azure"}, ["r-1"])
    followed = apply_context(route(text, "infra.describe", {}, 0.8), previous, 0.45)
    assert (followed.skill, followed.slots.get("cloud")) == (listed, "azure")


def test_a_question_of_it_after_an_incident_stays_with_the_infrastructure_reading() -> None:
    previous = TurnContext("incident.brief", {"incident_id": "P1"}, ["P1"])
    followed = apply_context(route("where does it run?", "infra.describe", {}, 0.8), previous, 0.45)
    assert followed.skill == "infra.describe"


@pytest.mark.parametrize("text", ["tell me about the ledger one", "ok details on the checkout one"])
def test_asking_more_about_one_item_is_the_listings_detail_however_sure_the_router_is(text: str) -> None:
    previous = TurnContext("incident.list", {}, ["P1", "P2"])
    confident_elsewhere = route(text, "infra.describe", {}, 0.8)
    followed = apply_context(confident_elsewhere, previous, 0.45)
    assert (followed.skill, followed.agent) == ("incident.brief", "incident")


@pytest.mark.parametrize(("skill", "is_run"), [("cicd.status", True), ("cicd.failure", True),
                                               ("infra.describe", False), ("infra.inventory", False)])
def test_a_long_number_is_a_run_only_after_a_ci_turn_for_the_target_and_for_a_listed_item(
        skill: str, is_run: bool) -> None:
    """One rule for both readings of the previous answer: "rerun it" (its target) and "the
    second one" (an item by its place). Elsewhere the number is a name (a Compute Engine id)."""
    previous = TurnContext(skill, {}, ["7000000001", "7000000002"])
    assert (_target_of(previous) == {"run_id": "7000000001"}) is is_run
    assert (_nth_item(previous, "rerun the second one") == {"run_id": "7000000002"}) is is_run
    if not is_run:
        assert _target_of(previous) == {"resource_name": "7000000001"}
        assert _nth_item(previous, "the second one") == {"resource_name": "7000000002"}


def test_paging_them_after_asking_for_a_level_pages_that_level() -> None:
    backup_asked = TurnContext("incident.oncall", {"service": "ledger", "level": 2}, ["Some One"])
    paged = apply_context(route("ok get them on the phone", "incident.page", {}, 0.9), backup_asked, 0.45)
    assert (paged.slots["service"], paged.slots["level"]) == ("ledger", 2)
    named = apply_context(route("page her instead", "incident.page", {"person": "zoe"}, 0.9), backup_asked, 0.45)
    assert "level" not in named.slots
    first_asked = TurnContext("incident.oncall", {"service": "ledger"}, ["Some One"])
    assert "level" not in apply_context(route("page them", "incident.page", {}, 0.9), first_asked, 0.45).slots


def test_a_progress_remark_after_a_brief_is_about_that_incident() -> None:
    brief = TurnContext("incident.brief", {"service": "search"}, ["P5SRCH1", "i-0abc1234def"])
    remark = route("indexer caught up, error rate flat for 15 min", "incident.list", {}, 0.95).model_copy(
        update={"mood": "reported", "requested_skill": "incident.resolve"})
    followed = apply_context(remark, brief, 0.45)
    assert (followed.skill, followed.slots["incident_id"]) == ("incident.brief", "P5SRCH1")
    listing = TurnContext("incident.list", {}, ["P5SRCH1", "P6OTHR2"])
    assert apply_context(remark, listing, 0.45).skill == "incident.list"  # after a list: which one is unsaid


def test_an_unsure_short_question_in_the_same_domain_keeps_the_subject() -> None:
    status = TurnContext("cicd.status", {"service": "ledger", "env": "prod"}, ["7310000009"])
    followed = apply_context(route("ok so what broke there", "cicd.failure", confidence=0.3), status, 0.45)
    assert (followed.skill, followed.slots.get("service")) == ("cicd.failure", "ledger")
    sure = apply_context(route("any failed builds anywhere", "cicd.failure", confidence=0.9), status, 0.45)
    assert "service" not in sure.slots  # a confident question of its own keeps its own scope


# Narrowing the previous list with a verb ("narrow it down to X") and looking closer at one run
# of a list asked for its failures (written for evals13d's fixes).

INCIDENTS = TurnContext("incident.list", {}, ["P7K2M9Q", "P3H8W1R"])


@pytest.mark.parametrize(("text", "name"), [("narrow it down to search", "search"),
                                            ("restrict that to auth please", "auth"),
                                            ("can you limit to checkout", "checkout")])
def test_narrowing_the_previous_list_to_a_name_repeats_it_for_that_name(text: str, name: str) -> None:
    followed = apply_context(route(text, skill="cost.summary"), INCIDENTS, 0.45)
    assert followed.skill == "incident.list" and followed.slots["service"] == name


RED_RUNS = TurnContext("cicd.status", {"turn_text": "which pipelines are broken right now"}, ["7310000002"])
ALL_RUNS = TurnContext("cicd.status", {"turn_text": "list this week's workflow runs"}, ["7310000002"])


def test_looking_closer_at_one_run_of_a_list_of_failures_asks_why_it_failed() -> None:
    followed = apply_context(route("drill into the infra one", skill="infra.describe"), RED_RUNS, 0.45)
    assert followed.skill == "cicd.failure"


def test_looking_closer_at_one_run_of_a_plain_list_stays_a_status() -> None:
    followed = apply_context(route("drill into the infra one", skill="infra.describe"), ALL_RUNS, 0.45)
    assert followed.skill == "cicd.status"


@pytest.mark.parametrize("text", ["hm how do those numbers measure up against the week before?",
                                  "so was it higher than the previous period?"])
def test_the_answer_set_beside_the_period_before_is_the_same_question_for_that_period(text: str) -> None:
    # a sure reading of another domain (the runbook on cost spikes) does not take it away either
    followed = apply_context(route(text, "knowledge.runbook", confidence=0.9), COST, 0.45)
    assert followed.skill == "cost.summary" and followed.slots["region"] == "us-east-1"
    assert (followed.slots["time_range"]["start"], followed.slots["time_range"]["end"]) == ("2026-10-25", "2026-11-01")


def test_the_answer_set_beside_a_named_period_takes_that_period() -> None:
    october = {"start": "2026-10-01", "end": "2026-11-01", "label": "october"}
    followed = apply_context(route("how does that look next to october?", "cost.summary", {"time_range": october},
                                   confidence=0.3), COST, 0.45)
    assert followed.skill == "cost.summary" and followed.slots["time_range"] == october


def test_the_answer_set_beside_no_period_is_another_question() -> None:
    # "how does that compare to our budget?" names no period: not the spend question again
    followed = apply_context(route("how does that compare to our budget?", "cost.forecast", confidence=0.9), COST, 0.45)
    assert followed.skill == "cost.forecast"


@pytest.mark.parametrize("text", ["so is anything in there unusual?", "any of that look weird to you",
                                  "was there a spike in it", "is that abnormal?"])
def test_something_abnormal_asked_of_a_spend_is_its_anomaly_check(text: str) -> None:
    # "abnormal" said of the spend just shown asks whether that spend holds an anomaly, for the
    # same scope; the incident list (what the router may read in "unusual") is not about spend
    spend = TurnContext("cost.summary", {"service": "search", "time_range": "last 7 days"}, ["Amazon EC2"])
    followed = apply_context(route(text, "incident.list", {}, 0.7), spend, 0.45)
    assert followed.skill == "cost.anomalies" and followed.slots == {"service": "search"}


def test_abnormal_words_without_the_spend_or_after_another_answer_stay_as_read() -> None:
    spend = TurnContext("cost.summary", {"service": "search"}, [])
    # naming no previous answer: a question of its own
    assert apply_context(route("any unusual incidents today", "incident.list", {}, 0.9), spend,
                         0.45).skill == "incident.list"
    logs = TurnContext("infra.logs", {"service": "search"}, [])
    assert apply_context(route("anything unusual in there?", "infra.logs", {}, 0.9), logs, 0.45).skill == "infra.logs"


def test_it_after_a_savings_answer_naming_one_resource_is_that_resource() -> None:
    # one unattached volume listed: "how large is it?" describes that volume; after several
    # candidates "it" picks none, and a spend question's "it" stays the spend
    one = TurnContext("cost.savings", {}, ["vol-0aa11bb22cc33dd44"])
    size = apply_context(route("how large is it?", "infra.describe", {}, 0.44), one, 0.45)
    assert size.skill == "infra.describe" and size.slots["resource_name"] == "vol-0aa11bb22cc33dd44"
    several = TurnContext("cost.savings", {}, ["vol-0aa11bb22cc33dd44", "eipalloc-1"])
    assert "resource_name" not in apply_context(route("how large is it?", "infra.describe", {}, 0.44),
                                                several, 0.45).slots
    forecast = apply_context(route("where will it land", "cost.forecast", {}, 0.9), one, 0.45)
    assert "resource_name" not in forecast.slots


def test_a_remark_with_no_change_in_it_is_never_lifted_to_a_change() -> None:
    # "that's not the one I meant" after a failed run, guessed (unsurely) as a change: no verb of a
    # change is said, so the guess stays unsure and the graph asks instead of proposing a re-run
    failure = TurnContext("cicd.failure", {"repo": "driftwood/payments-api", "run_id": 42}, ["42"])
    remark = Route(text="hmm, not the run I was asking about", agent="cicd", skill="cicd.rerun", confidence=0.12,
                   slots={}, alternatives=[("cicd.status", 0.1)])
    assert apply_context(remark, failure, 0.45).confidence == 0.12
    asked = remark.model_copy(update={"text": "ok go on, run it"})
    assert apply_context(asked, failure, 0.45).confidence == 0.45


def test_a_question_pointing_back_with_no_word_to_the_bot_is_no_catalogue_question() -> None:
    # "and how does that stack up against aws?" after a GCP listing: the model leaned to help,
    # but the words point at the answer and say nothing to or of the bot
    listing = TurnContext("infra.inventory", {"cloud": "gcp"}, ["gce-bastion"])
    compared = Route(text="and how does that stack up against aws?", agent="help", skill="help",
                     confidence=0.55, slots={"cloud": "aws"}, alternatives=[("infra.inventory", 0.3)])
    # unsure now, the turn is the listing again, over the cloud it names
    assert apply_context(compared, listing, 0.45).model_dump(include={"skill", "confidence", "slots"}) == {
        "skill": "infra.inventory", "confidence": 0.45, "slots": {"cloud": "aws"}}
    asked = compared.model_copy(update={"text": "can you do that for aws too?"})
    assert apply_context(asked, listing, 0.45).confidence == 0.55
