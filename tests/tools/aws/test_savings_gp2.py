"""In-use gp2 volumes are savings candidates (gp3 is the same baseline for less per GB, a
type change in place), from a saving worth the change: a small root disk is not listed, nor
a disk already counted as a stopped instance's or as unattached. "which disks are still on
gp2?" narrows the candidates to them."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from agents.focus import focus
from tools.aws.savings import EBS_PER_GB_MONTH, GP2_PER_GB_MONTH, MIN_MIGRATION_USD, SavingsArgs, savings
from tools.base import ToolContext

ZONE = "eu-west-1c"


def _volume(ec2: Any, size: int, kind: str, name: str) -> str:
    made = ec2.create_volume(AvailabilityZone=ZONE, Size=size, VolumeType=kind,
                             TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}])
    return str(made["VolumeId"])


def _box(ec2: Any, name: str) -> str:
    image = ec2.describe_images()["Images"][0]["ImageId"]
    made = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                             Placement={"AvailabilityZone": ZONE},
                             TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}])
    return str(made["Instances"][0]["InstanceId"])


@pytest.fixture(scope="module")
def disks(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    busy, parked = _box(ec2, "ledger-worker"), _box(ec2, "ledger-parked")
    made = {"busy_gp2": _volume(ec2, 300, "gp2", "ledger-journal"), "busy_gp3": _volume(ec2, 300, "gp3", "ledger-wal"),
            "tiny_gp2": _volume(ec2, 20, "gp2", "ledger-tmp"), "parked_gp2": _volume(ec2, 300, "gp2", "ledger-cold"),
            "loose_gp2": _volume(ec2, 300, "gp2", "ledger-orphan")}
    for device, key in (("/dev/sdf", "busy_gp2"), ("/dev/sdg", "busy_gp3"), ("/dev/sdh", "tiny_gp2")):
        ec2.attach_volume(VolumeId=made[key], InstanceId=busy, Device=device)
    ec2.attach_volume(VolumeId=made["parked_gp2"], InstanceId=parked, Device="/dev/sdf")
    ec2.stop_instances(InstanceIds=[parked])
    return made


def test_only_an_in_use_gp2_volume_worth_migrating_is_a_gp2_candidate(ctx: ToolContext,
                                                                      disks: dict[str, str]) -> None:
    result = savings(ctx, SavingsArgs(region="eu-west-1"))
    gp2 = [row for row in result.rows if row["kind"] == "gp2 volume"]
    assert [row["resource"] for row in gp2] == [disks["busy_gp2"]]
    (row,) = gp2
    assert row["name"] == "ledger-journal" and row["detail"].startswith("300 GiB gp2")
    assert row["monthly_usd"] == pytest.approx(300 * (GP2_PER_GB_MONTH - EBS_PER_GB_MONTH), abs=0.01)
    assert 20 * (GP2_PER_GB_MONTH - EBS_PER_GB_MONTH) < MIN_MIGRATION_USD  # why the small disk is left out
    kinds = {row["resource"]: row["kind"] for row in result.rows}
    assert kinds[disks["loose_gp2"]] == "unattached volume"  # delete, not migrate
    assert disks["parked_gp2"] not in kinds  # inside its stopped instance's row
    assert result.facts["gp2_volumes"] == 1 and "1 gp2 volume" in result.summary


@pytest.mark.parametrize("question", ["which disks are still on gp2?", "could we switch some ebs over to gp3"])
def test_asking_about_gp2_narrows_the_candidates_to_gp2_volumes(ctx: ToolContext, disks: dict[str, str],
                                                                question: str) -> None:
    result = savings(ctx, SavingsArgs(region="eu-west-1"))
    narrowed = focus("aws_savings", result, question)
    assert narrowed is not None
    assert [row["resource"] for row in narrowed.rows] == [disks["busy_gp2"]]
    assert "ledger-journal" in narrowed.lead


def test_a_limit_names_the_biggest_candidates_the_table_shows(ctx: ToolContext, disks: dict[str, str]) -> None:
    everything = savings(ctx, SavingsArgs(region="eu-west-1"))
    top = savings(ctx, SavingsArgs(region="eu-west-1", limit=2))
    assert len(everything.rows) > 2
    assert top.rows == everything.rows[:2]
    assert top.rows[0]["monthly_usd"] >= top.rows[1]["monthly_usd"] >= everything.rows[2]["monthly_usd"]
    named = top.summary.split(f"the 2 biggest of {len(everything.rows)}: ", 1)[1]
    assert all(row["resource"] in named for row in top.rows)
    assert everything.rows[2]["resource"] not in named
    # the total still counts every candidate, not the two shown
    assert top.facts["monthly_savings_usd"] == everything.facts["monthly_savings_usd"]
