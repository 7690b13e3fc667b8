"""Checkpoints are encrypted at rest: a secret typed in the question is nowhere in the
raw bytes of the SQLite database (or its -wal file), nor in PostgreSQL's checkpoint
tables; a paused turn resumes from another process with the same key, and a different
key is one clear error naming GUARDIAN_SECRET_KEY."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from agents.checkpoint import make_checkpointer
from agents.sealing import SecretKey, SecretKeyError, load_secret_key, new_key_text

SECRETS = ["AKIAZ7Q4W2LMX8RT5NVB", "sk_live_51HqLyjWDarjtT1zdp7dcXy89", "Tr0ub4dor-3x-plain", "hunter2-typed"]
QUESTION = (f"stop payments-api-1, my key is {SECRETS[0]} and stripe {SECRETS[1]}; "
            f"db is postgresql://app:{SECRETS[2]}@db/app and {{\"password\": \"{SECRETS[3]}\"}}")


class State(TypedDict, total=False):
    question: str  # a string channel: PostgreSQL's saver would keep it inline
    request: dict[str, Any]
    decision: dict[str, Any] | None
    outcome: str | None


def build_graph(checkpointer: Any) -> Any:
    """The shape of Guardian's graph: take the request, pause for a decision, finish."""

    def take(state: State) -> dict[str, Any]:
        return {"request": {"text": state["question"], "words": state["question"].split()}}

    def approval(state: State) -> dict[str, Any]:
        decision = interrupt({"summary": f"approve? {state['question']}"})
        return {"decision": decision}

    def finish(state: State) -> dict[str, Any]:
        approved = (state.get("decision") or {}).get("approve")
        return {"outcome": f"{'done' if approved else 'denied'}: {state['request']['text']}"}

    graph = StateGraph(State)
    graph.add_node("take", take)
    graph.add_node("approval", approval)
    graph.add_node("finish", finish)
    graph.add_edge(START, "take")
    graph.add_edge("take", "approval")
    graph.add_edge("approval", "finish")
    graph.add_edge("finish", END)
    return graph.compile(checkpointer=checkpointer)


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


def _key() -> SecretKey:
    return SecretKey(new_key_text().encode(), "GUARDIAN_SECRET_KEY")


def _assert_no_secret(blob: bytes, where: str) -> None:
    for secret in SECRETS:
        for encoded in (secret.encode(), secret.encode("utf-16-le"), json.dumps(secret).encode()):
            assert encoded not in blob, f"{secret!r} in plaintext in {where}"


# --------------------------------------------------------------------------- SQLite


def test_sqlite_checkpoints_hold_no_plaintext(tmp_path: Path) -> None:
    database = tmp_path / "guardian.db"
    with ExitStack() as stack:
        graph = build_graph(make_checkpointer(f"sqlite:///{database}", stack, _key()))
        graph.invoke({"question": QUESTION}, _config("t1:a"))
        assert graph.get_state(_config("t1:a")).interrupts  # paused, so the writes table is full
        wal = database.with_name(database.name + "-wal")
        assert wal.exists()
        _assert_no_secret(wal.read_bytes(), "guardian.db-wal")
        _assert_no_secret(database.read_bytes(), "guardian.db")
        state = graph.invoke(Command(resume={"approve": True}), _config("t1:a"))
        assert state["outcome"] == f"done: {QUESTION}"  # and it all reads back
        _assert_no_secret(wal.read_bytes(), "guardian.db-wal")
    _assert_no_secret(database.read_bytes(), "guardian.db")  # after the WAL is folded in
    for side in tmp_path.iterdir():
        _assert_no_secret(side.read_bytes(), side.name)


def test_sqlite_without_a_key_uses_the_key_file_beside_it(tmp_path: Path) -> None:
    database = tmp_path / "guardian.db"
    with ExitStack() as stack:
        graph = build_graph(make_checkpointer(f"sqlite:///{database}", stack))
        graph.invoke({"question": QUESTION}, _config("t2:a"))
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600
    _assert_no_secret(database.read_bytes(), "guardian.db")
    with ExitStack() as stack:  # another opener finds the same key
        graph = build_graph(make_checkpointer(f"sqlite:///{database}", stack))
        assert graph.invoke(Command(resume={"approve": False}), _config("t2:a"))["outcome"].startswith("denied")


def test_a_wrong_key_is_one_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'guardian.db'}"
    with ExitStack() as stack:
        build_graph(make_checkpointer(url, stack, _key())).invoke({"question": QUESTION}, _config("t3:a"))
    with ExitStack() as stack:
        graph = build_graph(make_checkpointer(url, stack, _key()))
        with pytest.raises(SecretKeyError, match="GUARDIAN_SECRET_KEY") as caught:
            graph.get_state(_config("t3:a"))
        assert isinstance(caught.value, ValueError)  # the CLI prints ValueErrors as one line
        assert "\n" not in str(caught.value)


# --------------------------------------------------------------------------- two processes

