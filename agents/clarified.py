"""Answers to Guardian's own "which of these did you mean?" (several resources fit the words):
the turn that asked keeps its candidates beside its slots, and a reply that picks one of them
("the second one", "search-eu-1", "the azure one", "the one in europe") runs the original
request again with that target. A reply picking none, or asking something else, is left to
the usual follow-up rules (agents/followup.py)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from agents.conversations import TurnContext
from agents.route import Route
from agents.skills import SKILL_BY_NAME
from agents.slots.vocabulary import RESOURCE_ID
from tools.places import PLACES, in_place

CHOICES = "clarify_choices"  # slot key the asking turn keeps its candidates under
ASKED = "clarify_text"  # ... and its words, which the reply's target completes
ITEMS = "listed_items"  # slot key a turn keeps the items its answer listed under ("start the stopped one")
SAID = "turn_text"  # ... and the words the turn was asked in ("how do I fix that" looks them up)
# ... and the answer's lead, what it was about ("is there a runbook for that" after "brief on
# 1042": the incident's title, which the words only named by number)
ANSWERED = "answer_lead"
MAX_ITEMS = 30  # a longer list is kept in part: items past it are named by their own words
# ... and the last turn of another domain before a detour ("back to the buckets" resumes it)
EARLIER = "earlier_turn"
# ... and what an earlier answer named that a pronoun points at ("does that person have MFA?"):
# the answer picks the one of them its own rows hold
MEANT = "meant_items"
# ... and a change the last turn asked for that was not proposed (refused, or missing what it
# needs): "who's allowed to approve that?" next is about it
UNMADE = "unmade_change"
# ... and the ids of the rows its tables showed, top to bottom: "the second one" counts what the
# person saw, not an id the lead also named beside the table ("Under way: run ...")
ROWS = "shown_rows"
# what a turn keeps for the next one, never lent as a slot
THREAD_KEYS = (CHOICES, ASKED, ITEMS, SAID, ANSWERED, EARLIER, MEANT, UNMADE, ROWS)
MAX_REPLY_WORDS = 8  # longer: a question of its own, not a pick

_ORDINALS = {"first": 0, "1st": 0, "one": 0, "top": 0, "second": 1, "2nd": 1, "two": 1, "third": 2, "3rd": 2,
             "three": 2, "fourth": 3, "4th": 3, "four": 3, "fifth": 4, "5th": 4, "five": 4, "last": -1,
             "latter": -1, "former": 0}
_ORDINAL = re.compile(r"^\W*(?:(?:the|no|nah|sorry|i meant|meant|i mean|option|number|#)\W*)*"
                      r"(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|top|latter|former|[1-5])\b", re.I)
_CLOUD_WORDS = {"aws": "aws", "amazon": "aws", "ec2": "aws", "azure": "azure", "microsoft": "azure",
                "gcp": "gcp", "google": "gcp", "gce": "gcp"}
_FILLER = frozenset("""the a an one that this i meant mean it's its is the ones please pls thanks ok okay yes yeah
    no nah sorry in on at from with of box server vm instance machine resource which""".split())


def choices_of(calls: Sequence[Mapping[str, Any]], integrations: Mapping[str, str]) -> list[dict[str, str]]:
    """The candidates a turn's tools asked about (results marked ``ambiguous``), each with its
    cloud: what a reply may pick from. ``integrations`` maps tool name to its cloud."""
    found: list[dict[str, str]] = []
    for call in calls:
        result = call.get("result") or {}
        if not (result.get("facts") or {}).get("ambiguous"):
            continue
        cloud = integrations.get(str(call.get("tool")), "")
        for row in result.get("rows") or []:
            found.append({"id": str(row.get("id") or ""), "name": str(row.get("name") or ""),
                          "region": str(row.get("region") or row.get("location") or ""),
                          "env": str(row.get("env") or ""), "kind": str(row.get("kind") or ""), "cloud": cloud})
    return [choice for choice in found if choice["id"] or choice["name"]]


def items_of(calls: Sequence[Mapping[str, Any]], integrations: Mapping[str, str]) -> list[dict[str, str]]:
    """The resources a turn's answer listed (rows with an id or name), in the shape of a
    candidate plus what tells them apart in a later turn (state, service, detail): "start the
    deallocated one" after a list picks the one row it fits."""
    found: list[dict[str, str]] = []
    for call in calls:
        result = call.get("result") or {}
        cloud = integrations.get(str(call.get("tool")), "")
        for row in result.get("rows") or []:
            if isinstance(row, Mapping) and row.get("run_id") and not (row.get("id") or row.get("name")):
                found.append(_run_item(row, cloud))
                continue
            # a finding's row names what it is about by its resource (an ARN, an id, a bucket)
            if not isinstance(row, Mapping) or not (row.get("id") or row.get("name") or row.get("resource")):
                continue
            found.append({"id": str(row.get("id") or row.get("resource") or ""), "name": str(row.get("name") or ""),
                          "region": str(row.get("region") or row.get("location") or ""),
                          "env": str(row.get("env") or ""), "kind": str(row.get("kind") or row.get("type") or ""),
                          # an incident's row says its state as "status" (triggered, acknowledged, resolved)
                          "cloud": cloud, "state": str(row.get("state") or row.get("status") or ""),
                          "service": str(row.get("service") or ""),
                          # how urgent or severe ("the high one" of incidents, "the critical one" of findings)
                          "level": str(row.get("urgency") or row.get("severity") or ""),
                          "detail": str(row.get("detail") or row.get("title") or "")})
    return found[:MAX_ITEMS]


RUN_KIND = "run"  # the kind of a listed workflow run (rows keyed by run id, not by id or name)


