"""Inventory and describe: what exists (EC2, S3, RDS, Lambda, security groups, volumes, ECS
services, EKS clusters, load balancers) and the details and health of one named resource."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel, Field

from tools.aws import containers
from tools.aws.common import GLOBAL_REGION, client, iso, join_names, regions_for, tag_map
from tools.aws.errors import ResourceNotFound, aws_errors, error_code, is_not_found_code
from tools.aws.regions import RegionScan, scan_regions
from tools.base import ToolContext, ToolResult, ToolSpec
from tools.filters import matches
from tools.resolve import AmbiguousResource, Candidate, Phrase, resolve, sole_candidate
from tools.wording import counted

T = TypeVar("T")
ResourceType = Literal["ec2", "s3", "rds", "lambda", "security_group", "volume", "snapshot", "elastic_ip",
                       "ecs_service", "eks", "load_balancer"]
DEFAULT_TYPES: tuple[str, ...] = ("ec2", "s3", "rds", "lambda", "ecs_service", "eks", "load_balancer")


def _not_found(exc: ClientError) -> bool:
    code = error_code(exc)
    return is_not_found_code(code) or code.endswith(".Malformed")


def _unless_missing(call: Callable[[], T], *also: str) -> T | None:
    """``call()``, or None when AWS answers that the resource does not exist (or one of the
    ``also`` error codes): an id looked up in a region that does not hold it is a miss that
    the caller turns into "not found in ...", never an error; other errors propagate."""
    try:
        return call()
    except ClientError as exc:
        if _not_found(exc) or any(code in error_code(exc) for code in also):
            return None
        raise


def _env_of(tags: dict[str, str]) -> str:
    lowered = {key.lower(): value for key, value in tags.items()}
    return next((lowered[key] for key in ("env", "environment", "stage") if key in lowered), "")


def _service_of(tags: dict[str, str]) -> str:
    lowered = {key.lower(): value for key, value in tags.items()}
    return next((lowered[key] for key in ("service", "app", "application") if key in lowered), "")


def _row(kind: str, ident: str, name: str, region: str, state: str, detail: str,
         tags: dict[str, str]) -> dict[str, Any]:
    lowered = {key.lower(): value for key, value in tags.items()}
    return {"type": kind, "id": ident, "name": name, "region": region, "state": state, "detail": detail,
            "owner": lowered.get("owner", lowered.get("team", "")), "env": _env_of(tags),
            "service": _service_of(tags), "tags": tags}


# --------------------------------------------------------------------------- listers


def instances(ctx: ToolContext, region: str, filters: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    pages = ec2.get_paginator("describe_instances").paginate(Filters=filters or [])
    return [inst for page in pages for res in page["Reservations"] for inst in res["Instances"]]


def _ec2_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    rows = []
    for inst in instances(ctx, region):
        tags = tag_map(inst.get("Tags"))
        rows.append(_row("ec2", inst["InstanceId"], tags.get("Name", ""), region, inst["State"]["Name"],
                         inst["InstanceType"], tags))
    return rows


def bucket_region(ctx: ToolContext, bucket: str) -> str:
    location = client(ctx, "s3", GLOBAL_REGION).get_bucket_location(Bucket=bucket).get("LocationConstraint")
    return str({None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(location, location))


def bucket_tags(ctx: ToolContext, bucket: str, region: str) -> dict[str, str]:
    try:
        return tag_map(client(ctx, "s3", region).get_bucket_tagging(Bucket=bucket).get("TagSet"))
    except ClientError as exc:
        if error_code(exc) in ("NoSuchTagSet", "NoSuchTagSetError"):
            return {}
        raise


def list_buckets(ctx: ToolContext) -> list[str]:
    return [b["Name"] for b in client(ctx, "s3", GLOBAL_REGION).list_buckets().get("Buckets", [])]


def _s3_rows(ctx: ToolContext, regions: list[str] | None) -> list[dict[str, Any]]:
    rows = []
    for name in list_buckets(ctx):
        region = bucket_region(ctx, name)
        if regions is not None and region not in regions:
            continue
        rows.append(_row("s3", name, name, region, "available", "bucket", bucket_tags(ctx, name, region)))
    return rows


def _rds_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    rds = client(ctx, "rds", region)
    rows = []
    for page in rds.get_paginator("describe_db_instances").paginate():
        for db in page["DBInstances"]:
            tags = tag_map(db.get("TagList"))
            rows.append(_row("rds", db["DBInstanceIdentifier"], db["DBInstanceIdentifier"], region,
                             db.get("DBInstanceStatus", ""), f"{db.get('Engine', '')} {db.get('DBInstanceClass', '')}",
                             tags))
    return rows


def _lambda_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    lam = client(ctx, "lambda", region)
    rows = []
    for page in lam.get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            tags = lam.list_tags(Resource=fn["FunctionArn"]).get("Tags", {})
            rows.append(_row("lambda", fn["FunctionName"], fn["FunctionName"], region, fn.get("State", "Active"),
                             fn.get("Runtime", ""), dict(tags)))
    return rows


def _sg_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    rows = []
    for page in ec2.get_paginator("describe_security_groups").paginate():
        for sg in page["SecurityGroups"]:
            rows.append(_row("security_group", sg["GroupId"], sg.get("GroupName", ""), region, "",
                             sg.get("VpcId", ""), tag_map(sg.get("Tags"))))
    return rows


def _volume_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    rows = []
    for page in ec2.get_paginator("describe_volumes").paginate():
        for vol in page["Volumes"]:
            tags = tag_map(vol.get("Tags"))
            rows.append(_row("volume", vol["VolumeId"], tags.get("Name", ""), region, vol["State"],
                             f"{vol['Size']} GiB {vol.get('VolumeType', '')}".strip(), tags))
    return rows


def _named_ids(ctx: ToolContext, region: str, kind: str) -> dict[str, str]:
    """id -> Name tag of the region's volumes or instances, to say what a snapshot or an address
    belongs to as people call it."""
    ec2 = client(ctx, "ec2", region)
    if kind == "volume":
        return {vol["VolumeId"]: tag_map(vol.get("Tags")).get("Name", "")
                for page in ec2.get_paginator("describe_volumes").paginate() for vol in page["Volumes"]}
    return {inst["InstanceId"]: tag_map(inst.get("Tags")).get("Name", "") for inst in instances(ctx, region)}


def _labelled(ident: str, names: dict[str, str]) -> str:
    """"search-data-eu (vol-0abc…)", or the bare id when it has no Name."""
    return f"{names[ident]} ({ident})" if names.get(ident) else ident


def _snapshot_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    volumes = _named_ids(ctx, region, "volume")
    # the account's own snapshots only: an endpoint that ignores OwnerIds (moto) also returns the
    # public snapshots behind the AMIs it knows, owned by other accounts
    account = client(ctx, "sts", region).get_caller_identity()["Account"]
    rows = []
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for snap in page["Snapshots"]:
            if snap.get("OwnerId") not in (None, account):
                continue
            tags = tag_map(snap.get("Tags"))
            started = iso(snap["StartTime"])[:10] if snap.get("StartTime") else ""
            detail = f"{snap.get('VolumeSize', '?')} GiB of {_labelled(snap.get('VolumeId', ''), volumes)}"
            rows.append(_row("snapshot", snap["SnapshotId"], tags.get("Name", ""), region, snap.get("State", ""),
                             f"{detail}, started {started}" if started else detail, tags))
    return rows


def _eip_rows(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    machines = _named_ids(ctx, region, "instance")
    rows = []
    for addr in ec2.describe_addresses().get("Addresses", []):
        tags = tag_map(addr.get("Tags"))
        attached = addr.get("InstanceId")
        state = "associated" if attached or addr.get("AssociationId") else "unassociated"
        detail = str(addr.get("PublicIp", "")) + (f" on {_labelled(attached, machines)}" if attached else "")
        rows.append(_row("elastic_ip", addr.get("AllocationId") or addr.get("PublicIp", ""), tags.get("Name", ""),
                         region, state, detail, tags))
    return rows


REGIONAL_LISTERS: dict[str, Callable[[ToolContext, str], list[dict[str, Any]]]] = {
    "ec2": _ec2_rows, "rds": _rds_rows, "lambda": _lambda_rows, "security_group": _sg_rows, "volume": _volume_rows,
    "snapshot": _snapshot_rows, "elastic_ip": _eip_rows,
    "ecs_service": functools.partial(containers.ecs_rows, row=_row),
    "eks": functools.partial(containers.eks_rows, row=_row),
    "load_balancer": functools.partial(containers.lb_rows, row=_row),
}


# --------------------------------------------------------------------------- inventory


class InventoryArgs(BaseModel):
    resource_type: ResourceType | None = Field(default=None, description="Only this kind of resource.")
    region: str | None = None
    tag_key: str | None = None
    tag_value: str | None = None
    env: str | None = Field(default=None, description="Matches an env/environment/stage tag (prod, staging...); "
                                                      "\"!prod\" is every other env.")
    service: str | None = Field(default=None, description="Matches a service/app tag or the Name.")
    state: str | None = Field(default=None, description="Only resources in this state (\"stopped\", "
                                                        "\"running\", \"available\").")
    limit: int = Field(default=100, ge=1, le=1000)
    order: Literal["size", "size_asc"] | None = Field(
        default=None, description="List the instances by size (largest first; size_asc: smallest first).")


# EC2's size suffixes, smallest first; "Nxlarge" counts N extra-large steps beyond xlarge
_SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")


def size_rank(detail: str) -> float:
    """How big an instance type is ("m5.4xlarge" > "c5.xlarge" > "m5.large"); -1 for what is
    no instance type (a bucket's or a volume's detail), so those sort last."""
    _family, dot, size = str(detail).rpartition(".")
    if not dot:
        return -1
    if size in _SIZES:
        return _SIZES.index(size)
    count = size.removesuffix("xlarge")
    return len(_SIZES) - 1 + float(count) if count.isdigit() and size.endswith("xlarge") else -1


def _keep(row: dict[str, Any], args: InventoryArgs) -> bool:
    return matches(args, tags=row["tags"], env=row["env"], service=row["service"], name=row["name"])


def _in_state(row: dict[str, Any], args: InventoryArgs) -> bool:
    return not args.state or str(row["state"]).lower() == args.state.lower()


def _team_as_service(args: InventoryArgs) -> InventoryArgs | None:
    """The same filter with a team's name read as a service's ("the checkout team" runs the
    checkout service), when a team tag is asked and no service is; else None."""
    if str(args.tag_key or "").lower() != "team" or not args.tag_value or args.service:
        return None
    return args.model_copy(update={"tag_key": None, "tag_value": None, "service": args.tag_value})


INVENTORY_SERVICES = ("ec2", "s3", "rds", "lambda", "ecs", "eks", "elbv2")


def _attention(rows: list[dict[str, Any]]) -> str:
    """'Needs attention: checkout-cart (ecs_service, cluster ...: 2/4 running, 2 pending). ' or ''."""
    named = [f"{row['name']} ({row['type']}, {row['state']}: {row['detail']})"
             for row in rows if row["state"] in containers.ATTENTION_STATES]
    return f"Needs attention: {'; '.join(named)}. " if named else ""


NAMES_PER_KIND = 3
# How a listing names each kind ("2 EBS snapshots"), singular and plural; the rows keep the type token.
KIND_NOUNS: dict[str, tuple[str, str]] = {
    "ec2": ("EC2 instance", "EC2 instances"), "s3": ("S3 bucket", "S3 buckets"),
    "rds": ("RDS database", "RDS databases"), "lambda": ("Lambda function", "Lambda functions"),
    "security_group": ("security group", "security groups"), "volume": ("EBS volume", "EBS volumes"),
    "snapshot": ("EBS snapshot", "EBS snapshots"), "elastic_ip": ("Elastic IP", "Elastic IPs"),
    "ecs_service": ("ECS service", "ECS services"), "eks": ("EKS cluster", "EKS clusters"),
    "load_balancer": ("load balancer", "load balancers"),
}


def _kind_counted(kind: str, n: int) -> str:
    """"2 EBS snapshots": a kind's count in words a person reads (an unknown kind keeps its token)."""
    one, many = KIND_NOUNS.get(kind, (kind, kind))
    return counted(n, one, many)


