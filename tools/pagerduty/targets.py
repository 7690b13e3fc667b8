"""Page targets said the way people say them on a call: "the storefront secondary" (whoever
is on call at that level of the team's escalation policy) and "escalate the checkout latency
issue" (the one open incident those words describe). Kept apart from the write plans in
``tools/pagerduty/tools.py``, which decide what a page does once its target is known."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tools.pagerduty.client import PagerDutyProblem, first, summary_of

if TYPE_CHECKING:
    from pagerduty import RestApiV2Client

OPEN = ["triggered", "acknowledged"]

# "escalate the checkout latency issue", "escalate this search thing": the words between the
# verb and the incident noun describe an incident already open, not a new page to open.
_ESCALATED = re.compile(r"\bescalat\w*\s+(?:the|this|that|our)\s+((?:[\w-]+\s+){1,4}?)"
                        r"(?:incident|issue|outage|problem|page|alert|thing|one)\b", re.IGNORECASE)


# "the checkout latency thing is getting worse ... escalate it": the incident described first,
# then escalated by a pronoun
_ESCALATED_IT = re.compile(r"\bescalat\w*\s+(?:it|this|that)\b(?!\s+(?:incident|issue|outage|problem|page|alert))",
                           re.IGNORECASE)
_DESCRIBED = re.compile(r"\bthe\s+((?:[\w-]+\s+){1,4}?)(?:incident|issue|outage|problem|page|alert|thing|one)\b",
                        re.IGNORECASE)


def escalated_words(query: str | None) -> str | None:
    """The words describing the incident a request escalates, when it escalates one it
    describes rather than naming whom to page for something new."""
    match = _ESCALATED.search(query or "")
    if match:
        return match.group(1).strip()
    pronoun = _ESCALATED_IT.search(query or "")
    described = list(_DESCRIBED.finditer((query or "")[:pronoun.start()])) if pronoun else []
    return described[-1].group(1).strip() if described else None


def described_incident(client: RestApiV2Client, words: str,
                       named_by: Callable[[list[dict[str, Any]], str], list[dict[str, Any]]]) -> dict[str, Any] | None:
    """The one open incident ``words`` describe (``named_by`` matches its service or title);
    None when none does (the page is then a new one), several are said, never guessed."""
    opened = first(client, "/incidents", {"statuses": OPEN, "date_range": "all", "sort_by": "created_at:desc"}, 25)
    named = named_by(opened, words)
    if len(named) == 1:
        return named[0]
    if not named:
        return None
    labels = ", ".join(f"{i['id']} ({i.get('title')})" for i in named[:5])
    raise PagerDutyProblem(f"{len(named)} open incidents match {words!r} ({labels}); say which by id.")


def oncall_at_level(client: RestApiV2Client, policy: dict[str, Any], level: int) -> dict[str, Any]:
    """The person on call now at ``level`` of ``policy`` ("the secondary": level 2), as a
    user reference with its name."""
    oncalls = first(client, "/oncalls", {"escalation_policy_ids": [policy["id"]], "earliest": "true"}, 100)
    found = [o["user"] for o in oncalls if int(o.get("escalation_level") or 1) == level and o.get("user")]
    if not found:
        levels = sorted({int(o.get("escalation_level") or 1) for o in oncalls})
        raise PagerDutyProblem(f"{summary_of(policy)} has nobody on call at level {level} "
                               f"(levels: {', '.join(map(str, levels)) or 'none'}).")
    return {"id": found[0]["id"], "name": summary_of(found[0]), "teams": []}


def named_in_words(client: RestApiV2Client, collection: str, query: str | None) -> str | None:
    """The one PagerDuty service or team (``collection``) whose whole name is a word of the
    request ("need platform on this, page them": the Platform team); None when none or
    several are."""
    words = set(re.findall(r"[a-z0-9][a-z0-9-]*", (query or "").lower()))
    named = [str(item["name"]) for item in first(client, f"/{collection}", {}, 100)
             if str(item.get("name", "")).lower() in words]
    return named[0] if len(named) == 1 else None


# Words of a request too common to say what a service does ("and", "the", "web"); only longer,
# distinctive words are read against the services' descriptions.
_PLAIN = frozenset("""that this with have from they them what when where which while would could should about
    their there these those into just like some been were will your please thanks anyone someone whoever""".split())
# A verb and its particle said as one thing a service does: "can't log in" is its "login".
_JOINED = ((re.compile(r"\blog(?:ging)?[\s-]+(?:in|on)\b"), "login"), (re.compile(r"\bsign(?:ing)?[\s-]+(?:in|on)\b"),
                                                                       "signin"))


def described_in_words(client: RestApiV2Client, query: str | None) -> str | None:
    """The one PagerDuty service whose description names a word of the request ("customers can't
    log in": the service described "Login, sessions and tokens"); None when none or several do."""
    text = (query or "").lower()
    for pattern, joined in _JOINED:
        text = pattern.sub(f" {joined} ", text)
    words = {w for w in re.findall(r"[a-z][a-z-]{3,}", text) if w not in _PLAIN}
    if not words:
        return None
    stems = {w[:-1] if w.endswith("s") and len(w) > 4 else w for w in words}
    named = [str(item["name"]) for item in first(client, "/services", {}, 100)
             if any(re.search(rf"\b{re.escape(stem)}(?:s|es)?\b", str(item.get("description") or "").lower())
                    for stem in stems)]
    return named[0] if len(named) == 1 else None
