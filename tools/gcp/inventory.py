"""Inventory of a Google Cloud project: Compute Engine instances (every zone, one
``aggregatedList``) and Cloud Storage buckets, with their labels."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from tools.base import ToolContext, ToolResult, ToolSpec
from tools.filters import matches
from tools.gcp.clients import READ_TIMEOUT, google_call, instances_client, project, storage_client
from tools.gcp.errors import gcp_errors
from tools.places import in_place, place_parts
from tools.wording import counted

GcpResourceType = Literal["instance", "bucket"]
# What people (and the router's slots) call them, on any cloud.
TYPE_ALIASES = {"instance": "instance", "instances": "instance", "vm": "instance", "vms": "instance",
                "ec2": "instance", "gce": "instance", "compute": "instance", "bucket": "bucket",
                "buckets": "bucket", "s3": "bucket", "gcs": "bucket", "storage": "bucket"}


def _last(url: str) -> str:
    return url.rsplit("/", 1)[-1] if url else ""


def instance_rows(ctx: ToolContext) -> list[dict[str, Any]]:
    """Every instance of the project, every zone."""
    client = instances_client(ctx)
    pairs = google_call("instances.aggregatedList", lambda: list(client.aggregated_list(
        project=project(ctx), retry=None, timeout=READ_TIMEOUT)))
    rows = []
    for _scope, scoped in pairs:
        for inst in scoped.instances:
            zone = _last(inst.zone)
            rows.append({"type": "instance", "id": str(inst.id), "name": inst.name, "location": zone,
                         "state": inst.status, "detail": _last(inst.machine_type), "labels": dict(inst.labels),
                         "network_tags": list(inst.tags.items) if inst.tags else []})
    return rows


def bucket_list(ctx: ToolContext) -> list[Any]:
    client = storage_client(ctx)
    return google_call("buckets.list", lambda: list(client.list_buckets(retry=None, timeout=READ_TIMEOUT)))


def bucket_rows(ctx: ToolContext) -> list[dict[str, Any]]:
    return [{"type": "bucket", "id": bucket.name, "name": bucket.name, "location": str(bucket.location).lower(),
             "state": "", "detail": str(bucket.storage_class or ""), "labels": dict(bucket.labels or {})}
            for bucket in bucket_list(ctx)]


class GcpInventoryArgs(BaseModel):
    resource_type: GcpResourceType | None = Field(default=None, description="Only instances or only buckets.")
    region: str | None = Field(default=None, description="A region (us-central1) or zone (us-central1-a).")
    tag_key: str | None = Field(default=None, description="A label key (GCP labels are its tags).")
    tag_value: str | None = None
    env: str | None = Field(default=None, description="Matches the env label (prod, staging, dev...); "
                                                      "\"!prod\" is every other env.")
    service: str | None = Field(default=None, description="Matches the service label or the name.")
    limit: int = Field(default=100, ge=1, le=1000)

    @field_validator("resource_type", mode="before")
    @classmethod
    def _alias(cls, value: Any) -> Any:
        return TYPE_ALIASES.get(value.lower(), value) if isinstance(value, str) else value


def _keep(row: dict[str, Any], args: GcpInventoryArgs) -> bool:
    labels = {key.lower(): value for key, value in row["labels"].items()}
    if not matches(args, tags=row["labels"], env=labels.get("env", ""), service=labels.get("service", ""),
                   name=row["name"]):
        return False
    if not args.region:
        return True
    location, wanted = str(row["location"]), args.region.lower()
    parts = place_parts(wanted)  # "europe": europe-west1-b is there
    if parts is not None:
        return in_place(location, parts)
    return location == wanted or location.startswith(wanted + "-")


@gcp_errors("instances.aggregatedList")
def gcp_inventory(ctx: ToolContext, args: GcpInventoryArgs) -> ToolResult:
    rows: list[dict[str, Any]] = []
    if args.resource_type in (None, "instance"):
        rows += instance_rows(ctx)
    if args.resource_type in (None, "bucket"):
        rows += bucket_rows(ctx)
    # instances first, then buckets, each by name: the aggregated list is a protobuf map,
    # whose iteration order is not the server's
    rows = sorted((row for row in rows if _keep(row, args)), key=lambda row: (row["type"] != "instance", row["name"]))
    kinds = args.resource_type or "instance/bucket"
    if not rows:
        return ToolResult.no_data(f"No {kinds} resources matched in Google Cloud project {project(ctx)}.")
    counts = Counter(row["type"] for row in rows)
    listing = ", ".join(counted(n, kind) for kind, n in counts.items())
    names = [row["name"] for row in rows]
    summary = (f"{counted(len(rows), 'resource')} in Google Cloud project {project(ctx)}: {listing} "
               f"({', '.join(names[:8])}{f' and {len(names) - 8} more' if len(names) > 8 else ''}).")
    if len(rows) == 1 and rows[0]["type"] == "instance":
        # one machine asked about ("the bastion one, which zone and type?"): its state, zone and type
        only = rows[0]
        summary += f" {only['name']} is {str(only['state']).lower()} in zone {only['location']}: {only['detail']}."
    shown = []
    for row in rows[: args.limit]:
        labels = row["labels"]
        shown.append({**{k: v for k, v in row.items() if k not in ("labels", "network_tags")},
                      "owner": labels.get("owner", labels.get("team", "")), "env": labels.get("env", ""),
                      "service": labels.get("service", ""),
                      "labels": ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))})
    return ToolResult(status="ok", summary=summary,
                      columns=["type", "name", "id", "location", "state", "detail", "owner", "env", "service",
                               "labels"],
                      rows=shown, facts={"total": len(rows), "project": project(ctx),
                                         **{f"count_{k}": n for k, n in counts.items()}},
                      resources=sorted({row["id"] for row in rows} | set(names)))


INVENTORY_TOOLS: list[ToolSpec] = [
    ToolSpec("gcp_inventory", "List and count Google Cloud resources (Compute Engine instances, Cloud Storage "
             "buckets) by type, region or zone, label, env or service.", GcpInventoryArgs, "read",
             ("infra.inventory",), "gcp", gcp_inventory),
]
