"""Follow-ups in a conversation, by grammar: an elliptical turn ("and in eu-west-1?", "what
about staging", "same for last month") repeats the previous skill with the new slots laid
over the old ones; an anaphoric one ("stop it", "reboot that one", "logs for it") keeps its
own skill and takes its target from the previous turn."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from agents.clarified import (
    ANSWERED,
    EARLIER,
    ITEMS,
    MEANT,
    ROWS,
    RUN_KIND,
    SAID,
    THREAD_KEYS,
    UNMADE,
    apply_choice,
    pick,
    target_slots,
)
from agents.conversations import TurnContext
from agents.focus import LISTED_WORDS
from agents.incident_turns import INCIDENT_ID as _INCIDENT_ID
from agents.incident_turns import every_listed_incident, question_of_the_incident_meant, the_other_incident
from agents.mood import imperative_skills, occurrences, requested_skills
from agents.route import Route
from agents.router_rules import ABOUT_THE_BOT, HELP, SKILL_NAMES, STRONG, rule_boosts
from agents.skills import SKILL_BY_NAME
from agents.slots.entities import find_action
from agents.slots.negation import without_ruled_out
from agents.slots.time import said_as_a_rate
from agents.slots.vocabulary import FOREIGN_POSSESSIVES, GENERIC
from agents.templates import asked_write
from agents.thread_words import ACK_LEAD, TOPIC_SHIFT, WRONG_TARGET, correction_rest, is_acknowledgement

_THANKS_LEAD = re.compile(r"^\W*" + ACK_LEAD + "+", re.I)
_ELLIPSIS = re.compile(
    r"^\W*" + ACK_LEAD + r"*(?:(?:ok|okay|and|also|now|then|so)\W+)*"
    r"(?:(?:what|how) about|and|"
    # "thank you! could you pull the same for storefront?": the repeat asked for with a verb
    r"(?:can|could|would) (?:you|u) (?:please |pls )?(?:pull|do|get|run|give me|show me|show|fetch|grab)\s+"
    r"(?:the )?same (?:thing |numbers? |again )?(?:for|in|with|on)|"
    # "same question but for gcp", "same thing again for staging"
    # "same thing but the gcp side": the place said without a preposition after "but"
    r"(?:the )?same (?:thing |question |deal |check |again )?(?:(?:(?:but|again|please|pls) )?(?:for|in|with|on)|"
    r"but)|also|"
    r"now|ok(?:ay)?|then|(?:as )?compared? (?:to|with)|versus|vs\.?|against|relative to)\b"
    r"(?:\W+(?:the|for|in|on|with|at|during|over|from))?\W+", re.I)
_BARE_QUALIFIER = re.compile(r"^\W*(?:in|for|on|over|during|from|since|only|just)\b|"
                             # "narrow it down to search", "filter to eu-west-1": the previous list, scoped
                             r"^\W*(?:(?:pls|please|can you|could you)\W+)?(?:filter|narrow|limit|restrict|scope)"
                             r"(?:\s+(?:it|that|this|those|them|these|the list))?(?:\s+down)?\s+to\b", re.I)
# A qualifier said after its noun ("prod ones only", "eu only pls"), maybe with what to leave out
# after it ("..., skip the bots", "..., not staging"): the previous question, narrowed
_ONLY_SAID_AFTER = re.compile(r"^\W*(?:[\w'-]+\s+){1,6}(?:only|alone)\b(?:\s+(?:pls|please|plz|thanks|thx))?"
                              r"\W*(?:$|[,;-]\s*(?:skip|not|no|except|without|minus|exclude|excluding|ignore|drop|"
                              r"leave out)\b[^?]*$)", re.I)
_OWN_QUESTION = re.compile(r"^\W*(?:who|what|which|why|how|where|when|is|are|was|were|does|do|did|can|could|"
                           r"show|list|give|tell|get|find|stop|start|reboot|restart|ack|resolve|page|rerun)\b", re.I)
# "this week", "that morning", "these days": a determiner of a period points at no earlier answer;
# nor does "after that", "since that", "before this": a moment of the story told, not its subject.
_ANAPHOR = re.compile(r"\b(?:it|its|their|theirs|hers|his|" + "|".join(sorted(FOREIGN_POSSESSIVES)) + "|"
                      r"(?<!after )(?<!before )(?<!since )(?<!until )(?<!till )(?:that|this)|"
                      r"them|those|these|that one|this one|the same one|same one|"
                      r"her|him|(?:in|from|out of|out|over) there)\b(?!\s+(?:week|weekend|month|morning|afternoon|"
                      r"evening|night|quarter|year|time|days|weeks|months|sprint|shift)\b)", re.I)
# Regrouping the previous answer: "break that down by region", "split it per team", "group those by tag".
# "same thing but per region", "same again by team": the previous question regrouped, said as its repeat
_REGROUP = re.compile(r"^\W*(?:(?:ok|okay|and|now|can you|could you|pls|please)\W+)*(?:(?:break|split|group|slice)\b"
                      r"(?:\s+(?:it|that|this|those|them|these)\b)?(?:\s+(?:down|out|up))?|"
                      r"(?:do\s+)?(?:the\s+)?same(?:\s+(?:thing|numbers?|question|deal|again|list|breakdown))?"
                      r"(?:\s+(?:but|again|just))?(?:\s+(?:broken\s+down|split|grouped))?)\s+(?:by|per)\b", re.I)
# A question opening on "which"/"what" that picks from the previous answer ("and which ones ...").
_WHICH_OPENING = r"^\W*(?:(?:and|so|ok(?:ay)?|but)\W+)?(?:which|what) "
# A subset of the previous answer: "which of those", "any of them", "only the ones in X", and a
# question opening on "which ones" ("which ones are prod?": "ones" stands for the listed noun).
# ("which from them", "how many among those": the partitive as colleagues put it in other words)
_PARTITIVE = re.compile(r"\b(?:which|what|how many|any|all|none|some|each|one|ones) (?:of|from|among|amongst) "
                        r"(?:those|them|these|that list)\b|"
                        r"\b(?:only|just) (?:the ones|those|these)\b|\bof (?:those|these)\b|"
                        + _WHICH_OPENING + r"ones\b|"
                        # "which one is alice's?": the listed item a person holds
                        + _WHICH_OPENING + r"one (?:is|was) [a-z][a-z0-9]*'s(?!\s*[a-z])|"
                        # "and which one is stopped?": the listed item in a state, one of the list
                        + _WHICH_OPENING + r"one (?:is|are) (?:still\s+)?(?:stopped|running|off|down|up|"
                        r"deallocated|terminated|unused|idle|unattached|public|open)\b", re.I)
# "the ones nothing is using", "those ones in prod" anywhere in the question: "ones" stands for the
# listed noun unless the router reads the words firmly as a question of their own ("show me the
# ones carol merged" after buckets asks about pull requests)
_THE_ONES = re.compile(r"\b(?:the|those|these) ones\b", re.I)
FIRM_READING = 0.75
NOISE_READING = 0.001  # a runner-up below this is the classifier's noise, not a reading
SURE_READING = 0.9  # a reading the router all but settled on
# Asking for more about something, with no domain of its own: "tell me more about X", "details on X".
_MORE_ABOUT = re.compile(r"^\W*(?:(?:ok|okay|and|so|now|pls|please)\W+)*(?:tell me (?:more )?about|more (?:on|about)|"
                         r"(?:any |some )?(?:more )?(?:details?|info) (?:on|about|for)|dig into|zoom in on)\b", re.I)
# Slots that say what to act on or where; a follow-up's own ones win.
_TARGET_SLOTS = ("instance_id", "resource_ids", "resource_name", "bucket", "incident_id", "incident_ids", "run_id",
                 "repo", "workflow", "service", "log_group")
MAX_ELLIPTICAL_WORDS = 8


def asked_part(text: str) -> str:
    """The message up to its question mark when a statement only follows it ("could you pull the
    same for storefront? management wants the two side by side"), or a question leaning on it
    ("and the month before that? was it higher or lower"): what follows asks nothing of its own,
    and leaves the question as short as it was."""
    question, mark, rest = text.partition("?")
    # "...? was it higher or lower" leans on the question ("it"); "...? which one isnt" asks its own
    leaning = mark and rest.strip() and "?" not in rest and (not _OWN_QUESTION.match(rest) or _ANAPHOR.search(rest))
    return question + mark if leaning else text


def is_elliptical(text: str) -> bool:
    """A short fragment with no question or request of its own, only new qualifiers ("and in
    eu-west-1?", "what about staging", "and the week before?"); "and who is on call?" asks
    its own question."""
    text = asked_part(text)
    unthanked = _THANKS_LEAD.sub("", text)
    if _ONLY_SAID_AFTER.match(unthanked) and not _ELLIPSIS.match(text):
        # "humans with a console login only pls, skip the bots": the qualifier said after its noun
        # ("what about the eu part only?" opens as an ellipsis, which the words after it decide)
        return not _OWN_QUESTION.match(unthanked) and not imperative_skills(text)
    words = unthanked.split()
    if not words or len(words) > MAX_ELLIPTICAL_WORDS:
        return False
    prefix = _ELLIPSIS.match(text) or _BARE_QUALIFIER.match(text)
    if prefix is None:
        return False
    # "ok so what broke": the question after the discourse words is a question of its own;
    # "ok fixed the migration, re-run it": a verb in the imperative is a request of its own
    rest = _DISCOURSE.sub("", text[prefix.end():])
    return not _OWN_QUESTION.match(rest) and not _asks_own_change(rest) and not imperative_skills(text)


# Where a sentence or a clause of a short message ends: "bumped the heap. kick it again".
_CLAUSE_END = re.compile(r"[.;!]\s+|,\s*|\s+-+\s+")


def _asks_own_change(rest: str) -> bool:
    """Whether any clause of the words opens on a change verb of its own: "ok bumped the node heap.
    kick it again" says what was done first, then asks the change; no ellipsis of the question."""
    return any(_OWN_CHANGE.match(_DISCOURSE.sub("", part)) for part in _CLAUSE_END.split(rest))


# "ok kick it off again", "ok retry the failed jobs": a change asked with a verb of its own after the
# discourse words, which no ellipsis of the previous question is
_OWN_CHANGE = re.compile(r"^\W*(?:kick(?:s|ed|ing)?|retry|re-?try|re-?run\w*|re-?trigger\w*|redo|re-?kick\w*|"
                         r"restart\w*|reboot\w*|bounce)\b", re.I)


# "ok but overall how are we doing": a contrast and a sentence adverb open a question of its own
_DISCOURSE = re.compile(r"^\W*(?:(?:so|ok|okay|and|well|um+|hm+|then|now|right|but|overall|in general|generally|"
                        r"all in all|actually|honestly|anyway|anyways)\W+)*", re.I)


def apply_context(route: Route, previous: TurnContext | None, threshold: float) -> Route:
    """``route`` with what the previous turn of the conversation lends it."""
    followed = _with_context(route, previous, threshold)
    if previous is None:
        return followed
    return question_of_the_incident_meant(followed, previous, bool(_ANAPHOR.search(followed.text)))


def _with_context(route: Route, previous: TurnContext | None, threshold: float) -> Route:
    if previous is None or previous.skill not in SKILL_BY_NAME or previous.skill == "help":
        return route
    if is_acknowledgement(route.text):  # "ok thx": nothing asked, and "thx" names nothing
        return _acknowledged(route)
    asked_change = str(previous.slots.get(UNMADE) or "") or \
        (previous.skill if SKILL_BY_NAME[previous.skill].mutating else "")
    if not asked_change and _WHO_MAY.search(route.text) and route.requested_skill is None \
            and not SKILL_BY_NAME[route.skill].mutating:
        # "if I wanted one of those switched off, who would have to sign off?" after a list: who
        # approves the change the words themselves name (asked of, not asked for)
        asked_change = asked_write(route) or ""
        if asked_change in SKILL_BY_NAME and SKILL_BY_NAME[asked_change].mutating:
            help_skill = SKILL_BY_NAME["help"]
            return route.model_copy(update={"skill": help_skill.name, "agent": help_skill.agent,
                                            "requested_skill": asked_change,
                                            "confidence": max(route.confidence, threshold)})
        asked_change = ""
    if _asks_who_may(route, threshold) and asked_change in SKILL_BY_NAME:
        # "who's allowed to approve that?" after a change was asked: how that change is allowed
        # and approved (the help answer's word on that write), not a guess at what "that" was
        help_skill = SKILL_BY_NAME["help"]
        return route.model_copy(update={"skill": help_skill.name, "agent": help_skill.agent,
                                        "requested_skill": asked_change,
                                        "confidence": max(route.confidence, threshold)})
    if route.skill == "help" and _ANAPHOR.search(route.text) and not _TO_THE_BOT.search(route.text.lower()):
        # "how does that compare to what we run in gcp?": a question pointing back at the answer,
        # with no word put to the bot, asks nothing of its catalogue however the model leans
        route = route.model_copy(update={"confidence": min(route.confidence, threshold - 0.01)})
    route = _asked_about_in_domain(route, previous)
    chosen = apply_choice(route, previous, threshold)
    if chosen is not None:  # "the second one" after "which of these did you mean?"
        return chosen
    progress = _incident_progress(route, previous)
    if progress is not None:  # "p95 back under 2s" after a brief: that incident, not the list
        return progress
    rota = _rota_of_the_briefed(route, previous) or _rota_of_the_level(route, previous, threshold)
    if rota:  # "if carol doesn't pick up, who's next" after a brief: that incident's rota; "page the
        # secondary" after who is on call for a team: that team's second level
        return route.model_copy(update={"slots": {**route.slots, **rota}})
    if _asks_the_pager(route, previous):
        # "is that tied to the pd thing that's firing?" after logs: a question the words put to the
        # paging system, which the router read (however unsure) as an incident question, is that
        # incident question; "that" is what the earlier answer showed, not the skill to ask again
        return route.model_copy(update={"confidence": max(route.confidence, threshold)})
    if TOPIC_SHIFT.search(route.text) and not _ANAPHOR.search(route.text):
        # "ok unrelated - anything paging?", "different question: ...": the speaker says this turn
        # is not about the previous one, so it borrows nothing from it ("btw is it public too?"
        # still points back)
        return route
    if _DISMISSED.search(route.text) and route.confidence >= FIRM_READING \
            and route.skill != previous.skill and not SKILL_BY_NAME[route.skill].mutating:
        # "neither of those looks off, so what is driving it?": the listed things are ruled out, and
        # the question after them is one the router is sure of: nothing of theirs is lent
        return route
    previous = _resumed(route.text, previous)
    items = previous.slots.get(ITEMS)
    rows = previous.slots.get(ROWS)
    said = str(previous.slots.get(SAID) or "")
    answered = str(previous.slots.get(ANSWERED) or "")
    previous = TurnContext(previous.skill, {key: value for key, value in previous.slots.items()
                                            if key not in THREAD_KEYS}, previous.resources)
    corrected = _corrected(route, previous, said, threshold)
    if corrected is not None:  # "no, I meant the gcp one": the previous question, set right
        return corrected
    checked_again = _same_check_in_its_own_words(route, previous, threshold)
    if checked_again is not None:
        # "ticket says 'lock down stdriftwoodpay, it was flagged public' - is it?" after a check on
        # another cloud: the same check, where it was made, of what the message itself names
        return checked_again
    if route.skill == "knowledge.runbook" and previous.skill != route.skill and said and _ANAPHOR.search(route.text) \
            and route.requested_skill is None and not _compares_a_period(route) \
            and not _antecedent_in_the_message(route.text):
        # "would acking it stop the escalation?": "it" is the target
        # "how do I lock that down" after a list of public buckets: the runbook for what "that" was,
        # in the words asked and the answer's lead (a brief asked by number names its alert there)
        return route.model_copy(update={"slots": {**route.slots, ABOUT: f"{said} {answered}".strip()}})
    if route.skill == "knowledge.runbook" and route.confidence >= FIRM_READING and route.requested_skill is None \
            and _antecedent_in_the_message(route.text):
        # "the pool exhausted one, what's our playbook for that" after log errors: the procedure
        # for what the message itself names first, not that item described again by the list's check
        return route
    route = _without_context_word(route, previous)
    ruled = _grammar_reads_the_thread(route, previous, threshold)
    if ruled is not None:
        # "that 3389 group, anything using it or is it orphaned?" after open security groups, read as
        # a machine's description: the grammar reads the thread's own check in the words too, firmly
        return ruled
    if _why_it_was_listed(route, previous, items):
        # "why is analytics-batch-1 on there?" after a savings list: why the list holds that item,
        # which the list's own check says of it (its row), not the item's description; of the whole
        # list, not the top few it was cut to ("1 of 7 candidates", not "1 of 3")
        asked = _asked_again(route, previous, threshold)
        return asked.model_copy(update={"slots": {key: value for key, value in asked.slots.items() if key != "limit"}})
    machine = _machine_change_after_machines(route, previous, threshold) \
        or _machine_verb_on_it(route, previous, threshold)
    if machine is not None:
        return machine
    failed = _failure_signature_of_a_run(route, previous, threshold)
    if failed is not None:  # "exit 137 - oom or something else?" after a red run: why that run failed
        return failed
    why = _why_the_red_run(route, previous, items, threshold) or _log_lines_of_the_red_run(route, previous, items)
    if why is not None:  # "why not?" after "is CI green on that branch?" showed a red run: why it failed
        return why
    more = _more_from_the_author(route, previous, answered, threshold)
    if more is not None:  # "anything else from them lately?" after who merged a change: their changes
        return more
    meant = _person_meant(route, previous)
    if meant:  # "is she dealing with anything open?" after who is on call: the person it named
        route = route.model_copy(update={"slots": {**route.slots, "person": meant}})
    if _account_matter_of_one_named(route, previous, threshold):
        # "can you lock his console until he enrols a device?" after users without MFA, read (unsure)
        # as a page or an incident: a matter of that account's own sign-in, which the account check
        # answers of the one the answer named (it changes no account itself)
        skill = SKILL_BY_NAME[previous.skill]
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                        "slots": {**route.slots, MEANT: list(previous.resources)},
                                        "confidence": max(route.confidence, threshold)})
    if _points_at_an_account(route, previous):
        # "does that person have MFA?" after the admins: the one the answer named, which the
        # answer's rows (users, not policies) tell apart
        route = route.model_copy(update={"slots": {**route.slots, MEANT: list(previous.resources)}})
    detail = _detail_skill(previous.skill, route.text, said)
    asks_a_change = _asks_a_change(route)
    targeted = any(key in route.slots for key in _TARGET_SLOTS)
    other = the_other_incident(route, previous)
    if other:  # "not that one, the other one - ack it" after a brief: not the briefed incident
        return route.model_copy(update={"slots": {**route.slots, **other}})
    every = every_listed_incident(route, previous, rows) if not targeted else []
    if every:
        # "both are fixed, resolve both" after a list of two incidents: each of them, one approval
        return route.model_copy(update={"slots": {**route.slots, "incident_ids": every}})
    picked = _nth_item(previous, route.text, items, rows) if not targeted else {}
    if picked:
        # "brief me on the second one", "ack the first one": that row of the previous list
        skill = SKILL_BY_NAME[route.skill if route.confidence >= threshold or not detail else detail]
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                        "slots": {**route.slots, **picked},
                                        "confidence": max(route.confidence, threshold)})
    # a list with no skill of its own for one item ("the crypto one" after findings): the
    # same list again, when the router has no better reading
    listed = _listed_item(route, items, previous.resources) \
        if asks_a_change and not any(key in route.slots for key in _TARGET_SLOTS) else None
    if listed:
        # "the deallocated one - start it back up" after a list: the one listed item the words fit
        return route.model_copy(update={"slots": {**route.slots, **listed}})
    # "the crypto one - which box is it": a message opening on one item of the list is about it
    # ... unless the message then asks another domain, surely, about a target it names itself ("the
    # checkout latency one - anything in web-1's logs?" asks web-1's logs, not the incident again)
    # (a name inside "the X one" is the row's own description, no target of the turn's)
    row_words = " ".join(found.group(0).lower() for found in _ONE_OF_THE_LIST.finditer(route.text))
    own_target = route.confidence >= threshold and route.agent != SKILL_BY_NAME[previous.skill].agent \
        and any(isinstance(route.slots.get(key), str) and str(route.slots[key]).lower() not in row_words
                for key in _TARGET_SLOTS)
    # "the payments one - is it from the deploy that went red?" after incidents: the rest of the
    # message asks another domain, surely, of its own noun (the deploy), not the item again
    own_target = own_target or (bool(row_words) and _names_another_domain(
        route, previous, threshold, _ONE_OF_THE_LIST.sub(" ", route.text)))
    about_one = bool(_MORE_ABOUT.match(route.text) or _OPENS_ON_ONE.match(route.text)) and not own_target
    # "the big one - did anomaly detection flag it?" after a spend: the item is named first, then
    # asked a question another skill of the same agent answers, which the router is sure of and
    # reads nothing of the list's own skill in: that question, of the item
    asked_of_one = about_one and not _MORE_ABOUT.match(route.text) and route.confidence >= SURE_READING \
        and route.agent == SKILL_BY_NAME[previous.skill].agent and route.skill != previous.skill \
        and not _reads_also(route, previous.skill) and not SKILL_BY_NAME[route.skill].mutating \
        and not _ASKS_WHAT_IT_CONCERNS.search(route.text)
    # "is the port probe thing on the bastion serious?" after findings, read as another check of
    # the same agent with the list's own skill as its next reading: the item is the list's
    also_read = route.agent == SKILL_BY_NAME[previous.skill].agent and _reads_also(route, previous.skill) \
        and bool(_ONE_OF_THE_LIST.search(route.text))
    # "is the 300 day old one still being used?" after stale keys, which the router reads as CI: an
    # item of the list pointed at and asked of in none of the other agent's own nouns is the list's
    unnamed_elsewhere = _asked_of_an_item_in_no_words_of(route, previous)
    # "is the partner one readable by everyone?" after public buckets on gcp: the list's own check
    # again, of one of its items, which lives where the list was looked up (its cloud), not in the
    # cloud a request naming none goes to
    same_check = route.skill == previous.skill and not any(key in route.slots for key in _PLACE_SLOTS)
    described = detail or (previous.skill if (route.confidence < threshold or about_one or also_read
                                              or unnamed_elsewhere or same_check)
                           and not SKILL_BY_NAME[previous.skill].mutating else None)
    # "what about the ledger sync one" after the logs of one service: the same question of
    # another service (the ellipsis below), not one item of the previous answer
    renamed = not detail and "service" in previous.slots and is_elliptical(route.text) \
        and bool(_bare_name(route, previous))
    one_of_them = bool(_ONE_OF_THE_LIST.search(route.text) or _THE_ONE_QUALIFIED.search(route.text)
                       or _ONE_USED_BY.search(route.text))
    if described and one_of_them and not asks_a_change and not renamed and (
            route.confidence < threshold or route.agent == SKILL_BY_NAME[previous.skill].agent or about_one
            or unnamed_elsewhere):
        # "tell me more about the payments one" after a list: the one item the words pick out,
        # described by the list's own domain (its words, not the previous slots, say which);
        # "who's the secondary for the checkout one" asks a question of its own of that item,
        # which the router is sure of in the same domain: that question, of the item
        # (unless the router also read the list's own question: "the port probe thing" after findings)
        # ("the anonymous access one - acl or policy?" after findings: a message opening on the item
        # still asks its own question when the router is firm on another check of the same agent
        # and has no reading of the list's own)
        # (a reading barely over the threshold is no question of its own: "which one's worse? break
        # down the high urgency one" read at 0.45 as the rota is the item's brief)
        own_question = (route.confidence >= max(threshold, FIRM_READING)
                        and route.skill not in (previous.skill, described)
                        and (not about_one or _own_check_of_an_item(route, previous)) and not also_read
                        and not SKILL_BY_NAME[route.skill].mutating and not unnamed_elsewhere) or asked_of_one
        skill = SKILL_BY_NAME[route.skill if own_question else described]
        # the listed item the words fit, when exactly one does ("the analytics one" after a list of
        # databases is that database, not a function of the same name elsewhere); "details on that
        # one" after a list of a single item: that item, which no words describe
        untargeted = not any(key in route.slots for key in _TARGET_SLOTS)
        only = _slots_of(items[0]) if untargeted and isinstance(items, list) and len(items) == 1 \
            and _THAT_ONE.search(route.text) else {}
        one = (_listed_item(route, items, previous.resources) or only) if untargeted else {}
        if own_question and skill.name in _ABOUT_ACCOUNTS and one:
            # "the IAM.5 one - is that user an admin?" after findings: the account the row is about,
            # which the account check's answer picks out of its own rows (a finding's name or ARN
            # is no account name to narrow by)
            one = {MEANT: _accounts_named(one)}
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                        "slots": {**_where(previous), **_log_source_of(route, previous, skill.name),
                                                  **one, **route.slots},
                                        "confidence": max(route.confidence, threshold)})
    if _WHAT_MOVES_IT.search(route.text) and route.confidence < threshold \
            and not SKILL_BY_NAME[previous.skill].mutating and not any(key in route.slots for key in _TARGET_SLOTS):
        # "what's pulling it down the most?" after a score or a total: what the previous answer's
        # figure is made of, which that answer's own rows say (the router is unsure of anything else)
        return _asked_again(route, previous, threshold)
    if _ABOUT_THE_ANSWER.fullmatch(route.text) and not SKILL_BY_NAME[previous.skill].mutating:
        # "since when?", "how many is that?": a question about the previous answer, not a topic
        return _asked_again(route, previous, threshold)
    # (a shorter version asked while the router is sure of a question of its own names its subject:
    # "tl;dr of 1038" is that incident's brief, "... app logs? 1-2 lines, for the exec update" the logs)
    restated = bool(_RESTATED.search(route.words)) and route.confidence < threshold \
        and not any(key in route.slots for key in _TARGET_SLOTS)
    if (restated or _NARROWS_THE_ANSWER.search(route.words)) \
            and not SKILL_BY_NAME[previous.skill].mutating and not _requests_its_change(route):
        # "now a short version of that for the exec channel", "only the eu-west-1 stuff from that
        # list": the previous answer again, shorter or narrowed by this turn's words
        return _asked_again(route, previous, threshold)
    if (_COVERAGE.search(route.text) or (_CAUSE_OF_IT.search(route.text) and previous.skill in _TOTALS)) \
            and not SKILL_BY_NAME[previous.skill].mutating and not SKILL_BY_NAME[route.skill].mutating \
            and not any(key in route.slots for key in _TARGET_SLOTS):
        # "does it even cover eu-west-1?" after a check: the same check over the place named;
        # "is any of that from unencrypted volumes?" after a score: what the score is made of,
        # which its own rows say (a check of one kind of resource would not add up to it)
        return _asked_again(route, previous, threshold)
    if (is_elliptical(route.text) or _WIDENING.fullmatch(route.text) or _compares_a_period(route)
            or _same_question_elsewhere(route, previous) or _same_question_put_to_the_bot(route, previous)) \
            and not _requests_its_change(route) and not _names_another_domain(route, previous, threshold) \
            and not _names_another_check(route, previous) and not _asks_another_side_of_it(route, previous):
        skill = SKILL_BY_NAME[previous.skill]
        if skill.mutating:  # "and bastion-2?" after an action proposes nothing by ellipsis alone
            return route
        named = _bare_name(route, previous)
        slots = {**_kept_for(route, previous), **route.slots, **named}
        if _grouped_key(previous) in named:  # "just payments" after a spend by team: that team alone
            slots.pop("group_by", None)
        for key in widened_slots(route.text):  # "all regions then": the previous scope, no longer narrowed
            if key not in route.slots:  # "and everywhere in eu-west-1?" still names its own region
                slots.pop(key, None)
        if _OTHER_REGION.search(route.text) and "region" not in route.slots and skill.agent in _SCANS_REGIONS \
                and str(previous.slots.get("region") or "").count("-") == 2:
            # "and the other region?" after one AWS region: every configured region but that one
            # (the scans of these agents read "!region" so; a bill's region filter does not)
            slots["region"] = "!" + str(previous.slots["region"])
        earlier = _period_before(route.text, previous.slots.get("time_range"))
        if earlier:
            slots["time_range"] = earlier
        beside = _incident_beside(route.text, previous, answered) if "incident_id" not in route.slots else None
        if beside:  # "and the one before?" after a brief of #1042: the incident numbered before it
            slots["incident_id"] = beside
        if said:  # the words asked so far: "how do I fix that" next looks up both
            slots[SAID] = f"{said} {route.text}"
            if _ONLY_SAID_AFTER.match(_THANKS_LEAD.sub("", route.text)) and LISTED_WORDS not in slots:
                # "console users only" after "who has no mfa": the same list narrowed, so its
                # focus (no MFA) still reads the words it was asked in
                slots[LISTED_WORDS] = said
        if skill.name == "cost.forecast" and _over(slots.get("time_range")):
            skill = SKILL_BY_NAME["cost.summary"]  # "what about last month" after a forecast: what it cost
        elif skill.name == "cost.summary" and route.skill == "cost.forecast" and route.confidence >= threshold \
                and _runs_on(route.slots.get("time_range")):
            # "and the outlook to the end of the month?" after a spend: the same scope, looked
            # ahead (the words' own period runs past today), which the bill has no line for yet
            skill = SKILL_BY_NAME["cost.forecast"]
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent, "slots": slots,
                                        "confidence": max(route.confidence, threshold)})
    if _restates_the_list(route, previous):
        # "include the resolved ones as well" after a list of open incidents: the same list, in the
        # states the words say (an incident's state is asked of no other skill's rows)
        asked = _asked_again(route, previous, threshold)
        if said and previous.skill in _RATED_LISTS:
            # "include the mediums too" after the crits and highs: the levels shown, and the new one
            asked = asked.model_copy(update={"slots": {**asked.slots, LISTED_WORDS: said}})
        return asked
    if _REGROUP.match(route.text) and not SKILL_BY_NAME[previous.skill].mutating:
        # the previous question again, grouped the new way
        return _asked_again(route, previous, threshold)
    if _PARTITIVE.search(route.text) and _checks_a_listing(route, previous, threshold):
        # "are any of them world-readable?" after a plain list of buckets: a property only a check of
        # another domain judges, asked of the listed items (their place is lent, not the list's skill)
        lent = {key: previous.slots[key] for key in _LISTING_SCOPE if key in previous.slots}
        if said:  # "any of those unattached?" after "list our elastic ips": those are elastic ips
            lent[LISTED_WORDS] = said
        return route.model_copy(update={"slots": {**lent, **route.slots}})
    if (_PARTITIVE.search(route.text) or (_THE_ONES.search(route.text) and route.confidence < FIRM_READING)) \
            and not SKILL_BY_NAME[previous.skill].mutating and not _put_to_the_bot(route, threshold) \
            and not any(key in route.slots for key in _TARGET_SLOTS if key not in _qualifiers_of(previous)) \
            and not imperative_skills(route.text):
        # "which of those are in us-east-1": a subset of what the previous answer listed, so
        # the previous question again with the new qualifiers (its target is not lent); "which of
        # those belong to search" after an inventory: the owning service narrows the list too.
        # "Those" are the kind just listed: a machine noun in the words ("which of them run on
        # node") names no other kind
        asked = _asked_again(route, previous, threshold)
        kind = {"resource_type": previous.slots["resource_type"]} if "resource_type" in previous.slots else {}
        return asked.model_copy(update={"slots": {**asked.slots, **kind}})
    if _SUBSET_ABOUT.search(route.text) and _lists_cloud_items(previous) \
            and not SKILL_BY_NAME[route.skill].mutating and route.skill != previous.skill \
            and (route.confidence < threshold or route.skill in ("infra.describe", "infra.inventory")):
        # "is any of that about the bastion?" after findings: whether the list just shown holds
        # an item about that thing, which the list answers (a description of the thing does not)
        return _asked_again(route, previous, threshold)
    if _ANAPHOR.search(route.text) and not any(key in route.slots for key in _TARGET_SLOTS) \
            and _asks_after_a_listed_resource(route, previous):
        # "which resource group is it in?" after public storage: the previous answer's item, whose
        # table says where it is; a description of "it" by the infrastructure agent cannot find it
        return _asked_again(route, previous, threshold)
    if previous.skill == "cost.savings" and route.skill != previous.skill \
            and (_ANAPHOR.search(route.text) or _ONE_OF_THE_LIST.search(route.text)) \
            and (_SAVING.search(route.text) or (route.skill == "cost.summary" and (
                "time_range" not in route.slots or said_as_a_rate(route.slots["time_range"])))) \
            and not SKILL_BY_NAME[route.skill].mutating:
        # "how much would all that save a month?", "what does that one cost us?" after savings
        # candidates: what the items cost and save is in that list's own rows ($/month each), not
        # in the bill, which has no line per volume or address ("what did those cost last month?"
        # names a period of the bill: the bill)
        return _asked_again(route, previous, threshold)
    if _SHARE_OF.search(route.text) and previous.skill == route.skill == "cost.summary" \
            and not _names_another_cloud(route, previous):
        # "how much of that was search?" after a spend: a share of that same spend (its period,
        # its scope), narrowed by what this turn names
        return _asked_again(route, previous, threshold)
    if _idle_thing_priced(route, previous, answered):
        # "so it's just sitting there? what's it costing us?" after a volume shown unattached: the
        # bill has no line per volume or address; the savings check prices each idle resource a month
        skill = SKILL_BY_NAME["cost.savings"]
        lent = {key: previous.slots[key] for key in _LISTING_SCOPE if key in previous.slots}
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                        "slots": {**lent, LISTED_WORDS: said, **route.slots},
                                        "confidence": max(route.confidence, threshold)})
    if _abnormal_in_the_spend(route, previous):
        # "anything in there out of the ordinary?" after a spend: whether that spend holds an
        # anomaly, which the anomaly detection says for the same scope (not the incident list)
        skill = SKILL_BY_NAME["cost.anomalies"]
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                        "slots": {**_spend_scope_of(previous), **route.slots},
                                        "confidence": max(route.confidence, threshold)})
    if _ANAPHOR.search(route.text) and not any(key in route.slots for key in _TARGET_SLOTS) \
            and _unsure_description_of_a_row(route, previous, threshold):
        # "whose is it?" after old access keys: a row of that list, asked of its own domain
        closest = _reading_in_domain(route, previous, threshold)
        if closest is not None:
            return closest
    if (_ANAPHOR.search(route.text) or _spenders_said_again(route, previous)
            or _the_machine_changed(route, previous) or _target_left_out(route, previous)) \
            and not any(key in route.slots for key in _TARGET_SLOTS):
        # "the ledger one, restart it" when two listed items fit: the words name it, not the first item
        lent = _place_of(route, previous) if _points_at_a_place(route.text, previous) else \
            _listed_spend_scope(previous) if _spend_of_a_listing(route, previous) else \
            _place_of(route, previous) if _checks_the_listed_ones(route, previous) else \
            _target_of(previous, route.text) if _lends_its_target(route, previous) and listed is None \
            and not _names_another_cloud(route, previous) and not _words_pick_among(route.text, previous, items) \
            else _spend_scope(route, previous)
        if "team" in route.slots:  # "and for the platform team...": the team named is the subject now
            lent.pop("service", None)
        lent.update(_level_paged(route, previous))
        lent.update(_briefed_incident(route, previous, lent))
        route = _change_in_domain(route, previous, threshold)
        if "incident_id" in lent and detail and not route.skill.startswith("incident.") \
                and route.confidence < threshold:
            # "deets on that one - how far behind did it get?" after a list of incidents, read
            # (unsure) as another domain's: "it" is a listed incident, which only the incident
            # tools take; when the router had that item's description as a reading, it is taken
            closest = _reading_in_domain(route, previous, threshold)
            if closest is not None and closest.skill == detail:
                return closest.model_copy(update={"slots": {**lent, **route.slots}})
        same_domain = SKILL_BY_NAME[previous.skill].agent == route.agent and route.confidence < threshold \
            and (not SKILL_BY_NAME[route.skill].mutating or _says_a_change(route.text))
        if lent or same_domain:
            # "and where will it end up?" after a spend question: a close call in the same domain
            # as the turn it refers to is answered, not met with a clarifying question; a change
            # only when the words say one ("hm, that's not the one I care about" after a failed
            # deploy is no re-run: it stays unsure, and an unsure change is asked about)
            confidence = max(route.confidence, threshold) if same_domain else route.confidence
            return route.model_copy(update={"slots": {**lent, **route.slots}, "confidence": confidence})
        closest = _reading_in_domain(route, previous, threshold)
        if closest is not None:
            return closest
    only_run = _only_run_of(route, previous)
    if only_run:
        # "just retry the failed jobs" after why one run failed: that run, not the newest failure anywhere
        return route.model_copy(update={"slots": {**route.slots, "run_id": only_run}})
    only_incident = _only_incident_of(route, previous)
    if only_incident:
        # "mine. acknowledge pls" after a list of one incident, "ok escalate to the backup" after a
        # brief: a change of an incident that names none acts on the one the previous answer named
        return route.model_copy(update={"slots": {**route.slots, "incident_id": only_incident}})
    subjectless = not route.slots and len(route.text.split()) <= MAX_SUBJECTLESS_WORDS
    # an unsure short question in the previous turn's domain ("ok so what actually broke" after
    # a failed deploy's status) is asked of the same subject too
    unsure_in_domain = subjectless and route.confidence < threshold \
        and route.agent == SKILL_BY_NAME[previous.skill].agent and not SKILL_BY_NAME[route.skill].mutating
    if (_CONTINUES.match(route.text) or subjectless or _WHICH_OF_THEM.match(route.text)) \
            and (route.skill == previous.skill or unsure_in_domain) \
            and not any(key in route.slots for key in (*_TARGET_SLOTS, "team", "person")):
        # "how many are stopped" after "how many vms in azure": a short question of the same
        # skill that names nothing of its own is asked of the same machines
        # "and who's backup?" after "who's on call for checkout": the same subject, asked more of
        kept = {key: previous.slots[key] for key in _SUBJECT_SLOTS if key in previous.slots}
        return route.model_copy(update={"slots": {**kept, **route.slots}})
    close = _close_reading_in_domain(route, previous, threshold)
    if close is not None:
        # "anything high sev since monday?" after guardduty findings, read unsure as incidents with
        # the findings about as likely: the thread's own domain, asked on (answered, not a choice)
        return close
    if _kind_of_the_list(route, previous):
        # "which runtime is the payments one on" after lambda errors: "the payments one" is one of
        # the functions that turn was about, not any resource of that service (its kind is lent)
        return route.model_copy(update={"slots": {**route.slots, "resource_type": previous.slots["resource_type"]}})
    return route