def _listing(rows: list[dict[str, Any]], kinds: tuple[str, ...], counts: Counter[str]) -> str:
    """"2 RDS databases (payments-db, checkout-db)": one kind's count and first names (with ids); several
    kinds each with a few of their own names, so a listing of everything names some of every kind,
    not only the first kind's (the table below shows the first rows only)."""
    present = [kind for kind in kinds if counts[kind]]
    if len(present) == 1:
        return f"{_kind_counted(present[0], counts[present[0]])} ({join_names([_named(row) for row in rows])})"
    named = {kind: [row["name"] or row["id"] for row in rows if row["type"] == kind] for kind in present}
    return ", ".join(f"{_kind_counted(kind, counts[kind])} ({join_names(named[kind], NAMES_PER_KIND)})"
                     for kind in present)


@aws_errors(*INVENTORY_SERVICES)
def inventory(ctx: ToolContext, args: InventoryArgs) -> ToolResult:
    regions = regions_for(ctx, args.region)
    kinds = (args.resource_type,) if args.resource_type else DEFAULT_TYPES
    regional = [kind for kind in kinds if kind != "s3"]
    scan: RegionScan[dict[str, list[dict[str, Any]]]] = scan_regions(
        ctx, regions, lambda region: {kind: REGIONAL_LISTERS[kind](ctx, region) for kind in regional},
        services=INVENTORY_SERVICES) if regional else RegionScan(regions)
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        if kind == "s3":
            rows.extend(_s3_rows(ctx, regions if args.region else None))
        else:
            rows.extend(row for per_kind in scan.values() for row in per_kind[kind])
    kept = [row for row in rows if _keep(row, args)]
    by_team, team_note = _team_as_service(args), ""
    if not kept and by_team is not None:
        # "what does the checkout team own": no resource is tagged team=checkout, but "checkout" is
        # a service's name, which is what people call the team running it (said in the summary)
        kept = [row for row in rows if _keep(row, by_team)]
        if kept:
            team_note = f"No resource is tagged team={args.tag_value}; these are tagged service={args.tag_value}. "
    rows = kept
    # how many instances a state narrowed, so the answer says "1 of 12 instances is stopped"
    instances_checked = sum(1 for row in rows if str(row["type"]).lower() == "ec2")
    rows = [row for row in rows if _in_state(row, args)]
    # stable: the rest keep order; what needs attention first, then what people named (a Name tag)
    # before what nobody did (the instances' root volumes), so a long listing cut short still
    # shows every resource someone named rather than a page of anonymous ids
    rows.sort(key=lambda row: (row["state"] not in containers.ATTENTION_STATES, not row["name"]))
    if args.order:  # "top 3 biggest": by size, the largest (or smallest) first
        rows.sort(key=lambda row: size_rank(row["detail"]) * (1 if args.order == "size_asc" else -1))
    where = ", ".join(scan.answered if regional else regions)
    if not rows:
        # "servers in frankfurt" where none of Guardian's regions is: the empty answer says which
        # regions it does cover, so "none" is not read as "none anywhere"
        outside = [region for region in regions if ctx.regions and region not in ctx.regions]
        covered = f" Guardian covers {', '.join(ctx.regions)}; ask for one of those." if outside else ""
        return scan.mark(ToolResult.no_data(f"No {'/'.join(kinds)} resources matched in {where}.{covered}"))
    counts = Counter(row["type"] for row in rows)
    attention = [row["id"] for row in rows if row["state"] in containers.ATTENTION_STATES]
    summary = f"{team_note}{_attention(rows)}{counted(len(rows), 'resource')} in {where}: " \
        f"{_listing(rows, kinds, counts)}."
    for row in rows:
        row["tags"] = ", ".join(f"{k}={v}" for k, v in sorted(row["tags"].items()))
    return scan.mark(ToolResult(
        status="ok", summary=summary,
        columns=["type", "id", "name", "region", "state", "detail", "owner", "env", "service", "tags"],
        rows=rows[: args.limit], facts={"total": len(rows), "instances_checked": instances_checked,
                                        **{f"count_{k}": counts[k] for k in kinds if counts[k]},
                                        **({"needs_attention": attention} if attention else {})},
        resources=sorted({row["id"] for row in rows} | {row["name"] for row in rows if row["name"]}),
    ))


