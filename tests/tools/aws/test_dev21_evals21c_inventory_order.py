"""dev21 (evals21c): "the two biggest boxes" lists instances by size before the listing is cut,
so the largest are kept rather than the first read."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tools.aws.inventory import InventoryArgs, inventory
from tools.base import ToolContext


@pytest.fixture(scope="module")
def sized(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    east: Any = boto3.client("ec2", region_name="us-east-1")
    image = east.describe_images()["Images"][0]["ImageId"]
    ids: dict[str, str] = {}
    sizes = (("tiny-1", "t3.micro"), ("huge-1", "m5.8xlarge"), ("mid-1", "m5.large"), ("big-1", "c5.2xlarge"))
    for name, kind in sizes:
        tags = [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}]
        ids[name] = east.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType=kind,
                                       TagSpecifications=tags)["Instances"][0]["InstanceId"]
    return ids


def test_largest_first_before_the_cut(ctx: ToolContext, sized: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="ec2", region="us-east-1", order="size", limit=2))
    assert [row["name"] for row in result.rows] == ["huge-1", "big-1"]


def test_smallest_first_when_asked(ctx: ToolContext, sized: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="ec2", region="us-east-1", order="size_asc", limit=1))
    assert [row["name"] for row in result.rows] == ["tiny-1"]
