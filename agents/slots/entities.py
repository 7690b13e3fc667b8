"""Entity slots: regions, clouds, resource ids and names, services, tags, ports, repos,
workflows, runs, incidents, people, teams, severity, limits and the action asked for.
"""

from __future__ import annotations

import re
from typing import Any

from agents.mood import occurrences
from agents.slots.time import MONTH_ABBR, MONTHS, WEEKDAYS
from agents.slots.vocabulary import (
    ACTION,
    AWS_REGION,
    AWS_REGION_PREFIXES,
    AWS_SERVICE,
    AZURE_REGION,
    AZURE_SPELLED,
    CI_MACHINE,
    CI_WORDS,
    CITY_REGION,
    CITY_REGIONS,
    CLOUD_PATTERNS,
    ENVS,
    FOREIGN_FUNCTION_WORDS,
    FOREIGN_POSSESSIVES,
    GCP_REGION,
    GENERIC,
    HYPHENATED_WORDS,
    INCIDENT_ID,
    KNOWN_PORTS,
    NAMED_PORTS,
    OPEN_CONTEXT,
    RESOURCE_ID,
    ci_object,
)
from tools.places import PLACE_PATTERN, PLACES


def first_match(pairs: list[tuple[str, re.Pattern[str]]], text: str) -> str | None:
    """The name whose pattern matches earliest in ``text``."""
    best: tuple[int, str] | None = None
    for name, pattern in pairs:
        match = pattern.search(text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), name)
    return best[1] if best else None


def _is_name(word: str) -> bool:
    return (bool(word) and word not in GENERIC and not word.isdigit() and len(word) > 1
            and word not in _FUNCTION_WORDS and word not in FOREIGN_FUNCTION_WORDS and not _ADVERB.fullmatch(word))


# Prepositions, particles and adverbs, which name nobody and nothing: "customers can't get through
# checkout" (a verb and its particle, no one to get), "who is currently on call" (when, not who).
_FUNCTION_WORDS = frozenset("""through thru into onto over back across around behind after before under between
    beyond within along away ahead right still just also even already always never ever really actually quite
    very too soon often again""".split())
# An adverb made with -ly ("currently", "actually", "honestly", "definitely"); "-erly" and short
# words are left to names (Kimberly, Beverly, Emily, Holly)
_ADVERB = re.compile(r"[a-z]{5,}(?<!er)ly")


def find_region(text: str) -> tuple[str, str | None] | None:
    """(region, cloud it implies)."""
    for pattern, cloud in ((AWS_REGION, "aws"), (GCP_REGION, "gcp"), (AZURE_REGION, "azure")):
        match = pattern.search(text)
        if match:
            return match.group(0), cloud
    match = AZURE_SPELLED.search(text)
    if match:
        return "".join(part for part in match.groups() if part).replace(" ", ""), "azure"
    match = CITY_REGION.search(text)
    if match:
        return CITY_REGIONS[match.group(1)], None
    match = REGION_SHAPED.search(text)
    if match and match.group(1) in AWS_REGION_PREFIXES and match.group(2) not in NOT_REGION_WORDS:
        # "in eu-middle-9": meant as an AWS region (its prefix is one); the tool says it is none
        return match.group(0).split()[-1], "aws"
    place = find_place(text)
    return (place, None) if place else None


# "in europe", "across the us east regions", "our european boxes": a place covering several
# regions (tools/places.py), kept as said; each tool scans its cloud's regions there. Short or
# common words ("us", "eu", "uk", "america") count only after a preposition ("show us" is no place).
_PLACE_AFTER = re.compile(r"\b(?:in|across|from|within|inside|throughout|over)\s+(?:the\s+|our\s+)?("
                          + PLACE_PATTERN.pattern[3:-3] + r")\b")
_BARE_PLACES = frozenset({"europe", "european", "asia", "apac", "emea", "us east", "us west", "east us",
                          "west us", "japan", "india", "germany", "australia", "brazil", "africa",
                          "europa", "irlanda", "irland", "irlande", "deutschland", "alemania", "alemanha"})


# "eu only", "just the eu", "the eu side", "emea regions": a short place word made a place by what
# qualifies it ("us" stays out: "just us", "us only" are the pronoun as often as the place)
_QUALIFIED_PLACE = re.compile(r"\b(?:only|just|solely)\s+(?:the\s+|our\s+)?(eu|emea|apac|uk)\b(?!-)|"
                              r"\b(eu|emea|apac|uk)[\s-]+(?:only|side|regions?|half|part)\b")


# Two places set against each other: "eu vs us", "europe or the us", "us compared to emea" (a short
# word like "us" is a place here: the other side is one)
_PLACE_WORD = r"(?:eu|us|uk|emea|apac|asia|europe|america|the us|the eu|the uk)"
_PLACES_SET_AGAINST = re.compile(rf"\b({_PLACE_WORD})\s+(?:vs\.?|versus|v\.?|or|against|compared (?:to|with))\s+"
                                 rf"({_PLACE_WORD})\b(?!-)")


def places_compared(text: str) -> bool:
    """Whether the words set two different places side by side ("was it eu vs us?"): no one of
    them narrows a spend, which is then split by region."""
    match = _PLACES_SET_AGAINST.search(text)
    return match is not None and match.group(1).removeprefix("the ") != match.group(2).removeprefix("the ")


def find_place(text: str) -> str | None:
    """The place a request names instead of a region ("europe", "us east"), normalised."""
    after = _PLACE_AFTER.search(text)
    if after:
        return " ".join(re.split(r"[\s-]+", after.group(1)))
    qualified = _QUALIFIED_PLACE.search(text)
    if qualified:
        return qualified.group(1) or qualified.group(2)
    for match in PLACE_PATTERN.finditer(text):
        place = " ".join(re.split(r"[\s-]+", match.group(1)))
        if place in _BARE_PLACES and not re.match(r"-\d", text[match.end():]):
            return place
    return None


# "us-api-2", "eu-web-1": a service or host named after its region's prefix, not a region
NOT_REGION_WORDS = frozenset({"api", "web", "app", "db", "worker", "prod", "staging", "dev", "test"})
# a region-shaped word after "in" or "region": prefix-direction-number
REGION_SHAPED = re.compile(r"\b(?:in|region)\s+([a-z]{2,})-([a-z]+)-\d{1,2}\b")


# A cloud said by its own name ("google cloud" as much as "gcp"), not by one of its services
_CLOUD_NAMED = {"aws": re.compile(r"\baws\b|\bamazon web services\b"),
                # "the same for the microsoft cloud", "on the microsoft side": Azure by its maker's name
                "azure": re.compile(r"\bazure\b|\b(?:microsoft|ms)(?:'s)? (?:cloud|side)\b"),
                "gcp": re.compile(r"\bgcp\b|"
                                  r"\b(?:google|goggle|gogle|googel) cloud\b(?! (?:storage|run|functions?|sql)\b)|"
                                  # "same check on the google side", "and in google?": the cloud by its
                                  # maker's name alone ("a google login", "in google docs", "searched on
                                  # google" name no cloud)
                                  r"\bgoogle(?:'s)? side\b|(?<!search )(?<!searched )(?<!searching )(?<!found )(?<!up )"
                                  r"\b(?:on|in|for|over) (?:the )?google\b"
                                  r"(?! (?:cloud|docs?|sheets?|drive|workspace|calendar|meet|chat|groups?|logins?|"
                                  r"accounts?|forms?|slides|search|ads|analytics|play|maps|fonts?|auth|sso)\b)")}


_CLOUD_WORD = {"aws": r"aws", "azure": r"azure", "gcp": r"(?:gcp|google cloud|google)"}


def _set_aside(cloud: str, text: str) -> bool:
    """Whether the words put ``cloud`` behind them ("that's the aws side done", "done with aws",
    "aws is sorted, now azure"): the other cloud named is the one asked about."""
    word = _CLOUD_WORD[cloud]
    return re.search(rf"\b{word}(?:\s+(?:side|part|bit|bill|numbers?|figures?|one))?(?:'s|\s+(?:is|was|are|were))?\s+"
                     r"(?:all\s+)?(?:done|sorted|covered|handled|finished|squared away)\b|"
                     rf"\b(?:done|finished)\s+with\s+(?:the\s+)?{word}\b", text) is not None


def find_cloud(text: str, region_cloud: str | None) -> str | None:
    named = [cloud for cloud, pattern in CLOUD_PATTERNS if pattern.search(text)]
    explicit = [c for c in ("aws", "azure", "gcp") if _CLOUD_NAMED[c].search(text)]
    if len(explicit) > 1:
        explicit = [c for c in explicit if not _set_aside(c, text)] or explicit
    if len(explicit) > 1:
        return None  # "across aws, azure and gcp": no single cloud
    if explicit:
        return explicit[0]
    if len(set(named)) == 1:
        return named[0]
    return region_cloud if not named else None


# "some bucket letting anyone in", "a bucket exposed to the world", "the bucket grants read": a
# plain word after the noun that is a verb form goes on about the bucket; it names none
_VERB_AFTER_NOUN = re.compile(r"[a-z]+(?:ing|ed)|(?:is|was|has|had|got|gets|grants?|allows?|lets|gives?|exposes?|"
                              r"leaks?|shows?|says|holds?|stores?|keeps?|needs?|should|could|would|can|will|may|"
                              r"must|might|did|does)")


def find_bucket(text: str, original: str) -> str | None:
    match = re.search(r"\b(?:s3|gs)://([a-z0-9][a-z0-9._-]{1,62})", original, re.IGNORECASE)
    if match:
        return match.group(1)
    bad = GENERIC | {"public", "policy", "policies", "acl", "acls", "encryption", "named", "called", "access",
                     "exposed", "open", "list", "count", "size", "readable", "writable", "gcs", "blob"}
    match = re.search(r"\bbucket(?:\s+(?:named|called))?\s+([a-z0-9][a-z0-9._-]{2,62})\b", text)
    if match and match.group(1) not in bad and not _VERB_AFTER_NOUN.fullmatch(match.group(1)):
        return match.group(1)
    several = _words_naming_a_bucket(text, bad)
    if several:
        return several
    match = re.search(r"\b([a-z0-9][a-z0-9._-]{2,62})\s+bucket\b", text)
    if match and match.group(1) not in bad and not match.group(1).endswith("s3"):
        return match.group(1)
    return None


# Words that end a bucket's name said in words: determiners, verbs, clouds, what is asked of it.
_NOT_OF_A_NAME = frozenset("""a an the this that these those our my your their its which what any some every
    each all is are was were be s3 gs gcs aws azure gcp public private open exposed encrypted unencrypted
    same other new old whole""".split())
MAX_NAME_WORDS = 3


def _words_naming_a_bucket(text: str, bad: frozenset[str] | set[str]) -> str | None:
    """"the auth audit logs bucket", "our payments receipts bucket": a name said as words (the
    bucket's, hyphenated), when at least two of them are left once the words before it that
    name nothing ("the", "our", "prod") are dropped; one word is left to the single-word reading."""
    match = re.search(rf"((?:\b[a-z0-9][a-z0-9._-]*\s+){{1,{MAX_NAME_WORDS}}})bucket\b", text)
    if match is None:
        return None
    words = match.group(1).split()
    while words and (words[0] in bad or words[0] in _NOT_OF_A_NAME):
        words.pop(0)
    if len(words) < 2 or any(word in _NOT_OF_A_NAME or _VERB_AFTER_NOUN.fullmatch(word) for word in words):
        return None
    return "-".join(words)


