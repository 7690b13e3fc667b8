"""Seeds a ``Company`` (``sandbox/company.py``) into a moto server through boto3, as a
real account would have been built, and returns the ids AWS assigned.

What boto3 cannot express is set on moto's in-process backend, here only: the creation
and last-used dates of access keys and roles, snapshots' start times, and whether the root
user has access keys.
moto's random generator is seeded first, so the same company gets the same ids each run.
"""

from __future__ import annotations

import functools
import io
import json
import urllib.request
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from sandbox.company import (
    ACCOUNT_ID,
    LAMBDA_ROLE,
    LAMBDA_ROLE_AGE_DAYS,
    ROOT_VOLUME_GB,
    Company,
    HubFinding,
    LogGroup,
)

PARTITION = "aws"  # moto keys its global IAM backend by partition
ID_SEED = 20240501  # fixed moto random seed: stable instance/volume/group ids across runs
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
AMI = "ami-12c6146b"  # moto serves any AMI id unless MOTO_ENABLE_AMI_VALIDATION is set
DB_PASSWORD = "sandbox-only-not-a-secret"
_CONFIG = Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"})


@dataclass
class SeededIds:
    """Names from the company data -> the ids moto assigned (tests resolve names with it)."""

    instances: dict[str, str] = field(default_factory=dict)  # Name tag -> i-...
    security_groups: dict[str, str] = field(default_factory=dict)  # "region/name" and name -> sg-...
    volumes: dict[str, str] = field(default_factory=dict)  # Name tag -> vol-...
    snapshots: dict[str, str] = field(default_factory=dict)  # Name tag -> snap-...
    root_volumes: dict[str, str] = field(default_factory=dict)  # instance Name -> its root vol-...
    elastic_ips: dict[str, str] = field(default_factory=dict)  # Name tag -> eipalloc-...
    access_keys: dict[str, list[str]] = field(default_factory=dict)  # user -> AKIA...
    arns: dict[str, str] = field(default_factory=dict)  # bucket/db/function/user/ECS service/LB name -> ARN

    def resolve(self, kind: str, name: str) -> str:
        """The id (or ARN) a Security Hub finding or a test refers to."""
        table = {"instance": self.instances, "security_group": self.security_groups,
                 "volume": self.volumes}.get(kind)
        if table is not None:
            return table[name]
        return self.arns[name]

    def all_ids(self) -> set[str]:
        ids = {*self.instances.values(), *self.security_groups.values(), *self.volumes.values(),
               *self.root_volumes.values(), *self.elastic_ips.values(), *self.arns.values()}
        return ids | {key for keys in self.access_keys.values() for key in keys}


