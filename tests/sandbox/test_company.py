"""Driftwood Labs' data is coherent and plants every problem the demo relies on; the spend
is deterministic and its spike always sits in the last days."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sandbox.company import (
    DRIFTWOOD,
    SERVICES,
    SPIKE,
    WOBBLE,
    Bucket,
    Database,
    ElasticIp,
    Function,
    Instance,
    Volume,
    line_cost,
    spike_start,
    total_cost,
)


def test_two_regions_and_twenty_plus_resources() -> None:
    c = DRIFTWOOD
    resources = (c.instances, c.buckets, c.databases, c.functions, c.security_groups, c.volumes)
    assert sum(len(kind) for kind in resources) >= 20
    assert {i.region for i in c.instances} == set(c.regions) == {"us-east-1", "eu-west-1"}
    names = [i.name for i in c.instances] + [b.name for b in c.buckets] + [d.identifier for d in c.databases]
    assert not [name for name, n in Counter(names).items() if n > 1]


def test_every_resource_carries_owner_env_service_tags() -> None:
    c = DRIFTWOOD
    tagged: list[Instance | Bucket | Database | Function | Volume] = [
        *c.instances, *c.buckets, *c.databases, *c.functions, *c.volumes]
    for item in tagged:
        assert {"owner", "env", "service"} <= set(item.tags), item
    assert set(SERVICES) <= {i.service for i in c.instances}


def test_references_point_at_existing_things() -> None:
    c = DRIFTWOOD
    groups = {(g.region, g.name) for g in c.security_groups}
    instances = {(i.region, i.name) for i in c.instances}
    for inst in c.instances:
        assert all((inst.region, name) in groups for name in inst.security_groups), inst
    for db in c.databases:
        assert all((db.region, name) in groups for name in db.security_groups), db
    attachable: list[Volume | ElasticIp] = [*c.volumes, *c.elastic_ips]
    for vol in attachable:
        assert vol.attached_to is None or (vol.region, vol.attached_to) in instances, vol


def test_planted_problems_are_present() -> None:
    c = DRIFTWOOD
    assert c.public_buckets() and c.unencrypted_buckets()
    world_ports = {port for g in c.world_open_groups() for port in g.world_ports()}
    assert {22, 5432} <= world_ports
    assert c.users_without_mfa() and c.users_with_old_keys() and c.users_with_unused_keys() and c.admins()
    assert c.unattached_volumes() and c.stopped_instances() and c.idle_elastic_ips()
    assert [g for g in c.log_groups if g.errors()] and [g for g in c.log_groups if not g.errors()]
    assert {f.severity for f in c.hub_findings} >= {"CRITICAL", "HIGH"}


def test_spend_is_deterministic_and_spikes_in_the_last_days() -> None:
    today = date(2026, 3, 10)
    spiking = [line for line in DRIFTWOOD.cost_lines
               if line.aws_service == SPIKE.aws_service and line.region == SPIKE.region]
    assert spiking
    for line in DRIFTWOOD.cost_lines:
        for back in range(1, 20):
            day = today - timedelta(days=back)
            amount = line_cost(line, day, today)
            assert amount == line_cost(line, day, today)
            factor = SPIKE.factor if line in spiking and day >= spike_start(today) else 1.0
            assert abs(amount - line.daily_usd * factor) <= line.daily_usd * factor * WOBBLE + 0.01
    assert line_cost(spiking[0], today, today) == 0.0  # Cost Explorer has nothing for today yet
    before = total_cost(today - timedelta(days=10), spike_start(today), aws_service=SPIKE.aws_service,
                        region=SPIKE.region, today=today) / (10 - SPIKE.days)
    during = total_cost(spike_start(today), today, aws_service=SPIKE.aws_service, region=SPIKE.region,
                        today=today) / SPIKE.days
    assert during / before > SPIKE.factor * 0.9
