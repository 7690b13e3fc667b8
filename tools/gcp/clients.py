"""Google Cloud SDK clients, made once per ``ToolContext`` and pointed where the settings say:
Google's endpoints by default, or one local base URL (a stand-in) through each SDK's
documented ``client_options={"api_endpoint": ...}``; the JSON/REST transports throughout
(no gRPC), Application Default Credentials unless the settings ask for none.

The SDKs are imported here, on first use, never when the toolset is declared: importing
them costs seconds, and most commands never call Google Cloud."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import time
from collections.abc import Callable
from types import ModuleType
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


COMPUTE = "google.cloud.compute_v1"
_DEFER_LOCK = threading.RLock()


def compute_service(service: str) -> ModuleType:
    """``google.cloud.compute_v1.services.<service>`` (``firewalls``, ``instances``) and the
    types it needs, without the package's ``__init__`` importing all its ~100 services first.

    google-cloud-compute declares every one of those imports lazy (its ``__lazy_modules__``,
    PEP 810), but Python before 3.15 runs them eagerly: 1.7 s of CPU and 90 MB where the
    two services a scan uses cost half (docs/BENCHMARKS.md, "Cold scan per configured
    cloud"). So the package module is made without running its ``__init__``, which then
    runs, unchanged, the first time anything asks the package for a name it defines
    (``compute_v1.InstancesClient``): other code importing the package still gets all of it."""
    _defer_package_init(COMPUTE)
    return importlib.import_module(f"{COMPUTE}.services.{service}")


def _defer_package_init(name: str) -> None:
    with _DEFER_LOCK:
        if name in sys.modules:
            return
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return  # not installed (the import that follows says so), or not a package
        package = importlib.util.module_from_spec(spec)  # __path__ and __spec__ set, __init__ not run
        loader = spec.loader

        def run_init(attribute: str) -> Any:  # PEP 562: only names the module does not have yet
            if importlib.util.find_spec(f"{name}.{attribute}") is not None:  # `from package import types`
                return importlib.import_module(f"{name}.{attribute}")
            with _DEFER_LOCK:
                if package.__dict__.pop("__getattr__", None) is not None:
                    loader.exec_module(package)
            return getattr(package, attribute)

        package.__getattr__ = run_init  # type: ignore[method-assign]
        sys.modules[name] = package
        parent, _, child = name.rpartition(".")
        setattr(sys.modules[parent], child, package)


def logging_client(ctx: ToolContext) -> Any:
    """google-cloud-logging over HTTP/JSON (``POST /v2/entries:list``)."""

    def make() -> Any:
        from google.cloud import logging as cloud_logging

        return cloud_logging.Client(project=project(ctx), credentials=credentials(ctx),  # type: ignore[no-untyped-call]
                                    _use_grpc=False, client_options=_options(ctx))

    return _cached(ctx, "logging", make)


def instances_client(ctx: ToolContext) -> Any:
    def make() -> Any:
        return compute_service("instances").InstancesClient(credentials=credentials(ctx), transport="rest",
                                                            client_options=_options(ctx))

    return _cached(ctx, "instances", make)


def firewalls_client(ctx: ToolContext) -> Any:
    def make() -> Any:
        return compute_service("firewalls").FirewallsClient(credentials=credentials(ctx), transport="rest",
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