# --------------------------------------------------------------------------- describe


def _instance_in(ctx: ToolContext, region: str, ident: str) -> dict[str, Any] | None:
    if ident.startswith("i-"):
        found = _unless_missing(lambda: instances(ctx, region, [{"Name": "instance-id", "Values": [ident]}]))
        return found[0] if found else None
    found = instances(ctx, region, [{"Name": "tag:Name", "Values": [ident]}])
    live = [inst for inst in found if inst["State"]["Name"] != "terminated"] or found
    if len(live) > 1:  # one Name tag on two instances: never guess which
        raise AmbiguousResource(ident, [_candidate(region, inst) for inst in live])
    return live[0] if live else None


def find_in_regions(ctx: ToolContext, regions: list[str], lookup: Callable[[str], T | None], *,
                    partial_ok: bool) -> tuple[tuple[str, T] | None, dict[str, str]]:
    """The first region (in the given order) whose ``lookup`` finds something, and the regions
    that could not be checked. Without ``partial_ok`` any failed region fails the lookup
    (a write must not act on "the one we could see")."""
    scan = scan_regions(ctx, regions, lookup, services=INVENTORY_SERVICES, all_or_nothing=not partial_ok)
    for region in scan.answered:
        value = scan.results[region]
        if value is not None:
            return (region, value), scan.failed
    return None, scan.failed


