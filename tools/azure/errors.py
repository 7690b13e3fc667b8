"""The one place Azure failures become a sentence. Every Azure tool is wrapped by
``azure_errors`` so a person reads one clear reason (what was denied and which permission is
missing, throttling after the retries, an unknown VM), never a traceback."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from tools.base import ToolContext, ToolResult
from tools.resolve import AmbiguousResource

log = logging.getLogger(__name__)

A = TypeVar("A", bound=BaseModel)
ACTION_IN_MESSAGE = re.compile(r"perform action '([^']+)'")


class AzureProblem(LookupError):
    """A failure already phrased for the person asking (an unknown VM, a VM in a state the
    action cannot start from)."""


class AzureNotFound(AzureProblem):
    """The VM a person named is not in the subscription (``name``: as they named it)."""

    def __init__(self, sentence: str, name: str) -> None:
        super().__init__(sentence)
        self.name = name


def _code_and_message(exc: object) -> tuple[str, str]:
    error = getattr(exc, "error", None)
    code = str(getattr(error, "code", "") or "")
    message = str(getattr(error, "message", "") or "")
    if not message:
        message = str(getattr(exc, "message", "") or exc)
    return code, " ".join(message.split())


def describe_failure(exc: Exception, what: str, permission: str, base_url: str) -> str:
    """The sentence for one Azure failure; ``what`` names the call ("list virtual machines"),
    ``permission`` the RBAC action it needs when Azure's message does not name it."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(exc, AzureProblem):
        return str(exc)
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) is None:
        return ("No Azure credentials were found: set GUARDIAN_AZURE_TOKEN, or AZURE_CLIENT_ID/AZURE_TENANT_ID/"
                "AZURE_CLIENT_SECRET, or sign in with az login.")
    if isinstance(exc, HttpResponseError):
        status = exc.status_code or 0
        code, message = _code_and_message(exc)
        if status == 403:
            found = ACTION_IN_MESSAGE.search(message)
            needed = found.group(1) if found else permission
            return f"Azure denied {what} ({code or 'Forbidden'}): the identity needs {needed} permission."
        if status == 401:
            return (f"Azure rejected the credential for {what} ({code or '401'}): check GUARDIAN_AZURE_TOKEN or "
                    "the service principal.")
        if status == 429:
            return (f"Azure is throttling {what} (429 Too Many Requests, still after {_retries()} retries); "
                    "try again in a minute.")
        if status == 404:
            return f"Azure found nothing for {what}: {message.rstrip('.')}." if message else f"Azure has no {what}."
        if status >= 500:
            return f"Azure failed to answer {what} (HTTP {status}, an error on its side); try again shortly."
        return f"Azure rejected {what} ({code or status}){': ' + message[:200].rstrip('.') if message else ''}."
    if isinstance(exc, ServiceRequestError | ServiceResponseError):
        text = str(exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return (f"Azure's TLS certificate at {base_url} is not trusted; for a private CA set "
                    "GUARDIAN_AZURE_CA_BUNDLE.")
        return f"Could not reach Azure at {base_url} ({_reason(text)})."
    raise exc


def _retries() -> int:
    from tools.azure.client import RETRIES

    return RETRIES


def _reason(text: str) -> str:
    lowered = text.lower()
    if "refused" in lowered:
        return "connection refused"
    if "timed out" in lowered or "timeout" in lowered:
        return "connection timed out"
    if "name or service not known" in lowered or "nodename" in lowered:
        return "host name did not resolve"
    return "connection failed"


def azure_errors(what: str, permission: str) -> Callable[[Callable[[ToolContext, A], ToolResult]],
                                                         Callable[[ToolContext, A], ToolResult]]:
    """Wrap a tool so Azure failures come back as ``ToolResult.error(sentence)``."""

    def wrap(func: Callable[[ToolContext, A], ToolResult]) -> Callable[[ToolContext, A], ToolResult]:
        @functools.wraps(func)
        def run(ctx: ToolContext, args: A) -> ToolResult:
            from azure.core.exceptions import AzureError

            try:
                return func(ctx, args)
            except AmbiguousResource as exc:
                return ambiguous_result(exc)
            except (AzureError, AzureProblem) as exc:
                log.info("azure tool %s failed: %s", func.__name__, exc)
                sentence = describe_failure(exc, what, permission, ctx.azure.base_url)
                if isinstance(exc, AzureNotFound):
                    return ToolResult.not_found(sentence, exc.name)
                return ToolResult.error(sentence)

        return run

    return wrap


def ambiguous_result(exc: AmbiguousResource) -> ToolResult:
    """A question back, listing the VMs that fit: nothing is acted on or described."""
    rows = [{"kind": "vm", "id": c.id, "name": c.name, "location": c.region, "env": c.env} for c in exc.candidates]
    return ToolResult(status="no_data", summary=str(exc), columns=["kind", "id", "name", "location", "env"],
                      rows=rows, facts={"ambiguous": True, "phrase": exc.phrase},
                      resources=[c.id for c in exc.candidates] + [c.name for c in exc.candidates if c.name])
