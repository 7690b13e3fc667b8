"""Security tools: public buckets, world-open security groups, IAM hygiene, Security Hub
findings, and the full scan (with the checks of ``security_checks``) behind the posture
score and ``guardian scan security``."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Literal

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.aws.common import (
    GLOBAL_REGION,
    client,
    iso,
    join_names,
    region_matches,
    regions_for,
    run_session,
    tag_map,
)
from tools.aws.errors import aws_errors, error_code
from tools.aws.inventory import bucket_region, instances, list_buckets
from tools.aws.regions import MAX_REGION_WORKERS, RegionScan, region_reason, scan_regions
from tools.base import CAVEAT, ToolContext, ToolResult, ToolSpec
from tools.wording import agreeing, counted

log = logging.getLogger(__name__)
Severity = Literal["critical", "high", "medium", "low"]
PUBLIC_GROUPS = {"http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers"}
SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 3306: "MySQL", 5432: "PostgreSQL", 6379: "Redis",
                   27017: "MongoDB", 9200: "Elasticsearch"}
WEB_PORTS = {80, 443}
WORLD = ("0.0.0.0/0", "::/0")
KEY_MAX_AGE_DAYS = 90
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "informational": 4}
SEVERITY_WEIGHT = {"critical": 15, "high": 10, "medium": 4, "low": 1}


class Finding(BaseModel):
    """One problem a check found; the same shape for every cloud."""

    check: str
    severity: Severity
    cloud: str = "aws"
    region: str
    resource: str
    detail: str


def _missing(exc: ClientError, *codes: str) -> bool:
    return error_code(exc) in codes


# --------------------------------------------------------------------------- public buckets


def _access_block(s3: Any, bucket: str) -> dict[str, bool]:
    try:
        return dict(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"])
    except ClientError as exc:
        if _missing(exc, "NoSuchPublicAccessBlockConfiguration"):
            return {}
        raise


def _acl_reasons(s3: Any, bucket: str) -> list[str]:
    grants = s3.get_bucket_acl(Bucket=bucket).get("Grants", [])
    return [f"ACL grants {g.get('Permission')} to {PUBLIC_GROUPS[g['Grantee']['URI']]}"
            for g in grants if g.get("Grantee", {}).get("URI") in PUBLIC_GROUPS]


def _principal_is_public(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def _policy_reasons(s3: Any, bucket: str) -> list[str]:
    try:
        text = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    except ClientError as exc:
        if _missing(exc, "NoSuchBucketPolicy"):
            return []
        raise
    statements = json.loads(text).get("Statement", [])
    statements = statements if isinstance(statements, list) else [statements]
    reasons = []
    for stmt in statements:
        if stmt.get("Effect") == "Allow" and _principal_is_public(stmt.get("Principal")) and not stmt.get("Condition"):
            actions = stmt.get("Action", [])
            reasons.append(f"policy allows {', '.join(actions) if isinstance(actions, list) else actions} to *")
    return reasons


def _encrypted(s3: Any, bucket: str) -> bool:
    try:
        s3.get_bucket_encryption(Bucket=bucket)
        return True
    except ClientError as exc:
        if _missing(exc, "ServerSideEncryptionConfigurationNotFoundError"):
            return False
        raise


def _block_state(block: dict[str, bool]) -> str:
    if not block:
        return "none"
    on = [key for key, value in block.items() if value]
    return "all on" if len(on) == 4 else (", ".join(on) + " on" if on else "all off")


def _bucket_row(ctx: ToolContext, name: str, region: str | None) -> dict[str, Any] | None:
    """The bucket's row when it is public or unencrypted, {} when fine, None when out of scope."""
    where = bucket_region(ctx, name)
    if not region_matches(where, region):
        return None
    s3 = client(ctx, "s3", where)
    block = _access_block(s3, name)
    acl = [] if block.get("BlockPublicAcls") or block.get("IgnorePublicAcls") else _acl_reasons(s3, name)
    policy = [] if block.get("RestrictPublicBuckets") else _policy_reasons(s3, name)
    encrypted = _encrypted(s3, name)
    if not (acl or policy or not encrypted):
        return {}
    return {"bucket": name, "region": where, "public": bool(acl or policy), "why": "; ".join(acl + policy),
            "public_access_block": _block_state(block), "encrypted": encrypted}


