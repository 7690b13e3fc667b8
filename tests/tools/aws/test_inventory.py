"""Inventory and describe against resources this module creates in moto."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest

from tools.aws.inventory import DescribeArgs, InventoryArgs, describe_resource, inventory
from tools.base import ToolContext


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _tags(**tags: str) -> Any:
    return [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


@pytest.fixture(scope="module")
def world(reset_aws: Any) -> dict[str, Any]:
    reset_aws()
    east = boto3.client("ec2", region_name="us-east-1")
    west = boto3.client("ec2", region_name="eu-west-1")
    image = east.describe_images()["Images"][0]["ImageId"]
    web = east.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.small",
                             TagSpecifications=_tags(Name="inv-web-1", env="prod", service="checkout",
                                                     owner="team-a"))["Instances"][0]["InstanceId"]
    west_image = west.describe_images()["Images"][0]["ImageId"]
    worker = west.run_instances(ImageId=west_image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                TagSpecifications=_tags(Name="inv-worker", env="staging",
                                                        service="billing"))["Instances"][0]["InstanceId"]
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="inv-assets")
    s3.put_bucket_tagging(Bucket="inv-assets", Tagging={"TagSet": [{"Key": "env", "Value": "prod"}]})
    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="inv-eu-logs", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    rds = boto3.client("rds", region_name="us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="inv-orders-db", DBInstanceClass="db.t3.micro", Engine="postgres",
                           AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="password123",
                           Tags=[{"Key": "env", "Value": "prod"}])
    role = boto3.client("iam").create_role(RoleName="inv-lambda", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    boto3.client("lambda", region_name="eu-west-1").create_function(
        FunctionName="inv-resize", Runtime="python3.11", Role=role, Handler="handler.handler",
        Code={"ZipFile": _zip()}, Tags={"service": "images"})
    group = east.create_security_group(GroupName="inv-web", Description="web")["GroupId"]
    jump = east.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.nano", SecurityGroupIds=[group],
                              TagSpecifications=_tags(Name="inv-jump"))["Instances"][0]["InstanceId"]
    volume = west.create_volume(AvailabilityZone="eu-west-1a", Size=50, VolumeType="gp3")["VolumeId"]
    return {"web": web, "worker": worker, "jump": jump, "sg": group, "volume": volume}


def test_inventory_lists_every_default_type_in_every_region(ctx: ToolContext, world: dict[str, Any]) -> None:
    result = inventory(ctx, InventoryArgs())
    assert result.status == "ok", result.summary
    ids = {row["id"] for row in result.rows}
    assert {world["web"], world["worker"], "inv-assets", "inv-eu-logs", "inv-orders-db", "inv-resize"} <= ids
    assert result.facts["count_ec2"] == 3 and result.facts["count_s3"] == 2  # web, worker, jump
    assert result.facts["count_rds"] == 1 and result.facts["count_lambda"] == 1
    web = next(row for row in result.rows if row["id"] == world["web"])
    assert (web["name"], web["env"], web["service"], web["owner"], web["region"]) == (
        "inv-web-1", "prod", "checkout", "team-a", "us-east-1")
    assert world["web"] in result.resources and "inv-web-1" in result.resources


def test_inventory_filters(ctx: ToolContext, world: dict[str, Any]) -> None:
    prod = inventory(ctx, InventoryArgs(env="production"))
    assert {row["id"] for row in prod.rows} == {world["web"], "inv-assets", "inv-orders-db"}
    west = inventory(ctx, InventoryArgs(region="eu-west-1", resource_type="ec2"))
    assert [row["id"] for row in west.rows] == [world["worker"]]
    tagged = inventory(ctx, InventoryArgs(tag_key="service", tag_value="images"))
    assert [row["id"] for row in tagged.rows] == ["inv-resize"]
    assert [row["id"] for row in inventory(ctx, InventoryArgs(service="billing")).rows] == [world["worker"]]
    volumes = inventory(ctx, InventoryArgs(resource_type="volume", region="eu-west-1"))
    assert world["volume"] in volumes.resources
    assert inventory(ctx, InventoryArgs(env="qa")).status == "no_data"


@pytest.mark.parametrize("key", ["web", "name"])
def test_describe_instance_by_id_or_name(ctx: ToolContext, world: dict[str, Any], key: str) -> None:
    ident = world["web"] if key == "web" else "inv-web-1"
    result = describe_resource(ctx, DescribeArgs(resource_id=ident))
    assert result.status == "ok", result.summary
    assert result.facts["id"] == world["web"] and result.facts["state"] == "running"
    assert result.facts["instance_type"] == "t3.small"
    assert result.facts["instance_status"] in ("ok", "initializing", "not-applicable")
    assert world["web"] in result.resources and world["web"] in result.summary


def test_describe_instance_names_its_security_groups_by_name_and_id(ctx: ToolContext, world: dict[str, Any]) -> None:
    """"which sg is it in": the group's name as people say it, beside its id (the fixture's
    inv-jump is in the inv-web group)."""
    result = describe_resource(ctx, DescribeArgs(resource_id="inv-jump"))
    assert result.facts["security_groups"] == f"inv-web ({world['sg']})"


def test_describe_other_kinds(ctx: ToolContext, world: dict[str, Any]) -> None:
    sg = describe_resource(ctx, DescribeArgs(resource_id=world["sg"]))
    assert sg.facts["name"] == "inv-web" and sg.status == "ok"
    vol = describe_resource(ctx, DescribeArgs(resource_id=world["volume"]))
    assert vol.facts["region"] == "eu-west-1" and vol.facts["size_gib"] == 50
    bucket = describe_resource(ctx, DescribeArgs(resource_id="inv-eu-logs"))
    assert bucket.facts["region"] == "eu-west-1"
    db = describe_resource(ctx, DescribeArgs(resource_id="inv-orders-db"))
    assert db.facts["status"] == "available" and "postgres" in db.facts["engine"]
    fn = describe_resource(ctx, DescribeArgs(resource_id="inv-resize"))
    assert fn.facts["region"] == "eu-west-1" and fn.facts["runtime"] == "python3.11"
    arn = describe_resource(ctx, DescribeArgs(resource_id="arn:aws:s3:::inv-assets"))
    assert arn.facts["id"] == "inv-assets"


@pytest.mark.parametrize("ident", ["i-0123456789abcdef0", "no-such-thing", "sg-0123456789abcdef0"])
def test_describe_unknown_is_one_sentence(ctx: ToolContext, world: dict[str, Any], ident: str) -> None:
    result = describe_resource(ctx, DescribeArgs(resource_id=ident))
    assert result.status == "error"
    assert result.summary == f"No resource named {ident} was found in us-east-1, eu-west-1."


def test_a_listing_of_several_kinds_names_some_of_each_kind(ctx: ToolContext, world: dict[str, Any]) -> None:
    """Everything at once: the lead names a few of every kind (the table shows only its first
    rows), so the one database is named even after three instances and two buckets."""
    result = inventory(ctx, InventoryArgs())
    assert "1 RDS database (inv-orders-db)" in result.summary
    assert "1 Lambda function (inv-resize)" in result.summary
    assert "3 EC2 instances (" in result.summary and "2 S3 buckets (" in result.summary
    only_ec2 = inventory(ctx, InventoryArgs(resource_type="ec2"))
    assert f"inv-web-1 ({world['web']})" in only_ec2.summary  # one kind: names with their ids


def test_a_database_is_described_by_its_engine_alone(ctx: ToolContext, world: dict[str, Any]) -> None:
    """"more on our postgres": the one database whose engine it is (the fixture has one)."""
    result = describe_resource(ctx, DescribeArgs(resource_id="could I get more on our postgres"))
    assert result.status == "ok" and result.facts["id"] == "inv-orders-db"


def test_a_volume_or_group_is_described_by_its_exact_name(ctx: ToolContext, world: dict[str, Any]) -> None:
    """"what's the ledger-archive volume": a volume by its Name tag and a security group by its
    group name are described like their ids; a name close to them but not theirs is not."""
    west = boto3.client("ec2", region_name="eu-west-1")
    disk = west.create_volume(AvailabilityZone="eu-west-1b", Size=75, VolumeType="gp2", TagSpecifications=[
        {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "inv-ledger-archive"}]}])["VolumeId"]
    group = west.create_security_group(GroupName="inv-db-access", Description="db")["GroupId"]
    vol = describe_resource(ctx, DescribeArgs(resource_id="inv-ledger-archive"))
    assert vol.status == "ok" and vol.facts["id"] == disk and vol.facts["size_gib"] == 75
    sg = describe_resource(ctx, DescribeArgs(resource_id="inv-db-access"))
    assert sg.status == "ok" and sg.facts["id"] == group
    assert describe_resource(ctx, DescribeArgs(resource_id="inv-ledger-archives")).status == "error"


def test_inventory_by_state(ctx: ToolContext, world: dict[str, Any]) -> None:
    """A listing narrowed to one state keeps only the resources in it (the fixture stops none)."""
    running = inventory(ctx, InventoryArgs(resource_type="ec2", state="Running"))
    assert {world["web"], world["worker"], world["jump"]} <= {row["id"] for row in running.rows}
    assert inventory(ctx, InventoryArgs(resource_type="ec2", state="stopped")).status == "no_data"
