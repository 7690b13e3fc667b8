"""Fanning one call out over regions. A region that fails (unknown to AWS, throttled,
unreachable, denied) costs only its own part of the answer: its reason is kept as one
sentence and the other regions' results still come back. Only when every region failed
for the same reason does the whole call fail with that reason (no credentials, say)."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from tools.aws.common import known_regions, run_session
from tools.aws.errors import RegionsFailed, describe_failure
from tools.base import ToolContext, ToolResult
from tools.resolve import AmbiguousResource

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_REGION_WORKERS = 8


def region_reason(exc: Exception, region: str, services: tuple[str, ...]) -> str:
    """Why one region failed, as a sentence (no traceback, no response body)."""
    try:
        reason = describe_failure(exc, services, None, [region])
    except Exception:  # describe_failure re-raises what it does not know
        reason = f"failed unexpectedly ({type(exc).__name__}); it is logged."
    if known_regions() and region not in known_regions():
        reason = f"{region} is not a region this AWS SDK knows; {reason[:1].lower()}{reason[1:]}"
    return reason


@dataclass
class RegionScan(Generic[T]):
    """Per-region results, in the order the regions were given, and per-region failures."""

    regions: list[str]
    results: dict[str, T] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def answered(self) -> list[str]:
        return [region for region in self.regions if region in self.results]

    def values(self) -> list[T]:
        return [self.results[region] for region in self.answered]

    def note(self) -> str:
        """' Could not check xx-fake-9: reason' for a summary line, or ''."""
        if not self.failed:
            return ""
        parts = "; ".join(f"{region}: {reason.rstrip('.')}" for region, reason in self.failed.items())
        return f" Could not check {parts}."

    def facts(self) -> dict[str, Any]:
        return {"failed_regions": dict(self.failed)} if self.failed else {}

    def mark(self, result: ToolResult) -> ToolResult:
        """The result with the failed regions in its summary and facts."""
        if not self.failed:
            return result
        return result.model_copy(update={"summary": result.summary.rstrip() + self.note(),
                                         "facts": {**result.facts, **self.facts()}})


def scan_regions(ctx: ToolContext, regions: list[str], call: Callable[[str], T], *,
                 services: tuple[str, ...], all_or_nothing: bool = False) -> RegionScan[T]:
    """Run ``call(region)`` for every region, a few at a time. Each region's failure is kept
    as a sentence; if every region failed, raise (the first region's own exception when
    they all failed alike, else ``RegionsFailed`` naming each). ``all_or_nothing`` raises
    ``RegionsFailed`` on any failure (for lookups a write will act on)."""
    scan: RegionScan[T] = RegionScan(list(regions))
    errors: dict[str, Exception] = {}
    run_session(ctx)  # made once here, so every worker shares the run's session and clients
    if len(regions) <= 1:
        for region in regions:
            try:
                scan.results[region] = call(region)
            except AmbiguousResource:
                raise  # a question for the person, not a failed region
            except Exception as exc:
                errors[region] = exc
    else:
        with ThreadPoolExecutor(max_workers=min(MAX_REGION_WORKERS, len(regions)),
                                thread_name_prefix="aws-region") as pool:
            futures = {region: pool.submit(contextvars.copy_context().run, call, region) for region in regions}
            for region, future in futures.items():
                try:
                    scan.results[region] = future.result()
                except AmbiguousResource:
                    raise  # a question for the person, not a failed region
                except Exception as exc:
                    errors[region] = exc
    if not errors:
        return scan
    for region, error in errors.items():
        # the answer names the region; the log keeps the detail (and a bug's traceback)
        log.info("aws (%s): region %s failed: %s", "/".join(services), region, error,
                 exc_info=None if _expected(error) else error)
        scan.failed[region] = region_reason(error, region, services)
    if not scan.results:
        first = next(iter(errors.values()))
        if len(regions) == 1 or len({str(error) for error in errors.values()}) == 1:
            raise first  # one reason for everything (no credentials, one dead endpoint): said once
        raise RegionsFailed(scan.failed)
    if all_or_nothing:
        raise RegionsFailed(scan.failed)
    return scan


def _expected(exc: Exception) -> bool:
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, ClientError | BotoCoreError)

