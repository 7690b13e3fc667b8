"""ECS services, EKS clusters and load balancers: their inventory rows, and the describe that
says whether each serves (tasks running against desired, targets healthy). Rows are shaped
by the inventory module's ``row`` so the inventory lists them beside instances and buckets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from tools.aws.common import client, iso, tag_map
from tools.aws.errors import error_code
from tools.base import ToolContext, ToolResult

Row = Callable[[str, str, str, str, str, str, dict[str, str]], dict[str, Any]]

UNDER_CAPACITY = "under capacity"
UNHEALTHY_TARGETS = "unhealthy targets"
ATTENTION_STATES = frozenset({UNDER_CAPACITY, UNHEALTHY_TARGETS})  # listed first, named first
HEALTHY = "healthy"
EVENTS_SHOWN = 5
ECS_NOT_FOUND = ("ClusterNotFoundException", "ServiceNotFoundException")
ELB_NOT_FOUND = ("LoadBalancerNotFound", "LoadBalancerNotFoundException")
TARGET_GROUP_NOT_FOUND = ("TargetGroupNotFound", "TargetGroupNotFoundException")
EKS_NOT_FOUND = ("ResourceNotFoundException",)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --------------------------------------------------------------------------- ECS


def ecs_services(ctx: ToolContext, region: str) -> list[dict[str, Any]]:
    """Every ECS service of every cluster in ``region``, as ``describe_services`` returns it
    (with tags); describe takes ten services at a time."""
    ecs = client(ctx, "ecs", region)
    found: list[dict[str, Any]] = []
    clusters = [arn for page in ecs.get_paginator("list_clusters").paginate() for arn in page["clusterArns"]]
    for cluster in clusters:
        arns = [arn for page in ecs.get_paginator("list_services").paginate(cluster=cluster)
                for arn in page["serviceArns"]]
        for chunk in _chunks(arns, 10):
            found.extend(ecs.describe_services(cluster=cluster, services=chunk, include=["TAGS"])["services"])
    return found


def _cluster_name(svc: dict[str, Any]) -> str:
    return str(svc.get("clusterArn", "")).rsplit("/", 1)[-1]


def _ecs_state(svc: dict[str, Any]) -> str:
    if svc.get("runningCount", 0) < svc.get("desiredCount", 0):
        return UNDER_CAPACITY
    return str(svc.get("status", "")).lower()


def _ecs_tags(svc: dict[str, Any]) -> dict[str, str]:
    return {str(tag["key"]): str(tag.get("value", "")) for tag in svc.get("tags") or []}


def ecs_rows(ctx: ToolContext, region: str, row: Row) -> list[dict[str, Any]]:
    return [row("ecs_service", svc["serviceName"], svc["serviceName"], region, _ecs_state(svc),
                f"cluster {_cluster_name(svc)}: {svc.get('runningCount', 0)}/{svc.get('desiredCount', 0)} running, "
                f"{svc.get('pendingCount', 0)} pending", _ecs_tags(svc))
            for svc in ecs_services(ctx, region)]


def describe_ecs_service(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    """An ECS service by name (or ARN) on any cluster of ``region``: its counts and last events."""
    matches = [svc for svc in ecs_services(ctx, region) if ident in (svc["serviceName"], svc.get("serviceArn"))]
    if not matches:
        return None
    svc = matches[0]
    name, desired, running = svc["serviceName"], svc.get("desiredCount", 0), svc.get("runningCount", 0)
    events = sorted(svc.get("events") or [], key=lambda event: event.get("createdAt", 0), reverse=True)
    tags = _ecs_tags(svc)
    facts = {"id": name, "type": "ecs_service", "region": region, "cluster": _cluster_name(svc),
             "status": svc.get("status"), "desired": desired, "running": running,
             "pending": svc.get("pendingCount", 0), "launch_type": svc.get("launchType"),
             "task_definition": str(svc.get("taskDefinition", "")).rsplit("/", 1)[-1],
             "events": [{"at": iso(event["createdAt"]) if event.get("createdAt") else "",
                         "message": event.get("message", "")} for event in events[:EVENTS_SHOWN]],
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    capacity = (f"under capacity: {running} of {desired} tasks running, {facts['pending']} pending"
                if running < desired else f"{running} of {desired} tasks running")
    last = f" Last event: {facts['events'][0]['message']}" if facts["events"] else ""
    summary = f"ECS service {name} on cluster {facts['cluster']} in {region} is {capacity}.{last}"
    rows = [{"property": key, "value": value} for key, value in facts.items()
            if key != "events" and value not in (None, "")]
    rows += [{"property": f"event {event['at']}", "value": event["message"]} for event in facts["events"]]
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=rows, facts=facts,
                      resources=[name, str(svc.get("serviceArn", ""))])


# --------------------------------------------------------------------------- EKS


def eks_rows(ctx: ToolContext, region: str, row: Row) -> list[dict[str, Any]]:
    eks = client(ctx, "eks", region)
    rows = []
    for page in eks.get_paginator("list_clusters").paginate():
        for name in page["clusters"]:
            cluster = eks.describe_cluster(name=name)["cluster"]
            rows.append(row("eks", name, name, region, str(cluster.get("status", "")).lower(),
                            f"Kubernetes {cluster.get('version', '')}".strip(), dict(cluster.get("tags") or {})))
    return rows


def describe_eks(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    try:
        cluster = client(ctx, "eks", region).describe_cluster(name=ident)["cluster"]
    except ClientError as exc:
        if error_code(exc) in EKS_NOT_FOUND:
            return None
        raise
    tags = dict(cluster.get("tags") or {})
    facts = {"id": ident, "type": "eks", "region": region, "status": cluster.get("status"),
             "version": cluster.get("version"), "endpoint": cluster.get("endpoint"),
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    summary = f"EKS cluster {ident} in {region} is {cluster.get('status')}: Kubernetes {cluster.get('version')}."
    rows = [{"property": key, "value": value} for key, value in facts.items() if value not in (None, "")]
    return ToolResult(status="ok", summary=summary, columns=["property", "value"], rows=rows, facts=facts,
                      resources=[ident, str(cluster.get("arn", ""))])


# --------------------------------------------------------------------------- load balancers


def _balancers(ctx: ToolContext, region: str, names: list[str] | None = None) -> list[dict[str, Any]]:
    elb = client(ctx, "elbv2", region)
    try:
        pages = elb.get_paginator("describe_load_balancers").paginate(**({"Names": names} if names else {}))
        return [lb for page in pages for lb in page["LoadBalancers"]]
    except ClientError as exc:
        if names and error_code(exc) in ELB_NOT_FOUND:
            return []
        raise


def _lb_tags(ctx: ToolContext, region: str, arns: list[str]) -> dict[str, dict[str, str]]:
    elb = client(ctx, "elbv2", region)
    tags: dict[str, dict[str, str]] = {}
    for chunk in _chunks(arns, 20):
        for described in elb.describe_tags(ResourceArns=chunk)["TagDescriptions"]:
            tags[described["ResourceArn"]] = tag_map(described.get("Tags"))
    return tags


def target_health(ctx: ToolContext, region: str, lb_arn: str) -> list[dict[str, Any]]:
    """One entry per registered target of each of the balancer's target groups."""
    elb = client(ctx, "elbv2", region)
    targets = []
    for group in elb.describe_target_groups(LoadBalancerArn=lb_arn)["TargetGroups"]:
        for health in elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]:
            state = health.get("TargetHealth", {})
            targets.append({"target_group": group["TargetGroupName"], "target": health["Target"]["Id"],
                            "name": "", "port": health["Target"].get("Port"), "state": state.get("State", ""),
                            "reason": state.get("Reason", ""), "description": state.get("Description", "")})
    names = _instance_names(ctx, region, [t["target"] for t in targets if str(t["target"]).startswith("i-")])
    for target in targets:
        target["name"] = names.get(target["target"], "")
    return targets