def find_instance(ctx: ToolContext, regions: list[str], ident: str,
                  partial_ok: bool = False) -> tuple[str, dict[str, Any]] | None:
    """An instance by id, by Name tag, or by what a person called it ("the search indexer
    box"), searched across ``regions``: (region, instance). Several that fit equally raise
    AmbiguousResource (the answer asks which one). A region that cannot be checked raises
    ``RegionsFailed`` unless ``partial_ok``; then not finding it raises ``ResourceNotFound``
    naming the regions not checked."""
    found, failed = find_in_regions(ctx, regions, lambda region: _instance_in(ctx, region, ident),
                                    partial_ok=partial_ok)
    if found is None and not ident.startswith("i-"):
        match = resolve_named(ctx, regions, ident, ("ec2",))
        if match is not None:
            inst = _instance_in(ctx, match.region, match.id)
            found = (match.region, inst) if inst else None
    if found is None and failed:
        raise ResourceNotFound(ident, regions, failed)
    return found


def _candidate(region: str, inst: dict[str, Any]) -> Candidate:
    tags = tag_map(inst.get("Tags"))
    # its instance type describes it too: "the old m4 box"
    return Candidate("ec2", inst["InstanceId"], tags.get("Name", ""), region, _env_of(tags), _service_of(tags),
                     traits=(str(inst.get("InstanceType", "")),))


