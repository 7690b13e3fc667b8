"""dev18 (evals18a): each open security group row names the machines using it by their Name
tags beside their ids ("what's behind that group?" is answered with the names people use)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tools.aws.security import OpenSecurityGroupsArgs, open_security_groups
from tools.base import ToolContext


@pytest.fixture(scope="module")
def groups(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    west = boto3.client("ec2", region_name="eu-west-1")
    redis = west.create_security_group(GroupName="cache-wide-open", Description="redis")["GroupId"]
    west.authorize_security_group_ingress(GroupId=redis, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    image = west.describe_images()["Images"][0]["ImageId"]
    named = west.run_instances(ImageId=image, MinCount=1, MaxCount=1, SecurityGroupIds=[redis],
                               TagSpecifications=[{"ResourceType": "instance",
                                                   "Tags": [{"Key": "Name", "Value": "redis-cache-3"}]}])
    nameless = west.run_instances(ImageId=image, MinCount=1, MaxCount=1, SecurityGroupIds=[redis])
    return {"group": redis, "named": named["Instances"][0]["InstanceId"],
            "nameless": nameless["Instances"][0]["InstanceId"]}


def test_a_group_row_names_its_tagged_machines(ctx: ToolContext, groups: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(region="eu-west-1"))
    assert result.status == "ok", result.summary
    row = next(row for row in result.rows if row["group_id"] == groups["group"])
    assert row["instance_names"] == "redis-cache-3"  # the untagged machine has no name to give
    assert set(row["instances"].split(", ")) == {groups["named"], groups["nameless"]}
    assert "instance_names" in result.columns


def test_naming_a_tagged_machine_still_finds_its_group(ctx: ToolContext, groups: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs(resource_id="redis-cache-3"))
    assert result.status == "ok", result.summary
    assert {row["group_id"] for row in result.rows} == {groups["group"]}
