"""`deskapp doctor` as a service: read-only, and it says what it checked, with figures, in the user's language."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskapp.config import Settings
from deskapp.core.workdays import WorkCalendar
from deskapp.i18n import set_lang
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.doctor import examine
from deskapp.services.faults import DatabaseRefused
from deskapp.storage.migrate import HEAD_REVISION
from deskapp.storage.search_index import register_functions
from tests.services.dbstate import sqlite_file

# doctor on a file; on a PostgreSQL server: tests/services/test_postgresql.py
pytestmark = pytest.mark.sqlite_only

NOW = datetime(2026, 1, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 on New Year's Day in Asia/Shanghai
TODAY = date(2026, 1, 1)


@pytest.fixture
def written(desk, supervisor, receptionist):
    """Two calls on the last day of 2025 and one on New Year's Day (local time), through the services."""
    for hours in (20, 12, 1):
        log_call(desk, receptionist, CallDraft(category="repair", phone="13800138000", unit="3-2-1201",
                                               content="水管漏水", at=NOW - timedelta(hours=hours)), now=NOW)
    return Path(sqlite_file(desk))


def damage(db: Path, *statements: str, foreign_keys: bool = True) -> None:
    with closing(sqlite3.connect(db)) as conn:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        register_functions(conn)  # the call log's search triggers call them
        for sql in statements:
            conn.execute(sql)
        conn.commit()


def findings(db: Path, today: date = TODAY) -> dict[str, list[tuple[str, str]]]:
    """label -> [(state, value)] (a label may come more than once: one per problem)."""
    report = examine(Settings(database_url=f"sqlite:///{db}"), today=today)
    found: dict[str, list[tuple[str, str]]] = {}
    for f in report.findings:
        found.setdefault(f.label, []).append((f.state, f.value))
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_desk_written_by_the_services_is_reported_with_its_figures(written):
    found = findings(written)
    assert found["数据库"] == [("info", str(written))]
    assert found["结构版本"] == [("ok", f"{HEAD_REVISION}（本程序 {HEAD_REVISION}）")]
    assert found["完整性（integrity_check）"] == [("ok", "ok")]
    assert found["日志模式（journal_mode）"] == [("ok", "wal")]
    assert found["记录数（员工）"] == [("info", "2")]
    assert found["记录数（来电来访）"] == [("info", "3")]
    assert found["编号：来电 2025 年"] == [("ok", "2 条，1 至 2 号连续")]
    assert found["编号：来电 2026 年"] == [("ok", "1 条，1 至 1 号连续")]
    assert found["审计记录"] == [("ok", "5 条记录都有审计事件（10 张表）")]  # 2 staff + 3 calls
    assert found["外键（foreign_key_check）"][0][0] == "ok"
    assert found["状态"] == [("ok", "3 条记录的状态都有效")]
    assert found["时区"] == [("info", "Asia/Shanghai")]
    assert found["最新备份"] == [("info", "旁边没有 .bak 备份")]


def test_in_english(written):
    set_lang("en")
    found = findings(written)
    assert found["Numbering: calls 2025"] == [("ok", "2 records, numbers 1 to 2 without a gap")]
    assert found["Audit trail"] == [("ok", "all 5 records have their audit event (10 tables)")]
    assert found["Schema revision"] == [("ok", f"{HEAD_REVISION} (this program: {HEAD_REVISION})")]


def test_nothing_is_written(written, desk):
    desk.engine.dispose()  # the test's own connections closed: the file is at rest
    before = {p.name: digest(p) for p in written.parent.iterdir() if p.is_file()}
    report = examine(Settings(database_url=f"sqlite:///{written}"), today=TODAY)
    assert report.ok
    after = {p.name: digest(p) for p in written.parent.iterdir() if p.is_file() and not p.name.endswith("-shm")}
    assert after[written.name] == before[written.name]
    # SQLite's reader may leave its -wal/-shm beside a file this user can write, as any reader does
    assert set(after) - set(before) <= {f"{written.name}-wal"}


def test_a_gap_in_the_numbers_is_found_and_named(written):
    damage(written, "DELETE FROM call WHERE number = '来电-2025-000001'")
    found = findings(written)
    assert ("fault", "1 条，最大号 2，缺号：1") in found["编号：来电 2025 年"]
    assert not examine(Settings(database_url=f"sqlite:///{written}"), today=TODAY).ok


