"""The one place AWS failures become a sentence. Every AWS tool's run function is wrapped
by ``aws_errors`` so a person reads one clear reason, never a traceback."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

import botocore.session
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError
from pydantic import BaseModel

from tools.base import ToolContext, ToolResult
from tools.resolve import AmbiguousResource

log = logging.getLogger(__name__)

A = TypeVar("A", bound=BaseModel)

NO_CREDENTIALS = "No AWS credentials were found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY."
DENIED_CODES = {"AccessDenied", "UnauthorizedOperation", "AccessDeniedException", "UnauthorizedAccess",
                "AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException"}
THROTTLE_CODES = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
                  "SlowDown", "RequestThrottled"}
NOT_FOUND_CODES = {"InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", "NoSuchBucket", "NotFound",
                   "DBInstanceNotFound", "DBInstanceNotFoundFault", "ResourceNotFoundException",
                   "InvalidGroup.NotFound", "InvalidGroupId.Malformed", "InvalidVolume.NotFound",
                   "InvalidVolume.Malformed", "NoSuchEntity", "404"}


class ResourceNotFound(LookupError):
    """Raised by a tool when the resource a person named does not exist (in the regions
    that answered; ``failed`` names the ones that could not be checked, with why)."""

    def __init__(self, name: str, regions: list[str], failed: dict[str, str] | None = None) -> None:
        self.name, self.failed = name, dict(failed or {})
        checked = [region for region in regions if region not in (failed or {})]
        sentence = not_found_sentence(name, checked) if checked else f"{name} could not be looked up."
        super().__init__(sentence + (RegionsFailed.note(failed) if failed else ""))


class UnknownRegion(LookupError):
    """Raised before any call when a person names a region AWS does not have ("us-east-7"):
    without it the SDK would call an endpoint that does not exist."""

    def __init__(self, region: str, configured: list[str], sentence: str | None = None) -> None:
        self.region = region
        where = f" Guardian is set up for {', '.join(configured)} (GUARDIAN_AWS_REGIONS)." if configured else ""
        super().__init__(sentence or f"{region} is not an AWS region (they look like us-east-1 or eu-west-1).{where}")


class RegionsFailed(RuntimeError):
    """Raised when regions a tool needed could not be checked; the message names each
    region and why, one sentence."""

    def __init__(self, failed: dict[str, str]) -> None:
        self.failed = dict(failed)
        super().__init__(self.note(failed).strip())

    @staticmethod
    def note(failed: dict[str, str]) -> str:
        parts = "; ".join(f"{region}: {reason.rstrip('.')}" for region, reason in failed.items())
        return f" Could not check {parts}."


def is_not_found_code(code: str) -> bool:
    """An AWS error code saying the named resource does not exist."""
    return code in NOT_FOUND_CODES or code.endswith(".NotFound")


def not_found_sentence(name: str, regions: list[str]) -> str:
    return f"No resource named {name} was found in {', '.join(regions)}."


@functools.lru_cache(maxsize=32)
def _operations(service: str) -> tuple[str, frozenset[str]]:
    """(IAM action prefix, operation names) of one service, from botocore's own model."""
    model = botocore.session.get_session().get_service_model(service)
    prefix = model.signing_name or model.endpoint_prefix or service
    return prefix, frozenset(model.operation_names)


def iam_action(operation: str, services: tuple[str, ...]) -> str:
    """'ec2:DescribeInstances' for an operation of one of the tool's services."""
    for service in services:
        try:
            prefix, names = _operations(service)
        except Exception:  # an unknown service name only costs precision in a sentence
            continue
        if operation in names:
            return f"{prefix}:{operation}"
    return f"{services[0] if services else 'aws'}:{operation}"


def _reason(exc: Exception) -> str:
    text = f"{exc} {getattr(exc, 'kwargs', {}).get('error', '')}".lower()
    if isinstance(exc, ConnectTimeoutError):
        return "connection timed out"
    if isinstance(exc, ReadTimeoutError):
        return "no answer before the read timeout"
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename" in text:
        return "host name did not resolve"
    return "connection failed"


