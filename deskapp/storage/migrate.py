"""Bring a database to the current schema, safely.

A cheap check first (one SELECT of alembic_version): Alembic (~380 ms to
import) is loaded only when an upgrade is due. Before upgrading a database
that already holds data, a SQLite file is copied to a backup beside it with
SQLite's online backup API.

On SQLite, foreign keys are switched off for the migration, outside any
transaction (a batch migration that recreates a parent table would otherwise
delete every child row), and the whole upgrade runs in one write transaction;
PRAGMA foreign_key_check must come back empty before it commits.

On PostgreSQL the upgrade runs in one transaction (its DDL is transactional)
under an advisory lock (MIGRATE_LOCK, then the writers' WRITE_LOCK): when two
desks start at once against a server of an older revision, one migrates and
the other waits, then reads the revision again and finds nothing left to do.
The wait has no timeout: a big upgrade may take minutes.

Every refusal (a foreign file, an unknown revision, a backup that could not
be written) is a SchemaError with a catalogue message naming the file; the
database is left as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from deskapp.errors import DeskError
from deskapp.i18n import t
from deskapp.storage.engine import MIGRATE_LOCK, WRITE_LOCK, is_sqlite

HEAD_REVISION = "0008"  # the last migration in migrations/versions (a test checks)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaError(DeskError):
    """The database cannot be used as it is (a foreign file, an unknown schema, no backup); nothing changed."""


@dataclass(frozen=True)
class SchemaCheck:
    before: str | None
    after: str
    backup: Path | None


def current_revision(engine: Engine) -> str | None:
    """The schema revision written in the database; None for a new or foreign one.

    Only a missing alembic_version table means "none": a damaged, locked or
    unreadable file raises its own fault rather than passing for a new one.
    """
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        conn.rollback()
        return row[0] if row else None


def _sqlite_path(engine: Engine) -> Path | None:
    db = engine.url.database
    return Path(db) if is_sqlite(engine) and db and db != ":memory:" else None


def _where(engine: Engine) -> str:
    path = _sqlite_path(engine)
    return str(path) if path is not None else engine.url.render_as_string(hide_password=True)


def backup_sqlite(engine: Engine, label: str) -> Path:
    """Copy the live database file (consistent, even with WAL) next to itself.

    A backup that cannot be written (a read-only folder, a full disk) is a
    SchemaError naming the backup and its folder; no partial copy is left.
    """
    src_path = _sqlite_path(engine)
    assert src_path is not None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dest = src_path.with_name(f"{src_path.name}.{label}-{stamp}.bak")
    existed = dest.exists()
    try:
        # The source is read through its own URI so that nothing is created if it has gone.
        src = sqlite3.connect(f"file:{quote(str(src_path.resolve()))}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        if not existed:
            dest.unlink(missing_ok=True)
        what = getattr(exc, "sqlite_errorname", None) or getattr(exc, "strerror", None) or type(exc).__name__
        raise SchemaError("schema.backup_failed", backup=str(dest), what=what, where=str(src_path),
                          folder=str(src_path.parent)) from None
    return dest


def newest_backup(path: str | Path) -> Path | None:
    """The newest backup written beside a SQLite file (`<name>.<label>-<stamp>.bak`), if any."""
    path = Path(path)
    pattern = "".join(f"[{c}]" if c in "*?[" else c for c in path.name) + ".*.bak"
    try:
        found = [(p.stat().st_mtime, p.name, p) for p in path.parent.glob(pattern) if p.is_file()]
    except OSError:  # the folder cannot be listed
        return None
    return max(found)[2] if found else None


def backup_hint(path: str | Path) -> str:
    """Which backup to restore from, for a message: the newest one beside the file, or that there is none."""
    backup = newest_backup(path)
    if backup is None:
        return t("fault.no_backup", folder=str(Path(path).parent))
    return t("fault.newest_backup", backup=str(backup))


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _upgrade_postgresql(engine: Engine, target: str, *, unless_at: str | None) -> bool:
    """Upgrade under the migration lock; False when another desk had already done it."""
    from alembic import command

    cfg = _alembic_config()
    with engine.connect() as conn:
        with conn.begin():
            conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK})")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
            if unless_at is not None:
                found = None
                if inspect(conn).has_table("alembic_version"):
                    found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if found == unless_at:
                    return False
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, target)
    return True


def upgrade(engine: Engine, target: str = "head") -> None:
    """Run Alembic on one connection in one write transaction."""
    from alembic import command

    if engine.dialect.name == "postgresql":
        _upgrade_postgresql(engine, target, unless_at=None)
        return
    cfg = _alembic_config()
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
                        raise SchemaError("schema.foreign_keys", count=len(broken), where=_where(engine))
        finally:
            if is_sqlite(engine):
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")


def ensure_schema(engine: Engine) -> SchemaCheck:
    path = _sqlite_path(engine)
    if path is not None and path.is_file() and path.stat().st_size == 0:
        # An empty file is not a new database: it may be one whose bytes were lost.
        # (A new file from our engine gets its header at once, setting WAL.)
        raise SchemaError("file.empty", where=str(path), backup=backup_hint(path))
    before = current_revision(engine)
    if before == HEAD_REVISION:
        return SchemaCheck(before, before, None)
    if before is None:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        if tables:
            raise SchemaError("schema.foreign", where=_where(engine))
        if engine.dialect.name == "postgresql":
            migrated = _upgrade_postgresql(engine, "head", unless_at=HEAD_REVISION)
            return SchemaCheck(None if migrated else HEAD_REVISION, HEAD_REVISION, None)
        upgrade(engine)
        return SchemaCheck(None, HEAD_REVISION, None)
    if not _known(before):
        newer = before.isdigit() and HEAD_REVISION.isdigit() and int(before) > int(HEAD_REVISION)
        raise SchemaError("schema.newer" if newer else "schema.unknown", revision=before, head=HEAD_REVISION,
                          where=_where(engine))
    if engine.dialect.name == "postgresql":  # its backups are the site's (pg_dump), not a file beside it
        _upgrade_postgresql(engine, "head", unless_at=HEAD_REVISION)
        return SchemaCheck(before, HEAD_REVISION, None)
    backup = backup_sqlite(engine, f"before-{HEAD_REVISION}") if _sqlite_path(engine) else None
    upgrade(engine)
    return SchemaCheck(before, HEAD_REVISION, backup)


def _known(revision: str) -> bool:
    return any(p.name.startswith(f"{revision}_") for p in (MIGRATIONS_DIR / "versions").glob("*.py"))
