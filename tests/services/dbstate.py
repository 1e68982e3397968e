"""Read what a service left in the database, on a connection of its own (no ORM caching).

SQLite: a plain sqlite3 connection to the file. PostgreSQL: a psycopg
connection of its own. Statements use `?` for parameters on both.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, datetime, timezone

from deskapp.services.desk import Desk


def sqlite_file(desk: Desk) -> str:
    if desk.engine.dialect.name != "sqlite":  # sqlite3.connect would make a file of that name
        raise AssertionError("a SQLite file was asked of a desk on another engine: mark the test sqlite_only")
    return desk.engine.url.database


def is_postgresql(desk: Desk) -> bool:
    return desk.engine.dialect.name == "postgresql"


def pg_connect(desk: Desk, **kw):
    """A psycopg connection of its own to the desk's PostgreSQL database."""
    import psycopg

    args, kwargs = desk.engine.dialect.create_connect_args(desk.engine.url)
    return psycopg.connect(*args, **{**kwargs, **kw})


def _as_sqlite_keeps_it(value):
    """An instant as SQLite keeps it (UTC text), so one assertion reads both engines."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def query(desk: Desk, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows as SQLite gives them; on PostgreSQL instants come back as SQLite's UTC text."""
    if is_postgresql(desk):
        with pg_connect(desk) as conn:
            if params:
                sql = sql.replace("%", "%%").replace("?", "%s")
            return [tuple(_as_sqlite_keeps_it(v) for v in r) for r in conn.execute(sql, params or None).fetchall()]
    with closing(sqlite3.connect(sqlite_file(desk))) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def execute(desk: Desk, sql: str, params: tuple = ()) -> None:
    """Write past the services (to make a database the services would never make), committed."""
    if is_postgresql(desk):
        with pg_connect(desk) as conn:
            if params:
                sql = sql.replace("%", "%%").replace("?", "%s")
            conn.execute(sql, params or None)
        return
    with closing(sqlite3.connect(sqlite_file(desk))) as conn:
        conn.execute(sql, params)
        conn.commit()


def scalar(desk: Desk, sql: str, params: tuple = ()):
    return query(desk, sql, params)[0][0]


def snapshot(desk: Desk) -> dict[str, object]:
    """Everything a failed log_call or add_staff must leave untouched."""
    state: dict[str, object] = {
        table: scalar(desk, f"SELECT count(*) FROM {table}")
        for table in ("call", "audit_event", "resident", "unit", "staff")
    }
    state["number_sequence"] = query(desk, "SELECT register_key, year, last FROM number_sequence ORDER BY 1, 2")
    return state