def describe_failure(exc: Exception, services: tuple[str, ...], name: str | None, regions: list[str]) -> str:
    """The sentence for one AWS failure."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return NO_CREDENTIALS
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError):
        endpoint = str(getattr(exc, "kwargs", {}).get("endpoint_url", "its endpoint")).rstrip("/")
        return f"Could not reach AWS at {endpoint} ({_reason(exc)})."
    if isinstance(exc, ResourceNotFound | RegionsFailed | UnknownRegion):
        return str(exc)
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        operation = exc.operation_name
        if code in DENIED_CODES:
            return (f"AWS denied {operation} ({code}): the credentials need "
                    f"{iam_action(operation, services)} permission.")
        if code in THROTTLE_CODES or code.startswith("Throttling"):
            return f"AWS is throttling {operation}; try again in a minute."
        if is_not_found_code(code):
            return not_found_sentence(name or "the requested one", regions)
        if code.isdigit() and int(code) >= 500:
            return f"AWS failed to answer {operation} (HTTP {code}, an error on its side)."
        message = " ".join(str(error.get("Message", "")).split()).rstrip(".")
        if message.startswith("<"):  # an HTML error page, not a message
            message = ""
        return f"AWS rejected {operation} ({code}){': ' + message[:200] if message else ''}."
    if isinstance(exc, BotoCoreError):
        return f"The AWS SDK could not complete the call ({type(exc).__name__})."
    if isinstance(exc, ResponseParserError):
        return ("AWS answered with something that is not an API response (is the region or the endpoint "
                "right?).")
    raise exc


def _missing_name(exc: Exception, target: str | None) -> str | None:
    """The name a failure says does not exist, when every region answered (a region that
    could not be checked may hold it, so that is not "not found")."""
    if isinstance(exc, ResourceNotFound):
        return exc.name if not exc.failed else None
    if isinstance(exc, ClientError) and target:
        return target if is_not_found_code(str(exc.response.get("Error", {}).get("Code", ""))) else None
    return None


def _target(args: BaseModel) -> str | None:
    for field in ("instance_id", "resource_id", "bucket", "log_group"):
        value = getattr(args, field, None)
        if value:
            return str(value)
    return None


def aws_errors(*services: str) -> Callable[[Callable[[ToolContext, A], ToolResult]],
                                           Callable[[ToolContext, A], ToolResult]]:
    """Wrap a tool so AWS failures come back as ``ToolResult.error(sentence)``.
    ``services`` name the boto3 services the tool calls (for the permission hint)."""

    def wrap(func: Callable[[ToolContext, A], ToolResult]) -> Callable[[ToolContext, A], ToolResult]:
        @functools.wraps(func)
        def run(ctx: ToolContext, args: A) -> ToolResult:
            try:
                return func(ctx, args)
            except AmbiguousResource as exc:
                return ambiguous_result(exc)
            except (ClientError, BotoCoreError, ResponseParserError, ResourceNotFound, RegionsFailed,
                    UnknownRegion) as exc:
                region = getattr(args, "region", None)
                regions = [region] if region else list(ctx.regions)
                log.info("aws tool %s failed: %s", func.__name__, exc)
                sentence = describe_failure(exc, services, _target(args), regions)
                missing = _missing_name(exc, _target(args))
                return ToolResult.not_found(sentence, missing) if missing else ToolResult.error(sentence)

        return run

    return wrap


def ambiguous_result(exc: AmbiguousResource) -> ToolResult:
    """A question back, listing the resources that fit: nothing is acted on or described."""
    rows = [{"kind": c.shown_kind or c.kind, "id": c.id, "name": c.name, "region": c.region, "env": c.env}
            for c in exc.candidates]
    return ToolResult(status="no_data", summary=str(exc), columns=["kind", "id", "name", "region", "env"],
                      rows=rows, facts={"ambiguous": True, "phrase": exc.phrase},
                      resources=[c.id for c in exc.candidates] + [c.name for c in exc.candidates if c.name])


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))

