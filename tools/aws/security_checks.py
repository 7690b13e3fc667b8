"""The checks behind ``guardian scan security`` that read one region or the account's IAM:
unencrypted EBS volumes, snapshots and databases, world-open security groups (marked unused
when nothing uses them), admin policies, root keys, unused roles, CloudTrail not logging,
and the findings Security Hub and GuardDuty already hold. Each returns ``Finding``s whose
detail ends with a fix hint, so one JSON line says what is wrong and what to do."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

from tools.aws.common import GLOBAL_REGION, client
from tools.aws.security import Finding, Severity, _hub_findings, sg_rows
from tools.base import ToolContext

ROLE_UNUSED_DAYS = 90
FIX = {
    "unencrypted_volume": "snapshot it, copy the snapshot with encryption, and replace the volume; turn on EBS "
                          "encryption by default",
    "unencrypted_snapshot": "copy it with --encrypted and delete the plain copy",
    "unencrypted_database": "restore an encrypted copy from a snapshot (RDS cannot encrypt in place) and switch over",
    "open_security_group": "limit the rule to known CIDRs or a load balancer's group",
    "open_security_group_unused": "delete the group (nothing uses it) or limit the rule to known CIDRs",
    "iam_admin_policy": "replace it with a policy scoped to the actions and resources needed",
    "iam_root_access_keys": "delete the root user's access keys and use IAM roles",
    "iam_unused_role": "delete the role if nothing needs it",
    "cloudtrail_not_logging": "create a trail (or a multi-region trail) and start logging",
}


def with_fix(detail: str, check: str) -> str:
    """``detail; fix: hint`` (the contract's line has no field of its own for the hint)."""
    return f"{detail}; fix: {FIX[check]}"


def _name(tags: list[dict[str, str]] | None) -> str:
    return next((t["Value"] for t in tags or [] if t.get("Key") == "Name"), "")


def _named(resource_id: str, tags: list[dict[str, str]] | None) -> str:
    name = _name(tags)
    return f"{name} ({resource_id})" if name else resource_id


# --------------------------------------------------------------------------- encryption


def unencrypted_volumes(ctx: ToolContext, region: str) -> list[Finding]:
    """EBS volumes stored without encryption."""
    ec2 = client(ctx, "ec2", region)
    found = []
    for page in ec2.get_paginator("describe_volumes").paginate():
        for vol in page["Volumes"]:
            if vol.get("Encrypted"):
                continue
            where = ", ".join(a["InstanceId"] for a in vol.get("Attachments", [])) or "unattached"
            found.append(Finding(check="unencrypted_volume", severity="medium", region=region,
                                 resource=vol["VolumeId"], detail=with_fix(
                                     f"{_named(vol['VolumeId'], vol.get('Tags'))}, {vol.get('Size')} GiB, {where}, "
                                     "is not encrypted", "unencrypted_volume")))
    return found


def unencrypted_snapshots(ctx: ToolContext, region: str) -> list[Finding]:
    """The account's own EBS snapshots stored without encryption. The owner is also filtered
    by id (not only ``self``): some endpoints ignore ``OwnerIds`` and list public AMIs' snapshots."""
    ec2 = client(ctx, "ec2", region)
    account = client(ctx, "sts", region).get_caller_identity()["Account"]
    found = []
    pages = ec2.get_paginator("describe_snapshots").paginate(
        OwnerIds=["self"], Filters=[{"Name": "owner-id", "Values": [account]}])
    for page in pages:
        for snap in page["Snapshots"]:
            if snap.get("Encrypted") or snap.get("OwnerId", account) != account:
                continue
            found.append(Finding(check="unencrypted_snapshot", severity="medium", region=region,
                                 resource=snap["SnapshotId"], detail=with_fix(
                                     f"{_named(snap['SnapshotId'], snap.get('Tags'))} of {snap.get('VolumeId', '?')} "
                                     "is not encrypted", "unencrypted_snapshot")))
    return found


def unencrypted_databases(ctx: ToolContext, region: str) -> list[Finding]:
    """RDS instances whose storage is not encrypted."""
    rds = client(ctx, "rds", region)
    found = []
    for page in rds.get_paginator("describe_db_instances").paginate():
        for db in page["DBInstances"]:
            if db.get("StorageEncrypted"):
                continue
            found.append(Finding(check="unencrypted_database", severity="high", region=region,
                                 resource=db["DBInstanceIdentifier"], detail=with_fix(
                                     f"{db.get('Engine', 'database')} storage is not encrypted",
                                     "unencrypted_database")))
    return found


# --------------------------------------------------------------------------- security groups


def groups_in_use(ctx: ToolContext, region: str) -> set[str]:
    """Group ids something uses: a network interface (instances, load balancers, Lambda in a
    VPC) or an RDS instance (which some endpoints show without an interface)."""
    used: set[str] = set()
    ec2 = client(ctx, "ec2", region)
    for page in ec2.get_paginator("describe_network_interfaces").paginate():
        for eni in page["NetworkInterfaces"]:
            used.update(g["GroupId"] for g in eni.get("Groups", []))
    for page in ec2.get_paginator("describe_instances").paginate():
        for reservation in page["Reservations"]:
            for inst in reservation["Instances"]:
                used.update(g["GroupId"] for g in inst.get("SecurityGroups", []))
    for page in client(ctx, "rds", region).get_paginator("describe_db_instances").paginate():
        for db in page["DBInstances"]:
            used.update(g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", []))
    return used


def open_groups(ctx: ToolContext, region: str) -> list[Finding]:
    """One finding per rule open to 0.0.0.0/0 or ::/0; a group nothing uses is still
    reported, marked unused (an unused open group is one attachment away from exposure)."""
    rows = sg_rows(ctx, region)
    used = groups_in_use(ctx, region) if rows else set()
    found = []
    for row in rows:
        unused = row["group_id"] not in used
        # the rule first: it is what the exposure alerts key on (agents/exposures.py)
        detail = (f"{row['protocol']} port {row['ports']} open to {row['cidr']}"
                  f"{'; group ' + row['name'] if row['name'] else ''}"
                  f"{'; unused: attached to nothing' if unused else ''}")
        found.append(Finding(check="open_security_group", severity=row["severity"], region=region,
                             resource=row["group_id"], detail=with_fix(
                                 detail, "open_security_group_unused" if unused else "open_security_group")))
    return found


# --------------------------------------------------------------------------- CloudTrail


def cloudtrail_off(ctx: ToolContext, region: str) -> list[Finding]:
    """The region, when no trail that covers it (its own or a multi-region one) is logging."""
    trails = client(ctx, "cloudtrail", region).describe_trails(includeShadowTrails=True).get("trailList", [])
    stopped = []
    for trail in trails:
        home = trail.get("HomeRegion", region)
        if home != region and not trail.get("IsMultiRegionTrail"):
            continue
        status = client(ctx, "cloudtrail", home).get_trail_status(Name=trail.get("TrailARN") or trail["Name"])
        if status.get("IsLogging"):
            return []
        stopped.append(trail["Name"])
    why = f"trail {', '.join(stopped)} is not logging" if stopped else "no trail covers it"
    return [Finding(check="cloudtrail_not_logging", severity="high", region=region, resource=region,
                    detail=with_fix(f"CloudTrail records nothing in {region}: {why}", "cloudtrail_not_logging"))]


# --------------------------------------------------------------------------- Security Hub, GuardDuty


def _hub_severity(label: str) -> Severity:
    label = label.lower()
    return label if label in ("critical", "high", "medium") else "low"  # type: ignore[return-value]


def hub_findings(ctx: ToolContext, region: str) -> list[Finding]:
    """Active Security Hub findings, when Security Hub is enabled in the region."""
    rows = _hub_findings(ctx, region, 100) or []
    return [Finding(check="securityhub_finding", severity=_hub_severity(row["severity"]), region=row["region"],
                    resource=row["resource"], detail=f"{row['title']}; fix: see the Security Hub finding's "
                    "remediation") for row in rows if row["severity"] != "informational"]


def _gd_severity(score: float) -> Severity:
    return "high" if score >= 7 else "medium" if score >= 4 else "low"


def guardduty_findings(ctx: ToolContext, region: str) -> list[Finding]:
    """Unarchived GuardDuty findings of each enabled detector (none when GuardDuty is off)."""
    gd = client(ctx, "guardduty", region)
    found = []
    for detector in gd.list_detectors().get("DetectorIds", []):
        if gd.get_detector(DetectorId=detector).get("Status") != "ENABLED":
            continue
        criteria = {"Criterion": {"service.archived": {"Eq": ["false"]}}}
        ids = gd.list_findings(DetectorId=detector, FindingCriteria=criteria, MaxResults=50).get("FindingIds", [])
        for item in gd.get_findings(DetectorId=detector, FindingIds=ids).get("Findings", []) if ids else []:
            resource = item.get("Resource", {})
            target = (resource.get("InstanceDetails", {}).get("InstanceId")
                      or resource.get("AccessKeyDetails", {}).get("AccessKeyId")
                      or resource.get("S3BucketDetails", [{}])[0].get("Name") or item.get("Id", ""))
            found.append(Finding(check="guardduty_finding", severity=_gd_severity(float(item.get("Severity", 0))),
                                 region=region, resource=target,
                                 detail=f"{item.get('Type', '')}: {item.get('Title', '')}; fix: investigate, then "
                                        "archive the finding or contain the resource"))
    return found


def guardduty_archived_count(ctx: ToolContext, region: str) -> int:
    """How many findings the region's enabled detectors hold archived (left out of the active list)."""
    gd = client(ctx, "guardduty", region)
    criteria = {"Criterion": {"service.archived": {"Eq": ["true"]}}}
    return sum(len(gd.list_findings(DetectorId=detector, FindingCriteria=criteria, MaxResults=50).get("FindingIds", []))
               for detector in gd.list_detectors().get("DetectorIds", [])
               if gd.get_detector(DetectorId=detector).get("Status") == "ENABLED")


# --------------------------------------------------------------------------- IAM (account-wide)


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    statements = document.get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def allows_everything(document: Any) -> bool:
    """Some Allow statement grants action ``*`` on resource ``*``."""
    return any(s.get("Effect") == "Allow" and "*" in _as_list(s.get("Action", []))
               and "*" in _as_list(s.get("Resource", [])) for s in _statements(document))


def admin_policies(ctx: ToolContext) -> list[Finding]:
    """Customer-managed policies (attached or not) and attached AWS-managed ones allowing * on *."""
    iam = client(ctx, "iam", GLOBAL_REGION)
    found = []
    for scope, only_attached in (("Local", False), ("AWS", True)):
        pages = iam.get_paginator("list_policies").paginate(Scope=scope, OnlyAttached=only_attached)
        for policy in (p for page in pages for p in page["Policies"]):
            version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
            if not allows_everything(version["PolicyVersion"]["Document"]):
                continue
            kind = "customer-managed" if scope == "Local" else "AWS-managed"
            found.append(Finding(check="iam_admin_policy", severity="high" if scope == "Local" else "medium",
                                 region="global", resource=policy["PolicyName"], detail=with_fix(
                                     f"{kind} policy allows * on *, attached to "
                                     f"{policy.get('AttachmentCount', 0)} identities", "iam_admin_policy")))
    return found


def root_keys(ctx: ToolContext) -> list[Finding]:
    """The root user has access keys (the account summary says so)."""
    summary = client(ctx, "iam", GLOBAL_REGION).get_account_summary()["SummaryMap"]
    if not summary.get("AccountAccessKeysPresent"):
        return []
    return [Finding(check="iam_root_access_keys", severity="critical", region="global", resource="root",
                    detail=with_fix("the root user has access keys", "iam_root_access_keys"))]


def unused_roles(ctx: ToolContext, now: datetime | None = None) -> list[Finding]:
    """Roles older than ``ROLE_UNUSED_DAYS`` not used within them (service-linked roles skipped)."""
    iam = client(ctx, "iam", GLOBAL_REGION)
    cutoff = (now or datetime.now(UTC)) - timedelta(days=ROLE_UNUSED_DAYS)
    found = []
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if role.get("Path", "/").startswith("/aws-service-role/") or _aware(role["CreateDate"]) > cutoff:
                continue
            last = iam.get_role(RoleName=role["RoleName"])["Role"].get("RoleLastUsed", {}).get("LastUsedDate")
            if last is not None and _aware(last) > cutoff:
                continue
            when = f"last used {last:%Y-%m-%d}" if last else "never used"
            found.append(Finding(check="iam_unused_role", severity="low", region="global", resource=role["RoleName"],
                                 detail=with_fix(f"created {role['CreateDate']:%Y-%m-%d}, {when}",
                                                 "iam_unused_role")))
    return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
