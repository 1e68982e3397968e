"""Connection settings, write locking, the UTC column type and the change signal."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import StatementError

from deskapp.storage.engine import BUSY_TIMEOUT_MS, ChangeSignal, get_engine, read_session, write_session
from deskapp.storage.types import UTCDateTime

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")


def _pragmas(conn) -> dict:
    return {name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")}


EXPECTED_PRAGMAS = {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 2, "busy_timeout": BUSY_TIMEOUT_MS}


class TestConnectionSettings:
    @pytest.mark.sqlite_only
    def test_every_pooled_connection_is_configured(self, desk):
        engine = desk.engine
        # Several connections open at once, so the pool must create each of them.
        with engine.connect() as a, engine.connect() as b, engine.connect() as c:
            for conn in (a, b, c):
                assert _pragmas(conn) == EXPECTED_PRAGMAS
        assert BUSY_TIMEOUT_MS >= 1000

    @pytest.mark.sqlite_only
    def test_sessions_are_configured_too(self, desk):
        with read_session(desk.engine) as session:
            assert _pragmas(session.connection()) == EXPECTED_PRAGMAS
        with write_session(desk.engine) as session:
            assert _pragmas(session.connection()) == EXPECTED_PRAGMAS

    def test_new_file_is_created_in_wal_mode(self, tmp_path):
        path = tmp_path / "new.sqlite"
        engine = get_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("CREATE TABLE t (x)")
                conn.commit()
            with closing(sqlite3.connect(path)) as raw:
                assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # persistent in the file
        finally:
            engine.dispose()

    def test_one_engine_per_url(self, desk):
        assert get_engine(str(desk.engine.url)) is desk.engine

    def test_foreign_keys_are_enforced(self, desk):
        with pytest.raises(Exception, match="(?i)FOREIGN KEY"):
            with write_session(desk.engine) as session:
                session.execute(text("INSERT INTO resident (name, phone, unit_id) VALUES ('x', '1', 999)"))


def _try_begin_immediate(path) -> str:
    with closing(sqlite3.connect(path, timeout=0, isolation_level=None)) as other:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return str(exc)
        other.execute("ROLLBACK")
        return "got the lock"


class TestWriteLock:
    def test_write_session_takes_the_write_lock_at_begin(self, desk, db_path):
        """A writer holds the lock from its first statement, even a read: no late upgrade, no BUSY_SNAPSHOT."""
        with write_session(desk.engine) as session:
            session.execute(text("SELECT count(*) FROM call")).scalar_one()  # only a read so far
            assert _try_begin_immediate(db_path) == "database is locked"
        assert _try_begin_immediate(db_path) == "got the lock"  # released at commit

    def test_write_session_from_another_thread_blocks_a_writer(self, desk, db_path):
        inside, release = threading.Event(), threading.Event()
        errors = []

        def writer():
            try:
                with write_session(desk.engine) as session:
                    session.execute(text("SELECT 1")).scalar_one()
                    inside.set()
                    release.wait(30)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            assert inside.wait(30)
            assert _try_begin_immediate(db_path) == "database is locked"
        finally:
            release.set()
            thread.join(30)
        assert not errors
        assert _try_begin_immediate(db_path) == "got the lock"

    def test_read_session_does_not_take_the_write_lock(self, desk, db_path):
        with read_session(desk.engine) as session:
            session.execute(text("SELECT count(*) FROM call")).scalar_one()
            assert _try_begin_immediate(db_path) == "got the lock"

    def test_write_session_rolls_back_on_error(self, desk, db_path):
        with pytest.raises(RuntimeError):
            with write_session(desk.engine) as session:
                session.execute(text("INSERT INTO department (name, kind, phone, active) "
                                     "VALUES ('工程部', 'engineering', '', 1)"))
                raise RuntimeError("boom")
        with closing(sqlite3.connect(db_path)) as raw:
            assert raw.execute("SELECT count(*) FROM department").fetchone()[0] == 0
        assert _try_begin_immediate(db_path) == "got the lock"

    def test_objects_stay_readable_after_commit_without_a_new_transaction(self, desk, db_path):
        from deskapp.storage.models import Department

        with write_session(desk.engine) as session:
            dept = Department(name="工程部", kind="engineering")
            session.add(dept)
        # expire_on_commit=False: reading the id does not start a transaction (nor take the lock)
        with closing(sqlite3.connect(db_path, timeout=0, isolation_level=None)) as other:
            other.execute("BEGIN IMMEDIATE")
            try:
                assert dept.id == 1 and dept.name == "工程部"
            finally:
                other.execute("ROLLBACK")


# ------------------------------------------------------------ UTCDateTime ---

_meta = MetaData()
_stamps = Table("test_stamps", _meta, Column("id", Integer, primary_key=True), Column("at", UTCDateTime))


class TestUTCDateTime:
    @pytest.fixture
    def table(self, desk):
        _meta.create_all(desk.engine)
        return desk.engine

    @pytest.mark.parametrize("value", [
        datetime(2026, 11, 24, 9, 30, tzinfo=SH),
        datetime(2026, 11, 24, 1, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5))),
        datetime(2027, 1, 1, 0, 0, 0, 1, tzinfo=SH),
    ])
    def test_round_trip_is_the_same_instant_in_utc(self, table, db_path, value):
        with write_session(table) as session:
            row_id = session.execute(insert(_stamps).values(at=value)).inserted_primary_key[0]
        with read_session(table) as session:
            back = session.execute(select(_stamps.c.at).where(_stamps.c.id == row_id)).scalar_one()
        assert back == value
        assert back.tzinfo is not None and back.utcoffset() == timedelta(0)
        with closing(sqlite3.connect(db_path)) as raw:
            stored = raw.execute("SELECT at FROM test_stamps WHERE id = ?", (row_id,)).fetchone()[0]
        assert stored == value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # UTC text, no offset

    def test_utc_ordering_in_sql(self, table):
        early_local = datetime(2026, 11, 24, 9, 0, tzinfo=SH)  # 01:00 UTC
        later_utc = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
        with write_session(table) as session:
            session.execute(insert(_stamps), [{"id": 1, "at": later_utc}, {"id": 2, "at": early_local}])
        with read_session(table) as session:
            ordered = session.execute(select(_stamps.c.id).order_by(_stamps.c.at)).scalars().all()
            after = session.execute(select(_stamps.c.id).where(
                _stamps.c.at > datetime(2026, 11, 24, 9, 30, tzinfo=SH))).scalars().all()
        assert ordered == [2, 1]
        assert after == [1]

    def test_naive_is_refused(self, table):
        with pytest.raises(StatementError, match="naive datetime"):
            with write_session(table) as session:
                session.execute(insert(_stamps).values(at=datetime(2026, 11, 24, 9, 30)))
        with read_session(table) as session:
            assert session.execute(select(_stamps.c.id)).all() == []

    def test_none_passes_through(self, table):
        with write_session(table) as session:
            session.execute(insert(_stamps).values(id=1, at=None))
        with read_session(table) as session:
            assert session.execute(select(_stamps.c.at)).scalar_one() is None

    def test_on_a_timezone_aware_backend_values_stay_aware_utc(self):
        from sqlalchemy.dialects import postgresql

        pg = postgresql.dialect()
        col = UTCDateTime()
        bound = col.process_bind_param(datetime(2026, 11, 24, 9, 30, tzinfo=SH), pg)
        assert bound == datetime(2026, 11, 24, 1, 30, tzinfo=UTC) and bound.utcoffset() == timedelta(0)
        back = col.process_result_value(datetime(2026, 11, 24, 9, 30, tzinfo=SH), pg)
        assert back.utcoffset() == timedelta(0) and back == datetime(2026, 11, 24, 1, 30, tzinfo=UTC)
        with pytest.raises(ValueError):
            col.process_bind_param(datetime(2026, 11, 24, 9, 30), pg)


# ------------------------------------------------------------ ChangeSignal ---


class TestChangeSignal:
    def test_sees_commits_from_other_connections_only_when_they_happen(self, desk, db_path):
        signal = ChangeSignal(desk.engine)
        try:
            assert signal.changed() is False  # first look: a baseline, not a change
            assert signal.changed() is False  # nothing happened
            with closing(sqlite3.connect(db_path)) as other:  # another terminal
                other.execute("INSERT INTO department (name, kind, phone, active) VALUES ('工程部', 'engineering', '', 1)")
                other.commit()
            assert signal.changed() is True
            assert signal.changed() is False  # seen once, then quiet again
        finally:
            signal.close()

    def test_sees_commits_through_the_same_engine(self, desk, supervisor):
        from deskapp.services.calls import CallDraft, log_call

        signal = ChangeSignal(desk.engine)
        try:
            signal.changed()
            log_call(desk, supervisor, CallDraft(content="电梯坏了"), now=datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
            assert signal.changed() is True
            assert signal.changed() is False
        finally:
            signal.close()

    def test_reads_and_rolled_back_writes_are_not_changes(self, desk, db_path):
        signal = ChangeSignal(desk.engine)
        try:
            signal.changed()
            with read_session(desk.engine) as session:
                session.execute(text("SELECT count(*) FROM call")).scalar_one()
            with pytest.raises(RuntimeError):
                with write_session(desk.engine) as session:
                    session.execute(text("INSERT INTO department (name, kind, phone, active) "
                                         "VALUES ('x', 'other', '', 1)"))
                    raise RuntimeError
            assert signal.changed() is False
        finally:
            signal.close()
