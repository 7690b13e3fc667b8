"""Failures become one sentence: no credentials, unreachable endpoint, access denied,
throttling. The denial and throttling answers come from a tiny local HTTP stand-in
speaking EC2's error format."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.tools.aws.conftest import REGIONS
from tests.tools.aws.ec2_errors import Ec2ErrorServer
from tools.aws.errors import NO_CREDENTIALS
from tools.aws.inventory import DescribeArgs, InventoryArgs, describe_resource, inventory
from tools.aws.security import OpenSecurityGroupsArgs, open_security_groups
from tools.base import ToolContext
from tools.settings import AwsSettings


@pytest.fixture
def ctx(aws_endpoint: str) -> ToolContext:
    """A context per test: each test points the process at another endpoint (or none) first,
    and a context keeps the clients it made (tools/aws/common.py), as a running Guardian does."""
    return ToolContext(aws=AwsSettings(regions=tuple(REGIONS)))


@pytest.fixture(scope="module")
def refuser() -> Iterator[Ec2ErrorServer]:
    with Ec2ErrorServer(403, "UnauthorizedOperation", "You are not authorized to perform this operation.") as server:
        yield server


def test_no_credentials(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = inventory(ctx, InventoryArgs(resource_type="ec2"))
    assert result.status == "error" and result.summary == NO_CREDENTIALS


def test_unreachable_endpoint_is_quick_and_clear(ctx: ToolContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed)
    began = time.monotonic()
    result = describe_resource(ctx, DescribeArgs(resource_id="i-0123456789abcdef0"))
    assert time.monotonic() - began < 15
    assert result.status == "error"
    assert result.summary.startswith(f"Could not reach AWS at {closed}") and "connection refused" in result.summary


def test_access_denied_names_the_permission(ctx: ToolContext, refuser: Ec2ErrorServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refuser.url)
    refuser.answer(403, "UnauthorizedOperation", "no")
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(region="us-east-1"))
    assert result.status == "error"
    assert result.summary == ("AWS denied DescribeSecurityGroups (UnauthorizedOperation): the credentials need "
                              "ec2:DescribeSecurityGroups permission.")


def test_throttling_after_bounded_retries(ctx: ToolContext, refuser: Ec2ErrorServer,
                                         monkeypatch: pytest.MonkeyPatch, no_backoff: None) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refuser.url)
    refuser.answer(503, "RequestLimitExceeded", "slow down")
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(region="us-east-1"))
    assert result.summary == "AWS is throttling DescribeSecurityGroups; try again in a minute."
    assert refuser.calls == 4  # botocore: retries={"max_attempts": 3} means 3 retries after the first try
