"""A stopped instance in the savings list names the disks it still pays for: "are we still
paying for its volumes?" is answered by the volumes' names and ids, not their total alone."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest

from tools.aws.cost import SavingsArgs, savings
from tools.base import ToolContext


@pytest.fixture(scope="module")
def parked(reset_aws: Any) -> dict[str, Any]:
    reset_aws()
    west = boto3.client("ec2", region_name="eu-west-1")
    image = west.describe_images()["Images"][0]["ImageId"]
    box = west.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.large",
                             Placement={"AvailabilityZone": "eu-west-1b"},
                             TagSpecifications=[{"ResourceType": "instance",
                                                 "Tags": [{"Key": "Name", "Value": "ledger-replay"}]}])
    box_id = box["Instances"][0]["InstanceId"]
    disk = west.create_volume(AvailabilityZone="eu-west-1b", Size=40, VolumeType="gp3",
                              TagSpecifications=[{"ResourceType": "volume",
                                                  "Tags": [{"Key": "Name", "Value": "ledger-replay-scratch"}]}])
    west.attach_volume(VolumeId=disk["VolumeId"], InstanceId=box_id, Device="/dev/sdf")
    west.stop_instances(InstanceIds=[box_id])
    return {"instance": box_id, "volume": disk["VolumeId"]}


def test_a_stopped_instance_row_names_each_attached_volume_biggest_first(ctx: ToolContext,
                                                                          parked: dict[str, Any]) -> None:
    result = savings(ctx, SavingsArgs(region="eu-west-1"))
    row = next(row for row in result.rows if row["resource"] == parked["instance"])
    assert row["kind"] == "stopped instance"
    detail = row["detail"]
    assert f"ledger-replay-scratch ({parked['volume']}, 40 GiB)" in detail
    # the unnamed 8 GiB root volume comes after the data disk, by its id alone
    assert re.search(r"40 GiB\), vol-[0-9a-f]+ \(8 GiB\)$", detail), detail
    assert detail.startswith("t3.large, 48 GiB attached: ")
