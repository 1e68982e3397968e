"""The invariants find each kind of damage a database can hold, and nothing in one the services wrote."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone

import pytest

from deskapp.services import invariants
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.numbering import PREFIX
from deskapp.services.reference import add_department
from deskapp.storage.search_index import register_functions
from tests.services.dbstate import execute, is_postgresql, sqlite_file

UTC = timezone.utc
NOW = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)  # 10:00 on New Year's Day in Asia/Shanghai


@pytest.fixture
def written(desk, supervisor, receptionist):
    """Three calls either side of New Year (local time) and a department, all through the services."""
    add_department(desk, supervisor, name="工程部", kind="engineering", now=NOW)
    for hours in (20, 12, 1):  # 2025-12-31 14:00 and 22:00, 2026-01-01 09:00 local
        log_call(desk, receptionist, CallDraft(category="repair", phone="13800138000", unit="3-2-1201",
                                               content="水管漏水", at=NOW - timedelta(hours=hours)), now=NOW)
    return desk


def damage(desk, *statements: str, foreign_keys: bool = True) -> None:
    if is_postgresql(desk):  # (PostgreSQL refuses orphans whatever is asked)
        for sql in statements:
            execute(desk, sql)
        return
    with closing(sqlite3.connect(sqlite_file(desk))) as conn:
        register_functions(conn)  # the call log's search triggers call them
        conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        for sql in statements:
            conn.execute(sql)
        conn.commit()


def problems(desk) -> set[tuple[str, str, str]]:
    return {(p.check, p.subject, p.what) for p in invariants.check(desk).problems}


def test_a_desk_written_by_the_services_has_no_problems(written):
    report = invariants.check(written)
    assert report.ok and report.problems == ()
    counted = {(c.check, c.subject): c.count for c in report.checked}
    assert counted[("numbering", "call 2025")] == 2 and counted[("numbering", "call 2026")] == 1
    assert counted[("audit", "call")] == 3 and counted[("audit", "staff")] == 2
    assert counted[("audit", "department")] == 1
    assert counted[("statuses", "call")] == 3


def test_every_numbered_register_is_checked():
    assert set(invariants.NUMBERED) == set(PREFIX)


def test_an_empty_desk_has_no_problems(desk):
    assert invariants.check(desk).ok


def test_a_call_written_past_the_services_is_found(written):
    # number 5 of 2026 with no 2, 3, 4; no audit event; a status no service sets; the counter left behind
    damage(written, "INSERT INTO call (number, at, channel, category, caller_name, phone, unit_code, content, "
                    "reply, owner_id, status, flagged_phrases) VALUES ('来电-2026-000005', '2026-01-01 01:30:00', "
                    "'phone', 'repair', '', '', '', '漏水', '', 1, 'lost', '')")
    report = invariants.check(written)
    found = {(p.check, p.subject, p.what): p.detail for p in report.problems}
    assert found[("numbering", "call 2026", "gap")]["missing"] == [2, 3, 4]
    assert found[("numbering", "call 2026", "sequence_behind")] == {"sequence": 1, "highest": 5}
    assert found[("audit", "call", "no_audit_event")] == {"count": 1, "ids": [4]}
    assert found[("statuses", "call", "unknown_status")] == {"status": "lost", "count": 1}
    assert not report.ok


def test_a_counter_ahead_of_the_numbers_is_found(written):
    damage(written, "UPDATE number_sequence SET last = last + 1 WHERE register_key = 'call' AND year = 2025")
    assert problems(written) == {("numbering", "call 2025", "sequence_ahead")}


def test_a_counter_for_a_year_without_records_is_a_gap(written):
    damage(written, "INSERT INTO number_sequence (register_key, year, last) VALUES ('complaint', 2026, 2)")
    assert problems(written) == {("numbering", "complaint 2026", "sequence_ahead")}


def test_a_malformed_number_is_found(written):
    damage(written, "UPDATE call SET number = 'CALL-1' WHERE id = 1")
    assert ("numbering", "call", "malformed") in problems(written)


@pytest.mark.sqlite_only  # PostgreSQL refuses an orphan: there is none to find
def test_an_orphan_is_found(written):
    damage(written, "UPDATE call SET owner_id = 99 WHERE id = 2", foreign_keys=False)
    found = {(p.check, p.subject, p.what): p.detail for p in invariants.check(written).problems}
    assert found == {("foreign_keys", "call", "orphan"): {"parent": "staff", "count": 1, "ids": [2]}}


@pytest.mark.sqlite_only  # data_version; on PostgreSQL doctor's connections are read-only (test_postgresql)
def test_nothing_is_written(written, receptionist):
    with closing(sqlite3.connect(sqlite_file(written))) as conn:
        # data_version moves when another connection commits
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        invariants.check(written)
        assert conn.execute("PRAGMA data_version").fetchone()[0] == version
        log_call(written, receptionist, CallDraft(content="对照"), now=NOW)
        assert conn.execute("PRAGMA data_version").fetchone()[0] != version