def _run_item(row: Mapping[str, Any], cloud: str) -> dict[str, str]:
    """A workflow run of a status list as an item: "rerun the red PR one" picks it by its
    outcome, its trigger, its repository or workflow, or who ran it."""
    repo = str(row.get("repo") or "").rsplit("/", 1)[-1]
    return {"id": str(row["run_id"]), "name": "", "region": "", "env": "", "kind": RUN_KIND, "cloud": cloud,
            "state": str(row.get("conclusion") or row.get("status") or ""), "service": repo,
            "event": str(row.get("event") or ""),
            "detail": " ".join(str(row.get(key) or "") for key in ("workflow", "branch", "actor"))}


# How people say a run's outcome and trigger: "the red one", "the PR build", "the nightly".
_RUN_WORDS = {"red": "failure", "failed": "failure", "failing": "failure", "broken": "failure", "busted": "failure",
              "green": "success", "passed": "success", "passing": "success", "successful": "success",
              "running": "in_progress", "pr": "pull_request", "prs": "pull_request", "nightly": "schedule",
              "scheduled": "schedule", "cron": "schedule"}
# An incident's state as people say it: "the acked one", "the one still firing", "the fixed one".
_INCIDENT_STATE_WORDS = {"acked": "acknowledged", "ackd": "acknowledged",
                         "ack": "acknowledged", "acknowledged": "acknowledged", "firing": "triggered",
                         "unacked": "triggered", "unacknowledged": "triggered", "triggered": "triggered",
                         "resolved": "resolved", "fixed": "resolved", "closed": "resolved"}
_INCIDENT_STATES = frozenset(_INCIDENT_STATE_WORDS.values())


def pick(choices: Sequence[Mapping[str, str]], text: str) -> Mapping[str, str] | None:
    """The one candidate the reply means: by place in the list, by id or name, or by what
    sets it apart (its cloud, region or place, env, kind). None when it picks none or several."""
    lowered = text.lower()
    ordinal = _ORDINAL.match(lowered)
    if ordinal:
        word = ordinal.group(1)
        place = int(word) - 1 if word.isdigit() else _ORDINALS[word]
        return choices[place] if -len(choices) <= place < len(choices) else None
    named = [c for c in choices if (c["id"] and c["id"].lower() in lowered)
             or (c["name"] and re.search(rf"(?<![\w-]){re.escape(c['name'].lower())}(?![\w-])", lowered))]
    if len(named) == 1:
        return named[0]
    words = [w for w in re.split(r"[^a-z0-9-]+", lowered) if w and w not in _FILLER]
    if not words:
        return None
    fitting = [c for c in choices if all(_describes(word, c) for word in words)]
    return fitting[0] if len(fitting) == 1 else None


def _describes(word: str, choice: Mapping[str, str]) -> bool:
    """Whether ``word`` is true of the candidate: its cloud, place, region, env, kind or a
    word of its name."""
    if word in _CLOUD_WORDS:
        return _CLOUD_WORDS[word] == choice["cloud"]
    if word in PLACES:
        return in_place(choice["region"], PLACES[word])
    attributes = {choice["region"].lower(), choice["env"].lower(), choice["kind"].lower(), choice["cloud"],
                  choice.get("state", "").lower(), choice.get("service", "").lower(), choice.get("event", "").lower(),
                  choice.get("level", "").lower()}
    if choice["kind"] == RUN_KIND and _RUN_WORDS.get(word) in attributes:
        return True
    state = choice.get("state", "").lower()
    if state in _INCIDENT_STATES and word in _INCIDENT_STATE_WORDS:
        return _INCIDENT_STATE_WORDS[word] == state
    # "the checkout one" of runs in checkout-web: a whole word of the service's or repository's name
    described = f"{choice['name']} {choice.get('detail', '')} {choice.get('service', '')}".lower()
    return word in attributes or word in re.split(r"[^a-z0-9]+", described)


def apply_choice(route: Route, previous: TurnContext, threshold: float) -> Route | None:
    """The previous request again with the target the reply picks, or None when the previous
    turn asked nothing or the reply is a request of its own."""
    choices = previous.slots.get(CHOICES)
    if not isinstance(choices, list) or not choices:
        return None
    if len(route.text.split()) > MAX_REPLY_WORDS and route.confidence >= threshold:
        return None
    chosen = pick(choices, route.text)
    if chosen is None:
        return None
    slots = {key: value for key, value in previous.slots.items()
             if key not in (*THREAD_KEYS, "resource_ids", "instance_id", "resource_name", "bucket")}
    slots.update(target_slots(chosen))
    text = str(previous.slots.get(ASKED) or route.text)
    # the words as meant were of the choice alone, not of the question it completes
    return route.model_copy(update={"text": f"{text} ({chosen['name'] or chosen['id']})", "meant": None,
                                    "skill": previous.skill, "agent": SKILL_BY_NAME[previous.skill].agent,
                                    "slots": slots, "confidence": max(route.confidence, threshold)})


def target_slots(chosen: Mapping[str, str]) -> dict[str, Any]:
    """The slots naming the picked candidate (its id when it has an id's shape, its name, its cloud)."""
    slots: dict[str, Any] = {}
    ident = chosen["id"]
    if ident and RESOURCE_ID.fullmatch(ident):
        slots["resource_ids"] = [ident]
        if ident.startswith("i-"):
            slots["instance_id"] = ident
    if chosen["name"] or ident:
        slots["resource_name"] = chosen["name"] or ident
    if chosen["cloud"] in _CLOUD_WORDS.values():
        slots["cloud"] = chosen["cloud"]
    if chosen["region"]:
        slots["region"] = chosen["region"]
    return slots
