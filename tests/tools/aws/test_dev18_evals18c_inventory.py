"""dev18 (evals18c): an inventory asked by a team whose name is a service's ("the ledger team
owns what?") when no resource carries that team tag, and a region filter ruling one region out
("the other region" after one)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tools.aws.common import regions_for
from tools.aws.inventory import InventoryArgs, inventory
from tools.base import ToolContext


def _tags(**tags: str) -> Any:
    return [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@pytest.fixture(scope="module")
def boxes(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    east = boto3.client("ec2", region_name="us-east-1")
    image = east.describe_images()["Images"][0]["ImageId"]
    ledger = east.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                                TagSpecifications=_tags(Name="ledger-box-1", service="ledger",
                                                        team="Finance"))["Instances"][0]["InstanceId"]
    other = east.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                               TagSpecifications=_tags(Name="mail-box-1", service="mailer",
                                                       team="Growth"))["Instances"][0]["InstanceId"]
    return {"ledger": ledger, "other": other}


def test_a_team_named_like_a_service_lists_that_services_resources(ctx: ToolContext, boxes: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="ec2", tag_key="team", tag_value="ledger"))
    assert result.status == "ok", result.summary
    assert [row["id"] for row in result.rows] == [boxes["ledger"]]
    assert "team=ledger" in result.summary and "service=ledger" in result.summary


def test_a_team_tag_that_matches_is_not_read_as_a_service(ctx: ToolContext, boxes: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="ec2", tag_key="team", tag_value="growth"))
    assert [row["id"] for row in result.rows] == [boxes["other"]]
    assert "service=" not in result.summary
    assert inventory(ctx, InventoryArgs(resource_type="ec2", tag_key="team", tag_value="nobody")).status == "no_data"


def test_a_region_ruled_out_leaves_the_other_configured_ones(ctx: ToolContext) -> None:
    assert regions_for(ctx, "!us-east-1") == [region for region in ctx.regions if region != "us-east-1"]
    assert "us-east-1" not in regions_for(ctx, "!us-east-1")
