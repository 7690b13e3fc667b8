"""Approvals and audit against real SQLite and the machine's PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.storage import ApprovalError, Storage, make_engine


def _sqlite(tmp_path: Path) -> Storage:
    return Storage(make_engine(f"sqlite:///{tmp_path / 'g.db'}"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "sqlite":
        return _sqlite(tmp_path)
    return Storage(make_engine(request.getfixturevalue("postgres_url")))


def _propose(storage: Storage, **over: object) -> str:
    fields = {"checkpoint_thread": "t:1", "conversation": "t", "skill": "infra.action",
              "tool": "aws_ec2_instance_action", "args": {"instance_id": "i-0abc", "action": "stop"},
              "summary": "stop i-0abc", "requested_by": "alice"}
    fields.update(over)
    return storage.create_approval(**fields).id  # type: ignore[arg-type]


def test_decision_is_recorded_exactly_once(storage: Storage) -> None:
    approval_id = _propose(storage)
    assert storage.get_approval(approval_id).status == "pending"
    record = storage.decide(approval_id, approve=True, user="bob")
    assert (record.status, record.decided_by) == ("approved", "bob")
    with pytest.raises(ApprovalError, match="already approved"):
        storage.decide(approval_id, approve=False, user="mallory")
    storage.finish(approval_id, ok=True, result="stopping")
    assert storage.get_approval(approval_id).status == "executed"


def test_denied_approval_cannot_be_finished(storage: Storage) -> None:
    approval_id = _propose(storage)
    storage.decide(approval_id, approve=False, user="bob")
    storage.finish(approval_id, ok=True, result="should not apply")
    assert storage.get_approval(approval_id).status == "denied"


def test_unknown_approval_is_a_clear_error(storage: Storage) -> None:
    with pytest.raises(ApprovalError, match="No approval with id"):
        storage.decide("ap-doesnotexist", approve=True, user="bob")


def test_secrets_never_reach_the_audit_trail(tmp_path: Path) -> None:
    storage = _sqlite(tmp_path)
    token = "xoxb-1234567890-abcdefghijkl"
    _propose(storage, summary=f"use {token}", args={"note": f"password=hunter22 {token}"})
    storage.audit("alice", "ask", "help", {"text": f"my token is {token}"})
    dump = repr(storage.audit_events()) + repr(storage.list_approvals())
    assert token not in dump
    assert "hunter22" not in dump
    assert "[REDACTED" in dump


def test_list_pending_only_by_default(tmp_path: Path) -> None:
    storage = _sqlite(tmp_path)
    first, second = _propose(storage), _propose(storage)
    storage.decide(first, approve=False, user="bob")
    assert [r.id for r in storage.list_approvals()] == [second]
    assert {r.id for r in storage.list_approvals(status=None)} == {first, second}