def bucket_rows(ctx: ToolContext, region: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """Rows for buckets that are public or lack default encryption, and how many were checked
    (a few buckets at a time: each costs five round trips)."""
    names = list_buckets(ctx)
    run_session(ctx)
    with ThreadPoolExecutor(max_workers=MAX_REGION_WORKERS, thread_name_prefix="aws-s3") as pool:
        futures = [pool.submit(contextvars.copy_context().run, _bucket_row, ctx, name, region) for name in names]
        rows = [future.result() for future in futures]
    return [row for row in rows if row], sum(1 for row in rows if row is not None)


class PublicBucketsArgs(BaseModel):
    region: str | None = None
    bucket: str | None = Field(default=None, description="Only this bucket.")


def _named_buckets(names: list[str], asked: str) -> list[str]:
    """The buckets ``asked`` names: that bucket, else those whose name holds it as a word or
    as words in a row ("receipts", "payments-receipts" -> driftwood-payments-receipts); none
    when it is no part of any name."""
    if asked in names:
        return [asked]
    wanted = [word for word in re.split(r"[-._]", asked) if word]

    def holds(name: str, run: list[str]) -> bool:
        words = re.split(r"[-._]", name)
        return bool(run) and any(words[at:at + len(run)] == run for at in range(len(words)))

    found = [name for name in names if holds(name, wanted)]
    if found or len(wanted) < 2:
        return found
    # "checkout static assets": words at either end that are in no name at all ("assets") are
    # the asker's, not the name's; the rest must still be in a name in a row
    known = {word for name in names for word in re.split(r"[-._]", name)}
    while wanted and wanted[0] not in known:
        wanted.pop(0)
    while wanted and wanted[-1] not in known:
        wanted.pop()
    return [name for name in names if holds(name, wanted)]


@aws_errors("s3")
def public_buckets(ctx: ToolContext, args: PublicBucketsArgs) -> ToolResult:
    rows, checked = bucket_rows(ctx, args.region)
    lead = ""
    named: list[str] = []
    if args.bucket:
        named = _named_buckets(list_buckets(ctx), args.bucket)
        if named:
            rows = [row for row in rows if row["bucket"] in named]
            if not rows:
                return ToolResult.no_data(f"{join_names(named)} {agreeing(len(named), 'are')} neither public nor "
                                          f"missing default encryption ({checked} buckets checked).")
        else:  # "the static assets bucket": words, not a bucket's name; every bucket answers
            lead = f"No bucket is named {args.bucket!r}; of all buckets: "
    public = [row["bucket"] for row in rows if row["public"]]
    plain = [row["bucket"] for row in rows if not row["encrypted"]]
    if not rows:
        return ToolResult.no_data(f"{lead}None of {checked} buckets is public or missing default encryption.")
    summary = f"{lead}{len(public)} of {checked} buckets {agreeing(len(public), 'are public')}"
    summary += f": {join_names(public)}" if public else ""
    if plain:
        summary += f"; {len(plain)} {agreeing(len(plain), 'have no default encryption')}: {join_names(plain)}"
    summary += "."
    return ToolResult(status="ok", summary=summary,
                      columns=["bucket", "region", "public", "why", "public_access_block", "encrypted"], rows=rows,
                      facts={"buckets_checked": checked, "public": len(public), "unencrypted": len(plain),
                             **({"named": named} if args.bucket and named else {})},
                      resources=[row["bucket"] for row in rows])


# --------------------------------------------------------------------------- open security groups


def _port_label(perm: dict[str, Any]) -> tuple[str, int | None, int | None]:
    proto = str(perm.get("IpProtocol", "-1"))
    low, high = perm.get("FromPort"), perm.get("ToPort")
    if proto == "-1" or low is None or (low in (0, -1) and high in (65535, -1)):
        return "all", None, None
    top = low if high is None else high
    return (str(low) if low == top else f"{low}-{top}"), int(low), int(top)


def _severity(low: int | None, high: int | None) -> Severity:
    if low is None or high is None:
        return "high"
    if any(low <= port <= high for port in SENSITIVE_PORTS):
        return "high"
    if low == high and low in WEB_PORTS:
        return "low"
    return "medium"


def sg_rows(ctx: ToolContext, region: str, port: int | None = None) -> list[dict[str, Any]]:
    """Ingress rules open to the internet in one region, with the instances using each group."""
    ec2 = client(ctx, "ec2", region)
    rows = []
    for page in ec2.get_paginator("describe_security_groups").paginate():
        for sg in page["SecurityGroups"]:
            for perm in sg.get("IpPermissions", []):
                cidrs = [r["CidrIp"] for r in perm.get("IpRanges", []) if r.get("CidrIp") in WORLD]
                cidrs += [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", []) if r.get("CidrIpv6") in WORLD]
                if not cidrs:
                    continue
                ports, low, high = _port_label(perm)
                if port is not None and low is not None and high is not None and not low <= port <= high:
                    continue
                rows.append({"group_id": sg["GroupId"], "name": sg.get("GroupName", ""), "region": region,
                             "protocol": "all" if perm.get("IpProtocol") == "-1" else perm.get("IpProtocol"),
                             "ports": ports, "cidr": ", ".join(cidrs), "severity": _severity(low, high)})
    users: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["group_id"] not in users:
            attached = [{"Name": "instance.group-id", "Values": [row["group_id"]]}]
            users[row["group_id"]] = instances(ctx, region, attached)
        row["instances"] = ", ".join(i["InstanceId"] for i in users[row["group_id"]])
        # "what's behind that group?": the machines by the names people use (their Name tags)
        row["instance_names"] = ", ".join(name for name in (tag_map(i.get("Tags")).get("Name", "")
                                                            for i in users[row["group_id"]]) if name)
    return rows


class OpenSecurityGroupsArgs(BaseModel):
    region: str | None = None
    port: int | None = Field(default=None, ge=0, le=65535, description="Only rules covering this port.")
    resource_id: str | None = Field(default=None, max_length=200, description="Only groups with this name or id, "
                                    "or attached to this instance (its id or Name tag): \"what is open on bastion-1\".")


def _of_resource(ctx: ToolContext, rows: list[dict[str, Any]], resource: str) -> list[dict[str, Any]]:
    """The rows of groups named ``resource`` or attached to the instance it names."""
    wanted = {resource}
    for region in {row["region"] for row in rows}:
        wanted |= {i["InstanceId"] for i in instances(ctx, region, [{"Name": "tag:Name", "Values": [resource]}])}
    return [row for row in rows if wanted & {row["group_id"], row["name"], *row["instances"].split(", ")}]


def _ingress_sources(sg: dict[str, Any]) -> str:
    """A group's inbound rules as "tcp 1194 from 192.168.0.0/16" (ranges, groups and prefix lists)."""
    said = []
    for perm in sg.get("IpPermissions", []):
        ports, _low, _high = _port_label(perm)
        proto = "all traffic" if perm.get("IpProtocol") == "-1" else f"{perm.get('IpProtocol')} {ports}"
        sources = [r["CidrIp"] for r in perm.get("IpRanges", [])] + [r["CidrIpv6"] for r in perm.get("Ipv6Ranges", [])]
        sources += [str(pair.get("GroupName") or pair.get("GroupId")) for pair in perm.get("UserIdGroupPairs", [])]
        sources += [str(pl.get("PrefixListId")) for pl in perm.get("PrefixListIds", [])]
        if sources:
            said.append(f"{proto} from {', '.join(sources)}")
    return "; ".join(said)


def _named_ingress(ctx: ToolContext, regions: list[str], resource: str) -> str:
    """What the group named ``resource`` (by name or id, or the groups of the instance so named)
    lets in, as a sentence; "" when no group answers to it."""
    said = []
    for region in regions:
        ec2 = client(ctx, "ec2", region)
        ids = {g for inst in instances(ctx, region, [{"Name": "tag:Name", "Values": [resource]}])
               for g in (s["GroupId"] for s in inst.get("SecurityGroups", []))}
        for page in ec2.get_paginator("describe_security_groups").paginate():
            for sg in page["SecurityGroups"]:
                if resource not in (sg["GroupId"], sg.get("GroupName")) and sg["GroupId"] not in ids:
                    continue
                rules = _ingress_sources(sg)
                name = f"{sg.get('GroupName')} ({sg['GroupId']})" if sg.get("GroupName") else sg["GroupId"]
                said.append(f"{name} in {region} allows {rules or 'no inbound traffic'}")
    return f" {'; '.join(said)}." if said else ""


@aws_errors("ec2")
def open_security_groups(ctx: ToolContext, args: OpenSecurityGroupsArgs) -> ToolResult:
    scan = scan_regions(ctx, regions_for(ctx, args.region), lambda region: sg_rows(ctx, region, args.port),
                        services=("ec2",))
    regions = scan.answered
    rows = [row for region_rows in scan.values() for row in region_rows]
    scope = f" for port {args.port}" if args.port is not None else ""
    if args.resource_id and rows:
        rows = _of_resource(ctx, rows, args.resource_id)
    if args.resource_id:
        scope += f" on {args.resource_id}"
    if not rows:
        # "is the vpn group open to the public or office-only?": where the named group does let
        # traffic in from is the answer, beside its not being open to the internet
        allowed = _named_ingress(ctx, regions, args.resource_id) if args.resource_id else ""
        return scan.mark(ToolResult.no_data(f"No security group allows inbound traffic from 0.0.0.0/0 or ::/0"
                                            f"{scope} in {', '.join(regions)}.{allowed}"))
    rows.sort(key=lambda row: SEVERITY_ORDER[row["severity"]])
    groups = list(dict.fromkeys(row["group_id"] for row in rows))
    high = [f"{row['group_id']} port {row['ports']}" for row in rows if row["severity"] == "high"]
    summary = (f"{counted(len(groups), 'security group')} in {', '.join(regions)} "
               f"{'allows' if len(groups) == 1 else 'allow'} inbound traffic from the internet"
               f"{scope} ({counted(len(rows), 'rule')}, {len(high)} high severity"
               f"{': ' + join_names(high) if high else ''}).")
    used = sorted({i for row in rows for i in row["instances"].split(", ") if i})
    return scan.mark(ToolResult(
        status="ok", summary=summary,
        columns=["group_id", "name", "region", "protocol", "ports", "cidr", "severity", "instances",
                 "instance_names"],
        rows=rows, facts={"groups": len(groups), "rules": len(rows), "high": len(high)},
        resources=groups + sorted({row["name"] for row in rows if row["name"]}) + used))


# --------------------------------------------------------------------------- IAM


def _has_console(iam: Any, user: str) -> bool:
    try:
        iam.get_login_profile(UserName=user)
        return True
    except ClientError as exc:
        if _missing(exc, "NoSuchEntity"):
            return False
        raise


def _is_admin(iam: Any, user: str) -> bool:
    policies = [p["PolicyName"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]]
    for group in iam.list_groups_for_user(UserName=user)["Groups"]:
        attached = iam.list_attached_group_policies(GroupName=group["GroupName"])["AttachedPolicies"]
        policies += [p["PolicyName"] for p in attached]
    return "AdministratorAccess" in policies


def _key_rows(iam: Any, user: str, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]:
        key_id, status = key["AccessKeyId"], key["Status"]
        age = (now - key["CreateDate"].astimezone(UTC)).days
        if age > KEY_MAX_AGE_DAYS:
            rows.append({"user": user, "issue": "old access key", "severity": "medium", "key_id": key_id,
                         "detail": f"{key_id} ({status}) is {age} days old"})
        used = iam.get_access_key_last_used(AccessKeyId=key_id).get("AccessKeyLastUsed", {}).get("LastUsedDate")
        if used is None:
            rows.append({"user": user, "issue": "access key never used", "severity": "low", "key_id": key_id,
                         "detail": f"{key_id} ({status}), created {iso(key['CreateDate'])[:10]}, never used"})
    return rows


def iam_rows(ctx: ToolContext) -> tuple[list[dict[str, Any]], int]:
    """IAM issues per user and the number of users checked."""
    iam = client(ctx, "iam", GLOBAL_REGION)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    users = [u["UserName"] for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
    for user in users:
        if _has_console(iam, user) and not iam.list_mfa_devices(UserName=user)["MFADevices"]:
            rows.append({"user": user, "issue": "console access without MFA", "severity": "high", "key_id": "",
                         "detail": "has a console password and no MFA device"})
        rows.extend(_key_rows(iam, user, now))
        if _is_admin(iam, user):
            rows.append({"user": user, "issue": "administrator access", "severity": "medium", "key_id": "",
                         "detail": "AdministratorAccess is attached"})
    return rows, len(users)


class IamFindingsArgs(BaseModel):
    limit: int = Field(default=100, ge=1, le=1000)


def identity_rows(ctx: ToolContext) -> list[dict[str, Any]]:
    """IAM issues beyond users, as rows of the same shape (``kind`` says what the name is):
    customer-managed policies allowing * on * (an admin grant waiting to be attached), roles
    nobody has used in ``ROLE_UNUSED_DAYS`` and root access keys."""
    from tools.aws import security_checks as sc  # it imports this module

    rows = [{"user": f.resource, "kind": "policy", "issue": "policy allows * on *", "severity": f.severity,
             "key_id": "", "detail": f.detail} for f in sc.admin_policies(ctx) if f.detail.startswith("customer")]
    rows += [{"user": f.resource, "kind": "role", "issue": "role unused", "severity": f.severity, "key_id": "",
              "detail": f.detail} for f in sc.unused_roles(ctx)]
    rows += [{"user": f.resource, "kind": "root", "issue": "root access keys", "severity": f.severity,
              "key_id": "", "detail": f.detail} for f in sc.root_keys(ctx)]
    return rows


@aws_errors("iam")
def iam_findings(ctx: ToolContext, args: IamFindingsArgs) -> ToolResult:
    rows, checked = iam_rows(ctx)
    beyond = identity_rows(ctx)
    if not rows and not beyond:
        return ToolResult.no_data(f"None of {checked} IAM users lacks MFA, has keys older than "
                                  f"{KEY_MAX_AGE_DAYS} days or unused keys, or has AdministratorAccess; no "
                                  "policy allows * on *, no role is unused and the root user has no access keys.")
    rows.sort(key=lambda row: SEVERITY_ORDER[row["severity"]])
    counts = Counter(row["issue"] for row in rows)
    users = list(dict.fromkeys(row["user"] for row in rows))
    summary = (f"{len(users)} of {checked} IAM users have issues: "
               f"{', '.join(f'{n} {issue}' for issue, n in counts.items())} ({join_names(users)})."
               if rows else f"None of {checked} IAM users has an issue.")
    if beyond:
        others = Counter(row["issue"] for row in beyond)
        summary += (f" Beyond users: {', '.join(f'{n} {issue}' for issue, n in others.items())} "
                    f"({join_names(list(dict.fromkeys(row['user'] for row in beyond)))}).")
    keys = [row["key_id"] for row in rows if row["key_id"]]
    everything = rows + sorted(beyond, key=lambda row: SEVERITY_ORDER[row["severity"]])
    return ToolResult(status="ok", summary=summary, columns=["user", "issue", "severity", "detail"],
                      rows=everything[: args.limit],
                      facts={"users_checked": checked, "issues": len(everything), **counts,
                             **Counter(row["issue"] for row in beyond)},
                      resources=users + list(dict.fromkeys(keys)))


# --------------------------------------------------------------------------- Security Hub


class SecurityHubArgs(BaseModel):
    region: str | None = None
    limit: int = Field(default=20, ge=1, le=100)


def _hub_findings(ctx: ToolContext, region: str, limit: int) -> list[dict[str, Any]] | None:
    """Active findings in one region, or None when Security Hub is not enabled there."""
    hub = client(ctx, "securityhub", region)
    try:
        hub.describe_hub()
        found = hub.get_findings(Filters={"RecordState": [{"Value": "ACTIVE", "Comparison": "EQUALS"}]},
                                 SortCriteria=[{"Field": "SeverityNormalized", "SortOrder": "desc"}],
                                 MaxResults=100)["Findings"]
    except ClientError as exc:
        if _missing(exc, "InvalidAccessException"):
            return None
        raise
    rows = []
    for item in found:
        if item.get("RecordState", "ACTIVE") != "ACTIVE":
            continue
        severity = str(item.get("Severity", {}).get("Label", "INFORMATIONAL")).lower()
        resources = item.get("Resources") or [{}]
        rows.append({"severity": severity, "title": item.get("Title", ""), "resource": resources[0].get("Id", ""),
                     "region": item.get("Region", region), "updated": item.get("UpdatedAt", "")})
    return rows[: limit * 5]


@aws_errors("securityhub")
def security_hub_findings(ctx: ToolContext, args: SecurityHubArgs) -> ToolResult:
    scan = scan_regions(ctx, regions_for(ctx, args.region), lambda region: _hub_findings(ctx, region, args.limit),
                        services=("securityhub",))
    regions = scan.answered
    per_region = {region: scan.results[region] for region in regions}
    enabled = [region for region, rows in per_region.items() if rows is not None]
    if not enabled:
        return scan.mark(ToolResult.error(f"Security Hub is not enabled in {', '.join(regions)}: enable it to see "
                                          "findings."))
    rows = [row for region in enabled for row in per_region[region] or []]
    if not rows:
        return scan.mark(ToolResult.no_data(f"Security Hub has no active findings in {', '.join(enabled)}."))
    rows.sort(key=lambda row: SEVERITY_ORDER.get(row["severity"], 5))
    counts = Counter(row["severity"] for row in rows)
    top = rows[0]
    off = [r for r in regions if r not in enabled]
    summary = (f"Security Hub has {len(rows)} active findings in {', '.join(enabled)} "
               f"({', '.join(f'{n} {sev}' for sev, n in counts.items())}); most severe: {top['title']} on "
               f"{top['resource']}{'. Not enabled in ' + ', '.join(off) if off else ''}.")
    shown = rows[: args.limit]
    caveat = {CAVEAT: f"Security Hub is not enabled in {', '.join(off)}."} if off else {}
    return scan.mark(ToolResult(status="ok", summary=summary, columns=["severity", "title", "resource", "region"],
                                rows=shown, facts={"total": len(rows), **counts, **caveat},
                                resources=list(dict.fromkeys(row["resource"] for row in shown if row["resource"]))))


def _guardduty(ctx: ToolContext, region: str) -> tuple[list[Finding], int] | None:
    """The region's active GuardDuty findings and how many more are archived; None when no
    detector there is enabled."""
    from tools.aws import security_checks as sc  # it imports this module

    gd = client(ctx, "guardduty", region)
    detectors = gd.list_detectors().get("DetectorIds", [])
    if not any(gd.get_detector(DetectorId=d).get("Status") == "ENABLED" for d in detectors):
        return None
    return sc.guardduty_findings(ctx, region), sc.guardduty_archived_count(ctx, region)


@aws_errors("guardduty")
def guardduty_findings(ctx: ToolContext, args: SecurityHubArgs) -> ToolResult:
    scan = scan_regions(ctx, regions_for(ctx, args.region), lambda region: _guardduty(ctx, region),
                        services=("guardduty",))
    regions = scan.answered
    answered = {region: found for region, found in scan.results.items() if found is not None}
    enabled = [region for region in regions if region in answered]
    if not enabled:
        return scan.mark(ToolResult.error(f"GuardDuty is not enabled in {', '.join(regions)}: enable a detector "
                                          "to see threat findings."))
    found = sorted((f for region in enabled for f in answered[region][0]),
                   key=lambda f: SEVERITY_ORDER.get(f.severity, 5))
    archived = sum(answered[region][1] for region in enabled)
    # what the list leaves out: findings someone archived (GuardDuty's own "not active"), and the
    # regions whose detector is off; "why isn't the brute force one there any more?" is answered
    kept_out = (f" {archived} more finding{'s are' if archived != 1 else ' is'} archived and not listed."
                if archived else "")
    off = f" Not enabled in {', '.join(r for r in regions if r not in enabled)}." if len(enabled) < len(regions) else ""
    off_regions = [r for r in regions if r not in enabled]
    said = ([f"GuardDuty holds {archived} more archived finding{'s' if archived != 1 else ''}, not listed."]
            if archived else []) + ([f"GuardDuty is not enabled in {', '.join(off_regions)}."] if off_regions else [])
    caveat = {CAVEAT: " ".join(said)} if said else {}
    if not found:
        return scan.mark(ToolResult.no_data(f"GuardDuty has no active findings in {', '.join(enabled)}.{kept_out}{off}")
                         .model_copy(update={"facts": {"archived": archived, **caveat}}))
    counts: Counter[str] = Counter(f.severity for f in found)
    rows = []
    for f in found:  # detail: "<type>: <title>; fix: <hint>"
        kind, _, title = f.detail.split("; fix: ")[0].partition(": ")
        rows.append({"severity": f.severity, "type": kind, "title": title, "resource": f.resource, "region": f.region})
    top = rows[0]
    summary = (f"GuardDuty has {len(found)} active finding{'s' if len(found) != 1 else ''} in {', '.join(enabled)} "
               f"({', '.join(f'{n} {sev}' for sev, n in counts.items())}); most severe: {top['type']} on "
               f"{top['resource']} ({top['title'].rstrip('.')}).{kept_out}{off}")
    shown = rows[: args.limit]
    return scan.mark(ToolResult(status="ok", summary=summary,
                                columns=["severity", "type", "title", "resource", "region"],
                                rows=shown, facts={"total": len(found), **counts, "archived": archived, **caveat},
                                resources=list(dict.fromkeys(row["resource"] for row in shown))))


# --------------------------------------------------------------------------- posture


class Findings(list[Finding]):
    """Findings, most severe first, and the regions that could not be scanned (with why)."""

    failed_regions: dict[str, str]

    def __init__(self, findings: list[Finding] | None = None, failed_regions: dict[str, str] | None = None) -> None:
        super().__init__(findings or [])
        self.failed_regions = dict(failed_regions or {})


def _bucket_findings(ctx: ToolContext, region: str | None) -> list[Finding]:
    found = []
    for row in bucket_rows(ctx, region)[0]:
        if row["public"]:
            found.append(Finding(check="public_bucket", severity="high", region=row["region"], resource=row["bucket"],
                                 detail=f"{row['why']}; fix: turn on the bucket's public access block and drop the "
                                        "public grant"))
        if not row["encrypted"]:
            found.append(Finding(check="unencrypted_bucket", severity="medium", region=row["region"],
                                 resource=row["bucket"],
                                 detail="no default encryption; fix: set default encryption (SSE-S3 or SSE-KMS)"))
    return found


IAM_CHECKS = {"console access without MFA": ("iam_no_mfa", "enable an MFA device for the user"),
              "old access key": ("iam_old_access_key", "rotate the key, then deactivate the old one"),
              "access key never used": ("iam_unused_access_key", "deactivate and delete the key"),
              "administrator access": ("iam_admin_user", "grant the permissions needed instead, through a role")}


def _user_findings(ctx: ToolContext) -> list[Finding]:
    found = []
    for row in iam_rows(ctx)[0]:
        check, fix = IAM_CHECKS[row["issue"]]
        found.append(Finding(check=check, severity=row["severity"], region="global", resource=row["user"],
                             detail=f"{row['issue']}: {row['detail']}; fix: {fix}"))
    return found


def security_scan(ctx: ToolContext, region: str | None = None) -> Findings:
    """Every check's findings, most severe first. The account-wide checks (S3, IAM) and each
    (regional check, region) pair run side by side in one bounded pool; a region that fails
    is kept in ``failed_regions`` (first reason) while everything else counts."""
    from tools.aws import security_checks as sc

    run_session(ctx)  # one session for every worker
    regions = regions_for(ctx, region)
    account: list[Callable[[], list[Finding]]] = [
        lambda: _bucket_findings(ctx, region), lambda: _user_findings(ctx), lambda: sc.admin_policies(ctx),
        lambda: sc.root_keys(ctx), lambda: sc.unused_roles(ctx)]
    regional: list[tuple[Callable[[ToolContext, str], list[Finding]], str]] = [
        (sc.open_groups, "ec2"), (sc.unencrypted_volumes, "ec2"), (sc.unencrypted_snapshots, "ec2"),
        (sc.unencrypted_databases, "rds"), (sc.cloudtrail_off, "cloudtrail"), (sc.hub_findings, "securityhub"),
        (sc.guardduty_findings, "guardduty")]
    with ThreadPoolExecutor(max_workers=MAX_REGION_WORKERS, thread_name_prefix="aws-scan") as pool:
        whole = [pool.submit(contextvars.copy_context().run, call) for call in account]
        parts = {(check, where, service): pool.submit(contextvars.copy_context().run, check, ctx, where)
                 for where in regions for check, service in regional}
        findings = Findings([f for future in whole for f in future.result()])  # account-wide failures raise
        errors: dict[tuple[str, str], Exception] = {}
        for (_check, where, service), future in parts.items():
            try:
                findings.extend(future.result())
            except Exception as exc:
                errors[(where, service)] = exc
    if errors and len(errors) == len(parts) and len({str(e) for e in errors.values()}) == 1:
        raise next(iter(errors.values()))  # one reason for everything (no credentials, a dead endpoint)
    for (where, service), error in errors.items():
        log.info("aws scan: %s in %s failed: %s", service, where, error)
        findings.failed_regions.setdefault(where, region_reason(error, where, (service,)))
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.check, f.region, f.resource))
    return findings


def posture_score(findings: list[Finding]) -> int:
    """100 minus a weight per finding (high 10, medium 4, low 1), floored at 0."""
    return max(0, 100 - sum(SEVERITY_WEIGHT[f.severity] for f in findings))


class PostureArgs(BaseModel):
    region: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


@aws_errors("s3", "ec2", "iam")
def security_posture(ctx: ToolContext, args: PostureArgs) -> ToolResult:
    findings = security_scan(ctx, args.region)
    scan: RegionScan[Any] = RegionScan(regions_for(ctx, args.region), failed=findings.failed_regions)
    score = posture_score(findings)
    counts: Counter[str] = Counter(f.severity for f in findings)
    if not findings:
        return scan.mark(ToolResult(status="ok", summary="Security score 100/100: no AWS security check found "
                                    "anything.", facts={"score": 100, "findings": 0}))
    by_sev = ", ".join(f"{counts[s]} {s}" for s in ("critical", "high", "medium", "low") if counts[s])
    top = findings[0]
    summary = (f"Security score {score}/100 with {len(findings)} findings ({by_sev}); most severe: "
               f"{top.check} on {top.resource} ({top.detail}).")
    rows = [f.model_dump() for f in findings[: args.limit]]
    return scan.mark(ToolResult(
        status="ok", summary=summary, columns=["severity", "check", "resource", "region", "detail"], rows=rows,
        facts={"score": score, "findings": len(findings), **{s: counts[s] for s in SEVERITY_WEIGHT}},
        resources=list(dict.fromkeys(f.resource for f in findings))))


class ScanArgs(BaseModel):
    region: str | None = None


SCAN_COLUMNS = ["check", "severity", "cloud", "region", "resource", "detail"]


@aws_errors("s3", "iam", "ec2")
def security_findings_scan(ctx: ToolContext, args: ScanArgs) -> ToolResult:
    """Every finding, most severe first, one row each (``guardian scan security``); the
    regions that could not be scanned are in ``facts["failed_regions"]``."""
    findings = security_scan(ctx, args.region)
    scan: RegionScan[Any] = RegionScan(regions_for(ctx, args.region), failed=findings.failed_regions)
    counts: Counter[str] = Counter(f.severity for f in findings)
    return scan.mark(ToolResult(
        status="ok", summary=f"{len(findings)} findings.", columns=SCAN_COLUMNS,
        rows=[f.model_dump() for f in findings], facts={"findings": len(findings), **dict(counts)},
        resources=list(dict.fromkeys(f.resource for f in findings))))


SECURITY_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_public_buckets", "S3 buckets readable by anyone (ACL or policy) or without default encryption.",
             PublicBucketsArgs, "read", ("security.public_storage",), "aws", public_buckets),
    ToolSpec("aws_open_security_groups", "Security group rules open to 0.0.0.0/0 or ::/0, with severity and "
             "the instances using them.", OpenSecurityGroupsArgs, "read", ("security.open_ports",), "aws",
             open_security_groups),
    ToolSpec("aws_iam_findings", "IAM users without MFA, with old or unused access keys, or with admin access.",
             IamFindingsArgs, "read", ("security.iam",), "aws", iam_findings),
    ToolSpec("aws_security_hub_findings", "Active AWS Security Hub findings, most severe first.",
             SecurityHubArgs, "read", ("security.findings",), "aws", security_hub_findings),
    ToolSpec("aws_guardduty_findings", "Active (unarchived) Amazon GuardDuty threat findings of enabled detectors, "
             "most severe first: crypto mining, credential exfiltration, port probes, anonymous bucket access.",
             SecurityHubArgs, "read", ("security.findings",), "aws", guardduty_findings),
    ToolSpec("aws_security_posture", "A 0-100 security score from every AWS security check (storage, network, IAM, "
             "encryption, CloudTrail, Security Hub, GuardDuty).",
             PostureArgs, "read", ("security.posture",), "aws", security_posture),
    # No chat skill plans it: it is the full list behind `guardian scan security`.
    ToolSpec("aws_security_scan", "Every finding of every AWS security check, one row each, with a fix hint.",
             ScanArgs, "read", (), "aws", security_findings_scan),
]
