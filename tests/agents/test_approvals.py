"""Approvals and the audit trail against real SQLite and the machine's PostgreSQL: each
state change is a compare-and-set, raw arguments rest sealed, the audit is append-only."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from agents.approvals import OPEN_STATUSES, ApprovalError
from agents.audit import Origin
from agents.sealing import Sealer, ephemeral_key
from agents.storage import Storage

TOKEN = "xoxb-1234567890-abcdefghijkl"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    url = f"sqlite:///{tmp_path / 'g.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    return Storage.open(url, Sealer(ephemeral_key()))


def _propose(storage: Storage, **over: object) -> str:
    fields: dict[str, object] = {
        "checkpoint_thread": "t:1", "conversation": "t", "skill": "infra.action", "tool": "aws_ec2_instance_action",
        "args": {"instance_id": "i-0abc", "action": "stop"}, "target": {"instance_id": "i-0abc", "state": "running"},
        "summary": "stop i-0abc", "requested_by": "alice"}
    fields.update(over)
    return storage.approvals.create(**fields).id  # type: ignore[arg-type]


def test_decided_once_claimed_once_finished_once(storage: Storage) -> None:
    approval_id = _propose(storage)
    assert storage.approvals.get(approval_id).status == "pending"
    record = storage.approvals.decide(approval_id, approve=True, user="bob")
    assert (record.status, record.decided_by) == ("approved", "bob")
    with pytest.raises(ApprovalError, match="already approved"):
        storage.approvals.decide(approval_id, approve=False, user="mallory")
    call = storage.approvals.claim(approval_id)
    assert call.args == {"instance_id": "i-0abc", "action": "stop"} and call.target == {"instance_id": "i-0abc",
                                                                                         "state": "running"}
    assert call.still_claimed()
    with pytest.raises(ApprovalError, match="already executing"):
        storage.approvals.claim(approval_id)
    assert storage.approvals.finish(approval_id, status="executed", result="stopping").status == "executed"
    assert not call.still_claimed()
    with pytest.raises(ApprovalError, match="already executed"):
        storage.approvals.finish(approval_id, status="failed", result="late")


def test_denied_approval_can_never_be_claimed(storage: Storage) -> None:
    approval_id = _propose(storage)
    storage.approvals.decide(approval_id, approve=False, user="bob")
    with pytest.raises(ApprovalError, match="already denied"):
        storage.approvals.claim(approval_id)
    assert storage.approvals.get(approval_id).status == "denied"


def test_forty_concurrent_claims_have_one_winner(storage: Storage) -> None:
    approval_id = _propose(storage)
    storage.approvals.decide(approval_id, approve=True, user="bob")
    winners: list[str] = []
    losers: list[str] = []

    def claim() -> None:
        try:
            storage.approvals.claim(approval_id)
            winners.append("won")
        except ApprovalError as exc:
            losers.append(str(exc))

    threads = [threading.Thread(target=claim) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert winners == ["won"] and len(losers) == 39
    assert all("already executing" in loser for loser in losers)


def test_unknown_approval_is_a_clear_error(storage: Storage) -> None:
    with pytest.raises(ApprovalError, match="No approval with id 'ap-doesnotexist'"):
        storage.approvals.decide("ap-doesnotexist", approve=True, user="bob")


def test_what_a_crash_leaves_is_listed_and_can_be_closed(storage: Storage) -> None:
    approved = _propose(storage)
    storage.approvals.decide(approved, approve=True, user="bob")  # the process dies here
    running = _propose(storage)
    storage.approvals.decide(running, approve=True, user="bob")
    storage.approvals.claim(running)  # ...or here, after the claim
    pending = _propose(storage)
    listed, _ = storage.approvals.list()
    assert {r.id: r.status for r in listed if r.id in (approved, running, pending)} == {
        approved: "approved", running: "executing", pending: "pending"}
    assert storage.approvals.cancel(approved, user="erin", reason="stale").status == "cancelled"
    assert storage.approvals.cancel(running, user="erin", reason="checked").status == "abandoned"
    with pytest.raises(ApprovalError, match="deny it instead"):
        storage.approvals.cancel(pending, user="erin", reason="x")
    with pytest.raises(ApprovalError, match="already cancelled"):
        storage.approvals.claim(approved)


def test_listing_says_how_many_it_does_not_show(tmp_path: Path) -> None:
    storage = Storage.open(f"sqlite:///{tmp_path / 'g.db'}", Sealer(ephemeral_key()))
    ids = [_propose(storage) for _ in range(5)]
    storage.approvals.decide(ids[0], approve=False, user="bob")
    shown, hidden = storage.approvals.list()
    assert {r.id for r in shown} == set(ids[1:]) and hidden == 1
    shown, hidden = storage.approvals.list(statuses=OPEN_STATUSES, limit=2)
    assert len(shown) == 2 and hidden == 3
    shown, hidden = storage.approvals.list(statuses=None)
    assert len(shown) == 5 and hidden == 0


def test_raw_arguments_rest_sealed_and_listings_are_redacted(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    storage = Storage.open(f"sqlite:///{db}", Sealer(ephemeral_key()))
    args = {"instance_id": "i-0abc", "note": f"password=hunter22 {TOKEN}"}
    approval_id = _propose(storage, summary=f"use {TOKEN}", args=args)
    shown, _ = storage.approvals.list()
    assert TOKEN not in repr(shown) and "hunter22" not in repr(shown)
    assert TOKEN not in db.read_bytes().decode("latin-1") and "hunter22" not in db.read_bytes().decode("latin-1")
    storage.approvals.decide(approval_id, approve=True, user="bob")
    assert storage.approvals.claim(approval_id).args == args  # what the approver saw, exactly


@pytest.mark.parametrize("verb", ["UPDATE guardian_audit_log SET outcome = 'x'", "DELETE FROM guardian_audit_log"])
def test_audit_is_append_only(storage: Storage, verb: str) -> None:
    storage.audit.record(Origin("alice"), "request", args={"text": "hello"})
    with pytest.raises(DBAPIError, match="append-only"), storage.audit.engine.begin() as conn:
        conn.execute(text(verb))
    assert any(r["event"] == "request" and r["args"] == {"text": "hello"} for r in storage.audit.query(user="alice"))


def test_audit_records_carry_the_contract_shape_and_no_secret(tmp_path: Path) -> None:
    storage = Storage.open(f"sqlite:///{tmp_path / 'g.db'}", Sealer(ephemeral_key()))
    origin = Origin("alice", surface="slack", channel="C123")
    storage.audit.record(origin, "tool", skill="infra.logs", tool="aws_logs_errors",
                         args={"query": f"my token is {TOKEN}"}, outcome="ok", duration_ms=12.345)
    [record] = storage.audit.query()
    assert set(record) == {"at", "correlation_id", "user", "surface", "channel", "event", "skill", "tool", "args",
                           "outcome", "duration_ms", "approval_id"}
    assert (record["user"], record["surface"], record["channel"], record["correlation_id"]) == (
        "alice", "slack", "C123", origin.correlation_id)
    assert record["duration_ms"] == 12.3 and TOKEN not in str(record["args"])


def test_audit_failure_never_raises(tmp_path: Path) -> None:
    storage = Storage.open(f"sqlite:///{tmp_path / 'g.db'}", Sealer(ephemeral_key()))
    with storage.audit.engine.begin() as conn:
        conn.execute(text("DROP TABLE guardian_audit_log"))
    storage.audit.record(Origin("alice"), "request")  # logged and counted, not raised
    assert storage.audit.failures == 1


def test_an_older_database_gains_the_new_columns(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    with create_engine(url).begin() as conn:  # the table as the first release created it
        conn.execute(text("CREATE TABLE guardian_approvals (id VARCHAR(32) PRIMARY KEY, checkpoint_thread "
                          "VARCHAR(200) NOT NULL, conversation VARCHAR(200) NOT NULL, skill VARCHAR(64) NOT NULL, "
                          "tool VARCHAR(100) NOT NULL, args JSON NOT NULL, summary TEXT NOT NULL, requested_by "
                          "VARCHAR(200) NOT NULL, status VARCHAR(16) NOT NULL, decided_by VARCHAR(200), result TEXT, "
                          "created_at DATETIME NOT NULL, decided_at DATETIME)"))
        conn.execute(text("INSERT INTO guardian_approvals VALUES ('ap-old', 't', 't', 'infra.action', "
                          "'aws_ec2_instance_action', '{}', 'old', 'alice', 'pending', NULL, NULL, "
                          "'2026-01-01 00:00:00', NULL)"))
    storage = Storage.open(url, Sealer(ephemeral_key()))
    storage.approvals.decide("ap-old", approve=True, user="bob")
    with pytest.raises(ApprovalError, match="no sealed arguments"):  # never run from an unsealed record
        storage.approvals.claim("ap-old")
    assert storage.approvals.get("ap-old").status == "refused"
