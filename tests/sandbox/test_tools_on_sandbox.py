"""Every AWS tool against the seeded Driftwood Labs sandbox; each expectation is derived from
sandbox/company.py (and the ids moto assigned), never written out here. Tools are found
by skill, the contract's stable name."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta
from typing import Any

import boto3
import pytest

from sandbox.aws import SeededIds
from sandbox.company import (
    LOW_CPU_PERCENT,
    OLD_SNAPSHOT_DAYS,
    SECRET_FIXTURE,
    SPIKE,
    SPIKE_USAGE_TYPE,
    Company,
    cost_by_aws_service,
    forecast_line_cost,
    line_cost,
    planted_anomaly,
    spike_start,
    total_cost,
    utc_today,
)
from sandbox.company import days_between as company_days
from sandbox.server import Sandbox
from tests.helpers import approved_call
from tests.scan_expectations import expected_pairs
from tools.aws import Finding, describe_instance_action, posture_score
from tools.aws.cost import BASELINE_DAYS, RECENT_DAYS
from tools.aws.savings import (
    DOWNSIZE_SAVING,
    EBS_PER_GB_MONTH,
    GP2_PER_GB_MONTH,
    HOURLY_USD,
    MIN_MIGRATION_USD,
    NEXT_GENERATION,
    SNAPSHOT_PER_GB_MONTH,
)
from tools.base import ToolContext, ToolResult
from tools.redaction import sanitize
from tools.registry import ToolRegistry, WriteNotApproved

pytestmark = pytest.mark.slow  # starts the sandbox (moto + Cost Explorer)


def run(registry: ToolRegistry, ctx: ToolContext, skill: str, tool: str | None = None, **args: Any) -> ToolResult:
    """The skill's AWS tool (``tool`` names it when the skill has several) on the sandbox."""
    (spec,) = [spec for spec in registry.for_skill(skill) if spec.integration == "aws" and tool in (None, spec.name)]
    result = (registry.execute(approved_call(spec.name, args), ctx) if spec.mutating
              else registry.invoke(spec.name, args, ctx))
    assert result.status != "error", result.summary
    return result


def test_cost_summary_matches_the_company_spend(registry: ToolRegistry, ctx: ToolContext) -> None:
    today = utc_today()
    start = today - timedelta(days=7)
    expected = cost_by_aws_service(start, today)
    result = run(registry, ctx, "cost.summary", start=start.isoformat(), end=today.isoformat())
    assert result.facts["total"] == pytest.approx(sum(expected.values()), abs=0.05)
    assert [row["service"] for row in result.rows] == list(expected)
    assert result.rows[0]["cost"] == pytest.approx(next(iter(expected.values())), abs=0.01)



def test_cost_summary_of_one_application_is_its_tagged_spend(registry: ToolRegistry, ctx: ToolContext,
                                                             company: Company) -> None:
    """"What did analytics cost": the spend tagged with that service, and the summary says so."""
    today = utc_today()
    start = today - timedelta(days=7)
    app = company.cost_lines[-1].service
    result = run(registry, ctx, "cost.summary", start=start.isoformat(), end=today.isoformat(), app_service=app)
    assert result.facts["total"] == pytest.approx(total_cost(start, today, service=app), abs=0.05)
    assert f"service={app}" in result.summary

def test_cost_summary_of_a_team_said_in_lower_case_is_its_tagged_spend(registry: ToolRegistry, ctx: ToolContext,
                                                                       company: Company) -> None:
    """"What did the storefront team cost": the spend tagged team=Storefront, however it is cased."""
    today = utc_today()
    start = today - timedelta(days=14)
    team = company.cost_lines[1].tags["team"]
    expected = sum(line_cost(line, day, today) for line in company.cost_lines if line.tags["team"] == team
                   for day in company_days(start, today))
    result = run(registry, ctx, "cost.summary", start=start.isoformat(), end=today.isoformat(), team=team.lower())
    assert team != team.lower() and expected > 0
    assert result.facts["total"] == pytest.approx(expected, abs=0.05)
    assert f"team={team.lower()}" in result.summary


def test_cost_anomaly_names_the_spiking_service_and_day(registry: ToolRegistry, ctx: ToolContext) -> None:
    result = run(registry, ctx, "cost.anomalies")
    assert result.facts["top_service"] == SPIKE.aws_service
    assert result.facts["spike_day"] == spike_start().isoformat()
    assert result.facts["change_pct"] > 100
    assert SPIKE.aws_service in result.resources


