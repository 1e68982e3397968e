"""The one place that creates database engines and sessions.

SQLite settings a durable multi-terminal desk needs (measured in an experiment:
two processes x 500 writes gave 0 "database is locked" with BEGIN IMMEDIATE;
deferred read-then-write failed ~40% with SQLITE_BUSY_SNAPSHOT):
- pysqlite's own transaction handling is switched off (isolation_level=None)
  and SQLAlchemy's `begin` event emits BEGIN itself: BEGIN IMMEDIATE for
  writers, so two terminals never hit SQLITE_BUSY_SNAPSHOT (which ignores
  busy_timeout), and a deferred BEGIN for readers;
- WAL so readers never block the writer, synchronous=FULL so a committed call
  survives a power cut at the desk PC, foreign keys on, a busy timeout.

The engine never creates a file or a folder itself: deciding whether a new
database may be made at a path is the caller's (services.desk.Desk.open), and
`deskapp doctor` opens the file read-only (SQLite's `mode=ro`), so it can
examine a database without writing a byte of it.

The busy timeout (how long a writer waits for another terminal's write lock
before giving up with "busy") is BUSY_TIMEOUT_MS, or DESKAPP_BUSY_TIMEOUT_MS
in the environment (a slow network share may want longer; tests want shorter).

PostgreSQL (several desks on one server, psycopg 3; docs/rules.md "Many desks
on one database"): the same contract as BEGIN IMMEDIATE. A write session takes
one transaction-level advisory lock (WRITE_LOCK) at BEGIN, so writers run one
after the other exactly as on SQLite: the services' read-then-write steps can
lose no update, and numbering stays gapless (the counter's row lock alone would
not protect a service that reads a record, then writes it). Readers take no
lock (READ COMMITTED, every statement sees what was committed before it). The
wait for the lock is bounded by the same busy timeout (lock_timeout), after
which the write is refused as busy (SQLSTATE 55P03), like SQLITE_BUSY. Every
write session NOTIFYs CHANGE_CHANNEL before it commits: the change signal.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from deskapp.storage.search_index import register_functions as register_search_functions

BUSY_TIMEOUT_MS = 10_000
_WRITE = "deskapp_write"
# PostgreSQL advisory lock keys (any two distinct bigints used by nothing else on the server).
WRITE_LOCK = 0x6465736B_77726974  # "deskwrit": one writer at a time, as BEGIN IMMEDIATE
MIGRATE_LOCK = 0x6465736B_6D696772  # "deskmigr": one desk migrates, the others wait and find it done
CHANGE_CHANNEL = "deskapp_changed"
# How long a desk waits for an unreachable server before saying so (seconds).
CONNECT_TIMEOUT_S = 5


def busy_timeout_ms() -> int:
    """BUSY_TIMEOUT_MS, or DESKAPP_BUSY_TIMEOUT_MS when it holds a whole number of milliseconds."""
    value = os.environ.get("DESKAPP_BUSY_TIMEOUT_MS", "").strip()
    return int(value) if value.isdigit() else BUSY_TIMEOUT_MS


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (also a `file:` URI), or None for memory or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    db = parsed.database or ""
    if db.startswith("file:"):
        db = db[len("file:"):]
    return Path(db) if db and db != ":memory:" else None


def _prepare_sqlite(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        if read_only:
            # Setting the journal mode or synchronous would write the file header.
            cur.execute("PRAGMA query_only = ON")
        else:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        # The call log's search triggers call these application functions: every
        # connection that may write `call` needs them, and trusted_schema ON to use
        # them from a trigger (Python cannot mark them innocuous). storage/search_index.py.
        cur.execute("PRAGMA trusted_schema = ON")
        cur.close()
        register_search_functions(dbapi_conn)

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def is_postgresql_url(url) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def _prepare_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def _postgresql_args(read_only: bool) -> dict:
    """libpq settings for every connection of a desk: the busy timeout, read-only for doctor."""
    options = f"-c lock_timeout={busy_timeout_ms()} -c application_name=deskapp"
    if read_only:
        options += " -c default_transaction_read_only=on"
    return {"connect_timeout": CONNECT_TIMEOUT_S, "options": options}


def get_engine(url: str, *, read_only: bool = False, immutable: bool = False) -> Engine:
    """One engine per database URL (and way of opening it) for the life of the process.

    read_only: SQLite opens the file with `mode=ro`, never creating or writing
    it (SQLite may still create its -wal/-shm companions beside a WAL file, as
    any reader does). immutable: also without locks or companions, for a file
    in a folder nobody can write (no terminal can be writing it there).

    hide_parameters: a failed INSERT's message would otherwise carry its
    values (a new PIN's hash and salt among them) to wherever it is printed.
    """
    return _engine(url, bool(read_only or immutable), bool(immutable))


@lru_cache(maxsize=8)
def _engine(url: str, read_only: bool, immutable: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        timeout = busy_timeout_ms() / 1000
        path = sqlite_file(url)
        if (read_only or immutable) and path is not None:
            uri = f"file:{quote(str(path.resolve()))}?" + ("mode=ro&immutable=1" if immutable else "mode=ro")
            engine = create_engine(url, hide_parameters=True, creator=lambda: sqlite3.connect(
                uri, uri=True, check_same_thread=False, timeout=timeout))
            _prepare_sqlite(engine, read_only=True)
        else:
            engine = create_engine(url, hide_parameters=True,
                                   connect_args={"check_same_thread": False, "timeout": timeout})
            _prepare_sqlite(engine)
    elif parsed.get_backend_name() == "postgresql":
        # pool_pre_ping: a server restarted while the desk was open costs one retry, not a fault.
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True,
                               connect_args=_postgresql_args(read_only or immutable))
        _prepare_postgresql(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One unit of work that writes: takes the write lock at BEGIN, commits or rolls back.

    expire_on_commit=False: reading obj.id after commit must not start another
    transaction (on SQLite that would take the lock again).
    """
    with Session(engine.execution_options(**{_WRITE: True}), expire_on_commit=False) as session:
        with session.begin():
            yield session
            if engine.dialect.name == "postgresql":
                # Delivered to every listening desk at commit, never for a rollback.
                session.connection().exec_driver_sql(f"NOTIFY {CHANGE_CHANNEL}")


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    # Closing (not rolling back) ends the read transaction and keeps loaded rows readable.
    with Session(engine, expire_on_commit=False) as session:
        yield session


class ChangeSignal:
    """Cheap "did anyone commit?" check for live screens, asked once a tick off the event loop.

    SQLite: PRAGMA data_version on one dedicated autocommit connection (it is
    per connection and frozen inside a read transaction). PostgreSQL: LISTEN
    on its own autocommit connection (every write session NOTIFYs at commit);
    a check is one round trip that reads what has arrived, it never waits. When that connection
    is lost (the server restarted) the check raises; the next one connects
    again and says "changed", since commits may have been missed meanwhile.
    """

    def __init__(self, engine: Engine):
        self._engine = engine
        self._conn = None
        self._postgresql = engine.dialect.name == "postgresql"
        # Read now: a commit between opening and the first tick must count as a change.
        self._last: object = self._listen() if self._postgresql else self._read()

    def _read(self) -> object:
        if self._conn is None:
            self._conn = self._engine.raw_connection()
        cur = self._conn.cursor()
        try:
            if is_sqlite(self._engine):
                cur.execute("PRAGMA data_version")
            else:
                cur.execute("SELECT max(id) FROM audit_event")
                self._conn.commit()
            return cur.fetchone()[0]
        finally:
            cur.close()

    def _listen(self) -> None:
        raw = self._engine.raw_connection()
        conn = raw.driver_connection
        raw.detach()  # ours for good: never handed back to the pool
        conn.rollback()
        conn.autocommit = True
        self._heard = False
        conn.add_notify_handler(self._hear)
        conn.execute(f"LISTEN {CHANGE_CHANNEL}")
        self._conn = conn

    def _hear(self, _notify) -> None:
        self._heard = True

    def _notified(self) -> bool:
        if self._conn is None:
            self._listen()
            return True  # reconnected: whatever was committed meanwhile went unheard
        try:
            # One round trip (~0.1 ms) reads whatever notifications arrived meanwhile
            # (the handler hears them); a commit that returned before it is heard now,
            # and a server that has gone is found out here rather than never.
            self._conn.execute("SELECT 1")
        except Exception:
            self.close()
            raise
        heard, self._heard = self._heard, False
        return heard

    def changed(self) -> bool:
        if self._postgresql:
            return self._notified()
        value = self._read()
        changed = self._last is not None and value != self._last
        self._last = value
        return changed

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # already broken: nothing left to close
                pass
            self._conn = None
