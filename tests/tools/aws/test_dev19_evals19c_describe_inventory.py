"""dev19 (evals19c): a load balancer named by one of its target groups (an alert's ``tg=``
label) is described as that balancer, with its targets' health; a listing cut short shows the
resources people named (a Name tag) before the anonymous ones (the instances' root volumes)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tools.aws.inventory import DescribeArgs, InventoryArgs, describe_resource, inventory
from tools.base import ToolContext


def _named(kind: str, name: str) -> list[dict[str, Any]]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}, {"Key": "service", "Value": "ledger"}]}]


@pytest.fixture(scope="module")
def world(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    ec2 = boto3.client("ec2", region_name="us-east-1")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    boxes = [
        ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            TagSpecifications=_named("instance", f"ledger-web-{n}"),
        )["Instances"][0]["InstanceId"]
        for n in (1, 2, 3)
    ]
    ledger = ec2.create_volume(
        AvailabilityZone="us-east-1a", Size=40, VolumeType="gp3", TagSpecifications=_named("volume", "ledger-journal")
    )["VolumeId"]
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]]
    elb = boto3.client("elbv2", region_name="us-east-1")
    lb = elb.create_load_balancer(Name="ledger-front", Subnets=subnets[:2], Type="application")
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    group = elb.create_target_group(
        Name="ledger-web-pool", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="instance"
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": box} for box in boxes])
    ec2.stop_instances(InstanceIds=[boxes[2]])  # registered, then stopped: its target is not serving
    elb.create_listener(
        LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": group}]
    )
    return {"stopped": boxes[2], "volume": ledger}


def test_a_target_group_name_describes_its_load_balancer(ctx: ToolContext, world: dict[str, str]) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id="ledger-web-pool"))
    assert result.status == "ok", result.summary
    assert result.facts["type"] == "load_balancer" and result.facts["id"] == "ledger-front"
    assert result.facts["unhealthy"] == [world["stopped"]]
    assert "ledger-web-3" in result.summary


def test_a_name_of_no_balancer_nor_group_is_still_not_found(ctx: ToolContext, world: dict[str, str]) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id="ledger-nothing-pool"))
    assert result.status != "ok"


def test_named_volumes_come_before_root_volumes(ctx: ToolContext, world: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="volume", limit=1))
    assert result.rows[0]["name"] == "ledger-journal"
    assert result.summary.split("(", 1)[1].startswith("ledger-journal")
    assert result.facts["total"] == 4  # three root volumes besides it, still counted
