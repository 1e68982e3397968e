"""Bring a database to the current schema, safely.

A cheap check first (one SELECT of alembic_version): Alembic (~380 ms to
import) is loaded only when an upgrade is due. Before upgrading a database
that already holds data, a SQLite file is copied to a backup beside it with
SQLite's online backup API.

On SQLite, foreign keys are switched off for the migration, outside any
transaction (a batch migration that recreates a parent table would otherwise
delete every child row), and the whole upgrade runs in one write transaction;
PRAGMA foreign_key_check must come back empty before it commits.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from deskapp.storage.engine import is_sqlite

HEAD_REVISION = "0003"  # the last migration in migrations/versions (a test checks)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(Exception):
    """The database cannot be used as it is (a foreign file, a newer schema)."""


@dataclass(frozen=True)
class SchemaCheck:
    before: str | None
    after: str
    backup: Path | None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except Exception:  # no such table: a new or foreign database
            conn.rollback()
            return None
        return row[0] if row else None


def _sqlite_path(engine: Engine) -> Path | None:
    db = engine.url.database
    return Path(db) if is_sqlite(engine) and db and db != ":memory:" else None


def backup_sqlite(engine: Engine, label: str) -> Path:
    """Copy the live database file (consistent, even with WAL) next to itself."""
    src_path = _sqlite_path(engine)
    assert src_path is not None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dest = src_path.with_name(f"{src_path.name}.{label}-{stamp}.bak")
    src = sqlite3.connect(src_path)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return dest


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run Alembic on one connection in one write transaction."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.execution_options(deskapp_write=True).connect() as conn:
        if is_sqlite(engine):
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                if is_sqlite(engine):
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise SchemaError(f"foreign key check failed after migration: {broken[:5]}")
        finally:
            if is_sqlite(engine):
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")


def ensure_schema(engine: Engine) -> SchemaCheck:
    before = current_revision(engine)
    if before == HEAD_REVISION:
        return SchemaCheck(before, before, None)
    if before is None:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        if tables:
            raise SchemaError(
                "数据库里已有别的表，但不是 deskapp 的数据库 (this file holds tables but is not a deskapp database)"
            )
        upgrade(engine)
        return SchemaCheck(None, HEAD_REVISION, None)
    if not _known(before):
        raise SchemaError(
            f"数据库版本 {before} 比本程序新，请先升级 deskapp (schema {before} is newer than this deskapp)"
        )
    backup = backup_sqlite(engine, f"before-{HEAD_REVISION}") if _sqlite_path(engine) else None
    upgrade(engine)
    return SchemaCheck(before, HEAD_REVISION, backup)


def _known(revision: str) -> bool:
    return any(p.name.startswith(f"{revision}_") for p in (MIGRATIONS_DIR / "versions").glob("*.py"))