def _instance_names(ctx: ToolContext, region: str, ids: list[str]) -> dict[str, str]:
    """Name tag per instance id: a target group names instances by id only, people by name."""
    if not ids:
        return {}
    names: dict[str, str] = {}
    try:
        pages = client(ctx, "ec2", region).describe_instances(InstanceIds=sorted(set(ids)))["Reservations"]
    except ClientError:  # a target deregistered or terminated meanwhile: ids alone
        return {}
    for reservation in pages:
        for instance in reservation["Instances"]:
            name = tag_map(instance.get("Tags")).get("Name")
            if name:
                names[instance["InstanceId"]] = name
    return names


def _target_label(target: dict[str, Any]) -> str:
    return f"{target['name']} ({target['target']})" if target.get("name") else str(target["target"])


def _not_healthy(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [t for t in targets if t["state"] != HEALTHY]


def lb_rows(ctx: ToolContext, region: str, row: Row) -> list[dict[str, Any]]:
    balancers = _balancers(ctx, region)
    tags = _lb_tags(ctx, region, [lb["LoadBalancerArn"] for lb in balancers]) if balancers else {}
    rows = []
    for lb in balancers:
        targets = target_health(ctx, region, lb["LoadBalancerArn"])
        bad = _not_healthy(targets)
        state = UNHEALTHY_TARGETS if bad else str(lb.get("State", {}).get("Code", ""))
        rows.append(row("load_balancer", lb["LoadBalancerName"], lb["LoadBalancerName"], region, state,
                        f"{lb.get('Type', '')} {lb.get('Scheme', '')}, {len(targets) - len(bad)}/{len(targets)} "
                        "targets healthy", tags.get(lb["LoadBalancerArn"], {})))
    return rows


def _balancer_of_group(ctx: ToolContext, region: str, name: str) -> list[dict[str, Any]]:
    """The load balancer a target group of that name sends its traffic from: an alert on the
    group's targets ("tg=checkout-web-tg") names the group, whose health is the balancer's."""
    elb = client(ctx, "elbv2", region)
    try:
        groups = elb.describe_target_groups(Names=[name])["TargetGroups"]
    except ClientError as exc:
        if error_code(exc) in TARGET_GROUP_NOT_FOUND or error_code(exc) == "ValidationError":
            return []
        raise
    arns = [arn for group in groups for arn in group.get("LoadBalancerArns", [])]
    return elb.describe_load_balancers(LoadBalancerArns=arns[:1])["LoadBalancers"] if arns else []


def describe_load_balancer(ctx: ToolContext, region: str, ident: str) -> ToolResult | None:
    """A load balancer by name (or by one of its target groups' names) with each target's
    health, the ones not healthy first."""
    found = _balancers(ctx, region, [ident]) or _balancer_of_group(ctx, region, ident)
    if not found:
        return None
    lb = found[0]
    ident = lb["LoadBalancerName"]
    targets = sorted(target_health(ctx, region, lb["LoadBalancerArn"]), key=lambda t: t["state"] == HEALTHY)
    bad = _not_healthy(targets)
    tags = _lb_tags(ctx, region, [lb["LoadBalancerArn"]]).get(lb["LoadBalancerArn"], {})
    facts = {"id": ident, "type": "load_balancer", "region": region, "state": lb.get("State", {}).get("Code"),
             "lb_type": lb.get("Type"), "scheme": lb.get("Scheme"), "dns_name": lb.get("DNSName"),
             "targets": len(targets), "healthy_targets": len(targets) - len(bad),
             "unhealthy": [t["target"] for t in bad], "unhealthy_names": [t["name"] for t in bad if t["name"]],
             "target_health": targets,
             "tags": ", ".join(f"{k}={v}" for k, v in sorted(tags.items()))}
    problems = "; ".join(f"{_target_label(t)} is {t['state']}"
                         f"{' (' + t['description'] + ')' if t['description'] else ''}" for t in bad)
    summary = (f"Load balancer {ident} in {region}: {facts['healthy_targets']} of {len(targets)} targets healthy"
               f"{': ' + problems if problems else ''}.")
    return ToolResult(status="ok", summary=summary,
                      columns=["target_group", "target", "name", "port", "state", "reason", "description"],
                      rows=targets,
                      facts=facts, resources=[ident, lb["LoadBalancerArn"], *(t["target"] for t in targets)])