def find_resource_name(text: str, taken: set[str], original: str = "") -> str | None:
    """A named resource: a kebab/snake token with a digit or a dash, not an id or a common word,
    nor a level of severity ("the low-sev stuff") or a variable written in capitals ("is that
    NPM_TOKEN warning the cause": an environment variable or secret, as ``original`` spells it)."""
    shouted = {m.group(0).lower() for m in _SHOUTED_VARIABLE.finditer(original)}
    for match in re.finditer(r"(?<![\w/.:@-])([a-z][a-z0-9]*(?:[-_][a-z0-9]+)+)(?![\w/.:-])", text):
        token = match.group(1)
        if token in taken or token in HYPHENATED_WORDS or RESOURCE_ID.fullmatch(token):
            continue
        if token in shouted or _SEVERITY_WORD.fullmatch(token):
            continue
        if AWS_REGION.fullmatch(token) or GCP_REGION.fullmatch(token) or re.fullmatch(r"cve-\d+-\d+", token):
            continue
        if re.fullmatch(r"(?:re|un|pre|non|co|de)-\w+", token) or _PHRASAL_NOUN.fullmatch(token):
            continue
        if _HEDGED.fullmatch(token):  # "unrelated-ish", "kinda-urgent": a hedge on a word, no name
            continue
        return token
    return None


# A word hedged in chat: "unrelated-ish", "green-ish", "sort-of-urgent", "kinda-broken"; a
# viewpoint adverb: "security-wise", "cost-wise" (in respect of, no name).
_HEDGED = re.compile(r"[a-z]+(?:-[a-z]+)*-(?:ish|wise)|(?:kinda|sorta|semi|quasi|sort-of|kind-of)-[a-z]+(?:-[a-z]+)*")
# An environment variable or a secret's name as code spells it: NPM_TOKEN, DATABASE_URL.
_SHOUTED_VARIABLE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w-])")
# A level of severity in one word: "low-sev", "high-urgency", "sev-2", "p1-incident" is not one.
_SEVERITY_WORD = re.compile(r"(?:critical|high|medium|med|low)-(?:sev\w*|urgency|pri\w*|prio)|sev-?[0-5]")


def is_severity_word(word: str) -> bool:
    """Whether ``word`` is a level of severity in one word ("low-sev", "sev-2")."""
    return bool(_SEVERITY_WORD.fullmatch(word))


# "a write-up", "the roll-out", "a hand-off": a verb and its particle, English, not a name
_PHRASAL_NOUN = re.compile(r"[a-z]+-(?:up|out|off|down|over|back|through|in|on)")


# who is no one in particular: "what did we ship", "what has someone pushed"
_PRONOUNS = frozenset("""i we you they he she it someone somebody anyone anybody everyone everybody people folks
    us them team""".split())


_VERBS = frozenset("""show list get find check see give tail grep any many more recent latest last new all some
    those these what which why how read open my our""".split())
# what state an incident or alert is in: "acked incidents" are not a service's
_STATES = frozenset("""triggered acked acknowledged ack'd resolved closed active ongoing firing unacked
    unacknowledged unresolved pending silenced muted snoozed""".split())
# how bad an incident is: "the high urgency pages" are not a service's
_LEVELS = frozenset("critical high medium low major minor urgent severe big small".split())
# what a word after "service" says about services ("the service tag", "service owners"): no name
_SERVICE_ATTRIBUTES = frozenset("""tag tags level levels name names account accounts owner owners map catalog list
    health status desk team teams""".split())
# what kind of error it is: "db connection errors", "timeout errors" name no service
_ERROR_KINDS = frozenset("""connection connections timeout timeouts signature permission permissions auth
    authentication validation parse parsing network dns ssl tls http server client runtime memory disk import
    syntax type key null oom database db query""".split())


# Words that relate a noun to another one ("the story with incident 1041", "the notes on the page").
_PREPOSITIONS = r"(?:with|about|on|for|of|in|to|from|re|around|behind|at|during|after|before|since)"
# What may follow "that service" without naming it: a person or thing left out ("that service
# besides alice", "the service except the primary"), a conjunction or a time ("service and its
# backup", "service right now")
_AFTER_THE_SERVICE = frozenset("""besides except excluding apart aside other than but minus without plus and or
    right now today tonight currently too also as is was are were has had""".split())


# What an answer is wanted for ("incidents for the retro", "changes for my handover notes"):
# a meeting or a document, never a service.
_PURPOSES = frozenset("""standup standups stand-up retro retros retrospective meeting meetings sync handover handoff
    notes postmortem post-mortem postmortems writeup write-up report reports review reviews deck slides email
    update updates exec execs leadership boss manager changelog""".split())


# what a share of a spend is, not whose: "how much of that is tax / left / new / usual"
_SHARE_WORDS = frozenset("""left remaining tax taxes credits credit refunds usual normal expected new extra
    waste wasted idle unused spare fixed variable ours mine yours theirs""".split())


# A place in a list ("the oldest open incident", "the first one"): no service's name.
_ORDINALS = frozenset("""first second third fourth fifth last oldest newest earliest latest older newer top
    other next previous""".split())


