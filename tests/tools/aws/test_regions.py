"""A failing region (one AWS does not have, one that throttles, one that cannot be reached)
is named in the result while the other regions answer. Real moto for the healthy region;
the failing ones are a region moto does not serve, a closed port and a throttling stand-in,
routed per region through the tool context's own session factory."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.tools.aws.ec2_errors import Ec2ErrorServer
from tools.aws import describe_instance_action, security_scan
from tools.aws.cost import SavingsArgs, savings
from tools.aws.inventory import DescribeArgs, InventoryArgs, describe_resource, inventory
from tools.aws.logs import LogsErrorsArgs, logs_errors
from tools.aws.regions import scan_regions
from tools.aws.security import OpenSecurityGroupsArgs, PostureArgs, open_security_groups, security_posture
from tools.base import ToolContext
from tools.settings import AwsSettings

pytestmark = pytest.mark.usefixtures("no_backoff")  # the throttler's retries are counted, not waited out


@pytest.fixture(scope="module")
def throttler() -> Iterator[str]:
    with Ec2ErrorServer(503, "RequestLimitExceeded", "Request limit exceeded.") as server:
        yield server.url


@pytest.fixture(scope="module")
def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


class RoutedSession(boto3.session.Session):
    """A boto3 session that sends some regions to another endpoint (as a per-region
    endpoint configuration would)."""

    def __init__(self, routes: dict[str, str]) -> None:
        super().__init__()
        self.routes = routes

    def client(self, service_name: str, region_name: str | None = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if region_name in self.routes:
            kwargs["endpoint_url"] = self.routes[region_name]
        return super().client(service_name, region_name=region_name, **kwargs)


def routed(regions: list[str], routes: dict[str, str] | None = None) -> ToolContext:
    return ToolContext(aws=AwsSettings(regions=tuple(regions)),
                       boto_session_factory=lambda: RoutedSession(routes or {}))


@pytest.fixture(scope="module", autouse=True)
def seeded(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    ec2 = boto3.client("ec2", region_name="us-east-1")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    sg = ec2.create_security_group(GroupName="rg-ssh", Description="ssh")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    inst = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SecurityGroupIds=[sg], TagSpecifications=[
        {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "rg-web-1"}]}])["Instances"][0]
    ec2.create_volume(Size=20, AvailabilityZone="us-east-1a")
    logs = boto3.client("logs", region_name="us-east-1")
    logs.create_log_group(logGroupName="/rg/checkout")
    logs.create_log_stream(logGroupName="/rg/checkout", logStreamName="s")
    logs.put_log_events(logGroupName="/rg/checkout", logStreamName="s", logEvents=[
        {"timestamp": int(time.time() * 1000), "message": "ERROR payment declined"}])
    return {"instance": inst["InstanceId"], "sg": sg}


def test_a_region_aws_does_not_have_is_named_while_the_others_answer(seeded: dict[str, str]) -> None:
    result = inventory(routed(["us-east-1", "xx-fake-9"]), InventoryArgs(resource_type="ec2"))
    assert result.status == "ok"
    assert seeded["instance"] in result.resources
    assert set(result.facts["failed_regions"]) == {"xx-fake-9"}
    assert "xx-fake-9 is not a region this AWS SDK knows" in result.facts["failed_regions"]["xx-fake-9"]
    assert "Could not check xx-fake-9:" in result.summary
    assert "<" not in result.summary  # no HTML error page from the endpoint


def test_a_throttled_region_is_named_while_the_others_answer(throttler: str, seeded: dict[str, str]) -> None:
    result = open_security_groups(routed(["us-east-1", "eu-west-1"], {"eu-west-1": throttler}),
                                  OpenSecurityGroupsArgs())
    assert result.status == "ok"
    assert seeded["sg"] in result.resources
    assert result.facts["failed_regions"] == {
        "eu-west-1": "AWS is throttling DescribeSecurityGroups; try again in a minute."}
    assert result.summary.endswith("Could not check eu-west-1: AWS is throttling DescribeSecurityGroups; "
                                   "try again in a minute.")


def test_an_unreachable_region_is_named_while_the_others_answer(closed_port: str) -> None:
    result = savings(routed(["us-east-1", "ap-south-1"], {"ap-south-1": closed_port}), SavingsArgs())
    assert result.status == "ok"
    assert result.facts["unattached_volumes"] == 1
    reason = result.facts["failed_regions"]["ap-south-1"]
    assert reason == f"Could not reach AWS at {closed_port} (connection refused)."
    assert f"Could not check ap-south-1: Could not reach AWS at {closed_port}" in result.summary


def test_every_scanning_tool_keeps_the_regions_that_answered(throttler: str, closed_port: str,
                                                            seeded: dict[str, str]) -> None:
    ctx = routed(["us-east-1", "eu-west-1", "ap-south-1"], {"eu-west-1": throttler, "ap-south-1": closed_port})
    for result in (inventory(ctx, InventoryArgs()), security_posture(ctx, PostureArgs()),
                   logs_errors(ctx, LogsErrorsArgs(service="checkout", since=2))):
        assert result.status == "ok", result.summary
        assert set(result.facts["failed_regions"]) == {"eu-west-1", "ap-south-1"}, result.summary
        assert "Could not check eu-west-1: AWS " in result.summary  # the stand-in throttles in EC2's dialect
    found = security_scan(ctx)
    assert any(f.resource == seeded["sg"] for f in found)
    assert set(found.failed_regions) == {"eu-west-1", "ap-south-1"}


def test_describe_finds_the_resource_in_a_region_that_answered(seeded: dict[str, str]) -> None:
    result = describe_resource(routed(["xx-fake-9", "us-east-1"]), DescribeArgs(resource_id="rg-web-1"))
    assert result.status == "ok"
    assert result.facts["id"] == seeded["instance"]
    assert "xx-fake-9" in result.facts["failed_regions"]


def test_not_found_says_which_regions_were_not_checked(closed_port: str) -> None:
    result = describe_resource(routed(["us-east-1", "eu-west-1"], {"eu-west-1": closed_port}),
                               DescribeArgs(resource_id="no-such-thing"))
    assert result.status == "error"
    assert result.summary.startswith("No resource named no-such-thing was found in us-east-1. "
                                     "Could not check eu-west-1: Could not reach AWS")


def test_a_write_is_not_prepared_while_a_region_cannot_be_checked(closed_port: str) -> None:
    """A Name tag might also match an instance in the region that did not answer: the
    preflight refuses instead of proposing to act on the one it could see."""
    result = describe_instance_action(routed(["us-east-1", "eu-west-1"], {"eu-west-1": closed_port}),
                                      "rg-web-1", "reboot")
    assert result.status == "error"
    assert result.summary.startswith("Could not check eu-west-1: Could not reach AWS")


def test_every_region_failing_differently_names_each(throttler: str, closed_port: str) -> None:
    result = inventory(routed(["eu-west-1", "ap-south-1"], {"eu-west-1": throttler, "ap-south-1": closed_port}),
                       InventoryArgs(resource_type="ec2"))
    assert result.status == "error"
    assert result.summary == (f"Could not check eu-west-1: AWS is throttling DescribeInstances; try again in a "
                              f"minute; ap-south-1: Could not reach AWS at {closed_port} (connection refused).")


def test_regions_are_scanned_in_parallel() -> None:
    """Every region's call is under way before any of them returns: they overlap, whatever the
    machine's load (no wall-clock bound)."""
    seen: list[str] = []
    all_started = threading.Barrier(4, timeout=30)

    def slow(region: str) -> str:
        seen.append(threading.current_thread().name)
        all_started.wait()  # raises BrokenBarrierError if the four calls were not running at once
        return region

    scan = scan_regions(routed([]), ["r1", "r2", "r3", "r4"], slow, services=("ec2",))
    assert scan.values() == ["r1", "r2", "r3", "r4"]
    assert len(set(seen)) == 4