class AwsSeeder:
    """Builds the company's account in moto at ``endpoint`` with dummy credentials."""

    def __init__(self, endpoint: str, company: Company, *, now: datetime | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.company = company
        self.now = now or datetime.now(UTC)
        self.ids = SeededIds()
        self._clients: dict[tuple[str, str], Any] = {}
        self._session = _seeding_session()

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """One cached client per (service, region): building clients is most of a seed's time."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._new_client(service, region)
        return self._clients[key]

    def _new_client(self, service: str, region: str) -> Any:
        make: Any = self._session.client  # typed per service by boto3-stubs; services vary here
        return make(service, region_name=region, endpoint_url=self.endpoint, config=_CONFIG)

    def _moto_api(self, path: str) -> None:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/{path}", method="POST", data=b"")
        # Loopback, but a reset walks every moto backend: on a busy two-core machine it took > 10 s.
        with urllib.request.urlopen(request, timeout=60) as answer:
            answer.read()

    def seed(self) -> SeededIds:
        """Reset moto, then create everything; returns the assigned ids."""
        self._moto_api("reset")
        self._moto_api(f"seed?a={ID_SEED}")
        for region in self.company.regions:
            self._security_groups(region)
            stopped = self._instances(region)
            self._load_balancers(region)  # targets register while running: AWS refuses stopped ones
            if stopped:
                self.client("ec2", region).stop_instances(InstanceIds=stopped)
            self._volumes(region)
            self._snapshots(region)
            self._cpu_metrics(region)
            self._elastic_ips(region)
            self._databases(region)
            self._log_groups(region)
            self._ecs_services(region)
        self._buckets()
        self._iam()
        self._functions()
        self._roles()
        for region in self.company.regions:
            self._trails(region)
        for region in self.company.regions:
            self._hub_findings(region)
            self._guardduty(region)
        for region in self.company.regions:  # last: moto's EKS draws a varying count of random numbers
            self._eks_clusters(region)
        return self.ids

    # ------------------------------------------------------------------ EC2

    def _security_groups(self, region: str) -> None:
        ec2 = self.client("ec2", region)
        for group in (g for g in self.company.security_groups if g.region == region):
            tags = [{"Key": "Name", "Value": group.name}, {"Key": "service", "Value": group.service}]
            created = ec2.create_security_group(
                GroupName=group.name, Description=group.description,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}])
            group_id = created["GroupId"]
            self.ids.security_groups[group.name] = group_id
            self.ids.security_groups[f"{region}/{group.name}"] = group_id
            ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": low, "ToPort": high,
                 **({"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ":" in cidr else {"IpRanges": [{"CidrIp": cidr}]})}
                for low, high, cidr in group.ingress])

    def _instances(self, region: str) -> list[str]:
        """Creates the region's instances, all running; returns those the company has stopped."""
        ec2 = self.client("ec2", region)
        stop = []
        for inst in (i for i in self.company.instances if i.region == region):
            groups = [self.ids.security_groups[f"{region}/{name}"] for name in inst.security_groups]
            tags = [{"Key": key, "Value": value} for key, value in inst.tags.items()]
            created = ec2.run_instances(
                ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=inst.instance_type,
                Placement={"AvailabilityZone": f"{region}a"},
                TagSpecifications=[{"ResourceType": "instance", "Tags": tags}],
                BlockDeviceMappings=[{"DeviceName": "/dev/sda1", "Ebs": {
                    "VolumeSize": ROOT_VOLUME_GB, "Encrypted": True, "DeleteOnTermination": True}}],
                **({"SecurityGroupIds": groups} if groups else {}))["Instances"][0]
            self.ids.instances[inst.name] = created["InstanceId"]
            roots = [m["Ebs"]["VolumeId"] for m in created.get("BlockDeviceMappings", []) if "Ebs" in m]
            if roots:
                self.ids.root_volumes[inst.name] = roots[0]
            if inst.state == "stopped":
                stop.append(created["InstanceId"])
        return stop

    def _volumes(self, region: str) -> None:
        ec2 = self.client("ec2", region)
        for vol in (v for v in self.company.volumes if v.region == region):
            tags = [{"Key": key, "Value": value} for key, value in vol.tags.items()]
            created = ec2.create_volume(AvailabilityZone=f"{region}a", Size=vol.size_gb, VolumeType=vol.volume_type,
                                        Encrypted=vol.encrypted,
                                        TagSpecifications=[{"ResourceType": "volume", "Tags": tags}])
            self.ids.volumes[vol.name] = created["VolumeId"]
            if vol.attached_to:
                ec2.attach_volume(VolumeId=created["VolumeId"], InstanceId=self.ids.instances[vol.attached_to],
                                  Device="/dev/sdf")

    def _snapshots(self, region: str) -> None:
        ec2 = self.client("ec2", region)
        for snap in (s for s in self.company.snapshots if s.region == region):
            tags = [{"Key": "Name", "Value": snap.name}, {"Key": "service", "Value": snap.service}]
            created = ec2.create_snapshot(VolumeId=self.ids.volumes[snap.volume], Description=snap.name,
                                          TagSpecifications=[{"ResourceType": "snapshot", "Tags": tags}])
            self.ids.snapshots[snap.name] = created["SnapshotId"]
            self._age_snapshot(region, created["SnapshotId"], snap.age_days)

    def _age_snapshot(self, region: str, snapshot_id: str, age_days: int) -> None:
        """Backdate a snapshot on moto's backend (no AWS API sets a snapshot's StartTime)."""
        from moto.ec2.models import ec2_backends

        moto_time = (self.now - timedelta(days=age_days)).replace(tzinfo=None)  # moto keeps naive UTC
        ec2_backends[ACCOUNT_ID][region].snapshots[snapshot_id].start_time = moto_time

    def _cpu_metrics(self, region: str) -> None:
        """One CPUUtilization datapoint a day for the last 14 days per running instance, at the
        instance's average (CloudWatch accepts datapoints up to two weeks old)."""
        cloudwatch = self.client("cloudwatch", region)
        for inst in (i for i in self.company.instances if i.region == region and i.state == "running"):
            dimensions = [{"Name": "InstanceId", "Value": self.ids.instances[inst.name]}]
            cloudwatch.put_metric_data(Namespace="AWS/EC2", MetricData=[
                {"MetricName": "CPUUtilization", "Dimensions": dimensions, "Unit": "Percent",
                 "Timestamp": self.now - timedelta(days=day, hours=1), "Value": inst.cpu_percent}
                for day in range(14)])

    def _elastic_ips(self, region: str) -> None:
        ec2 = self.client("ec2", region)
        for eip in (e for e in self.company.elastic_ips if e.region == region):
            tags = [{"Key": "Name", "Value": eip.name}, {"Key": "service", "Value": eip.service}]
            created = ec2.allocate_address(Domain="vpc", TagSpecifications=[
                {"ResourceType": "elastic-ip", "Tags": tags}])
            self.ids.elastic_ips[eip.name] = created["AllocationId"]
            if eip.attached_to:
                ec2.associate_address(AllocationId=created["AllocationId"],
                                      InstanceId=self.ids.instances[eip.attached_to])

    # ------------------------------------------------------------------ S3, RDS, Lambda

    def _buckets(self) -> None:
        for bucket in self.company.buckets:
            s3 = self.client("s3", bucket.region)
            extra = {} if bucket.region == "us-east-1" else {
                "CreateBucketConfiguration": {"LocationConstraint": bucket.region}}
            s3.create_bucket(Bucket=bucket.name, **extra)
            s3.put_bucket_tagging(Bucket=bucket.name, Tagging={"TagSet": [
                {"Key": key, "Value": value} for key, value in bucket.tags.items()]})
            if bucket.encrypted:
                s3.put_bucket_encryption(Bucket=bucket.name, ServerSideEncryptionConfiguration={"Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
            block = bucket.block_public_access
            s3.put_public_access_block(Bucket=bucket.name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": block, "IgnorePublicAcls": block, "BlockPublicPolicy": block,
                "RestrictPublicBuckets": block})
            if bucket.public_acl:
                s3.put_bucket_acl(Bucket=bucket.name, ACL="public-read")
            if bucket.public_policy:
                s3.put_bucket_policy(Bucket=bucket.name, Policy=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                                   "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket.name}/*"}]}))
            self.ids.arns[bucket.name] = f"arn:aws:s3:::{bucket.name}"

    def _databases(self, region: str) -> None:
        rds = self.client("rds", region)
        for db in (d for d in self.company.databases if d.region == region):
            groups = [self.ids.security_groups[f"{region}/{name}"] for name in db.security_groups]
            created = rds.create_db_instance(
                DBInstanceIdentifier=db.identifier, Engine=db.engine, DBInstanceClass=db.instance_class,
                AllocatedStorage=db.storage_gb, MasterUsername="driftwood", MasterUserPassword=DB_PASSWORD,
                StorageEncrypted=db.encrypted,
                Tags=[{"Key": key, "Value": value} for key, value in db.tags.items()],
                **({"VpcSecurityGroupIds": groups} if groups else {}))["DBInstance"]
            self.ids.arns[db.identifier] = created["DBInstanceArn"]

    def _functions(self) -> None:
        iam = self.client("iam")
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = iam.create_role(RoleName=LAMBDA_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
        for fn in self.company.functions:
            created = self.client("lambda", fn.region).create_function(
                FunctionName=fn.name, Runtime=fn.runtime, Role=role["Role"]["Arn"], Handler="handler.handler",
                Code={"ZipFile": code.getvalue()}, Tags=fn.tags, Timeout=30)
            self.ids.arns[fn.name] = created["FunctionArn"]

    # ------------------------------------------------------------------ ECS, EKS, load balancers

    def _ecs_services(self, region: str) -> None:
        """Services at their desired count; running/pending counts and event messages are set on
        moto's backend (no API sets them: a real cluster's scheduler does)."""
        from moto.ecs.models import ecs_backends

        ecs = self.client("ecs", region)
        services = [s for s in self.company.ecs_services if s.region == region]
        for cluster in sorted({s.cluster for s in services}):
            ecs.create_cluster(clusterName=cluster)
        for svc in services:
            family = f"{svc.name}-task"
            ecs.register_task_definition(family=family, containerDefinitions=[
                {"name": svc.name, "image": f"driftwood/{svc.name}:latest", "memory": 512}])
            created = ecs.create_service(
                cluster=svc.cluster, serviceName=svc.name, taskDefinition=family, desiredCount=svc.desired,
                tags=[{"key": key, "value": value} for key, value in svc.tags.items()])["service"]
            self.ids.arns[svc.name] = created["serviceArn"]
            backend = ecs_backends[ACCOUNT_ID][region].services[f"{svc.cluster}:{svc.name}"]
            backend.running_count, backend.pending_count = svc.running, svc.pending
            backend.events = [{"id": f"{svc.name}-{n}", "createdAt": self.now - timedelta(minutes=10 * (n + 1)),
                               "message": message} for n, message in enumerate(svc.events)]

    def _eks_clusters(self, region: str) -> None:
        eks = self.client("eks", region)
        for cluster in (c for c in self.company.eks_clusters if c.region == region):
            created = eks.create_cluster(
                name=cluster.name, version=cluster.version, roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/eks-cluster",
                resourcesVpcConfig={"subnetIds": self._default_subnets(region)}, tags=cluster.tags)["cluster"]
            self.ids.arns[cluster.name] = created["arn"]

    def _default_subnets(self, region: str) -> list[str]:
        subnets = self.client("ec2", region).describe_subnets(
            Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
        return [s["SubnetId"] for s in sorted(subnets, key=lambda s: s["AvailabilityZone"])][:2]

    def _load_balancers(self, region: str) -> None:
        elb = self.client("elbv2", region)
        for balancer in (b for b in self.company.load_balancers if b.region == region):
            tags = [{"Key": key, "Value": value} for key, value in balancer.tags.items()]
            subnets = self._default_subnets(region)
            created = elb.create_load_balancer(Name=balancer.name, Subnets=subnets, Type="application",
                                               Scheme="internet-facing", Tags=tags)["LoadBalancers"][0]
            group = elb.create_target_group(Name=balancer.target_group, Protocol="HTTP", Port=balancer.port,
                                            VpcId=created["VpcId"], TargetType="instance",
                                            Tags=tags)["TargetGroups"][0]
            elb.create_listener(LoadBalancerArn=created["LoadBalancerArn"], Protocol="HTTP", Port=balancer.port,
                                DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
            elb.register_targets(TargetGroupArn=group["TargetGroupArn"], Targets=[
                {"Id": self.ids.instances[name], "Port": balancer.port} for name in balancer.targets])
            self.ids.arns[balancer.name] = created["LoadBalancerArn"]
            self.ids.arns[balancer.target_group] = group["TargetGroupArn"]

    # ------------------------------------------------------------------ IAM

    def _iam(self) -> None:
        iam = self.client("iam")
        if any(user.admin for user in self.company.iam_users):
            _load_managed_policy("AdministratorAccess")
        for user in self.company.iam_users:
            self.ids.arns[user.name] = iam.create_user(UserName=user.name)["User"]["Arn"]
            if user.console:
                iam.create_login_profile(UserName=user.name, Password="Sandbox-only-1!")
            if user.mfa:
                device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user.name)["VirtualMFADevice"]
                iam.enable_mfa_device(UserName=user.name, SerialNumber=device["SerialNumber"],
                                      AuthenticationCode1="123456", AuthenticationCode2="654321")
            if user.admin:
                iam.attach_user_policy(UserName=user.name, PolicyArn=ADMIN_POLICY)
            keys = [iam.create_access_key(UserName=user.name)["AccessKey"]["AccessKeyId"]
                    for _ in user.key_ages_days]
            self.ids.access_keys[user.name] = keys
            self._age_keys(user.name, keys, user.key_ages_days, user.keys_used)
        for policy in self.company.iam_policies:
            document = {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": list(actions), "Resource": list(resources)}
                for actions, resources in policy.statements]}
            arn = iam.create_policy(PolicyName=policy.name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]
            self.ids.arns[policy.name] = arn
            for user_name in policy.attached_to:
                iam.attach_user_policy(UserName=user_name, PolicyArn=arn)
        if self.company.root_access_keys:  # no API creates root keys; the account summary reports them
            from moto.iam.models import iam_backends

            iam_backends[ACCOUNT_ID][PARTITION].account_summary._account_access_keys_present = 1

    def _roles(self) -> None:
        """The company's roles, and every role's age and last use (the Lambda role's too)."""
        from moto.iam.models import iam_backends

        iam = self.client("iam")
        for planned in self.company.iam_roles:
            trust = {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": {"Service": planned.service}, "Action": "sts:AssumeRole"}]}
            self.ids.arns[planned.name] = iam.create_role(
                RoleName=planned.name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        backend = iam_backends[ACCOUNT_ID][PARTITION]
        ages = {r.name: (r.age_days, r.last_used_days) for r in self.company.iam_roles}
        ages[LAMBDA_ROLE] = (LAMBDA_ROLE_AGE_DAYS, 0)
        for role in backend.roles.values():
            if role.name in ages:
                age, used = ages[role.name]
                role.create_date = self.now - timedelta(days=age)
                role.last_used = None if used is None else self.now - timedelta(days=used, hours=1)

    def _trails(self, region: str) -> None:
        trail_api = self.client("cloudtrail", region)
        for trail in (t for t in self.company.trails if t.region == region):
            self.ids.arns[trail.name] = trail_api.create_trail(Name=trail.name, S3BucketName=trail.bucket,
                                                                IsMultiRegionTrail=False)["TrailARN"]
            if trail.logging:
                trail_api.start_logging(Name=trail.name)

    def _age_keys(self, user: str, keys: list[str], ages: tuple[int, ...], used: bool) -> None:
        """Backdate keys on moto's backend (no AWS API can set a key's creation date)."""
        from moto.iam.models import AccessKeyLastUsed, iam_backends

        backend = iam_backends[ACCOUNT_ID][PARTITION]
        by_id = {key.access_key_id: key for key in backend.get_user(user).access_keys}
        for key_id, age in zip(keys, ages, strict=True):
            key = by_id[key_id]
            key.create_date = self.now - timedelta(days=age)
            if used:
                key.last_used = AccessKeyLastUsed(self.now - timedelta(hours=3), "s3", "us-east-1")

    # ------------------------------------------------------------------ logs, Security Hub

    def _log_groups(self, region: str) -> None:
        logs = self.client("logs", region)
        for group in (g for g in self.company.log_groups if g.region == region):
            self._log_group(logs, group)

    def _log_group(self, logs: Any, group: LogGroup) -> None:
        logs.create_log_group(logGroupName=group.name, tags={"service": group.service})
        streams: dict[str, list[dict[str, Any]]] = {}
        for line in group.lines:
            stamp = int((self.now - timedelta(minutes=line.minutes_ago)).timestamp() * 1000)
            streams.setdefault(line.stream, []).append({"timestamp": stamp, "message": line.message})
        for stream, events in streams.items():
            logs.create_log_stream(logGroupName=group.name, logStreamName=stream)
            logs.put_log_events(logGroupName=group.name, logStreamName=stream,
                                logEvents=sorted(events, key=lambda event: event["timestamp"]))

    def _hub_findings(self, region: str) -> None:
        hub = self.client("securityhub", region)
        hub.enable_security_hub(EnableDefaultStandards=False)
        findings = [self._finding(f) for f in self.company.hub_findings if f.region == region]
        if findings:
            hub.batch_import_findings(Findings=findings)

    def _guardduty(self, region: str) -> None:
        """A detector where the company has findings or runs GuardDuty (suspended unless
        enabled there); moto keeps detectors, the GuardDuty stand-in serves their findings."""
        enabled = region in self.company.guardduty_enabled
        if enabled or any(f.region == region for f in self.company.guardduty_findings):
            self.client("guardduty", region).create_detector(Enable=enabled)

    def _finding(self, finding: HubFinding) -> dict[str, Any]:
        kind, name = finding.resource
        resource_type = {"bucket": "AwsS3Bucket", "security_group": "AwsEc2SecurityGroup",
                         "instance": "AwsEc2Instance", "iam_user": "AwsIamUser", "db": "AwsRdsDbInstance"}[kind]
        stamp = (self.now - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return {
            "SchemaVersion": "2018-10-08", "Id": finding.id,
            "ProductArn": f"arn:aws:securityhub:{finding.region}::product/aws/securityhub",
            "GeneratorId": finding.generator, "AwsAccountId": ACCOUNT_ID,
            "Types": ["Software and Configuration Checks/Industry and Regulatory Standards"],
            "CreatedAt": stamp, "UpdatedAt": stamp, "Severity": {"Label": finding.severity},
            "Title": finding.title, "Description": finding.title, "Region": finding.region,
            "Resources": [{"Type": resource_type, "Id": self.ids.resolve(kind, name), "Region": finding.region}],
            "RecordState": "ACTIVE", "Workflow": {"Status": "NEW"},
        }


@functools.lru_cache(maxsize=1)
def _seeding_session() -> boto3.session.Session:
    """One session for every seed: its loader keeps the parsed service models, which are
    most of the cost of building a client (re-seeding then takes about a second)."""
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name="us-east-1")


@functools.lru_cache(maxsize=8)
def _managed_policy_data(name: str) -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return dict(json.loads(aws_managed_policies_data)[name])


def _load_managed_policy(name: str) -> None:
    """Make one AWS-managed policy attachable (moto skips loading them unless told by env)."""
    from moto.iam.models import AWSManagedPolicy, iam_backends

    backend = iam_backends[ACCOUNT_ID][PARTITION]
    data = _managed_policy_data(name)
    policy = AWSManagedPolicy.from_data(name, ACCOUNT_ID, PARTITION, data)
    backend.managed_policies.setdefault(policy.arn, policy)


def seed_company(endpoint: str, company: Company) -> SeededIds:
    """Reset the moto server at ``endpoint`` and build ``company`` in it."""
    return AwsSeeder(endpoint, company).seed()
