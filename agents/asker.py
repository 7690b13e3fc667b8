"""The asker as the person a question is about: "which incidents are assigned to me", "my open
pages", "anything on me right now". The words say "me"; who that is comes from the request
(the surface's PagerDuty mapping, else the chat user), never from the text."""

from __future__ import annotations

import re

from agents.request import Request
from agents.route import Route

# The asker as the holder of incidents: "assigned to me", "on me", "my incidents", "do i have
# anything open", "what have i got"
_HELD_BY_ME = re.compile(
    r"\b(?:assigned|allocated|routed|given)\s+to\s+me\b|\b(?:sitting|landed|is|are)\s+on\s+me\b|"
    r"\bmy\s+(?:own\s+)?(?:open\s+|active\s+|current\s+)?(?:incidents?|pages?|alerts?)\b|"
    r"\b(?:do|have)\s+i\s+(?:got|have|own|hold)\s+(?:any|anything|something)\b|"
    r"\bwhat(?:'?s| is| have| do)\s+i\s+(?:got|have|holding|carrying)\b|"
    # "ack whatever is paging me", "the one that keeps calling me": what PagerDuty notifies the asker of
    r"\b(?:paging|pinging|calling|buzzing|ringing|waking(?:\s+up)?|notifying)\s+me\b", re.I)
# (listed, or moved on: "ack whatever is paging me" is the asker's own incident)
_HOLDER_SKILLS = frozenset({"incident.list", "incident.ack", "incident.resolve"})
# A chat user no PagerDuty user can be (the CLI's default identity)
_NOBODY = frozenset({"", "cli"})
# What names the incident an ack is about, other than the asker: an ack of "the page" naming
# none of these ("can you ack the page for me meanwhile", "ack the alert, i'm on it") is of the
# page PagerDuty sends the asker ("ack it for me" points back at the thread, not at the asker)
_ACK_TARGETS = ("incident_id", "service", "person", "team", "resource_name", "instance_id", "resource_ids")
_THE_PAGE = re.compile(r"\b(?:the|this)\s+(?:page|alert|pager|incident)\b", re.I)


def asker_meant(route: Route, request: Request) -> Route:
    """``route`` with the asker as its ``person`` when the words ask about the asker's own
    incidents and name nobody else, or acknowledge "the page" and name no incident at all: an
    ack is what the paged person does, so the page meant is the one PagerDuty sends the asker
    (the ack tool reads the words first, and the asker's incident only when they single out none)."""
    if route.skill not in _HOLDER_SKILLS or route.slots.get("person"):
        return route
    unnamed_ack = route.skill == "incident.ack" and bool(_THE_PAGE.search(route.text)) \
        and not any(route.slots.get(key) for key in _ACK_TARGETS)
    if not unnamed_ack and not _HELD_BY_ME.search(route.text):
        return route
    who = request.acting_as or request.user
    if who.strip().lower() in _NOBODY:
        return route
    return route.model_copy(update={"slots": {**route.slots, "person": who}})