def test_cost_anomaly_cites_aws_cost_anomaly_detection(registry: ToolRegistry, ctx: ToolContext,
                                                       company: Company) -> None:
    """The account has a monitor: the answer is AWS's anomaly (impact, root cause), not a guess."""
    planted = planted_anomaly(utc_today(), company.anomaly_monitors)
    assert planted is not None
    result = run(registry, ctx, "cost.anomalies")
    facts = result.facts
    assert facts["source"] == "aws_cost_anomaly_detection" and facts["monitors"] == len(company.anomaly_monitors)
    assert (facts["top_service"], facts["region"], facts["usage_type"]) == (SPIKE.aws_service, SPIKE.region,
                                                                            SPIKE_USAGE_TYPE)
    assert facts["impact_usd"] == pytest.approx(planted.impact, abs=0.01)
    assert facts["expected_usd"] == pytest.approx(planted.expected, abs=0.01)
    assert facts["change_pct"] == pytest.approx(planted.impact_percent, abs=0.1)
    assert [row["service"] for row in result.rows] == [SPIKE.aws_service]
    assert result.summary.startswith(f"AWS Cost Anomaly Detection: {SPIKE.aws_service} in {SPIKE.region} "
                                     f"(usage type {SPIKE_USAGE_TYPE}) since {planted.start.isoformat()}, "
                                     f"${planted.impact:,.2f} above")
    [(label, series)] = facts["daily"].items()  # the chart: the root cause's daily spend in its region
    assert label == f"{SPIKE.aws_service} in {SPIKE.region}"
    assert dict(series)[planted.start.isoformat()] == pytest.approx(
        total_cost(planted.start, planted.start + timedelta(days=1), aws_service=SPIKE.aws_service,
                   region=SPIKE.region), abs=0.01)


def test_an_ec2_anomaly_names_the_running_instances_of_the_type_it_bills(registry: ToolRegistry, ctx: ToolContext,
                                                                         company: Company, ids: SeededIds) -> None:
    """"why did the spend jump": which machines the billed instance type is, from EC2 itself."""
    billed = SPIKE_USAGE_TYPE.rpartition(":")[2]
    machines = {(ids.instances[i.name], i.name) for i in company.instances
                if i.instance_type == billed and i.region == SPIKE.region and i.state == "running"}
    assert machines  # the sandbox runs the machine the spike bills, or this proves nothing
    result = run(registry, ctx, "cost.anomalies")
    assert {(item["id"], item["name"]) for item in result.facts["instances_of_usage_type"]} == machines
    assert {instance_id for instance_id, _ in machines} <= set(result.resources)
    assert all(f"{name} ({instance_id})" in result.summary for instance_id, name in machines)


@pytest.fixture
def no_monitors(sandbox: Sandbox) -> Iterator[None]:
    """The same spend in an account without Cost Anomaly Detection monitors."""
    kept = sandbox.cost_explorer.monitors
    sandbox.cost_explorer.monitors = ()
    try:
        yield
    finally:
        sandbox.cost_explorer.monitors = kept


def _median(values: list[float]) -> float:
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def test_without_monitors_the_baseline_is_the_median_of_four_weeks(registry: ToolRegistry, ctx: ToolContext,
                                                                     company: Company, no_monitors: None) -> None:
    """Each of the last days expects the median of its weekday over the weeks before."""
    today = utc_today()
    result = run(registry, ctx, "cost.anomalies")
    facts = result.facts
    assert facts["source"] == "baseline"
    assert (facts["top_service"], facts["region"]) == (SPIKE.aws_service, SPIKE.region)
    assert facts["spike_day"] == spike_start(today).isoformat()
    history = company_days(today - timedelta(days=BASELINE_DAYS), today - timedelta(days=RECENT_DAYS))
    daily = {day: total_cost(day, day + timedelta(days=1), aws_service=SPIKE.aws_service, region=SPIKE.region)
             for day in history}
    recent_days = company_days(spike_start(today), today)
    usual = [_median([amount for day, amount in daily.items() if day.weekday() == recent.weekday()])
             for recent in recent_days]
    assert facts["history_days"] == len(daily) == BASELINE_DAYS - RECENT_DAYS
    assert facts["baseline_daily"] == pytest.approx(sum(usual) / len(usual), abs=0.01)
    recent = total_cost(spike_start(today), today, aws_service=SPIKE.aws_service, region=SPIKE.region)
    assert facts["recent_daily"] == pytest.approx(recent / RECENT_DAYS, abs=0.01)
    assert facts["start"] == (today - timedelta(days=BASELINE_DAYS)).isoformat()
    unusual = [(row["service"], row["region"]) for row in result.rows if row["spike_day"]]
    assert unusual == [(SPIKE.aws_service, SPIKE.region)]  # +-4% wobble elsewhere is inside the spread
    assert f"{SPIKE.aws_service} in {SPIKE.region} changed most" in result.summary


