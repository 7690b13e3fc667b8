"""`guardian inventory sync` keeps each snapshot in the database, and the inventory changes tool
answers "what changed since ..." from the difference: synced twice against the sandbox with
an instance stopped, a tag changed, a bucket deleted and one created in between.

The expected rows are built from the seeded company (sandbox/company.py) and what the test
itself changed; the sandbox is reset afterwards (moto reset and re-seed, same ids)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.inventory import sync_inventory
from bot.runtime import Runtime
from sandbox.company import DRIFTWOOD
from sandbox.server import Sandbox

pytestmark = pytest.mark.slow

NEW_BUCKET = "driftwood-inventory-diff-probe"


def _instance_id(ec2: Any, name: str) -> str:
    found = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])
    return str(found["Reservations"][0]["Instances"][0]["InstanceId"])


def _changes(rt: Runtime, **args: Any) -> Any:
    return rt.registry.invoke("knowledge_inventory_changes", args, rt.tool_ctx)


def test_the_difference_between_two_syncs_names_every_change(sandbox_runtime: Runtime, sandbox: Sandbox,
                                                            reseeded_after: None) -> None:
    running = [i for i in DRIFTWOOD.instances if i.state == "running" and i.region == DRIFTWOOD.regions[0]]
    stopped, retagged = running[0], running[1]
    gone = DRIFTWOOD.buckets[-1]
    new_owner = "zed" if retagged.tags.get("owner") != "zed" else "yan"
    assert retagged.tags.get("owner") and not any(b.name == NEW_BUCKET for b in DRIFTWOOD.buckets)

    first = sync_inventory(sandbox_runtime)
    between = datetime.now(UTC)
    session = sandbox.boto_session()
    ec2 = session.client("ec2", region_name=stopped.region)
    s3 = session.client("s3", region_name=DRIFTWOOD.regions[0])
    stopped_id, retagged_id = _instance_id(ec2, stopped.name), _instance_id(ec2, retagged.name)
    ec2.stop_instances(InstanceIds=[stopped_id])
    ec2.create_tags(Resources=[retagged_id], Tags=[{"Key": "owner", "Value": new_owner}])
    listed = s3.list_objects_v2(Bucket=gone.name).get("Contents", [])
    for item in listed:
        s3.delete_object(Bucket=gone.name, Key=item["Key"])
    s3.delete_bucket(Bucket=gone.name)
    s3.create_bucket(Bucket=NEW_BUCKET)
    second = sync_inventory(sandbox_runtime)
    assert second["resources"] == first["resources"]  # one bucket gone, one new

    result = _changes(sandbox_runtime, start_time=between.isoformat())
    assert result.status == "ok", result.summary
    rows = [(r["change"], r["cloud"], r["type"], r["name"], r["id"], r["what"]) for r in result.rows]
    assert rows == [
        ("added", "aws", "s3", NEW_BUCKET, NEW_BUCKET, ""),
        ("removed", "aws", "s3", gone.name, gone.name, ""),
        *sorted([
            ("changed", "aws", "ec2", stopped.name, stopped_id, "state: running -> stopped"),
            ("changed", "aws", "ec2", retagged.name, retagged_id,
             f"owner: {retagged.tags['owner']} -> {new_owner}; tags.owner: {retagged.tags['owner']} -> {new_owner}"),
        ], key=lambda row: (row[3], row[4])),
    ]
    assert result.summary.startswith("4 resources changed between the inventory snapshots of ")
    assert result.summary.endswith(": 1 added, 1 removed, 2 changed.")
    assert {row["when"] for row in result.rows} == {result.citations[1]["title"].removeprefix("inventory snapshot of ")}
    assert [c["source"].startswith("inventory/snapshot/") for c in result.citations] == [True, True]
    assert set(result.resources) == {NEW_BUCKET, gone.name, stopped.name, stopped_id, retagged.name, retagged_id}

    # since the second sync, nothing changed
    latest = _changes(sandbox_runtime, start_time=datetime.now(UTC).isoformat())
    assert latest.status == "no_data" and latest.summary.startswith("No inventory snapshot was taken after ")


def test_a_moment_before_every_snapshot_is_said_and_the_oldest_one_is_the_base(sandbox_runtime: Runtime) -> None:
    before_all = datetime.now(UTC) - timedelta(days=2)
    empty = _changes(sandbox_runtime, start_time=before_all.isoformat())
    assert empty.status == "no_data"
    assert empty.summary == (f"No inventory snapshot was taken at or before {before_all:%Y-%m-%d %H:%M} UTC, so "
                             "what changed since then is unknown; run `guardian inventory sync` (guardian serve "
                             "takes one on a schedule).")
    sync_inventory(sandbox_runtime)
    once = _changes(sandbox_runtime, start_time=before_all.isoformat())
    assert once.status == "no_data" and "(the only one is from " in once.summary
    count = sync_inventory(sandbox_runtime)["resources"]
    twice = _changes(sandbox_runtime, start_time=before_all.isoformat())
    assert twice.status == "ok" and twice.rows == []
    assert twice.summary.startswith(f"No inventory snapshot was taken at or before {before_all:%Y-%m-%d %H:%M} UTC; "
                                    "the oldest is from ")
    assert twice.summary.endswith(f"changed after it. No resource was added, removed or changed between the "
                                  f"inventory snapshots of {twice.citations[0]['title'][22:]} and "
                                  f"{twice.citations[1]['title'][22:]} ({count} resources).")
    assert (twice.facts["added"], twice.facts["removed"], twice.facts["changed"]) == (0, 0, 0)
