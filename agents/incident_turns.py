"""What a follow-up in a thread means by its incidents: every one of a list ("resolve both"),
the other one than the one just talked about, and the incident a write called off asks of.
The follow-up grammar (agents/followup.py) calls these; the PagerDuty tools take the slots they
fill (``incident_ids``, ``not_incident_ids``, ``incident_id``)."""

from __future__ import annotations

import re
from typing import Any

from agents.conversations import TurnContext
from agents.mood import question_skill
from agents.route import Route
from agents.skills import SKILL_BY_NAME

# A PagerDuty incident's id among an answer's resources ("P7K2M9Q").
INCIDENT_ID = re.compile(r"P[A-Z0-9]{5,7}")
_INCIDENT_WRITES = frozenset({"incident.ack", "incident.resolve", "incident.page"})
_STATUS_WRITES = frozenset({"incident.ack", "incident.resolve"})


def incidents_of(previous: TurnContext) -> set[str]:
    """The incidents the previous turn was about: those its answer named, or the one its write was for."""
    incidents = {r for r in previous.resources if INCIDENT_ID.fullmatch(r)}
    return incidents | ({str(previous.slots["incident_id"])} if previous.slots.get("incident_id") else set())


def question_of_the_incident_meant(route: Route, previous: TurnContext, points_back: bool) -> Route:
    """An incident write talked about, not asked for ("scratch that, don't resolve it yet -
    what's the latest on it"), is answered by the read about its incident: the router chose the
    list for no incident named, and "it" (``points_back``) is the one incident the thread's
    previous turn was about."""
    requested = route.requested_skill
    if route.mood == "request" or requested not in _INCIDENT_WRITES or route.skill != question_skill(requested, {}):
        return route
    incidents = incidents_of(previous)
    if len(incidents) != 1 or not points_back or not previous.skill.startswith("incident."):
        return route  # ("what's going on with it" after a list of several: which one is not said)
    slots = {**route.slots, "incident_id": route.slots.get("incident_id") or next(iter(incidents))}
    asked = question_skill(requested, slots)
    if asked == route.skill:
        return route
    return route.model_copy(update={"skill": asked, "agent": SKILL_BY_NAME[asked].agent, "slots": slots})


# "not that one ... the other one - ack it": an incident other than the one just talked about
_THE_OTHER = re.compile(r"\bthe other(?:\s+(?:one|incident|page|alert))?\b", re.I)


def the_other_incident(route: Route, previous: TurnContext) -> dict[str, Any]:
    """``not_incident_ids``: the incident the previous turn was about, when an ack or a resolve
    naming no incident asks for "the other one" (the tool then takes the one open incident left
    to move, or asks which)."""
    incidents = incidents_of(previous)
    if route.skill not in _STATUS_WRITES or not _THE_OTHER.search(route.text) or len(incidents) != 1 \
            or any(key in route.slots for key in ("incident_id", "incident_ids", "service", "person")):
        return {}
    return {"not_incident_ids": sorted(incidents)}


# Every item of a list at once: "both", "all of them", "all three", "each of those", "them all"
_EVERY_ONE = re.compile(r"\b(?:both(?!\s+(?:the|of\s+the)\s+\w+\s+(?:and|or)\b)|"
                        # (not "the older of the two", "one of the three": one of them)
                        r"(?<!of )(?:all|the)\s+(two|three|four|five|2|3|4|5)(?:\s+of\s+(?:them|those|these|em))?\b|"
                        r"all\s+(?:of\s+)?(?:them|those|these|em)\b|them\s+all\b|"
                        r"(?:each|every\s+one|every\s+single\s+one)\s+of\s+(?:them|those|these)\b|"
                        r"all\s+(?:the\s+|those\s+|these\s+)?(?:open\s+|listed\s+)?(?:ones|incidents|pages)\b)", re.I)
_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}


def every_listed_incident(route: Route, previous: TurnContext, rows: Any = None) -> list[str]:
    """The incidents of the previous answer, in its order, when an ack or a resolve asks for
    every one of them ("resolve both" after a list of two); none when the words count another
    number than the list holds ("both" of three is no set Guardian may guess)."""
    said = _EVERY_ONE.search(route.text)
    if route.skill not in _STATUS_WRITES or said is None:
        return []
    incidents = [r for r in previous.resources if INCIDENT_ID.fullmatch(r)]
    shown = [str(row) for row in rows] if isinstance(rows, list) else []
    incidents = [r for r in shown if r in incidents] or incidents
    wanted = 2 if said.group(0).lower().startswith("both") else _COUNTS.get((said.group(1) or "").lower())
    if len(incidents) < 2 or (wanted is not None and wanted != len(incidents)):
        return []
    return incidents