CLOSE_READING = 0.8  # a runner-up at this share of the unsure best reading is as likely as it
MIN_CLOSE_READING = 0.2


def _close_reading_in_domain(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """The router's runner-up in the previous turn's domain when the router is unsure of another
    domain and that runner-up is about as likely as its best reading: of two equal readings,
    the thread's own is meant. Never a change, and never after one."""
    before = SKILL_BY_NAME[previous.skill]
    if route.confidence >= threshold or SKILL_BY_NAME[route.skill].mutating or before.mutating \
            or route.agent == before.agent:
        return None
    floor = max(route.confidence * CLOSE_READING, MIN_CLOSE_READING)
    found = _other_reading(route, before.agent, mutating=False, floor=floor)
    return found.model_copy(update={"confidence": max(route.confidence, threshold)}) if found else None


def _grammar_reads_the_thread(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """The previous turn's question again when the router read another agent's but the grammar
    rules read the previous skill, firmly and above the routed one: the models and the rules
    disagree, and the thread sides with the rules. Never a change, and never after one."""
    before = SKILL_BY_NAME[previous.skill]
    if before.mutating or SKILL_BY_NAME[route.skill].mutating or route.agent == before.agent:
        return None
    boosts, _ = rule_boosts(route.words)
    kept = float(boosts[SKILL_NAMES.index(before.name)])
    if kept < STRONG or float(boosts[SKILL_NAMES.index(route.skill)]) >= kept:
        return None
    return _asked_again(route, previous, threshold)


def _kind_of_the_list(route: Route, previous: TurnContext) -> bool:
    """Whether "the X one" asks about one machine of the kind the previous infrastructure turn
    was about, the words naming no kind or target of their own."""
    return route.skill in _ONE_MACHINE and SKILL_BY_NAME[previous.skill].agent == "infrastructure" \
        and bool(_ONE_OF_THE_LIST.search(route.text)) and "resource_type" in previous.slots \
        and not any(key in route.slots for key in (*_TARGET_SLOTS, "resource_type"))


# Whether the previous list holds an item about something: "is any of that about the bastion?",
# "anything in there on payments-db", "do any of those mention dave"
_SUBSET_ABOUT = re.compile(r"\b(?:any|anything|which|what|none|some|all)\s+(?:of\s+)?(?:that|those|them|these|"
                           r"(?:in|on)\s+(?:there|that|those|the list))\s+(?:\w+\s+){0,2}?(?:about|on|for|affecting|"
                           r"touching|involving|mention(?:s|ing)?|related to|concerning|against|"
                           # "is any of that in the payments resource group": the list's items in a place
                           r"in|under|within|inside)\b", re.I)
# The previous answer, pointed at: "that list", "this", "the table".
_ANSWER_NOUN = r"(?:list|answer|results?|table|scan|check|report|output)"
_PREVIOUS_ANSWER = rf"(?:(?:that|this|those|these)(?:\s+{_ANSWER_NOUN})?|the\s+{_ANSWER_NOUN})\b"
# The previous answer asked again in fewer words ("a short version of that", "tl;dr for the execs").
_RESTATED = re.compile(r"\b(?:short(?:er)?|brief(?:er)?|quick|exec(?:utive)?|one[- ]line|condensed|simpler|"
                       r"plain[- ]english)\s+(?:version|summary|take|update|rundown)\b|\btl;?dr\b|"
                       r"\bsummari[sz]e (?:that|this|it)\b", re.I)
# Only part of the previous answer, pointed at by its noun: "only the eu stuff from that list".
_NARROWS_THE_ANSWER = re.compile(rf"\b(?:only|just)\b.*\b(?:from|in|on|of|out of)\s+(?:that|this|the|your)\s+"
                                 rf"{_ANSWER_NOUN}\b", re.I)
# Whether the previous answer covers a place or kind: "does it even cover eu-west-1", "is that
# including the eu side?", "are snapshots counted in that", "is azure covered?"
_COVERAGE = re.compile(
    r"\b(?:does|did|do|would|will)\s+(?:it|that|this|they|those|the (?:check|scan|list|score|number|total))\s+"
    r"(?:\w+\s+)?(?:cover|include|count|span|scan|check|look (?:at|in|across))\w*\b|"
    r"\b(?:is|are|was|were)\s+(?:it|that|this|those)\s+(?:\w+\s+)?(?:covering|including|counting)\b|"
    # what the previous answer lacks for a place: "why is there nothing from eu-west-1 in that list",
    # "no rows for azure in the table?", "why isn't eu-central-1 in that"
    r"\b(?:nothing|none|no\s+\w+)\s+(?:from|in|for|of|about|on)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:in|on)\s+"
    + _PREVIOUS_ANSWER + r"|"
    r"\bwhy\s+(?:is|isn'?t|is not|are|aren'?t|are not)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:not\s+)?(?:in|on|missing from)\s+"
    + _PREVIOUS_ANSWER + r"|"
    # ("is bastion-1 covered by guardduty" names what covers it: a question of its own)
    r"\b(?:is|are|was|were)\s+[\w-]+(?:\s+[\w-]+)?\s+(?:even\s+|also\s+)?(?:covered|included|counted|scanned)\b"
    r"(?!\s+(?:by|with|under)\s+(?!(?:it|that|this|those|them|there)\b))", re.I)
# What the previous figure comes from: "is any of that because of X", "is it due to the crypto
# box", "is that from the unencrypted stuff", "how much of it is down to IAM"
_CAUSE_OF_IT = re.compile(
    r"\b(?:is|are|was|were)\s+(?:any|some|all|most|much)?\s*(?:of\s+)?(?:it|that|this|those|these)\s+"
    r"(?:\w+\s+)?(?:because of|due to|caused by|down to|coming from|from)\b", re.I)
# The answers that add up to one figure (a score, a total), which their own rows explain.
_TOTALS = ("security.posture", "cost.summary")
# Which of the previous answer's items: "which one is open to any logged-in account?", "which
# ones are encrypted?" (asked of the same things, in the same cloud and place)
_WHICH_OF_THEM = re.compile(_WHICH_OPENING + r"(?:one|ones)\b", re.I)
# What makes up the previous answer's figure: "what's dragging it down", "what is pushing that up
# so much", "what contributes most to it", "biggest factor in that?"
_WHAT_MOVES_IT = re.compile(
    r"\bwhat(?:'?s| is| are)? (?:dragging|pulling|pushing|bringing|driving|keeping|holding|weighing) "
    r"(?:it|that|this|them|those|the (?:score|number|total))\b|"
    r"\bwhat (?:contributes|counts) (?:the )?most (?:to|against) (?:it|that|this)\b|"
    r"\bbiggest (?:factor|contributor|driver|drag)s? (?:in|on|of|behind|to) (?:it|that|this)\b", re.I)
# A question about the previous answer itself, with no subject of its own: "since when?",
# "how many is that?", "for how long?", "what's the total?", "which region?", "where is it?"
_ABOUT_THE_ANSWER = re.compile(
    r"\W*(?:(?:and|so|ok(?:ay)?|hm+|wait)\W+)*(?:since when|(?:for )?how long(?: for| now| already)?|"
    r"how many (?:is|are|was|were) (?:that|those|these|they|there)|how many (?:in )?total|"
    r"what'?s the (?:total|count)|"
    r"(?:which|what) (?:regions?|accounts?|az|zones?)(?: (?:is|was|are|were) (?:it|that|this|they|those)(?: in)?)?|"
    r"where(?:'?s| is| was| are| were)?(?: (?:it|that|this|they|those))?(?: from| in)?)\W*", re.I)
# Widening the previous question's scope: "all regions then", "across every region", "everywhere".
_SCOPES: dict[str, tuple[str, ...]] = {"region": ("region", "zone", "location"), "env": ("env",),
                                        "environment": ("env",), "service": ("service",), "team": ("team",)}
_WIDER = re.compile(r"\b(?:all|every|each|any)\s+(?:the\s+|our\s+)?(regions?|envs?|environments?|services?|"
                    r"teams?)\b|\b(everywhere|anywhere)\b", re.I)
# The previous answer set beside another period: "how does that stack up vs the week before?",
# "how does it compare to last month", "is that more than the month before?" (the same question,
# asked of that period).
_COMPARES_THE_ANSWER = re.compile(
    r"^\W*(?:(?:and|so|ok|okay|hm+)\W+)*(?:how (?:does|do|did|is|are|would) (?:that|it|this|those|these)\b"
    r"(?:\s+\w+){0,2}?\s+(?:compare|stack up|stacks up|look|measure up)|"
    r"(?:is|was|are|were) (?:that|it|this|those) (?:more|less|higher|lower|bigger|smaller|up|down)\b)", re.I)


# How much of the router's weight a next reading needs to count as a reading of the words.
NEXT_READING = 0.2


def _reads_also(route: Route, skill: str) -> bool:
    """Whether ``skill`` is one of the router's next readings of the words, with weight."""
    return any(name == skill and score >= NEXT_READING for name, score in route.alternatives)


def _compares_a_period(route: Route) -> bool:
    """Whether the turn sets the previous answer beside another period it names ("the week before",
    "last month"); without one ("how does that compare to the budget?") it asks something else."""
    return bool(_COMPARES_THE_ANSWER.match(route.text)) and bool(
        _BEFORE.search(route.text) or "time_range" in route.slots)


_WIDENING = re.compile(r"\W*(?:(?:ok(?:ay)?|and|so|then|now|what about|how about|same (?:for|in|across))\W+)*"
                       r"(?:(?:in|across|for|over|on)\s+)?(?:(?:all|every|each)\s+(?:the\s+|our\s+)?"
                       r"(?:regions?|envs?|environments?)|everywhere)(?:\W+(?:then|too|pls|please|instead))*\W*",
                       re.I)


def widened_slots(text: str) -> tuple[str, ...]:
    """The slots a turn widens back out ("all regions then" after a question about us-east-1
    drops the region): the scope it names with "all"/"every", or everywhere (the region)."""
    keys: list[str] = []
    for match in _WIDER.finditer(text):
        scope = (match.group(1) or "region").lower().rstrip("s")
        keys += _SCOPES.get(scope if scope in _SCOPES else "region", ())
    return tuple(dict.fromkeys(keys))


def earlier_turn(previous: TurnContext | None, skill: str) -> dict[str, Any] | None:
    """What a turn of ``skill`` keeps of the turn before a detour: the previous turn when it
    was of another domain (the detour starts here), else the one the previous turn kept."""
    if previous is None or previous.skill not in SKILL_BY_NAME or skill not in SKILL_BY_NAME:
        return None
    if SKILL_BY_NAME[previous.skill].agent == SKILL_BY_NAME[skill].agent or previous.skill == "help":
        kept = previous.slots.get(EARLIER)
        return kept if isinstance(kept, dict) else None
    slots = {key: value for key, value in previous.slots.items() if key != EARLIER}
    return {"skill": previous.skill, "slots": slots, "resources": list(previous.resources)[:MAX_EARLIER_RESOURCES]}


MAX_EARLIER_RESOURCES = 20
# "ok back to the buckets", "anyway, going back to the spike": the topic before a detour
_BACK_TO = re.compile(r"^\W*(?:(?:ok(?:ay)?|so|anyway|anyways|right|alright|and|now)\W+)*"
                      r"(?:(?:going|getting|coming|circling|switching)\s+)?back\s+to\b", re.I)


def _resumed(text: str, previous: TurnContext) -> TurnContext:
    """The turn a "back to ..." message resumes: the last turn before the detour, when the
    previous turn kept one; else the previous turn itself."""
    earlier = previous.slots.get(EARLIER)
    if not _BACK_TO.match(text) or not isinstance(earlier, dict) or earlier.get("skill") not in SKILL_BY_NAME:
        return previous
    return TurnContext(str(earlier["skill"]), dict(earlier.get("slots") or {}), list(earlier.get("resources") or []))


def _unsure_description_of_a_row(route: Route, previous: TurnContext, threshold: float) -> bool:
    """"whose is it?" after a security or spend list, read (unsure) as a description of one
    resource: the row "it" points to is the list's, so its own domain is asked again."""
    return route.confidence < threshold and route.skill == "infra.describe" and _lists_cloud_items(previous)


# A share of the previous answer's figure: "how much of that is X", "what part of it was Y".
_SHARE_OF = re.compile(r"\bhow much of (?:that|it|this|those|these|the total)\b|"
                       r"\b(?:what|which) (?:share|part|portion|percent(?:age)?|fraction) of (?:that|it|this|"
                       r"the total)\b", re.I)
# Words asking what something saves or wastes ("how much would that save", "the savings on those").
_SAVING = re.compile(r"\b(?:sav(?:e|es|ed|ing|ings)|wast(?:e|es|ed|ing)|cut|trim)\b", re.I)
# What a spend question was about: "it" in the next spend question is the same spend.
_SPEND_SCOPE = ("aws_service", "service", "team", "region", "cloud", "resource_group", "env")


# Something abnormal asked of what was just shown: "out of the ordinary", "anything weird in there"
_ABNORMAL = re.compile(r"\b(?:out of the ordinary|unusual|abnormal|odd|weird|strange|unexpected|anomal\w*|"
                       r"spikes?|spiking)\b", re.I)


# A resource doing nothing: "just sitting there", "unused", "not attached", "stopped", "orphaned"
_IDLE = re.compile(r"\b(?:sitting (?:there|around)|idle|unused|not attached|unattached|detached|not associated|"
                   r"unassociated|stopped|orphan\w*|doing nothing)\b", re.I)


def _idle_thing_priced(route: Route, previous: TurnContext, answered: str) -> bool:
    """Whether the turn asks what the one resource just described costs, that resource being idle
    (in the words or the description): a spend summary with no period and no target of its own."""
    return route.skill == "cost.summary" and previous.skill == "infra.describe" \
        and "time_range" not in route.slots and not any(key in route.slots for key in _TARGET_SLOTS) \
        and any(key in previous.slots for key in _CLOUD_TARGETS) and bool(_ANAPHOR.search(route.text)) \
        and bool(_IDLE.search(f"{route.text} {answered}"))


def _abnormal_in_the_spend(route: Route, previous: TurnContext) -> bool:
    """Whether the turn asks if the spend just shown holds something abnormal: its words say
    abnormal of "that"/"in there", after a spend or forecast, naming no target of its own."""
    return previous.skill in ("cost.summary", "cost.forecast") and route.skill != "cost.anomalies" \
        and bool(_ABNORMAL.search(route.text)) and bool(_ANAPHOR.search(route.text)) \
        and not SKILL_BY_NAME[route.skill].mutating and route.requested_skill is None \
        and not any(key in route.slots for key in _TARGET_SLOTS)


def _lends_its_target(route: Route, previous: TurnContext) -> bool:
    """Whether "it" in this turn is the previous answer's target: any answer but spend, whose
    "it" is the spend; and a savings answer that named one resource, when the machines' agent
    is asked about "it" ("how big is it?" after the one unattached volume)."""
    if not previous.skill.startswith("cost."):
        return True
    return previous.skill == "cost.savings" and len(previous.resources) == 1 \
        and SKILL_BY_NAME[route.skill].agent == "infrastructure"


# "the host", "that box", "the vm": a machine noun naming no machine (no name after it) is the one
# machine the thread is about, as "it" is.
_THE_MACHINE = re.compile(r"\b(?:the|that|this|same)\s+(?:box|host|server|vm|node|instance|machine)\b"
                          r"(?!\s+[a-z][a-z0-9]*(?:-[a-z0-9]+)+)", re.I)


def _the_machine_changed(route: Route, previous: TurnContext) -> bool:
    """"ok the vm looks up but the app is stuck, just cycle the host" after a turn about one
    machine: the change is asked of that machine, named by its kind instead of "it"."""
    return route.skill == "infra.action" and previous.skill in _ONE_MACHINE and bool(_THE_MACHINE.search(route.text))


# Words a terse request carries besides what it asks for: courtesy (in several languages), "now", "then"
_BESIDE_THE_ASK = re.compile(r"\b(?:pls|plz|please|bitte|por favor|s'il (?:te|vous) pla[iî]t|now|then|ok|okay|and|"
                             r"so|just|again|asap|quick|quickly|too|also)\b|[^\w\s-]", re.I)


def _target_left_out(route: Route, previous: TurnContext) -> bool:
    """"start pls", "logs?", "reboot now" after a turn about one machine: typed in a hurry, the
    request leaves its object out, as "it" would have named it (two words at most besides
    courtesy, so a request saying what it is about is read as said)."""
    if route.skill not in _ONE_THING or previous.skill not in _ONE_THING:
        return False
    if not any(key in previous.slots for key in _TARGET_SLOTS):
        return False
    return len(_BESIDE_THE_ASK.sub(" ", route.text).split()) <= 2


_ONE_THING = ("infra.describe", "infra.action", "infra.logs")
_PLURAL_ANAPHOR = re.compile(r"\b(?:those|them|these|they|their|theirs)\b", re.I)


def _checks_the_listed_ones(route: Route, previous: TurnContext) -> bool:
    """"can someone on the internet reach those machines?" after a listing of several machines in
    one place: another agent's check of all of them, so of the place they were listed in (its
    cloud, region, resource group), never of the first listed item alone."""
    return previous.skill == "infra.inventory" and len(previous.resources) > 1 \
        and SKILL_BY_NAME[route.skill].agent == "security" and not SKILL_BY_NAME[route.skill].mutating \
        and bool(_PLURAL_ANAPHOR.search(route.text)) and not _ONE_OF_THE_LIST.search(route.text)


def _spend_of_a_listing(route: Route, previous: TurnContext) -> bool:
    """"what did those cost last month?" after a listing of several machines: the spend of what
    was listed (its kind, place and owner), not of the first listed item, which the bill has no
    line for; another cloud's spend borrows nothing."""
    return route.skill in ("cost.summary", "cost.forecast") and previous.skill == "infra.inventory" \
        and len(previous.resources) != 1 and bool(_PLURAL_ANAPHOR.search(route.text)) \
        and not _names_another_cloud(route, previous)


_THEY = re.compile(r"\b(?:they|they're|theyre|they've|they'll)\b", re.I)


def _spenders_said_again(route: Route, previous: TurnContext) -> bool:
    """"what are they on course to spend this month?" after a team's spend: a team or an
    application spends, so "they" in a spend question after a spend of one is that spender,
    as "it" or "that" would be the spend itself."""
    return route.skill.startswith("cost.") and previous.skill.startswith("cost.") \
        and any(key in previous.slots for key in ("team", "service")) and bool(_THEY.search(route.text))


def _spend_scope_of(previous: TurnContext) -> dict[str, Any]:
    return {key: previous.slots[key] for key in _SPEND_SCOPE if key in previous.slots}


def _listed_spend_scope(previous: TurnContext) -> dict[str, Any]:
    """What a listing's spend is of: its place and owner, and its kind ("those" after the Azure
    VMs are the Virtual Machines' spend, not the subscription's)."""
    kind = {"resource_type": previous.slots["resource_type"]} if "resource_type" in previous.slots else {}
    return {**_spend_scope_of(previous), **kind}


def _spend_scope(route: Route, previous: TurnContext) -> dict[str, Any]:
    """"where will it land by month end?" after EC2's spend so far: a spend question whose
    "it" is the previous spend keeps what that spend was of (service, region, cloud); its
    period is its own. Nothing is lent outside spend or across clouds."""
    if not (previous.skill.startswith("cost.") and route.skill.startswith("cost.")) \
            or _names_another_cloud(route, previous):
        return {}
    return _spend_scope_of(previous)


# Lists whose rows each carry a severity, and a level named in chat ("the mediums", "crits")
_RATED_LISTS = ("security.findings", "security.posture")
_SEVERITY_WORD = re.compile(r"\b(?:crit(?:ical)?|high|medium|med|low)s?\b", re.I)
# "include the lows too", "add the mediums", "plus the low ones": more levels beside those shown
_ALSO_SHOWN = re.compile(r"\b(?:include|incl\w*|add|plus|too|as well|also)\b", re.I)


def _restates_the_list(route: Route, previous: TurnContext) -> bool:
    """Whether a follow-up after a list of incidents only changes which states it shows: an
    incident state and nothing else to act on, and no change asked; or, after a list of rated
    findings, which levels it shows ("include the mediums too"), which the router reads as no
    question of its own elsewhere."""
    plain = not SKILL_BY_NAME[route.skill].mutating and route.requested_skill is None \
        and not any(key in route.slots for key in (*_TARGET_SLOTS, "person", "team"))
    if previous.skill == "incident.list":
        return "status" in route.slots and plain
    return previous.skill in _RATED_LISTS and plain and bool(_SEVERITY_WORD.search(route.words)) \
        and bool(_ALSO_SHOWN.search(route.words)) \
        and (route.skill == previous.skill or route.confidence < FIRM_READING)


def _asked_again(route: Route, previous: TurnContext, threshold: float) -> Route:
    """The previous turn's question again, with its slots and this turn's qualifiers over them."""
    skill = SKILL_BY_NAME[previous.skill]
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                    "slots": {**previous.slots, **route.slots},
                                    "confidence": max(route.confidence, threshold)})