def resolve_named(ctx: ToolContext, regions: list[str], phrase: str, kinds: tuple[str, ...]) -> Candidate | None:
    """The one resource of ``kinds`` that ``phrase`` names in plain words, None when none
    does; AmbiguousResource when several fit equally. Regions that cannot be listed are
    left out (the answer names them elsewhere)."""
    if not Phrase.parse(phrase).names_something:
        return None
    resolution = resolve(phrase, _named_candidates(ctx, regions, kinds), kinds)
    if resolution.ambiguous:
        raise AmbiguousResource(phrase, resolution.ambiguous)
    return resolution.match


def _resolved_of_kind(ctx: ToolContext, regions: list[str], phrase: str, kind: str | None) -> Candidate | None:
    """What ``phrase`` names among every described kind; when several resources fit equally and
    exactly one of them is of the kind asked about ("the payments one" among lambdas), that one."""
    try:
        return resolve_named(ctx, regions, phrase, DESCRIBED_KINDS)
    except AmbiguousResource as several:
        of_kind = [c for c in several.candidates if c.kind == kind]
        if len(of_kind) == 1:
            return of_kind[0]
        raise


def only_of_its_kind(ctx: ToolContext, regions: list[str], phrase: str) -> Candidate | None:
    """"what version is the eks cluster on": no name in the words, one kind of resource in
    them, and exactly one resource of that kind where the words say: that one."""
    kinds = Phrase.parse(phrase).kinds
    if len(kinds) != 1 or kinds[0] not in DESCRIBED_KINDS:
        return None
    return sole_candidate(phrase, _named_candidates(ctx, regions, kinds))


def _named_candidates(ctx: ToolContext, regions: list[str], kinds: Sequence[str]) -> list[Candidate]:
    rows: list[dict[str, Any]] = []
    for kind in kinds:
        if kind == "s3":
            rows.extend(_s3_rows(ctx, regions))
        else:
            lister = REGIONAL_LISTERS[kind]
            listed = scan_regions(ctx, regions, functools.partial(lister, ctx), services=INVENTORY_SERVICES)
            rows.extend(row for found in listed.values() for row in found)
    return [Candidate(row["type"], row["id"], row["name"], row["region"], row["env"], row["service"],
                      traits=(str(row.get("detail") or ""),) if row["type"] in TRAIT_KINDS else ())
            for row in rows]


def _props(pairs: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"property": key, "value": value} for key, value in pairs.items() if value not in (None, "")]


def attached_volumes(ctx: ToolContext, region: str, instance_id: str) -> list[dict[str, Any]]:
    """The volumes attached to one instance, its root volume first."""
    found = client(ctx, "ec2", region).describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}]).get("Volumes", [])
    return sorted(found, key=lambda vol: (bool(tag_map(vol.get("Tags")).get("Name")), vol["VolumeId"]))


def _describe_instance(ctx: ToolContext, region: str, inst: dict[str, Any]) -> ToolResult:
    ident = inst["InstanceId"]
    tags = tag_map(inst.get("Tags"))
    status = client(ctx, "ec2", region).describe_instance_status(InstanceIds=[ident], IncludeAllInstances=True)
    checks = status.get("InstanceStatuses", [{}])
    check = checks[0] if checks else {}
    inst_check = check.get("InstanceStatus", {}).get("Status", "unknown")
    sys_check = check.get("SystemStatus", {}).get("Status", "unknown")
    state = inst["State"]["Name"]
    name = tags.get("Name", "")
    # a group by its name as people say it, and its id ("bastion-ssh (sg-0abc...)")
    groups = [f"{g['GroupName']} ({g['GroupId']})" if g.get("GroupName") else g["GroupId"]
              for g in inst.get("SecurityGroups", [])]
    disks = [f"{_labelled(vol['VolumeId'], {vol['VolumeId']: tag_map(vol.get('Tags')).get('Name', '')})} "
             f"{vol['Size']} GiB {vol.get('VolumeType', '')}".strip() for vol in attached_volumes(ctx, region, ident)]
    facts = {"id": ident, "name": name, "type": "ec2", "state": state, "region": region,
             "instance_type": inst["InstanceType"],
             "availability_zone": inst.get("Placement", {}).get("AvailabilityZone"),
             "private_ip": inst.get("PrivateIpAddress"), "public_ip": inst.get("PublicIpAddress"),
             "launch_time": iso(inst["LaunchTime"]) if inst.get("LaunchTime") else None,
             "instance_status": inst_check, "system_status": sys_check, "security_groups": ", ".join(groups),
             "volumes": "; ".join(disks),
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    label = f"{ident} ({name})" if name else ident
    summary = (f"{label} is {state} in {facts['availability_zone'] or region}: {inst['InstanceType']}, "
               f"status checks instance {inst_check} / system {sys_check}.{owned_by(tags)}")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[x for x in [ident, name, *groups] if x])


def _sources(permission: dict[str, Any]) -> str:
    cidrs = [r["CidrIp"] for r in permission.get("IpRanges", [])]
    cidrs += [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])]
    return ", ".join(cidrs) or "other security groups"


