"""Trust, through the CLI against the sandbox company: the access policy's allow and refuse
paths, an audit record for every decision, the approved target (and no other) acted on
after its Name tag moved, and a crash between decision and execution left visible and
recoverable, never silently re-run."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.company import DRIFTWOOD
from tests.e2e.conftest import GUARDIAN, Cli, base_env
from tests.helpers import CONTRACT_POLICY

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.usefixtures("company_as_seeded")]



@pytest.fixture(scope="session")
def guarded(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The CLI with the contract's example policy, on a home of its own for the session."""
    folder = tmp_path_factory.mktemp("guarded")
    policy = folder / "policy.yaml"
    policy.write_text(CONTRACT_POLICY)
    return Cli({**base_env(folder / "home"), **sandbox.env, "GUARDIAN_POLICY": str(policy)})


def _instance(sandbox: Any, name: str) -> tuple[str, Any]:
    instance = next(i for i in DRIFTWOOD.instances if i.name == name)
    ec2 = sandbox.boto_session().client("ec2", region_name=instance.region)
    found = ec2.describe_instances(Filters=[{"Name": "tag:Name", "Values": [name]}])
    [reservation] = found["Reservations"]
    return reservation["Instances"][0]["InstanceId"], ec2


def _state(ec2: Any, instance_id: str) -> str:
    found = ec2.describe_instances(InstanceIds=[instance_id])
    return str(found["Reservations"][0]["Instances"][0]["State"]["Name"])


def _ask(cli: Cli, question: str, user: str) -> dict[str, Any]:
    result = cli("ask", "--json", "--user", user, question)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result.last


def _one_line_failure(result: Any) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_reader_cannot_ask_for_an_action(guarded: Cli) -> None:
    answer = _ask(guarded, "stop search-eu-1", user="mallory")
    assert answer["pending_approval"] is None and answer["tools"] == []
    assert answer["answer"].startswith("Refused: mallory may not use infra.action")
    assert "role oncall would" in answer["answer"]
    assert "search-eu-1" not in guarded("approvals", "list", "--all").stdout
    reads = _ask(guarded, "which buckets are public?", user="mallory")
    assert reads["skill"] == "security.public_storage" and reads["tools"]


def test_the_requester_and_readers_cannot_decide(guarded: Cli, sandbox: Any) -> None:
    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    pending = _ask(guarded, "stop analytics-dev-1", user="alice")["pending_approval"]
    assert pending and instance_id in pending["summary"]
    own = _one_line_failure(guarded("approvals", "approve", pending["id"], "--user", "alice"))
    assert "requester_may_approve: false" in own and f"{pending['id']} is unchanged (pending)" in own
    reader = _one_line_failure(guarded("approvals", "deny", pending["id"], "--user", "mallory"))
    assert "mallory may not approve infra.action" in reader and "role oncall would" in reader
    [row] = [r for r in guarded("approvals", "list", "--json").json_lines if r["id"] == pending["id"]]
    assert row["status"] == "pending"
    assert _state(ec2, instance_id) == "running"
    denied = guarded("approvals", "deny", pending["id"], "--user", "bob", "--json")
    assert denied.returncode == 0 and "Denied by bob" in denied.last["answer"]
    assert _state(ec2, instance_id) == "running"

    audit = guarded("audit", "--json", "--since", "1h")
    assert audit.returncode == 0, audit.stderr
    records = [r for r in audit.json_lines if r["approval_id"] in (None, pending["id"])]
    assert all(set(r) == {"at", "correlation_id", "user", "surface", "channel", "event", "skill", "tool", "args",
                          "outcome", "duration_ms", "approval_id"} for r in records)
    decisions = [(r["user"], r["outcome"].split(":")[0]) for r in records
                 if r["event"] == "policy.decide" and r["approval_id"] == pending["id"]]
    assert decisions == [("alice", "refused"), ("mallory", "refused"), ("bob", "allowed")]
    [requested] = [r for r in records if r["event"] == "approval.requested" and r["approval_id"] == pending["id"]]
    assert requested["user"] == "alice" and requested["surface"] == "cli" and requested["tool"] == \
        "aws_ec2_instance_action" and requested["args"]["instance_id"] == instance_id
    turn = {r["event"] for r in audit.json_lines if r["correlation_id"] == requested["correlation_id"]}
    assert {"request", "route", "policy.ask", "tool", "approval.requested", "answer"} <= turn
    only_bob = guarded("audit", "--json", "--user", "bob").json_lines
    assert only_bob and {r["user"] for r in only_bob} == {"bob"}


def test_odd_identities_are_refused(guarded: Cli) -> None:
    answer = _ask(guarded, "which buckets are public?", user="bob\x1b]0;pwned\x07")
    assert answer["answer"].startswith("Refused: a user id with control characters") and answer["tools"] == []