# Slots that narrow a listing rather than name a new subject: an inventory's rows carry the
# service owning them, so "which of those belong to analytics" is a subset of that listing.
_LISTING_QUALIFIERS: dict[str, tuple[str, ...]] = {"infra.inventory": ("service",)}


def _qualifiers_of(previous: TurnContext) -> tuple[str, ...]:
    return _LISTING_QUALIFIERS.get(previous.skill, ())


# What a plain listing was scoped to, which a check asked of its items keeps.
_LISTING_SCOPE = ("region", "cloud", "resource_group")


def _checks_a_listing(route: Route, previous: TurnContext, threshold: float) -> bool:
    """A subset of an inventory asked by a property a security or spend check judges (public,
    open to the internet, costly), which the router reads surely as that check: the check runs,
    over the same place, rather than the inventory again."""
    # ... or of a spend ("do any of those storage accounts allow public reads?" after Azure's spend
    # by service): a spend judges no item's exposure, so a check the router is firm on runs there
    listing = previous.skill == "infra.inventory" and route.agent in ("security", "cost")
    spend = previous.skill.startswith("cost.") and route.agent == "security" and route.confidence >= FIRM_READING
    return (listing or spend) and route.confidence >= threshold and not SKILL_BY_NAME[route.skill].mutating


# A turn going on from the previous one: "and who's backup?", "also, since when?"
_CONTINUES = re.compile(r"^\W*(?:and|also|plus|so|ok(?:ay)? and|then)\b", re.I)
_SUBJECT_SLOTS = (*_TARGET_SLOTS, "team", "person", "region", "cloud", "env", "resource_group", "resource_type")
MAX_SUBJECTLESS_WORDS = 6