def _describe_sg(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    ec2 = client(ctx, "ec2", region)
    groups = _unless_missing(lambda: ec2.describe_security_groups(GroupIds=[ident])["SecurityGroups"])
    if not groups:
        return None
    sg = groups[0]
    rules = [f"{p.get('IpProtocol')} {p.get('FromPort', 'all')}-{p.get('ToPort', 'all')} from {_sources(p)}"
             for p in sg.get("IpPermissions", [])]
    users = [i["InstanceId"] for i in instances(ctx, region, [{"Name": "instance.group-id", "Values": [ident]}])]
    facts = {"id": ident, "name": sg.get("GroupName"), "type": "security_group", "region": region,
             "vpc": sg.get("VpcId"), "description": sg.get("Description"), "ingress": "; ".join(rules),
             "instances": ", ".join(users)}
    summary = (f"{ident} ({sg.get('GroupName')}) in {region} has {len(rules)} ingress rule(s)"
               f"{': ' + '; '.join(rules[:5]) if rules else ''}; used by {len(users)} instance(s).")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[ident, str(sg.get("GroupName", "")), *users])


def _describe_volume(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    ec2 = client(ctx, "ec2", region)
    vols = _unless_missing(lambda: ec2.describe_volumes(VolumeIds=[ident])["Volumes"])
    if not vols:
        return None
    vol = vols[0]
    attached = [a["InstanceId"] for a in vol.get("Attachments", [])]
    name = tag_map(vol.get("Tags")).get("Name", "")
    machines = _named_ids(ctx, region, "instance") if attached else {}
    facts = {"id": ident, "name": name, "type": "volume", "region": region, "state": vol["State"],
             "size_gib": vol["Size"], "volume_type": vol.get("VolumeType"), "encrypted": vol.get("Encrypted"),
             "availability_zone": vol.get("AvailabilityZone"),
             "attached_to": ", ".join(_labelled(one, machines) for one in attached)}
    label = f"{ident} ({name})" if name else ident
    summary = (f"{label} is {vol['State']} in {vol.get('AvailabilityZone', region)}: {vol['Size']} GiB "
               f"{vol.get('VolumeType', '')}, "
               f"{'attached to ' + facts['attached_to'] if attached else 'not attached'}.")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[x for x in (ident, name, *attached) if x])


