"""Shared plumbing for the AWS tools: clients with bounded timeouts, region selection,
dates and tags. boto3 resolves endpoints and credentials itself (AWS_ENDPOINT_URL,
AWS_PROFILE, ...), so nothing here reads the environment."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from botocore.config import Config

from tools.aws.errors import UnknownRegion
from tools.base import ToolContext
from tools.places import no_region_there, place_parts, regions_in

CLIENT_CONFIG = Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"})
GLOBAL_REGION = "us-east-1"  # IAM, S3 listing and Cost Explorer answer from here


def client(ctx: ToolContext, service: str, region: str | None = None) -> Any:
    """A boto3 client with Guardian's timeouts, made once per (context, service, region).

    boto3 clients are thread-safe; sessions are not, so clients are made under the
    context's lock from one session the context keeps (a fan-out over regions asks from
    several threads at once). Endpoints and credentials are resolved by boto3 when the
    client is made; a refreshable credential (SSO, assumed role) refreshes inside it."""
    where = region or GLOBAL_REGION
    with ctx.aws_clients_lock:
        made = ctx.aws_clients.get((service, where))
        if made is None:
            session = ctx.aws_clients.get(("", "session"))
            if session is None:
                session = ctx.aws_clients[("", "session")] = ctx.boto_session()
            made = ctx.aws_clients[(service, where)] = session.client(service, region_name=where,
                                                                      config=CLIENT_CONFIG)
    return made


def run_session(ctx: ToolContext) -> Any:
    """The session this context makes its clients from (made now if there is none yet)."""
    with ctx.aws_clients_lock:
        session = ctx.aws_clients.get(("", "session"))
        if session is None:
            session = ctx.aws_clients[("", "session")] = ctx.boto_session()
    return session


@functools.lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region this botocore knows, in any partition: a region a person names is checked
    against it, and a failed region's sentence says when it is none of them."""
    import botocore.session

    session = botocore.session.get_session()
    names: set[str] = set()
    for partition in session.get_available_partitions():
        for service in ("ec2", "s3"):
            names.update(session.get_available_regions(service, partition_name=partition,
                                                       allow_non_regional=False))
    return frozenset(names)


def regions_for(ctx: ToolContext, region: str | None) -> list[str]:
    """The regions a tool scans: the one asked for, the configured ones in a place asked for
    ("europe", "us east"), else every configured region. A region neither configured nor
    known to botocore, or a place no configured region is in, is refused before any call
    (``UnknownRegion``). A leading "!" ("!us-east-1", "the other region" after us-east-1) is
    every configured region but that one."""
    if region and region.startswith("!"):
        others = [name for name in ctx.regions if name != region[1:]]
        if not others:
            raise UnknownRegion(region[1:], list(ctx.regions))
        return others
    if region:
        inside = regions_in(region, ctx.regions or [GLOBAL_REGION])
        if inside is not None:  # "in europe": the configured regions there, or a clear no
            if not inside:
                raise UnknownRegion(region, list(ctx.regions), no_region_there(region, ctx.regions))
            return inside
        known = known_regions()
        if region not in ctx.regions and region != GLOBAL_REGION and known and region not in known:
            raise UnknownRegion(region, list(ctx.regions))
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


def region_matches(region: str, wanted: str | None) -> bool:
    """Whether ``region`` is the one asked for, or lies in the place asked for ("europe")."""
    if not wanted:
        return True
    parts = place_parts(wanted)
    return region == wanted if parts is None else any(part in region.lower() for part in parts)