SCRIPT = textwrap.dedent("""
    import json, sys
    from contextlib import ExitStack
    from langgraph.types import Command
    from agents.checkpoint import make_checkpointer
    from agents.sealing import load_secret_key
    from tests.agents.test_checkpoint_encryption import QUESTION, build_graph, _config
    import os
    action, url, home = sys.argv[1:4]
    key = load_secret_key(home, os.environ.get("GUARDIAN_SECRET_KEY"))
    try:
        with ExitStack() as stack:
            graph = build_graph(make_checkpointer(url, stack, key))
            if action == "ask":
                graph.invoke({"question": QUESTION}, _config("proc:1"))
                print(json.dumps({"paused": bool(graph.get_state(_config("proc:1")).interrupts)}))
            else:
                state = graph.invoke(Command(resume={"approve": True}), _config("proc:1"))
                print(json.dumps({"outcome": state["outcome"]}))
    except ValueError as exc:
        print(f"guardian: {exc}", file=sys.stderr)
        sys.exit(1)
""")


def _run(action: str, url: str, home: Path, key: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GUARDIAN_SECRET_KEY"}
    if key is not None:
        env["GUARDIAN_SECRET_KEY"] = key
    root = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", SCRIPT, action, url, str(home)], env=env, cwd=root,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'guardian.db'}"


@pytest.mark.parametrize("key_from", ["env", "file"])
def test_resume_in_another_process_with_the_same_key(sqlite_url: str, tmp_path: Path, key_from: str) -> None:
    key = new_key_text() if key_from == "env" else None
    asked = _run("ask", sqlite_url, tmp_path, key)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout) == {"paused": True}
    resumed = _run("resume", sqlite_url, tmp_path, key)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout) == {"outcome": f"done: {QUESTION}"}


def test_resume_in_another_process_with_another_key_fails_clearly(sqlite_url: str, tmp_path: Path) -> None:
    assert _run("ask", sqlite_url, tmp_path, new_key_text()).returncode == 0
    other = _run("resume", sqlite_url, tmp_path, new_key_text())
    assert other.returncode == 1
    lines = other.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in other.stderr, other.stderr
    assert "GUARDIAN_SECRET_KEY" in lines[0] and "different secret key" in lines[0]


# --------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:
    yield postgres_url


def _pg_raw(url: str, thread: str) -> bytes:
    import psycopg

    raw = b""
    with psycopg.connect(url) as conn:
        for table in ("checkpoints", "checkpoint_writes", "checkpoint_blobs"):
            rows = conn.execute(f"SELECT row_to_json(t)::text FROM {table} t WHERE thread_id = %s",
                                (thread,)).fetchall()
            assert rows or table == "checkpoint_writes", f"nothing in {table}"
            raw += b"\n".join(row[0].encode() for row in rows)
            if table != "checkpoints":  # bytea shows as hex in JSON: read the bytes themselves too
                for (blob,) in conn.execute(f"SELECT blob FROM {table} WHERE thread_id = %s",
                                            (thread,)).fetchall():
                    raw += b"\n" + bytes(blob or b"")
    return raw


@pytest.mark.postgres
def test_postgres_checkpoints_hold_no_plaintext(pg_url: str) -> None:
    thread = f"pg-{new_key_text()[:8]}:a"
    with ExitStack() as stack:
        graph = build_graph(make_checkpointer(pg_url, stack, _key()))
        graph.invoke({"question": QUESTION}, _config(thread))
        assert graph.get_state(_config(thread)).interrupts
        _assert_no_secret(_pg_raw(pg_url, thread), "checkpoints/checkpoint_writes/checkpoint_blobs")
        state = graph.invoke(Command(resume={"approve": True}), _config(thread))
        assert state["outcome"] == f"done: {QUESTION}"
        assert graph.get_state(_config(thread)).values["question"] == QUESTION  # strings read back
    _assert_no_secret(_pg_raw(pg_url, thread), "checkpoints/checkpoint_writes/checkpoint_blobs")


@pytest.mark.postgres
def test_postgres_with_another_key_fails_clearly(pg_url: str) -> None:
    thread = f"pg-{new_key_text()[:8]}:b"
    with ExitStack() as stack:
        build_graph(make_checkpointer(pg_url, stack, _key())).invoke({"question": QUESTION}, _config(thread))
    with ExitStack() as stack:
        graph = build_graph(make_checkpointer(pg_url, stack, _key()))
        with pytest.raises(SecretKeyError, match="GUARDIAN_SECRET_KEY"):
            graph.invoke(Command(resume={"approve": True}), _config(thread))


@pytest.mark.postgres
def test_postgres_with_a_local_key_file_warns(tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="agents.sealing"):
        key = load_secret_key(tmp_path, None, database_url=pg_url)
    assert key.from_file
    assert any("GUARDIAN_SECRET_KEY" in r.getMessage() and "replica" in r.getMessage() for r in caplog.records)