# The nouns only one agent's questions are about: an incident is no pipeline, a deploy no bill.
_DOMAIN_NOUNS: dict[str, re.Pattern[str]] = {
    "incident": re.compile(r"\b(?:incidents?|pages?|paging|pagerduty|pd|outages?|on-?call|sev ?-?[0-4]s?)\b", re.I),
    "cicd": re.compile(r"\b(?:pipelines?|builds?|workflows?|ci|deploys?|deployments?|runs?|prs?|pull requests?|"
                       r"merge[ds]?|merging|commits?|actions|jobs?)\b", re.I),
    "cost": re.compile(r"\b(?:cost\w*|spend\w*|spent|bill\w*|budget\w*|invoices?|charge[ds]?|paying|paid)\b", re.I),
    # "k. and security-wise how does that region score", "and anything unencrypted at rest?"
    "security": re.compile(r"\b(?:secur\w*|(?:un)?encrypt\w*|vuln\w*|findings?|posture|cves?|mfa|compliance|"
                           r"exposed|exposures?|world-?readable|misconfig\w*)\b", re.I),
}


def _names_another_domain(route: Route, previous: TurnContext, threshold: float, words: str | None = None) -> bool:
    """Whether the router reads the words surely as another agent's question and they name
    that agent's own noun, none of the previous turn's ("ok noted. open incidents pls" after
    a bill, "and checkout-web pipelines - anything red?" after incidents): a question of its
    own in that domain, however short, not the previous question again."""
    before = SKILL_BY_NAME[previous.skill].agent
    if route.agent == before or route.confidence < threshold or SKILL_BY_NAME[route.skill].mutating:
        return False
    text = route.text if words is None else words
    own, theirs = _DOMAIN_NOUNS.get(route.agent), _DOMAIN_NOUNS.get(before)
    return own is not None and bool(own.search(text)) and not (theirs is not None and theirs.search(text))


# Slots naming what a check looks at ("firewall rules", "iam users"), beside where it looks
_CHECKED_SUBJECT = ("resource_type", "aws_service")


def _names_another_check(route: Route, previous: TurnContext) -> bool:
    """Whether a turn opening like an ellipsis ("ok now ...", "and ...") names another check of the
    same agent in full, which the router all but settled on, with no reading of the previous
    check and nothing pointing back ("ok now the firewall rules on gcp" after public buckets):
    that check, not the previous one again over a new place ("and in eu-west-1?" names no
    subject of its own, whatever the router leans to)."""
    return any(key in route.slots for key in _CHECKED_SUBJECT) \
        and route.agent == SKILL_BY_NAME[previous.skill].agent and route.skill != previous.skill \
        and route.confidence >= SURE_READING and not SKILL_BY_NAME[route.skill].mutating \
        and not _reads_also(route, previous.skill) and not _ANAPHOR.search(route.text) \
        and not _THE_ONES.search(route.text)


# "too", "as well", "or just X": the same thing asked of another place besides.
_ALSO_THERE = re.compile(r"\b(?:too|as well|also)\b|\bor (?:just|only)\b", re.I)


def _same_question_elsewhere(route: Route, previous: TurnContext) -> bool:
    """"does it hit the eu side too or just the us" after the spend anomalies: the previous
    question of another place. The words point back at it and name a place and nothing else a
    slot reads, and the router's unsure reading is another agent's whose own nouns they never say."""
    own = _DOMAIN_NOUNS.get(route.agent)
    return bool(route.slots) and set(route.slots) <= set(_PLACE_SLOTS) \
        and route.agent != SKILL_BY_NAME[previous.skill].agent and route.confidence < FIRM_READING \
        and not SKILL_BY_NAME[route.skill].mutating and (own is None or not own.search(route.text)) \
        and bool(_ANAPHOR.search(route.text)) and bool(_ALSO_THERE.search(route.text))


