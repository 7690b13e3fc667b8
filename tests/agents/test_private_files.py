"""Owner-only files: GUARDIAN_HOME 0700, the database and its -wal/-shm, the key file and
the embedded Chroma directory owner-only; a looser home is tightened, another user's
only warned about."""

from __future__ import annotations

import logging
import os
import stat
from contextlib import ExitStack
from pathlib import Path

import pytest

from agents.checkpoint import make_checkpointer
from agents.private import private_dir, private_home, private_sqlite
from bot.runtime import Runtime
from bot.settings import load_settings
from tests.agents.test_checkpoint_encryption import QUESTION, _config, build_graph


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_home_is_owner_only(tmp_path: Path) -> None:
    home = tmp_path / "a" / "home"
    private_home(home)
    assert mode(home) == 0o700


def test_a_loose_home_is_tightened_with_everything_in_it(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "chroma" / "seg").mkdir(parents=True)
    (home / "guardian.db").write_text("x")
    (home / "chroma" / "seg" / "data.bin").write_text("x")
    for path in (home, home / "chroma", home / "chroma" / "seg"):
        path.chmod(0o755)
    for path in (home / "guardian.db", home / "chroma" / "seg" / "data.bin"):
        path.chmod(0o644)
    (home / "notes.txt").write_text("someone else's file")
    (home / "notes.txt").chmod(0o644)
    private_home(home)
    assert [mode(p) for p in (home, home / "chroma", home / "chroma" / "seg")] == [0o700] * 3
    assert mode(home / "guardian.db") == mode(home / "chroma" / "seg" / "data.bin") == 0o600
    assert mode(home / "notes.txt") == 0o644  # not Guardian's: left alone (the home itself is 0700)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to give a file away")
def test_another_users_home_is_warned_about_not_changed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    home = tmp_path / "theirs"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    os.chown(home, 65534, 65534)
    with caplog.at_level(logging.WARNING, logger="agents.private"):
        private_dir(home, "GUARDIAN_HOME")
    assert mode(home) == 0o755
    assert any("belongs to another user" in r.getMessage() for r in caplog.records)


def test_the_sqlite_database_and_its_wal_and_shm_are_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "guardian.db"
    with ExitStack() as stack:
        graph = build_graph(make_checkpointer(f"sqlite:///{database}", stack))
        graph.invoke({"question": QUESTION}, _config("modes:a"))
        side = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
        assert all(p.exists() for p in side)
        assert [mode(p) for p in (database, *side)] == [0o600] * 3
    assert mode(tmp_path / "secret.key") == 0o600


def test_loose_database_side_files_are_tightened(tmp_path: Path) -> None:
    database = tmp_path / "guardian.db"
    database.write_bytes(b"")
    wal = tmp_path / "guardian.db-wal"
    wal.write_bytes(b"")
    database.chmod(0o644)
    wal.chmod(0o666)
    private_sqlite(database)
    assert mode(database) == mode(wal) == 0o600


def test_runtime_makes_home_database_and_key_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GUARDIAN_SECRET_KEY", raising=False)
    monkeypatch.delenv("GUARDIAN_DATABASE_URL", raising=False)
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    with Runtime(load_settings(home=home)) as rt:
        assert mode(home) == 0o700
        rt.storage  # noqa: B018
        assert mode(home / "guardian.db") == 0o600
        assert mode(home / "secret.key") == 0o600
        assert rt.secret_key.source == str(home / "secret.key")
