"""Local state going bad under a running app. /readyz really checks, every time: the
database (a real query on every table Guardian uses) and the knowledge store (a real read).
A database or store moved, truncated, garbled or dropped makes /readyz answer 503 naming the
part that failed, and putting it back makes it ready again (nothing is remembered from
start-up). A damaged store costs only runbooks: the web chat still answers."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.http_app import create_app
from bot.runtime import Runtime
from bot.settings import Settings

pytestmark = pytest.mark.slow
TOKEN = "local-state-token"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home a running app has already set up (database tables, store with runbooks)."""
    home = tmp_path_factory.mktemp("ready-home")
    with Runtime(Settings(home=home)) as rt:
        assert TestClient(create_app(rt)).get("/readyz").status_code == 200
    return home


@pytest.fixture
def app(pristine: Path, tmp_path: Path) -> Any:
    home = tmp_path / "home"
    shutil.copytree(pristine, home)
    rt = Runtime(Settings(home=home, web_token=TOKEN))  # type: ignore[arg-type]
    client = TestClient(create_app(rt), raise_server_exceptions=False)
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "knowledge": "ok"}
    yield client, home
    rt.close()


def _garble(path: Path) -> None:
    with open(path, "r+b") as handle:
        handle.write(b"\xde\xad\xbe\xef" * 1024)


def _drop(table: str) -> Callable[[Path], None]:
    def drop(db: Path) -> None:
        with sqlite3.connect(db) as conn:
            conn.execute(f'DROP TABLE "{table}"')
    return drop


DATABASE_DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("moved", lambda db: db.rename(db.with_name("moved.db")), "database file is missing"),
    ("deleted", lambda db: db.unlink(), "database file is missing"),
    ("truncated", lambda db: db.write_bytes(b""), "no such table"),
    ("garbled", _garble, "file is not a database"),
    ("approvals table dropped", _drop("guardian_approvals"), "no such table: guardian_approvals"),
    ("checkpoints table dropped", _drop("checkpoints"), "no such table: checkpoints"),
]


@pytest.mark.parametrize(("name", "damage", "reason"), DATABASE_DAMAGE, ids=[d[0] for d in DATABASE_DAMAGE])
def test_a_damaged_database_makes_readyz_fail_naming_it(app: Any, name: str, damage: Callable[[Path], None],
                                                         reason: str) -> None:
    client, home = app
    damage(home / "guardian.db")
    response = client.get("/readyz")
    assert response.status_code == 503, name
    body = response.json()
    assert body["status"] == "not ready"
    assert reason in body["failed"]["database"]
    assert "knowledge" not in body["failed"]
    assert str(home) not in response.text  # reasons, not paths


def test_readyz_recovers_when_the_database_comes_back(app: Any) -> None:
    client, home = app
    db = home / "guardian.db"
    db.rename(home / "aside.db")
    assert client.get("/readyz").status_code == 503
    (home / "aside.db").rename(db)
    assert client.get("/readyz").status_code == 200


KNOWLEDGE_DAMAGE: list[tuple[str, Callable[[Path], None], str]] = [
    ("moved", lambda chroma: chroma.rename(chroma.with_name("chroma-aside")), "store file is missing"),
    ("garbled", lambda chroma: _garble(chroma / "chroma.sqlite3"), "file is not a database"),
    ("truncated", lambda chroma: (chroma / "chroma.sqlite3").write_bytes(b""), "no such table"),
]


@pytest.mark.parametrize(("name", "damage", "reason"), KNOWLEDGE_DAMAGE, ids=[d[0] for d in KNOWLEDGE_DAMAGE])
def test_a_damaged_store_makes_readyz_fail_naming_it(app: Any, name: str, damage: Callable[[Path], None],
                                                      reason: str) -> None:
    client, home = app
    damage(home / "chroma")
    response = client.get("/readyz")
    assert response.status_code == 503, name
    failed = response.json()["failed"]
    assert set(failed) == {"knowledge"}
    assert reason in failed["knowledge"]


def test_readyz_recovers_when_the_store_comes_back(app: Any) -> None:
    client, home = app
    (home / "chroma").rename(home / "chroma-aside")
    for _ in range(3):  # checking again must not quietly create a new, empty store in its place
        assert client.get("/readyz").status_code == 503
    assert not (home / "chroma").exists()
    (home / "chroma-aside").rename(home / "chroma")
    assert client.get("/readyz").status_code == 200


def test_a_damaged_store_costs_only_the_runbook(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    client, home = app
    _garble(home / "chroma" / "chroma.sqlite3")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    answered = client.post("/api/chat", json={"text": "what did we spend on ec2 last week?"}, headers=headers)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["skill"] == "cost.summary" and body["citations"] == []
    assert f"No runbook cited: The knowledge store in {home / 'chroma'} cannot be read" in body["answer"]
    runbook = client.post("/api/chat", json={"text": "how do I fix a full disk?"}, headers=headers)
    assert runbook.status_code == 200, runbook.text
    assert "guardian knowledge rebuild" in runbook.json()["answer"]
    assert client.get("/readyz").json()["failed"] == {"knowledge": "file is not a database"}


@pytest.mark.postgres
def test_the_database_check_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    from bot.health import DatabaseCheck

    with Runtime(Settings(home=tmp_path, database_url=postgres_url)) as rt:
        assert TestClient(create_app(rt)).get("/readyz").status_code == 200  # tables and checkpoints exist
    assert DatabaseCheck(postgres_url).check() is None
    missing = DatabaseCheck(postgres_url.rsplit("/", 1)[0] + "/no_such_database_here").check()
    assert missing and "no_such_database_here" in missing
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"postgresql://postgres@127.0.0.1:{sock.getsockname()[1]}/test"
    down = DatabaseCheck(closed).check()
    assert down and "refused" in down.lower() and "[SQL" not in down


def test_a_fresh_replica_without_the_scheduler_is_ready(tmp_path: Path) -> None:
    """In a new interpreter (nothing imported by earlier tests), storage opened before the app
    imports the scheduled jobs' modules, and no scheduler to build their stores
    (GUARDIAN_SCHEDULER=0): every table /readyz checks still exists."""
    script = (
        "import sys; from pathlib import Path; from fastapi.testclient import TestClient\n"
        "from bot.runtime import Runtime; from bot.settings import Settings\n"
        "with Runtime(Settings(home=Path(sys.argv[1]), scheduler=False)) as rt:\n"
        "    rt.metrics  # opens the database first, as the app's own start-up does\n"
        "    from bot.http_app import create_app\n"
        "    ready = TestClient(create_app(rt)).get('/readyz')\n"
        "    print(ready.status_code, ready.json().get('reason', ''))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "home")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.stdout.strip() == "200", done.stdout + done.stderr[-2000:]
