"""The one database named by GUARDIAN_DATABASE_URL (SQLite by default, PostgreSQL for
several replicas): engine, table metadata and the additive schema upgrades, through
SQLAlchemy Core."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, Table, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateColumn

from agents.sqlite_wal import prepare_file, sqlite_file

metadata = MetaData()


def make_engine(url: str) -> Engine:
    """An engine for the configured URL. A SQLite file is made owner-only and put in WAL
    mode first (agents/sqlite_wal.py: the switch must not race the checkpointer's), and
    gets a busy timeout so threads and processes can share it."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        path = sqlite_file(make_url(url).database)
        if path is not None:
            prepare_file(path)
        return create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
    return create_engine(url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    """Create missing tables, add columns that newer versions declare (additive upgrades
    only: a database written by an older Guardian keeps working) and install the audit
    table's append-only guard."""
    metadata.create_all(engine)
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    ddl = CreateColumn(column).compile(dialect=engine.dialect)
                    conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
    _append_only(engine, "guardian_audit_log")


def _append_only(engine: Engine, table: str) -> None:
    """Triggers that refuse UPDATE and DELETE on ``table``: the audit trail is evidence, so
    not even Guardian's own code may rewrite it."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                conn.execute(text(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"))
        elif engine.dialect.name == "postgresql":
            conn.execute(text(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{table} is append-only'; END $$"))
            exists = conn.execute(text("SELECT 1 FROM pg_trigger WHERE tgname = :name"),
                                  {"name": f"{table}_no_change"}).first()
            if exists is None:
                conn.execute(text(
                    f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"))


def create_tables(engine: Engine, *tables: Table) -> None:
    """``create_schema`` for a few tables only (stores opened after the schema was made, such
    as the proactive posts' ones): missing tables created, missing columns added."""
    metadata.create_all(engine, tables=list(tables))
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table in tables:
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    ddl = CreateColumn(column).compile(dialect=engine.dialect)
                    conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {ddl}"))
