"""No planted secret is readable anywhere under GUARDIAN_HOME after a realistic session
through the CLI against the sandbox: a question that carries secrets, the logs whose
fixture line holds a password, a runbook with a password ingested, an inventory sync and
a paused approval. Outputs are masked, the home is owner-only, and a paused turn cannot
be resumed with another key."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from sandbox.company import SECRET_FIXTURE
from tests.e2e.conftest import Cli, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AKIA = "AKIAZ7Q4W2LMX8RT5NVB"
STRIPE = "sk_live_51HqLyjWDarjtT1zdp7dcXy89"
URL_PASSWORD = "Pl4nted-URL-pass"
JSON_PASSWORD = "Pl4nted-JSON-pass"
RUNBOOK_PASSWORD = "Runb00k-secret-pass"
FIXTURE_PASSWORD = SECRET_FIXTURE.split("=", 1)[1]  # the sandbox's log line: password=hunter2
PLANTED = [AKIA, STRIPE, URL_PASSWORD, JSON_PASSWORD, RUNBOOK_PASSWORD, FIXTURE_PASSWORD]

QUESTION = (f"show me errors in the payments-webhook logs; I tried key {AKIA} with {STRIPE} against "
            f'postgresql://app:{URL_PASSWORD}@db.internal/app and {{"password": "{JSON_PASSWORD}"}}')


def _no_planted(text: str) -> list[str]:
    return [secret for secret in PLANTED if secret in text]


@pytest.fixture(scope="module")
def session(sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One user's session on a fresh home; every command's output is kept."""
    root = tmp_path_factory.mktemp("secrets")
    home = root / "home"
    cli = Cli({**base_env(home), **sandbox.env})
    docs = root / "docs"
    docs.mkdir()
    (docs / "rotate-db.md").write_text(
        "# Rotate the orders database credentials\n\n## Steps\n"
        f"Connect as admin (password: {RUNBOOK_PASSWORD}) and run ALTER ROLE app PASSWORD.\n")
    out: dict[str, Any] = {"home": home, "cli": cli}
    out["logs"] = cli("ask", "--json", QUESTION)
    out["approval"] = cli("ask", "--json", f"reboot payments-api-1, the db password={JSON_PASSWORD}")
    out["ingest"] = cli("knowledge", "ingest", str(docs))
    out["search_json"] = cli("knowledge", "search", "--json", "rotate the orders database credentials")
    out["search_text"] = cli("knowledge", "search", "rotate the orders database credentials")
    out["sync"] = cli("inventory", "sync", "--json")
    out["error"] = cli("knowledge", "ingest", f"missing-{STRIPE}-\x1b]0;title\x07.md")
    return out


def test_every_command_ran(session: dict[str, Any]) -> None:
    for name in ("logs", "approval", "ingest", "search_json", "search_text", "sync"):
        assert session[name].returncode == 0, (name, session[name].stderr)
    assert session["logs"].last["skill"] == "infra.logs"
    assert session["approval"].last["pending_approval"]
    assert session["sync"].last["resources"] > 0


def test_outputs_are_masked(session: dict[str, Any]) -> None:
    for name in ("logs", "approval", "ingest", "search_json", "search_text", "sync", "error"):
        result = session[name]
        assert _no_planted(result.stdout + result.stderr) == [], name
    assert "password=[REDACTED]" in session["logs"].last["answer"]  # the fixture's log line, quoted masked
    hits = session["search_json"].last["results"]
    assert hits[0]["source"] == "rotate-db.md" and "password: [REDACTED]" in hits[0]["text"]
    error = session["error"]
    assert error.returncode == 1 and error.stderr.count("\n") == 1
    assert "[REDACTED STRIPE KEY]" in error.stderr and "\x1b" not in error.stderr and "\x07" not in error.stderr


def _leaks(home: Path) -> dict[str, list[str]]:
    """Every file under the home as raw bytes: which planted secrets each holds."""
    files = [path for path in home.rglob("*") if path.is_file()]
    assert {"guardian.db", "secret.key", "chroma.sqlite3"} <= {path.name for path in files}
    return {str(path.relative_to(home)): found for path in files
            if (found := [s for s in PLANTED if s.encode() in path.read_bytes()])}


def test_no_planted_secret_rests_anywhere_under_the_home(session: dict[str, Any]) -> None:
    assert _leaks(session["home"]) == {}


def test_the_home_is_owner_only(session: dict[str, Any]) -> None:
    home: Path = session["home"]

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(home) == 0o700
    assert mode(home / "guardian.db") == mode(home / "secret.key") == 0o600
    assert mode(home / "chroma") == 0o700
    loose = [str(p.relative_to(home)) for p in home.rglob("*") if mode(p) & 0o077]
    assert loose == []


def test_a_paused_turn_resumes_only_with_the_key_that_wrote_it(session: dict[str, Any]) -> None:
    cli: Cli = session["cli"]
    approval_id = session["approval"].last["pending_approval"]["id"]
    wrong = cli("approvals", "approve", approval_id, "--user", "bob",
                env={**cli.env, "GUARDIAN_SECRET_KEY": "a-different-key-of-at-least-32-characters"})
    assert wrong.returncode == 1 and "Traceback" not in wrong.stderr
    assert wrong.stderr.count("\n") == 1 and "GUARDIAN_SECRET_KEY" in wrong.stderr, wrong.stderr
    listed = cli("approvals", "list", "--json")
    assert approval_id in {row["id"] for row in listed.json_lines}  # still pending: nothing changed
    right = cli("approvals", "approve", approval_id, "--user", "bob", "--json")
    assert right.returncode == 0, right.stderr
    assert right.last["pending_approval"] is None and _no_planted(right.stdout) == []
    assert approval_id not in {row["id"] for row in cli("approvals", "list", "--json").json_lines}
    assert _leaks(session["home"]) == {}  # the decided approval and its result too