def _describe_snapshot(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    ec2 = client(ctx, "ec2", region)
    snaps = _unless_missing(lambda: ec2.describe_snapshots(SnapshotIds=[ident])["Snapshots"])
    if not snaps:
        return None
    snap = snaps[0]
    tags = tag_map(snap.get("Tags"))
    name = tags.get("Name", "")
    volume = _labelled(snap.get("VolumeId", ""), _named_ids(ctx, region, "volume"))
    facts = {"id": ident, "name": name, "type": "snapshot", "region": region, "state": snap.get("State"),
             "volume": volume, "size_gib": snap.get("VolumeSize"), "encrypted": snap.get("Encrypted"),
             "start_time": iso(snap["StartTime"]) if snap.get("StartTime") else None,
             "description": snap.get("Description"), "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    label = f"{ident} ({name})" if name else ident
    summary = (f"Snapshot {label} in {region} is {snap.get('State')}: {snap.get('VolumeSize')} GiB of volume "
               f"{volume}, {'encrypted' if snap.get('Encrypted') else 'not encrypted'}.{owned_by(tags)}")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[x for x in (ident, name, snap.get("VolumeId")) if x])


def _describe_eip(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    ec2 = client(ctx, "ec2", region)
    found = _unless_missing(lambda: ec2.describe_addresses(AllocationIds=[ident])["Addresses"],
                            "InvalidAllocationID")
    if not found:
        return None
    addr = found[0]
    tags = tag_map(addr.get("Tags"))
    name = tags.get("Name", "")
    attached = addr.get("InstanceId")
    on = _labelled(attached, _named_ids(ctx, region, "instance")) if attached else ""
    facts = {"id": ident, "name": name, "type": "elastic_ip", "region": region, "public_ip": addr.get("PublicIp"),
             "associated_with": on or None, "association_id": addr.get("AssociationId"),
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    label = f"{ident} ({name})" if name else ident
    where = f"associated with {on}" if on else ("associated" if addr.get("AssociationId")
                                                 else "not associated with anything")
    summary = f"Elastic IP {addr.get('PublicIp')} {label} in {region} is {where}.{owned_by(tags)}"
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[x for x in (ident, name, attached) if x])


def _describe_bucket(ctx: ToolContext, ident: str) -> ToolResult | None:
    if ident not in list_buckets(ctx):
        return None
    region = bucket_region(ctx, ident)
    tags = bucket_tags(ctx, ident, region)
    facts = {"id": ident, "type": "s3", "region": region,
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    summary = f"S3 bucket {ident} is in {region}{' with tags ' + facts['tags'] if tags else ''}."
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[ident])


def owned_by(tags: dict[str, str]) -> str:
    """" Owner alice, team Payments.": who to ask about a resource, from its owner and team
    tags (empty when it has neither)."""
    said = [f"{word} {tags[key]}" for word, key in (("owner", "owner"), ("team", "team")) if tags.get(key)]
    text = ", ".join(said)
    return f" {text[:1].upper()}{text[1:]}." if said else ""


def _named(row: dict[str, Any]) -> str:
    """"payments-api-1 (i-0abc…)": a listed resource by its name and id (one when they are the same)."""
    return f"{row['name']} ({row['id']})" if row.get("name") and row["name"] != row["id"] else str(row["id"])


def _describe_db(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    rds = client(ctx, "rds", region)
    dbs = _unless_missing(lambda: rds.describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"])
    if not dbs:
        return None
    db = dbs[0]
    facts = {"id": ident, "type": "rds", "region": region, "status": db.get("DBInstanceStatus"),
             "engine": f"{db.get('Engine', '')} {db.get('EngineVersion', '')}".strip(),
             "class": db.get("DBInstanceClass"), "multi_az": db.get("MultiAZ"),
             "storage_gib": db.get("AllocatedStorage"), "endpoint": (db.get("Endpoint") or {}).get("Address"),
             "publicly_accessible": db.get("PubliclyAccessible")}
    tags = tag_map(db.get("TagList"))
    if tags:
        facts["tags"] = ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))
    summary = (f"RDS instance {ident} is {db.get('DBInstanceStatus')} in {region}: {facts['engine']}, "
               f"{db.get('DBInstanceClass')}, {db.get('AllocatedStorage')} GiB.{owned_by(tags)}")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[ident])


def _describe_lambda(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    functions = client(ctx, "lambda", region)
    found = _unless_missing(lambda: functions.get_function(FunctionName=ident))
    if found is None:
        return None
    fn, tags = found["Configuration"], dict(found.get("Tags") or {})
    facts = {"id": fn["FunctionName"], "type": "lambda", "region": region, "state": fn.get("State"),
             "runtime": fn.get("Runtime"), "memory_mb": fn.get("MemorySize"), "timeout_s": fn.get("Timeout"),
             "last_modified": fn.get("LastModified"), "last_update_status": fn.get("LastUpdateStatus")}
    summary = (f"Lambda function {fn['FunctionName']} in {region} is {fn.get('State', 'Active')}: "
               f"{fn.get('Runtime', '')}, {fn.get('MemorySize')} MB, timeout {fn.get('Timeout')} s.{owned_by(tags)}")
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=_props(facts),
                      facts=facts, resources=[fn["FunctionName"], fn.get("FunctionArn", "")])


def _from_arn(ctx: ToolContext, arn: str) -> ToolResult | None:
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    service, region, resource = parts[2], parts[3] or GLOBAL_REGION, parts[5]
    if service == "s3":
        return _describe_bucket(ctx, resource.split("/", 1)[0])
    if service == "lambda":
        return _describe_lambda(ctx, region, resource.split(":")[1] if ":" in resource else resource)
    if service == "rds" and resource.startswith("db:"):
        return _describe_db(ctx, region, resource[3:])
    if service == "ecs" and resource.startswith("service/"):
        return containers.describe_ecs_service(ctx, region, resource.rsplit("/", 1)[-1])
    if service == "elasticloadbalancing" and resource.startswith("loadbalancer/"):
        return containers.describe_load_balancer(ctx, region, resource.split("/")[2])
    if service == "eks" and resource.startswith("cluster/"):
        return containers.describe_eks(ctx, region, resource.split("/", 1)[1])
    if service == "ec2" and "/" in resource:
        return _describe_id(ctx, [region], resource.split("/", 1)[1])
    return None


def _describe_id(ctx: ToolContext, regions: list[str], ident: str) -> ToolResult | None:
    """The resource in the first region that has it (instances before buckets before DBs and
    functions); regions that could not be checked are named in the answer, or in the
    not-found sentence when no region that answered has it."""
    failed: dict[str, str] = {}

    def first(lookup: Callable[[str], Any]) -> tuple[str, Any] | None:
        found, missed = find_in_regions(ctx, regions, lookup, partial_ok=True)
        failed.update(missed)
        return found

    result: ToolResult | None = None
    if ident.startswith("sg-"):
        result = _value(first(lambda region: _describe_sg(ctx, region, ident)))
    elif ident.startswith("vol-"):
        result = _value(first(lambda region: _describe_volume(ctx, region, ident)))
    elif ident.startswith("snap-"):
        result = _value(first(lambda region: _describe_snapshot(ctx, region, ident)))
    elif ident.startswith("eipalloc-"):
        result = _value(first(lambda region: _describe_eip(ctx, region, ident)))
    elif found := first(lambda region: _instance_in(ctx, region, ident)):
        result = _describe_instance(ctx, *found)
    elif not ident.startswith("i-"):
        result = _describe_bucket(ctx, ident) or _value(first(
            lambda region: _describe_db(ctx, region, ident) or _describe_lambda(ctx, region, ident)
            or containers.describe_ecs_service(ctx, region, ident)
            or containers.describe_load_balancer(ctx, region, ident) or containers.describe_eks(ctx, region, ident)))
    if result is None:
        if failed:
            raise ResourceNotFound(ident, regions, failed)
        return None
    return RegionScan(regions, failed=failed).mark(result)


# Kinds described only when named exactly (a volume's, a snapshot's or an address's Name tag, a
# group's name): in plain words they would compete with the instances they belong to ("the
# payments-api box").
EXACT_KINDS = ("volume", "security_group", "snapshot", "elastic_ip")


def _exactly_named(ctx: ToolContext, regions: list[str], ident: str) -> ToolResult | None:
    """A volume, security group, snapshot or Elastic IP whose Name tag or group name is ``ident``
    exactly."""
    wanted = ident.lower()
    for kind in EXACT_KINDS:
        listed = scan_regions(ctx, regions, functools.partial(REGIONAL_LISTERS[kind], ctx),
                              services=INVENTORY_SERVICES)
        for region, rows in listed.results.items():
            for row in rows:
                if str(row["name"]).lower() == wanted:
                    return _describe_id(ctx, [region], row["id"])
    return None


def _value(found: tuple[str, ToolResult] | None) -> ToolResult | None:
    return found[1] if found else None


# Kinds whose listing detail describes them as people do: an instance's type ("the old m4
# box"), a database's engine and class ("the mysql one").
TRAIT_KINDS = ("ec2", "rds")
# What a description can be of when named in plain words ("the checkout load balancer").
DESCRIBED_KINDS = ("ec2", "rds", "lambda", "s3", "load_balancer", "ecs_service", "eks")


ID_PREFIXES = ("arn:", "i-", "sg-", "vol-", "snap-", "eipalloc-")


class DescribeArgs(BaseModel):
    resource_id: str = Field(min_length=1, description="Instance id or Name, sg-/vol-/snap-/eipalloc- id, "
                                                       "volume, snapshot or Elastic IP Name, bucket, DB id, "
                                                       "Lambda, ECS service, load balancer or EKS cluster "
                                                       "name, or ARN.")
    region: str | None = None
    resource_type: ResourceType | None = Field(default=None, description="The kind asked about: \"volume\" "
                                                                        "with an instance is that instance's disk.")


@aws_errors("ec2", "s3", "rds", "lambda", "ecs", "elbv2", "eks")
def describe_resource(ctx: ToolContext, args: DescribeArgs) -> ToolResult:
    regions = regions_for(ctx, args.region)
    ident = args.resource_id.strip()
    result = _from_arn(ctx, ident) if ident.startswith("arn:") else _describe_id(ctx, regions, ident)
    if result is None and not ident.startswith(ID_PREFIXES):
        result = _exactly_named(ctx, regions, ident)
    if result is None and not ident.startswith(ID_PREFIXES):
        match = _resolved_of_kind(ctx, regions, ident, args.resource_type)
        result = _describe_id(ctx, [match.region], match.id) if match else None
    if result is None and not ident.startswith(ID_PREFIXES):
        only = only_of_its_kind(ctx, regions, ident)
        result = _describe_id(ctx, [only.region], only.id) if only else None
    if result is None:
        raise ResourceNotFound(ident, regions)
    if args.resource_type == "volume" and result.facts.get("type") == "ec2":
        return _volume_of(ctx, result) or result
    return result


def _volume_of(ctx: ToolContext, machine: ToolResult) -> ToolResult | None:
    """"the data disk on search-eu-1": the one volume attached to that instance besides its
    unnamed root volume (or its only volume); None when that is not one volume, so the
    instance's own description, which lists them all, answers."""
    region, ident = str(machine.facts["region"]), str(machine.facts["id"])
    volumes = attached_volumes(ctx, region, ident)
    named = [vol for vol in volumes if tag_map(vol.get("Tags")).get("Name")]
    chosen = named if named else volumes
    if len(chosen) != 1:
        return None
    described = _describe_volume(ctx, region, chosen[0]["VolumeId"])
    return described.model_copy(update={"resources": [*described.resources, ident]}) if described else None


INVENTORY_TOOLS: list[ToolSpec] = [
    ToolSpec("aws_inventory", "List and count AWS resources (EC2, S3, RDS, Lambda, security groups, volumes, "
             "snapshots, Elastic IPs, ECS services, EKS clusters, load balancers) by type, region, tag, env or "
             "service; under-capacity services and load balancers with unhealthy targets first.", InventoryArgs,
             "read", ("infra.inventory",), "aws", inventory),
    ToolSpec("aws_describe_resource", "Details and health of one AWS resource named by id, Name tag or ARN.",
             DescribeArgs, "read", ("infra.describe",), "aws", describe_resource),
]
