"""Asked whether one named security group is open to the internet when it is not: the answer
says where that group does let traffic in from (a private range, another group), not only
that nothing is open."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tools.aws.security import OpenSecurityGroupsArgs, open_security_groups
from tools.base import ToolContext


@pytest.fixture(scope="module")
def groups(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    east = boto3.client("ec2", region_name="us-east-1")
    office = east.create_security_group(GroupName="office-only-wireguard", Description="wg")["GroupId"]
    east.authorize_security_group_ingress(GroupId=office, IpPermissions=[
        {"IpProtocol": "udp", "FromPort": 51820, "ToPort": 51820, "IpRanges": [{"CidrIp": "172.20.0.0/14"}]}])
    world = east.create_security_group(GroupName="public-smtp", Description="smtp")["GroupId"]
    east.authorize_security_group_ingress(GroupId=world, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 25, "ToPort": 25, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    image = east.describe_images()["Images"][0]["ImageId"]
    east.run_instances(ImageId=image, MinCount=1, MaxCount=1, SecurityGroupIds=[office],
                       TagSpecifications=[{"ResourceType": "instance",
                                           "Tags": [{"Key": "Name", "Value": "wg-gateway-7"}]}])
    return {"office": office, "world": world}


def test_a_named_group_closed_to_the_internet_says_what_it_allows(ctx: ToolContext, groups: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(resource_id="office-only-wireguard"))
    assert result.status == "no_data"
    assert "0.0.0.0/0" in result.summary  # still says nothing is open to the internet
    assert "office-only-wireguard" in result.summary and groups["office"] in result.summary
    assert "udp 51820 from 172.20.0.0/14" in result.summary
    assert "public-smtp" not in result.summary


def test_an_instance_named_closed_to_the_internet_says_what_its_groups_allow(
        ctx: ToolContext, groups: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(resource_id="wg-gateway-7"))
    assert result.status == "no_data"
    assert "172.20.0.0/14" in result.summary and "office-only-wireguard" in result.summary


def test_an_open_group_named_is_listed_as_before(ctx: ToolContext, groups: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(resource_id="public-smtp"))
    assert result.status == "ok" and [row["group_id"] for row in result.rows] == [groups["world"]]


def test_a_name_no_group_answers_to_adds_nothing(ctx: ToolContext, groups: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(resource_id="no-such-thing", port=3389))
    assert result.status == "no_data" and result.summary.count(" allows ") == 1  # only "no group allows"
