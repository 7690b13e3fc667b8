"""Shared plumbing for the AWS tools: clients with bounded timeouts, region selection,
dates and tags. boto3 resolves endpoints and credentials itself (AWS_ENDPOINT_URL,
AWS_PROFILE, ...), so nothing here reads the environment."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.config import Config

from tools.base import ToolContext

CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
GLOBAL_REGION = "us-east-1"  # IAM, S3 listing and Cost Explorer answer from here


# Clients made during one tool run, shared by that run only (loading a service model costs
# ~0.1 s, and a multi-region scan needs the same client many times).
_RUN_CLIENTS: ContextVar[dict[tuple[str, str], Any] | None] = ContextVar("aws_run_clients", default=None)
_RUN_SESSION: ContextVar[Any] = ContextVar("aws_run_session", default=None)
# A boto3 session may not make clients from two threads at once (a run fans out over regions).
_RUN_LOCK: ContextVar[threading.Lock | None] = ContextVar("aws_run_lock", default=None)


@contextmanager
def tool_run() -> Iterator[None]:
    """One boto3 session and its clients for the duration of one tool run."""
    clients_token = _RUN_CLIENTS.set({})
    session_token = _RUN_SESSION.set(None)
    lock_token = _RUN_LOCK.set(threading.Lock())
    try:
        yield
    finally:
        _RUN_CLIENTS.reset(clients_token)
        _RUN_SESSION.reset(session_token)
        _RUN_LOCK.reset(lock_token)


def client(ctx: ToolContext, service: str, region: str | None = None) -> Any:
    """A boto3 client with Guardian's timeouts; one session per tool run keeps tools thread-safe."""
    where = region or GLOBAL_REGION
    cache, lock = _RUN_CLIENTS.get(), _RUN_LOCK.get()
    if cache is None or lock is None:
        return ctx.boto_session().client(service, region_name=where, config=CLIENT_CONFIG)
    with lock:
        if (service, where) not in cache:
            cache[(service, where)] = run_session(ctx).client(service, region_name=where, config=CLIENT_CONFIG)
        return cache[(service, where)]


def run_session(ctx: ToolContext) -> Any:
    """The boto3 session of the current tool run (a new one outside a run)."""
    if _RUN_CLIENTS.get() is None:
        return ctx.boto_session()
    session = _RUN_SESSION.get()
    if session is None:
        session = ctx.boto_session()
        _RUN_SESSION.set(session)
    return session


def regions_for(ctx: ToolContext, region: str | None) -> list[str]:
    """The regions a tool scans: the one asked for, else every configured region."""
    if region:
        return [region]
    return list(ctx.regions) or [GLOBAL_REGION]


def today() -> date:
    return datetime.now(UTC).date()


def period(start: date | None, end: date | None, default_days: int) -> tuple[date, date]:
    """A [start, end) window; defaults to the last ``default_days`` full days."""
    stop = end or today()
    begin = start or stop - timedelta(days=default_days)
    if begin >= stop:
        begin = stop - timedelta(days=1)
    return begin, stop


def tag_map(tags: Iterable[dict[str, Any]] | None) -> dict[str, str]:
    """AWS tag lists ([{Key, Value}]) as a plain dict."""
    return {str(tag.get("Key")): str(tag.get("Value", "")) for tag in tags or []}


def tags_match(tags: dict[str, str], tag_key: str | None, tag_value: str | None) -> bool:
    """Case-insensitive tag filter; a key alone matches any value."""
    if not tag_key:
        return True
    lowered = {key.lower(): value for key, value in tags.items()}
    if tag_key.lower() not in lowered:
        return False
    return tag_value is None or lowered[tag_key.lower()].lower() == tag_value.lower()


def money(amount: float) -> float:
    return round(amount + 0.0, 2)


def join_names(names: list[str], limit: int = 5) -> str:
    """'a, b, c' or 'a, b, c and 4 more' for summaries."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit} more"


def iso(value: Any) -> str:
    """A timestamp from boto3 (datetime or epoch ms) as ISO 8601 UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).isoformat(timespec="seconds")
    return str(value)
