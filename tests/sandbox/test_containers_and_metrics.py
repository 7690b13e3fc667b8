"""ECS services, EKS clusters, load balancers (with target health) and CloudWatch metrics,
through boto3 against the seeded sandbox. Every expectation comes from sandbox/company.py
and the ids moto assigned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from agents.route import Route
from agents.slots import extract_slots
from agents.specialists import InfrastructureAgent
from agents.templates import metric_chart
from sandbox.aws import SeededIds
from sandbox.company import OWNERS, Company, EcsService, utc_today
from tools.base import ToolContext
from tools.registry import ToolRegistry

REGIONS = "us-east-1, eu-west-1"


def _ecs_detail(svc: EcsService) -> str:
    return f"cluster {svc.cluster}: {svc.running}/{svc.desired} running, {svc.pending} pending"


def _ecs_state(svc: EcsService) -> str:
    return "under capacity" if svc.under_capacity else "active"


def test_ecs_services_are_listed_with_counts_and_tags(registry: ToolRegistry, ctx: ToolContext,
                                                      company: Company) -> None:
    result = registry.invoke("aws_inventory", {"resource_type": "ecs_service"}, ctx)
    assert result.status == "ok"
    got = {row["name"]: (row["region"], row["state"], row["detail"], row["owner"], row["env"], row["service"])
           for row in result.rows}
    assert got == {svc.name: (svc.region, _ecs_state(svc), _ecs_detail(svc), OWNERS[svc.service], svc.env,
                              svc.service) for svc in company.ecs_services}
    under = company.under_capacity_services()
    assert under and [row["name"] for row in result.rows[:len(under)]] == [svc.name for svc in under]
    assert result.facts["needs_attention"] == [svc.name for svc in under]


def test_eks_clusters_and_load_balancers_are_listed(registry: ToolRegistry, ctx: ToolContext,
                                                    company: Company) -> None:
    eks = registry.invoke("aws_inventory", {"resource_type": "eks"}, ctx)
    assert {row["name"]: (row["region"], row["state"], row["detail"], row["owner"]) for row in eks.rows} == {
        c.name: (c.region, "active", f"Kubernetes {c.version}", OWNERS[c.service]) for c in company.eks_clusters}
    assert "needs_attention" not in eks.facts
    lbs = registry.invoke("aws_inventory", {"resource_type": "load_balancer"}, ctx)
    expected = {}
    for lb in company.load_balancers:
        bad = company.unhealthy_targets(lb)
        expected[lb.name] = (lb.region, "unhealthy targets" if bad else "active",
                             f"application internet-facing, {len(lb.targets) - len(bad)}/{len(lb.targets)} "
                             "targets healthy", OWNERS[lb.service])
    assert {row["name"]: (row["region"], row["state"], row["detail"], row["owner"]) for row in lbs.rows} == expected


def test_the_default_inventory_names_what_needs_attention_first(registry: ToolRegistry, ctx: ToolContext,
                                                                company: Company) -> None:
    result = registry.invoke("aws_inventory", {}, ctx)
    counts = {kind: sum(company.in_region(region)[kind] for region in company.regions)
              for kind in ("ec2", "s3", "rds", "lambda", "ecs_service", "eks", "load_balancer")}
    assert result.facts["total"] == sum(counts.values())
    assert {key: value for key, value in result.facts.items() if key.startswith("count_")} == {
        f"count_{kind}": n for kind, n in counts.items() if n}
    under = company.under_capacity_services()
    broken = [lb for lb in company.load_balancers if company.unhealthy_targets(lb)]
    attention = [svc.name for svc in under] + [lb.name for lb in broken]
    assert result.facts["needs_attention"] == attention
    assert [row["id"] for row in result.rows[:len(attention)]] == attention
    svc, lb = under[0], broken[0]
    healthy = len(lb.targets) - len(company.unhealthy_targets(lb))
    assert result.summary.startswith(
        f"Needs attention: {svc.name} (ecs_service, under capacity: {_ecs_detail(svc)}); {lb.name} (load_balancer, "
        f"unhealthy targets: application internet-facing, {healthy}/{len(lb.targets)} targets healthy). "
        f"{sum(counts.values())} resources in {REGIONS}: ")


def test_a_load_balancer_is_described_with_each_targets_health(registry: ToolRegistry, ctx: ToolContext,
                                                                company: Company, ids: SeededIds) -> None:
    lb = company.load_balancers[0]
    bad = company.unhealthy_targets(lb)
    result = registry.invoke("aws_describe_resource", {"resource_id": lb.name}, ctx)
    assert result.status == "ok"
    # moto reports a stopped instance "unused" (Target.InvalidState); it cannot report "unhealthy"
    assert {row["target"]: (row["target_group"], row["state"], row["reason"]) for row in result.rows} == {
        ids.instances[name]: (lb.target_group, "unused", "Target.InvalidState") if name in bad
        else (lb.target_group, "healthy", "") for name in lb.targets}
    assert [row["target"] for row in result.rows[:len(bad)]] == [ids.instances[name] for name in bad]
    assert result.facts["unhealthy"] == [ids.instances[name] for name in bad]
    # a target group knows instances by id; the answer names them as people do (their Name tag)
    assert {row["target"]: row["name"] for row in result.rows} == {ids.instances[name]: name for name in lb.targets}
    assert result.facts["unhealthy_names"] == bad
    problems = "; ".join(f"{name} ({ids.instances[name]}) is unused (Target is in the stopped state)" for name in bad)
    assert result.summary == (f"Load balancer {lb.name} in {lb.region}: {len(lb.targets) - len(bad)} of "
                              f"{len(lb.targets)} targets healthy: {problems}.")
    by_arn = registry.invoke("aws_describe_resource", {"resource_id": ids.arns[lb.name]}, ctx)
    assert by_arn.facts["unhealthy"] == result.facts["unhealthy"]


@pytest.mark.parametrize("under", [True, False])
def test_an_ecs_service_is_described_with_counts_and_last_events(registry: ToolRegistry, ctx: ToolContext,
                                                                 company: Company, under: bool) -> None:
    svc = next(s for s in company.ecs_services if s.under_capacity == under)
    result = registry.invoke("aws_describe_resource", {"resource_id": svc.name}, ctx)
    assert result.status == "ok"
    facts = result.facts
    assert (facts["cluster"], facts["region"], facts["desired"], facts["running"], facts["pending"]) == (
        svc.cluster, svc.region, svc.desired, svc.running, svc.pending)
    assert [event["message"] for event in facts["events"]] == list(svc.events)
    capacity = (f"under capacity: {svc.running} of {svc.desired} tasks running, {svc.pending} pending" if under
                else f"{svc.running} of {svc.desired} tasks running")
    last = f" Last event: {svc.events[0]}" if svc.events else ""
    assert result.summary == f"ECS service {svc.name} on cluster {svc.cluster} in {svc.region} is {capacity}.{last}"


def test_an_eks_cluster_is_described(registry: ToolRegistry, ctx: ToolContext, company: Company) -> None:
    cluster = company.eks_clusters[0]
    result = registry.invoke("aws_describe_resource", {"resource_id": cluster.name}, ctx)
    assert result.summary == f"EKS cluster {cluster.name} in {cluster.region} is ACTIVE: Kubernetes {cluster.version}."
    assert result.facts["tags"] == ", ".join(f"{k}={v}" for k, v in sorted(cluster.tags.items()))


# --------------------------------------------------------------------------- CloudWatch metrics


def test_cpu_of_an_instance_by_name_is_a_daily_series(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                                      ids: SeededIds) -> None:
    """The seed puts one CPUUtilization point a day (at the instance's average) for 14 days:
    five whole days give five daily points at that value."""
    inst = next(i for i in company.instances if i.state == "running" and i.cpu_percent != 35.0)
    today = utc_today()
    start = today - timedelta(days=5)
    result = registry.invoke("aws_metrics", {"resource_id": inst.name, "start": start.isoformat(),
                                             "end": today.isoformat()}, ctx)
    assert result.status == "ok"
    assert [(row["average"], row["maximum"]) for row in result.rows] == [(inst.cpu_percent, inst.cpu_percent)] * 5
    assert all(start.isoformat() <= row["time"] < today.isoformat() for row in result.rows)
    facts = result.facts
    assert (facts["id"], facts["metric"], facts["unit"], facts["period_seconds"], facts["datapoints"],
            facts["average"]) == (ids.instances[inst.name], "CPUUtilization", "Percent", 86400, 5, inst.cpu_percent)
    chart = metric_chart(result)
    assert chart is not None and chart.y_kind == "percent" and chart.title == f"CPUUtilization of {inst.name}"
    assert [(p.x, p.y) for p in chart.series[0].points] == [(row["time"], row["average"]) for row in result.rows]


def test_a_short_period_is_hourly_and_an_id_works(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                                  ids: SeededIds) -> None:
    inst = next(i for i in company.instances if i.state == "running" and i.region == "eu-west-1")
    today = utc_today()
    result = registry.invoke("aws_metrics", {"resource_id": ids.instances[inst.name],
                                             "start": (today - timedelta(days=2)).isoformat(),
                                             "end": today.isoformat()}, ctx)
    assert result.facts["period_seconds"] == 3600 and result.facts["region"] == inst.region
    assert [row["average"] for row in result.rows] == [inst.cpu_percent] * 2


def test_metrics_of_a_stopped_or_unknown_instance(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                                  ids: SeededIds) -> None:
    stopped = company.stopped_instances()[0]
    today = utc_today()
    start, end = today - timedelta(days=3), today
    result = registry.invoke("aws_metrics", {"resource_id": stopped.name, "start": start.isoformat(),
                                             "end": end.isoformat()}, ctx)
    span = (f"{datetime.combine(start, datetime.min.time(), UTC).isoformat()} to "
            f"{datetime.combine(end, datetime.min.time(), UTC).isoformat()}")
    assert result.status == "no_data"
    assert result.summary == (f"CloudWatch has no CPUUtilization for {ids.instances[stopped.name]} ({stopped.name}) "
                              f"in {stopped.region} from {span}.")
    unknown = registry.invoke("aws_metrics", {"resource_id": "i-0123456789abcdef0"}, ctx)
    assert unknown.status == "error"
    assert unknown.summary == f"No resource named i-0123456789abcdef0 was found in {REGIONS}."


def _plan(text: str, registry: ToolRegistry) -> list[tuple[str, dict[str, object]]]:
    route = Route(text=text, agent="infrastructure", skill="infra.describe", confidence=1.0,
                  slots=extract_slots(text, datetime.now(UTC)))
    plan = InfrastructureAgent("infrastructure").plan(route, registry)
    assert plan.missing == []
    return [(call.spec.name, call.args) for call in plan.reads]


def test_the_metrics_tool_is_planned_only_when_a_metric_is_asked_for(registry: ToolRegistry) -> None:
    asked = dict(_plan("cpu utilization of payments-api-1 over the last 3 days", registry))
    today = utc_today()
    assert asked["aws_metrics"]["metric"] == "CPUUtilization"
    assert (asked["aws_metrics"]["start"], asked["aws_metrics"]["end"]) == (
        (today - timedelta(days=3)).isoformat(), today.isoformat())
    assert "aws_describe_resource" in asked
    assert [name for name, _ in _plan("details of checkout-cart", registry)] == ["aws_describe_resource"]
