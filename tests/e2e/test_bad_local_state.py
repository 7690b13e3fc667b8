"""Bad local state and bad input through the real `guardian` command: every failure is exit
status 1 with one line on stderr that names the file and says what to do, never a
traceback; a damaged knowledge store breaks only knowledge; a failing region is named
while the others answer."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.company import DRIFTWOOD
from tests.e2e.conftest import GUARDIAN, Cli, CliResult, base_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def one_line_failure(result: CliResult, *needles: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout[-300:], result.stderr[-800:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Path], Cli]:
    return lambda home: Cli(base_env(home))


# --------------------------------------------------------------------------- GUARDIAN_HOME


def test_a_home_that_is_a_file(tmp_path: Path, offline: Callable[[Path], Cli]) -> None:
    home = tmp_path / "home"
    home.write_text("not a directory")
    one_line_failure(offline(home)("approvals", "list"), f"GUARDIAN_HOME {home} is a file, not a directory",
                     "point GUARDIAN_HOME at a directory")
    one_line_failure(offline(home / "sub")("approvals", "list"), f"Cannot create GUARDIAN_HOME {home / 'sub'}",
                     "Not a directory")


def _without_root_privileges() -> list[str]:
    """Root reads and writes anything: drop the capabilities that let it, so permissions bite."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root needs util-linux's setpriv to test permissions"
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={caps}", f"--inh-caps={caps}"]


def _run_unprivileged(home: Path, *args: str) -> CliResult:
    proc = subprocess.run([*_without_root_privileges(), str(GUARDIAN), *args], env=base_env(home),
                          capture_output=True, text=True, timeout=120)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def test_an_unreadable_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o000)
    try:
        result = _run_unprivileged(home, "approvals", "list")
    finally:
        home.chmod(0o700)
    one_line_failure(result, f"GUARDIAN_HOME {home} is not readable and writable", f"chmod u+rwx {home}")


