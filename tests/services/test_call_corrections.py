"""Corrections to a logged call: appended with who and when, audited, never an overwrite."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import text

from deskapp.errors import DeskError, InputError
from deskapp.services.call_corrections import correct_call, corrections_of
from deskapp.services.calls import CallDraft, log_call
from tests.conftest import FIXTURE_NOW


@pytest.fixture
def call(desk, supervisor):
    return log_call(desk, supervisor, CallDraft(phone="13812345678", unit="3-2-1201", content="水管漏水"),
                    now=FIXTURE_NOW)


def _rows(desk, sql):
    with desk.engine.connect() as conn:
        return conn.execute(text(sql)).all()


def test_a_correction_is_appended_and_audited_and_the_call_stays_as_logged(desk, receptionist, call):
    later = FIXTURE_NOW + timedelta(minutes=5)
    done = correct_call(desk, receptionist, call.id, field="phone", corrected="138 1234 5679",
                        note="号码记错一位", now=later)
    assert done.corrected == "13812345679"  # stored in the same normal form as a logged phone
    assert _rows(desk, "SELECT phone FROM call")[0][0] == "13812345678"
    (c,) = corrections_of(desk, call.id)
    assert (c.staff, c.field, c.corrected, c.note, c.at) == ("李前台", "phone", "13812345679", "号码记错一位", later)
    events = _rows(desk, "SELECT action, entity, actor_id FROM audit_event WHERE action = 'call.correct'")
    assert events == [("call.correct", "call_correction", receptionist.id)]


@pytest.mark.parametrize("field, corrected, note, message", [
    ("phone", "138abc", "", "电话号码"),
    ("category", "boss", "", "类别"),
    ("", "", "", "说明"),  # a note-only correction needs its note
    ("content", "", "漏写", "内容"),
    ("owner", "x", "", "更正项"),
    ("reply", "坏\u202e字", "", "答复"),
])
def test_bad_corrections_are_refused_and_write_nothing(desk, supervisor, call, field, corrected, note, message):
    before = _rows(desk, "SELECT count(*) FROM audit_event")
    with pytest.raises(InputError) as refused:
        correct_call(desk, supervisor, call.id, field=field, corrected=corrected, note=note, now=FIXTURE_NOW)
    assert message in str(refused.value)
    assert corrections_of(desk, call.id) == []
    assert _rows(desk, "SELECT count(*) FROM audit_event") == before


def test_a_call_that_does_not_exist_is_named(desk, supervisor):
    with pytest.raises(DeskError) as refused:
        correct_call(desk, supervisor, 999, field="", note="说明", now=FIXTURE_NOW)
    assert "999" in str(refused.value)


def test_the_database_refuses_to_change_or_delete_a_correction(desk, supervisor, call, db_path):
    correct_call(desk, supervisor, call.id, field="", note="客户补充：下午在家", now=FIXTURE_NOW)
    conn = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE call_correction SET note = '改掉'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM call_correction")
    finally:
        conn.close()
    assert corrections_of(desk, call.id)[0].note == "客户补充：下午在家"
