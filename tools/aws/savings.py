"""Savings: AWS resources that cost money for little use, each with an estimated monthly
amount. Unattached volumes, stopped instances' attached volumes, idle Elastic IPs, old
snapshots, instances whose CloudWatch CPU stayed low for two weeks, and previous-generation
instance types. Prices are small documented constants (us-east-1 on-demand list prices):
an estimate to rank by, not a bill."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from tools.aws.common import client, join_names, money, regions_for
from tools.aws.errors import aws_errors
from tools.aws.regions import scan_regions
from tools.base import ToolContext, ToolResult

EBS_PER_GB_MONTH = 0.08  # gp3 list price in us-east-1; gp2 is close (0.10)
SNAPSHOT_PER_GB_MONTH = 0.05  # EBS snapshot standard tier, us-east-1 (billed on changed blocks: an upper bound)
GP2_PER_GB_MONTH = 0.10  # gp2 list price in us-east-1: gp3 gives the same baseline for 20% less
MIN_MIGRATION_USD = 1.0  # a gp2 volume is worth a type change from $1/month saved (50 GiB): not every 8 GiB root
EIP_PER_MONTH = 3.60  # idle public IPv4 address, 730 h x $0.005
HOURS_PER_MONTH = 730
OLD_SNAPSHOT_DAYS = 90
LOW_CPU_PERCENT = 5.0
CPU_DAYS = 14
DOWNSIZE_SAVING = 0.5  # one size down within a family halves the hourly price

# On-demand Linux $/hour in us-east-1 (AWS list prices, rounded): an estimate for ranking.
# Types missing here get no dollar figure (0.0, said in the detail) rather than a guess.
HOURLY_USD: dict[str, float] = {
    "t2.nano": 0.0058, "t2.micro": 0.0116, "t2.small": 0.023, "t2.medium": 0.0464, "t2.large": 0.0928,
    "t2.xlarge": 0.1856, "t2.2xlarge": 0.3712,
    "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416, "t3.large": 0.0832,
    "t3.xlarge": 0.1664, "t3.2xlarge": 0.3328,
    "m4.large": 0.10, "m4.xlarge": 0.20, "m4.2xlarge": 0.40, "m4.4xlarge": 0.80, "m4.10xlarge": 2.00,
    "m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768, "m5.12xlarge": 2.304,
    "c4.large": 0.10, "c4.xlarge": 0.199, "c4.2xlarge": 0.398, "c4.4xlarge": 0.796,
    "c5.large": 0.085, "c5.xlarge": 0.17, "c5.2xlarge": 0.34, "c5.4xlarge": 0.68,
    "r4.large": 0.133, "r4.xlarge": 0.266, "r4.2xlarge": 0.532, "r4.4xlarge": 1.064,
    "r5.large": 0.126, "r5.xlarge": 0.252, "r5.2xlarge": 0.504, "r5.4xlarge": 1.008,
    "m3.medium": 0.067, "m3.large": 0.133, "m3.xlarge": 0.266, "c3.large": 0.105, "c3.xlarge": 0.21,
    "r3.large": 0.166, "r3.xlarge": 0.333,
}
# Previous generation -> its current-generation successor (same size names).
NEXT_GENERATION: dict[str, str] = {"t1": "t3", "t2": "t3", "m1": "m5", "m3": "m5", "m4": "m5", "c1": "c5",
                                   "c3": "c5", "c4": "c5", "r3": "r5", "r4": "r5", "m2": "r5", "i2": "i3"}
KINDS = ("unattached volume", "stopped instance", "unassociated Elastic IP", "old snapshot", "low CPU instance",
         "previous-generation instance", "gp2 volume")


class SavingsArgs(BaseModel):
    region: str | None = None
    limit: int = Field(default=50, ge=1, le=500)


def monthly_price(instance_type: str) -> float | None:
    hourly = HOURLY_USD.get(instance_type)
    return None if hourly is None else hourly * HOURS_PER_MONTH


def generation_saving(instance_type: str) -> tuple[str, float | None] | None:
    """(current-generation type, $/month saved by moving to it) for a previous-generation type."""
    family, _, size = instance_type.partition(".")
    successor = NEXT_GENERATION.get(family)
    if successor is None:
        return None
    target = f"{successor}.{size}"
    old, new = monthly_price(instance_type), monthly_price(target)
    return target, (None if old is None or new is None else max(old - new, 0.0))


def _name(tags: list[dict[str, str]] | None) -> str:
    return next((t["Value"] for t in tags or [] if t["Key"] == "Name"), "")


def _volume_sizes(ec2: Any, volume_ids: list[str]) -> dict[str, tuple[int, str]]:
    """{volume id: (GiB, Name tag)} of the volumes asked for."""
    if not volume_ids:
        return {}
    found = ec2.describe_volumes(VolumeIds=volume_ids)["Volumes"]
    return {vol["VolumeId"]: (int(vol["Size"]), _name(vol.get("Tags"))) for vol in found}


def _attached(volumes: dict[str, tuple[int, str]]) -> str:
    """"checkout-data (vol-0abc, 100 GiB), vol-0def (8 GiB)": the disks a stopped instance still
    pays for, by the name people know them by and the id to act on, biggest first."""
    ranked = sorted(volumes.items(), key=lambda item: item[1][0], reverse=True)
    return ", ".join(f"{name} ({vol_id}, {size} GiB)" if name else f"{vol_id} ({size} GiB)"
                     for vol_id, (size, name) in ranked)


def named_id(row: dict[str, Any]) -> str:
    """"analytics-batch-1 (i-0abc…)": the name people use, then the id to act on."""
    return f"{row['name']} ({row['resource']})" if row.get("name") else str(row["resource"])


def _row(resource: str, kind: str, region: str, detail: str, monthly: float | None,
         name: str = "") -> dict[str, Any]:
    """One candidate; ``name`` is its Name tag: people know a volume by it, not by its id."""
    return {"resource": resource, "name": name, "kind": kind, "region": region,
            "detail": detail if monthly is not None else f"{detail} (price not in Guardian's table)",
            "monthly_usd": money(monthly or 0.0)}


def _instances(ec2: Any, state: str) -> list[dict[str, Any]]:
    return [inst for page in ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": [state]}])
        for res in page["Reservations"] for inst in res["Instances"]]


def _volume_ids(instance: dict[str, Any]) -> list[str]:
    return [m["Ebs"]["VolumeId"] for m in instance.get("BlockDeviceMappings", []) if "Ebs" in m]


def _gp2_volumes(ec2: Any, region: str, stopped: set[str]) -> list[dict[str, Any]]:
    """In-use gp2 volumes saving at least ``MIN_MIGRATION_USD`` a month as gp3: gp3 is the
    current generation of general-purpose SSD, the same baseline for less per GB, and a
    volume changes type in place. Unattached volumes and a stopped instance's disks are
    candidates already (delete, not migrate)."""
    rows = []
    for page in ec2.get_paginator("describe_volumes").paginate(Filters=[{"Name": "volume-type", "Values": ["gp2"]},
                                                                        {"Name": "status", "Values": ["in-use"]}]):
        for vol in page["Volumes"]:
            saving = vol["Size"] * (GP2_PER_GB_MONTH - EBS_PER_GB_MONTH)
            if vol["VolumeId"] in stopped or money(saving) < MIN_MIGRATION_USD:
                continue
            rows.append(_row(vol["VolumeId"], "gp2 volume", region, f"{vol['Size']} GiB gp2; gp3 is the current "
                             "generation", saving, _name(vol.get("Tags"))))
    return rows


def _idle_storage(ec2: Any, region: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in ec2.get_paginator("describe_volumes").paginate(Filters=[{"Name": "status", "Values": ["available"]}]):
        for vol in page["Volumes"]:
            rows.append(_row(vol["VolumeId"], "unattached volume", region,
                             f"{vol['Size']} GiB {vol.get('VolumeType', '')}".strip(), vol["Size"] * EBS_PER_GB_MONTH,
                             _name(vol.get("Tags"))))
    for inst in _instances(ec2, "stopped"):
        volumes = _volume_sizes(ec2, _volume_ids(inst))
        size = sum(gb for gb, _name_tag in volumes.values())
        attached = f": {_attached(volumes)}" if volumes else ""
        rows.append(_row(inst["InstanceId"], "stopped instance", region,
                         f"{inst['InstanceType']}, {size} GiB attached{attached}", size * EBS_PER_GB_MONTH,
                         _name(inst.get("Tags"))))
    rows += _gp2_volumes(ec2, region, stopped={vol for inst in _instances(ec2, "stopped")
                                                for vol in _volume_ids(inst)})
    for addr in ec2.describe_addresses()["Addresses"]:
        if not addr.get("AssociationId") and not addr.get("InstanceId"):
            rows.append(_row(addr.get("AllocationId") or addr["PublicIp"], "unassociated Elastic IP", region,
                             addr["PublicIp"], EIP_PER_MONTH, _name(addr.get("Tags"))))
    return rows


def _old_snapshots(ec2: Any, region: str, now: datetime) -> list[dict[str, Any]]:
    rows = []
    for page in ec2.get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for snap in page["Snapshots"]:
            started = snap["StartTime"]
            started = started if started.tzinfo else started.replace(tzinfo=UTC)
            age = (now - started).days
            if age > OLD_SNAPSHOT_DAYS:
                rows.append(_row(snap["SnapshotId"], "old snapshot", region,
                                 f"{snap['VolumeSize']} GiB, {age} days old",
                                 snap["VolumeSize"] * SNAPSHOT_PER_GB_MONTH, _name(snap.get("Tags"))))
    return rows


def average_cpu(cloudwatch: Any, instance_id: str, now: datetime) -> float | None:
    """The instance's mean CPUUtilization over the last ``CPU_DAYS`` days (daily averages);
    None without datapoints (a new instance, or no metrics)."""
    points = cloudwatch.get_metric_statistics(
        Namespace="AWS/EC2", MetricName="CPUUtilization",
        Dimensions=[{"Name": "InstanceId", "Value": instance_id}],
        StartTime=now - timedelta(days=CPU_DAYS), EndTime=now, Period=86400, Statistics=["Average"])["Datapoints"]
    if not points:
        return None
    return sum(float(p["Average"]) for p in points) / len(points)


def _running_instances(ctx: ToolContext, ec2: Any, region: str, now: datetime) -> list[dict[str, Any]]:
    cloudwatch = client(ctx, "cloudwatch", region)
    rows = []
    for inst in _instances(ec2, "running"):
        kind, name = inst["InstanceType"], _name(inst.get("Tags"))
        cpu = average_cpu(cloudwatch, inst["InstanceId"], now)
        if cpu is not None and cpu < LOW_CPU_PERCENT:
            monthly = monthly_price(kind)
            rows.append(_row(inst["InstanceId"], "low CPU instance", region,
                             f"{kind}, {cpu:.1f}% average CPU over {CPU_DAYS} days; one size down",
                             None if monthly is None else monthly * DOWNSIZE_SAVING, name))
        move = generation_saving(kind)
        if move is not None:
            target, saving = move
            rows.append(_row(inst["InstanceId"], "previous-generation instance", region,
                             f"{kind}; {target} is the current generation", saving, name))
    return rows


def region_savings(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    ec2 = client(ctx, "ec2", region)
    now = datetime.now(UTC)
    return _idle_storage(ec2, region) + _old_snapshots(ec2, region, now) + _running_instances(ctx, ec2, region, now)


def _named_in_order(rows: list[dict[str, Any]], limit: int) -> str:
    """The candidates by name, biggest saving first; those a limit asked for ("top 3") said as
    such, so the summary names the rows the table shows, not five of another cut."""
    if len(rows) <= limit:
        return join_names([named_id(row) for row in rows])
    return f"the {limit} biggest of {len(rows)}: " + join_names([named_id(row) for row in rows[:limit]])


@aws_errors("ec2")
def savings(ctx: ToolContext, args: SavingsArgs) -> ToolResult:
    scan = scan_regions(ctx, regions_for(ctx, args.region), lambda region: region_savings(ctx, region),
                        services=("ec2", "cloudwatch"))
    regions = scan.answered
    rows = [row for region_rows in scan.values() for row in region_rows]
    if not rows:
        return scan.mark(ToolResult.no_data(f"Nothing idle or oversized found in {', '.join(regions)}: no unattached "
                                            f"volumes, stopped instances, idle Elastic IPs, snapshots older than "
                                            f"{OLD_SNAPSHOT_DAYS} days, low-CPU or previous-generation instances."))
    rows.sort(key=lambda row: row["monthly_usd"], reverse=True)
    total = sum(row["monthly_usd"] for row in rows)
    counts = {kind: sum(1 for row in rows if row["kind"] == kind) for kind in KINDS}
    found = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in counts.items() if n)
    summary = (f"Found {found} in {', '.join(regions)}, about ${total:,.2f}/month (estimates: "
               f"${EBS_PER_GB_MONTH}/GB-month EBS, ${SNAPSHOT_PER_GB_MONTH}/GB-month snapshots, "
               f"${EIP_PER_MONTH:.2f}/month per idle IP, us-east-1 on-demand instance prices): "
               f"{_named_in_order(rows, args.limit)}.")
    return scan.mark(ToolResult(
        status="ok", summary=summary, columns=["resource", "name", "kind", "region", "detail", "monthly_usd"],
        rows=rows[: args.limit],
        facts={"monthly_savings_usd": money(total), "unattached_volumes": counts["unattached volume"],
               "stopped_instances": counts["stopped instance"], "idle_elastic_ips": counts["unassociated Elastic IP"],
               "old_snapshots": counts["old snapshot"], "low_cpu_instances": counts["low CPU instance"],
               "previous_generation_instances": counts["previous-generation instance"],
               "gp2_volumes": counts["gp2 volume"], "gp2_price_per_gb_month": GP2_PER_GB_MONTH,
               "ebs_price_per_gb_month": EBS_PER_GB_MONTH, "snapshot_price_per_gb_month": SNAPSHOT_PER_GB_MONTH,
               "eip_price_per_month": EIP_PER_MONTH, "old_snapshot_days": OLD_SNAPSHOT_DAYS,
               "low_cpu_percent": LOW_CPU_PERCENT},
        resources=[row["resource"] for row in rows],
    ))
