"""The exactly-once machinery and the exposure diff on real databases: SQLite files and the
machine's PostgreSQL. Leases are decided by the database (a primary key, conditional
UPDATEs), so two connections racing get one winner on both."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from agents.db import make_engine
from agents.exposures import BASELINE_MARK, ExposureBaseline, exposures_of
from agents.jobs import Claim, JobRuns, LeaseLost, job_runs_table
from agents.policy import PolicyError, load_policy, parse_policy

SCAN = [
    {"check": "public_bucket", "severity": "high", "region": "us-east-1", "resource": "b-public",
     "detail": "ACL grants READ to AllUsers"},
    {"check": "unencrypted_bucket", "severity": "medium", "region": "us-east-1", "resource": "b-plain",
     "detail": "no default encryption"},
    {"check": "open_security_group", "severity": "high", "region": "eu-west-1", "resource": "sg-1",
     "detail": "tcp port 22 open to 0.0.0.0/0"},
    {"check": "iam_admin_user", "severity": "medium", "region": "global", "resource": "carol",
     "detail": "administrator access: AdministratorAccess is attached"},
    {"check": "iam_no_mfa", "severity": "high", "region": "global", "resource": "dave",
     "detail": "console access without MFA: has a console password and no MFA device"},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'guardian.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    made = make_engine(url)
    yield made
    made.dispose()


def test_exposures_are_public_buckets_open_ports_and_admin_grants_with_stable_keys() -> None:
    keys = [exposure.key for exposure in exposures_of(SCAN)]
    assert keys == ["public_bucket:b-public", "open_port:eu-west-1:sg-1:tcp port 22 open to 0.0.0.0/0",
                    "admin:carol"]
    assert [exposure.key for exposure in exposures_of(list(reversed(SCAN)))] == list(reversed(keys))


def test_the_first_scan_is_a_baseline_and_later_scans_report_only_what_is_new(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'guardian.db'}")
    baseline = ExposureBaseline(engine)
    with engine.begin() as conn:
        first = baseline.replace(conn, exposures_of(SCAN), set(), 1.0)
    assert first.baseline and first.new == [] and first.current == 3
    opened = {"check": "open_security_group", "severity": "high", "region": "us-east-1", "resource": "sg-2",
              "detail": "tcp port 3389 open to ::/0"}
    # eu-west-1 could not be read this time: its open port is not "gone", so not "new" later
    without_eu = [row for row in SCAN if row["region"] != "eu-west-1"] + [opened]
    with engine.begin() as conn:
        second = baseline.replace(conn, exposures_of(without_eu), {"eu-west-1"}, 2.0)
    assert not second.baseline
    assert [exposure.key for exposure in second.new] == ["open_port:us-east-1:sg-2:tcp port 3389 open to ::/0"]
    with engine.begin() as conn:
        third = baseline.replace(conn, exposures_of([*SCAN, opened]), set(), 3.0)
    assert third.new == []
    # a bucket closed and opened again is new again
    with engine.begin() as conn:
        baseline.replace(conn, exposures_of([*SCAN[1:], opened]), set(), 4.0)
    with engine.begin() as conn:
        again = baseline.replace(conn, exposures_of([*SCAN, opened]), set(), 5.0)
    assert [exposure.key for exposure in again.new] == ["public_bucket:b-public"]
    assert BASELINE_MARK in baseline.keys()


def test_the_exposure_diff_and_the_run_payload_commit_together_or_not_at_all(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'guardian.db'}")
    baseline, runs = ExposureBaseline(engine), JobRuns(engine)
    claim = runs.claim("exposures", "100", "a")
    assert claim is not None
    assert runs.claim("exposures", "100", "b") is None
    with engine.begin() as conn:  # a's lease is taken over before it stores: nothing of its scan stays
        conn.execute(update(job_runs_table).where(job_runs_table.c.job == "exposures",
                                                  job_runs_table.c.period == "100").values(owner="b"))
    with pytest.raises(LeaseLost), engine.begin() as conn:
        baseline.replace(conn, exposures_of(SCAN), set(), 1.0)
        runs.store_payload(claim, {"new": []}, conn)
    assert baseline.keys() == set()
    assert runs.payload("exposures", "100") is None


def test_a_period_is_claimed_once_and_an_expired_lease_is_taken_over_by_one(engine: Engine) -> None:
    now = [1000.0]
    runs = [JobRuns(engine, lease_seconds=30, clock=lambda: now[0]) for _ in range(4)]
    job, period = "test:" + uuid.uuid4().hex[:8], uuid.uuid4().hex[:12]
    first = runs[0].claim(job, period, "first")
    assert first is not None and not first.taken_over
    assert runs[1].claim(job, period, "second") is None  # live lease
    now[0] += 31  # the first holder died: three schedulers race to take over
    barrier = threading.Barrier(3)
    won: list[str] = []

    def take(index: int) -> None:
        barrier.wait()
        claim = runs[index].claim(job, period, f"taker-{index}")
        if claim is not None:
            assert claim.taken_over
            won.append(claim.owner)

    threads = [threading.Thread(target=take, args=(i,)) for i in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(won) == 1
    with pytest.raises(LeaseLost):  # the old holder wakes up: it may post nothing more
        runs[0].renew(first)
    with pytest.raises(LeaseLost):
        runs[0].store_payload(first, {"x": 1})
    owner_runs = runs[int(won[0].split("-")[1])]
    claim = Claim(job, period, won[0], taken_over=True)
    owner_runs.store_payload(claim, {"x": 1})
    assert owner_runs.payload(job, period) == {"x": 1}
    assert owner_runs.finish(claim)
    now[0] += 1000  # a finished run is never claimed again, however old
    assert runs[2].claim(job, period, "late") is None
    assert runs[2].state(job, period) == "done"


def test_a_delivery_is_posted_once_and_an_uncertain_one_is_looked_up(engine: Engine) -> None:
    runs = JobRuns(engine)
    job, period = "test:" + uuid.uuid4().hex[:8], uuid.uuid4().hex[:12]
    claim = runs.claim(job, period, "me")
    assert claim is not None
    posts: list[str] = []
    assert runs.deliver(claim, "slack:C1", lambda: posts.append("C1") or "ts-1") == "ts-1"
    assert runs.deliver(claim, "slack:C1", lambda: posts.append("C1 again") or "ts-2") is None
    assert posts == ["C1"]

    def dies() -> str:
        posts.append("C2")
        raise KeyboardInterrupt  # the process dies after Slack took the post

    with pytest.raises(KeyboardInterrupt):
        runs.deliver(claim, "slack:C2", dies)
    assert runs.delivered(job, period)["slack:C2"] == "posting"
    # on restart: the surface says it is there -> not posted again
    assert runs.deliver(claim, "slack:C2", lambda: posts.append("C2 again") or "ts-3", lambda: "ts-found") is None
    assert posts == ["C1", "C2"]
    assert runs.delivered(job, period) == {"slack:C1": "posted", "slack:C2": "posted"}


def test_only_a_role_with_configure_may_change_subscriptions(tmp_path: Path) -> None:
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text("roles:\n  admin: {ask: ['*'], configure: [subscriptions]}\n  all: {ask: ['*']}\n"
                           "users: {alice: [admin], bob: [all]}\n")
    policy = load_policy(policy_file)
    assert policy.may_configure("alice", "subscriptions").allowed
    refused = policy.may_configure("bob", "subscriptions")
    assert not refused.allowed and "role admin would" in refused.reason
    assert not policy.may_configure(" alice", "subscriptions").allowed  # not an identity
    assert load_policy(None).may_configure("anyone", "subscriptions").allowed  # single-user local mode
    with pytest.raises(PolicyError, match="unknown setting 'everything'"):
        parse_policy("roles:\n  r: {configure: [everything]}\n")


def test_a_baseline_left_from_scans_that_stopped_is_taken_again_not_announced(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'guardian.db'}")
    baseline = ExposureBaseline(engine)
    with engine.begin() as conn:
        baseline.replace(conn, exposures_of(SCAN), set(), 100.0)
    later = [*SCAN[1:], {"check": "public_bucket", "severity": "high", "region": "us-east-1",
                         "resource": "b-new", "detail": "policy allows s3:GetObject to *"}]
    with engine.begin() as conn:  # nobody subscribed for a long time; someone subscribes again
        stale = baseline.replace(conn, exposures_of(later), set(), 10_000.0, stale_before=10_000.0 - 2700)
    assert stale.baseline and stale.new == []
    assert baseline.keys() - {BASELINE_MARK} == {exposure.key for exposure in exposures_of(later)}
    with engine.begin() as conn:  # and from there on, scans compare again
        fresh = baseline.replace(conn, exposures_of(SCAN), set(), 10_900.0, stale_before=10_900.0 - 2700)
    assert [exposure.key for exposure in fresh.new] == ["public_bucket:b-public"]
