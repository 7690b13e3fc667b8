"""Security checks against buckets, groups, users and findings this module creates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tools.aws import security_scan
from tools.aws.security import (
    IamFindingsArgs,
    OpenSecurityGroupsArgs,
    PostureArgs,
    PublicBucketsArgs,
    SecurityHubArgs,
    iam_findings,
    open_security_groups,
    public_buckets,
    security_hub_findings,
    security_posture,
)
from tools.base import ToolContext

ACCOUNT = "123456789012"  # moto's default account


def _public_policy(bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})


def _buckets() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    sse: Any = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    for name in ("sec-public-acl", "sec-public-policy", "sec-blocked", "sec-private", "sec-plain"):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=sse)
    s3.put_bucket_acl(Bucket="sec-public-acl", ACL="public-read")
    s3.put_bucket_policy(Bucket="sec-public-policy", Policy=_public_policy("sec-public-policy"))
    s3.put_bucket_policy(Bucket="sec-blocked", Policy=_public_policy("sec-blocked"))
    s3.put_public_access_block(Bucket="sec-blocked", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.delete_bucket_encryption(Bucket="sec-plain")


def _groups() -> dict[str, str]:
    east = boto3.client("ec2", region_name="us-east-1")
    west = boto3.client("ec2", region_name="eu-west-1")
    ssh = east.create_security_group(GroupName="sec-ssh", Description="ssh")["GroupId"]
    east.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    web = east.create_security_group(GroupName="sec-web", Description="web")["GroupId"]
    east.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    internal = east.create_security_group(GroupName="sec-internal", Description="db")["GroupId"]
    east.authorize_security_group_ingress(GroupId=internal, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    wide = west.create_security_group(GroupName="sec-all", Description="all")["GroupId"]
    west.authorize_security_group_ingress(GroupId=wide, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    image = east.describe_images()["Images"][0]["ImageId"]
    bastion = east.run_instances(ImageId=image, MinCount=1, MaxCount=1,
                                 SecurityGroupIds=[ssh])["Instances"][0]["InstanceId"]
    return {"ssh": ssh, "web": web, "internal": internal, "all": wide, "bastion": bastion}


def _users() -> dict[str, str]:
    iam = boto3.client("iam")
    for user in ("alice", "bob", "carol", "dave"):
        iam.create_user(UserName=user)
    iam.create_login_profile(UserName="alice", Password="Passw0rd!long")
    iam.create_login_profile(UserName="carol", Password="Passw0rd!long")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="carol")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(UserName="carol", SerialNumber=serial, AuthenticationCode1="123456",
                          AuthenticationCode2="654321")
    # moto does not load AWS-managed policies by default; a same-named policy stands in.
    admin = iam.create_policy(PolicyName="AdministratorAccess", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=admin["Policy"]["Arn"])
    iam.add_user_to_group(GroupName="admins", UserName="bob")
    bob_key = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]
    dave_key = iam.create_access_key(UserName="dave")["AccessKey"]["AccessKeyId"]
    # moto stamps keys with "now"; age dave's key in the in-process backend (seeding, not mocking).
    from moto.iam.models import iam_backends

    backend = iam_backends[ACCOUNT]["aws"]
    backend.users["dave"].access_keys[0].create_date = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=200)
    return {"bob_key": bob_key, "dave_key": dave_key}


def _hub() -> None:
    hub = boto3.client("securityhub", region_name="us-east-1")
    hub.enable_security_hub()
    now = datetime.now(UTC).isoformat()
    base = {"SchemaVersion": "2018-10-08", "ProductArn": f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/"
            f"{ACCOUNT}/default", "GeneratorId": "guardian-test", "AwsAccountId": ACCOUNT,
            "Types": ["Software and Configuration Checks"], "CreatedAt": now, "UpdatedAt": now,
            "Description": "test finding", "RecordState": "ACTIVE", "Region": "us-east-1"}
    hub.batch_import_findings(Findings=[
        {**base, "Id": "f-low", "Title": "Low thing", "Severity": {"Label": "LOW"},
         "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::sec-plain"}]},
        {**base, "Id": "f-crit", "Title": "Root account used", "Severity": {"Label": "CRITICAL"},
         "Resources": [{"Type": "AwsAccount", "Id": f"AWS::::Account:{ACCOUNT}"}]},
    ])


@pytest.fixture(scope="module")
def world(reset_aws: Any) -> dict[str, str]:
    reset_aws()
    _buckets()
    _hub()
    return {**_groups(), **_users()}


def test_public_buckets(ctx: ToolContext, world: dict[str, str]) -> None:
    result = public_buckets(ctx, PublicBucketsArgs())
    assert result.status == "ok", result.summary
    by_name = {row["bucket"]: row for row in result.rows}
    public = sorted(name for name, row in by_name.items() if row["public"])
    assert public == ["sec-public-acl", "sec-public-policy"]
    assert "AllUsers" in by_name["sec-public-acl"]["why"]
    assert "to *" in by_name["sec-public-policy"]["why"]
    assert by_name["sec-plain"]["encrypted"] is False and not by_name["sec-plain"]["public"]
    assert "sec-blocked" not in by_name and "sec-private" not in by_name
    assert result.summary.startswith("2 of 5 buckets are public: sec-public-acl, sec-public-policy")
    assert "sec-plain" in result.summary


def test_open_security_groups(ctx: ToolContext, world: dict[str, str]) -> None:
    result = open_security_groups(ctx, OpenSecurityGroupsArgs())
    assert result.status == "ok", result.summary
    by_group = {row["group_id"]: row for row in result.rows}
    assert set(by_group) == {world["ssh"], world["web"], world["all"]}
    assert by_group[world["ssh"]]["severity"] == "high" and by_group[world["ssh"]]["ports"] == "22"
    assert by_group[world["ssh"]]["instances"] == world["bastion"]
    assert by_group[world["all"]]["region"] == "eu-west-1" and by_group[world["all"]]["ports"] == "all"
    assert by_group[world["all"]]["severity"] == "high"
    assert by_group[world["web"]]["severity"] == "low" and by_group[world["web"]]["cidr"] == "::/0"
    assert world["bastion"] in result.resources
    only_22 = open_security_groups(ctx, OpenSecurityGroupsArgs(port=22))
    assert {row["group_id"] for row in only_22.rows} == {world["ssh"], world["all"]}
    assert open_security_groups(ctx, OpenSecurityGroupsArgs(port=5432, region="us-east-1")).status == "no_data"


def test_iam_findings(ctx: ToolContext, world: dict[str, str]) -> None:
    result = iam_findings(ctx, IamFindingsArgs())
    assert result.status == "ok", result.summary
    issues = {(row["user"], row["issue"]) for row in result.rows}
    assert ("alice", "console access without MFA") in issues
    assert ("carol", "console access without MFA") not in issues
    assert ("bob", "administrator access") in issues
    assert ("dave", "old access key") in issues and ("bob", "old access key") not in issues
    assert ("bob", "access key never used") in issues
    old = next(row for row in result.rows if row["issue"] == "old access key")
    assert world["dave_key"] in old["detail"] and "200 days" in old["detail"]
    assert world["dave_key"] in result.resources and "carol" not in result.resources


def test_security_hub(ctx: ToolContext, world: dict[str, str]) -> None:
    result = security_hub_findings(ctx, SecurityHubArgs())
    assert result.status == "ok", result.summary
    assert [row["severity"] for row in result.rows] == ["critical", "low"]
    assert "Root account used" in result.summary and "Not enabled in eu-west-1" in result.summary
    off = security_hub_findings(ctx, SecurityHubArgs(region="eu-west-1"))
    assert off.status == "error" and off.summary == ("Security Hub is not enabled in eu-west-1: "
                                                     "enable it to see findings.")


def test_posture_counts_every_check(ctx: ToolContext, world: dict[str, str]) -> None:
    findings = security_scan(ctx)
    checks = {(f.check, f.resource) for f in findings}
    assert ("public_bucket", "sec-public-acl") in checks and ("unencrypted_bucket", "sec-plain") in checks
    assert ("open_security_group", world["all"]) in checks and ("iam_no_mfa", "alice") in checks
    assert all(f.cloud == "aws" for f in findings)
    result = security_posture(ctx, PostureArgs())
    weights = {"critical": 15, "high": 10, "medium": 4, "low": 1}
    assert result.facts["score"] == max(0, 100 - sum(weights[f.severity] for f in findings))
    assert result.facts["findings"] == len(findings)
    assert result.facts["high"] == sum(1 for f in findings if f.severity == "high")
    assert f"Security score {result.facts['score']}/100" in result.summary