# A question of what the bot covers, not a request of it: "which clouds do you support", "or only
# aws?", "what else", "is that possible for gcp".
_CATALOGUE_ASKED = re.compile(r"\b(?:support\w*|cover\w*|capab\w*|able to|possible|only|what else|anything else|"
                              r"(?:which|what|other)\s+(?:clouds?|providers?|things|stuff|kinds?|skills?|commands?))\b",
                              re.I)


def _same_question_put_to_the_bot(route: Route, previous: TurnContext) -> bool:
    """"can u do azure too, by resource group" after a spend: the previous question of another
    place (a cloud, a region), put to the bot as "can you do", which reads as a question of what
    it can do; it names a place and nothing else a slot reads beside a grouping or a period, and
    asks nothing of the bot's catalogue ("or only aws? which clouds do you cover" does)."""
    places = set(route.slots) & set(_PLACE_SLOTS)
    return route.skill == "help" and bool(places) and not SKILL_BY_NAME[previous.skill].mutating \
        and set(route.slots) <= {*_PLACE_SLOTS, "group_by", "time_range"} \
        and bool(_ALSO_THERE.search(route.text)) and not _CATALOGUE_ASKED.search(route.text)


# Why one item is in the list just shown: "why is analytics-batch-1 on there?", "how come the
# old snapshot got flagged", "why's bastion-eip listed at all".
_WHY_LISTED = re.compile(r"\b(?:why|how come)\b.*(?:\b(?:on|in)\s+(?:there|here|it|(?:the|that|this|your)\s+list)\b|"
                         r"\b(?:listed|flagged|included|counted)\b|\bshow(?:s|ed|ing)?\s+up\b|"
                         r"\bmade\s+(?:the|that|this)\s+(?:list|cut)\b)", re.I)


def _why_it_was_listed(route: Route, previous: TurnContext, items: Any) -> bool:
    """Whether the words ask why an item the previous security or spend listing showed is in it,
    naming that item, which the router reads as another question of it (its description)."""
    if not _lists_cloud_items(previous) or route.skill == previous.skill or SKILL_BY_NAME[route.skill].mutating \
            or not _WHY_LISTED.search(route.text):
        return False
    named = {str(route.slots[key]).lower() for key in ("resource_name", "bucket", "instance_id")
             if isinstance(route.slots.get(key), str)}
    named |= {str(item).lower() for item in route.slots.get("resource_ids") or []}
    listed = {str(value).lower() for item in (items if isinstance(items, list) else []) if isinstance(item, dict)
              for value in item.values() if isinstance(value, str)}
    listed |= {str(resource).lower() for resource in previous.resources}
    return bool(named) and named <= listed


def _asked_of_an_item_in_no_words_of(route: Route, previous: TurnContext) -> bool:
    """Whether the words point at an item of the previous list ("the 300 day old one") and the
    router reads them, less than firmly, as another agent's question whose own nouns they never
    say: the item's words (its age, its colour) sound like that agent, but the question is about
    the item ("brief on the checkout p95 thing" after logs, which the router is sure of, asks its own)."""
    own = _DOMAIN_NOUNS.get(route.agent)
    return own is not None and route.agent != SKILL_BY_NAME[previous.skill].agent \
        and route.confidence < FIRM_READING \
        and not SKILL_BY_NAME[route.skill].mutating and bool(_ONE_OF_THE_LIST.search(route.text)) \
        and not own.search(route.text) and not any(key in route.slots for key in _TARGET_SLOTS)


def _reading_in_domain(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """"is any of that out of the ordinary?" after a spend question: the router is unsure and
    its top reading is another domain's, but one of its readings is in the domain of the
    turn "that" points to; that reading is taken (never a change nobody asked for)."""
    if route.confidence >= threshold:
        return None
    # a runner-up of noise's weight ("how big is it?" read as a description, the spend at 0.04%)
    # is no reading of the words
    found = _other_reading(route, SKILL_BY_NAME[previous.skill].agent, mutating=False, floor=NOISE_READING)
    return found.model_copy(update={"confidence": max(route.confidence, threshold)}) if found else None


# Where, which or what of "it", or whether "it" is something: a question about an item of the
# previous answer ("which vm does that one apply to?", "is it that m5 box again?").
_ASKS_OF_IT = re.compile(r"^\W*(?:(?:and|so|ok|okay)\W+)?(?:which|where|what)\b|^\W*(?:is|was|are|were) "
                         r"(?:it|that|they|those)\b", re.I)


def _asks_after_a_listed_resource(route: Route, previous: TurnContext) -> bool:
    """A question about "it" read as infrastructure's after a security or spend answer, which
    lists cloud resources with where they are: that answer's item is meant."""
    return (route.skill in ("infra.describe", "infra.inventory") and _lists_cloud_items(previous)
            and bool(_ASKS_OF_IT.search(route.text)) and _points_at_an_item(route.text))


def _points_at_an_item(text: str) -> bool:
    """Whether the words point back at an item ("it", "that one") and not only at a place: "what
    vms run over there?" after a spend asks what is in the place that spend was of."""
    return bool(_ANAPHOR.search(_PLACE_ANAPHOR.sub(" ", text)))


def _lists_cloud_items(previous: TurnContext) -> bool:
    """Whether the previous answer was a security or spend listing (no action): its rows are
    cloud resources, each with where it is, which "it" next points at."""
    listed = SKILL_BY_NAME[previous.skill]
    return listed.agent in ("security", "cost") and not listed.mutating


# A yes/no question of whether something happened, opening on a past or perfect auxiliary and
# its subject: "was that rolled out?", "did they deploy it", "has anyone re-run it yet"
# ("was wondering if you could ..." has no subject after the auxiliary: a request)
_ASKS_WHETHER_DONE = re.compile(r"^\W*(?:(?:ok(?:ay)?|k|so|and|but|hm+|right|cool|nice)\W+)*"
                                r"(?:was|were|did|has|have|had)\s+(?:it|that|this|they|those|these|the|you|we|"
                                r"anyone|anybody|someone|somebody)\b", re.I)


def _change_in_domain(route: Route, previous: TurnContext, threshold: float) -> Route:
    """"fixed the column by hand, kick it again" after a failed deploy: a change is asked for
    ("it" is the previous turn's subject), the router is unsure which, and one of its readings
    is the change of the previous turn's domain; that one is taken (it still needs approval)."""
    agent = SKILL_BY_NAME[previous.skill].agent
    routed = SKILL_BY_NAME[route.skill]
    if routed.mutating and routed.agent == agent and route.confidence < FIRM_READING \
            and not SKILL_BY_NAME[previous.skill].mutating and _ASKS_WHETHER_DONE.match(route.text) \
            and not imperative_skills(route.text):
        # "so did that get applied?" after what merged: whether something happened, asked in
        # the past, requests no change however the router leaned; the domain's own reading of it
        # (its status) answers, when the router had one
        found = _other_reading(route, agent, mutating=False)
        if found is not None:
            return found.model_copy(update={"confidence": max(route.confidence, threshold)})
    if not routed.mutating or routed.agent == agent:
        return route
    if agent == "cicd" and routed.name == "infra.action" and _RESTART_VERB.search(route.text):
        # "kick it again" after a failed deploy: a machine verb whose object "it" is the CI run
        # the thread is about, however sure the router was of a machine (it still needs approval)
        return route.model_copy(update={"skill": "cicd.rerun", "agent": "cicd",
                                        "confidence": max(route.confidence, threshold)})
    if previous.skill in _ONE_MACHINE and routed.name == "cicd.rerun" and _MACHINE_RESTART.search(route.text) \
            and any(key in previous.slots for key in ("resource_name", "instance_id", "resource_ids")):
        # "kick it over, the build agent on it is wedged" after one machine's description: a
        # restart whose object "it" is that machine, however sure the router was of a CI run
        # (a CI word about what runs on it names no run; it still needs approval)
        skill = SKILL_BY_NAME["infra.action"]
        return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                        "slots": {"action": "reboot", **route.slots},
                                        "confidence": max(route.confidence, threshold)})
    if route.confidence >= threshold:
        return route
    return _other_reading(route, agent, mutating=True) or route


# "the other region", "other regions", "the rest of the regions": the places not yet asked.
_OTHER_REGION = re.compile(r"\b(?:the\s+)?other\s+regions?\b|\bthe\s+rest\s+of\s+the\s+regions\b|"
                           r"\bremaining\s+regions?\b", re.I)


# The agents whose AWS tools scan the configured regions (tools/aws/common.py ``regions_for``).
_SCANS_REGIONS = ("infrastructure", "security")


# The actions the slot finder gives a machine (never a CI run's "rerun").
_MACHINE_ACTIONS = ("start", "stop", "reboot", "deallocate")


def _machine_change_after_machines(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """"bring web-x-staging back, qa wants it for the release" after a turn about machines: the
    slot finder read the verb's object as a named machine (a CI word only in the reason), so the
    change asked is that machine's, however sure the router was of a CI run (it still needs approval)."""
    if SKILL_BY_NAME[previous.skill].agent != "infrastructure" or route.skill != "cicd.rerun" \
            or not route.slots.get("resource_name") or route.slots.get("action") not in _MACHINE_ACTIONS:
        return None
    skill = SKILL_BY_NAME["infra.action"]
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                    "confidence": max(route.confidence, threshold)})


# A machine verb whose object is a pronoun: "start it", "power it off", "shut that down".
_VERB_ON_IT = "{verb}\\w*\\s+(?:(?:it|that|this)(?:\\s+one)?|(?:the|that|this)\\s+(?:box|host|server|vm|machine))\\b"


def _machine_verb_on_it(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """"ok start it, finance needs the month-end run tonight" after a turn about one machine: the
    words ask for a machine's change whose object is "it", the machine that turn named, however
    the router read the reason given with it (a period, a run, a bill); the change is the verb's
    (it still needs approval)."""
    routed = SKILL_BY_NAME[route.skill]
    if SKILL_BY_NAME[previous.skill].agent != "infrastructure" or route.skill == "infra.action" \
            or (routed.agent == "infrastructure" and not routed.mutating and route.confidence >= SURE_READING):
        return None
    target = {key: previous.slots[key] for key in ("resource_name", "instance_id", "resource_ids", "cloud", "region")
              if key in previous.slots}
    if not any(key in target for key in ("resource_name", "instance_id")) \
            or any(key in route.slots for key in ("resource_name", "instance_id", "resource_ids")):
        return None
    for occ in occurrences(route.text):
        action = find_action(occ.verb)
        if occ.skill == "infra.action" and occ.mood == "request" and action in _MACHINE_ACTIONS \
                and re.search(_VERB_ON_IT.format(verb=re.escape(occ.verb.split()[0])), route.text, re.I):
            skill = SKILL_BY_NAME["infra.action"]
            slots = {key: value for key, value in route.slots.items() if key != "time_range"}
            return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                            "slots": {**slots, **target, "action": action},
                                            "confidence": max(route.confidence, threshold)})
    return None


# Turns about one machine, which "it" next points at.
_ONE_MACHINE = ("infra.describe", "infra.action")
# Verbs that restart a machine, and that only a machine's restart shares with a rerun ("re-run",
# "retry" name the run).
_MACHINE_RESTART = re.compile(r"\b(?:restart(?:s|ed|ing)?|reboot\w*|bounce|kick(?:s|ed|ing)?|power[- ]?cycle)\b",
                              re.I)


def _asked_about_in_domain(route: Route, previous: TurnContext) -> Route:
    """"could I get you to kick it off again?" after a CI answer asks whether one may re-run the
    run, not restart a machine: the change a question is about follows the thread's CI domain
    as a change asked for does (``_change_in_domain``)."""
    if route.requested_skill == "infra.action" and SKILL_BY_NAME[previous.skill].agent == "cicd" \
            and _RESTART_VERB.search(route.text):
        return route.model_copy(update={"requested_skill": "cicd.rerun"})
    return route


# Verbs that restart a machine and re-run a CI run alike ("restart it", "kick it off again"), and
# the idioms of doing it once more ("fire it back up", "spin that one up", "give it another shot",
# "one more time"): what "it" names after a CI answer is its run
_RESTART_VERB = re.compile(r"\b(?:restart(?:s|ed|ing)?|kick(?:s|ed|ing)?|start|run|retry|re-?run)\b|"
                           r"\bgo\b.*\bagain\b|"
                           r"\b(?:spin|spun|fire|fired|firing)\s+(?:it|that|this)(?:\s+one)?\s+(?:back\s+)?up\b|"
                           r"\bonce more\b|\bone more time\b|"
                           r"\banother (?:go|shot|try|spin|round|whirl)\b", re.I)


def _says_a_change(text: str) -> bool:
    """Whether the words say a change at all: an action verb asked for, or a restart word
    ("kick it again", "go on, run it"); a remark with none ("that's not the one") says none."""
    return bool(imperative_skills(text) or requested_skills(text) or _RESTART_VERB.search(text))


def _other_reading(route: Route, agent: str, *, mutating: bool, floor: float = 0.0) -> Route | None:
    """``route`` as its first runner-up of ``agent``'s domain that is (or is not) a change, of at
    least ``floor`` probability."""
    for name, score in route.alternatives:
        skill = SKILL_BY_NAME.get(name)
        if skill is not None and skill.agent == agent and skill.mutating == mutating and score >= floor:
            return route.model_copy(update={"skill": skill.name, "agent": skill.agent})
    return None


_NAMED_SLOTS = ("service", "resource_name", "team", "person", "repo")


def _bare_name(route: Route, previous: TurnContext, rest: str | None = None) -> dict[str, str]:
    """"and for search?", "same for checkout": a fragment that is one bare name and nothing
    any slot took is the new subject of the previous question: it replaces the service or
    resource the previous turn was about (never lent, since the user just named another).
    A common word ("infra") is a name only where the previous turn named a repository: the
    words then stand for another repository."""
    if route.slots:
        return {}
    if rest is None:
        asked = asked_part(route.text)
        prefix = _ELLIPSIS.match(asked) or _BARE_QUALIFIER.match(asked)
        rest = asked[prefix.end():] if prefix else ""
    rest = re.sub(r"^\W*(?:(?:for|in|on|with|the|just|only)\W+)*", "", rest).strip(" ?!.,;:'\"")
    rest = re.sub(r"(?:\W+(?:pls|plz|please|thx|thanks|ty))+$", "", rest, flags=re.I)  # "checkout please"
    rest = re.sub(r"\s+one$", "", rest, flags=re.I)  # "the payments one"
    if SKILL_BY_NAME[previous.skill].agent == "infrastructure":  # resources are named in kebab-case
        rest = _spoken_name(rest)
    if not _NAME.fullmatch(rest) or (rest.lower() in GENERIC and "repo" not in previous.slots):
        return {}
    keys = [key for key in _NAMED_SLOTS if key in previous.slots] or [_grouped_key(previous) or "service"]
    return dict.fromkeys(keys, rest.lower())


def _grouped_key(previous: TurnContext) -> str | None:
    """"ok just payments" after a spend split by team: the bare name is one of the groups, so a
    value of the key the spend was grouped by (a team, an application service)."""
    grouped = str(previous.slots.get("group_by") or "")
    key = grouped.removeprefix("tag:")
    return key if grouped.startswith("tag:") and key in ("team", "service") else None


MAX_SPOKEN_NAME_WORDS = 3
# Words that describe which ones rather than name one: a plural, a state, a size or an age.
_NOT_NAME_WORDS = frozenset("""ones running stopped started idle unused attached unattached public private
    encrypted unencrypted healthy unhealthy failing broken big small large tiny new old other same
    expensive cheap busy quiet""".split())


def _spoken_name(rest: str) -> str:
    """"ledger export worker", "orders sync lambda": a resource's name said as separate words (a
    kind word such as "lambda" or "service" dropped) is the kebab-case name it stands for
    ("ledger-export-worker"); anything else is returned as it was. Only resources are named
    so: "the checkout latency one" after incidents is a service and a symptom."""
    said = rest.split()
    kept = [word.lower() for word in said if word.lower() not in GENERIC]
    if any(word.lower() in _NOT_NAME_WORDS for word in said):  # "the stopped ones": a subset, by state
        return rest
    if len(said) < 2 or not 2 <= len(kept) <= MAX_SPOKEN_NAME_WORDS or not all(_NAME.fullmatch(w) for w in kept):
        return rest
    return "-".join(kept)


