"""Building a PagerDuty REST API v2 client from Guardian's configuration, finding services,
teams, users and incidents by the names people use in chat, and turning PagerDuty's
failures into one sentence a person can act on.

Configuration arrives typed, as ``ToolContext.pagerduty`` (``tools.settings.PagerDutySettings``,
built in ``bot/runtime.py``); the registry refuses a call before it gets here when the
toolset's prerequisite (an API key) is not met.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from tools.base import ToolContext, ToolResult
from tools.settings import PagerDutySettings

if TYPE_CHECKING:  # the SDK (and httpx) loads when a PagerDuty tool first runs
    from pagerduty import HttpError, RestApiV2Client

NOT_CONFIGURED = "PagerDuty is not configured: set PAGERDUTY_API_KEY (and PAGERDUTY_API_URL for the EU service)."
NO_FROM = ("PagerDuty changes need a requester: set GUARDIAN_PAGERDUTY_FROM_EMAIL to the email of the PagerDuty "
           "user Guardian acts as.")
TIMEOUT_SECONDS = 10.0


class PagerDutyProblem(Exception):
    """A failure already phrased for the person asking (unknown service, nothing matched...)."""


def pagerduty_client(config: PagerDutySettings) -> RestApiV2Client:
    """A REST API v2 client with bounded timeouts: one network retry, two 429 retries, and
    no retries of other errors (a retried POST could open a second incident)."""
    from pagerduty import RestApiV2Client

    if config.api_key is None:
        raise PagerDutyProblem(NOT_CONFIGURED)
    verify: ssl.SSLContext | bool
    if isinstance(config.verify, str):  # a CA bundle, e.g. the sandbox's throwaway CA
        verify = ssl.create_default_context(cafile=config.verify)
    else:
        verify = config.verify
    client = RestApiV2Client(config.api_key.get_secret_value(), default_from=config.from_email,
                             base_url=config.base_url, verify=verify)
    client.timeout = TIMEOUT_SECONDS  # type: ignore[assignment]  # httpx takes float seconds
    client.max_network_attempts = 1
    client.sleep_timer = 0.3
    client.max_http_attempts = 3
    client.retry = {429: 2}
    return client


def describe_error(exc: Exception, config: PagerDutySettings, what: str) -> str:
    """One sentence for a PagerDuty failure; ``what`` names the thing looked for."""
    from pagerduty import Error, HttpError, UrlError

    if isinstance(exc, PagerDutyProblem):
        return str(exc)
    if isinstance(exc, UrlError):
        return "PAGERDUTY_API_URL must be an https:// URL."
    if isinstance(exc, HttpError) and exc.response is not None:
        status = exc.response.status_code
        if status == 401:
            return "PagerDuty rejected the API key (401 Authentication failed): check PAGERDUTY_API_KEY."
        if status == 403:
            return "PagerDuty refused the request (403): the API key is read-only or cannot see this."
        if status == 404:
            return f"PagerDuty has no {what} (404)."
        if status == 429:
            return "PagerDuty is rate limiting this API key (429); try again in a minute."
        if status >= 500:
            return f"PagerDuty had a server error ({status}); try again shortly."
        return f"PagerDuty rejected the request ({status}: {_error_detail(exc)})."
    if isinstance(exc, Error | OSError):
        if _caused_by_tls(exc):
            return (f"PagerDuty's TLS certificate at {config.base_url} is not trusted; for a private CA set "
                    "GUARDIAN_PAGERDUTY_CA_BUNDLE.")
        return f"PagerDuty is unreachable at {config.base_url}; check PAGERDUTY_API_URL and the network."
    raise exc


def _caused_by_tls(exc: BaseException) -> bool:
    """Whether a transport failure was a certificate problem (somewhere in its cause chain)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _error_detail(exc: HttpError) -> str:
    try:
        error = exc.response.json().get("error", {}) if exc.response is not None else {}
    except ValueError:
        return "no detail"
    parts = [str(error.get("message", ""))] + [str(item) for item in error.get("errors") or []]
    return "; ".join(part for part in parts if part)[:200] or "no detail"


