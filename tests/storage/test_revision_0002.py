"""Schema 0002, tried on a real 0001 file with rows in every table.

The 0001 rows are written with raw SQL in 0001's own column names, so these
tests never depend on the current models. One such file is built per module
and copied per test (a migration costs ~0.15 s, the copy next to nothing).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect

from deskapp.services.call_queries import CallFilter, count_calls
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.roles import Actor
from deskapp.storage.engine import get_engine
from deskapp.storage.migrate import (
    HEAD_REVISION,
    MIGRATIONS_DIR,
    SchemaError,
    current_revision,
    ensure_schema,
    upgrade,
)

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)


def ts(day: int, hour: int = 1, minute: int = 0) -> str:
    """An instant as UTCDateTime writes it on SQLite (UTC, no offset)."""
    return f"2026-11-{day:02d} {hour:02d}:{minute:02d}:00.000000"


# Person columns 0002 renames: table -> {0001 name: 0002 name}.
RENAMED = {
    "handover": {"handed_by": "handed_by_id", "received_by": "received_by_id", "reviewed_by": "reviewed_by_id"},
    "return_visit": {"reviewed_by": "reviewed_by_id"},
    "incident_report": {"reported_by": "reported_by_id"},
}

# Every table of 0001 with rows in 0001's column names. Ids are given so that
# the links between them are plain to read.
ROWS_0001: dict[str, list[dict]] = {
    "staff": [
        {"id": 1, "name": "王主管", "role": "supervisor", "pin_hash": "aa", "pin_salt": "01", "active": 1,
         "created_at": ts(1)},
        {"id": 2, "name": "李前台", "role": "receptionist", "pin_hash": "bb", "pin_salt": "02", "active": 1,
         "created_at": ts(1)},
        {"id": 3, "name": "赵经理", "role": "manager", "pin_hash": "cc", "pin_salt": "03", "active": 0,
         "created_at": ts(2)},
    ],
    "department": [
        {"id": 1, "name": "工程部", "kind": "engineering", "phone": "8001", "active": 1},
        {"id": 2, "name": "维保单位", "kind": "contractor", "phone": "", "active": 1},
    ],
    "unit": [
        {"id": 1, "code": "3栋2单元1201", "building": "3", "entrance": "2", "room": "1201", "warranty_until": None},
        {"id": 2, "code": "5栋1单元0302", "building": "5", "entrance": "1", "room": "0302",
         "warranty_until": "2027-06-30"},
    ],
    "resident": [
        {"id": 1, "name": "张先生", "phone": "13800138000", "unit_id": 1, "last_seen_at": ts(20)},
        {"id": 2, "name": "", "phone": "13900139000", "unit_id": None, "last_seen_at": ts(21)},
    ],
    "call": [
        {"id": 1, "number": "来电-2026-000001", "at": ts(20), "channel": "phone", "category": "repair",
         "caller_name": "张先生", "phone": "13800138000", "unit_code": "3栋2单元1201", "resident_id": 1,
         "content": "卫生间地漏反水", "reply": "已派工程部", "owner_id": 2, "status": "done", "due_by": None,
         "flagged_phrases": ""},
        {"id": 2, "number": "来电-2026-000002", "at": ts(21), "channel": "visit", "category": "complaint",
         "caller_name": "周女士", "phone": "13900139000", "unit_code": "", "resident_id": 2,
         "content": "楼道灯长期不亮无人处理", "reply": "", "owner_id": 2, "status": "awaiting_complaint",
         "due_by": ts(21, 1, 10), "flagged_phrases": "不知道"},
        {"id": 3, "number": "来电-2026-000003", "at": ts(22), "channel": "phone", "category": "enquiry",
         "caller_name": "", "phone": "", "unit_code": "", "resident_id": None,
         "content": "物业费缴费时间咨询", "reply": "每月五日前", "owner_id": 1, "status": "done", "due_by": None,
         "flagged_phrases": ""},
    ],
    "complaint": [
        # ordinary, the customer's own deadline
        {"id": 1, "number": "投诉-2026-000001", "received_at": ts(21), "channel": "visit", "call_id": 2,
         "customer_name": "周女士", "phone": "13900139000", "unit_code": "", "occurred_at": ts(19),
         "place": "5栋楼道", "subject": "秩序部", "description": "楼道灯长期不亮", "customer_request": "今天修好",
         "owner_id": 2, "loss_yuan": 0, "complainants": 1, "deaths": 0, "injury": "none", "media_days": 0,
         "media_outlets": 0, "times_raised": 1, "service_not_delivered": 0, "severity": "ordinary",
         "severity_rules": "", "escalations": 0, "customer_deadline": ts(21, 6), "respond_by": ts(21, 1, 10),
         "forward_by": ts(21, 1, 10), "report_by": None, "reply_by": ts(24), "complete_by": ts(21, 6),
         "responded_at": ts(21, 1, 5), "forwarded_at": ts(21, 1, 8), "department_id": 1, "reported_at": None,
         "replied_at": None, "completed_at": None, "result": "", "status": "forwarded"},
        # major, raised from a mishandled significant one, deadline agreed with the customer
        {"id": 2, "number": "投诉-2026-000002", "received_at": ts(22), "channel": "phone", "call_id": None,
         "customer_name": "张先生", "phone": "13800138000", "unit_code": "3栋2单元1201", "occurred_at": None,
         "place": "", "subject": "工程部", "description": "漏水三次未修好", "customer_request": "赔偿",
         "owner_id": 1, "loss_yuan": 12000.5, "complainants": 1, "deaths": 0, "injury": "none", "media_days": 0,
         "media_outlets": 0, "times_raised": 3, "service_not_delivered": 1, "severity": "major",
         "severity_rules": "loss>=10000,mishandled:significant", "escalations": 1, "customer_deadline": ts(27),
         "respond_by": ts(22, 1, 5), "forward_by": ts(22, 1, 10), "report_by": ts(22, 1, 5), "reply_by": ts(25),
         "complete_by": ts(27), "responded_at": None, "forwarded_at": None, "department_id": None,
         "reported_at": None, "replied_at": None, "completed_at": None, "result": "", "status": "open"},
        # significant: a customer's date does not move its fixed 48 h
        {"id": 3, "number": "投诉-2026-000003", "received_at": ts(22, 2), "channel": "letter", "call_id": None,
         "customer_name": "", "phone": "", "unit_code": "", "occurred_at": None, "place": "", "subject": "",
         "description": "垃圾清运不及时", "customer_request": "", "owner_id": 2, "loss_yuan": 1500,
         "complainants": 1, "deaths": 0, "injury": "none", "media_days": 0, "media_outlets": 0, "times_raised": 0,
         "service_not_delivered": 0, "severity": "significant", "severity_rules": "loss>=1000", "escalations": 0,
         "customer_deadline": ts(23), "respond_by": ts(22, 2, 8), "forward_by": ts(22, 2, 10),
         "report_by": ts(22, 16), "reply_by": ts(25, 2), "complete_by": ts(24, 2), "responded_at": ts(22, 2, 3),
         "forwarded_at": None, "department_id": 2, "reported_at": ts(22, 3), "replied_at": ts(23, 2),
         "completed_at": ts(23, 1), "result": "已清运", "status": "done"},
        # critical, no deadline agreed yet
        {"id": 4, "number": "投诉-2026-000004", "received_at": ts(23), "channel": "phone", "call_id": None,
         "customer_name": "业主代表", "phone": "13700137000", "unit_code": "", "occurred_at": None, "place": "",
         "subject": "", "description": "十二户联名投诉电梯", "customer_request": "", "owner_id": 1, "loss_yuan": 0,
         "complainants": 12, "deaths": 0, "injury": "none", "media_days": 0, "media_outlets": 0,
         "times_raised": 0, "service_not_delivered": 0, "severity": "critical", "severity_rules": "collective>=10",
         "escalations": 0, "customer_deadline": None, "respond_by": ts(23, 1, 1), "forward_by": ts(23, 1, 10),
         "report_by": ts(23, 1, 1), "reply_by": ts(26), "complete_by": None, "responded_at": None,
         "forwarded_at": None, "department_id": None, "reported_at": None, "replied_at": None,
         "completed_at": None, "result": "", "status": "open"},
    ],
    "dispatch_slip": [
        {"id": 1, "number": "派工-2026-000001", "created_at": ts(20, 1, 3), "call_id": 1, "complaint_id": None,
         "customer_name": "张先生", "unit_code": "3栋2单元1201", "phone": "13800138000", "item": "地漏反水",
         "appointment_at": None, "photos": "a.jpg\nb.jpg", "chargeable": 1, "fee_item": "疏通地漏",
         "fee_yuan": 50, "in_fee_schedule": 1, "under_warranty": 0, "department_id": 1, "technician": "刘师傅",
         "work_done": "疏通", "work_fee_yuan": 50, "materials": "", "materials_check": "", "remarks": "",
         "customer_signed": 1, "signed_at": ts(20, 2), "owner_id": 2, "notify_by": ts(20, 1, 5),
         "notified_at": ts(20, 1, 4), "accepted_at": ts(20, 1, 6), "assess_by": None, "on_site_by": ts(20, 1, 21),
         "arrived_at": ts(20, 1, 15), "completed_at": ts(20, 1, 50), "refused_reason": "", "fee_collected": 1,
         "payment_method": "cash", "printed_count": 1, "status": "done"},
        {"id": 2, "number": "派工-2026-000002", "created_at": ts(22, 1, 4), "call_id": None, "complaint_id": 2,
         "customer_name": "张先生", "unit_code": "3栋2单元1201", "phone": "13800138000", "item": "更换防水层",
         "appointment_at": ts(23, 2), "photos": "", "chargeable": 1, "fee_item": "", "fee_yuan": 0,
         "in_fee_schedule": 0, "under_warranty": 0, "department_id": 2, "technician": "", "work_done": "",
         "work_fee_yuan": None, "materials": "防水涂料", "materials_check": "pass", "remarks": "",
         "customer_signed": 0, "signed_at": None, "owner_id": 1, "notify_by": ts(22, 1, 9), "notified_at": None,
         "accepted_at": None, "assess_by": None, "on_site_by": None, "arrived_at": None, "completed_at": None,
         "refused_reason": "", "fee_collected": 0, "payment_method": "", "printed_count": 0, "status": "open"},
    ],
    "return_visit": [
        {"id": 1, "number": "回访-2026-000001", "kind": "repair", "complaint_id": None, "slip_id": 1,
         "unit_code": "3栋2单元1201", "phone": "13800138000", "due_on": "2026-11-24", "visited_at": ts(23, 3),
         "visitor_id": 2, "quality": "好", "effect": "已不反水", "satisfaction": "satisfied", "shortcomings": "",
         "suggestions": "", "customer_confirmed": 1, "supervisor_remark": "可", "reviewed_by": 1,
         "status": "reviewed"},
        {"id": 2, "number": "回访-2026-000002", "kind": "complaint", "complaint_id": 3, "slip_id": None,
         "unit_code": "", "phone": "", "due_on": "2026-11-25", "visited_at": None, "visitor_id": None,
         "quality": "", "effect": "", "satisfaction": "", "shortcomings": "", "suggestions": "",
         "customer_confirmed": 0, "supervisor_remark": "", "reviewed_by": None, "status": "due"},
    ],
    "shift": [
        {"id": 1, "number": "班次-2026-000001", "kind": "day", "duty_date": "2026-11-22", "started_at": ts(22, 0),
         "ended_at": ts(22, 12), "staff_id": 2},
        {"id": 2, "number": "班次-2026-000002", "kind": "night", "duty_date": "2026-11-22",
         "started_at": ts(22, 12), "ended_at": None, "staff_id": 3},
    ],
    "duty_log_entry": [
        {"id": 1, "shift_id": 1, "at": ts(22, 3), "what": "电梯困人", "action": "通知维保，10分钟解困", "major": 1,
         "staff_id": 2},
    ],
    "handover": [
        {"id": 1, "number": "交接-2026-000001", "from_shift_id": 1, "to_shift_id": 2, "unfinished": "投诉-2026-000002 待回复",
         "handed_by": 2, "handed_at": ts(22, 12), "received_by": 3, "received_at": ts(22, 12, 5), "reviewed_by": 1,
         "reviewed_at": ts(23, 1), "review_remark": "物品齐全", "status": "reviewed"},
    ],
    "handover_item": [
        {"id": 1, "handover_id": 1, "kind": "key", "description": "1201 钥匙", "quantity": 2, "amount_yuan": None,
         "checked": 1, "note": ""},
        {"id": 2, "handover_id": 1, "kind": "cash", "description": "代收维修费", "quantity": 1, "amount_yuan": 50,
         "checked": 1, "note": "现金"},
    ],
    "incident_report": [
        {"id": 1, "number": "事故-2026-000001", "reported_at": ts(22, 4), "occurred_at": ts(22, 3), "place": "3栋电梯",
         "details": "电梯困人", "action": "解困", "police_file": "", "photos": "e.jpg", "remarks": "", "problems": "",
         "major": 1, "report_by": ts(22, 15), "reported_by": 2},
    ],
    "audit_event": [
        {"id": 1, "at": ts(20), "actor_id": 2, "action": "call.log", "entity": "call", "entity_id": 1,
         "detail": '{"number": "来电-2026-000001"}'},
        {"id": 2, "at": ts(21), "actor_id": None, "action": "staff.add", "entity": "staff", "entity_id": 1,
         "detail": "{}"},
    ],
    "number_sequence": [
        {"register_key": "call", "year": 2026, "last": 3},
        {"register_key": "complaint", "year": 2026, "last": 4},
    ],
}


def raw(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        rows = [tuple(r) for r in conn.execute(sql, params).fetchall()]
        conn.commit()
        return rows


def rows_of(path: Path, table: str) -> list[dict]:
    with closing(sqlite3.connect(path)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]


def columns(path: Path, table: str) -> list[str]:
    return [r[1] for r in raw(path, f"PRAGMA table_info({table})")]


def copy_db(src: Path, dest: Path) -> Path:
    with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(dest)) as d:
        s.backup(d)
    return dest


def migrate_down(engine, target: str) -> None:
    """Downgrade as deskapp.storage.migrate.upgrade upgrades: foreign keys off, one transaction."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, target)
        finally:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")