def test_a_role_without_anomaly_monitors_permission_gets_the_baseline(registry: ToolRegistry, ctx: ToolContext,
                                                                       sandbox: Sandbox) -> None:
    sandbox.cost_explorer.denied.add("GetAnomalyMonitors")
    try:
        result = run(registry, ctx, "cost.anomalies")
    finally:
        sandbox.cost_explorer.denied.discard("GetAnomalyMonitors")
    assert result.facts["source"] == "baseline" and result.facts["detection_denied"] == "ce:GetAnomalyMonitors"
    assert (result.facts["top_service"], result.facts["region"]) == (SPIKE.aws_service, SPIKE.region)
    assert result.summary.endswith("Cost Anomaly Detection was not read: the role lacks ce:GetAnomalyMonitors.")


def test_cost_summary_compares_last_month_with_the_month_before(registry: ToolRegistry, ctx: ToolContext) -> None:
    """Two named months: each service's change in $ and %, the total's too."""
    month = utc_today().replace(day=1)
    last = (month - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    result = run(registry, ctx, "cost.summary", start=last.isoformat(), end=month.isoformat())
    assert (result.facts["previous_start"], result.facts["previous_end"]) == (before.isoformat(), last.isoformat())
    now, then = cost_by_aws_service(last, month), cost_by_aws_service(before, last)
    for row in result.rows:
        assert row["cost"] == pytest.approx(now[row["service"]], abs=0.01)
        assert row["previous"] == pytest.approx(then[row["service"]], abs=0.01)
        assert row["change"] == pytest.approx(now[row["service"]] - then[row["service"]], abs=0.02)
        assert row["change_pct"] == pytest.approx(
            100 * (now[row["service"]] - then[row["service"]]) / then[row["service"]], abs=0.1)
    assert result.facts["previous_total"] == pytest.approx(sum(then.values()), abs=0.05)
    assert result.facts["change"] == pytest.approx(sum(now.values()) - sum(then.values()), abs=0.05)
    chart = result.facts["daily"]  # the three biggest services' daily spend, for the answer's chart
    assert list(chart) == list(now)[:3]
    assert [day for day, _amount in chart[SPIKE.aws_service]] == [d.isoformat() for d in company_days(last, month)]


def test_cost_summary_in_one_region_and_by_region(registry: ToolRegistry, ctx: ToolContext,
                                                  company: Company) -> None:
    today = utc_today()
    start = today - timedelta(days=7)
    region = "eu-west-1"
    result = run(registry, ctx, "cost.summary", start=start.isoformat(), end=today.isoformat(), region=region,
                 aws_service="ec2")
    assert result.facts["total"] == pytest.approx(
        total_cost(start, today, aws_service=SPIKE.aws_service, region=region), abs=0.01)
    assert [row["service"] for row in result.rows] == [SPIKE.aws_service]
    by_region = run(registry, ctx, "cost.summary", start=start.isoformat(), end=today.isoformat(), group_by="region")
    expected = {name: total_cost(start, today, region=name) for name in company.regions}
    assert {row["region"]: row["cost"] for row in by_region.rows} == pytest.approx(expected, abs=0.01)


def test_cost_summary_against_an_explicit_period(registry: ToolRegistry, ctx: ToolContext) -> None:
    today = utc_today()
    start, old_start = today - timedelta(days=7), today - timedelta(days=60)
    result = run(registry, ctx, "cost.summary", start=start.isoformat(), end=today.isoformat(),
                 compare_start=old_start.isoformat(), compare_end=(old_start + timedelta(days=7)).isoformat())
    then = cost_by_aws_service(old_start, old_start + timedelta(days=7))
    assert {row["service"]: row["previous"] for row in result.rows} == pytest.approx(
        {name: amount for name, amount in then.items() if name in {row["service"] for row in result.rows}},
        abs=0.01)


def test_cost_anomaly_ignores_the_incomplete_current_day(registry: ToolRegistry, ctx: ToolContext) -> None:
    """"this week" can end tomorrow; today's partial spend must not read as a drop everywhere."""
    today = utc_today()
    result = run(registry, ctx, "cost.anomalies", start=(today - timedelta(days=2)).isoformat(),
                 end=(today + timedelta(days=1)).isoformat())
    assert result.facts["top_service"] == SPIKE.aws_service
    assert result.facts["end"] == today.isoformat()
    assert result.facts["spike_day"] == spike_start().isoformat()
    assert [row["service"] for row in result.rows if abs(row["change_pct"] or 0) > 20] == [SPIKE.aws_service]


def test_cost_forecast_is_the_run_rate_to_month_end(registry: ToolRegistry, ctx: ToolContext,
                                                    company: Company) -> None:
    today = utc_today()
    month_end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    expected = sum(forecast_line_cost(line, day) for line in company.cost_lines
                   for day in company_days(today, month_end))
    result = run(registry, ctx, "cost.forecast")
    assert result.facts["forecast"] == pytest.approx(expected, abs=0.05)
    mtd = sum(cost_by_aws_service(today.replace(day=1), today).values())
    assert result.facts["mtd"] == pytest.approx(mtd, abs=0.05)


def test_one_services_forecast_is_that_services_run_rate_alone(registry: ToolRegistry, ctx: ToolContext,
                                                                 company: Company) -> None:
    """The Cost Explorer stand-in honours the forecast's SERVICE filter: "for rds" is RDS's
    lines only, far below the account's forecast."""
    today = utc_today()
    month_end = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    rds = [line for line in company.cost_lines if line.aws_service == "Amazon Relational Database Service"]
    expected = sum(forecast_line_cost(line, day) for line in rds for day in company_days(today, month_end))
    result = run(registry, ctx, "cost.forecast", aws_service="rds")
    assert rds and result.facts["forecast"] == pytest.approx(expected, abs=0.05)
    assert result.facts["mtd"] == pytest.approx(total_cost(today.replace(day=1), today,
                                                           aws_service=rds[0].aws_service), abs=0.05)
    assert result.facts["forecast"] < run(registry, ctx, "cost.forecast").facts["forecast"]


def test_savings_lists_the_planted_idle_resources(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                                  ids: SeededIds) -> None:
    result = run(registry, ctx, "cost.savings")
    expected = ({ids.volumes[v.name] for v in company.unattached_volumes()}
                | {ids.instances[i.name] for i in company.stopped_instances()}
                | {ids.elastic_ips[e.name] for e in company.idle_elastic_ips()})
    expected |= {ids.snapshots[s.name] for s in company.old_snapshots(OLD_SNAPSHOT_DAYS)}
    expected |= {ids.instances[i.name] for i in company.low_cpu_instances(LOW_CPU_PERCENT)}
    expected |= {ids.instances[i.name] for i in company.previous_generation_instances()}
    running = {i.name for i in company.instances if i.state == "running"}
    expected |= {ids.volumes[v.name] for v in company.volumes  # in-use gp2 worth moving to gp3
                 if v.volume_type == "gp2" and v.attached_to in running
                 and round(v.size_gb * (GP2_PER_GB_MONTH - EBS_PER_GB_MONTH), 2) >= MIN_MIGRATION_USD}
    assert set(result.resources) == expected
    unattached = sum(v.size_gb for v in company.unattached_volumes())
    assert result.facts["monthly_savings_usd"] >= unattached * result.facts["ebs_price_per_gb_month"]


def test_savings_price_old_snapshots_low_cpu_and_old_generations(registry: ToolRegistry, ctx: ToolContext,
                                                                  company: Company, ids: SeededIds) -> None:
    """Each row: resource, kind, region, detail and an estimated $/month; the biggest first."""
    result = run(registry, ctx, "cost.savings")
    rows = {(row["resource"], row["kind"]): row for row in result.rows}
    old = company.old_snapshots(OLD_SNAPSHOT_DAYS)
    fresh = [s for s in company.snapshots if s not in old]
    assert old and fresh
    for snap in old:
        row = rows[(ids.snapshots[snap.name], "old snapshot")]
        size = company.volume(snap.volume).size_gb
        assert row["region"] == snap.region
        assert row["monthly_usd"] == pytest.approx(size * SNAPSHOT_PER_GB_MONTH, abs=0.01)
        assert row["name"] == snap.name and row["detail"] == f"{size} GiB, {snap.age_days} days old"
    assert not any(ids.snapshots[s.name] in result.resources for s in fresh)
    idle = company.low_cpu_instances(LOW_CPU_PERCENT)
    assert idle
    for inst in idle:
        row = rows[(ids.instances[inst.name], "low CPU instance")]
        assert row["monthly_usd"] == pytest.approx(HOURLY_USD[inst.instance_type] * 730 * DOWNSIZE_SAVING, abs=0.01)
        assert row["name"] == inst.name
        assert row["detail"].startswith(f"{inst.instance_type}, {inst.cpu_percent:.1f}% average CPU")
    busy = [i for i in company.instances if i.state == "running" and i not in idle]
    assert not any((ids.instances[i.name], "low CPU instance") in rows for i in busy)
    legacy = company.previous_generation_instances()
    assert legacy
    for inst in legacy:
        family, size = inst.instance_type.split(".")
        current = f"{NEXT_GENERATION[family]}.{size}"
        row = rows[(ids.instances[inst.name], "previous-generation instance")]
        assert row["region"] == inst.region and current in row["detail"]
        assert row["monthly_usd"] == pytest.approx(
            (HOURLY_USD[inst.instance_type] - HOURLY_USD[current]) * 730, abs=0.01)
    amounts = [row["monthly_usd"] for row in result.rows]
    assert amounts == sorted(amounts, reverse=True)
    assert result.facts["monthly_savings_usd"] == pytest.approx(sum(amounts), abs=0.01)


def test_inventory_counts_and_filters(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                      ids: SeededIds) -> None:
    everything = run(registry, ctx, "infra.inventory")
    assert everything.facts["count_ec2"] == len(company.instances)
    assert everything.facts["count_s3"] == len(company.buckets)
    assert everything.facts["count_rds"] == len(company.databases)
    assert everything.facts["count_lambda"] == len(company.functions)
    payments = run(registry, ctx, "infra.inventory", service="payments")
    assert {row["name"] for row in payments.rows} == set(company.resources_of_service("payments"))
    staging = run(registry, ctx, "infra.inventory", resource_type="ec2", env="staging")
    assert {row["id"] for row in staging.rows} == {ids.instances[i.name] for i in company.instances
                                                   if i.env == "staging"}
    eu = run(registry, ctx, "infra.inventory", region="eu-west-1", resource_type="ec2")
    assert len(eu.rows) == company.in_region("eu-west-1")["ec2"]


def test_a_place_lists_the_configured_regions_in_it(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                                    ids: SeededIds) -> None:
    """"europe" is every configured region there (eu-west-1 here), "us east" us-east-1; a
    place with none of them is a sentence saying which regions there are, before any call."""
    europe = run(registry, ctx, "infra.inventory", region="europe", resource_type="ec2")
    assert {row["id"] for row in europe.rows} == {ids.instances[i.name] for i in company.instances
                                                  if i.region.startswith("eu-")}
    east = run(registry, ctx, "infra.inventory", region="us east", resource_type="ec2")
    assert {row["region"] for row in east.rows} == {"us-east-1"}
    (spec,) = [spec for spec in registry.for_skill("infra.inventory") if spec.name == "aws_inventory"]
    asia = registry.invoke(spec.name, {"region": "asia"}, ctx)
    assert asia.status == "error"
    assert asia.summary == f"None of the AWS regions Guardian covers ({', '.join(ctx.regions)}) is in asia; ask " \
                           "for one of those."


@pytest.mark.parametrize("kind", ["instance", "bucket", "db", "function", "security_group", "volume"])
def test_describe_finds_each_kind_by_name(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                          ids: SeededIds, kind: str) -> None:
    name, expected_id = {
        "instance": (company.instances[0].name, ids.instances[company.instances[0].name]),
        "bucket": (company.buckets[0].name, company.buckets[0].name),
        "db": (company.databases[0].identifier, company.databases[0].identifier),
        "function": (company.functions[0].name, company.functions[0].name),
        "security_group": (ids.security_groups[company.security_groups[0].name],) * 2,
        "volume": (ids.volumes[company.volumes[0].name],) * 2,
    }[kind]
    result = run(registry, ctx, "infra.describe", "aws_describe_resource", resource_id=name)
    assert expected_id in result.resources



def test_savings_name_every_candidate_as_tagged(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                                ids: SeededIds) -> None:
    """A volume or an address is known by its Name tag: the row and the summary carry it beside the id."""
    result = run(registry, ctx, "cost.savings")
    names = {row["resource"]: row["name"] for row in result.rows}
    for volume in company.unattached_volumes():
        assert names[ids.volumes[volume.name]] == volume.name
        assert f"{volume.name} ({ids.volumes[volume.name]})" in result.summary
    for address in company.idle_elastic_ips():
        assert names[ids.elastic_ips[address.name]] == address.name


def test_describe_says_who_owns_a_database_an_instance_and_a_function(registry: ToolRegistry, ctx: ToolContext,
                                                           company: Company) -> None:
    database, instance, function = company.databases[0], company.instances[0], company.functions[0]
    for name, tags in ((database.identifier, database.tags), (instance.name, instance.tags),
                       (function.name, function.tags)):
        result = run(registry, ctx, "infra.describe", "aws_describe_resource", resource_id=name)
        assert f"Owner {tags['owner']}, team {tags['team']}." in result.summary

def test_describe_unknown_resource_is_one_sentence(registry: ToolRegistry, ctx: ToolContext,
                                                   company: Company) -> None:
    spec = registry.get("aws_describe_resource")
    result = registry.invoke(spec.name, {"resource_id": "no-such-thing-42"}, ctx)
    assert result.status == "error"
    assert result.summary == f"No resource named no-such-thing-42 was found in {', '.join(company.regions)}."


def test_describe_a_load_balancer_named_in_plain_words(registry: ToolRegistry, ctx: ToolContext,
                                                       company: Company) -> None:
    balancer = company.load_balancers[0]
    words = f"is the {balancer.service} load balancer healthy"
    result = run(registry, ctx, "infra.describe", "aws_describe_resource", resource_id=words)
    assert balancer.name in result.resources
    assert all(name in result.summary for name in company.unhealthy_targets(balancer))


def test_public_storage_finds_public_and_unencrypted_buckets(registry: ToolRegistry, ctx: ToolContext,
                                                             company: Company) -> None:
    result = run(registry, ctx, "security.public_storage")
    public = {row["bucket"] for row in result.rows if row["public"]}
    plain = {row["bucket"] for row in result.rows if not row["encrypted"]}
    assert public == {b.name for b in company.public_buckets()}
    assert plain == {b.name for b in company.unencrypted_buckets()}
    assert result.facts["buckets_checked"] == len(company.buckets)


def test_public_storage_for_words_no_bucket_has_answers_for_every_bucket(registry: ToolRegistry, ctx: ToolContext,
                                                                         company: Company) -> None:
    """"the marketing bucket is meant to be public, anything else?": no bucket holds the word, so
    the answer is every bucket's, and says no bucket is named so (not "none is public")."""
    word = "marketing"
    assert not any(word in b.name for b in company.buckets)
    result = run(registry, ctx, "security.public_storage", bucket=word)
    assert {row["bucket"] for row in result.rows if row["public"]} == {b.name for b in company.public_buckets()}
    assert result.summary.startswith(f"No bucket is named '{word}'; of all buckets: ")


def test_public_storage_for_a_word_of_a_buckets_name_is_that_bucket(registry: ToolRegistry, ctx: ToolContext,
                                                                    company: Company) -> None:
    public = company.public_buckets()[0]
    word = next(part for part in public.name.split("-")
                if sum(part in b.name.split("-") for b in company.buckets) == 1)
    result = run(registry, ctx, "security.public_storage", bucket=word)
    assert [row["bucket"] for row in result.rows] == [public.name]
    clean = next(b for b in company.buckets if not b.public and b.encrypted)
    fine = run(registry, ctx, "security.public_storage", bucket=clean.name)
    assert fine.status == "no_data" and fine.summary.startswith(f"{clean.name} is neither public nor")


def test_open_ports_of_one_instance_are_its_groups_rules(registry: ToolRegistry, ctx: ToolContext,
                                                         company: Company, ids: SeededIds) -> None:
    """"What is open on <instance>": only the world-open groups that instance uses, by its Name."""
    open_names = {g.name for g in company.world_open_groups()}
    exposed = next(i for i in company.instances if set(i.security_groups) & open_names)
    result = run(registry, ctx, "security.open_ports", resource_id=exposed.name)
    assert {row["name"] for row in result.rows} == set(exposed.security_groups) & open_names
    assert all(ids.instances[exposed.name] in row["instances"] for row in result.rows)
    shut = next(i for i in company.instances if i.security_groups and not set(i.security_groups) & open_names)
    spec = registry.get("aws_open_security_groups")
    none = registry.invoke(spec.name, {"resource_id": shut.name}, ctx)
    assert none.status == "no_data" and shut.name in none.summary

def test_open_ports_flags_world_open_groups(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                            ids: SeededIds) -> None:
    result = run(registry, ctx, "security.open_ports")
    assert {row["group_id"] for row in result.rows} == {ids.security_groups[g.name]
                                                         for g in company.world_open_groups()}
    high = {(row["name"], row["ports"]) for row in result.rows if row["severity"] == "high"}
    assert {("bastion-ssh", "22"), ("analytics-db", "5432")} <= high
    bastion = next(row for row in result.rows if row["name"] == "bastion-ssh")
    users = {ids.instances[i.name] for i in company.instances if "bastion-ssh" in i.security_groups}
    assert set(bastion["instances"].split(", ")) == users


def test_iam_findings_match_the_planted_users(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                              ids: SeededIds) -> None:
    result = run(registry, ctx, "security.iam")

    def users(issue: str) -> set[str]:
        return {row["user"] for row in result.rows if row["issue"] == issue}

    assert users("console access without MFA") == {u.name for u in company.users_without_mfa()}
    assert users("old access key") == {u.name for u in company.users_with_old_keys()}
    assert users("access key never used") == {u.name for u in company.users_with_unused_keys()}
    assert users("administrator access") == {u.name for u in company.admins()}
    old = company.users_with_old_keys()[0]
    row = next(r for r in result.rows if r["issue"] == "old access key")
    assert f"{max(old.key_ages_days)} days old" in row["detail"]
    # key ids leave the registry shortened (AKIA…WXYZ): recognisable, not reusable
    key_id = ids.access_keys[old.name][0]
    assert f"{key_id[:4]}…{key_id[-4:]}" in result.resources
    assert key_id not in str(result.model_dump())


def test_security_hub_findings(registry: ToolRegistry, ctx: ToolContext, company: Company,
                               ids: SeededIds) -> None:
    result = run(registry, ctx, "security.findings", tool="aws_security_hub_findings")
    assert result.facts["total"] == len(company.hub_findings)
    for severity in {f.severity for f in company.hub_findings}:
        assert result.facts[severity.lower()] == sum(1 for f in company.hub_findings if f.severity == severity)
    assert result.rows[0]["severity"] == "critical"
    assert set(result.resources) == {ids.resolve(*f.resource) for f in company.hub_findings}


def test_posture_aggregates_the_checks(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                      ids: SeededIds) -> None:
    result = run(registry, ctx, "security.posture", limit=500)
    findings = [Finding(**row) for row in result.rows]  # the rows are security_scan's findings
    assert result.facts["findings"] == len(findings)
    assert {(f.check, f.resource) for f in findings} == expected_pairs(company, asdict(ids))
    assert {f.resource for f in findings if f.check == "public_bucket"} == {b.name for b in company.public_buckets()}
    assert result.facts["score"] == posture_score(findings) < 100


def test_guardduty_in_chat_lists_the_active_findings_and_where_it_is_off(registry: ToolRegistry, ctx: ToolContext,
                                                                         company: Company, ids: SeededIds) -> None:
    result = run(registry, ctx, "security.findings", tool="aws_guardduty_findings")
    active = sorted(company.active_guardduty_findings(), key=lambda f: -f.severity)
    assert [(row["type"], row["region"]) for row in result.rows] == [(f.type, f.region) for f in active]
    top = active[0]
    off = [r for r in company.regions if r not in company.guardduty_enabled]
    assert result.summary.startswith(f"GuardDuty has {len(active)} active findings in "
                                     f"{', '.join(company.guardduty_enabled)} (")
    assert f"most severe: {top.type} on {ids.resolve(*top.resource)} ({top.title.rstrip('.')})" in result.summary
    assert result.summary.endswith(f"Not enabled in {', '.join(off)}.")
    archived = [f for f in company.guardduty_findings if f.archived]
    assert archived and not any(f.title in str(result.rows) for f in archived)


def test_guardduty_findings_are_the_active_ones_of_enabled_detectors(registry: ToolRegistry, ctx: ToolContext,
                                                                      company: Company, ids: SeededIds) -> None:
    result = run(registry, ctx, "security.posture", limit=500)
    shown = {row["resource"]: row for row in result.rows if row["check"] == "guardduty_finding"}
    active = company.active_guardduty_findings()
    assert active and len(active) < len(company.guardduty_findings)  # archived and suspended ones are planted too

    def target(kind: str, name: str) -> str:
        return ids.resolve(kind, name) if kind == "instance" else name

    assert set(shown) == {target(*f.resource) for f in active}
    for finding in active:
        row = shown[target(*finding.resource)]
        expected = "high" if finding.severity >= 7 else "medium" if finding.severity >= 4 else "low"
        assert (row["severity"], row["region"]) == (expected, finding.region)
        assert row["detail"].startswith(f"{finding.type}: {finding.title}")


@pytest.mark.parametrize("group", ["/aws/lambda/payments-webhook", "/app/checkout-api"])
def test_logs_return_the_error_lines(registry: ToolRegistry, ctx: ToolContext, company: Company,
                                     group: str) -> None:
    result = run(registry, ctx, "infra.logs", log_group=group)
    errors = company.error_lines(group)
    assert result.facts["matched"] == len(errors)
    # lines leave the registry sanitized: the fixture's planted password is masked
    assert {row["message"] for row in result.rows} == {sanitize(line.message) for line in errors}
    assert not any(SECRET_FIXTURE in row["message"] for row in result.rows)



def test_logs_of_a_host_are_its_stream_in_the_group_it_writes_to(registry: ToolRegistry, ctx: ToolContext,
                                                                 company: Company) -> None:
    """"logs for checkout-web-1": no group is named after the host; its stream in a group is read."""
    group = next(g for g in company.log_groups if any(not line.stream.startswith("20") for line in g.lines))
    host = next(line.stream for line in group.lines if not line.stream.startswith("20"))
    expected = [line.message for line in group.errors() if line.stream == host]
    result = run(registry, ctx, "infra.logs", service=host)
    assert result.resources == [group.name]
    assert {row["message"] for row in result.rows} == set(expected)

def test_logs_by_service_and_a_group_without_errors(registry: ToolRegistry, ctx: ToolContext,
                                                    company: Company) -> None:
    by_service = run(registry, ctx, "infra.logs", service="payments")
    assert by_service.facts["matched"] == sum(len(g.errors()) for g in company.log_groups if "payments" in g.name)
    quiet = next(g for g in company.log_groups if not g.errors())
    assert run(registry, ctx, "infra.logs", log_group=quiet.name).status == "no_data"


def test_instance_action_needs_approval_then_changes_state(registry: ToolRegistry, ctx: ToolContext,
                                                           company: Company, sandbox: Sandbox,
                                                           ids: SeededIds) -> None:
    (spec,) = registry.for_skill("infra.action")
    target = company.stopped_instances()[0]
    args = {"instance_id": target.name, "action": "start"}
    with pytest.raises(WriteNotApproved):
        registry.invoke(spec.name, args, ctx)
    assert spec.preflight is not None
    check = spec.preflight(ctx, spec.args_model.model_validate(args))
    assert check.status == "ok" and check.facts["state"] == "stopped"
    ec2 = sandbox.boto_session().client("ec2", region_name=target.region)

    def state() -> str:
        found = ec2.describe_instances(InstanceIds=[ids.instances[target.name]])
        return str(found["Reservations"][0]["Instances"][0]["State"]["Name"])

    assert state() == "stopped"
    try:
        started = registry.execute(approved_call(spec.name, args), ctx)
        assert started.status == "ok", started.summary
        assert state() in ("pending", "running")
    finally:
        ec2.stop_instances(InstanceIds=[ids.instances[target.name]])  # leave the company as seeded
    assert state() == "stopped"


def test_one_endpoint_serves_every_client_through_the_environment(sandbox: Sandbox, company: Company,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """What the CLI does: only Sandbox.env, boto3's own conventions, Cost Explorer included."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_COST_EXPLORER", "AWS_ENDPOINT_URL_EC2"):
        monkeypatch.delenv(key, raising=False)
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    session = boto3.session.Session()
    today = utc_today()
    answer = session.client("ce").get_cost_and_usage(
        TimePeriod={"Start": (today - timedelta(days=2)).isoformat(), "End": today.isoformat()},
        Granularity="DAILY", Metrics=["UnblendedCost"])
    assert len(answer["ResultsByTime"]) == 2
    names = {t["Value"] for r in session.client("ec2", region_name="eu-west-1").describe_instances()["Reservations"]
             for i in r["Instances"] for t in i.get("Tags", []) if t["Key"] == "Name"}
    assert names == {i.name for i in company.instances if i.region == "eu-west-1"}
    assert company_days(today - timedelta(days=2), today) == [today - timedelta(days=2), today - timedelta(days=1)]


def test_describe_instance_action_is_a_read_only_preview(ctx: ToolContext, company: Company,
                                                         ids: SeededIds) -> None:
    running = next(i for i in company.instances if i.state == "running")
    preview = describe_instance_action(ctx, running.name, "stop")
    assert preview.status == "ok"
    assert preview.facts["instance_id"] == ids.instances[running.name] and preview.facts["state"] == "running"
    assert preview.facts["name"] == running.name
    assert describe_instance_action(ctx, running.name, "start").status == "error"  # already running
    assert describe_instance_action(ctx, running.name, "stop").facts["state"] == "running"  # nothing changed
    unknown = describe_instance_action(ctx, "i-0000000000000dead", "stop")
    assert unknown.status == "error" and "No resource named i-0000000000000dead" in unknown.summary


def test_iam_findings_name_admin_policies_unused_roles_and_root_keys(registry: ToolRegistry, ctx: ToolContext,
                                                                   company: Company) -> None:
    """Beyond users: a customer-managed policy allowing * on *, roles unused for 90 days and
    root access keys are IAM issues too, each by name; the user count is still users only."""
    result = registry.invoke("aws_iam_findings", {}, ctx)
    issues = {(row["user"], row["issue"]) for row in result.rows}
    assert {(p.name, "policy allows * on *") for p in company.admin_policies()} <= issues
    assert {(r.name, "role unused") for r in company.unused_roles()} <= issues
    assert ("root", "root access keys") in issues
    assert not {r.name for r in company.iam_roles} - {r.name for r in company.unused_roles()} \
        & {row["user"] for row in result.rows}
    assert result.facts["users_checked"] == len(company.iam_users)
    assert all(p.name in result.summary for p in company.admin_policies())


def test_an_anomaly_question_about_another_region_reports_none_there(registry: ToolRegistry,
                                                                     ctx: ToolContext, company: Company) -> None:
    """AWS's anomaly is in the spike's region: asked about a region without one, Cost Anomaly
    Detection's answer is "none there", with where the anomaly is instead."""
    other = next(region for region in company.regions if region != SPIKE.region)
    result = run(registry, ctx, "cost.anomalies", region=other)
    assert result.status == "no_data", result.summary
    assert f"no anomaly in {other}" in result.summary and f"{SPIKE.aws_service} in {SPIKE.region}" in result.summary
    assert run(registry, ctx, "cost.anomalies", region=SPIKE.region).facts["region"] == SPIKE.region