def with_pagerduty(ctx: ToolContext, what: str,
                   body: Callable[[RestApiV2Client, PagerDutySettings], ToolResult]) -> ToolResult:
    """Run ``body`` with a client; configuration gaps and API failures become error results."""
    from pagerduty import UrlError

    config = ctx.pagerduty
    if config.api_key is None:  # the registry says so first; this guards a direct call
        return ToolResult.error(NOT_CONFIGURED)
    try:
        client = pagerduty_client(config)
    except (OSError, UrlError) as exc:
        return ToolResult.error(describe_error(exc, config, what))
    try:
        return body(client, config)
    except Exception as exc:
        return ToolResult.error(describe_error(exc, config, what))
    finally:
        client.close()


# --------------------------------------------------------------------------- lookups


def first(client: RestApiV2Client, path: str, params: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Up to ``count`` results of an index endpoint (pages of at most 100)."""
    items: Iterator[dict[str, Any]] = client.iter_all(path, params=params, page_size=min(100, count))
    return list(islice(items, count))


_SUFFIXES = ("-api", "-web", "-svc", "-service", "-worker", "-app", "-backend", "-frontend", "-gateway")


def _name_key(name: str) -> str:
    """A name without its instance number and role suffix: a host from an alert line
    ("auth-service-1", "payments-api-02") names the service it runs."""
    key = re.sub(r"(?<=[a-z])-\d{1,3}$", "", name.strip().lower())
    for suffix in _SUFFIXES:
        if key.endswith(suffix):
            return key[: -len(suffix)]
    return key


def _path_tail(name: str) -> str:
    """A resource said by its path ("/app/checkout-api", "/aws/lambda/payments-webhook", a
    repository's "org/payments-api"): its last part, which bears the name of what it serves."""
    parts = [part for part in name.strip().split("/") if part.strip()]
    return parts[-1] if len(parts) > 1 or (name.strip().startswith("/") and parts) else name


def find_named(client: RestApiV2Client, collection: str, name: str, *fields: str) -> dict[str, Any] | None:
    """The one item of ``collection`` named ``name``: exact, then without a -api/-web suffix,
    then a unique prefix match (PagerDuty's ``query`` is a substring search); a name said as a
    path is its last part."""
    name = _path_tail(name)
    wanted = name.strip().lower()
    candidates = first(client, f"/{collection}", {"query": _name_key(name)}, 100)
    keys = fields or ("name",)
    matchers: tuple[Callable[[str], bool], ...] = (
        lambda v: v == wanted, lambda v: _name_key(v) == _name_key(wanted),
        lambda v: v.split()[0] == wanted if v.split() else False)
    for matcher in matchers:
        found = [item for item in candidates if any(matcher(str(item.get(k, "")).lower()) for k in keys)]
        if len(found) == 1:
            return found[0]
    prefixed = [item for item in candidates if str(item.get("name", "")).lower().startswith(_name_key(wanted))]
    return prefixed[0] if len(prefixed) == 1 else None


def _described_as(items: list[dict[str, Any]], name: str) -> dict[str, Any] | None:
    """The one item whose description holds ``name`` as a word ("login" -> the service
    described "Login, sessions and tokens"): people name a service by what it does."""
    wanted = name.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9 -]*", wanted):
        return None
    # one word for one thing or several ("token" in "sessions and tokens", "dashboard")
    stem = wanted[:-1] if wanted.endswith("s") and len(wanted) > 3 else wanted
    word = re.compile(rf"\b{re.escape(stem)}(?:s|es)?\b")
    found = [item for item in items if word.search(str(item.get("description") or "").lower())]
    return found[0] if len(found) == 1 else None


def _leading_name(name: str) -> str | None:
    """The first part of a hyphenated resource name ("payments-prod-alb", "search-indexer"):
    resources are named after the service they serve, so an alarm's load balancer or a worker
    named in a request stands for that service (only when a service has exactly that name)."""
    parts = name.strip().lower().split("-")
    return parts[0] if len(parts) > 1 and re.fullmatch(r"[a-z][a-z0-9]+", parts[0]) else None


def require_named(client: RestApiV2Client, collection: str, kind: str, name: str, *fields: str) -> dict[str, Any]:
    said, name = name, _path_tail(name)
    found = find_named(client, collection, name, *fields)
    if found is not None:
        return found
    described = _described_as(first(client, f"/{collection}", {}, 100), name)
    if described is not None:
        return described
    lead = _leading_name(name) if collection == "services" else None
    owner = find_named(client, collection, lead, *fields) if lead else None
    if owner is not None and str(owner.get("name", "")).lower() == lead:
        return owner
    known = [str(item.get("name")) for item in first(client, f"/{collection}", {}, 25)]
    listing = f" (known: {', '.join(known)})" if known else ""
    raise PagerDutyProblem(f"PagerDuty has no {kind} matching {said!r}{listing}.")


def find_user(client: RestApiV2Client, person: str) -> dict[str, Any]:
    """A user by first name, full name, email or its local part (alice, Alice Chen, alice@...)."""
    wanted = person.strip().lstrip("@").lower()
    candidates = first(client, "/users", {"query": wanted.split("@")[0]}, 100)
    for item in candidates:
        email = str(item.get("email", "")).lower()
        name = str(item.get("name", "")).lower()
        if wanted in (email, email.split("@")[0], name) or (name.split() and name.split()[0] == wanted):
            return item
    raise PagerDutyProblem(f"PagerDuty has no user matching {person!r}.")


# "before #1042", "after #1041": the incident next to a known one by number (a follow-up's
# "and the one before?" after a brief; agents/followup.py)
_BESIDE = re.compile(r"^(before|after)\s+#?(\d+)$", re.I)


def incident_beside(client: RestApiV2Client, side: str, number: int) -> dict[str, Any]:
    """The incident numbered closest below (before) or above (after) ``number``."""
    listed = first(client, "/incidents", {"date_range": "all", "sort_by": "created_at:desc"}, 500)
    numbered = [item for item in listed if isinstance(item.get("incident_number"), int)]
    if side.lower() == "before":
        earlier = [item for item in numbered if item["incident_number"] < number]
        if earlier:
            return max(earlier, key=lambda item: int(item["incident_number"]))
    else:
        later = [item for item in numbered if item["incident_number"] > number]
        if later:
            return min(later, key=lambda item: int(item["incident_number"]))
    raise PagerDutyProblem(f"PagerDuty has no incident {side.lower()} #{number} among the latest 500.")


def get_incident(client: RestApiV2Client, ref: str) -> dict[str, Any]:
    """An incident by id (P7K2M9Q), by its number as people say it (#1042), or next to one
    by number ("before #1042")."""
    beside = _BESIDE.match(ref.strip())
    if beside:
        return incident_beside(client, beside.group(1), int(beside.group(2)))
    ref = ref.strip().lstrip("#")
    if ref.isdigit():
        for item in first(client, "/incidents", {"date_range": "all", "sort_by": "created_at:desc"}, 500):
            if str(item.get("incident_number")) == ref:
                return item
        raise PagerDutyProblem(f"PagerDuty has no incident #{ref} among the latest 500.")
    incident: dict[str, Any] = client.rget(f"/incidents/{ref}")
    return incident


# --------------------------------------------------------------------------- formatting


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)




def summary_of(ref: dict[str, Any] | None) -> str | None:
    """The display name PagerDuty puts in a reference's ``summary``."""
    return str(ref.get("summary")) if ref else None
