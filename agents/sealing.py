"""Guardian's secret key and what it seals.

One key, from ``GUARDIAN_SECRET_KEY`` or else created once in ``GUARDIAN_HOME/secret.key``
(mode 0600) and reused, encrypts everything Guardian keeps that may hold a secret in
the clear: LangGraph checkpoints (``agents/checkpoint.py``) and the raw arguments of an
approval (:func:`seal` / :func:`unseal`). Each use gets its own subkey (HKDF-SHA256), so
the checkpoint cipher and the sealing cipher never share key material.

A wrong key is one clear :class:`SecretKeyError` naming ``GUARDIAN_SECRET_KEY``, never a
traceback: it is a ``ValueError``, which the CLI prints as one line.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.private import private_file

log = logging.getLogger(__name__)

ENV_NAME = "GUARDIAN_SECRET_KEY"
KEY_FILE = "secret.key"
MIN_KEY_CHARS = 32
SEAL_PREFIX = "gs1:"
_SEAL_AAD = b"guardian sealed value v1"


class SecretKeyError(ValueError):
    """The key is missing, malformed, or not the one that encrypted the data."""


@dataclass(frozen=True)
class SecretKey:
    """Key material and where it came from (for messages; the material is never shown)."""

    material: bytes = field(repr=False)
    source: str

    def derive(self, purpose: str, length: int = 32) -> bytes:
        """A subkey for one purpose (``"checkpoints"``, ``"seal"``)."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        return HKDF(algorithm=hashes.SHA256(), length=length, salt=b"guardian-secret-key",
                    info=f"guardian/{purpose}/v1".encode()).derive(self.material)

    @property
    def from_file(self) -> bool:
        return self.source not in (ENV_NAME, "ephemeral")


def new_key_text() -> str:
    """A fresh key in the form GUARDIAN_SECRET_KEY takes (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def wrong_key_message(what: str, key: SecretKey | None) -> str:
    used = f" (this process uses {key.source})" if key is not None else ""
    return (f"Cannot decrypt {what}: it was encrypted with a different secret key{used}. Set {ENV_NAME} "
            f"to the key that wrote it; without {ENV_NAME}, Guardian uses GUARDIAN_HOME/{KEY_FILE}.")


def load_secret_key(home: Path, configured: str | None, *, database_url: str | None = None) -> SecretKey:
    """The key from ``configured`` (GUARDIAN_SECRET_KEY), else ``home/secret.key``, created
    on first use. With a PostgreSQL database and a local key file, warns: every replica
    must share one key, so set GUARDIAN_SECRET_KEY there."""
    if configured is not None:
        text = configured.strip()
        if len(text) < MIN_KEY_CHARS:
            raise SecretKeyError(f"{ENV_NAME} is too short: use at least {MIN_KEY_CHARS} random characters, "
                                 f"e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'.")
        return SecretKey(text.encode(), ENV_NAME)
    path = Path(home) / KEY_FILE
    key = SecretKey(_read_or_create(path).encode(), str(path))
    if database_url and database_url.startswith("postgresql"):
        log.warning("checkpoints on PostgreSQL are encrypted with the local key file %s: replicas must share one "
                    "key, so set %s to the same value on every replica", path, ENV_NAME)
    return key


def _read_or_create(path: Path) -> str:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        text = _create(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SecretKeyError(f"Cannot read the key file {path} ({exc}); restore it or set {ENV_NAME}.") from exc
    if len(text) < MIN_KEY_CHARS:
        raise SecretKeyError(f"The key file {path} is damaged (too short); restore it from a backup or set "
                             f"{ENV_NAME}. Without the original key, saved conversations cannot be resumed.")
    private_file(path, "key file")
    return text


def _create(path: Path) -> str:
    """Write a new key to a private temporary file and link it into place: two processes
    starting at once agree on whichever key landed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = new_key_text()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
    finally:
        tmp.unlink(missing_ok=True)
    log.info("created the secret key %s (back it up: saved conversations need it)", path)
    return text


@functools.cache
def ephemeral_key() -> SecretKey:
    """A key that lives only in this process (for callers that configured none)."""
    return SecretKey(secrets.token_bytes(32), "ephemeral")


class Sealer:
    """Authenticated encryption (AES-256-GCM) of a JSON-like value to a short string, for
    values kept out of every listing and log: an approval's raw arguments."""

    def __init__(self, key: SecretKey) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.key = key
        self._aead = AESGCM(key.derive("seal"))

    def seal(self, value: Any) -> str:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str).encode()
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, data, _SEAL_AAD)
        return SEAL_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, token: str) -> Any:
        from cryptography.exceptions import InvalidTag

        if not isinstance(token, str) or not token.startswith(SEAL_PREFIX):
            raise SecretKeyError("Not a sealed value (it does not start with 'gs1:').")
        try:
            raw = base64.urlsafe_b64decode(token[len(SEAL_PREFIX):].encode("ascii"))
            data = self._aead.decrypt(raw[:12], raw[12:], _SEAL_AAD)
        except InvalidTag as exc:
            raise SecretKeyError(wrong_key_message("a sealed value", self.key)) from exc
        except (ValueError, UnicodeEncodeError) as exc:
            raise SecretKeyError(f"A sealed value is damaged ({exc}).") from exc
        return json.loads(data)


_default: Sealer | None = None


def use_key(key: SecretKey) -> Sealer:
    """Make ``key`` the one :func:`seal` and :func:`unseal` use (the composition root calls
    this once it has loaded the key)."""
    global _default
    if _default is None or _default.key != key:
        _default = Sealer(key)
    return _default


def default_sealer() -> Sealer:
    if _default is None:
        raise SecretKeyError("No secret key is loaded: the composition root calls agents.sealing.use_key() first.")
    return _default


def seal(value: Any) -> str:
    """``value`` (JSON-like) encrypted with the loaded key: ``"gs1:..."``."""
    return default_sealer().seal(value)


def unseal(token: str) -> Any:
    """The value :func:`seal` returned the token for; a different key raises
    :class:`SecretKeyError` naming GUARDIAN_SECRET_KEY."""
    return default_sealer().unseal(token)