@pytest.fixture(scope="module")
def template_0001(tmp_path_factory) -> Path:
    """A 0001 database holding ROWS_0001, in every one of its tables."""
    path = tmp_path_factory.mktemp("rev0001") / "template.sqlite"
    engine = get_engine(f"sqlite:///{path}")
    try:
        upgrade(engine, "0001")
    finally:
        engine.dispose()
    tables = {r[0] for r in raw(path, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                      "AND name NOT LIKE 'call_fts%' AND name <> 'alembic_version'")}
    assert tables == set(ROWS_0001), "every 0001 table gets rows"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        for table, rows in ROWS_0001.items():
            assert set(rows[0]) == set(columns(path, table)), f"{table}: rows name every 0001 column"
            for row in rows:
                names = ", ".join(row)
                conn.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})",
                             tuple(row.values()))
        conn.commit()
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return path


@pytest.fixture(scope="module")
def template_0002(template_0001, tmp_path_factory) -> Path:
    """The same file brought to 0002 by deskapp's own start-up path."""
    path = copy_db(template_0001, tmp_path_factory.mktemp("rev0002") / "template.sqlite")
    engine = get_engine(f"sqlite:///{path}")
    try:
        assert ensure_schema(engine).after == HEAD_REVISION
    finally:
        engine.dispose()
    return path