# Slots that say where a cloud's resources are: another cloud's words do not apply there.
_CLOUD_PLACES = ("region", "resource_group", "aws_service", "zone", "location")


def _names_another_cloud(route: Route, previous: TurnContext) -> bool:
    """The turn names a cloud other than the previous turn's ("how does that compare to gcp"
    after Azure VMs): nothing the previous answer named lives there, so none of it is lent."""
    cloud = route.slots.get("cloud")
    return bool(cloud) and cloud != previous.slots.get("cloud", "aws")


def _kept_for(route: Route, previous: TurnContext) -> dict[str, Any]:
    """The previous turn's slots a follow-up keeps: all of them, except that a follow-up naming
    another cloud ("and azure?" after "instances in us-east-1") keeps no place or resource of
    the previous cloud (but a logs turn's application, which runs on either), one naming a new
    target keeps none of the previous targets, and one naming a team keeps no service (the team
    is the new subject)."""
    kept = dict(previous.slots)
    if _names_another_cloud(route, previous):
        # a log's source is an application, whichever cloud runs it: "same for gcp" after
        # checkout-api's CloudWatch errors asks for checkout-api's errors there
        keep = ("service",) if previous.skill == "infra.logs" else ()
        kept = {key: value for key, value in kept.items()
                if key not in (*_CLOUD_PLACES, *_TARGET_SLOTS) or key in keep}
    if any(key in route.slots for key in _TARGET_SLOTS if key not in ("service", "repo")):
        kept = {key: value for key, value in kept.items() if key not in _TARGET_SLOTS}
    if "team" in route.slots:  # "and the platform team?" after a service's rota: the team replaces it
        kept.pop("service", None)
    return kept


ABOUT = "about"  # slot: the words of the turn a runbook question's "that" points to
# Where one clause of a message ends and the next begins: "disk at 97%... what do we do about that"
_CLAUSE_BREAK = re.compile(r"[.;:!?,]+|\s[-\u2013\u2014]+\s")


def _antecedent_in_the_message(text: str) -> bool:
    """Whether "that" points at what the same message said first: "replica 40 minutes behind,
    how do we deal with that" opens on its own subject (a clause of two words or more that
    name something, with no pointer back), which the later "that" is; "it's down again, is
    there a runbook" points back at the thread from its first clause."""
    clauses = [clause for clause in _CLAUSE_BREAK.split(text) if clause.strip()]
    first = next((n for n, clause in enumerate(clauses) if _ANAPHOR.search(clause)), 0)
    before = " ".join(clauses[:first])
    said = [word for word in re.findall(r"[a-z0-9]+", before.lower()) if word not in GENERIC and len(word) > 2]
    return first > 0 and len(said) >= 2 and not is_acknowledgement(before)


def _same_check_in_its_own_words(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """The same security check asked again, firmly, of something this message names itself: a
    pasted line ("INFRA-812: 'lock down stdriftwoodpay, it was flagged public'") whose "it" or
    "that" points at what the message said before it, not at the previous answer's item; or an
    item the previous answer named ("which vm does allow-ssh-from-anywhere reach?" after gcp's
    firewall rules). Either is checked where the previous turn looked (its cloud), unless the
    words name a place of their own; nothing of the previous answer's target is lent."""
    if route.skill != previous.skill or SKILL_BY_NAME[route.skill].agent != "security" \
            or SKILL_BY_NAME[route.skill].mutating or route.confidence < threshold:
        return None
    own_subject = bool(_ANAPHOR.search(route.text)) and _antecedent_in_the_message(route.text) \
        and not any(key in route.slots for key in _TARGET_SLOTS)
    listed = {str(r).lower() for r in previous.resources}
    named_listed = any(isinstance(route.slots.get(key), str) and str(route.slots[key]).lower() in listed
                       for key in _TARGET_SLOTS)
    if not (own_subject or named_listed):
        return None
    slots = {**_place_of(route, previous), **route.slots}
    if named_listed and previous.slots.get("cloud") not in (None, "aws") and "cloud" not in route.slots:
        # a kind of machine said in passing ("which vm") names no AWS resource kind on another cloud
        slots.pop("resource_type", None)
    return route.model_copy(update={"slots": slots})


def _acknowledged(route: Route) -> Route:
    """An acknowledgement answered as a greeting (no tool runs, so the thread keeps the turn
    before it for what comes next)."""
    skill = SKILL_BY_NAME["help"]
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent, "slots": {},
                                    "confidence": 1.0})


_WRONG_TARGET = re.compile(r"\b" + WRONG_TARGET + r"\b", re.I)


def _corrected(route: Route, previous: TurnContext, said: str, threshold: float) -> Route | None:
    """"no, I meant aws", "sorry, meant the payments one": the previous request again, the
    corrected words (its slots, or a bare name) in place of the previous ones; a correction
    of a change proposes the corrected change (it still waits for an approval)."""
    rest = correction_rest(route.text)
    if rest is None or len(rest.split()) > MAX_ELLIPTICAL_WORDS:
        return None
    if route.confidence >= threshold and route.skill != previous.skill and not _ONE_OF_THE_LIST.search(rest) \
            and _OWN_QUESTION.match(rest):
        return None  # "sorry, I meant: who is on call for search?" is a question of its own
    named = _bare_name(route, previous, rest)
    slots = {**_kept_for(route.model_copy(update={"slots": {**route.slots, **named}}), previous),
             **route.slots, **named, SAID: f"{said} {rest}".strip()}
    if named and "incident_id" in slots and "incident_id" not in route.slots:
        slots.pop("incident_id")  # "the payments one": another incident than the one briefed
    if _WRONG_TARGET.search(route.text):  # "wrong box, i meant the staging one": not the previous target
        slots = {key: value for key, value in slots.items()
                 if key not in _TARGET_SLOTS or key in route.slots or key in named}
    # "wrong one, i meant the staging frontend vm. start that one": the change asked of the one meant
    skill = SKILL_BY_NAME[route.skill if route.skill != previous.skill and _requests_its_change(route)
                          else previous.skill]
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent, "slots": slots,
                                    "confidence": max(route.confidence, threshold)})


def _shown_items(items: Any, shown: Collection[str]) -> list[dict[str, Any]]:
    """The listed items the answer itself named (its resources): what the person saw, of all the
    rows the tool returned."""
    return [item for item in items if isinstance(item, dict) and item.get("id") in shown] \
        if isinstance(items, list) else []


def _listed_item(route: Route, items: Any, shown: Sequence[str] = ()) -> dict[str, Any] | None:
    """The target slots of the one item of the previous list that "the X one" describes: {}
    when the words describe none or several of them, None when they describe no item. Several
    rows fitting ("the checkout one" of every run) is settled by the rows the answer showed
    (``shown``: its failed runs, one of them checkout's), which are what the person saw."""
    # "not the payments one, the checkout one": the item named after the one ruled out
    kept = without_ruled_out(route.text)
    phrase = _ONE_OF_THE_LIST.search(kept)
    user = _ONE_USED_BY.search(kept) if phrase is None else None
    if (phrase is None and user is None) or not isinstance(items, list) or not items:
        return None
    words = phrase.group(0) if phrase is not None else f"the {user['who'] if user else ''} one"  # "the payments one"
    chosen = pick(items, words)
    seen = _shown_items(items, shown)
    if chosen is None and 0 < len(seen) < len(items):
        chosen = pick(seen, words)
    return _slots_of(chosen) if chosen is not None else {}


def _slots_of(chosen: Any) -> dict[str, Any]:
    """The target slots of one listed item: an incident, instance or run by the slots of its
    kind, anything else by its name and where it is."""
    if not isinstance(chosen, dict):
        return {}
    if chosen.get("kind") == RUN_KIND and _LONG_NUMBER.fullmatch(chosen.get("id", "")):
        return {"run_id": chosen["id"]}  # a listed workflow run: that run, never a resource named after it
    for pattern, keys in _ITEM_KINDS[:2]:
        if pattern.fullmatch(chosen.get("id", "")):
            return {key: ([chosen["id"]] if key == "resource_ids" else chosen["id"]) for key in keys}
    return target_slots(chosen)


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*")


# One item of a list by what it is or is about: "the payments one", "the windows one".
# (a place in the list, "the previous one", is no description)
# (a word may be a dotted control or version id: "the IAM.5 one", "the EC2.19 thing")
_ONE_OF_THE_LIST = re.compile(r"\bthe\s+(?!same\b|other\b|next\b|last\b|first\b|previous\b|prior\b)"
                              r"(?:[\w-]+(?:\.[\w-]+)*\s+){1,3}?one\b|"
                              # "the port probe thing", "the crypto thing": "thing" stands for the listed item
                              r"\bthe\s+(?!same\b|other\b|next\b|last\b|first\b|previous\b|prior\b|whole\b|only\b|"
                              r"main\b|real\b|one\b|best\b|worst\b|weird\b)(?:[\w-]+(?:\.[\w-]+)*\s+){1,3}?thing\b",
                              re.I)
# One item pointed at, not described: "that one", "this incident", "the only one"
_THAT_ONE = re.compile(r"\b(?:that|this|the only|the)\s+(?:one|incident|item)\b(?!\s+(?:before|after)\b)", re.I)
# ... or by a phrase after it: "the one on the apple pay PR", "the one in eu-west-1", "the one for
# search" ("the one on call" is a person, not a row)
_THE_ONE_QUALIFIED = re.compile(r"\bthe\s+one\s+(?:on(?!\s*-?\s*call\b)|in|for|from|with|about|of)\s+\w", re.I)
# ... or by who uses it: "the one the payments app uses", "the one that the etl job reads" (the
# payments one, the etl one)
_ONE_USED_BY = re.compile(r"\bthe\s+one\s+(?:that\s+|which\s+)?(?:the\s+|our\s+)?(?P<who>[a-z][\w-]*)\s+"
                          r"(?:(?:app|application|service|team|api|site|job|lambda|function|worker)\s+)?"
                          r"(?:uses|used|runs on|reads|reads from|writes to|talks to|hits|relies on|depends on|"
                          r"is using|connects to)\b", re.I)
# ... said first in the message ("the crypto one - which box is it")
_OPENS_ON_ONE = re.compile(r"^\W*(?:(?:ok|okay|and|so|now|right)\W+)?(?:" + _ONE_OF_THE_LIST.pattern + "|"
                           + _THE_ONE_QUALIFIED.pattern + ")", re.I)
_FAILURE_WORDS = re.compile(r"\b(?:wrong|fail\w*|broke\w*|red|error\w*|why|died|dead|crash\w*|kill\w*|blew|"
                            r"blow\w*|bomb\w*|explod\w*|chok\w*|fell over|happened|"
                            # "what's the reason on the apple pay one", "the cause of the infra one"
                            r"reasons?|caus\w*|issues?|problems?)\b", re.I)


def _put_to_the_bot(route: Route, threshold: float) -> bool:
    """A catalogue or policy question put to the bot ("if one of them is red can I have you kick
    it off? who signs off on that"): about the bot and its rules, whatever items it mentions."""
    return route.skill == "help" and route.confidence >= threshold and bool(_TO_THE_BOT.search(route.text.lower()))


# Asking who may make or approve a change: "who's allowed to approve that", "who can ok it",
# "who signs off on this", "who approves"
_WHO_MAY = re.compile(r"\bwho(?:'?s| is| are)?\s+(?:allowed|permitted|authori[sz]ed|able)\b|"
                      r"\bwho\s+(?:can|could|may|gets? to|(?:would |will )?(?:has|have|needs?) to|should)\s+"
                      r"(?:approve|ok|okay|sign off|do|run|green-?light)\b|\bwho\s+(?:approves|signs off|oks)\b",
                      re.I)


def _asks_who_may(route: Route, threshold: float) -> bool:
    """A question of who may make or approve a change, read as help (or, unsure, with help
    among the readings), about no change the words name themselves."""
    if route.requested_skill is not None or not _WHO_MAY.search(route.text):
        return False
    return route.skill == "help" or (route.confidence < threshold
                                     and any(skill == "help" for skill, _ in route.alternatives))


# Words put to the bot or about it: what a catalogue question says ("can I have you rerun it?"
# asks the bot for an act as much as "can you rerun it?" does).
_TO_THE_BOT = re.compile(ABOUT_THE_BOT.pattern + "|" + HELP.pattern
                         + r"|\b(?:can|could|may) (?:i|we) (?:have|get|ask) (?:you|u)\b"
                         # the act done by way of the bot, or asked of it: "thru you", "from here", "if i ask you to"
                         r"|\b(?:through|thru|via) (?:you|u|guardian|the bot)\b|\bfrom here\b"
                         r"|\b(?:ask|asked|asking|tell|told|get|have) (?:you|u) to\b"
                         # the asker's own right to use the bot: "am I actually allowed to pull forecasts?"
                         r"|\bam i (?:\w+ )?(?:allowed|permitted|authori[sz]ed|cleared) to\b")

# The previous answer's items set aside: "neither of those", "none of them look odd", "not those two".
_DISMISSED = re.compile(r"\b(?:neither|none) of (?:those|them|these|that|the two|both)\b"
                        r"(?=[^?]*?(?:[,;:.!-]|\b(?:so|but|then)\b))", re.I)

# Cloud-resource slots: a CI run is never one of them.
_CLOUD_TARGETS = ("instance_id", "resource_ids", "resource_name", "bucket", "log_group")


def _without_context_word(route: Route, previous: TurnContext) -> Route:
    """"bumped max-old-space-size, rerun it" in a CI thread: the dashed word is what the speaker
    changed, not what to act on (a CI request acts on a run, a repository or a workflow, never
    on a cloud resource); "it" is the thread's run, so the word is dropped as a target."""
    if route.agent != "cicd" or SKILL_BY_NAME[previous.skill].agent != "cicd" or not _ANAPHOR.search(route.text):
        return route
    own = [key for key in _TARGET_SLOTS if key in route.slots]
    if not own or any(key not in _CLOUD_TARGETS for key in own):
        return route
    return route.model_copy(update={"slots": {k: v for k, v in route.slots.items() if k not in _CLOUD_TARGETS}})


# How a failed run died, named by its signature: an exit code, running out of memory, a signal.
_FAILURE_SIGNATURE = re.compile(r"\bexit(?:ed)?(?:\s+(?:code|status|with))?\s*\d{1,3}\b|\bo\.?o\.?m\b|"
                                r"\bout of memory\b|\bheap\b|\bsegfault\w*|\bsig(?:kill|segv|abrt|term)\b|"
                                r"\bcore dump\w*", re.I)


# What names a CI run of its own in a turn.
_RUN_TARGETS = ("run_id", "repo", "workflow")


def _failure_signature_of_a_run(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """A question naming how a run died ("exit 134 - oom or something else?") right after a CI
    answer, read as the failure or unsure as another domain's (a runbook on memory) with the
    failure reading among its guesses: why the previous answer's run failed, its log says."""
    if SKILL_BY_NAME[previous.skill].agent != "cicd" or SKILL_BY_NAME[route.skill].mutating \
            or not _FAILURE_SIGNATURE.search(route.text) or any(key in route.slots for key in _RUN_TARGETS):
        return None
    # read as the failure already (naming no run: the thread's), or unsure elsewhere with it a guess
    if route.skill != "cicd.failure" and (route.agent == "cicd" or route.confidence >= threshold
                                          or "cicd.failure" not in (name for name, _score in route.alternatives)):
        return None
    skill = SKILL_BY_NAME["cicd.failure"]
    lent = {**{key: previous.slots[key] for key in _RUN_NARROWING if key in previous.slots}, **_target_of(previous)}
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent, "slots": {**lent, **route.slots},
                                    "confidence": max(route.confidence, threshold)})


# "and its logs?", "what about their error lines": a possessive pointing back at the previous
# turn's subject, followed by a thing of that subject's own
_ITS_OWN = re.compile(r"\b(?:its|their)\s+[a-z]", re.I)


