"""The recent changes beside an incident brief, narrowed to the incident's service.

Asked "brief me on P7K2M9Q", Guardian reads the incident and the recent changes at once
(the incident's service is not known before the incident is read), so the changes come
from every repository. A responder wants the ones that can explain this incident: those
of the service's own repositories and those whose title names the service ("Raise payments
RDS max_connections"). They are kept; the others become a count, never names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tools.base import ToolResult

BRIEF_TOOL = "pagerduty_incident_brief"
CHANGES_TOOL = "github_recent_changes"


def incident_service(calls: Sequence[dict[str, Any]], results: Sequence[ToolResult]) -> str:
    """The service of the incident the turn briefed ("payments"), or "" when none was read."""
    for call, result in zip(calls, results, strict=True):
        if call["tool"] == BRIEF_TOOL and result.status == "ok":
            return str(result.facts.get("service") or "")
    return ""


def touches(row: dict[str, Any], service: str) -> bool:
    """A change of the service's repository ("driftwood/payments-api") or naming it in its title."""
    word = re.compile(rf"(?<![a-z0-9]){re.escape(service.lower())}(?![a-z0-9])")
    repo = str(row.get("repo") or "").lower().rsplit("/", 1)[-1]
    return bool(word.search(repo) or word.search(str(row.get("title") or "").lower()))


def changes_for_service(result: ToolResult, service: str) -> ToolResult:
    """``result`` with only the changes touching ``service`` and a summary that says how many
    of how many; unchanged when no service is known or nothing touches it (the changes are
    then all there is to show)."""
    if not service or result.status != "ok" or not result.rows:
        return result
    kept = [row for row in result.rows if touches(row, service)]
    if not kept:
        return result
    others = len(result.rows) - len(kept)
    refs = ", ".join(str(row.get("ref")) for row in kept[:5]) + (f" and {len(kept) - 5} more" if len(kept) > 5 else "")
    since = str(result.facts.get("since") or "")[:10]
    summary = (f"{len(kept)} of {len(result.rows)} recent changes{' since ' + since if since else ''} touch {service}: "
               f"{refs}" + (f"; {others} other{'s' if others != 1 else ''} elsewhere not listed." if others else "."))
    kept_refs = {str(row.get("ref")) for row in kept}
    return result.model_copy(update={"summary": summary, "rows": kept,
                                     "resources": [ref for ref in result.resources if ref in kept_refs]})
