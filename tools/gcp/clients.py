"""Google Cloud SDK clients, made once per ``ToolContext`` and pointed where the settings say:
Google's endpoints by default, or one local base URL (a stand-in) through each SDK's
documented ``client_options={"api_endpoint": ...}``; the JSON/REST transports throughout
(no gRPC), Application Default Credentials unless the settings ask for none.

The SDKs are imported here, on first use, never when the toolset is declared: importing
them costs seconds, and most commands never call Google Cloud."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from tools.base import ToolContext

T = TypeVar("T")
READ_TIMEOUT = 30.0  # seconds, per request
ATTEMPTS = 4  # a throttled or briefly unavailable call is tried this many times in all
BACKOFF = 0.25  # seconds before the second attempt, doubled before each later one


class Throttled(RuntimeError):
    """Google Cloud kept answering 429/503 through every attempt."""

    def __init__(self, operation: str, status: int, attempts: int) -> None:
        self.operation, self.status, self.attempts = operation, status, attempts
        super().__init__(f"{operation}: HTTP {status} after {attempts} attempts")


def project(ctx: ToolContext) -> str:
    return str(ctx.gcp.project)


def credentials(ctx: ToolContext) -> Any:
    """No credentials for a stand-in; otherwise the SDKs' Application Default Credentials."""
    if ctx.gcp.anonymous:
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()  # type: ignore[no-untyped-call]
    import google.auth

    found, _project = google.auth.default(scopes=["https://www.googleapis.com/auth/cloud-platform.read-only"])
    return found


def _options(ctx: ToolContext) -> dict[str, str] | None:
    return {"api_endpoint": ctx.gcp.api_url.rstrip("/")} if ctx.gcp.api_url else None


_MAKING: dict[str, threading.Lock] = {}  # one lock per client name: making one imports its SDK
_MAKING_LOCK = threading.Lock()


def _cached(ctx: ToolContext, name: str, make: Callable[[], T]) -> T:
    """The ``name`` client of this context, made once. Each name has its own lock, held while
    the client is made (that imports its SDK, seconds for Compute): the storage client, or
    another cloud's, is not kept waiting behind the Compute import."""
    with _MAKING_LOCK:
        lock = _MAKING.setdefault(name, threading.Lock())
    with lock:
        made = ctx.gcp_clients.get(name)
        if made is None:
            made = ctx.gcp_clients[name] = make()
    return made


def logging_client(ctx: ToolContext) -> Any:
    """google-cloud-logging over HTTP/JSON (``POST /v2/entries:list``)."""

    def make() -> Any:
        from google.cloud import logging as cloud_logging

        return cloud_logging.Client(project=project(ctx), credentials=credentials(ctx),  # type: ignore[no-untyped-call]
                                    _use_grpc=False, client_options=_options(ctx))

    return _cached(ctx, "logging", make)


def instances_client(ctx: ToolContext) -> Any:
    def make() -> Any:
        from google.cloud import compute_v1

        return compute_v1.InstancesClient(credentials=credentials(ctx), transport="rest",
                                       client_options=_options(ctx))

    return _cached(ctx, "instances", make)


def firewalls_client(ctx: ToolContext) -> Any:
    def make() -> Any:
        from google.cloud import compute_v1

        return compute_v1.FirewallsClient(credentials=credentials(ctx), transport="rest",
                                       client_options=_options(ctx))

    return _cached(ctx, "firewalls", make)


def storage_client(ctx: ToolContext) -> Any:
    def make() -> Any:
        from google.cloud import storage  # type: ignore[attr-defined]

        client = storage.Client(project=project(ctx), credentials=credentials(ctx), client_options=_options(ctx))
        # google-cloud-storage 3.x starts a background thread per bucket touched, each a
        # buckets.get, only to label tracing spans. Guardian does not trace the SDK, and that
        # doubles the calls of a bucket scan and outlives the tool call, so it is turned off.
        client._bucket_metadata_cache = None
        return client

    return _cached(ctx, "storage", make)


def with_retries(operation: str, call: Callable[[], T], attempts: int = ATTEMPTS, backoff: float = BACKOFF) -> T:
    """``call()``, tried again with exponential backoff while Google Cloud answers 429 (quota,
    rate limit) or 500/503 (briefly unavailable); then ``Throttled`` naming the operation.
    The SDKs' own retries are turned off at each call site, so the attempts here are all."""
    from google.api_core import exceptions as gexc

    for attempt in range(1, attempts + 1):
        try:
            return call()
        except (gexc.TooManyRequests, gexc.ServiceUnavailable, gexc.InternalServerError) as exc:
            if attempt == attempts:
                raise Throttled(operation, int(exc.code or 429), attempts) from exc
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def google_call(operation: str, call: Callable[[], T]) -> T:
    """``call()`` with retries; any failure leaves as ``GcpCallFailed`` naming ``operation``
    (the API method), so the error sentence says which call failed and what it needs."""
    from tools.gcp.errors import GcpCallFailed

    try:
        return with_retries(operation, call)
    except Throttled:
        raise
    except Exception as exc:
        raise GcpCallFailed(operation, exc) from exc