def _asks_another_side_of_it(route: Route, previous: TurnContext) -> bool:
    """"and its app logs? anything erroring" after one machine's description: the words open like
    an ellipsis but ask, of the subject "its" points back at, another reading of the same agent
    that the router is sure of (its logs, not its description again); that reading, of the
    previous turn's target (the anaphora lends it), not the previous question with new qualifiers."""
    before, routed = SKILL_BY_NAME[previous.skill], SKILL_BY_NAME[route.skill]
    return route.skill != previous.skill and routed.agent == before.agent and route.confidence >= SURE_READING \
        and not routed.mutating and not before.mutating and bool(_ITS_OWN.search(route.text)) \
        and bool(_target_of(previous, route.text))


# A bare "why" put to the previous answer: "why?", "why not", "how come", "huh, what happened?"
_BARE_WHY = re.compile(r"^\W*(?:(?:ok|okay|so|but|hm+|huh|wait|and|ugh|oh)\W+)*(?:why(?:\s+not|\s+tho(?:ugh)?|"
                       r"'?s that|\s+is that|\s+so)?|how\s+come|what\s+happened|what'?s\s+the\s+reason)\W*$", re.I)
# Answers that show runs or deployments with their outcome.
_SHOWS_OUTCOMES = ("cicd.status", "cicd.changes")


def _why_the_red_run(route: Route, previous: TurnContext, items: Any, threshold: float) -> Route | None:
    """A bare "why?" right after a CI answer that showed one red run ("is CI green on dave's
    branch?" then "why not"), which the router cannot place (it names nothing): why that run
    failed. Nothing when the answer showed no red run, or several, or the router is sure of
    another question."""
    if previous.skill not in _SHOWS_OUTCOMES or not _BARE_WHY.match(route.text):
        return None
    if route.skill != "cicd.failure" and route.skill != "help" and route.confidence >= threshold:
        return None
    failure = _failure_of_the_one_red_run(route, previous, items)
    return failure.model_copy(update={"confidence": max(route.confidence, threshold)}) if failure else None


def _log_lines_of_the_red_run(route: Route, previous: TurnContext, items: Any) -> Route | None:
    """"nope? paste me the error lines then" after a CI answer that showed one red run: the
    router, not sure of it, reads a request for log lines naming no source of its own as a
    machine's logs; the lines wanted are that run's, which its failure quotes from its job log."""
    if previous.skill not in _SHOWS_OUTCOMES or route.skill != "infra.logs" or route.confidence >= SURE_READING \
            or any(key in route.slots for key in _TARGET_SLOTS):
        return None
    return _failure_of_the_one_red_run(route, previous, items)


def _failure_of_the_one_red_run(route: Route, previous: TurnContext, items: Any) -> Route | None:
    """``route`` as why the one red run the previous answer showed failed; None when it showed
    no red run, or several."""
    red = [item for item in _shown_items(items, previous.resources)
           if item.get("kind") == RUN_KIND and item.get("state") == "failure"]
    if len(red) != 1:
        return None
    skill = SKILL_BY_NAME["cicd.failure"]
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                    "slots": {**route.slots, "run_id": red[0]["id"]}})


def _requests_its_change(route: Route) -> bool:
    """The routed skill is a change and the words ask for it with its own verb ("ok it's
    fine now, close it"): a request of its own, never an ellipsis of the previous question."""
    if not SKILL_BY_NAME[route.skill].mutating:
        return False
    # "just cycle the host": a machine verb the slots read ("cycle", "kick") that the mood tables lack
    return any(occ.skill == route.skill and occ.mood == "request" for occ in occurrences(route.text)) or (
        route.skill == "infra.action" and route.slots.get("action") in _MACHINE_ACTIONS
        and not occurrences(route.text))


# Asking to see more of one thing: "dig into the low urgency one", "drill into", "zoom in on".
_LOOK_CLOSER = re.compile(r"\b(?:dig|drill|look|zoom)\s+(?:in|into|at|on)\b|\bdeep[- ]dive\b|\bmore (?:on|about)\b|"
                          r"\bdetails? (?:on|of|about|for)\b|\btell me about\b|\bexplain\b|"
                          # reading verbs: "pull up the log of", "fish the error out of", "dig the trace up"
                          # (not "bring it back up", a start)
                          r"\b(?:pull|fish|dig|grab|fetch)\s+(?:[\w'-]+\s+){0,3}?(?:up|out)\b", re.I)


def _asks_a_change(route: Route) -> bool:
    """Whether the turn asks for a change: an unambiguous imperative, or a change skill the
    router picked; not when the words only ask to look closer and name no verb of the change
    ("dig into the low urgency one" is no page, whatever the router guessed)."""
    if imperative_skills(route.text):
        return True
    if not SKILL_BY_NAME[route.skill].mutating:
        return False
    return not _LOOK_CLOSER.search(route.text) or _requests_its_change(route)


def _detail_skill(listed: str, text: str, said: str = "") -> str | None:
    """The skill that tells about one item of what ``listed`` lists. Looking closer at one run
    of a list asked for its failures ("what's broken in CI" then "drill into the infra one")
    is asking why that run failed."""
    if listed == "cicd.status" and _LOOK_CLOSER.search(text) and _FAILURE_WORDS.search(said):
        return "cicd.failure"
    if listed in ("cicd.status", "cicd.changes"):
        # a changes answer lists deployments with their state too: "why is the red one red"
        return "cicd.failure" if _FAILURE_WORDS.search(text) else ("cicd.status" if listed == "cicd.status" else None)
    return {"incident.list": "incident.brief", "infra.inventory": "infra.describe"}.get(listed)


