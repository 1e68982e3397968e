"""Several desks on one database: the migration lock, no lost update, the audit log's refusals,
the change signal from another process, and doctor on a server (docs/rules.md "Many desks on one database").

Run on SQLite and on the PostgreSQL test server (tests/storage/conftest.py), with real processes.
"""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from deskapp.config import Settings
from deskapp.i18n import t
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.desk import Desk
from deskapp.storage.engine import ChangeSignal, write_session
from deskapp.storage.migrate import HEAD_REVISION, current_revision
from tests.services.dbstate import execute, query, scalar

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
CTX = multiprocessing.get_context("spawn")


def _run_all(target, args_per_process, timeout=120):
    results = CTX.Queue()
    procs = [CTX.Process(target=target, args=(*args, results)) for args in args_per_process]
    for p in procs:
        p.start()
    try:
        reports = [results.get(timeout=timeout) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    errors = [r[1] for r in reports if r[0] == "error"]
    assert not errors, "\n".join(errors)
    return [r[1] for r in reports]


# ------------------------------------------------------------ migration lock ---


def _open_desk(url, barrier, results):
    try:
        barrier.wait(timeout=60)
        desk = Desk.open(Settings(database_url=url))
        results.put(("ok", desk.schema.before))
        desk.engine.dispose()
    except BaseException:
        results.put(("error", traceback.format_exc()))


def test_two_desks_starting_at_once_on_a_new_server_database_migrate_it_once(pg_server):
    url = pg_server.create()
    try:
        barrier = CTX.Barrier(2)
        befores = _run_all(_open_desk, [(url, barrier), (url, barrier)])
        # one found nothing and migrated; the other waited on the lock and found it done
        assert sorted(befores, key=str) == sorted([None, HEAD_REVISION], key=str)
        from deskapp.storage.engine import get_engine

        engine = get_engine(url)
        assert current_revision(engine) == HEAD_REVISION
        engine.dispose()
    finally:
        pg_server.drop(url)


# ------------------------------------------------------------ no lost update ---

INCREMENTS = 40


def _read_then_write(url, barrier, results):
    """Reads a counter, then writes it plus one, in one write session: a lost update would show."""
    try:
        desk = Desk.open(Settings(database_url=url))
        barrier.wait(timeout=60)
        for _ in range(INCREMENTS):
            with write_session(desk.engine) as session:
                last = session.execute(text(
                    "SELECT last FROM number_sequence WHERE register_key = 'shift' AND year = 1999")).scalar_one()
                session.execute(text("UPDATE number_sequence SET last = :n WHERE register_key = 'shift' "
                                     "AND year = 1999"), {"n": last + 1})
        desk.engine.dispose()
        results.put(("ok", None))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def test_writers_reading_then_writing_one_record_lose_no_update(desk):
    execute(desk, "INSERT INTO number_sequence (register_key, year, last) VALUES ('shift', 1999, 0)")
    url = desk.engine.url.render_as_string(hide_password=False)
    barrier = CTX.Barrier(3)
    _run_all(_read_then_write, [(url, barrier)] * 3)
    assert scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'shift' AND year = 1999") \
        == 3 * INCREMENTS


# ------------------------------------------------------------ append-only ---


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'x'",
    "DELETE FROM audit_event",
])
def test_the_audit_log_refuses_changes_whoever_connects(desk, supervisor, statement):
    before = query(desk, "SELECT * FROM audit_event ORDER BY id")
    with pytest.raises(Exception, match="append-only"):
        execute(desk, statement)
    assert query(desk, "SELECT * FROM audit_event ORDER BY id") == before


@pytest.mark.postgresql_only  # SQLite has no TRUNCATE
def test_the_audit_log_refuses_truncate_on_a_server(desk, supervisor):
    with pytest.raises(Exception, match="append-only"):
        execute(desk, "TRUNCATE audit_event CASCADE")
    assert scalar(desk, "SELECT count(*) FROM audit_event") >= 1


# ------------------------------------------------------------ change signal ---


def _log_one(url, actor, results):
    try:
        from deskapp.services.roles import Actor

        desk = Desk.open(Settings(database_url=url))
        logged = log_call(desk, Actor(*actor), CallDraft(content="另一台前台记的"), now=NOW)
        desk.engine.dispose()
        results.put(("ok", logged.number))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def test_a_commit_in_another_process_is_signalled_once(desk, receptionist):
    signal = ChangeSignal(desk.engine)
    try:
        signal.changed()
        assert signal.changed() is False
        url = desk.engine.url.render_as_string(hide_password=False)
        assert _run_all(_log_one, [(url, (receptionist.id, receptionist.name, receptionist.role))]) \
            == ["来电-2026-000001"]
        # heard at the next look (the process has committed and gone)
        assert signal.changed() is True
        assert signal.changed() is False
    finally:
        signal.close()


@pytest.mark.postgresql_only  # SQLite's signal is a file read: nothing to lose
def test_a_listener_that_lost_its_server_connection_says_so_then_reconnects(desk, receptionist):
    signal = ChangeSignal(desk.engine)
    try:
        signal.changed()
        pid = signal._conn.info.backend_pid
        execute(desk, f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(Exception):
            signal.changed()
        assert signal.changed() is True  # reconnected: commits meanwhile may have gone unheard
        log_call(desk, receptionist, CallDraft(content="重连之后"), now=NOW)
        assert signal.changed() is True
        assert signal.changed() is False
    finally:
        signal.close()


# ------------------------------------------------------------ doctor ---


@pytest.mark.postgresql_only  # doctor on a file: tests/services/test_doctor.py
def test_doctor_examines_a_server_database_without_writing(desk, receptionist):
    from deskapp.services.doctor import examine

    log_call(desk, receptionist, CallDraft(content="水管漏水", category="repair"), now=NOW)
    url = desk.engine.url.render_as_string(hide_password=False)
    before = query(desk, "SELECT count(*), max(id) FROM audit_event")
    report = examine(Settings(database_url=url), today=NOW.date())
    found = {f.label: (f.state, f.value) for f in report.findings}
    assert report.ok, report.findings
    from deskapp.services.faults import url_where

    assert report.where == url_where(url) and "%2F" not in report.where  # the socket folder as a path
    assert found[t("doctor.database")] == ("info", report.where)
    assert found[t("doctor.schema")][0] == "ok"
    assert found[t("doctor.rows", what=t("doctor.table.call"))] == ("info", "1")
    assert query(desk, "SELECT count(*), max(id) FROM audit_event") == before


@pytest.mark.postgresql_only  # SQLite's read-only opening: tests/services/test_doctor.py
def test_doctor_opens_a_server_read_only(desk):
    url = desk.engine.url.render_as_string(hide_password=False)
    reader = Desk.open(Settings(database_url=url), read_only=True)
    try:
        with pytest.raises(Exception, match="read-only"):
            with write_session(reader.engine) as session:
                session.execute(text("INSERT INTO department (name, kind, phone, active) "
                                     "VALUES ('x', 'other', '', true)"))
    finally:
        reader.engine.dispose()
