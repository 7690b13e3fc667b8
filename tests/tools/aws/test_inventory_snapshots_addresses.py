"""Snapshots and Elastic IPs are inventory kinds of their own: listed on request (the account's
own snapshots only, never the public ones behind the AMIs an endpoint knows) and described by
id or by Name tag, with the volume a snapshot was taken of and the machine an address is on.
A volume asked of an instance ("the data disk on X") is that instance's own named volume."""

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
    west = boto3.client("ec2", region_name="eu-west-1")
    image = west.describe_images()["Images"][0]["ImageId"]
    box = west.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                             TagSpecifications=_named("instance", "ledger-gw"))["Instances"][0]["InstanceId"]
    volume = west.create_volume(AvailabilityZone="eu-west-1a", Size=30, VolumeType="gp3",
                                TagSpecifications=_named("volume", "ledger-data"))["VolumeId"]
    snap = west.create_snapshot(VolumeId=volume, Description="nightly",
                                TagSpecifications=_named("snapshot", "ledger-data-nightly"))["SnapshotId"]
    used = west.allocate_address(Domain="vpc", TagSpecifications=_named("elastic-ip", "ledger-gw-ip"))["AllocationId"]
    west.associate_address(AllocationId=used, InstanceId=box)
    journal = west.create_volume(AvailabilityZone="eu-west-1a", Size=12, VolumeType="io2", Iops=1000,
                                 TagSpecifications=_named("volume", "ledger-journal"))["VolumeId"]
    west.attach_volume(VolumeId=journal, InstanceId=box, Device="/dev/sdf")
    spare = west.allocate_address(Domain="vpc", TagSpecifications=_named("elastic-ip", "spare-ip"))["AllocationId"]
    return {"box": box, "volume": volume, "snap": snap, "used": used, "spare": spare, "journal": journal}


def test_snapshots_are_listed_with_their_volume_and_nothing_else(ctx: ToolContext, world: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="snapshot"))
    assert [row["id"] for row in result.rows] == [world["snap"]]
    [row] = result.rows
    assert row["name"] == "ledger-data-nightly" and row["region"] == "eu-west-1"
    assert f"ledger-data ({world['volume']})" in row["detail"]
    assert f"1 EBS snapshot (ledger-data-nightly ({world['snap']}))" in result.summary  # a kind in words


def test_ids_in_a_region_that_does_not_hold_them_are_not_found(ctx: ToolContext, world: dict[str, str]) -> None:
    """An id looked up everywhere is missing from the regions that do not hold it: the lookup
    says where it is, or that no region has it, never an AWS error."""
    found = describe_resource(ctx, DescribeArgs(resource_id=world["snap"]))
    assert found.facts["region"] == "eu-west-1"
    for missing in ("snap-0123456789abcdef0", "vol-0123456789abcdef0", "eipalloc-0123456789abcdef0",
                    "sg-0123456789abcdef0", "i-0123456789abcdef0"):
        result = describe_resource(ctx, DescribeArgs(resource_id=missing))
        assert result.summary == f"No resource named {missing} was found in us-east-1, eu-west-1.", missing


def test_elastic_ips_are_listed_with_what_they_are_on(ctx: ToolContext, world: dict[str, str]) -> None:
    result = inventory(ctx, InventoryArgs(resource_type="elastic_ip", service="ledger"))
    rows = {row["name"]: row for row in result.rows}
    assert set(rows) == {"ledger-gw-ip", "spare-ip"}
    assert rows["ledger-gw-ip"]["state"] == "associated" and "ledger-gw" in rows["ledger-gw-ip"]["detail"]
    assert rows["spare-ip"]["state"] == "unassociated"


def test_a_snapshot_is_described_by_its_name(ctx: ToolContext, world: dict[str, str]) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id="ledger-data-nightly"))
    assert result.facts["id"] == world["snap"] and result.facts["type"] == "snapshot"
    assert result.facts["volume"] == f"ledger-data ({world['volume']})"
    assert world["snap"] in result.resources


def test_an_address_is_described_by_id_or_name(ctx: ToolContext, world: dict[str, str]) -> None:
    spare = describe_resource(ctx, DescribeArgs(resource_id="spare-ip"))
    assert spare.facts["id"] == world["spare"] and "not associated" in spare.summary
    used = describe_resource(ctx, DescribeArgs(resource_id=world["used"]))
    assert used.facts["associated_with"] == f"ledger-gw ({world['box']})"


def test_a_volume_asked_of_an_instance_is_its_named_volume(ctx: ToolContext, world: dict[str, str]) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id="ledger-gw", resource_type="volume"))
    assert result.facts["id"] == world["journal"] and result.facts["volume_type"] == "io2"
    assert result.facts["attached_to"] == f"ledger-gw ({world['box']})"
    assert "ledger-journal" in result.summary


def test_an_instance_description_lists_its_volumes(ctx: ToolContext, world: dict[str, str]) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id="ledger-gw"))
    assert result.facts["type"] == "ec2"
    assert f"ledger-journal ({world['journal']}) 12 GiB io2" in result.facts["volumes"]