def test_a_malformed_policy_stops_start_up_naming_the_line(sandbox: Any, tmp_path: Path) -> None:
    policy = tmp_path / "broken.yaml"
    policy.write_text("roles:\n  reader: {ask: [help]}\nusers:\n  alice: [admin]\n")
    cli = Cli({**base_env(tmp_path / "home"), **sandbox.env, "GUARDIAN_POLICY": str(policy)})
    line = _one_line_failure(cli("approvals", "list"))
    assert line == f"guardian: GUARDIAN_POLICY {policy} line 4: user 'alice' has unknown role 'admin'."


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An endpoint that accepts connections and never answers: a process talking to it
    hangs mid-call, where a crash would catch it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_crash_while_executing_is_visible_and_never_rerun(cli: Cli, sandbox: Any, black_hole: str) -> None:
    instance_id, ec2 = _instance(sandbox, "analytics-batch-1")
    pending = _ask(cli, "stop analytics-batch-1", user="alice")["pending_approval"]
    assert pending
    env = {**cli.env, "AWS_ENDPOINT_URL": black_hole}
    proc = subprocess.Popen([str(GUARDIAN), "approvals", "approve", pending["id"], "--user", "bob"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Wait until the claim is in the database, then kill. Read in this process: a `guardian`
    # spawned per poll cost ~2 s of CPU each, taken from the very process being waited for.
    from agents.sealing import Sealer, load_secret_key
    from agents.storage import Storage

    home = Path(cli.env["GUARDIAN_HOME"])
    storage = Storage.open(f"sqlite:///{(home / 'guardian.db').resolve()}", Sealer(load_secret_key(home, None)))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and storage.approvals.get(pending["id"]).status != "executing":
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    [row] = [r for r in cli("approvals", "list", "--json").json_lines if r["id"] == pending["id"]]
    assert row["status"] == "executing" and "may or may not have run" in row["next"]
    assert _state(ec2, instance_id) == "running"
    again = cli("approvals", "approve", pending["id"], "--user", "bob")
    assert again.returncode == 1 and "already executing" in again.stderr
    resumed = cli("approvals", "resume", pending["id"], "--user", "bob")
    assert resumed.returncode == 1 and "not approved-and-not-started" in resumed.stderr
    assert _state(ec2, instance_id) == "running"
    closed = cli("approvals", "cancel", pending["id"], "--user", "bob", "--reason", "checked: still running")
    assert closed.returncode == 0 and "Abandoned by bob" in closed.stdout
    assert pending["id"] not in {r["id"] for r in cli("approvals", "list", "--json").json_lines}


def test_an_approval_left_approved_is_listed_and_resumed_once(cli: Cli, sandbox: Any) -> None:
    from agents.sealing import Sealer, load_secret_key
    from agents.storage import Storage

    instance_id, ec2 = _instance(sandbox, "analytics-dev-1")
    pending = _ask(cli, "stop analytics-dev-1", user="alice")["pending_approval"]
    assert pending
    home = Path(cli.env["GUARDIAN_HOME"])
    storage = Storage.open(f"sqlite:///{(home / 'guardian.db').resolve()}", Sealer(load_secret_key(home, None)))
    storage.approvals.decide(pending["id"], approve=True, user="bob")  # the deciding process died here
    [row] = [r for r in cli("approvals", "list", "--json").json_lines if r["id"] == pending["id"]]
    assert row["status"] == "approved" and "approvals resume" in row["next"]
    again = cli("approvals", "approve", pending["id"], "--user", "bob")
    assert again.returncode == 1 and "approvals resume" in again.stderr
    assert _state(ec2, instance_id) == "running"
    try:
        resumed = cli("approvals", "resume", pending["id"], "--user", "bob", "--json")
        assert resumed.returncode == 0, resumed.stderr
        assert resumed.last["answer"].startswith("Done") and _state(ec2, instance_id) in ("stopping", "stopped")
        twice = cli("approvals", "resume", pending["id"], "--user", "bob")
        assert twice.returncode == 1 and "executed" in twice.stderr
    finally:
        ec2.start_instances(InstanceIds=[instance_id])


def test_sentences_from_the_issue_create_no_approval(cli: Cli) -> None:
    """The issue's five sentences, typed into one terminal chat session."""
    before = {r["id"] for r in cli("approvals", "list", "--all", "--json").json_lines}
    sentences = ["don't stop payments-api-2", "never reboot bastion-1", "do not ack P7K2M9Q",
                 "what would happen if I stop checkout-web-1?", "did someone stop payments-api-2 yesterday?"]
    chat = cli("chat", "--user", "alice", stdin="\n".join(sentences) + "\n")
    assert chat.returncode == 0 and "Traceback" not in chat.stderr, chat.stderr
    assert chat.stdout.count("No action was proposed") == len(sentences)
    assert "Approval needed" not in chat.stdout
    assert {r["id"] for r in cli("approvals", "list", "--all", "--json").json_lines} == before


def test_listing_says_how_many_it_is_not_showing(guarded: Cli) -> None:
    # two proposals of this test's own, so something is always hidden, whichever tests ran before
    assert _ask(guarded, "reboot bastion-1", user="alice")["pending_approval"]
    assert _ask(guarded, "reboot analytics-dev-1", user="alice")["pending_approval"]
    every = guarded("approvals", "list", "--all", "--json", "--limit", "1000").json_lines
    assert len(every) >= 2
    listed = guarded("approvals", "list", "--all", "--limit", "1")
    assert listed.returncode == 0 and listed.stdout.count("ap-") == 1
    assert f"{len(every) - 1} more not shown" in listed.stdout
    everything = guarded("approvals", "list", "--all", "--limit", str(len(every)))
    assert everything.stdout.count("ap-") == len(every) and "more not shown" not in everything.stdout