# A time's possessive ("yesterday's", "yesterdays", "last night's", "friday's"): a determiner, no name.
_WHEN_OF = (r"(?:yesterday|today|tonight|(?:this|last)\s+(?:morning|afternoon|evening|night|week|weekend|month)|"
            r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?:'s|s)")


# A name built like a service's: "payments-api", "checkout-web", "ledger-worker".
_SUFFIXED_SERVICE = re.compile(r"(?<![\w/.-])([a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:api|svc|service|worker|web|app|"
                               r"backend|frontend|gateway))(?![\w/.-])")


def named_services(text: str) -> list[str]:
    """Every distinct service-shaped name the words give, in order ("payments-api, checkout-web
    and infra" gives two): a question naming several is asked of all of them, not the first."""
    return list(dict.fromkeys(match.group(1) for match in _SUFFIXED_SERVICE.finditer(text)))


# Going back to a subject opens the turn or a clause: "ok back to auth", "anyway, back to checkout";
# after a subject it is a state ("payments is back to baseline") or a size ("scale it back to four")
_BACK_TO = re.compile(r"(?:^|[,.;:!?(]\s*|\s-\s*)(?:(?:ok|okay|so|anyway|right|alright|and|now|but)\W+)*"
                      r"back to (?:the\s+)?([a-z][a-z0-9-]*)\b(?!\s+(?:you|me|us|them|it|him|her)\b)")
# "back to normal", "back to me", "back to work": a return to a state or a person, not a service
_NOT_RETURNED_TO = frozenset("""normal me you us them him her it this that work green red healthy sleep bed
    square basics life the earlier previous original old one ones main question topic zero two three four five
    six seven eight nine ten""".split())


# "the billing-worker logs for parse errors": a hyphenated name owns the logs, and the word
# after "for" is the kind of error to look for, not a second service
_NAMED_LOGS = re.compile(r"\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+\s+logs?\s+(?:for|of|on|in)\s+(?:the\s+)?$")
_ERROR_NOUN = re.compile(r"\s+(?:errors?|exceptions?|failures?|issues?|problems?|warnings?)\b")


def _kind_after_named_logs(text: str, match: re.Match[str]) -> bool:
    word = match.group(1)
    return (word in _ERROR_KINDS and _ERROR_NOUN.match(text, match.end()) is not None
            and _NAMED_LOGS.search(text[:match.start(1)]) is not None)


# Words in a service's place that never name one: the paging tool itself ("the pd incident",
# "the pagerduty alert"), and a part of a user flow ("payment step errors", "the checkout page
# errors"), whose owner is the word before it, if any.
# A rota's owner said before "on-call"/"oncall" as a noun: after "the", after "who's", or opening
# a sentence or a fragment ("auth on-call?").
# ("carrying the storefront pager": the pager a rota passes around is its owner's too)
# ("who's got storefront oncall tonight", "who has checkout on-call": the rota held, named before its noun)
_ROTA_OF = re.compile(r"(?:\b(?:the|our|who'?s|who is|whos)\s+|(?:^|[.?!,:;]\s*|\s-+\s*)|"
                      r"\bwho(?:'?s|\s+is|\s+has)?\s+(?:got|has|have|holding|carrying)\s+(?:the\s+)?)"
                      r"(?!(?:new|old|same|whole|main|shared|team|primary|secondary|backup|on-call|oncall|got|gotten|"
                      r"has|have|had|holding|carrying|on|the|a)\s)"
                      r"([a-z][a-z0-9-]*)\s+(?:on-call|oncall|pager(?!\s*duty))\b(?!\s+(?:for|of|on|in)\b)")
def _owns_a_rota(word: str) -> bool:
    """Whether the word beside a rota's noun can be its owner: a name, never a verb, a place in a
    list, a level, a state or a team's generic word."""
    return _is_name(word) and not _is_special(word) and word not in _VERBS | _ORDINALS | _LEVELS | _STATES | _TEAM_WORDS


_TERSE_ROTA = re.compile(r"(?:^|[.?!,;:]\s*)(?:on[- ]?call|oncall)\s+([a-z][a-z0-9-]*)\b"
                         r"(?!\s+(?:is|was|are|were|has|have|for|of)\b)")
_ROTA_NOUNS = frozenset("rota rotation list engineer engineers person people folks schedule shift".split())
# ... nor a pronoun before "api"/"service" ("or is he api only", "is it service-linked"): a person or
# a thing already named, never the name of a service
_NEVER_A_SERVICE = frozenset("""pd pagerduty opsgenie step steps screen button form flow endpoint page
    he she it they we you i me him her his its their our them us""".split()) | FOREIGN_POSSESSIVES


def _asks_an_action(word: str) -> bool:
    """A verb asking for a write ("rerun nightly", "retry checkout builds", "restart payments pipelines"):
    it stands before the noun as the imperative, never as the name of whose the noun is (nor does an
    auxiliary opening a question: "why did deploy 118 fail")."""
    return any(pattern.fullmatch(word) for _, pattern in ACTION)


def find_service(text: str) -> str | None:
    """The service the words name (see ``_find_service``), never a word that cannot name one:
    such a word is dropped and the words read again, so the name before it counts."""
    found = _find_service(text)
    for _ in range(3):
        if found not in _NEVER_A_SERVICE and found not in _AUXILIARIES and not (found and _asks_an_action(found)):
            return found
        text = re.sub(rf"(?<![\w-]){re.escape(str(found))}(?![\w-])\s*", "", text)
        found = _find_service(text)
    return None


def _find_service(text: str) -> str | None:
    match = _SUFFIXED_SERVICE.search(text)
    if match:
        return match.group(1)
    match = re.search(r"\b([a-z][a-z0-9-]*)\s+(?:service|svc|api)\b", text)
    if match and _is_name(match.group(1)):
        return match.group(1)
    # "page whoever owns search", "the team responsible for checkout": the thing owned;
    # "which buckets does analytics own": the owner, as a service; "the ones that belong to
    # search", "boxes belonging to auth": the same owner, said the other way round
    # "which team owns auth", "what squad owns search": the thing owned, too
    match = re.search(r"\b(?:who(?:ever)?\s+owns|(?:which|what)\s+(?:team|squad|crew|group|rota)\s+owns|"
                      r"owners?\s+of|responsible\s+for|in charge of|belong(?:s|ing)?\s+to)\s+(?:the\s+)?"
                      r"([a-z][a-z0-9-]*)\b|\b(?:does|do)\s+(?:the\s+)?([a-z][a-z0-9-]*)\s+own\b", text)
    owned = (match.group(1) or match.group(2)) if match else None
    if owned and _is_name(owned) and not _is_special(owned) and owned not in _VERBS | _ORDINALS | GENERIC:
        return owned
    # "only the ones of payments", "the machines of search": whose they are, said with "of" as
    # colleagues whose language puts the owner after the thing do ("ones of those" names no one)
    match = re.search(r"\b(?:ones|machines|servers|boxes|vms|instances|hosts|buckets|databases|dbs|functions|"
                      r"lambdas)\s+of\s+(?:the\s+)?(?!(?:those|these|them|that|this|today|yesterday|last|"
                      r"each|all|both|every|company|companies|org|organi[sz]ation|account|business|firm|project|"
                      r"subscription|tenant|team|world|region|cloud|day|week|month|year)\b)"
                      r"([a-z][a-z0-9-]*)\b(?!\s+(?:ago|days?|weeks?|hours?)\b)", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) \
            and match.group(1) not in _VERBS | _ORDINALS | _STATES | _PRONOUNS | _NEVER_A_SERVICE \
            and not _is_provider_word(match.group(1)):
        return match.group(1)
    # "per service roughly", "by service this week": a grouping, so the next word is no name
    match = re.search(r"(?<!\bper\s)(?<!\bby\s)(?<!\beach\s)(?<!\bevery\s)\b(?:service|svc)\s+([a-z][a-z0-9-]*)\b",
                      text)
    if match and _is_name(match.group(1)) and match.group(1) not in _SERVICE_ATTRIBUTES | _AFTER_THE_SERVICE \
            and not re.fullmatch(_PREPOSITIONS, match.group(1)):
        return match.group(1)
    # "what did analytics cost", "how much does search cost us": the application whose spend it is;
    # "asking what search costs per week": the same question, reported; "what storefront cost us last
    # week", "how much analytics spent": reported in the past (a bare "cost" only with whom it cost)
    match = re.search(r"\b(?:what|how much)\s+(?:did|does|do|will|would)\s+(?:the\s+)?([a-z][a-z0-9-]*)\s+"
                      r"(?:cost|spend|burn|run us)\b|"
                      r"\b(?:what|how much)\s+(?:the\s+)?([a-z][a-z0-9-]*)\s+(?:costs|spends|burns|runs us|spent|"
                      r"burned|burnt|ran us|cost (?:us|me|the company))\b", text)
    spender = (match.group(1) or match.group(2)) if match else None
    if spender and _is_name(spender) and not _is_special(spender) \
            and spender not in _VERBS | _ORDINALS | _PRONOUNS and not _is_provider_word(spender):
        return spender
    # "how much of that was search?", "how much of it is for auth": a share of a spend already
    # shown, asked by the application whose share it is (never "how much is left")
    match = re.search(r"\bhow much\s+of\s+(?:that|it|this|those|these|the total)\s+(?:is for|was for|are for|"
                      r"goes to|went to|comes from|came from|is|was|are|were)\s+(?:the\s+)?([a-z][a-z0-9-]*)\b", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) \
            and match.group(1) not in _VERBS | _ORDINALS | _STATES | _SHARE_WORDS \
            and not _is_provider_word(match.group(1)):
        return match.group(1)
    # "the checkout latency incident", "the payments 5xx outage": the first word of the phrase
    # naming an incident is its service, the rest describe what broke
    # ("the story with incident 1041": a preposition between them, so the word is no modifier of it)
    # "yesterday's search indexer lag incident", "last night's checkout outage": a time's possessive
    # determines the phrase as "the" does
    match = re.search(r"\b(?:the|our|this|that|" + _WHEN_OF + r")\s+([a-z][a-z0-9-]*)\s+(?:(?!" + _PREPOSITIONS + r"\s)"
                      r"[a-z0-9][a-z0-9-]*\s+){0,2}(?:incidents?|outages?|alerts?|pages?|[45]xx|[45]\d\ds)\b", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) \
            and match.group(1) not in _VERBS | _STATES | _LEVELS | _ORDINALS:
        return match.group(1)
    match = re.search(r"\b(?:on[- ]?call|oncall|on the hook|pager|rota|rotation|shifts?|incidents?|outages?|pages?|"
                      r"alerts?|logs?|deploy\w*|costs?|spend|changes?|primary|secondary|backup|level[- ]?[1-5])\s+"
                      # "spend for the rest of the month": a part of a period ("rest of", "end of") is no
                      # name, and "incidents for the storefront team" names a team
                      # "on call for that checkout thing": a demonstrative determines the name as "the" does
                      r"(?:for|of|on|in|to|against|de|del|do|da|von|vom)\s+(?:(?:the|that|this)\s+(?=[a-z][a-z0-9-]*\s+(?:thing|stuff|"
                      r"one|mess|issue|problem|incident|outage|service|app)\b))?(?:the\s+)?([a-z][a-z0-9-]*)\b"
                      r"(?!\s+(?:of|team)\b)", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) \
            and match.group(1) not in _ORDINALS | _PURPOSES and not _kind_after_named_logs(text, match):
        return match.group(1)
    # "is anything open against checkout", "anything raised against payments": what an incident
    # is held against is its service
    match = re.search(r"\b(?:open|firing|raised|filed|logged|triggered|anything|something)\s+against\s+(?:the\s+)?"
                      r"([a-z][a-z0-9-]*)\b", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) \
            and match.group(1) not in _ORDINALS | _PRONOUNS:
        return match.group(1)
    # "who's the auth on-call", "whos search oncall", "...broken? auth on-call?": the rota's service
    # said before the noun (never "is dave on call": a person's state, said with the predicate)
    match = _ROTA_OF.search(text)
    if match and re.search(rf"\b{_PAGE_VERBS}\s+(?:the\s+)?$", text[:match.start(1)]):
        match = None  # "page the storefront on-call": whom to page, which the page's own team reading says
    if match and _owns_a_rota(match.group(1)):
        return match.group(1)
    # "oncall auth", "on-call payments?": typed tersely, the rota's owner right after the noun
    match = _TERSE_ROTA.search(text)
    if match and _owns_a_rota(match.group(1)) and match.group(1) not in _ROTA_NOUNS:
        return match.group(1)
    ci_named = _ci_scope(text)
    if ci_named:
        return ci_named
    back = _BACK_TO.search(text)  # "ok back to auth - who's next?": the thread's subject, named again
    if back and _is_name(back.group(1)) and not _is_special(back.group(1)) \
            and back.group(1) not in _VERBS | _ORDINALS | _NOT_RETURNED_TO:
        return back.group(1)
    # "checkout logs", "payments errors", "the search deploys", "the checkout nightly": a name
    # right before the noun
    match = re.search(r"\b([a-z][a-z0-9-]*)\s+(?:logs?|errors?|deploys?|deployments?|releases?|roll-?outs?|incidents?|"
                      r"alerts?|nightly|nightlies|pipelines?)\b", text)
    if match and _is_name(match.group(1)) and not _is_special(match.group(1)) \
            and match.group(1) not in _VERBS | _STATES | _LEVELS | _ERROR_KINDS | _NOT_A_SERVICE | _ORDINALS \
            and match.group(1) not in _SEEING | _WORKFLOW_KINDS:
        return match.group(1)
    return _machine_of(text)


# What a CI workflow does ("the apply pipeline", "the lint pipeline", "build logs"): which workflow
# of a repository, never the name of whose it is
_WORKFLOW_KINDS = frozenset("""apply plan lint build builds test tests e2e integration publish packaging
    cron""".split())


# "the payments vm", "that search box": a machine called by the service it runs
_MACHINE_NOUNS = r"(?:vms?|boxe?s?|machines?|servers?|instances?|hosts?|nodes?)"
_NOT_A_MACHINE_NAME = frozenset("""prod production staging stage dev development test qa windows linux
    running stopped deallocated new old big small other same""".split()) | frozenset(
    # "the actual instance", "the exact box behind it": which machine is meant, not whose
    """actual real exact specific particular underlying offending culprit guilty responsible very precise
    individual physical""".split())


# "which servers are there for checkout", "the boxes behind search", "vms we run for payments": the
# service named after the machines, as their purpose (never a balancer they sit behind)
_MACHINES_FOR = re.compile(rf"\b{_MACHINE_NOUNS}\s+(?:(?:are|is)\s+(?:there|up|running)\s+|"
                           r"(?:do\s+)?we\s+(?:have|run|got)\s+|"
                           r"(?:that\s+)?(?:run|runs|running|serve|serves|serving)\s+)?"
                           r"(?:for|behind|of)\s+(?:the\s+|our\s+)?"
                           r"([a-z][a-z0-9-]*)\b(?!\s+(?:balancer|lb|alb|elb|nlb|proxy|firewall)\b)")
_NOT_MACHINES_OF = frozenset("load lb alb elb nlb proxy firewall vpn a an demo demos weekend night tests "
                             "testing".split())


def _machine_of(text: str) -> str | None:
    """The service a machine is called by ("the payments vm" -> payments, "servers for checkout"
    -> checkout), not its kind, environment, state or cloud ("the staging vm", "the stopped box",
    "the gcp vm")."""
    match = re.search(rf"\b(?:the|that|this|our)\s+([a-z][a-z0-9-]*)\s+{_MACHINE_NOUNS}\b", text)
    word = match.group(1) if match else None
    purpose = _MACHINES_FOR.search(text)
    if word is None and purpose and purpose.group(1) not in _NOT_MACHINES_OF:
        word = purpose.group(1)
    if not word or not _is_name(word) or _is_special(word) or _is_provider_word(word):
        return None
    return None if word in _VERBS | _STATES | _ORDINALS | _NOT_A_MACHINE_NAME else word


# "the infra pipelines", "infra builds", "builds in infra", "the infra repo's workflows": the
# repository the CI nouns belong to, by a short word the GitHub tools match against the org's
# repositories (a word or prefix of one). A word generic elsewhere may name a repository here
# ("infra", "platform"), never a CI or status word ("the ci pipelines", "the red builds").
_CI_NOUNS = r"(?:pipelines?|workflows?|builds?|ci(?: runs?)?|actions runs?|github actions)"
# A word right after an apostrophe is a clitic ("the PR's CI": "s"), never a name.
_CI_SCOPE = (re.compile(rf"(?<!['\u2019])\b([a-z][a-z0-9-]*)(?:\s+repo(?:sitory)?(?:'s)?)?\s+{_CI_NOUNS}\b"),
             # "builds in infra", "builds for infra today", never "the build for the refunds fix";
             # "pipeline for payments still red?": the name, then the state asked of it
             re.compile(r"\b(?:pipelines?|workflows?|builds?)\s+(?:in|for|of|on)\s+(?:the\s+)?([a-z][a-z0-9-]*)"
                        r"(?=\s*(?:[?.!,;:/]|$)|\s+(?:repo\w*|today|now|lately|recently|yet|again|this|since|over|"
                        r"please|pls|and|or|still|green|red|passing|failing|broken|done|finished|running|stuck)\b)"))
_REPO_WORDS = frozenset({"infra", "platform", "data", "backend", "frontend", "network", "networking", "storage",
                         "security", "mobile", "docs", "web", "api"})
_NOT_A_REPO = frozenset("""ci cd github gh git all my our your their the a an any every each some failing failed
    fail red green broken latest last recent nightly scheduled deploy deploys release main master build builds
    test tests unit which what whose those these them other same new old running queued stuck flaky
    repo repos repository repositories pr prs pull mr mrs branch branches merge commit
    whole entire full complete""".split())
# Auxiliaries that open a question ("has ci finished", "did the build pass", "will ci run"): never a
# repository's name before the CI noun.
_AUXILIARIES = frozenset("""has have had did does do is are was were will would can could should shall may might
    must""".split())


def _ci_scope(text: str) -> str | None:
    for match in (found for pattern in _CI_SCOPE for found in pattern.finditer(text)):
        word = match.group(1)
        if not word or word in _NOT_A_REPO | _VERBS | _STATES | _ORDINALS | _AUXILIARIES | _WORKFLOW_KINDS \
                or _is_special(word):
            continue
        if word in GENERIC and word not in _REPO_WORDS:
            continue
        before = text[:match.start(1)].split()
        # (an auxiliary opening the question is no part of a name: "has infra ci finished")
        if before and before[-1] not in GENERIC | _VERBS | _AUXILIARIES and before[-1].isalpha():
            continue  # "the apple pay ci run": the last word of a longer name (a PR's), not a repository
        return word
    return None


# "seeing errors", "getting timeouts", "throwing 500s": what the speaker or a system does
# with the errors, a verb before the noun, never the name of what throws them
_SEEING = frozenset("""seeing see saw seen getting get got gets having have has had throwing throws threw
    hitting hit hits spitting spits returning returns showing shows logging logs raising raises causing causes
    producing generating giving gives any no new more fewer""".split())


def _is_provider_word(word: str) -> bool:
    """A cloud's or an AWS service's name ("rds", "aws", "compute"): what is billed, not whose."""
    return any(pattern.fullmatch(word) for _, pattern in (*AWS_SERVICE, *CLOUD_PATTERNS))


def _is_special(word: str) -> bool:
    """Words another slot owns: clouds, envs, regions, time words, months and weekdays."""
    return bool(
        word in MONTHS or word in MONTH_ABBR or word in WEEKDAYS or AWS_REGION.fullmatch(word)
        or AZURE_REGION.fullmatch(word) or word in CITY_REGIONS or any(p.fullmatch(word) for _, p in ENVS)
        or (word in PLACES and word not in ("us", "usa"))
        or re.fullmatch(r"q[1-4]|mtd|ytd|qtd|eom|\d.*", word)
    )


def find_tag(original: str) -> tuple[str, str] | None:
    for match in re.finditer(r"(?<![\w:/])([A-Za-z][\w.-]{0,63})\s?[=:]\s?([\w.@-]+)", original):
        key, value = match.group(1), match.group(2)
        if key.lower() in ("arn", "http", "https", "s3", "gs", "runbook", "re", "fyi", "note") or value.isdigit():
            continue
        if ":" in match.group(0) and " " in match.group(0):
            continue  # "note: x" is prose, "owner:alice" is a tag
        return key, value
    return None


def find_port(text: str) -> int | None:
    """The one port a question is about; none when it names several ("RDP or SSH", "22 and
    3389"): narrowing to the first would hide the others the user asked about."""
    ports = named_ports(text)
    return ports[0] if len(ports) == 1 else None


def named_ports(text: str) -> list[int]:
    """Distinct ports the words name, in order: "port N" first; in an exposure question also
    bare well-known numbers, and port names ("ssh") when no number was given."""
    found: list[int] = []
    for match in re.finditer(r"\bports?\s*(\d{1,5})\b|\b(\d{1,5})/(?:tcp|udp)\b|:(\d{2,5})\b", text):
        value = int(next(group for group in match.groups() if group))
        if 0 < value < 65536 and value not in found:
            found.append(value)
    if not OPEN_CONTEXT.search(text):
        # "rdp ones only", "just the ssh rules": a port's name picking rows out of a list of exposures
        return found or [port for name, port in NAMED_PORTS.items() if re.search(
            rf"\b{name}\s+(?:ones?|rules?|only)\b|\b(?:only|just)\s+(?:the\s+)?{name}\b", text)]
    explicit = bool(found)
    for number in re.finditer(r"(?<![\w./:-])(\d{2,5})(?![\w./:-])", text):
        if int(number.group(1)) in KNOWN_PORTS and int(number.group(1)) not in found:
            found.append(int(number.group(1)))
    for name, port in NAMED_PORTS.items():
        if not explicit and re.search(rf"\b{name}\b", text) and port not in found:
            found.append(port)
    return found


def find_repo(text: str) -> str | None:
    for match in re.finditer(r"(?<![\w/.:-])([a-z0-9][\w.-]*/[a-z0-9][\w.-]*)(?![\w/])", text):
        repo = match.group(1)
        owner, name = repo.split("/", 1)
        if not re.search(r"[a-z]", owner) or repo in ("ci/cd", "and/or", "i/o", "n/a", "tcp/ip", "tl/dr"):
            continue
        # "pass/fail", "red/green": a slash between two alternatives is an "or"; "feat/apple-pay",
        # "fix/login-loop": a git branch named by its kind, not an owner and a repository
        if (owner in _ALTERNATIVES and name.rstrip(".") in _ALTERNATIVES) or owner in _BRANCH_KINDS:
            continue
        if len(owner) < 2 or len(name) < 2:
            continue
        return repo.rstrip(".")
    # "repo payments-api", "the infra repo", "infra repo changes": the name beside the word,
    # never a common word ("repo changes" names no repository)
    after = (m.group(1) for m in re.finditer(r"\brepo(?:sitory)?\s+(?:named\s+|called\s+)?([a-z0-9][\w.-]+)\b",
                                               text))
    before = [m.group(1) for m in re.finditer(r"\b([a-z0-9][\w.-]+)\s+repo(?:sitory)?\b", text)]
    # "the frontend repo keeps failing": a name a determiner opens before "repo" is the name, and
    # the word after it is what the repository does
    determined = next((m.group(1) for m in re.finditer(r"\b(?:the|our|that|this|your)\s+([a-z0-9][\w.-]+)\s+"
                                                        r"repo(?:sitory)?\b", text)
                       if m.group(1) not in _NOT_BEFORE_REPO and m.group(1) not in _VERBS), None)
    if determined:
        return determined
    # an adverb or a time word after "repo" ("the infra repo lately") is no name, nor what the
    # word "repo" qualifies ("the repo names", "repo access")
    name = next((n for n in after if n not in GENERIC and n not in _VERBS and not n.endswith("ly")
                 and n not in _NOT_AFTER_REPO and n not in _REPO_ATTRIBUTES and not _is_special(n)), None)
    name = name or next((n for n in before if n not in _NOT_BEFORE_REPO and n not in _VERBS), None)
    if name:
        return name
    # "the other repo, the checkout one": a repository named by its word before "one", beside "repo"
    if re.search(r"\brepo(?:sitory|s)?\b", text):
        one = re.search(r"\bthe\s+([a-z][a-z0-9-]*)\s+one\b", text)
        if one and one.group(1) not in _NOT_BEFORE_REPO | _VERBS | _ORDINALS | _NOT_A_REPO \
                and _is_name(one.group(1)) and not _is_special(one.group(1)):
            return one.group(1)
    # "anything merged to infra", "pushed into payments-api": where it landed, unless a branch
    into = re.search(r"\b(?:merged|pushed|landed|shipped|committed)\s+(?:to|into|in)\s+(?:the\s+)?([a-z0-9][\w.-]+)\b",
                     text)
    landed = into.group(1) if into else None
    if landed and landed not in _VERBS | _BRANCHES | _ORDINALS | _NOT_AFTER_REPO | _NOT_LANDED \
            and not _is_special(landed):
        return landed
    return None


# Words a slash offers as alternatives ("pass/fail", "up/down"), never an owner and a repository.
_ALTERNATIVES = frozenset("""pass fail passed failed passing failing yes no on off up down red green read write
    success failure succeeded ok good bad true false start stop open closed before after old new win lose
    hit miss in out""".split())
# What kind of work a git branch is, the first part of its name: "feat/apple-pay", "fix/refund-rounding".
_BRANCH_KINDS = frozenset("""feat feature features fix fixes bugfix hotfix chore chores release releases exp
    experiment refactor docs doc perf test tests ci build style dependabot renovate wip spike topic
    users user""".split())


# "merged in the past week", "pushed in a hurry": no place it landed
_NOT_LANDED = frozenset("past recent few couple a an one any some this that it them hurry total".split())
_BRANCHES = frozenset("main master trunk develop development dev staging prod production release".split())


# What the word "repo" qualifies as a noun ("the repo names", "repo access", "the repo list"): no name.
_REPO_ATTRIBUTES = frozenset("""name names list lists access perms permissions settings owner owners url urls link
    links layout structure size sizes count counts""".split())


# "the infra repo over the last 3 days", "the repo in question": a preposition or a verb after
# "repo" starts the rest of the sentence; it names nothing
_NOT_AFTER_REPO = frozenset("""over in on at for from since during within across through about after before by
    into to of with without between until till around and or but is are was were has have had got
    if when whenever while unless because cause cuz so then than though tho once where who which that
    pls plz please u you ya we i they it too""".split())
_NOT_BEFORE_REPO = frozenset({"the", "a", "an", "this", "that", "my", "our", "your", "same", "whole", "main",
                              "github", "git", "code", "source", "which", "every", "each", "any", "one",
                              # "grouped by repo", "per repo", "split across repo lines": a grouping, no name
                              "by", "per", "across", "for", "in", "on", "of", "from", "to", "into",
                              "its", "their", "whose", "what", "other", "another", "some", "no"})


_NOT_A_SERVICE = frozenset("""the a an this that its every each last latest nightly failed failing broken ci
    whole entire full complete""".split()) | frozenset(
    # "the exact error text", "the actual errors", "the raw logs": which lines are wanted, not whose
    """exact actual precise specific raw verbatim literal real original underlying""".split())
# "the payments deploy", "checkout-web ci": the deploy or CI workflow of a named thing
# ("the checkout release", "the payments rollout": a release is what the deploy workflow ships)
_NAMED_WORKFLOW = re.compile(r"(?:\b(?:the|our|is|was|did|how'?s)\s+[a-z][a-z0-9]*|\b[a-z][a-z0-9]*(?:-[a-z0-9]+)+)\s+"
                             r"(deploy(?:s|ment|ments)?|releases?|roll-?outs?|ci)\b(?!\s*#)")


def find_workflow(text: str) -> str | None:
    files: list[str] = list(dict.fromkeys(re.findall(r"\b([\w.-]+\.ya?ml)\b", text)))
    if len(files) > 1:
        return None  # "both ci.yml and deploy.yml": every workflow is asked about, not the first named
    if files:
        return files[0]
    named = _NAMED_WORKFLOW.search(text)
    if named and named.group(0).split()[-2] not in _NOT_A_SERVICE | _VERBS:
        return "ci" if named.group(1) == "ci" else "deploy"
    bad = {"failed", "failing", "latest", "last", "same", "whole", "github", "this", "that", "entire", "new",
           "previous", "broken", "red", "current", "nightly", "my"}
    match = re.search(r"\bthe\s+([a-z][\w-]*)\s+(?:workflow|pipeline)\b", text)
    if match and match.group(1) not in bad:
        return match.group(1)
    return None


# The branch a CI question is about: "the main branch", "on master", "checkout-web main",
# "branch fix/login-loop". A bare trunk name counts only after a preposition or a repository
# name and before nothing but a CI word ("on the main dashboard" names no branch).
_TRUNKS = r"(?:main|master|develop|trunk)"
_AFTER_TRUNK = (r"(?!\s+(?!(?:branch|ci|builds?|pipelines?|runs?|jobs?|workflows?|tests?|checks?|deploys?|is|was|are|"
                r"were|keeps|fail|fails|failing|failed|broke|broken|died|crashed|red|green|again|right|now|today)\b)[a-z])")
_BRANCH = re.compile(
    rf"\b(?:on|against|to|into|off|of|from|for)\s+(?:the\s+)?({_TRUNKS})\b{_AFTER_TRUNK}|"
    rf"\b[a-z0-9]+(?:-[a-z0-9]+)+\s+({_TRUNKS})\b{_AFTER_TRUNK}|"
    r"\bbranch\s+[`'\"]?([a-z0-9][\w.-]*/[\w./-]*\w|[a-z0-9]+(?:-[a-z0-9]+)+|main|master|develop|trunk)\b|"
    r"(?<![\w'])([a-z0-9][\w.-]*/[\w./-]*\w|main|master|develop|trunk)\s+branch\b|"
    # a trunk name pasted as code ("is `main` green"), or asked of as a build is ("is main red")
    rf"`({_TRUNKS})`|\b(?:is|was|'s)\s+({_TRUNKS})\s+(?:still\s+)?(?:green|red|broken|passing|failing)\b")


def find_branch(text: str) -> str | None:
    """The git branch the words name, if any (only the CI tools take it): a branch named by its
    kind ("dave's feat/apple-pay build") is one without the word "branch"."""
    match = _BRANCH.search(text.lower())
    if match:
        return next((group for group in match.groups() if group), None)
    for kinded in _KINDED_BRANCH.finditer(text.lower()):
        if kinded.group(1) in _BRANCH_KINDS:
            return kinded.group(0).rstrip(".")
    return None


_KINDED_BRANCH = re.compile(r"(?<![\w/.:-])([a-z]+)/[a-z0-9][\w./-]*\w(?![\w/])")


def find_event(text: str) -> str | None:
    """What triggered the CI run asked about, when the words say: a nightly or cron run is a
    scheduled one (GitHub's ``schedule`` event), whatever ran after it. Only the CI tools
    take it, so "nightly" in another question changes nothing."""
    return "schedule" if re.search(r"\b(?:nightly|nightlies|scheduled|cron)\b", text) else None


def find_run_id(text: str) -> str | None:
    match = re.search(r"/actions/runs/(\d+)|\b(?:run|build|job)(?:\s+id)?\s*#?\s*(\d{5,})\b", text)
    if match:
        return match.group(1) or match.group(2)
    return None


def find_incident_id(original: str, text: str) -> str | None:
    match = INCIDENT_ID.search(original)
    if match:
        return match.group(0)
    pattern = re.compile(r"\bincidents?\s*#?\s*(\d{1,7})\b|(?<!pr )(?<!pull request )(?<!issue )#(\d{1,7})\b|"
                         r"\b(?:ack(?:s|ing|ed)?|acknowledg(?:e|es|ing)|resolv(?:e|es|ing)|clos(?:e|es|ing)|escalat(?:e|es|ing))"
                         r"\s+#?(\d{1,7})\b|"
                         # "mark 1041 as resolved", "set 1042 to acknowledged": the number a state is set on
                         r"\b(?:mark|set|flag|move|put)\s+#?(\d{1,7})\s+(?:as|to)\s+(?:resolved|closed|done|fixed|"
                         r"ack(?:ed|'d)?|acknowledged)\b|"
                         # "I'll take 1042": a number someone claims is an incident they take on
                         r"\b(?:i'?ll|i will|let me|i can)\s+(?:take|grab|own|have)\s+#?(\d{3,7})\b|"
                         # "what happened with 1038": a number an incident question is about
                         r"\bwhat(?:'?s| is)? (?:happened|happening|going on|the story|up) (?:with|to|on)\s+"
                         r"#?(\d{3,7})\b|"
                         # "a rundown of 1038", "the short version of 1042", "brief on 1041": what is summed up
                         # (never a year: "the cost summary for 2025")
                         r"\b(?:brief(?:ing)?|rundown|run-down|summary|sum-up|recap|overview|lowdown|version|"
                         r"tl;?dr|writeup|write-up|"
                         # "status of 1041", "the latest on 1042", "any update on 1038": what is reported on
                         r"status|state|update|updates|news|latest|details|detail|info|timeline|progress|story)"
                         r"\s+(?:of|on|for|about|with)\s+#?(?!(?:19|20)\d\d\b)(\d{3,7})\b(?!\s*" + _COUNTED + r")|"
                         # "i got paged for 1042", "was carol notified about 1041": the incident a page was for
                         r"\b(?:paged|notified|alerted|woken(?: up)?|pinged|texted|called)\s+(?:for|about|on|over)\s+#?"
                         r"(?!(?:19|20)\d\d\b)(\d{3,7})\b|"
                         # "tell bob to look at 1042": the number someone is put on
                         r"\b(?:look(?:ing)? at|look into|check on|jump on|take a look at)\s+(?:incident\s+)?#?"
                         r"(?!(?:19|20)\d\d\b)(\d{3,7})\b(?!\s*" + _COUNTED + r")|"
                         # "was 1042 ever acked?", "has 1041 been resolved yet", "did 1040 get escalated": the
                         # number whose state is asked
                         r"\b(?:was|is|has|had|did|were)\s+#?(?!(?:19|20)\d\d\b)(\d{3,7})\s+(?:\w+\s+){0,2}?"
                         r"(?:ack(?:ed|'d)?|acknowledged|resolved|closed|escalated|reassigned|triggered|fixed|"
                         r"assigned|handled|picked up)\b")
    for match in pattern.finditer(text):
        if match.group(0).startswith("#") and _CI_BEFORE.search(text[:match.start()]):
            continue  # "rolling back #118", "deploy #118", "revert #412": a run or a PR, no incident
        return next(group for group in match.groups() if group)
    return None


# Several incident numbers said together after a status verb or the noun: "ack 1041 and 1042",
# "resolve #1041, #1042 & #1043", "incidents 1041 + 1042"
_NUMBERS_LISTED = re.compile(r"\b(?:ack(?:s|ing)?|acknowledg(?:e|es|ing)|resolv(?:e|es|ing)|clos(?:e|es|ing)|"
                             r"incidents)\s+"
                             r"(#?\d{3,7}(?:\s*(?:,|&|\+|\band\b|,\s*and\b)\s*#?\d{3,7})+)\b")


def find_incident_ids(original: str, text: str) -> list[str] | None:
    """Every incident a message names when it names several ("resolve P7K2M9Q and P3H8W1R",
    "ack 1041 and 1042"): the status tools then move them all under one approval. None for
    one or none (``find_incident_id`` says which one)."""
    ids = list(dict.fromkeys(match.group(0) for match in INCIDENT_ID.finditer(original)))
    listed = _NUMBERS_LISTED.search(text)
    if listed:
        ids += [number for number in dict.fromkeys(re.findall(r"\d{3,7}", listed.group(1))) if number not in ids]
    return ids if len(ids) > 1 else None


# What a number counts when it is a quantity ("the status of 500 errors", "an update on 300 users").
_COUNTED = (r"(?:%|ms\b|s\b|gb\b|mb\b|tb\b|errors?\b|requests?\b|users?\b|customers?\b|instances?\b|servers?\b|"
            r"hosts?\b|boxes\b|pods?\b|nodes?\b|items?\b|rows?\b|records?\b|jobs?\b|runs?\b|tests?\b|"
            r"files?\b|buckets?\b|keys?\b|alerts?\b|findings?\b|dollars?\b|usd\b|\$)")


# What a "#N" right after it numbers: a deploy, a CI run or build, a rollback or a PR.
_CI_BEFORE = re.compile(r"\b(?:deploy(?:ment)?s?|runs?|builds?|jobs?|pipelines?|workflows?|releases?|ci|prs?|"
                        r"pull requests?|issues?|commits?|rollbacks?|roll(?:ing|ed)?\s+back|revert(?:ing|ed|s)?|"
                        r"redeploy(?:ing|ed)?|re-?run(?:ning)?)\s+(?:of\s+)?(?:the\s+)?$")


# Common words that are also the names of teams ("the platform team", "the security on-call").
_TEAM_WORDS = frozenset({"security", "platform", "data", "network", "infra", "backend", "frontend", "storage",
                         "database", "db", "sre", "mobile"})
_PAGE_VERBS = (r"(?:page|wake up|wake(?=\s+[a-z]\w*\s+up\b)|get|call in|pull in|loop in|bring in|ping|"
               r"escalate (?:this |it )?to|summon|notify)")
# a word before "page" making it a noun ("the page", "this page"), and words saying a thing is finished
# (a word may stand between them: "the login page felt slow", "our status page is down")
# (never a conjunction between: "skip her and page dave" pages dave, "her and" makes no noun)
_DETERMINER = re.compile(r"\b(?:the|a|an|this|that|my|our|your|their|his|her|each|every|which)\s+"
                         r"(?:(?!(?:and|or|then|but|so|n)\b)[a-z][a-z0-9-]*\s+)?$")
_DONE = frozenset("done fixed finished ok okay over sorted handled complete completed good fine".split())
# Machines that have a primary, a secondary or a backup ("the secondary db", "the backup
# bucket"): before them the role word is the machine's, not a rota's level nor a team's.
_MACHINE_ROLES = (r"db|database|region|node|server|instance|cluster|site|key|dns|zone|replica|jobs?|bucket|snapshot|"
                  r"vault|plan")
# what a level also refuses ("the backup volume", "the backup copies", "the primary runs")
_LEVEL_MACHINE_ROLES = rf"{_MACHINE_ROLES}|volume|copy|copies|runs?"


_SELF_TEAM = re.compile(r"\b(?:i'?m|i am|i just joined|i joined|i work (?:on|in|for|with))\s+"
                        r"(?:(?:new|still new|brand new|just|recently)\s+)?(?:(?:on|in|from|with|joining|part of)\s+)?"
                        r"(?:the\s+)?[a-z][a-z0-9-]*\s+(?:team|crew|squad)\b")


# "Hi team, ...", "hey folks", "thanks all": a greeting to whoever reads the channel, whose
# word before "team" is the greeting, not a team's name.
_SALUTATION = re.compile(r"\b(?:hi|hiya|hey|heya|hello|yo|morning|good (?:morning|afternoon|evening)|thanks|"
                         r"thank you|thx|ty|cheers)\s*[,!]?\s+(?=(?:team|crew|squad|folks)\b)")


# Words before "'s" that own no spend: contractions, periods and the clouds themselves.
_NO_OWNER = frozenset("""it that what wat wht whats who where how when there here let he she this month week year
    today yesterday quarter aws azure gcp company everyone everybody nobody account cloud""".split())


# A person had look into something: "tell bob to look at 1042", "ask dave to take a look".
_PUT_ON_IT = re.compile(r"\b(?:have|get|tell|ask)\s+(?!(?:a|an|the|it|this|that|them|me|us|you|u|someone|somebody|"
                        r"whoever|guardian|bot)\b)([a-z][a-z0-9]*)\s+(?:to\s+)?(?:look at|look into|take a look|"
                        r"check on|investigate|dig into|jump on)\b")


def find_people(text: str, original: str) -> tuple[str | None, str | None]:
    """(person, team) named as page targets or owners."""
    person = None
    mention = re.search(r"@([A-Za-z][\w.-]*)", original)
    if mention:
        person = mention.group(1).lower()
    team = None
    # "I'm new on the data team", "im from the sre squad": the asker's own team, said to
    # introduce themselves, is no team the question is about
    text = _SALUTATION.sub(" ", _SELF_TEAM.sub(" ", text))
    # "the storefront team", "the payments crew / squad / folks", "team: platform"
    match = re.search(r"\b(?:the\s+)?([a-z][a-z0-9-]*)\s+(?:team|crew|squad|folks)\b|\bteam[\s:=]+([a-z][a-z0-9-]*)\b",
                      text)
    if match:
        name = match.group(1) or match.group(2)
        # "ping folks on storefront": a verb before "folks" names no team
        if (_is_name(name) or name in _TEAM_WORDS) and name not in _PAGE_WORDS:
            team = name
    if person is None:
        # "page storefront secondary", "ping payments backup": a rota's name before its level names no one
        match = re.search(rf"\b{_PAGE_VERBS}\s+(?!the\b|a\b)([a-z][a-z0-9]*)\b(?!\s+(?:team|on-?call|oncall|"
                          r"primary|secondary|backup|rota|rotation|schedule)\b)", text)
        if match and (_DETERMINER.search(text[:match.start()]) or match.group(1) in _STATES | _DONE):
            match = None  # "mark the page done": the noun "page", and a state, not a person
        if match and match.group(1) in _PRONOUNS:
            match = None  # "page people for me", "ping folks": nobody in particular
        if match and match.group(0).startswith("get") and _PARTICIPLE.fullmatch(match.group(1)) \
                and not _ASKS_TO_GET.search(text[:match.start()]):
            match = None  # "did anything get merged", "it'll get paged": a passive, nobody fetched
        if match and _is_name(match.group(1)) and match.group(1) not in ("sre", "dba", "infra", "network",
                                                                         "networking", "security"):
            person = match.group(1)
        elif match and team is None and match.group(1) in ("sre", "dba", "infra", "network", "networking",
                                                           "security"):
            team = match.group(1)
    if person is None:  # "tell bob to look at 1042", "have erin check on it": the person put on it
        match = _PUT_ON_IT.search(text)
        if match and _is_name(match.group(1)) and match.group(1) not in _PRONOUNS | _VERBS | _TEAM_WORDS:
            person = match.group(1)
    if person is None:  # "worth paging frank for this?", "paging dave tonight": the person a page is for
        match = _PAGING_WHOM.search(text)
        whom = match.group(1) if match else ""
        # "is paging broken?": a state of the paging, no one paged
        if _is_name(whom) and whom not in _PRONOUNS | _VERBS | _TEAM_WORDS | _STATES | _DONE \
                and not _PARTICIPLE.fullmatch(whom):
            person = whom
    if person is None:  # "escalate P3H8W1R to bob", "reassign it to carol"
        # (within the clause of the verb: "before I page anyone: what was deployed to payments-api"
        # names where a change went, not whom to page; nor a repository's first part, "payments-api")
        match = re.search(r"\b(?:escalate|reassign|assign|hand(?:\s+it)?\s+over|page)\b[^.:;?!\n]*?\bto\s+"
                          r"([a-z][a-z0-9]*)\b(?![-/])(?!\s+(?:team|on-?call|oncall))", text)
        if match and _is_name(match.group(1)) and match.group(1) not in ("sre", "dba", "infra", "security"):
            person = match.group(1)
    if person is None:  # "what's bob dealing with", "carol's incidents": whose incidents
        match = re.search(r"\bwhat(?:'?s| is| are)\s+([a-z][a-z0-9]*)\s+(?:dealing with|working on|handling|"
                          r"looking at)\b|\b([a-z][a-z0-9]*)'s\s+(?:open\s+)?(?:incidents?|pages?|alerts?)\b|"
                          # "is dave on call rn?": whether that person holds a rota now
                          r"\bis\s+([a-z][a-z0-9]*)\s+(?:on[- ]?call|oncall|on the (?:pager|rota))\b|"
                          # "when does alice's on-call shift end": whose shift
                          r"\b([a-z][a-z0-9]*)'s\s+(?:on-?call|oncall|shifts?|rota)\b|"
                          r"\bassigned to\s+([a-z][a-z0-9]*)\b|"
                          # "which incidents has carol got", "what pages does bob have": the holder
                          r"\b(?:incidents?|pages?|alerts?)\s+(?:has|does|is)\s+([a-z][a-z0-9]*)\s+"
                          r"(?:got|have|own|holding|carrying|on)\b|"
                          # "which of those has carol got", "what's bob got open", "which ones does erin have":
                          # whoever holds the items asked about
                          r"\b(?:which|what)(?:\s+(?:of\s+(?:those|them|these)|ones?))?(?:'s|\s+(?:has|does|is))\s+"
                          r"([a-z][a-z0-9]*)\s+(?:got|have|own|holding|carrying|on)\b|"
                          # "which one is alice's?", "is that one carol's": whose the item is
                          r"\b(?:one|ones|it|that|this|which)\s+(?:is|are|was|were)\s+([a-z][a-z0-9]*)'s(?!\s*[a-z])|"
                          # "does dave have anything open", "has erin got any pages": the holder asked about
                          r"\b(?:does|do|has)\s+([a-z][a-z0-9]*)\s+(?:have|got|own|hold)\s+(?:any|anything|some)\s+"
                          r"(?:\w+\s+){0,2}?(?:incidents?|pages?|alerts?|open)\b", text)
        name = next((g for g in match.groups() if g), None) if match else None
        if name and _is_name(name) and name not in _VERBS | _PRONOUNS | _TEAM_WORDS:
            person = name
    if person is None:  # "what did erin push", "merged by carol", "what has frank shipped": whose changes
        match = re.search(r"\bwhat (?:did|has|have) ([a-z][a-z0-9]*) (?:just |recently )?(?:push|ship|merg|deploy|"
                          r"land|commit|releas|roll)\w*\b|\b(?:merged|pushed|shipped|deployed|landed|committed|"
                          r"released|authored|opened) by @?([a-z][a-z0-9]*)\b", text)
        name = next((g for g in match.groups() if g), None) if match else None
        if name and _is_name(name) and name not in _VERBS | _PRONOUNS:
            person = name
    if person is None:  # "dave's apple pay PR", "bob's deploy": whose CI runs
        match = re.search(r"\b([a-z][a-z0-9]*)'s\s+(?:[\w/.-]+\s+){0,3}?(?:prs?|pull requests?|branch(?:es)?|builds?|"
                          r"runs?|ci|deploys?|pipelines?|jobs?|commits?)\b", text)
        # "the PR's CI", "the branch's build": a CI noun owns the runs, not a person
        if match and _is_name(match.group(1)) and match.group(1) not in _VERBS | _NOT_A_REPO | {"it", "that",
                                                                                                  "what", "who"}:
            person = match.group(1)
    if team is None and person is None:
        # "storefront's projected spend", "platform's aws bill": the owner of a spend, said as a
        # possessive; a team's name (the tools fall back to the application service of that name)
        # ("what's our bill": a contraction, which a determiner after it gives away)
        match = re.search(r"\b([a-z][a-z0-9-]*)(?:'s|s')\s+(?!(?:our|the|my|your|their|his|her|its|a|an|this|that|"
                          r"these|those|we|you|it|there|going|gonna|been|being|not|up|down)\b)"
                          r"(?:[\w-]+\s+){0,3}?(?:spend(?:ing)?|bills?|costs?|budgets?|forecasts?|burn)\b", text)
        if match and _is_name(match.group(1)) and match.group(1) not in _VERBS | _PRONOUNS | GENERIC | _NO_OWNER:
            team = match.group(1)
    if team is None:  # "get someone from platform on the phone", "anyone on the storefront rota", "folks on search"
        # ("need a human from platform", "an engineer from payments": any one person of that team)
        match = re.search(r"\b(?:(?:some|any|every)(?:one|body)|folks|people|"
                          r"(?:a|an|one)\s+(?:human|person|engineer|dev|developer|sre|body|adult))\s+"
                          r"(?:from|in|on|at)\s+(?:the\s+)?"
                          r"([a-z][a-z0-9-]*)\b"
                          r"(?!\s+(?:on-?call|oncall|team|rota|schedule)\b)", text)
        if match and (_HEARSAY.match(text, match.end()) or match.group(1) in _GATHERINGS | _OUTSIDERS):
            # "someone in standup said...": where a rumour came from, not a team asked about;
            # "can someone on the internet reach it": anybody out there, no team
            match = None
        if match and (_is_name(match.group(1)) or match.group(1) in _TEAM_WORDS) \
                and match.group(1) not in _VERBS | _ORDINALS and not _is_special(match.group(1)):
            team = match.group(1)
    if team is None:  # "escalate it to the storefront secondary": a team's level of its rota
        match = re.search(r"\b(?:the\s+)?([a-z][a-z0-9-]*)\s+(?:primary|secondary|backup)\b"
                          rf"(?:\s+(?:on-?call|oncall))?(?!\s+(?:{_MACHINE_ROLES}))", text)
        if match and (_is_name(match.group(1)) or match.group(1) in _TEAM_WORDS) \
                and match.group(1) not in _VERBS | _ORDINALS | {"the", "a", "our", "their", "your"}:
            team = match.group(1)
    if team is None:
        match = re.search(rf"\b{_PAGE_VERBS}\s+(?:the\s+)?([a-z][a-z0-9-]*)\s+(?:on-?call|oncall)\b", text)
        if match and (_is_name(match.group(1)) or match.group(1) in _TEAM_WORDS):  # "ping the platform on-call"
            team = match.group(1)
    if team is None:  # "who's platform oncall", "the sre on-call": a team's word before the rota noun
        match = _ROTA_OF.search(text)
        if match and match.group(1) in _TEAM_WORDS:
            team = match.group(1)
    if team is None:  # "who is on call for platform", "the backup for infra": a team's word after the rota
        match = re.search(r"\b(?:on[- ]?call|oncall|on the hook|pager|rota|rotation|primary|secondary|backup)\s+"
                          r"(?:for|of|on)\s+(?:the\s+)?([a-z][a-z0-9-]*)\b(?!\s+(?:team|bucket|db|database))", text)
        if match and match.group(1) in _TEAM_WORDS:
            team = match.group(1)
    return person, team


# Reported speech after "someone in X" ("someone in standup said", "folks at the retro were
# saying"): X is where a rumour came from, and a meeting or a chat is never a team.
_HEARSAY = re.compile(r"\s+(?:(?:was|were|is|are|has|have|had|kept|keeps)\s+)?(?:said|say(?:s|ing)?|mention\w*|"
                      r"told|tell(?:s|ing)?|claim\w*|reckon\w*|think(?:s|ing)?|thought|complain\w*|notic\w*|"
                      r"flagg\w*|brought up|asked|asking|worried)\b")
_OUTSIDERS = frozenset("internet web world outside public net".split())
_GATHERINGS = frozenset("standup stand-up standups retro retros all-hands allhands meeting meetings sync syncs "
                        "call calls slack chat channel thread huddle planning review demo".split())


# A past participle after "get" makes a passive ("get merged", "get rolled back"), not a person to get.
_PARTICIPLE = re.compile(r"[a-z]{3,}ed|broken|written|given|taken|chosen|frozen|forgotten|hidden|done|run|"
                         r"built|stuck|hit|set|put|cut|spun|sent|told|caught|bought|brought|seen|lost|paid|"
                         r"made|kept|left|shut|woken|rung")


# What comes right before an imperative "get" ("get jared on the phone", "can you get jared"): with
# anything else before it ("did the patch get deployed", "did anything get merged") it is a passive.
_ASKS_TO_GET = re.compile(r"(?:^|\b(?:you|u|please|pls|plz|and|then|now|just|quickly|ok|okay|go)\s+)$")


# The gerund "paging" with its object: a word ending the clause or followed by what the page is
# for or when ("paging frank for the pipeline?", "paging dave tonight"); never the paging set-up
# itself ("our paging policy", "a paging storm from checkout", "paging tool and ...").
_PAGING_WHOM = re.compile(r"\bpaging\s+(?!the\b|a\b|an\b)([a-z][a-z0-9]*)"
                          r"(?=\s*(?:[,.?!;]|$)|\s+(?:for|about|over|tonight|now|rn|asap|too|again|instead)\b)"
                          r"(?<!policy)(?<!policies)(?<!rules)(?<!setup)(?<!config)(?<!system)(?<!tool)(?<!storm)"
                          r"(?<!noise)(?<!fatigue)(?<!schedule)(?<!escalation)")
# The verbs of _PAGE_VERBS, as words: "ping folks" names no "ping" team.
_PAGE_WORDS = frozenset("page wake get call pull loop bring ping escalate summon notify".split())
_LEVEL_WORDS = {"primary": 1, "secondary": 2, "backup": 2, "second": 2, "third": 3}


# Two levels asked together: the holder of the rota and who is behind them ("who's on call for
# payments and who's the backup", "who holds the pager and who's second"), or two levels named
# ("primary and secondary", "level 1 and 2").
_HOLDS = (r"(?:on[- ]?call|oncall|on the hook|on (?:the )?(?:pager|rota)|(?:holding|carrying|has|have) the pager|"
          r"on duty)")
_EVERY_LEVEL = re.compile(rf"\bwho(?:'s|s|\s+is)?\s+{_HOLDS}\b[^?.;]*?\band\s+(?:who(?:'s|s|\s+is)\s+)?"
                          r"(?:the\s+|their\s+|his\s+|her\s+)?(?:backup|secondary|second)\b|"
                          r"\bprimary\s*(?:and|&|\+|/|or)\s*(?:the\s+)?(?:secondary|backup)\b|"
                          r"\blevels?\s*[1-5]\s*(?:and|&|\+|/|,|or)\s*(?:level\s*)?[1-5]\b")


def find_oncall_level(text: str) -> int | None:
    """The level of an escalation policy a page asks for: "the secondary", "the storefront
    backup on-call", "second level", "level 2". Roles of machines ("the primary db", "the
    backup job") are no level."""
    if _EVERY_LEVEL.search(text):
        return None  # "who's on call and who's the backup", "primary and secondary": the whole rota
    match = re.search(r"\blevel[- ]?([1-5])\b|\b(second|third)[- ]level\b|"
                      r"\b(primary|secondary|backup)(?:\s+(?:on-?call|oncall|engineer|responder|person))?\b"
                      rf"(?!\s+(?:{_LEVEL_MACHINE_ROLES})\b)(?!-)", text)
    if not match:
        # "and after her?", "who's behind him", "who's next in line": the level after the one on call
        return 2 if _NEXT_IN_LINE.search(text) else None
    if match.group(1):
        return int(match.group(1))
    return _LEVEL_WORDS[match.group(2) or match.group(3)]


# Whoever comes after the person just named on a rota, by a pronoun (a name may be anyone's level)
# ... or by the first one's silence: "if carol doesn't pick up, who's next", "who's next if he won't answer"
_NEXT_IN_LINE = re.compile(r"\b(?:after|behind)\s+(?:her|him|them)\b(?!\s+\w+ing\b)|\bnext in line\b|"
                           r"\b(?:does\s*n'?t|doesnt|can'?t|cant|won'?t|wont|did\s*n'?t|didnt|is\s*n'?t|isnt)\s+"
                           r"(?:pick(?:ing)?\s+up|answer\w*|respond\w*|ack\w*)\b.*\bwho(?:'?s| is)?\s+next\b|"
                           r"\bwho(?:'?s| is)?\s+next\b.*\b(?:does\s*n'?t|doesnt|can'?t|cant|won'?t|wont|did\s*n'?t|"
                           r"didnt|is\s*n'?t|isnt)\s+(?:pick(?:ing)?\s+up|answer\w*|respond\w*|ack\w*)\b")


def find_severity(text: str) -> str | None:
    match = re.search(r"\bsev\s*-?\s*([0-5])\b", text)
    if match:
        return f"sev{match.group(1)}"
    match = re.search(r"\b(critical|high|medium|low)s?\b(?:(?:\s+|-)(?:and\s+\w+\s+)?(?:sev\w*|urgency|risk|"
                      r"findings?|vulns?|vulnerabilit\w+|alerts?|cves?|issues?|incidents?|priority))?", text)
    if match and (match.group(0) != match.group(1) or match.group(1) == "critical"):
        return match.group(1)
    match = re.search(r"\b(?:severity|sev|urgency)\s*[:=]?\s*(critical|high|medium|low)\b", text)
    return match.group(1) if match else None


# "top 3 biggest instances", "largest boxes by size": an order of the listing by how big each one
# is (its instance size), so a cut-short list keeps the largest, not the first it read
_BY_SIZE = re.compile(r"\b(?:biggest|largest|beefiest|heaviest|chunkiest)\b|\bby\s+(?:instance\s+)?(?:size|type)\b|"
                      r"\b(?:smallest|tiniest)\b")


def find_order(text: str) -> str | None:
    """"size" (largest first) or "size_asc" (smallest first) when the listing is asked in size
    order; None otherwise."""
    if not _BY_SIZE.search(text):
        return None
    return "size_asc" if re.search(r"\b(?:smallest|tiniest)\b", text) else "size"


def find_limit(text: str) -> int | None:
    match = re.search(r"\btop\s+(\d{1,4})\b|\b(?:last|latest|first|recent)\s+(\d{1,4})\s+(?!days?\b|hours?\b|"
                      r"h\b|min|weeks?\b|months?\b|years?\b|mins?\b)[a-z]|\b(\d{1,4})\s+most\b", text)
    if match:
        return int(next(group for group in match.groups() if group))
    return None


def find_action(text: str) -> str | None:
    action = _requested_action(text) or first_match(ACTION, text)
    # a pronoun object is the CI run only when the verb's own clause says so ("start that one back
    # up, the batch job runs tonight": a reason); a named one, by a CI word anywhere ("restart
    # deploy-staging, the pipeline is stuck")
    ci_named = ci_object(text) if _PRONOUN_OBJECT.search(text) else CI_WORDS.search(CI_MACHINE.sub(" ", text))
    if action in ("reboot", "start") and ci_named and not _machine_object(text) and not POWERED.search(text):
        return "rerun"  # "restart the ci job", "start a new build"
    if action is None and re.search(r"\bclose\b.*\b(?:incidents?|pages?|alerts?|outage)\b", text):
        return "resolve"
    if action == "page" and not re.search(rf"^\W*(?:pls |please )?{_PAGE_VERBS}\b|\bpage @|\bescalate\b", text):
        return None
    return action


# The machine a start/reboot verb is aimed at: a numbered host name ("web-frontend-1") or any
# name after a machine noun ("the vm db-primary"), not itself followed by a CI word. A CI
# word elsewhere in the request ("it hangs on every deploy") is then the reason, not the object.
_START_VERBS = r"re-?boot|restart|bounce|power[- ]?cycle|start|power[- ]?on|turn"
_MACHINE_OBJECT = re.compile(
    rf"\b(?:{_START_VERBS}|spin up|bring up|fire up|boot)\s+"
    rf"(?P<lead>(?:(?:the|my|our|that|this|azure|aws|ec2|gcp|gce|{_MACHINE_NOUNS})\s+)*)"
    r"(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w-])(?P<rest>\s+\S+)?")


# "payments-batch-1 is down? fire it up, the batch has to run": the verb's object is a pronoun
# and the message names one numbered host, which the pronoun is.
_PRONOUN_OBJECT = re.compile(rf"\b(?:{_START_VERBS}|spin|bring|fire|boot)\s+(?:it|that|this|that one|this one)\b")
_NUMBERED_HOST = re.compile(r"(?<![\w./-])(?P<host>[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+)(?![\w-])(?P<rest>\s+\S+)?")


# Power is a machine's, never a CI run's: "power it on, the month-end run starts tonight" starts
# the machine, whatever CI word gives the reason.
POWERED = re.compile(r"\bpower(?:ed|ing)?(?:[- ]?cycle|[- ]?(?:on|off|up|down)|\s+(?:\S+\s+){1,3}?(?:back\s+)?"
                      r"(?:on|off|up|down))\b")


# A host named for its environment ("web-frontend-staging", "checkout-web-prod"): the last
# part of the name is an environment, no part of it a CI word ("deploy-staging" is a workflow).
_ENV_HOST_END = re.compile(r"-(?:staging|stage|stg|prod|production|dev|qa|uat|test)$")


def _env_named_host(name: str) -> bool:
    return _ENV_HOST_END.search(name) is not None and not any(
        CI_WORDS.fullmatch(part) for part in name.split("-")[:-1])


def _machine_object(text: str) -> bool:
    for match in _MACHINE_OBJECT.finditer(text):
        numbered = re.search(r"-\d+$", match["name"]) is not None
        after_noun = re.search(rf"\b{_MACHINE_NOUNS}\s+$", match["lead"]) is not None
        if (numbered or after_noun or _env_named_host(match["name"])) and not CI_WORDS.search(match["rest"] or ""):
            return True
    hosts = list(_NUMBERED_HOST.finditer(text))
    return bool(_PRONOUN_OBJECT.search(text)) and len({host["host"] for host in hosts}) == 1 \
        and not any(CI_WORDS.search(f"{host['host']}{host['rest'] or ''}") for host in hosts)


def _requested_action(text: str) -> str | None:
    """The action a request asks for in any form of its verb ("needs starting", "would you
    mind restarting"), from the mood grammar's occurrences."""
    for occ in occurrences(text):
        if occ.mood == "request" and occ.verb in VERB_ACTION:
            return VERB_ACTION[occ.verb]
    return None


VERB_ACTION = {
    "stop": "stop", "shut down": "stop", "shutdown": "stop", "shut off": "stop", "turn off": "stop",
    "power off": "stop", "spin down": "stop", "start": "start", "turn on": "start", "power on": "start",
    "spin up": "start", "bring up": "start", "fire up": "start", "boot up": "start", "reboot": "reboot",
    "restart": "reboot", "bounce": "reboot",
    "power cycle": "reboot", "resize": "resize", "scale": "scale", "deallocate": "deallocate",
}


def find_resource_group(text: str) -> str | None:
    """An Azure resource group: "resource group X", "the X resource group", or a name in the
    rg-/-rg naming convention ("rg-payments", "payments-rg")."""
    match = re.search(r"\bresource[- ]group\s+(?:named\s+|called\s+)?([a-z0-9][a-z0-9._()-]*[a-z0-9_)])", text)
    # "spend by resource group so far": a grouping names no group, so the next word is none
    grouped = match is not None and re.search(rf"{_GROUPING}$", text[:match.start()]) is not None
    if match and not grouped and _is_name(match.group(1)) \
            and match.group(1) not in _VERBS | {"by", "per", "for", "and", "in"}:
        return match.group(1)
    match = re.search(r"(?<![\w./-])([a-z0-9][a-z0-9._]*[-_][a-z0-9._-]*|[a-z0-9]*\d[a-z0-9]*)\s+resource[- ]group\b",
                      text)
    if match:
        return match.group(1)
    match = _RG_NAME.search(text)
    return match.group(1) if match else None


# A resource group in the rg-/-rg naming convention ("rg-payments", "payments-rg")
_RG_NAME = re.compile(r"(?<![\w./:-])(rg-[a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9][a-z0-9._-]*-rg)(?![\w/-])")


def named_resource_groups(text: str) -> list[str]:
    """Every resource group the words name by the naming convention, once each, in order
    ("rg-payments vs rg-web": both)."""
    return list(dict.fromkeys(match.group(1) for match in _RG_NAME.finditer(text)))


_GROUPING = r"\b(?:by|per|for each|each|grouped by|broken down by|split by|split (?:\w+\W+){1,4}by)\s+"


def find_group_by(text: str) -> str | None:
    """How a cost question wants its spend grouped, when it names one: Azure resource groups,
    regions ("split last month's spend by region", "regional breakdown") or a cost-allocation
    tag ("by team tag", "by tag team"); "by service" is every cost tool's default. A cloud's
    tool without that grouping drops it (planner.fill_args)."""
    grouping = rf"(?:{_GROUPING}|\bwhich\s+)"  # "which resource group spends most": grouped that way
    if re.search(rf"{grouping}(?:azure\s+)?(?:resource[- ]groups?|rgs?)\b", text):
        return "resource_group"
    if re.search(rf"{grouping}(?:aws\s+)?regions?\b|\bregional\s+(?:breakdown|split)\b", text):
        return "region"
    tag = re.search(rf"{grouping}(?:the\s+)?([a-z][a-z0-9_.:/-]*)\s+tag\b|"
                    rf"{_GROUPING}tag\s+([a-z][a-z0-9_.:/-]*)", text)
    if tag:
        return f"tag:{tag.group(1) or tag.group(2)}"
    # "forecast broken down by service", "per aws service": the default grouping of a spend, said
    # (a forecast is one total unless the grouping is asked for)
    if re.search(rf"{_GROUPING}(?:the\s+|each\s+)?(?:aws\s+)?services?\b(?!\s+tags?\b)", text):
        return "service"
    # "split the bill by team", "spend per owner": a cost-allocation tag key said without the
    # word "tag" (AWS services are the default grouping, so "by service" is not one)
    key = re.search(rf"{_GROUPING}(?:the\s+|each\s+)?({'|'.join(_TAG_KEYS)})s?\b(?!\s+(?:on-?call|rota|schedule))",
                    text)
    return f"tag:{key.group(1)}" if key else None


# Cost-allocation tag keys asked for by their bare name ("by team", "per project").
_TAG_KEYS = ("team", "owner", "env", "project", "squad", "costcenter", "cost-center", "application")


def put(slots: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        slots[key] = value



def find_incident_status(text: str) -> str | None:
    """"unacked", "nobody has acked", "not acknowledged yet": incidents still triggered;
    "acked incidents", "pages already acknowledged": taken but not resolved."""
    if re.search(r"\bun-?ack(?:ed|'d|nowledged)?\b|\bnot (?:yet |been )?(?:acked|ack'd|acknowledged)\b|"
                 r"\b(?:nobody|no one|noone)(?:'s|'ve)? (?:has |have )?(?:acked|ack'd|acknowledged)\b|\buntriaged\b|"
                 # "nobody is looking at yet", "no one's on it", "not picked up", "unowned": not taken
                 r"\b(?:nobody|no one|noone)(?:'s| is| has| has been)? (?:looking at|looking into|on|working on|"
                 r"picked up|taken|handling|touched)\b|\bnot (?:yet |been )?(?:picked up|taken|looked at)\b|"
                 r"\bunowned\b|\bunclaimed\b", text):
        return "triggered"
    if re.search(r"\b(?:acked|ack'd|acknowledged)\s+(?:incidents?|pages?|alerts?|ones?)\b|"
                 r"\b(?:incidents?|pages?|ones?)\s+(?:that are |already |still )?(?:acked|ack'd|acknowledged)\b",
                 text) \
            and not re.search(r"\b(?:triggered|new|firing)\b", text):  # "triggered and acked": both states
        return "acknowledged"  # "acked incidents still open": taken, not fixed
    if _ANY_TAKEN.search(text):  # "is anything acked rn?", "what's been acknowledged so far": that state
        return "acknowledged"
    said = _said_state(text)
    if said is None and _ANY_DONE.search(text):  # "did anything get resolved since yesterday?": that state
        # "what was resolved and what is still open": both states
        return "all" if re.search(r"\b(?:open|triggered|firing|acked|ack'd|acknowledged|ongoing)\b", text) \
            else "resolved"
    return said


# Whether anything is in the acknowledged state, asked of no incident in particular
_ANY_TAKEN = re.compile(r"\b(?:anything|something|what(?:'s| is| has)?|which(?: ones?)?)\s+(?:(?:is|are|been|has|have|"
                        r"currently|already|still|got|gotten)\s+)*(?:acked|ack'd|acknowledged)\b")


# Whether anything has been closed, asked of no incident in particular: "anything get resolved
# since yesterday?", "what got closed out today", "which ones were resolved overnight"
# ("which incidents were closed out", "what pages got resolved": the set's noun said between)
_ANY_DONE = re.compile(r"\b(?:anything|something|(?:what|which)(?:\s+(?:ones?|incidents?|pages?|alerts?))?)\s+"
                       r"(?:(?:has|have|had|is|are|was|were|been|"
                       r"get|got|gotten|already|just)\s+)*(?:resolved|closed)\b|"
                       # "which incidents did dave close out", "what pages has the team resolved": closed by
                       # someone, asked of the incidents as a set
                       r"\b(?:what|which)\s+(?:incidents?|pages?|ones?|alerts?)\s+(?:did|has|have|had)\s+"
                       r"(?:[a-z']+\s+){1,3}?(?:close|closed|resolve|resolved)\b|"
                       # "the ones that got resolved", "resolved incidents this week": the closed set, named
                       r"\b(?:ones|incidents|pages|alerts)\s+(?:that|which)\s+(?:(?:has|have|had|were|are|got|gotten|"
                       r"been|already|just)\s+)*(?:resolved|closed)\b|(?<!un)\b(?:resolved|closed)\s+(?:ones|incidents|"
                       r"pages|alerts)\b")


# A state said outright: "just the triggered ones" is that state alone; "closed ones as well",
# "including the resolved", "even resolved" widen the open ones to every state.
_ONLY_STATE = re.compile(r"\b(?:only|just)\s+(?:the\s+)?(triggered|firing|acked|ack'd|acknowledged|resolved|closed)\b")
_ALSO_CLOSED = re.compile(r"\b(?:incl(?:ude|uding|\.)?|add|plus|with|even|also)\s+(?:the\s+)?(?:resolved|closed)\b|"
                          # "open or closed", "open and resolved", "resolved or not", "regardless of status":
                          # both sides of the state, so every state
                          r"\b(?:open|active|ongoing|triggered|acked|acknowledged)\s*(?:or|and|\+|&|/)\s*"
                          r"(?:the\s+)?(?:resolved|closed)\b|\b(?:resolved|closed)\s*(?:or|and|\+|&|/)\s*"
                          r"(?:not|open|unresolved|active|ongoing)\b|"
                          r"\b(?:regardless of|whatever the|any) (?:status|state)\b|"
                          r"\b(?:resolved|closed)(?:\s+(?:ones?|incidents?|pages?))?\s+(?:too|as well|also)\b|"
                          # "resolved ones included", "closed incidents incl.": the widening said after
                          r"\b(?:resolved|closed)\s+(?:ones?|incidents?|pages?)\s+(?:included|incl\.?|in there)\b|"
                          # "even if it's closed", "even if they were resolved", "even when closed"
                          r"\beven\s+(?:if|when|though)\s+(?:(?:it|they|that|those|one|some)(?:'s|s|'re| is| are| was"
                          r"| were| got| been| has been| have been)?\s+)?(?:already\s+)?(?:resolved|closed)\b")
_STATE_OF = {"firing": "triggered", "acked": "acknowledged", "ack'd": "acknowledged", "closed": "resolved"}


def _said_state(text: str) -> str | None:
    if _ALSO_CLOSED.search(text):
        return "all"
    only = _ONLY_STATE.search(text)
    if only and not re.search(r"\b(?:and|or|\+|plus)\s+(?:the\s+)?(?:triggered|acked|acknowledged|resolved)\b",
                              text[only.end():]):
        return _STATE_OF.get(only.group(1), only.group(1))
    return None