@pytest.fixture
def db(template_0001, tmp_path) -> Path:
    """A 0001 file with data, for tests that migrate it themselves."""
    return copy_db(template_0001, tmp_path / "desk.sqlite")


@pytest.fixture
def upgraded(template_0002, tmp_path) -> Path:
    """A file migrated from 0001 with data to 0002."""
    return copy_db(template_0002, tmp_path / "desk.sqlite")


@pytest.fixture
def engine(db):
    eng = get_engine(f"sqlite:///{db}")
    yield eng
    eng.dispose()


def schema_of_call(path: Path) -> list[tuple]:
    """Everything the call log's table and search index are made of."""
    return raw(path, "SELECT type, name, tbl_name, sql FROM sqlite_master "
                     "WHERE tbl_name = 'call' OR tbl_name LIKE 'call_fts%' ORDER BY name")


def fts_ids(path: Path, phrase: str) -> list[int]:
    return [r[0] for r in raw(path, "SELECT rowid FROM call_fts WHERE call_fts MATCH ? ORDER BY rowid",
                              (f'"{phrase}"',))]


class TestUpgradeKeepsEveryRow:
    def test_every_row_and_value_survives_renamed_columns_included(self, db, engine):
        before = {table: rows_of(db, table) for table in ROWS_0001}
        assert current_revision(engine) == "0001"

        check = ensure_schema(engine)

        assert (check.before, check.after) == ("0001", HEAD_REVISION)
        for table, old_rows in before.items():
            new_rows = rows_of(db, table)
            assert len(new_rows) == len(old_rows) == len(ROWS_0001[table]), table
            renames = RENAMED.get(table, {})
            for old, new in zip(old_rows, new_rows):
                assert {renames.get(k, k): v for k, v in old.items()} == {k: new[k] for k in
                                                                          (renames.get(c, c) for c in old)}, table
        assert [(r["handed_by_id"], r["received_by_id"], r["reviewed_by_id"]) for r in rows_of(db, "handover")] == \
            [(2, 3, 1)]
        assert [r["reported_by_id"] for r in rows_of(db, "incident_report")] == [2]
        assert [r["reviewed_by_id"] for r in rows_of(db, "return_visit")] == [1, None]
        for table, renames in RENAMED.items():
            assert not set(renames) & set(columns(db, table)), f"{table} still has an old column"

    def test_file_passes_sqlite_checks_and_foreign_keys_point_at_staff(self, db, engine):
        ensure_schema(engine)
        assert raw(db, "PRAGMA integrity_check") == [("ok",)]
        assert raw(db, "PRAGMA foreign_key_check") == []
        fks = {(r[3], r[2]) for table in RENAMED for r in raw(db, f"PRAGMA foreign_key_list({table})")}
        for renames in RENAMED.values():
            for new in renames.values():
                assert (new, "staff") in fks
        # The renamed keys carry the names the naming convention gives them.
        sql = dict(raw(db, "SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        assert "CONSTRAINT fk_handover_handed_by_id_staff FOREIGN KEY(handed_by_id)" in sql["handover"]
        assert "fk_handover_handed_by_staff" not in sql["handover"]
        assert "CONSTRAINT fk_incident_report_reported_by_id_staff" in sql["incident_report"]
        assert "CONSTRAINT fk_return_visit_assigned_to_id_staff" in sql["return_visit"]

    def test_new_columns_start_from_what_the_old_rows_imply(self, db, engine):
        ensure_schema(engine)
        assert raw(db, "SELECT id, kind, active, source FROM resident ORDER BY id") == \
            [(1, "", 1, "call"), (2, "", 1, "call")]
        assert raw(db, "SELECT id, complete_by_source, raised_from_severity, followup_by, followed_up_at "
                       "FROM complaint ORDER BY id") == [
            (1, "customer", None, None, None),  # ordinary: the customer's deadline
            (2, "agreed", "significant", None, None),  # major: agreed; raised from a mishandled 较大
            (3, "policy", None, None, None),  # significant: 48 h whatever the customer asked
            (4, None, None, None, None),  # critical: no deadline yet
        ]
        assert raw(db, "SELECT fee_agreed_at FROM dispatch_slip") == [(None,), (None,)]
        assert raw(db, "SELECT id, attempts, last_attempt_at, next_attempt_at, assigned_to_id FROM return_visit "
                       "ORDER BY id") == [(1, 1, ts(23, 3), None, 2), (2, 0, None, None, None)]

    def test_call_log_and_its_search_index_are_left_as_they_were(self, db, engine):
        call_schema = schema_of_call(db)
        assert {r[1] for r in call_schema} >= {"call_fts", "call_fts_ai", "call_fts_ad", "call_fts_au"}
        assert fts_ids(db, "地漏反水") == [1]

        upgrade(engine, "0002")  # this revision's own effect (later ones add their own indexes)

        assert schema_of_call(db) == call_schema  # never rebuilt, nothing added
        assert fts_ids(db, "地漏反水") == [1]
        assert fts_ids(db, "长期不亮") == [2]
        assert fts_ids(db, "13800138000") == [1]
        raw(db, "INSERT INTO call_fts(call_fts) VALUES ('integrity-check')")

    def test_search_stays_in_sync_for_calls_logged_after_the_upgrade(self, db, engine):
        from deskapp.config import Settings
        from deskapp.services.desk import Desk

        ensure_schema(engine)
        desk = Desk.open(Settings(database_url=f"sqlite:///{db}"))
        try:
            receptionist = Actor(id=2, name="李前台", role="receptionist")
            logged = log_call(desk, receptionist, CallDraft(content="车库入口道闸失灵", phone="13800138000",
                                                            unit="3栋2单元1201"), now=NOW)
            assert count_calls(desk, CallFilter(search="道闸失灵")) == 1
            assert count_calls(desk, CallFilter(search="地漏反水")) == 1  # a call from before the upgrade
            # the known caller of 0001 was found again, not duplicated
            assert raw(db, "SELECT count(*) FROM resident WHERE phone = '13800138000'") == [(1,)]
            # (the search index itself is 0004's: tests/storage/test_revision_0004.py)
            with desk.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE call SET content = '道闸已修复' WHERE id = ?", (logged.id,))
            assert count_calls(desk, CallFilter(search="道闸失灵")) == 0
            assert count_calls(desk, CallFilter(search="道闸已修复")) == 1
        finally:
            desk.engine.dispose()


class TestFailedUpgrade:
    def test_a_failing_upgrade_leaves_the_file_at_0001_and_the_backup_beside_it(self, db, engine, tmp_path):
        # A trigger of the same name makes the last step of 0002 fail.
        raw(db, "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT 1; END")
        schema_before = raw(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name")

        with pytest.raises(Exception, match="audit_event_no_delete"):
            ensure_schema(engine)

        assert current_revision(engine) == "0001"
        assert raw(db, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema_before
        assert rows_of(db, "handover")[0]["handed_by"] == 2
        (backup,) = tmp_path.glob(f"desk.sqlite.before-{HEAD_REVISION}-*.bak")
        assert raw(backup, "SELECT version_num FROM alembic_version") == [("0001",)]


class TestAuditLogIsAppendOnly:
    def test_update_and_delete_are_refused_insert_still_works(self, upgraded):
        before = rows_of(upgraded, "audit_event")
        with pytest.raises(sqlite3.IntegrityError, match="audit_event is append-only"):
            raw(upgraded, "UPDATE audit_event SET detail = '{}' WHERE id = 1")
        with pytest.raises(sqlite3.IntegrityError, match="audit_event is append-only"):
            raw(upgraded, "UPDATE audit_event SET actor_id = NULL")
        with pytest.raises(sqlite3.IntegrityError, match="audit_event is append-only"):
            raw(upgraded, "DELETE FROM audit_event WHERE id = 2")
        with pytest.raises(sqlite3.IntegrityError, match="audit_event is append-only"):
            raw(upgraded, "DELETE FROM audit_event")
        assert rows_of(upgraded, "audit_event") == before

        raw(upgraded, "INSERT INTO audit_event (at, actor_id, action, entity, entity_id, detail) "
                      "VALUES (?, 1, 'test', 'call', 1, '{}')", (ts(24),))
        assert len(rows_of(upgraded, "audit_event")) == len(before) + 1

    def test_refused_through_sqlalchemy_too_and_the_transaction_is_undone(self, upgraded):
        from sqlalchemy import text
        from sqlalchemy.exc import IntegrityError

        from deskapp.storage.engine import write_session

        eng = get_engine(f"sqlite:///{upgraded}")
        try:
            with pytest.raises(IntegrityError, match="append-only"):
                with write_session(eng) as session:
                    session.execute(text("UPDATE staff SET name = '改名' WHERE id = 3"))
                    session.execute(text("DELETE FROM audit_event WHERE id = 1"))
        finally:
            eng.dispose()
        assert raw(upgraded, "SELECT name FROM staff WHERE id = 3") == [("赵经理",)]
        assert len(rows_of(upgraded, "audit_event")) == 2

    def test_a_new_database_has_the_triggers_too(self, desk, receptionist, db_path):
        log_call(desk, receptionist, CallDraft(content="新库也只能追加审计"), now=NOW)
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw(db_path, "UPDATE audit_event SET action = 'x'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw(db_path, "DELETE FROM audit_event")


class TestResidents:
    def add(self, path: Path, phone: str, unit_id: int | None, name: str = "", kind: str = "owner") -> None:
        raw(path, "INSERT INTO resident (name, phone, unit_id, kind, source) VALUES (?, ?, ?, ?, 'roster')",
            (name, phone, unit_id, kind))

    def test_two_residents_without_a_phone_may_live_in_one_unit(self, upgraded):
        self.add(upgraded, "", 2, "孙先生", "owner")
        self.add(upgraded, "", 2, "钱女士", "tenant")
        assert raw(upgraded, "SELECT name, kind, active, source FROM resident WHERE unit_id = 2 ORDER BY id") == \
            [("孙先生", "owner", 1, "roster"), ("钱女士", "tenant", 1, "roster")]

    def test_one_phone_is_one_resident_per_unit(self, upgraded):
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            self.add(upgraded, "13800138000", 1)  # already resident 1 of unit 1
        self.add(upgraded, "13800138000", 2)  # the same phone in another unit is another record
        assert raw(upgraded, "SELECT count(*) FROM resident WHERE phone = '13800138000'") == [(2,)]

    def test_the_rule_is_a_partial_unique_index(self, upgraded):
        (sql,) = raw(upgraded, "SELECT sql FROM sqlite_master WHERE name = 'uq_resident_phone_unit'")[0]
        assert sql == "CREATE UNIQUE INDEX uq_resident_phone_unit ON resident (phone, unit_id) WHERE phone <> ''"
        table_sql = raw(upgraded, "SELECT sql FROM sqlite_master WHERE name = 'resident'")[0][0]
        assert "UNIQUE" not in table_sql


class TestDowngrade:
    def test_0002_down_to_0001_gives_back_the_old_columns_with_their_data(self, db, engine):
        before = {table: rows_of(db, table) for table in ROWS_0001}
        schema_0001 = raw(db, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                              "ORDER BY name")
        ensure_schema(engine)
        raw(db, "INSERT INTO audit_event (at, action, entity, detail) VALUES (?, 'after', 'x', '{}')", (ts(24),))
        # A phone known without a unit twice: 0001 allows that too (its NULL units never collide).
        raw(db, "INSERT INTO resident (name, phone, unit_id) VALUES ('周女士', '13900139000', NULL)")

        migrate_down(engine, "0001")

        assert current_revision(engine) == "0001"
        for table, old_rows in before.items():
            rows = rows_of(db, table)
            assert rows[:len(old_rows)] == old_rows, table
        assert len(rows_of(db, "audit_event")) == 3
        assert raw(db, "SELECT count(*) FROM resident WHERE phone = '13900139000'") == [(2,)]
        assert raw(db, "PRAGMA foreign_key_check") == []
        assert raw(db, "PRAGMA integrity_check") == [("ok",)]
        # The same tables, columns, indexes and triggers as 0001 made them (tables
        # rebuilt by the round trip may list their constraints in another order).
        after = raw(db, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        assert [(t, n) for t, n, _ in after] == [(t, n) for t, n, _ in schema_0001]
        for table in ROWS_0001:
            assert columns(db, table) == list(ROWS_0001[table][0]), table
        assert fts_ids(db, "地漏反水") == [1]
        raw(db, "UPDATE audit_event SET detail = '{}' WHERE id = 3")  # the triggers went with 0002

        check = ensure_schema(engine)  # and up again
        assert (check.before, check.after) == ("0001", HEAD_REVISION)
        assert raw(db, "SELECT handed_by_id FROM handover") == [(2,)]

    def test_downgrade_refuses_to_merge_residents_without_a_phone(self, db, engine):
        ensure_schema(engine)
        raw(db, "INSERT INTO resident (name, phone, unit_id) VALUES ('甲', '', 2), ('乙', '', 2)")
        with pytest.raises(RuntimeError, match="cannot downgrade"):
            migrate_down(engine, "0001")
        assert current_revision(engine) == HEAD_REVISION
        assert raw(db, "SELECT count(*) FROM resident") == [(4,)]
        assert "handed_by_id" in columns(db, "handover")


# Foreign keys that have no index of their own, and why: each records who signed
# or did something and is only ever read through the record it sits on (lists
# join staff by staff.id, its primary key). Calls are found by phone (ix_call_phone_at).
NOT_INDEXED = {
    ("audit_event", "actor_id"),
    ("call", "resident_id"),
    ("call_correction", "staff_id"),
    ("completed_matter", "visit_id"),  # read from its matter for the month-end share, never looked up by
    ("complaint_step", "staff_id"),  # who took a step: read with its complaint, never looked up by
    ("duty_log_entry", "staff_id"),
    ("handover", "handed_by_id"),
    ("handover", "received_by_id"),
    ("handover", "reviewed_by_id"),
    ("incident_report", "reported_by_id"),
    ("return_visit", "reviewed_by_id"),
    ("return_visit", "visitor_id"),
    ("shift", "staff_id"),
    # 0007: who received, released, lent, took back, signed or wrote; the incoming
    # shift of an acknowledgement: read through their own row only.
    ("custody_item", "received_by_id"),
    ("custody_item", "released_by_id"),
    ("custody_loan", "lent_by_id"),
    ("custody_loan", "returned_by_id"),
    ("handover_entry", "staff_id"),
    ("handover_entry", "shift_id"),
    ("visitor", "staff_id"),
    # 0008: who recorded a slip's step at the desk, read through the slip only.
    ("slip_step", "staff_id"),
}


class TestForeignKeyIndexes:
    def test_every_foreign_key_a_register_looks_up_by_has_an_index(self, upgraded):
        eng = get_engine(f"sqlite:///{upgraded}")
        try:
            insp = inspect(eng)
            unindexed = set()
            for table in insp.get_table_names():
                if table.startswith("call_fts") or table == "alembic_version":
                    continue
                leading = {ix["column_names"][0] for ix in insp.get_indexes(table)}
                for fk in insp.get_foreign_keys(table):
                    (column,) = fk["constrained_columns"]
                    if column not in leading:
                        unindexed.add((table, column))
        finally:
            eng.dispose()
        assert unindexed == NOT_INDEXED
        for table, column in [("complaint", "call_id"), ("dispatch_slip", "call_id"),
                              ("dispatch_slip", "complaint_id"), ("return_visit", "complaint_id"),
                              ("return_visit", "slip_id"), ("complaint", "department_id"),
                              ("dispatch_slip", "department_id")]:
            assert (table, column) not in unindexed
