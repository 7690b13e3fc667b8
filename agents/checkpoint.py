"""The LangGraph checkpointer for the configured database URL: the same SQLite file as
approvals and audit by default, PostgreSQL's saver for several replicas.

Checkpoints hold the whole graph state, the question as typed included, so both savers
encrypt it at rest with LangGraph's ``EncryptedSerializer`` (AES, key derived from the
secret key in ``agents/sealing.py``). PostgreSQL's saver keeps string and number channels
inline in a JSONB column, outside the serializer: here strings go to the encrypted blob
table too, so no channel value is stored in the clear.
"""

from __future__ import annotations

import sqlite3
from contextlib import ExitStack
from typing import Any

from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from sqlalchemy.engine import make_url

from agents.sealing import SecretKey, SecretKeyError, ephemeral_key, load_secret_key, wrong_key_message
from agents.sqlite_wal import prepare_file, sqlite_file


class _Boxed:
    """A string channel value on its way to PostgreSQL's blob table."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value


class CheckpointSerializer(EncryptedSerializer):
    """LangGraph's encrypted serializer, with a wrong key reported as one clear error."""

    def __init__(self, key: SecretKey) -> None:
        base = EncryptedSerializer.from_pycryptodome_aes(key=key.derive("checkpoints"))
        super().__init__(base.cipher, base.serde)
        self.key = key

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if isinstance(obj, _Boxed):
            obj = obj.value
        return super().dumps_typed(obj)

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        try:
            return super().loads_typed(data)
        except (ValueError, KeyError) as exc:
            if "+" in data[0]:  # encrypted, and the tag did not verify
                raise SecretKeyError(wrong_key_message("the saved conversation state", self.key)) from exc
            raise


def make_checkpointer(database_url: str, stack: ExitStack, secret_key: SecretKey | None = None) -> Any:
    """Open an encrypting checkpointer whose resources close with ``stack``. Without
    ``secret_key``, SQLite uses the key file beside the database (created on first use)
    and PostgreSQL a key that lives only in this process."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        path = sqlite_file(url.database)
        if path is not None:
            prepare_file(path)  # WAL before setup(), whose own switch to WAL cannot wait
            secret_key = secret_key or load_secret_key(path.parent, None)
        conn = sqlite3.connect(url.database or ":memory:", check_same_thread=False, timeout=30)
        stack.callback(conn.close)
        saver: Any = SqliteSaver(conn, serde=CheckpointSerializer(secret_key or ephemeral_key()))
        saver.setup()
        return saver
    if url.get_backend_name() == "postgresql":
        try:
            from langgraph.checkpoint.postgres import PostgresSaver
            from psycopg import Connection
            from psycopg.rows import dict_row
        except ImportError as exc:  # optional extra
            raise RuntimeError(
                "PostgreSQL checkpoints need the 'postgres' extra: pip install 'guardian-angel[postgres]'"
            ) from exc

        class EncryptedPostgresSaver(PostgresSaver):
            """Every string channel goes through the serializer (blobs), none inline."""

            def put(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
                values = checkpoint["channel_values"]
                if any(isinstance(value, str) for value in values.values()):
                    boxed = {key: _Boxed(value) if isinstance(value, str) else value for key, value in values.items()}
                    checkpoint = {**checkpoint, "channel_values": boxed}
                return super().put(config, checkpoint, metadata, new_versions)

        plain = database_url.replace("postgresql+psycopg://", "postgresql://")
        pg_conn = stack.enter_context(Connection.connect(plain, autocommit=True, prepare_threshold=0,
                                                         row_factory=dict_row))
        pg_saver: Any = EncryptedPostgresSaver(pg_conn, serde=CheckpointSerializer(secret_key or ephemeral_key()))
        pg_saver.setup()
        return pg_saver
    raise ValueError(f"Unsupported GUARDIAN_DATABASE_URL backend: {url.get_backend_name()}")
