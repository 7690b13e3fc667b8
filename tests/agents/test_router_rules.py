"""Router rules come from grammar or tunable data, never from the files that measure them.

A rule's literal text is every finite phrase its regex spells out (alternations and
optional words expanded, ``\\s+`` read as one space, open-ended parts such as ``\\w*`` cut
the phrase). A literal that occurs in held-out data (route_test.yaml, route_blind.yaml)
but in neither the training utterances nor a dev set was learnt from the test: the test
fails. It names the rule (its skill and its place in RULES) and how many of its literals,
never the literals themselves: which phrase occurs in held-out data is itself a fact about
the held-out data. Justify each literal of that rule that no training or dev text uses, or
drop it.
"""

from __future__ import annotations

import re
from pathlib import Path
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest
import yaml

from agents.mood import _NOMINAL_REQUEST, occurrences
from agents.router import UTTERANCES_PATH
from agents.router_rules import (
    _NAMED,
    COMPARISON,
    HELP,
    HOWTO,
    OPEN_INCIDENT,
    RULES,
    SKILL_NAMES,
    STRONG,
    action_talked_about,
    asked_words,
    rule_boosts,
    without_ruled_out_tail,
)

HERE = Path(__file__).parent
HELD_OUT = ("route_test.yaml", "route_blind.yaml")
TUNABLE = ("route_dev.yaml", "route_dev_external.yaml", "route_dev2.yaml", "route_dev3.yaml", "route_dev4.yaml",
           "route_dev5.yaml", "route_dev6.yaml", "route_dev7.yaml", "route_dev8.yaml",
           "non_action_corpus.yaml")
MAX_EXPANSIONS = 64

Items = list[tuple[Any, Any]]


def _finite(op: Any, av: Any) -> bool:
    """Whether one regex node spells a finite, small set of strings."""
    if op in (sre.LITERAL, sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return True
    if op is sre.IN:
        return _is_space(av) or (all(o is sre.LITERAL for o, _ in av) and len(av) <= 3)
    if op is sre.SUBPATTERN:
        return all(_finite(o, a) for o, a in av[-1])
    if op is sre.BRANCH:
        return all(all(_finite(o, a) for o, a in branch) for branch in av[1])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        _, high, sub = av
        return all(_finite(o, a) for o, a in sub) and (high == 1 or all(o is sre.IN for o, _ in sub))
    return False


def _is_space(av: Any) -> bool:
    return any(o is sre.CATEGORY and a is sre.CATEGORY_SPACE for o, a in av)


def _expand(items: Items) -> set[str]:
    """All strings a finite sequence spells (callers check ``_finite`` first)."""
    out = {""}
    for op, av in items:
        out = {a + b for a in out for b in _options(op, av)}
    return out


def _options(op: Any, av: Any) -> set[str]:
    if op is sre.LITERAL:
        return {chr(av)}
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return {""}
    if op is sre.IN:
        return {" "} if _is_space(av) else {chr(a) for _, a in av}
    if op is sre.SUBPATTERN:
        return _expand(av[-1])
    if op is sre.BRANCH:
        return {text for branch in av[1] for text in _expand(branch)}
    low, high, sub = av
    inner = _expand(sub)
    if high != 1:  # a repeated character class: spaces or separators
        return {" "}
    return ({""} if low == 0 else set()) | inner


def _segments(items: Items) -> list[set[str]]:
    """Maximal finite runs of a sequence, each expanded; recurse into open-ended groups."""
    segments: list[set[str]] = []
    current = {""}
    for op, av in items:
        if _finite(op, av):
            options = _options(op, av)
            if len(current) * len(options) <= MAX_EXPANSIONS:
                current = {a + b for a in current for b in options}
                continue
            segments.append(current)
            current = options if len(options) <= MAX_EXPANSIONS else {""}
            continue
        segments.append(current)
        current = {""}
        if op is sre.SUBPATTERN:
            segments += _segments(av[-1])
        elif op is sre.BRANCH:
            for branch in av[1]:
                segments += _segments(branch)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            segments += _segments(av[2])
    segments.append(current)
    return segments


def literals(pattern: str) -> set[str]:
    """The phrases (three characters or more) a regex spells out literally."""
    phrases = {" ".join(text.split()).strip(" -'") for segment in _segments(list(sre_parse.parse(pattern)))
               for text in segment}
    return {phrase for phrase in phrases if len(phrase) >= 3}


def _texts(name: str) -> list[str]:
    cases = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))["cases"]
    return [" ".join(str(case["text"]).lower().split()) for case in cases]


def _rule_patterns() -> list[tuple[str, str]]:
    """(a label naming the rule, one of its regexes) for every rule and grammar pattern."""
    patterns = [("HELP", HELP.pattern), ("HOWTO", HOWTO.pattern), ("COMPARISON", COMPARISON.pattern),
                ("OPEN_INCIDENT", OPEN_INCIDENT.pattern), ("mood._NOMINAL_REQUEST", _NOMINAL_REQUEST.pattern)]
    for index, rule in enumerate(RULES):
        patterns.append((f"RULES[{index}] ({rule.skill})", rule.pattern.pattern))
        if rule.unless is not None:
            patterns.append((f"RULES[{index}] ({rule.skill}, unless)", rule.unless.pattern))
    return patterns