def acted_on(args: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a tool call that name what it acts on, as the slots a follow-up lends."""
    return {key: value for key, value in args.items() if key in _TARGET_SLOTS and value not in (None, "", [])}


# A person referred to, not named: "is she handling anything", "what's he got open".
_PERSONAL_PRONOUN = re.compile(r"\b(?:she|he|her|him|his|hers|she's|he's)\b", re.I)
_PERSON_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z'-]+)+")
# What a person is asked about: their incidents, listed or moved on ("ack whatever she has open"),
# never the rota itself ("who's behind her" asks the rota about the next level, not about her).
# ("what did she write on hers" after who is on call: the brief of the incident she holds)
_ABOUT_A_PERSON = ("incident.list", "incident.ack", "incident.resolve", "incident.brief")
# Answers that name the person a pronoun next stands for: who is on call, who a page goes to.
_NAMES_A_PERSON = ("incident.oncall", "incident.page")


# A level of the rota just shown, said as a role: "is the primary busy?", "what's the backup holding?"
_ROLE_OF_ROTA = re.compile(r"\bthe\s+(?:(primary)|(secondary|backup|second))(?:\s+(?:one|person|on-?call|oncall))?\b"
                           r"(?!\s+(?:db|database|region|node|server|instance|cluster|replica|bucket|key|site)\b)",
                           re.I)


def _person_meant(route: Route, previous: TurnContext) -> str | None:
    """The person "she" or "he" stands for right after an on-call answer (or a page's): the first
    person that answer named (the one on call at the level asked, the one paged), for a question
    about their incidents or a change of the one they hold. "The primary" is that first person
    too, and "the secondary" the second, when the answer showed one rota (two people)."""
    if route.skill not in _ABOUT_A_PERSON or previous.skill not in _NAMES_A_PERSON \
            or any(key in route.slots for key in ("person", "incident_id", "team")):
        return None
    people = [r for r in previous.resources if _PERSON_NAME.fullmatch(r)]
    role = _ROLE_OF_ROTA.search(route.text) if previous.skill == "incident.oncall" else None
    if role is not None:
        if role.group(1):
            return people[0] if people else None
        return people[1] if len(people) == 2 else None
    if not _PERSONAL_PRONOUN.search(route.text):
        return None
    return people[0] if people else None


# More of what someone did, pointed at: "anything else from them", "what else did she ship".
_MORE_FROM_THEM = re.compile(r"\b(?:anything|something|what|which)\s+else\b.*\b(?:them|they|their|she|he|her|him|"
                             r"his)\b", re.I)
# The one author a changes answer led with ("driftwood/x#207 was merged by frank 4d ago.").
_CHANGED_BY = re.compile(r"\bwas (?:merged|pushed|deployed|made) by ([\w.-]+)")


def _more_from_the_author(route: Route, previous: TurnContext, answered: str, threshold: float) -> Route | None:
    """"anything else from them lately?" right after an answer naming who made one change: that
    person's other changes (the same question again, narrowed to them), whatever the words
    resemble; a turn naming its own person or target asks its own question."""
    author = _CHANGED_BY.search(answered) if previous.skill == "cicd.changes" else None
    if author is None or not _MORE_FROM_THEM.search(route.text) or SKILL_BY_NAME[route.skill].mutating \
            or any(key in route.slots for key in (*_TARGET_SLOTS, "person", "team")):
        return None
    skill = SKILL_BY_NAME["cicd.changes"]
    kept = {key: value for key, value in previous.slots.items() if key in ("time_range",)}
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent,
                                    "slots": {**kept, **route.slots, "person": author.group(1)},
                                    "confidence": max(route.confidence, threshold)})


# An account or person pointed at, not named: "that person", "this user", "she", "their keys".
_ACCOUNT_POINTED = re.compile(r"\b(?:that|this|the same)\s+(?:person|user|guy|account|login|one)\b|"
                             + _PERSONAL_PRONOUN.pattern, re.I)
# Skills whose answers name accounts one by one.
_ABOUT_ACCOUNTS = ("security.iam",)


# Lists whose items another check of the same agent judges on its own: a finding is about a
# bucket, a group or an account, which the storage, port or IAM check looks at more closely.
_LISTS_CHECKED_ELSEWHERE = ("security.findings",)


def _own_check_of_an_item(route: Route, previous: TurnContext) -> bool:
    """Whether a message opening on one listed finding asks another check of the list's agent about
    it: the router is firm on that check and has no reading of the list's own skill ("tell me
    more about the X one" asks for the item itself, whatever the router read)."""
    return previous.skill in _LISTS_CHECKED_ELSEWHERE and route.confidence >= FIRM_READING \
        and route.skill != previous.skill \
        and route.agent == SKILL_BY_NAME[previous.skill].agent and not _reads_also(route, previous.skill) \
        and not _ASKS_WHAT_IT_CONCERNS.search(route.text) and not _MORE_ABOUT.match(route.text)


# Which thing a listed item concerns: "which user is it about", "what box is that on", "who's it
# for": the row itself says, so the list answers (the item's words, "the mfa one", are no new check)
_ASKS_WHAT_IT_CONCERNS = re.compile(r"\b(?:which|what|whose)\b[^.?!]{0,30}?\b(?:is|was|'s)\s+(?:it|that|this)\b|"
                                    # the same with the subject first ("which user it is concerning")
                                    r"\b(?:which|what|whose)\b[^.?!]{0,30}?\b(?:it|that|this)\s+(?:is|was|'s)\s+"
                                    r"(?:about|for|concerning|regarding|on)\b|"
                                    r"\bwho(?:'s|\s+is)\s+(?:it|that|this)\s+(?:about|for)\b", re.I)


def _accounts_named(slots: dict[str, Any]) -> list[str]:
    """The names a listed item's target slots give its account by: each name and id as it is,
    and the last part of an ARN or path ("arn:aws:iam::1:user/dave" is dave)."""
    values = [slots.get("resource_name"), *(slots.get("resource_ids") or [])]
    found: list[str] = []
    for value in values:
        if isinstance(value, str) and value:
            found += [value, re.split(r"[/:]", value)[-1]]
    return [name for name in dict.fromkeys(found) if name]


def _points_at_an_account(route: Route, previous: TurnContext) -> bool:
    """A question about accounts right after an answer naming some, pointing at one of them
    without naming it."""
    return route.skill in _ABOUT_ACCOUNTS and previous.skill in _ABOUT_ACCOUNTS and bool(previous.resources) \
        and "person" not in route.slots and bool(_ACCOUNT_POINTED.search(route.text))


# What belongs to an account's own sign-in: its password, console login, MFA device, keys.
_ACCOUNT_MATTER = re.compile(r"\b(?:passwords?|passwd|pw|log\s?ins?|sign[- ]?ins?|console|mfa|2fa|"
                             r"access\s+keys?|keys?|credentials?|creds)\b", re.I)


def _account_matter_of_one_named(route: Route, previous: TurnContext, threshold: float) -> bool:
    """An unsure reading of another skill, right after an answer naming accounts, of a matter of
    an account's own sign-in, pointing at one of them without naming it."""
    return route.confidence < threshold and route.skill not in _ABOUT_ACCOUNTS \
        and previous.skill in _ABOUT_ACCOUNTS and bool(previous.resources) and "person" not in route.slots \
        and bool(_ACCOUNT_POINTED.search(route.text)) and bool(_ACCOUNT_MATTER.search(route.text))


def _level_paged(route: Route, previous: TurnContext) -> dict[str, Any]:
    """"page them" after "and who's secondary?": the person the on-call answer named sits at
    the level it was asked about, so the page goes to that level, not to the policy's first."""
    if route.skill != "incident.page" or previous.skill != "incident.oncall" or "level" in route.slots \
            or "person" in route.slots or "level" not in previous.slots:
        return {}
    return {"level": previous.slots["level"]}


_ROTAS = ("team", "service", "escalation_policy", "schedule")


def _rota_of_the_level(route: Route, previous: TurnContext, threshold: float) -> dict[str, Any]:
    """"wake up the secondary" after who is on call for storefront: the level paged is of the
    rota the on-call answer was about, when the page (the router sure of it: "and after her?"
    is a question of the rota) names no rota, person or incident itself."""
    if route.skill != "incident.page" or route.confidence < threshold or "level" not in route.slots \
            or previous.skill != "incident.oncall" \
            or any(key in route.slots for key in (*_ROTAS, "person", "incident_id")):
        return {}
    return {key: previous.slots[key] for key in _ROTAS if key in previous.slots}


def _briefed_incident(route: Route, previous: TurnContext, lent: dict[str, Any]) -> dict[str, Any]:
    """"escalate it" after a brief of one incident found by its words ("the checkout latency
    one"): "it" is that incident (its id, from the brief's answer), not a new page on its
    service, which is all the brief's own slots said."""
    if not route.skill.startswith("incident.") or not SKILL_BY_NAME[route.skill].mutating \
            or previous.skill != "incident.brief" or "incident_id" in lent:
        return {}
    briefed = list(dict.fromkeys(r for r in previous.resources if _INCIDENT_ID.fullmatch(r)))
    return {"incident_id": briefed[0]} if len(briefed) == 1 else {}


# What names whom or what a change of an incident is about, other than the incident itself.
_INCIDENT_TARGETS = ("incident_id", "service", "person", "team", "instance_id", "resource_ids", "resource_name",
                     "run_id", "repo")


def _only_incident_of(route: Route, previous: TurnContext) -> str | None:
    """The one incident the previous incident answer named, for a change of an incident (ack,
    resolve, escalation) whose words name no target of their own nor one item of a list."""
    if not route.skill.startswith("incident.") or not SKILL_BY_NAME[route.skill].mutating \
            or not previous.skill.startswith("incident.") or previous.skill == "incident.oncall" \
            or any(key in route.slots for key in _INCIDENT_TARGETS) \
            or _ONE_OF_THE_LIST.search(route.text) or _THE_ONE_QUALIFIED.search(route.text):
        return None
    named = list(dict.fromkeys(r for r in previous.resources if _INCIDENT_ID.fullmatch(r)))
    return named[0] if len(named) == 1 else None


def _only_run_of(route: Route, previous: TurnContext) -> str | None:
    """The one run the previous CI answer named, for a re-run whose words name no target of their
    own nor one item of a list ("retry the failed jobs" after why run 7310000006 failed)."""
    if route.skill != "cicd.rerun" or not previous.skill.startswith("cicd.") or previous.skill == "cicd.changes" \
            or any(key in route.slots for key in _TARGET_SLOTS) \
            or _ONE_OF_THE_LIST.search(route.text) or _THE_ONE_QUALIFIED.search(route.text):
        return None
    named = list(dict.fromkeys(r for r in previous.resources if _LONG_NUMBER.fullmatch(r)))
    # a commit's abbreviated sha (seven characters) that happens to be all digits ("5491677",
    # beside the run a failure answer named) is no second run
    longer = [r for r in named if len(r) != SHORT_SHA_LENGTH]
    named = longer if longer else named
    return named[0] if len(named) == 1 else None


SHORT_SHA_LENGTH = 7  # git's abbreviated commit id, as the CI answers show it


# Words asking about every rota at once ("who's on call everywhere", "all the primaries").
_EVERY_ROTA = re.compile(r"\b(?:every|everyone|everybody|all|each|everywhere|whole)\b", re.I)
# What names the rota an on-call question is about, other than an incident.
_ROTA_SUBJECTS = ("incident_id", "service", "team", "person", "schedule", "escalation_policy", "repo")


def _rota_of_the_briefed(route: Route, previous: TurnContext) -> dict[str, Any]:
    """The rota a question about one of its levels naming no rota means right after a brief of
    one incident ("who's backup if she doesn't answer"): the service or team the brief was asked
    of, else that incident's own escalation policy; not every rota's level."""
    if route.skill != "incident.oncall" or previous.skill != "incident.brief" or "level" not in route.slots \
            or any(key in route.slots for key in _ROTA_SUBJECTS) or _EVERY_ROTA.search(route.text):
        return {}
    asked: dict[str, Any] = {key: previous.slots[key] for key in ("service", "team") if key in previous.slots}
    if asked:
        return asked
    briefed = list(dict.fromkeys(r for r in previous.resources if _INCIDENT_ID.fullmatch(r)))
    return {"incident_id": briefed[0]} if len(briefed) == 1 else {}


# The paging system named as such: "the pd thing", "in pagerduty", "whatever's paging".
_PAGING_SYSTEM = re.compile(r"\b(?:pd|pagerduty|pager ?duty|pager|paging)\b", re.I)


def _asks_the_pager(route: Route, previous: TurnContext) -> bool:
    """A turn after another domain's answer that names the paging system and that the router
    read first as an incident question (a read, naming no cloud or CI target of its own)."""
    skill = SKILL_BY_NAME[route.skill]
    return route.skill.startswith("incident.") and not skill.mutating \
        and SKILL_BY_NAME[previous.skill].agent != skill.agent and bool(_PAGING_SYSTEM.search(route.text)) \
        and not any(key in route.slots for key in (*_CLOUD_TARGETS, "run_id", "repo", "workflow"))


def _log_source_of(route: Route, previous: TurnContext, skill: str) -> dict[str, Any]:
    """The log the previous turn read ("the metadata one" after one function's errors is a line of
    that function's log), when the logs are asked again and the words name no source of their own."""
    if skill != "infra.logs" or previous.skill != "infra.logs" or any(key in route.slots for key in _TARGET_SLOTS):
        return {}
    return {key: previous.slots[key] for key in ("log_group", "resource_name") if key in previous.slots}


def _where(previous: TurnContext) -> dict[str, Any]:
    """Where the previous turn looked (its cloud, repo or service), which an item of its list shares."""
    return {key: previous.slots[key] for key in ("cloud", "repo", "service", "region") if key in previous.slots}


def _incident_progress(route: Route, previous: TurnContext) -> Route | None:
    """A remark on an incident's progress that asks for no change ("cache is warm again, p95
    back under 2s"), right after a turn about one incident, is about that incident: its brief
    (which a later "close it out" then acts on), not the list of every open one."""
    if route.skill != "incident.list" or route.requested_skill not in ("incident.ack", "incident.resolve") \
            or "incident_id" in route.slots or previous.skill != "incident.brief":
        return None
    incident = previous.slots.get("incident_id") or next(
        (r for r in previous.resources if _INCIDENT_ID.fullmatch(r)), None)
    if not incident:
        return None
    return route.model_copy(update={"skill": "incident.brief", "agent": SKILL_BY_NAME["incident.brief"].agent,
                                    "slots": {**route.slots, "incident_id": incident}})


# "over there", "out there": a place the previous turn looked in, not one of its items ("in
# there", "out of there" are as often the previous answer itself: "anything odd in there?")
# ... and "that rg", "the same region", "this subscription": the place itself, pointed at
_PLACE_ANAPHOR = re.compile(r"\b(?:over|out) there\b|\b(?:that|this|the same)\s+(?:rg|resource[- ]group|region|"
                            r"subscription|project|zone|location)\b", re.I)
_ITEM_ANAPHOR = re.compile(r"\b(?:it|its|them|those|these|that one|this one)\b", re.I)
_PLACE_SLOTS = ("region", "cloud", "resource_group", "zone", "location")


def _points_at_a_place(text: str, previous: TurnContext) -> bool:
    """"anything over there we overpay for?" after a listing of one region: "there" is that
    region, and nothing in the words points at one listed item ("is it running over there");
    after a turn whose only place was a cloud ("azure spend so far"), "there" is that cloud."""
    return bool(_PLACE_ANAPHOR.search(text)) and not _ITEM_ANAPHOR.search(text) \
        and any(key in previous.slots for key in _PLACE_SLOTS)


def _place_of(route: Route, previous: TurnContext) -> dict[str, Any]:
    """The previous turn's place (region, cloud, resource group), unless this turn names its own."""
    if any(key in route.slots for key in _PLACE_SLOTS if key != "cloud"):
        return {}
    return {key: previous.slots[key] for key in _PLACE_SLOTS if key in previous.slots}


def _words_pick_among(text: str, previous: TurnContext, items: Any) -> bool:
    """"the bastion - what size is it?" after a list whose rows name several machines: "it" is
    the one the words name (one of the rows' names shares a word with them), not the first
    machine the answer named; the words are resolved as said."""
    machines = [r for r in previous.resources if r.startswith("i-")]
    if len(machines) < 2 or not isinstance(items, list):
        return False
    said = set(re.findall(r"[a-z0-9]+", text.lower())) - set(GENERIC)
    named = [item for item in items if isinstance(item, dict)
             and said & set(re.findall(r"[a-z0-9]+", str(item.get("name") or "").lower()))]
    return len(named) == 1


# "that group", "this sg", "the same security group": the words say the kind pointed at
_THAT_GROUP = re.compile(r"\b(?:that|this|the same|same|its|their)\s+(?:security[- ]group|sg|group|firewall group)\b",
                         re.I)


def _target_of(previous: TurnContext, text: str = "") -> dict[str, Any]:
    """The previous turn's target: its slots naming one (with the cloud it lives in), else the
    first resource its answer named (an instance id is preferred for actions; a security group
    when the words point at a group)."""
    lent = {key: previous.slots[key] for key in _TARGET_SLOTS if key in previous.slots}
    groups = [r for r in previous.resources if r.startswith("sg-")]
    if groups and _THAT_GROUP.search(text) and not lent:
        # "any findings tied to that group?" after open security groups: the group, not a machine in it
        return {"resource_name": groups[0]}
    if lent:
        if previous.skill.startswith("cicd.") and "run_id" not in lent:
            # "why'd it die?" after "is the nightly on checkout-web green?": the run meant is the one
            # that turn narrowed to (its trigger, branch, who ran it), not the repository's latest failure
            lent.update({key: previous.slots[key] for key in _RUN_NARROWING if key in previous.slots})
        if "cloud" in previous.slots:  # "its logs" after "tell me about gce-x": x's cloud, not the primary one
            lent["cloud"] = previous.slots["cloud"]
        return lent
    instances = [r for r in previous.resources if r.startswith("i-")]
    if instances:
        return {"instance_id": instances[0], "resource_ids": [instances[0]]}
    incidents = [r for r in previous.resources if _INCIDENT_ID.fullmatch(r)]
    if incidents:
        return {"incident_id": incidents[0]}
    # "kick that run off again" after a CI answer: the run it named, never a repository named after its number
    runs = [r for r in previous.resources if _LONG_NUMBER.fullmatch(r)] if _RUN in _kinds(previous) else []
    if runs:
        return {"run_id": runs[0]}
    if previous.skill in _NAMES_A_PERSON and previous.slots.get("team") and _PLURAL_ANAPHOR.search(text):
        # "is anything of theirs still open?" after who is on call for a team: "they" are that team
        return {"team": previous.slots["team"]}
    if previous.skill.startswith("cicd.") or previous.skill in _NAMES_A_PERSON:
        # (an on-call answer or a page names people, and a person lent as a resource would be read
        # as a repository or a service of that name: "was it the deploy that failed?" after who is on call)
        # "why did it fail?" after what shipped: a CI answer's other refs (a merged PR, a commit,
        # "deployment 5501") name no resource, and lent as one they would be read as a repository
        # or a service of that name; the follow-up's own defaults (the latest failure) answer it
        return {}
    return {"resource_name": previous.resources[0]} if previous.resources else {}


# What narrows a repository's CI runs to the one a turn was about (the CI tools' own filters).
_RUN_NARROWING = ("event", "branch", "person")


# One row of the previous answer by its place: "the second one", "the last incident"; or with the
# noun left out where the clause ends on the place ("ok ack the first", "resolve the 2nd pls"), or
# typed tersely right after the write's verb ("resolve 2nd", "ack first pls")
_ORDINAL = re.compile(r"(?:\bthe\s+|\b(?:ack|acknowledge|resolve|close|reboot|restart|stop|start|re-?run|retry|"
                      r"page|brief on|describe)\s+)(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last|top)"
                      r"(?:\s+(?:one|incident|instance|run|item|row|entry|box|server|vm)\b|"
                      r"(?=\s*(?:[,.;:!?)]|$|\b(?:pls|plz|please|thanks|thx|ty|then|too|as well)\b)))", re.I)
_PLACES = {"first": 0, "1st": 0, "top": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3,
           "fifth": 4, "5th": 4, "last": -1}
# The ids a previous answer lists, by kind, and the slots an item of each kind fills.
_ItemKind = tuple[re.Pattern[str], tuple[str, ...]]
_LONG_NUMBER = re.compile(r"\d{6,}")
_RUN: _ItemKind = (_LONG_NUMBER, ("run_id",))
_ITEM_KINDS: tuple[_ItemKind, ...] = (
    (_INCIDENT_ID, ("incident_id",)),
    (re.compile(r"i-[0-9a-f]{8,17}"), ("instance_id", "resource_ids")),
    _RUN,
)


def _kinds(previous: TurnContext) -> tuple[_ItemKind, ...]:
    """The kinds of id the previous answer's resources can be read as. A long number is a run
    only after a CI turn: elsewhere it is a Compute Engine id, or a repository named after it."""
    if previous.skill.startswith("cicd."):
        return _ITEM_KINDS
    return tuple(kind for kind in _ITEM_KINDS if kind is not _RUN)


# One incident of a listed set by its age: "the older of the two", "the newest one" (an incident
# list is newest first, so the age is a place in it).
_BY_AGE = re.compile(r"\bthe\s+(?:(older|oldest|earlier|earliest)|(newer|newest|latest|more recent|most recent))"
                     r"(?:\s+(?:one|incident|page|of\s+(?:the|those|these)\s+(?:two|2|both|ones?|incidents?))\b)", re.I)


def _nth_item(previous: TurnContext, text: str, listed: Any = None, rows: Any = None) -> dict[str, Any]:
    """The slots naming the item at the place the words say, among the previous answer's ids
    of the first kind it lists (incidents, instances or runs, in the answer's order), else
    among the resources it named (buckets, groups; never a spend line). The place counts the
    rows its tables showed (``rows``) when they hold ids of that kind: an id the answer named
    only beside its table (a run still under way, in the lead) is no row of the list."""
    aged = _BY_AGE.search(text) if previous.skill == "incident.list" else None
    incidents = [r for r in previous.resources if _INCIDENT_ID.fullmatch(r)]
    if aged and incidents:
        return {"incident_id": incidents[-1] if aged.group(1) else incidents[0]}
    match = _ORDINAL.search(text)
    if not match:
        return {}
    shown = [str(row) for row in rows] if isinstance(rows, list) else []
    for pattern, keys in _kinds(previous):
        items = [r for r in previous.resources if pattern.fullmatch(r)]
        items = [r for r in shown if r in items] or items
        if not items:
            continue
        place = _PLACES[match.group(1).lower()]
        if place >= len(items):
            return {}
        item = items[place]
        return {key: ([item] if key == "resource_ids" else item) for key in keys}
    place = _PLACES[match.group(1).lower()]
    if isinstance(listed, list) and -len(listed) <= place < len(listed):
        return _slots_of(listed[place])  # "the second one" after a list of machines: that machine
    # "who owns the first one" after a list of buckets: the answer's names, in its order
    named = [r for r in previous.resources if r] if not previous.skill.startswith("cost.") else []
    return {"resource_name": named[place]} if -len(named) <= place < len(named) else {}


# "the one before", "the previous one", "the one after", "the next incident": beside the one
# the previous turn was about
_BESIDE = re.compile(r"\b(?:the\s+)?(?:one|incident)\s+(before|after)\b|\b(previous|prior|next)\s+(?:one|incident)\b",
                     re.I)
_NUMBER_IN_LEAD = re.compile(r"\(#(\d+)\)")


def _incident_beside(text: str, previous: TurnContext, answered: str) -> str | None:
    """``before #N`` / ``after #N`` (what the PagerDuty tools resolve) when the words ask for
    the incident next to the one the previous turn was about, whose number is its id or is in
    its answer's lead ("P7K2M9Q (#1042) ...")."""
    match = _BESIDE.search(text)
    ref = str(previous.slots.get("incident_id") or "")
    if match is None or not ref or not previous.skill.startswith("incident."):
        return None
    number = ref.lstrip("#") if ref.lstrip("#").isdigit() else None
    lead = _NUMBER_IN_LEAD.search(answered) if number is None else None
    number = number or (lead.group(1) if lead else None)
    if number is None:
        return None
    side = "before" if (match.group(1) or match.group(2)).lower() in ("before", "previous", "prior") else "after"
    return f"{side} #{number}"


def spend_ahead(route: Route) -> Route:
    """A spend asked of a period that has not begun ("what will rds run us next month", "and
    next quarter?") is a forecast: the bill has no line for it yet, so the spend summary could
    only say there was none."""
    if route.skill != "cost.summary" or not _ahead(route.slots.get("time_range")):
        return route
    skill = SKILL_BY_NAME["cost.forecast"]
    return route.model_copy(update={"skill": skill.name, "agent": skill.agent})


def _ahead(period: Any) -> bool:
    """Whether a period starts after today (UTC): nothing of it is billed yet."""
    if not isinstance(period, dict) or not period.get("start"):
        return False
    try:
        return date.fromisoformat(str(period["start"])[:10]) > datetime.now(UTC).date()
    except ValueError:
        return False


def _over(period: Any) -> bool:
    """Whether a period has ended by today (UTC): nothing is left of it to forecast."""
    if not isinstance(period, dict) or not period.get("end"):
        return False
    try:
        return date.fromisoformat(str(period["end"])[:10]) <= datetime.now(UTC).date()
    except ValueError:
        return False


def _runs_on(period: Any) -> bool:
    """Whether a period runs on past tomorrow (UTC): some of it is still to be spent."""
    if not isinstance(period, dict) or not period.get("end"):
        return False
    try:
        return date.fromisoformat(str(period["end"])[:10]) > datetime.now(UTC).date() + timedelta(days=1)
    except ValueError:
        return False


_BEFORE = re.compile(r"\b(?:the )?(?:\w+ )?before\b|\bprevious (?:one|period|week|month|day|quarter|year)\b|"
                     r"\bprior (?:one|period|week|month|day|quarter|year)\b|\bthe one before\b", re.I)


def _period_before(text: str, period: Any) -> dict[str, str] | None:
    """"the week before", "the previous period": the previous turn's period moved back by its
    own length."""
    if not _BEFORE.search(text) or not isinstance(period, dict) or not period.get("start") or not period.get("end"):
        return None
    start, end = date.fromisoformat(str(period["start"])[:10]), date.fromisoformat(str(period["end"])[:10])
    if start.day == 1 and end.day == 1:  # "last month", then "the month before": the whole months before
        months = (end.year - start.year) * 12 + end.month - start.month
        index = start.year * 12 + start.month - 1 - months
        before = date(index // 12, index % 12 + 1, 1)
        return {"start": before.isoformat(), "end": start.isoformat(),
                "label": f"the {months} month{'s' if months != 1 else ''} before {start.isoformat()}"}
    length = end - start
    return {"start": (start - length).isoformat(), "end": start.isoformat(),
            "label": f"the {length.days} days before {start.isoformat()}"}
