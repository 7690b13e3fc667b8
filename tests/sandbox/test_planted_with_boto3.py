"""The planted problems, seen with plain boto3 clients (no Guardian tool in between), so a
broken seeder fails here rather than as a confusing tool-test failure. Every expectation is
derived from sandbox/company.py and the ids in ``Sandbox.seeded``."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.company import (
    CE_EC2,
    INJECTION_FIXTURE,
    PLANTED_PROBLEMS,
    SECRET_FIXTURE,
    SPIKE,
    WORLD,
    WORLD_V6,
    Company,
    daily_costs,
    utc_today,
)
from sandbox.seed_aws import seed
from sandbox.server import Sandbox, summary

pytestmark = pytest.mark.slow  # starts the sandbox (moto + Cost Explorer)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


_CLIENTS: dict[tuple[str, str, str], Any] = {}


def client(sandbox: Sandbox, service: str, region: str = "us-east-1") -> Any:
    """One client per endpoint, service and region (creating boto3 clients is the slow part)."""
    key = (sandbox.endpoint, service, region)
    if key not in _CLIENTS:
        _CLIENTS[key] = sandbox.boto_session().client(service, region_name=region)
    return _CLIENTS[key]


def test_planted_problem_list_covers_the_brief(company: Company) -> None:
    kinds = {p.kind for p in PLANTED_PROBLEMS}
    assert {"public_bucket", "world_open_port", "no_mfa", "old_access_key", "unattached_volume",
            "stopped_instance", "idle_elastic_ip", "cost_spike"} <= kinds
    opened = {p.detail for p in PLANTED_PROBLEMS if p.kind == "world_open_port"}
    assert any("22 open to 0.0.0.0/0" in d for d in opened) and any("5432 open to ::/0" in d for d in opened)


def test_seeded_maps_names_to_the_ids_aws_assigned(sandbox: Sandbox, company: Company) -> None:
    seeded = sandbox.seeded
    assert set(seeded["instances"]) == {i.name for i in company.instances}
    assert all(value.startswith("i-") for value in seeded["instances"].values())
    assert {g.name for g in company.security_groups} <= set(seeded["security_groups"])
    assert set(seeded["volumes"]) == {v.name for v in company.volumes}


def test_public_buckets_by_acl_and_policy(sandbox: Sandbox, company: Company) -> None:
    for bucket in company.buckets:
        s3 = client(sandbox, "s3", bucket.region)
        grants = s3.get_bucket_acl(Bucket=bucket.name)["Grants"]
        world_read = any(g["Grantee"].get("URI") == ALL_USERS and g["Permission"] == "READ" for g in grants)
        assert world_read == bucket.public_acl, bucket.name
        if bucket.public_policy:
            assert '"Principal": "*"' in s3.get_bucket_policy(Bucket=bucket.name)["Policy"]


def _world_rules(group: dict[str, Any]) -> set[tuple[int, str]]:
    rules = set()
    for perm in group["IpPermissions"]:
        cidrs = [r["CidrIp"] for r in perm.get("IpRanges", [])] + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
        rules |= {(perm["FromPort"], cidr) for cidr in cidrs if cidr in (WORLD, WORLD_V6)}
    return rules


def test_world_open_security_groups(sandbox: Sandbox, company: Company) -> None:
    for group in company.security_groups:
        ec2 = client(sandbox, "ec2", group.region)
        [described] = ec2.describe_security_groups(GroupIds=[sandbox.seeded["security_groups"][group.name]])[
            "SecurityGroups"]
        expected = {(low, cidr) for low, _high, cidr in group.ingress if cidr in (WORLD, WORLD_V6)}
        assert _world_rules(described) == expected, group.name
    ssh = next(g for g in company.world_open_groups() if 22 in g.world_ports())
    users = client(sandbox, "ec2", ssh.region).describe_instances(Filters=[
        {"Name": "instance.group-id", "Values": [sandbox.seeded["security_groups"][ssh.name]]}])["Reservations"]
    assert users, "the SSH-open group must be in use by an instance"


def test_iam_mfa_old_keys_and_admins(sandbox: Sandbox, company: Company) -> None:
    iam = client(sandbox, "iam")
    now = datetime.now(UTC)
    for user in company.iam_users:
        devices = iam.list_mfa_devices(UserName=user.name)["MFADevices"]
        assert bool(devices) == user.mfa, user.name
        keys = iam.list_access_keys(UserName=user.name)["AccessKeyMetadata"]
        ages = sorted((now - key["CreateDate"]).days for key in keys)
        assert ages == sorted(user.key_ages_days), user.name
        policies = {p["PolicyName"] for p in iam.list_attached_user_policies(UserName=user.name)["AttachedPolicies"]}
        assert ("AdministratorAccess" in policies) == user.admin, user.name
    for user in company.users_with_old_keys():
        [key] = iam.list_access_keys(UserName=user.name)["AccessKeyMetadata"]
        assert now - key["CreateDate"] > timedelta(days=90)
    for user in company.users_without_mfa():
        assert iam.get_login_profile(UserName=user.name)["LoginProfile"]["UserName"] == user.name


def test_idle_volume_eip_and_stopped_instance(sandbox: Sandbox, company: Company) -> None:
    seeded = sandbox.seeded
    for volume in company.volumes:
        [described] = client(sandbox, "ec2", volume.region).describe_volumes(
            VolumeIds=[seeded["volumes"][volume.name]])["Volumes"]
        assert (described["State"] == "available") == (volume.attached_to is None), volume.name
    for instance in company.instances:
        [reservation] = client(sandbox, "ec2", instance.region).describe_instances(
            InstanceIds=[seeded["instances"][instance.name]])["Reservations"]
        assert reservation["Instances"][0]["State"]["Name"] == instance.state, instance.name
    for eip in company.elastic_ips:
        [address] = client(sandbox, "ec2", eip.region).describe_addresses(
            AllocationIds=[seeded["elastic_ips"][eip.name]])["Addresses"]
        assert ("AssociationId" in address) == (eip.attached_to is not None), eip.name


def test_log_events_are_recent_and_carry_the_fixtures(sandbox: Sandbox, company: Company) -> None:
    now_ms = datetime.now(UTC).timestamp() * 1000
    seen: list[str] = []
    for group in company.log_groups:
        events = client(sandbox, "logs", group.region).filter_log_events(logGroupName=group.name)["events"]
        assert sorted(e["message"] for e in events) == sorted(line.message for line in group.lines)
        oldest = max(line.minutes_ago for line in group.lines)
        assert all(now_ms - (oldest + 5) * 60_000 <= e["timestamp"] <= now_ms for e in events)
        seen += [e["message"] for e in events]
    assert any(SECRET_FIXTURE in message for message in seen)
    assert any(INJECTION_FIXTURE in message for message in seen)


def test_security_hub_findings(sandbox: Sandbox, company: Company) -> None:
    for region in company.regions:
        findings = client(sandbox, "securityhub", region).get_findings()["Findings"]
        assert {f["Id"] for f in findings} == {f.id for f in company.hub_findings if f.region == region}


def test_guardduty_detectors_and_their_findings(sandbox: Sandbox, company: Company) -> None:
    """moto keeps the detectors; the sandbox's GuardDuty stand-in answers for their findings,
    honouring the archived criterion as GuardDuty does."""
    for region in company.regions:
        gd = client(sandbox, "guardduty", region)
        planted = [f for f in company.guardduty_findings if f.region == region]
        detectors = gd.list_detectors()["DetectorIds"]
        if not planted and region not in company.guardduty_enabled:
            assert detectors == []
            continue
        [detector] = detectors
        status = gd.get_detector(DetectorId=detector)["Status"]
        assert status == ("ENABLED" if region in company.guardduty_enabled else "DISABLED")
        for archived in (False, True):
            criteria = {"Criterion": {"service.archived": {"Eq": [str(archived).lower()]}}}
            ids = gd.list_findings(DetectorId=detector, FindingCriteria=criteria)["FindingIds"]
            assert ids == [f.id for f in planted if f.archived == archived]
        got = gd.get_findings(DetectorId=detector, FindingIds=[f.id for f in planted])["Findings"]
        assert [(g["Id"], g["Type"], g["Severity"], g["Service"]["Archived"]) for g in got] == [
            (f.id, f.type, f.severity, f.archived) for f in planted]
        for finding, shown in zip(planted, got, strict=True):
            kind, name = finding.resource
            if kind == "instance":
                assert shown["Resource"]["InstanceDetails"]["InstanceId"] == sandbox.ids.instances[name]
            else:
                assert shown["Resource"]["S3BucketDetails"][0]["Name"] == name


def test_cost_explorer_shows_the_spike_per_day(sandbox: Sandbox) -> None:
    today = utc_today()
    days = 10
    ce = client(sandbox, "ce")
    answer = ce.get_cost_and_usage(
        TimePeriod={"Start": (today - timedelta(days=days)).isoformat(), "End": today.isoformat()},
        Granularity="DAILY", Metrics=["UnblendedCost"],
        Filter={"Dimensions": {"Key": "REGION", "Values": [SPIKE.region]}},
        GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}])
    served = {(r["TimePeriod"]["Start"], g["Keys"][0]): float(g["Metrics"]["UnblendedCost"]["Amount"])
              for r in answer["ResultsByTime"] for g in r["Groups"]}
    expected = {(day.isoformat(), service): amount for day, service, region, amount in daily_costs(today, days)
                if region == SPIKE.region and amount}
    assert served.keys() == expected.keys()
    for key, amount in expected.items():
        assert served[key] == pytest.approx(amount, abs=0.02), key
    ec2 = [served[(day.isoformat(), CE_EC2)] for day in sorted({d for d, *_ in daily_costs(today, days)})]
    before, spike = ec2[:-SPIKE.days], ec2[-SPIKE.days:]
    assert min(spike) > 2.5 * max(before)


def test_reset_restores_mutated_state(sandbox: Sandbox, company: Company) -> None:
    before = sandbox.seeded
    public = company.public_buckets()[0]
    s3 = client(sandbox, "s3", public.region)
    s3.put_bucket_acl(Bucket=public.name, ACL="private")
    s3.delete_bucket_policy(Bucket=public.name)
    stopped = company.stopped_instances()[0]
    ec2 = client(sandbox, "ec2", stopped.region)
    ec2.start_instances(InstanceIds=[before["instances"][stopped.name]])
    client(sandbox, "iam").create_user(UserName="intruder")

    sandbox.reset()

    assert sandbox.seeded == before
    state = ec2.describe_instances(InstanceIds=[before["instances"][stopped.name]])["Reservations"][0]
    assert state["Instances"][0]["State"]["Name"] == "stopped"
    users = {u["UserName"] for u in client(sandbox, "iam").list_users()["Users"]}
    assert users == {u.name for u in company.iam_users}
    test_public_buckets_by_acl_and_policy(sandbox, company)


def test_env_isolates_from_the_users_aws_profile(sandbox: Sandbox) -> None:
    env = sandbox.env
    for key in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        assert os.path.getsize(env[key]) == 0


def test_two_sandboxes_serve_at_once(sandbox: Sandbox, company: Company) -> None:
    second = Sandbox(company, standins=[])
    second.start(seed=False)  # seeded once below, through the dict API
    try:
        assert second.port != sandbox.port
        profile = second.env["AWS_CONFIG_FILE"]
        for running in (sandbox, second):
            names = {b["Name"] for b in client(running, "s3").list_buckets()["Buckets"]}
            assert names == {b.name for b in company.buckets}  # moto's state is per process
        assert seed(second.endpoint) == sandbox.seeded  # the dict API re-seeds the same ids
    finally:
        second.stop()
    assert not os.path.exists(profile)
    assert client(sandbox, "sts").get_caller_identity()["Account"].isdigit()


def test_cli_summary_names_every_planted_problem(company: Company) -> None:
    lines = summary(company)
    assert all(line.startswith("#") for line in lines)  # `eval "$(guardian sandbox --once)"` stays valid
    text = "\n".join(lines)
    assert all(p.resource in text and p.detail in text for p in PLANTED_PROBLEMS)
    assert f"{len(company.instances)} EC2 instances" in text
