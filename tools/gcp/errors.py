"""The one place Google Cloud failures become a sentence: every GCP tool's run function is
wrapped by ``gcp_errors(operation, ...)`` so a person reads what failed and what to do
(which IAM permission is missing, that Google is throttling), never a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from tools.base import ToolContext, ToolResult
from tools.gcp.clients import Throttled

log = logging.getLogger(__name__)
A = TypeVar("A", bound=BaseModel)

# The IAM permission each operation needs (what a 403 is missing).
PERMISSIONS = {
    "entries.list": "logging.logEntries.list",
    "instances.aggregatedList": "compute.instances.list",
    "firewalls.list": "compute.firewalls.list",
    "buckets.list": "storage.buckets.list",
    "buckets.getIamPolicy": "storage.buckets.getIamPolicy",
}
NO_CREDENTIALS = ("No Google Cloud credentials were found: run `gcloud auth application-default login` or set "
                  "GOOGLE_APPLICATION_CREDENTIALS to a service account key file.")


class GcpCallFailed(RuntimeError):
    """A Google Cloud call failed; ``operation`` names the API method (``firewalls.list``)."""

    def __init__(self, operation: str, cause: Exception) -> None:
        self.operation, self.cause = operation, cause
        super().__init__(f"{operation}: {cause}")


def describe_failure(exc: Exception, operation: str, project: str | None) -> str:
    """The sentence for one Google Cloud failure of ``operation``."""
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    if isinstance(exc, GcpCallFailed):
        return describe_failure(exc.cause, exc.operation, project)
    if isinstance(exc, Throttled):
        return (f"Google Cloud is throttling {exc.operation} (HTTP {exc.status}) and still was after "
                f"{exc.attempts} attempts with backoff; try again in a minute.")
    if isinstance(exc, auth_exc.DefaultCredentialsError):
        return NO_CREDENTIALS
    if isinstance(exc, gexc.Forbidden | gexc.PermissionDenied):
        need = PERMISSIONS.get(operation, "a permission for " + operation)
        return (f"Google Cloud denied {operation} on project {project} (403): the credentials need the "
                f"{need} permission.")
    if isinstance(exc, gexc.Unauthorized | gexc.Unauthenticated | auth_exc.RefreshError):
        return (f"Google Cloud refused the credentials for {operation} (401): renew them "
                "(`gcloud auth application-default login`) or check GOOGLE_APPLICATION_CREDENTIALS.")
    if isinstance(exc, gexc.NotFound):
        return f"Google Cloud project {project} was not found for {operation}, or these credentials cannot see it."
    if isinstance(exc, gexc.GoogleAPICallError):
        message = " ".join(str(exc.message or "").split()).rstrip(".")[:200]
        return f"Google Cloud rejected {operation} (HTTP {exc.code}){': ' + message if message else ''}."
    if _is_connection_error(exc):
        return f"Could not reach Google Cloud for {operation} ({type(exc).__name__})."
    raise exc


def _is_connection_error(exc: Exception) -> bool:
    import requests
    from google.auth import exceptions as auth_exc

    return isinstance(exc, requests.ConnectionError | requests.Timeout | auth_exc.TransportError)


def gcp_errors(operation: str) -> Callable[[Callable[[ToolContext, A], ToolResult]],
                                           Callable[[ToolContext, A], ToolResult]]:
    """Wrap a tool so Google Cloud failures come back as ``ToolResult.error(sentence)``;
    ``operation`` is the API method the tool calls first (a ``GcpCallFailed`` names another)."""

    def wrap(func: Callable[[ToolContext, A], ToolResult]) -> Callable[[ToolContext, A], ToolResult]:
        @functools.wraps(func)
        def run(ctx: ToolContext, args: A) -> ToolResult:
            try:
                return func(ctx, args)
            except Exception as exc:
                sentence = describe_failure(exc, operation, ctx.gcp.project)  # re-raises a bug
                log.info("gcp tool %s failed: %s", func.__name__, exc)
                return ToolResult.error(sentence)

        return run

    return wrap