def test_a_region_named_in_a_request_that_aws_does_not_have_is_refused_before_any_call(closed_port: str) -> None:
    """"instances in us-east-7": the SDK would call an endpoint that does not exist (in the
    sandbox, moto answered with a page the parser choked on: "failed unexpectedly")."""
    ctx = routed(["us-east-1", "eu-west-1"], {"us-east-7": closed_port})  # a call would be "could not reach"
    for result in (inventory(ctx, InventoryArgs(resource_type="ec2", region="us-east-7")),
                   open_security_groups(ctx, OpenSecurityGroupsArgs(region="us-east-7"))):
        assert result.status == "error"
        assert result.summary == ("us-east-7 is not an AWS region (they look like us-east-1 or eu-west-1). "
                                  "Guardian is set up for us-east-1, eu-west-1 (GUARDIAN_AWS_REGIONS).")


def test_a_configured_region_is_queried_even_if_this_sdk_does_not_know_it(seeded: dict[str, str]) -> None:
    result = inventory(routed(["us-east-1", "xx-fake-9"]), InventoryArgs(resource_type="ec2", region="us-east-1"))
    assert result.status == "ok" and seeded["instance"] in result.resources
    configured = inventory(routed(["us-east-1", "xx-fake-9"]), InventoryArgs(resource_type="ec2", region="xx-fake-9"))
    assert "not an AWS region" not in configured.summary  # asked of AWS, which answers for itself
    assert configured.status == "error"  # moto has no such region: one sentence, no crash
    assert configured.summary == ("AWS answered with something that is not an API response (is the region or "
                                  "the endpoint right?).")