def test_a_database_this_user_cannot_write(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with sqlite3.connect(home / "guardian.db") as conn:
        conn.execute("CREATE TABLE t (x)")
    (home / "guardian.db").chmod(0o400)
    result = _run_unprivileged(home, "approvals", "list")
    one_line_failure(result, f"The database {home / 'guardian.db'} is not a file this user can read and write")


@pytest.mark.parametrize("command", [("approvals", "list"), ("approvals", "approve", "ap-0000000000"),
                                     ("ask", "what can you do?")], ids=["list", "approve", "ask"])
def test_a_corrupt_database(tmp_path: Path, offline: Callable[[Path], Cli], command: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "guardian.db").write_bytes(os.urandom(16384))
    one_line_failure(offline(home)(*command), f"The database {home / 'guardian.db'} is damaged",
                     "file is not a database", "move it aside")


# --------------------------------------------------------------------------- files that are not UTF-8


def test_input_files_that_are_not_utf8(tmp_path: Path, offline: Callable[[Path], Cli]) -> None:
    cli = offline(tmp_path / "home")
    latin1 = tmp_path / "requests.txt"
    latin1.write_bytes("what did we spend on caf\xe9 servers\n".encode("latin-1"))
    one_line_failure(cli("route", "--json", "--file", str(latin1)), f"{latin1} is not UTF-8 text",
                     "byte 0xe9", "save it as UTF-8")
    one_line_failure(_stdin(cli, latin1.read_bytes()), "standard input is not UTF-8 text")
    one_line_failure(cli("knowledge", "search", "--file", str(latin1)), f"{latin1} is not UTF-8 text")
    runbook = tmp_path / "runbook.md"
    runbook.write_bytes(b"# Caf\xe9 outage\n\nRestart the espresso service.\n")
    one_line_failure(cli("knowledge", "ingest", str(runbook)), f"{runbook} is not UTF-8 text",
                     "nothing was indexed")


def _stdin(cli: Cli, data: bytes) -> CliResult:
    proc = subprocess.run([str(GUARDIAN), "route", "--json", "--file", "-"], env=cli.env, input=data,
                          capture_output=True, timeout=120)
    return CliResult(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def test_a_directory_with_one_bad_file_indexes_the_rest_and_says_which(
        tmp_path: Path, offline: Callable[[Path], Cli], warm_home: Callable[[Path], Path]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.md").write_text("# Kafka lag\n\nCompare consumer offsets with kafka-consumer-groups.\n")
    (docs / "bad.md").write_bytes(b"# Caf\xe9\n\nLatin-1 text.\n")
    result = offline(warm_home(tmp_path / "home"))("knowledge", "ingest", "--json", str(docs))
    assert result.returncode == 0, result.stderr
    assert result.last["files_indexed"] == 1
    assert result.stderr.strip() == "guardian: skipped bad.md: not UTF-8 text"


@pytest.mark.parametrize(("content", "needles"), [
    (b"llm: \"caf\xe9\"\n", ("is not UTF-8 text", "byte 0xe9", "save it as UTF-8")),
    (b"home: [unclosed\nllm: none\n", ("is not valid YAML", "line 2", "fix it or unset GUARDIAN_CONFIG")),
    (b"- a\n- b\n", ("must be a YAML mapping",)),
    (None, ("which does not exist", "create it or unset GUARDIAN_CONFIG")),
], ids=["latin-1", "broken yaml", "a list", "missing"])
def test_a_bad_config_file(tmp_path: Path, content: bytes | None, needles: tuple[str, ...]) -> None:
    config = tmp_path / "guardian.yaml"
    if content is not None:
        config.write_bytes(content)
    env = {**base_env(tmp_path / "home"), "GUARDIAN_CONFIG": str(config)}
    one_line_failure(Cli(env)("approvals", "list"), f"GUARDIAN_CONFIG {config}"
                     if content is not None else f"GUARDIAN_CONFIG names {config}", *needles)


# --------------------------------------------------------------------------- a damaged knowledge store


def _truncate(chroma: Path) -> None:
    with open(chroma / "chroma.sqlite3", "r+b") as handle:
        handle.truncate(100_000)


def _garble(chroma: Path) -> None:
    with open(chroma / "chroma.sqlite3", "r+b") as handle:
        handle.write(os.urandom(65536))


def _drop_segments(chroma: Path) -> None:
    for folder in chroma.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, sandbox: Any,
             warm_home: Callable[[Path], Path]) -> dict[str, Any]:
    """A home after a normal ingest, with an approval waiting: copied for each damage."""
    home = warm_home(tmp_path_factory.mktemp("ingested-home"))
    docs = tmp_path_factory.mktemp("team-docs")
    (docs / "kafka-lag.md").write_text("# Kafka consumer lag\n\n## Check\nCompare offsets with "
                                       "kafka-consumer-groups --describe.\n")
    cli = Cli({**base_env(home), **sandbox.env})
    assert cli("knowledge", "ingest", str(docs)).returncode == 0
    answer = cli("ask", "--json", "--user", "alice", "reboot bastion-1")
    assert answer.returncode == 0, answer.stderr
    pending = answer.last["pending_approval"]
    assert pending, answer.last["answer"]
    return {"home": home, "docs": docs, "env": sandbox.env, "approval": pending["id"]}


DAMAGE = [("truncated", _truncate), ("garbled", _garble), ("segments deleted", _drop_segments)]


@pytest.mark.parametrize(("name", "damage"), DAMAGE, ids=[name for name, _ in DAMAGE])
def test_a_damaged_store_breaks_only_knowledge(tmp_path: Path, ingested: dict[str, Any], name: str,
                                               damage: Callable[[Path], None]) -> None:
    home = tmp_path / "home"
    shutil.copytree(ingested["home"], home)
    damage(home / "chroma")
    cli = Cli({**base_env(home), **ingested["env"]})

    # knowledge commands: one sentence naming the store and how to rebuild it (Chroma may
    # also recover a lost vector segment from its own log, then they simply work)
    for command in (("knowledge", "search", "consumer lag"), ("knowledge", "ingest", str(ingested["docs"]))):
        result = cli(*command)
        if result.returncode == 0 and name == "segments deleted":
            continue
        one_line_failure(result, f"The knowledge store in {home / 'chroma'} cannot be read",
                         "guardian knowledge rebuild")

    # everything else keeps working; a skill that would cite a runbook says why it cannot
    answer = cli("ask", "--json", "which security groups are open to the world?")
    assert answer.returncode == 0, answer.stderr
    assert "Traceback" not in answer.stderr
    for group in DRIFTWOOD.world_open_groups():
        assert group.name in answer.last["answer"]
    if answer.last["citations"] == []:
        assert "No runbook cited: The knowledge store in" in answer.last["answer"]
        assert "guardian knowledge rebuild" in answer.last["answer"]
    else:
        assert name == "segments deleted"
    listed = cli("approvals", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert ingested["approval"] in {row["id"] for row in listed.json_lines}
    denied = cli("approvals", "deny", ingested["approval"], "--user", "bob", "--json")
    assert denied.returncode == 0, denied.stderr
    assert "nothing was changed" in denied.last["answer"]

    if name != "garbled":
        return
    # and the way back (once: it is the same for every damage)
    rebuilt = cli("knowledge", "rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert f"Moved the old store to {home / 'chroma.damaged-'}" in rebuilt.stdout
    assert "Ingest your own documents again" in rebuilt.stdout
    assert cli("knowledge", "ingest", str(ingested["docs"])).returncode == 0
    found = cli("knowledge", "search", "--json", "-k", "1", "consumer group is lagging")
    assert found.returncode == 0, found.stderr
    assert found.last["results"][0]["source"] == "kafka-lag.md"


def test_rebuild_refuses_a_healthy_store(tmp_path: Path, ingested: dict[str, Any]) -> None:
    home = tmp_path / "home"
    shutil.copytree(ingested["home"], home)
    one_line_failure(Cli(base_env(home))("knowledge", "rebuild"), "reads fine", "--force")


# --------------------------------------------------------------------------- a failing region


def test_a_failing_region_is_named_while_the_others_answer(cli: Cli) -> None:
    env = {**cli.env, "GUARDIAN_AWS_REGIONS": cli.env["GUARDIAN_AWS_REGIONS"] + ",xx-fake-9"}
    answer = cli("ask", "--json", "which security groups are open to the world?", env=env)
    assert answer.returncode == 0, answer.stderr
    assert "Traceback" not in answer.stderr
    for group in DRIFTWOOD.world_open_groups():
        assert group.name in answer.last["answer"]
    assert "Could not check xx-fake-9: xx-fake-9 is not a region this AWS SDK knows" in answer.last["answer"]

    scan = cli("scan", "security", "--json", env=env)  # what it found, then exit 1 naming what it missed
    assert {row["region"] for row in scan.json_lines if row["check"] == "open_security_group"} == {
        group.region for group in DRIFTWOOD.world_open_groups()}
    one_line_failure(scan, "Scan incomplete. Could not check xx-fake-9")

    synced = cli("inventory", "sync", env=env)  # a snapshot without a region would drop its resources
    one_line_failure(synced, "Inventory not synced, the last snapshot is kept: could not check xx-fake-9")
