"""Read what a service left in the database, straight from SQLite (no ORM caching)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from deskapp.services.desk import Desk


def sqlite_file(desk: Desk) -> str:
    return desk.engine.url.database


def query(desk: Desk, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(sqlite_file(desk))) as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


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
