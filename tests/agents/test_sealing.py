"""The secret key (GUARDIAN_SECRET_KEY or GUARDIAN_HOME/secret.key) and sealed values:
what the approvals table keeps of an approval's raw arguments."""

from __future__ import annotations

import json
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import agents.sealing as sealing
from agents.sealing import Sealer, SecretKey, SecretKeyError, load_secret_key, new_key_text
from bot.settings import load_settings

RAW = {"instance_id": "i-0abc1234def567890", "action": "stop", "note": "password=hunter2 sk_live_51HqLyjWDarjtT1z"}


def test_key_file_is_created_once_owner_only_and_reused(tmp_path: Path) -> None:
    first = load_secret_key(tmp_path, None)
    path = tmp_path / "secret.key"
    assert first.source == str(path) and first.from_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret_key(tmp_path, None) == first
    assert len(path.read_text().strip()) >= 32


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: load_secret_key(tmp_path, None), range(16)))
    assert len({key.material for key in keys}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]  # no temporary files left


def test_a_loose_key_file_is_tightened(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text(new_key_text() + "\n")
    (tmp_path / "secret.key").chmod(0o644)
    load_secret_key(tmp_path, None)
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600


def test_the_environment_key_wins_and_must_be_long(tmp_path: Path) -> None:
    key = load_secret_key(tmp_path, "k" * 40)
    assert key.source == "GUARDIAN_SECRET_KEY" and not (tmp_path / "secret.key").exists()
    with pytest.raises(SecretKeyError, match="GUARDIAN_SECRET_KEY is too short"):
        load_secret_key(tmp_path, "short")


def test_a_damaged_key_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("abc\n")
    with pytest.raises(SecretKeyError, match=r"secret\.key is damaged"):
        load_secret_key(tmp_path, None)


def test_settings_read_guardian_secret_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    value = new_key_text()
    monkeypatch.setenv("GUARDIAN_SECRET_KEY", value)
    settings = load_settings(home=tmp_path)
    assert settings.secret_key is not None and settings.secret_key.get_secret_value() == value
    assert value not in repr(settings)


def test_seal_round_trip_hides_the_value() -> None:
    sealer = Sealer(SecretKey(new_key_text().encode(), "GUARDIAN_SECRET_KEY"))
    token = sealer.seal(RAW)
    assert token.startswith("gs1:")
    assert "hunter2" not in token and "i-0abc1234def567890" not in token
    assert sealer.unseal(token) == RAW
    assert sealer.seal(RAW) != token  # a fresh nonce each time


def test_unseal_with_another_key_is_one_clear_error() -> None:
    token = Sealer(SecretKey(new_key_text().encode(), "GUARDIAN_SECRET_KEY")).seal(RAW)
    other = Sealer(SecretKey(new_key_text().encode(), "/home/x/.guardian/secret.key"))
    with pytest.raises(SecretKeyError, match="GUARDIAN_SECRET_KEY") as caught:
        other.unseal(token)
    assert "\n" not in str(caught.value) and "secret.key" in str(caught.value)


@pytest.mark.parametrize("token", ["gs1:" + "A" * 40, "plain text", "gs1:!!!"])
def test_damaged_or_foreign_tokens_are_refused(token: str) -> None:
    with pytest.raises(SecretKeyError):
        Sealer(SecretKey(new_key_text().encode(), "GUARDIAN_SECRET_KEY")).unseal(token)


def test_checkpoint_and_seal_subkeys_differ() -> None:
    key = SecretKey(new_key_text().encode(), "GUARDIAN_SECRET_KEY")
    assert key.derive("checkpoints") != key.derive("seal") and len(key.derive("seal")) == 32


def test_module_level_seal_uses_the_loaded_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sealing, "_default", None)
    with pytest.raises(SecretKeyError, match="use_key"):
        sealing.seal(RAW)
    sealing.use_key(SecretKey(new_key_text().encode(), "GUARDIAN_SECRET_KEY"))
    assert sealing.unseal(sealing.seal(RAW)) == RAW
    assert json.loads(json.dumps(sealing.unseal(sealing.seal([1, "x", None])))) == [1, "x", None]