def _occurs(phrase: str, texts: list[str], *, as_prefix: bool = False) -> bool:
    """Whether ``phrase`` occurs as whole words (or, ``as_prefix``, as the start of a word:
    "charge" is seen when "charges" is)."""
    found = re.compile(r"(?<!\w)" + re.escape(phrase) + ("" if as_prefix else r"(?!\w)"))
    return any(found.search(text) for text in texts)


def test_literals_expand_alternations_and_optional_words() -> None:
    found = literals(r"\b(?:catch me up|taking (?:this|it)(?: one)?)\b|\bfoo\w*bar")
    assert {"catch me up", "taking this", "taking this one", "taking it one", "foo", "bar"} <= found


def test_no_rule_literal_is_learnt_from_held_out_data() -> None:
    training = yaml.safe_load(UTTERANCES_PATH.read_text(encoding="utf-8"))
    seen = [" ".join(str(text).lower().split()) for texts in training.values() for text in texts]
    for name in TUNABLE:
        seen += _texts(name)
    held_out = [text for name in HELD_OUT for text in _texts(name)]
    phrases = [(label, phrase) for label, pattern in _rule_patterns() for phrase in literals(pattern)]
    assert len({phrase for _, phrase in phrases}) > 300  # the expansion really reads the rules
    leaked: dict[str, int] = {}
    for label, phrase in phrases:
        if _occurs(phrase, held_out) and not _occurs(phrase, seen, as_prefix=True):
            leaked[label] = leaked.get(label, 0) + 1
    assert not leaked, ("rules with literals found in held-out data but in no training or dev text "
                        f"(counts only; see the module docstring): {leaked}")


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("raise a P1 for settlement failures", "incident.page"),
        ("please open an incident for the checkout latency", "incident.page"),
        ("march vs april spend for the ledger account", "cost.summary"),
        ("how do we rotate the tls cert on the edge proxy", "knowledge.runbook"),
    ],
)
def test_grammar_rules_tip_the_skill(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_a_comparison_of_periods_is_not_a_forecast() -> None:
    past, _ = rule_boosts("september vs october spend by service")
    ahead, _ = rule_boosts("will october and november spend be higher than september")
    assert past[SKILL_NAMES.index("cost.summary")] > past[SKILL_NAMES.index("cost.forecast")]
    assert ahead[SKILL_NAMES.index("cost.summary")] == 0.0


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("what did the ledger squad merge since tuesday", "cicd.changes"),
        ("what did cloudfront come to in q3", "cost.summary"),
        ("is the nightly build still queued", "cicd.status"),
        ("burn rate projection for gcp", "cost.forecast"),
        ("which hosts are on an older generation, c4 or m3", "cost.savings"),
        ("list unacknowledged pages", "incident.list"),
        ("any signs of a compromised host or a brute force on ssh", "security.findings"),
        ("timeouts from the resizer lambda overnight", "infra.logs"),
        ("how secure are we on the gcp side", "security.posture"),
    ],
)
def test_vocabulary_rules_found_by_the_dev3_eval_cases(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_a_ci_word_in_another_clause_is_not_the_machine_verbs_object() -> None:
    other_clause, strong = rule_boosts("power off the build-agent-3 box, no builds till monday")
    assert strong and SKILL_NAMES[int(other_clause.argmax())] == "infra.action"
    same_clause, _ = rule_boosts("restart the nightly build job")
    assert SKILL_NAMES[int(same_clause.argmax())] == "cicd.rerun"


def test_dns_not_resolving_asks_for_no_incident_resolve() -> None:
    boosts, _ = rule_boosts("our dns keeps not resolving the internal zone, runbook?")
    assert boosts[SKILL_NAMES.index("incident.resolve")] <= 0.0
    assert SKILL_NAMES[int(boosts.argmax())] == "knowledge.runbook"


def test_a_pronoun_subject_is_not_a_health_question_about_a_named_thing() -> None:
    boosts, _ = rule_boosts("are we still running m3 or c4 families anywhere")
    assert boosts[SKILL_NAMES.index("infra.describe")] == 0.0


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("what is broken in the release pipeline", "cicd.failure"),
        ("api latency is weird, what should we check first", "knowledge.runbook"),
        ("help me troubleshoot a flapping health check", "knowledge.runbook"),
        ("anything listening on 6379 from outside?", "security.open_ports"),
        ("what's carol handling in pd right now", "incident.list"),
        ("is ledger-vm-3 stopped", "infra.describe"),
        ("volumes not attached anywhere", "cost.savings"),
        ("which db servers are down right now", "infra.inventory"),
    ],
)
def test_vocabulary_rules_found_by_the_dev4_eval_cases(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def _top(text: str) -> str:
    boosts, _ = rule_boosts(text)
    return SKILL_NAMES[int(boosts.argmax())]


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        # a how-to question after a clause that sets the scene
        ("quick one about the vpn, how do we renew the client cert", "knowledge.runbook"),
        # how to spend less is a savings question, not a document
        ("how can I trim the aws bill a bit", "cost.savings"),
        # a bare money noun
        ("spend?", "cost.summary"),
        # who or what drove an amount
        ("what drove the snowflake charges up on monday", "cost.anomalies"),
        # the current pace, where spend ends up, a trend against the budget
        ("at this pace where will gcp spending finish in december", "cost.forecast"),
        ("is marketing trending above budget", "cost.forecast"),
        # paying for what nobody uses
        ("are we paying for clusters no one uses", "cost.savings"),
        # two periods compared by a money adjective
        ("was september pricier than the month before", "cost.summary"),
        # spend per month of a stack whose name says logging
        ("how much is the logging cluster costing per day", "cost.summary"),
        # a money word inside a hyphenated name is a name
        ("recent releases of billing-service", "cicd.changes"),
        ("how stable is the orders queue", "infra.describe"),
        ("what's the etl worker whining about", "infra.logs"),
        ("pull dmesg output from db-7", "infra.logs"),
        ("how did the release pipeline go", "cicd.status"),
        ("what differs between 2.3 and 2.4 of the mobile app", "cicd.changes"),
        ("sitrep on the dns outage for the exec sync with the on-call", "incident.brief"),
        ("anything labelled team=growth", "infra.inventory"),
        ("do we have a guide for renewing certs", "knowledge.runbook"),
        ("meaning of the ERR_QUOTA error", "knowledge.runbook"),
        ("is redis listening to the internet on 6379", "security.open_ports"),
        ("guard duty alerts this week", "security.findings"),
        ("the release pipeline stopped at the lint stage", "cicd.failure"),
        ("deploy stuck at the canary step, what's up", "cicd.failure"),
    ],
)
def test_constructions_found_by_the_dev2_dev_external_and_dev3_misses(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_an_address_is_no_version() -> None:
    boosts, _ = rule_boosts("what is different on 10.0.1.5")
    assert boosts[SKILL_NAMES.index("cicd.changes")] == 0.0


def test_a_machine_verb_about_a_ci_run_is_no_machine_action_talked_about() -> None:
    assert action_talked_about("the release pipeline stopped at the lint stage") is None
    assert action_talked_about("did anyone stop payments-api-1 yesterday") == ("infra.action", "past")


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("can the reporting replicas be downsized", "cost.savings"),
        ("are the bastions still unpatched", "security.findings"),
        ("any hosts exposed to heartbleed", "security.findings"),
        ("nat gateway charges quadrupled since the migration", "cost.anomalies"),
        ("what's cloud run gonna cost us over the summer", "cost.forecast"),
        ("do you support gcp at all", "help"),
        ("is kms encryption enforced on the exports bucket", "security.public_storage"),
        ("which queues does the team have in eu-west-2", "infra.inventory"),
    ],
)
def test_constructions_found_by_fresh_probes(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_a_capability_question_naming_a_target_is_no_help() -> None:
    boosts, _ = rule_boosts("are you able to restart web-edge-2")
    assert boosts[SKILL_NAMES.index("help")] == 0.0


def test_a_logs_bucket_is_no_log_request() -> None:
    boosts, _ = rule_boosts("who can read the logs bucket of the cdn")
    assert boosts[SKILL_NAMES.index("infra.logs")] == 0.0


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("could everyone on the web fetch files from the assets bucket", "security.public_storage"),
        ("integration tests flaked on a dns hiccup, just kick them again", "cicd.rerun"),
        ("release history of the ledger service", "cicd.changes"),
        ("news on the sev1 in eu-west", "incident.brief"),
        ("summarize the paging storm from this morning", "incident.brief"),
        ("what do I type to see findings", "help"),
    ],
)
def test_constructions_found_by_a_third_probe(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_why_it_ran_again_is_no_rerun() -> None:
    boosts, _ = rule_boosts("why did the nightly run again at noon")
    assert boosts[SKILL_NAMES.index("cicd.rerun")] <= 0.0


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("the kafka consumer keeps crashlooping, steps?", "knowledge.runbook"),
        ("redis memory is full - what's the drill", "knowledge.runbook"),
        ("edge latency is awful, what should we be looking at", "knowledge.runbook"),
        ("who's the secondary for ledger", "incident.oncall"),
        ("whose pager goes off if search dies overnight", "incident.oncall"),
        ("ping the ledger on-call please", "incident.page"),
        ("who picked up the kafka lag alert and what did they note", "incident.brief"),
        ("what's open right now for the ledger team", "incident.list"),
        ("the release pipeline fell over again, oom?", "cicd.failure"),
        ("gcp bill seems off, what's driving that", "cost.anomalies"),
        ("are we still paying for that nat gateway nobody uses", "cost.savings"),
        ("where is the azure spend heading for", "cost.forecast"),
        ("what is gcp likely to cost this quarter", "cost.forecast"),
        ("which region is burning the most budget", "cost.summary"),
        ("list everything the ledger team owns", "infra.inventory"),
        ("which azure machines are deallocated", "infra.inventory"),
        ("ledger-db-2 - engine version and storage?", "infra.describe"),
        ("are we vulnerable to log4shell", "security.findings"),
        ("can people grab files from the reports bucket without signing in", "security.public_storage"),
    ],
)
def test_vocabulary_rules_found_by_the_dev5_eval_cases(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_what_is_open_on_a_port_is_no_incident_question() -> None:
    boosts, _ = rule_boosts("what's open on 6443 from outside")
    assert boosts[SKILL_NAMES.index("incident.list")] == 0.0


def test_exposure_to_the_internet_is_no_finding() -> None:
    boosts, _ = rule_boosts("is anything exposed to the internet on 3389")
    assert boosts[SKILL_NAMES.index("security.findings")] == 0.0


# --- route_dev5.yaml: where the ask sits, and the frames that carry it (wording of their own)


def _boost(text: str, skill: str) -> float:
    boosts, _ = rule_boosts(text)
    return float(boosts[SKILL_NAMES.index(skill)])


@pytest.mark.parametrize(
    ("text", "skill", "ruled_out"),
    [
        ("not after the projection, just what egress cost us in april", "cost.summary", "cost.forecast"),
        ("don't care about our overall posture, just show me vulnerable hosts in staging", "security.findings",
         "security.posture"),
        ("no need to retry, I want the failing step of the ledger pipeline", "cicd.failure", "cicd.rerun"),
    ],
)
def test_after_a_negated_clause_only_the_ask_counts_and_the_negated_skill_counts_against(
        text: str, skill: str, ruled_out: str) -> None:
    assert _top(text) == skill
    assert _boost(text, ruled_out) < 0.0


def test_a_negated_clause_without_an_alternative_keeps_its_question() -> None:
    # "don't restart it" alone (no "just ...") is still about the machine: the question about it
    assert _top("don't restart cache-7, it is serving traffic") == "infra.describe"


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        # the ask is the last sentence, after a discourse marker
        ("the invoice looked normal. separately, is the new build of ledger-ui live yet?", "cicd.status"),
        # a condition closed before the request
        ("once the backlog drains, i'd like to stop ingest-worker-4", "infra.action"),
        # a request after a statement: the statement is context
        ("the nightly crashed on a flaky test, please run it again", "cicd.rerun"),
        # opening an incident and paging at the head of a later clause
        ("login is broken for all users, open an incident and page the identity team", "incident.page"),
        # a question embedded in "tell me ..."
        ("just tell me how to drain a kubernetes node safely", "knowledge.runbook"),
    ],
)
def test_the_ask_is_read_where_it_sits(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_a_statement_before_a_request_counts_half() -> None:
    whole = _boost("the nightly crashed on a flaky test", "cicd.failure")
    assert whole > 0.0
    assert _boost("the nightly crashed on a flaky test, please run it again", "cicd.failure") == whole / 2


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("do you also cover kubernetes or just vms?", "help"),
        ("can you deal with azure subscriptions", "help"),
        ("who is allowed to modify the prod roles", "security.iam"),
        ("is cache-7 up or down", "infra.describe"),
        ("has the hotfix build gone out yet", "cicd.status"),
        ("trunk green yet?", "cicd.status"),
        ("release pipeline red, reason?", "cicd.failure"),
        ("anything modified in the terraform modules since friday", "cicd.changes"),
        ("saw the queue alert, i'll take it", "incident.ack"),
        ("an overview of the dns outage please", "incident.brief"),
        ("what did inspector flag on the build hosts", "security.findings"),
        ("bring cache-7 back online", "infra.action"),
    ],
)
def test_constructions_found_by_route_dev5(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_handling_a_named_incident_is_no_capability_question() -> None:
    assert _boost("can you handle the checkout incident", "help") == 0.0


def test_an_overview_of_security_is_no_incident_brief() -> None:
    assert _boost("an overview of our security posture", "incident.brief") == 0.0


def test_what_a_scanner_found_is_no_incident_brief() -> None:
    assert _boost("what did defender find overnight", "incident.brief") == 0.0


@pytest.mark.parametrize("text", ["what's deploying to prod atm?", "is anyone building the api right now"])
def test_what_is_being_built_or_deployed_now_is_the_ci_status(text: str) -> None:
    assert _top(text) == "cicd.status"


def test_why_a_build_is_deploying_slowly_is_not_a_status_rule() -> None:
    assert _boost("why is it deploying so slowly", "cicd.status") == 0


def test_what_this_thing_can_do_is_help() -> None:
    boosts, strong = rule_boosts("new here - what can this thing really do?")
    assert (SKILL_NAMES[int(boosts.argmax())], strong) == ("help", True)


def test_one_more_go_at_a_ci_run_is_a_rerun() -> None:
    assert _top("the integration tests timed out on a flaky runner, another go please") == "cicd.rerun"


def test_another_go_without_a_ci_word_is_no_rerun_rule() -> None:
    assert _boost("give the coffee machine another go", "cicd.rerun") == 0


def test_what_to_know_when_joining_an_incident_is_the_brief() -> None:
    assert _top("just got paged into the checkout outage, what should we know?") == "incident.brief"


def test_a_state_asked_of_anything_is_a_listing() -> None:
    assert _top("any vms running in frankfurt right now?") == "infra.inventory"
    assert _boost("what stopped the payments box last night?", "infra.inventory") == 0


@pytest.mark.parametrize("text", ["lambda charges since the 1st?", "what's our s3 bill since last tuesday"])
def test_spend_since_a_moment_is_the_spend_over_that_period(text: str) -> None:
    assert _top(text) == "cost.summary"


def test_spend_that_jumped_since_a_moment_is_not_a_summary_rule() -> None:
    assert _boost("why has the s3 bill jumped since monday", "cost.summary") == 0


@pytest.mark.parametrize("text", ["are the two reporting legacy vms still up?", "is our old eu search server down"])
def test_a_machine_named_in_plain_words_asked_for_its_state_is_its_description(text: str) -> None:
    assert _top(text) == "infra.describe"


def test_a_build_asked_for_its_state_is_no_machine_description() -> None:
    assert _boost("is the nightly build box running", "infra.describe") == 0


@pytest.mark.parametrize("text", ["orders api on fargate: healthy vs desired?",
                                  "what's the desired count on the worker"])
def test_running_against_desired_is_one_services_state(text: str) -> None:
    assert _top(text) == "infra.describe"


@pytest.mark.parametrize("text", ["how many vms do we run in frankfurt", "how many databases are there in prod?"])
def test_how_many_machines_is_the_inventory(text: str) -> None:
    assert _top(text) == "infra.inventory"


@pytest.mark.parametrize("text", ["how many buckets are public", "how many instances are idle", "how many vms cost us"])
def test_how_many_qualified_by_a_finding_or_saving_is_no_inventory_rule(text: str) -> None:
    assert _boost(text, "infra.inventory") < 3.0


def test_a_team_dealing_with_something_holds_incidents() -> None:
    assert _top("are the data folks handling anything at the moment") == "incident.list"


@pytest.mark.parametrize("text", ["any roles out there with god-mode perms?", "which policies allow everything",
                                  "do we have anything granting full admin",
                                  "which roles are allowed to do anything at all"])
def test_a_policy_that_can_do_everything_is_an_iam_question(text: str) -> None:
    assert _top(text) == "security.iam"


def test_a_topic_before_a_colon_is_context_and_what_it_alone_names_counts_half() -> None:
    # "deploy" names CI only in the topic; the question after the colon asks for spend
    boosts, _ = rule_boosts("after friday's deploy: what did compute cost us this week?")
    assert SKILL_NAMES[int(boosts.argmax())] == "cost.summary"
    assert _boost("quick one for the handover: what's still open", "incident.list") == 3.0


@pytest.mark.parametrize("text", ["how's the checkout-web pipeline looking", "how's the nightly build going?"])
def test_how_a_ci_run_is_going_with_a_contraction_is_its_status(text: str) -> None:
    assert _top(text) == "cicd.status"


def test_money_spent_for_nothing_is_a_saving_to_make() -> None:
    assert _top("where are we throwing cash down the drain on azure") == "cost.savings"


@pytest.mark.parametrize(("text", "skill"), [
    ("what will azure come to over the coming quarter", "cost.forecast"),
    ("that vm idles at 2% all week, is it too large for the job it does?", "cost.savings"),
    ("send me the rdp exposure report", "security.open_ports"),
    ("is the fix sam pushed this morning live yet?", "cicd.status"),
    ("has somebody modified the dns terraform recently", "cicd.changes"),
    ("what exactly got deployed to staging on monday", "cicd.changes"),
    ("anything open in pagerduty right now", "incident.list"),
    ("how old is the analytics db snapshot", "infra.describe"),
])
def test_constructions_found_by_route_dev6_and_the_dev9_cases(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_how_old_a_credential_is_no_resource_description() -> None:
    assert _boost("how old are the deploy user's access keys", "infra.describe") == 0


def test_switching_a_machine_off_is_a_machine_action() -> None:
    boosts, strong = rule_boosts("switch off the reporting vm for the weekend")
    assert (SKILL_NAMES[int(boosts.argmax())], strong) == ("infra.action", True)


def test_restarting_a_build_box_is_a_machine_action_not_a_rerun() -> None:
    assert _top("please restart the jenkins build server in eu") == "infra.action"
    assert _boost("please restart the jenkins build server in eu", "cicd.rerun") == 0
    assert _top("restart the failed build on main") == "cicd.rerun"


@pytest.mark.parametrize("text", ["can you give it another shot, the nightly flaked",
                                  "have one more try at the ci run"])
def test_one_more_attempt_at_a_ci_run_however_asked_is_a_rerun(text: str) -> None:
    assert _top(text) == "cicd.rerun"


def test_after_a_semicolon_the_last_sentence_is_the_ask() -> None:
    assert _top("the build is green, yet the pods keep restarting; show me the app logs for cart") == "infra.logs"


@pytest.mark.parametrize(("text", "skill"), [
    ("not restarting anything, first tell me why the nightly died", "cicd.failure"),
    ("not the list, actually wake up the db on-call", "incident.page"),
])
def test_a_negated_lead_before_first_actually_or_a_gerund_leaves_only_the_ask(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_a_question_before_the_last_one_is_an_ask_too() -> None:
    assert _boost("status of the checkout outage? and what shipped today", "incident.brief") == _boost(
        "status of the checkout outage?", "incident.brief")


def test_a_function_timing_out_is_read_in_its_logs() -> None:
    assert _top("why's the thumbnail function crashing all of a sudden") == "infra.logs"


def test_an_anomaly_a_cloud_reported_is_a_spend_anomaly_unless_a_scanner_found_it() -> None:
    assert _top("email says 'anomaly detected in AWS Lambda' - real or noise?") == "cost.anomalies"
    assert _boost("guardduty shows anomalous behavior from an aws user", "cost.anomalies") == 0


def test_what_a_person_may_do_through_the_bot_is_help() -> None:
    boosts, strong = rule_boosts("new to the team - what am I permitted to run with guardian?")
    assert (SKILL_NAMES[int(boosts.argmax())], strong) == ("help", True)


@pytest.mark.parametrize(("text", "context", "asked"), [
    ("the pager rota changed on monday - what am I able to do with you now?", "incident.oncall", "help"),
    ("finance flagged the october invoice -- which buckets are world readable?", "cost.summary",
     "security.public_storage"),
])
def test_a_dash_before_a_question_ends_the_sentence_of_context(text: str, context: str, asked: str) -> None:
    """The statement before the dash is context, worth half its boost; the question is the ask."""
    statement = text.split(" -")[0]
    assert _boost(text, context) == _boost(statement, context) / 2 > 0
    assert _top(text) == asked


@pytest.mark.parametrize(("text", "unwanted", "asked"), [
    ("ignore the runbook for now; who is on call for search?", "knowledge.runbook", "incident.oncall"),
    ("skip the forecast - what did azure cost last week", "cost.forecast", "cost.summary"),
    ("don't page anyone yet \u2014 first show me the open incidents", "incident.page", "incident.list"),
    ("list the buckets, actually no - which ports are open to the world?", "security.public_storage",
     "security.open_ports"),
])
def test_a_skill_set_aside_or_taken_back_before_the_ask_counts_against(text: str, unwanted: str, asked: str) -> None:
    assert _boost(text, unwanted) <= 0 < _boost(text, asked)


@pytest.mark.parametrize(("text", "skill"), [
    ("where are the checkout releases at right now", "cicd.status"),
    ("where does the nightly pipeline stand", "cicd.status"),
    ("tried restarting the worker twice and clearing the queue, no luck. what should we be trying?",
     "knowledge.runbook"),
    ("shift change. open stuff + who's got what?", "incident.list"),
    ("> carol: on it > dana: same > guardian, catch dana up on the checkout incident", "incident.brief"),
    ("could you reboot servers?", "help"),
    ("explain your previous answer please", "help"),
    ("how do I word my question so you get it right", "help"),
])
def test_constructions_found_by_route_dev7_and_the_dev11_cases(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_what_one_should_do_through_the_bot_is_no_how_to() -> None:
    assert _boost("what should I be doing with guardian first?", "knowledge.runbook") == 0


def test_a_message_opening_on_page_someone_is_the_page_whatever_the_reason_sounds_like() -> None:
    assert _boost("page dana about the checkout error logs", "incident.page") == STRONG
    assert _boost("page through the checkout logs for errors", "incident.page") < STRONG


@pytest.mark.parametrize(("text", "named"), [
    ("can you re-run builds or only read them", False),
    ("is the on-call read-only", False),
    ("can you re-run payments-api ci", True),
])
def test_a_hyphenated_verb_or_adjective_is_no_resource_name(text: str, named: bool) -> None:
    assert bool(re.search(_NAMED, text)) is named


@pytest.mark.parametrize(("text", "skill", "strong"), [
    ("start web-3 please? want to try my branch there", "cicd.rerun", False),  # the CI word is the next sentence's
    ("start the tests on web-3 again", "cicd.rerun", True),
    ("which runtime does the thumbnailer-fn lambda use", "infra.describe", True),
    ("what's our rule when nobody acks within 10 minutes", "knowledge.runbook", True),
])
def test_constructions_found_by_the_dev13_cases(text: str, skill: str, strong: bool) -> None:
    assert (_boost(text, skill) > 0) is strong


def test_the_notes_on_a_named_incident_are_its_brief() -> None:
    assert _boost("any notes on pq7w2e9 yet? what has erin tried", "incident.brief") > 0
    assert _boost("release notes for the ledger service", "incident.brief") == 0  # no incident named


@pytest.mark.parametrize("text", [
    "new to the rota, whats our escalation procedure - who calls whom, when do we tell customers",
    "walk me through how we're supposed to rotate the db password",
    "what are we meant to do when a node goes NotReady",
])
def test_a_how_to_question_without_its_question_mark_is_still_the_ask(text: str) -> None:
    # a how-to clause before a dash-started question is asked too, not context worth half
    boosts, strong = rule_boosts(text)
    assert strong and boosts[SKILL_NAMES.index("knowledge.runbook")] >= STRONG + 2.0


@pytest.mark.parametrize("text", ["show me everybody on call this weekend", "names on-call for the data team?"])
def test_the_people_on_call_listed_are_the_rota(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == "incident.oncall"


@pytest.mark.parametrize(("text", "skill"), [
    ("do we have any rds instances or ebs disks without encryption", "security.posture"),
    ("snapshots that aren't encrypted - how many?", "security.posture"),
    ("which gcs buckets are unencrypted", "security.public_storage"),  # storage named: the storage check
    ("should we move the gp2 disks over to gp3", "cost.savings"),
    ("is migrating off gp2 worth it for us", "cost.savings"),
    ("gp2 to gp3 candidates?", "cost.savings"),
])
def test_encryption_of_disks_and_gp2_moves_tip_their_skill(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_which_volume_type_is_no_gp2_saving() -> None:
    boosts, _ = rule_boosts("the data volume on web-4, is it gp2 or gp3?")
    assert boosts[SKILL_NAMES.index("cost.savings")] == 0


@pytest.mark.parametrize("text", ["total spend for september so far - not the forecast!",
                                  "list the ec2 costs to date, rather than a projection"])
def test_a_trailing_clause_rules_its_skill_out(text: str) -> None:
    """What a trailing "not X" / "rather than X" names counts against, and the embedding reads
    only the ask before it."""
    boosts, _ = rule_boosts(text)
    assert boosts[SKILL_NAMES.index("cost.forecast")] < 0
    assert without_ruled_out_tail("spend so far, not the forecast") == "spend so far"


@pytest.mark.parametrize("text", ["forecast for december, not just the total",
                                  "will we blow the budget? not sure how to read the forecast"])
def test_a_clause_that_widens_or_hedges_rules_nothing_out(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert boosts[SKILL_NAMES.index("cost.forecast")] > 0
    assert without_ruled_out_tail(text) == text


@pytest.mark.parametrize(("text", "skill"), [
    ("turn off erin's console password until she's back", "security.iam"),
    ("close port 5432 on sg-0db1 asap", "security.open_ports"),
    ("which load balancers does storefront own?", "infra.inventory"),
])
def test_a_switch_or_close_of_no_machine_and_what_a_team_owns(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill
    assert boosts[SKILL_NAMES.index("infra.action")] <= 0 and boosts[SKILL_NAMES.index("incident.resolve")] <= 0


@pytest.mark.parametrize(("text", "skill"), [
    ("who has been committing to the ledger repo this week?", "cicd.changes"),
    ("the orders CI job is failing on a snapshot test, expected vs received pls", "cicd.failure"),
    ("ledger-api workflow history since monday: which ones passed and which ones failed", "cicd.status"),
    ("the release pipeline for orders, what went wrong", "cicd.failure"),
])
def test_ci_questions_said_through_people_values_and_history(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_what_happened_in_an_incident_stays_its_brief() -> None:
    boosts, _ = rule_boosts("what happened in the ledger outage last night")
    assert boosts[SKILL_NAMES.index("cicd.failure")] == 0


@pytest.mark.parametrize(("text", "asked"), [
    ("ok switching gears - is ledger-db encrypted?", "is ledger-db encrypted?"),
    ("unrelated but who's got the pager for orders", "who's got the pager for orders"),
    ("btw, how much did s3 cost in october", "how much did s3 cost in october"),
    ("what did s3 cost, not the forecast", "what did s3 cost"),
    ("a different question", "a different question"),
    ("ok. separately, any unattached volumes we still pay for?", "any unattached volumes we still pay for?"),
    ("other thing - is the ledger nightly green", "is the ledger nightly green"),
])
def test_the_models_read_the_ask_without_openers_about_the_conversation(text: str, asked: str) -> None:
    assert asked_words(text) == asked


@pytest.mark.parametrize("text", ["do you do kubernetes stuff as well?", "can guardian also handle gcp billing too",
                                  "what else can you do besides on-call lookups"])
def test_whether_the_bot_does_a_thing_too_is_its_catalogue(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == "help"


def test_what_else_is_wrong_is_no_catalogue_question() -> None:
    boosts, _ = rule_boosts("what else is broken in ci since the merge")
    assert boosts[SKILL_NAMES.index("help")] <= 0


@pytest.mark.parametrize("text", [
    "did the ledger retry/backoff PR land yet?",
    "is the retry logic change for the orders consumer merged",
    "what's the retry policy on the webhook queue",
])
def test_retry_as_the_name_of_a_change_or_setting_asks_for_no_rerun(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert boosts[SKILL_NAMES.index("cicd.rerun")] <= 0
    assert not any(occ.skill == "cicd.rerun" for occ in occurrences(text))


@pytest.mark.parametrize("text", ["retry the orders build", "can you retry it", "the nightly flaked, retry pls"])
def test_retry_as_a_verb_still_asks_for_a_rerun(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == "cicd.rerun"


def test_a_topic_the_ask_points_back_to_is_no_mere_context() -> None:
    # the CI noun is only in the topic before the dash; "there" makes it what is asked about
    boosts, _ = rule_boosts("carol's release pipeline for orders - what happened there")
    assert SKILL_NAMES[int(boosts.argmax())] == "cicd.failure"
    pointed, _ = rule_boosts("the orders outage - what happened there")
    assert SKILL_NAMES[int(pointed.argmax())] == "incident.brief"


@pytest.mark.parametrize("text", ["unrelated, but which postgres version is the orders db on",
                                  "what kubernetes version are the gke clusters running"])
def test_an_attribute_of_a_thing_named_by_its_kind_is_its_description(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == "infra.describe"


@pytest.mark.parametrize(("text", "skill"), [
    ("was dave paged about the ledger outage?", "incident.brief"),
    ("has anyone been notified for P4Q8R2T yet", "incident.brief"),
    ("which monitors are going off behind the search slowness", "incident.brief"),
])
def test_who_was_reached_and_what_is_going_off_is_the_incidents_brief(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_pages_going_off_and_alert_steps_are_not_read_as_a_brief() -> None:
    assert rule_boosts("any pages going off for orders?")[0][SKILL_NAMES.index("incident.brief")] <= 0
    assert rule_boosts("HighLatency firing on orders, steps?")[0][SKILL_NAMES.index("incident.brief")] <= 0


@pytest.mark.parametrize(("text", "asked"), [
    ("forget the bill. who's on call for orders?", "who's on call for orders?"),
    ("don't restart anything, just show me web-2's logs", "just show me web-2's logs"),
])
def test_the_models_read_the_ask_without_a_leading_clause_ruling_a_thing_out(text: str, asked: str) -> None:
    assert asked_words(text) == asked


@pytest.mark.parametrize("text", ["orders latency page, details?", "the ledger incident - deets pls",
                                  "search outage: more info?"])
def test_an_incident_named_then_details_is_its_brief(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == "incident.brief"


@pytest.mark.parametrize("text", ["what has the data team been spending on redshift since june",
                                  "what have we paid for cloudfront over the last 10 days"])
def test_what_someone_has_been_paying_is_the_spend(text: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == "cost.summary"


@pytest.mark.parametrize(("text", "skill"), [
    ("orders-archive-bucket: which region is it in?", "infra.describe"),
    ("which zone is that one running in", "infra.describe"),
    ("are we going to fail the pci audit with what's in this account", "security.posture"),
])
def test_where_one_thing_lives_and_passing_an_audit(text: str, skill: str) -> None:
    boosts, _ = rule_boosts(text)
    assert SKILL_NAMES[int(boosts.argmax())] == skill


def test_where_spend_is_highest_and_audit_logs_are_no_description_or_posture() -> None:
    assert rule_boosts("which region is our bill highest in")[0][SKILL_NAMES.index("infra.describe")] <= 0
    assert rule_boosts("pull the cloudtrail audit logs")[0][SKILL_NAMES.index("security.posture")] <= 0


@pytest.mark.parametrize(("text", "skill"), [
    ("hey, what's the status of the ledger builds - did they go red again overnight?", "cicd.status"),
    ("status on the search deploys pls", "cicd.status"),
    ("can you lock erin's console password till she enrols mfa", "security.iam"),
    ("revoke the old access keys on svc-reports please", "security.iam"),
    ("audit q: is cloudtrail on in all regions, or did someone switch it off somewhere?", "security.posture"),
    ("is aws config recording everywhere?", "security.posture"),
    ("OOMKilled: ledger-worker exited with code 137\nnext steps pls", "knowledge.runbook"),
    ("ledger-db failover alarm fired twice tonight. procedure?", "knowledge.runbook"),
    ("ImagePullBackOff on ledger-api (pod ledger-api-5d9)\nsteps?", "knowledge.runbook"),
])
def test_constructions_found_by_the_dev19_cases(text: str, skill: str) -> None:
    assert _top(text) == skill


def test_a_rerun_asked_after_a_red_build_stays_a_rerun() -> None:
    assert _boost("the ledger ci went red again, kick it off once more", "cicd.status") == 0


@pytest.mark.parametrize(("text", "asked"), [
    ("the box is barely used tbh. what did search spend on rds over the last month",
     "what did search spend on rds over the last month"),
    ('"WARN disk 91% on ledger-db" shows up every night. who is on call for ledger tonight',
     "who is on call for ledger tonight"),
])
def test_the_models_read_a_question_standing_on_its_own_after_a_statement(text: str, asked: str) -> None:
    assert asked_words(text) == asked


@pytest.mark.parametrize("text", [
    "the ledger bucket is public. who owns it?",  # leans on the statement
    "ledger spend looks weird - which service went up the most last week?",  # a dash keeps the scene
    "is ledger down? what changed in the ledger repo today",  # a question before it: both ask
    "ledger is slow. why?",  # too short to stand alone
    "ok cool. what other kinds of cost reports can you make?",  # "other" than the one just shown
])
def test_a_question_leaning_on_what_came_before_keeps_the_whole_message(text: str) -> None:
    assert asked_words(text) == text


def test_a_verb_in_a_pasted_system_line_talks_about_nothing() -> None:
    """"Back-off restarting failed container ..." is the cluster's line, not the person talking
    about a restart; a line the person wrote still does."""
    assert action_talked_about("Back-off restarting failed container ledger-api in pod ledger-api-5d9 "
                               "(ImagePullBackOff)\nany idea?") is None
    assert action_talked_about("kim rebooted ledger-worker-2 an hour ago\nis it healthy now?") is not None