def test_a_counter_behind_the_numbers_is_found(written):
    damage(written, "UPDATE number_sequence SET last = 1 WHERE register_key = 'call' AND year = 2025")
    assert ("fault", "计数器停在 1，落后于最大号 2：下一个号会重复") in findings(written)["编号：来电 2025 年"]


def test_a_record_without_its_audit_event_is_found(written):
    damage(written, "INSERT INTO staff (name, role, pin_hash, pin_salt, active, created_at) "
                    "VALUES ('无名', 'receptionist', 'x', 'y', 1, '2026-01-01 00:00:00')")
    assert findings(written)["审计记录"] == [("fault", "员工：1 条没有审计事件（#3）")]


def test_an_orphan_is_found_by_foreign_key_check(written):
    damage(written, "UPDATE call SET owner_id = 99 WHERE id = 2", foreign_keys=False)
    assert findings(written)["外键（foreign_key_check）"] == [
        ("fault", "call → staff：1 行指向不存在的记录（rowid 2）")]


def test_an_unknown_status_is_found(written):
    damage(written, "UPDATE call SET status = 'lost' WHERE id = 1")
    assert findings(written)["状态"] == [("fault", "来电来访：未知状态 lost（1 条）")]


def test_the_calendars_reach_is_counted_from_the_day_given(written, desk):
    known = WorkCalendar.load(desk.data_dir).known_through
    label = "工作日历已知到"
    assert findings(written, today=known - timedelta(days=40))[label] == [
        ("ok", f"{known.isoformat()}（还剩 40 天）")]
    assert findings(written, today=known - timedelta(days=10))[label][0][0] == "warn"
    assert findings(written, today=known + timedelta(days=1))[label][0][0] == "fault"


def test_an_older_revision_is_a_warning_and_is_left_as_it_is(written):
    damage(written, "UPDATE alembic_version SET version_num = '0001'")
    found = findings(written)
    assert found["结构版本"][0][0] == "warn" and "较旧" in found["结构版本"][0][1]
    with closing(sqlite3.connect(written)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert list(written.parent.glob("*.bak")) == []


@pytest.mark.parametrize("revision, says", [("0099", "比本程序新"), ("0000", "不认识的旧版本或未知版本"),
                                            ("abc", "不认识的旧版本或未知版本")])
def test_an_unknown_revision_is_a_fault_called_newer_only_when_it_is(written, revision, says):
    damage(written, f"UPDATE alembic_version SET version_num = '{revision}'")
    state, value = findings(written)["结构版本"][0]
    assert state == "fault" and says in value and revision in value


def test_a_missing_file_is_refused_and_nothing_is_made(tmp_path):
    db = tmp_path / "no" / "such" / "desk.sqlite"
    with pytest.raises(DatabaseRefused, match="找不到数据库文件"):
        examine(Settings(database_url=f"sqlite:///{db}"))
    assert not (tmp_path / "no").exists()


def test_an_empty_file_is_refused_and_left_empty(tmp_path):
    db = tmp_path / "desk.sqlite"
    db.touch()
    with pytest.raises(DatabaseRefused, match="0 字节"):
        examine(Settings(database_url=f"sqlite:///{db}"))
    assert db.stat().st_size == 0 and list(tmp_path.iterdir()) == [db]


def test_a_damaged_file_is_a_finding_naming_the_newest_backup(tmp_path):
    db = tmp_path / "desk.sqlite"
    db.write_bytes(b"\x00garbage" * 512)
    backup = tmp_path / "desk.sqlite.before-0003-20260101T000000Z.bak"
    backup.write_bytes(b"backup")
    before = digest(db)
    report = examine(Settings(database_url=f"sqlite:///{db}"), today=TODAY)
    assert not report.ok
    damaged = [f for f in report.findings if f.state == "fault"]
    assert len(damaged) == 1
    assert f"数据库文件已损坏或不是数据库：{db}" in damaged[0].value
    assert f"请用同一文件夹中最新的备份恢复：{backup}" in damaged[0].value
    assert digest(db) == before and sorted(tmp_path.iterdir()) == [db, backup]
