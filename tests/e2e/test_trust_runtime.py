"""Trust on the sandbox company through the composition root (bot.runtime.Runtime: real
graph, real tools, real SQLite), in-process so that the whole negation corpus and every
approval path run in seconds; the CLI's exit statuses and a real crash are in
test_trust.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import SecretStr

from agents.approvals import ApprovalError
from agents.request import Request
from agents.service import DecisionRefused
from agents.skills import SKILL_BY_NAME
from bot.runtime import Runtime
from bot.settings import load_settings
from sandbox.company import DRIFTWOOD
from tests.conftest import sandbox_environment
from tests.e2e.test_trust import _instance, _state
from tests.helpers import CONTRACT_POLICY

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]

CORPUS = yaml.safe_load((Path(__file__).parents[1] / "agents" / "non_action_corpus.yaml").read_text())["cases"]


@pytest.fixture
def runtime(sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
            warm_home: Callable[[Path], Path]) -> Iterator[Runtime]:
    sandbox_environment(monkeypatch, sandbox)
    policy = tmp_path / "policy.yaml"
    policy.write_text(CONTRACT_POLICY.replace("bob: [oncall]}", "bob: [oncall], carol: [oncall]}"))
    with Runtime(load_settings(home=warm_home(tmp_path / "home"), policy=policy)) as rt:
        yield rt


def ask(rt: Runtime, text: str, user: str = "alice") -> Any:
    return rt.guardian.ask(Request(text=text, user=user))


def test_the_corpus_written_before_the_fix_proposes_only_what_was_asked(runtime: Runtime) -> None:
    """Every sentence that only talks about an action creates no approval, on the real
    company; every real request creates one for its target (then denied, changing nothing)."""
    wrong = []
    for case in CORPUS:
        answer = ask(runtime, case["text"])
        proposed = answer.pending_approval
        if case["approval"] and (proposed is None or answer.skill != case["skill"]):
            wrong.append((case["text"], "expected an approval for " + case["skill"], answer.skill))
        if not case["approval"] and (proposed is not None or SKILL_BY_NAME[answer.skill].mutating):
            wrong.append((case["text"], "expected no approval", answer.skill))
        if proposed is not None:
            runtime.guardian.decide(proposed.id, approve=False, user="bob")
    assert wrong == []
    records, _ = runtime.storage.approvals.list(statuses=None, limit=1000)
    assert len(records) == sum(case["approval"] for case in CORPUS)
    assert {record.status for record in records} == {"denied"}


def test_a_named_instance_is_pinned_to_its_id_and_the_tag_can_move(runtime: Runtime, sandbox: Any) -> None:
    approved_id, ec2 = _instance(sandbox, "payments-api-1")
    other_id, _ = _instance(sandbox, "payments-api-2")
    pending = ask(runtime, "please stop the payments-api-1 box").pending_approval
    assert pending is not None and approved_id in pending.summary
    assert runtime.storage.approvals.get(pending.id).args["instance_id"] == approved_id
    try:
        ec2.create_tags(Resources=[approved_id], Tags=[{"Key": "Name", "Value": "payments-api-1-old"}])
        ec2.create_tags(Resources=[other_id], Tags=[{"Key": "Name", "Value": "payments-api-1"}])
        done = runtime.guardian.decide(pending.id, approve=True, user="bob")
        assert done.lead.startswith("Done") and approved_id in done.lead
        assert _state(ec2, approved_id) in ("stopping", "stopped") and _state(ec2, other_id) == "running"
    finally:
        ec2.create_tags(Resources=[approved_id], Tags=[{"Key": "Name", "Value": "payments-api-1"}])
        ec2.create_tags(Resources=[other_id], Tags=[{"Key": "Name", "Value": "payments-api-2"}])
        ec2.start_instances(InstanceIds=[approved_id])


def test_a_target_that_changed_state_is_refused(runtime: Runtime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "search-indexer-1")
    pending = ask(runtime, "reboot search-indexer-1").pending_approval
    assert pending is not None
    ec2.stop_instances(InstanceIds=[instance_id])  # someone stopped it by hand meanwhile
    try:
        done = runtime.guardian.decide(pending.id, approve=True, user="bob")
        assert done.lead.startswith("Not done") and f"Cannot reboot {instance_id}: it is stopped" in done.lead
        assert runtime.storage.approvals.get(pending.id).status == "refused"
    finally:
        ec2.start_instances(InstanceIds=[instance_id])


def test_refused_requests_and_decisions_change_nothing_and_are_audited(runtime: Runtime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    refused = ask(runtime, "stop analytics-dev-1", user="mallory")
    assert refused.pending_approval is None and refused.lead.startswith("Refused: mallory may not use")
    pending = ask(runtime, "stop analytics-dev-1").pending_approval
    assert pending is not None
    for user in ("alice", "mallory", "", "bob\x1b[2J"):
        with pytest.raises(DecisionRefused):
            runtime.guardian.decide(pending.id, approve=True, user=user)
    assert runtime.storage.approvals.get(pending.id).status == "pending" and _state(ec2, instance_id) == "running"
    runtime.guardian.decide(pending.id, approve=False, user="bob")
    with pytest.raises(ApprovalError, match="already denied"):
        runtime.guardian.decide(pending.id, approve=True, user="bob")
    events = [(r["event"], r["user"], (r["outcome"] or "").split(":")[0])
              for r in runtime.storage.audit.query() if r["event"].startswith(("policy.", "approval."))]
    assert ("policy.ask", "mallory", "refused") in events
    assert [e for e in events if e[0] == "policy.decide"] == [
        ("policy.decide", "alice", "refused"), ("policy.decide", "mallory", "refused"),
        ("policy.decide", "", "refused"), ("policy.decide", "bob\x1b[2J", "refused"),
        ("policy.decide", "bob", "allowed"), ("policy.decide", "bob", "allowed")]
    assert ("approval.denied", "bob", "denied") in events


def test_a_hypothetical_previews_and_a_past_question_reads_the_audit(runtime: Runtime, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "auth-eu-1")
    preview = ask(runtime, "what would happen if we reboot auth-eu-1?")
    assert preview.pending_approval is None and preview.skill == "infra.describe"
    assert f"If approved, this would reboot {instance_id}" in preview.shown_text()
    before = ask(runtime, "did anyone reboot auth-eu-1 today?", user="carol")
    assert "Guardian's audit has no infra.action action on auth-eu-1" in before.shown_text()
    pending = ask(runtime, "reboot auth-eu-1").pending_approval
    assert pending is not None
    runtime.guardian.decide(pending.id, approve=True, user="bob")
    after = ask(runtime, "did anyone reboot auth-eu-1 today?", user="carol")
    assert after.pending_approval is None
    assert "Guardian's audit shows 1 infra.action action(s) on auth-eu-1" in after.shown_text()
    assert pending.id in after.shown_text()
    assert _state(ec2, instance_id) == "running"


def test_every_turn_is_audited_with_its_tools(runtime: Runtime) -> None:
    answer = ask(runtime, "which buckets are public?", user="mallory")
    assert answer.skill == "security.public_storage"
    [request] = [r for r in runtime.storage.audit.query(user="mallory") if r["event"] == "request"]
    turn = [r for r in runtime.storage.audit.query() if r["correlation_id"] == request["correlation_id"]]
    assert [r["event"] for r in turn][:3] == ["request", "route", "policy.ask"]
    tools = [r for r in turn if r["event"] == "tool"]
    assert {t.name for t in answer.tools} <= {r["tool"] for r in tools}
    assert "knowledge_search_runbooks" in {r["tool"] for r in tools}  # the cited runbook's lookup too
    assert all(r["duration_ms"] is not None and r["outcome"] in ("ok", "no_data", "error") for r in tools)
    assert turn[-1]["event"] == "answer" and turn[-1]["skill"] == "security.public_storage"


def test_the_sandbox_has_what_these_tests_act_on() -> None:
    names = {instance.name: instance.state for instance in DRIFTWOOD.instances}
    for name in ("payments-api-1", "payments-api-2", "search-indexer-1", "analytics-dev-1", "auth-eu-1"):
        assert names[name] == "running"


def test_the_web_chat_applies_the_policy_to_its_own_identities(runtime: Runtime, sandbox: Any) -> None:
    """Through the HTTP app: a web caller is its token's name (GUARDIAN_WEB_TOKEN's
    ``name:token`` entries), so claiming "alice" in the body borrows nobody's roles; the
    requester may not approve, a reader may not either, an oncall may, exactly once."""
    from fastapi.testclient import TestClient

    from bot.http_app import create_app

    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    runtime.settings = runtime.settings.model_copy(update={"web_token": SecretStr("mallory:tm,carol:tc,bob:tb")})
    client = TestClient(create_app(runtime))
    as_ = {name: {"Authorization": f"Bearer t{name[0]}"} for name in ("mallory", "carol", "bob")}
    refused = client.post("/api/chat", json={"text": "stop analytics-dev-1", "user": "alice"}, headers=as_["mallory"])
    assert refused.status_code == 200
    assert refused.json()["pending_approval"] is None
    assert refused.json()["answer"].startswith("Refused: mallory may not use infra.action")
    asked = client.post("/api/chat", json={"text": "stop analytics-dev-1"}, headers=as_["carol"])
    pending = asked.json()["pending_approval"]
    assert pending is not None and pending["id"] and instance_id in pending["summary"]
    assert asked.json()["web"]["approval"]["decisions"] == ["approve", "deny"]
    records = [r for r in runtime.storage.audit.query(event="policy.ask") if r["user"] in ("mallory", "carol")]
    assert [(r["user"], r["surface"], r["outcome"].split(":")[0]) for r in records] == [
        ("mallory", "web", "refused"), ("carol", "web", "allowed")]
    assert records[0]["correlation_id"] == refused.headers["X-Correlation-ID"]
    assert runtime.storage.approvals.get(pending["id"]).requested_by == "carol"

    for clicker in ("carol", "mallory"):  # the requester, then a reader: 403 and nothing changes
        response = client.post(f"/api/approvals/{pending['id']}/approve", headers=as_[clicker])
        assert response.status_code == 403, response.text
        assert response.json()["detail"].startswith(f"Refused: {clicker}")
    assert runtime.storage.approvals.get(pending["id"]).status == "pending" and _state(ec2, instance_id) == "running"
    done = client.post(f"/api/approvals/{pending['id']}/approve", headers=as_["bob"])
    assert done.status_code == 200, done.text
    assert done.json()["web"]["lead"].startswith("Done") and instance_id in done.json()["web"]["lead"]
    assert _state(ec2, instance_id) in ("stopping", "stopped")
    again = client.post(f"/api/approvals/{pending['id']}/deny", headers=as_["bob"])
    assert again.status_code == 409 and "already" in again.json()["detail"]
    assert client.post("/api/approvals/nope-123/approve", headers=as_["bob"]).status_code == 404
    runs = [r for r in runtime.storage.audit.query(event="action.executed") if r["approval_id"] == pending["id"]]
    assert len(runs) == 1 and runs[0]["user"] == "bob" and runs[0]["surface"] == "web"

    metrics = client.get("/metrics").text
    assert 'guardian_approval_decisions_total{outcome="refused",skill="infra.action",surface="web"} 2.0' in metrics
    assert 'guardian_approval_decisions_total{outcome="approved",skill="infra.action",surface="web"} 1.0' in metrics
    assert 'guardian_approval_decisions_total{outcome="conflict",skill="infra.action",surface="web"} 1.0' in metrics
    assert 'guardian_refusals_total{kind="ask",skill="infra.action",surface="web"} 1.0' in metrics
    assert 'guardian_requests_total{outcome="approval_requested",skill="infra.action",surface="web"} 1.0' in metrics


def test_a_state_naming_what_is_listed_asks_no_audit_and_titles_its_table(runtime: Runtime) -> None:
    """"the ones that got resolved" names which incidents to list (by the state they are in), so
    no history of Guardian's own resolves is read; a past question with no target ("which
    incidents got resolved this week") reads it for any target, and its listing is not titled
    "Open incidents"."""
    thread = "resolved-ones"
    runtime.guardian.ask(Request(text="whats open in pagerduty", user="alice", thread_id=thread))
    listed = runtime.guardian.ask(Request(text="and the ones that got resolved in the last 2 days?", user="alice",
                                          thread_id=thread))
    assert listed.skill == "incident.list" and listed.pending_approval is None
    assert [row[0].value for row in listed.tables[0].rows] == ["P9D4T6N"]
    assert "audit" not in listed.shown_text()
    asked = ask(runtime, "which incidents got resolved this week")
    assert "Guardian's audit has no incident.resolve action. Changes made outside Guardian" in asked.shown_text()
    titles = [table.title for table in asked.tables]
    assert "Resolved incidents" in titles and "Open incidents" not in titles
