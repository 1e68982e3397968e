"""`deskapp import roster` and services.roster on real files and a real SQLite database: dry run,
refusals with row numbers, idempotent re-import, a changed phone with its history, one transaction,
bad files, and the call form's known-caller lookup filled from the roster."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.services import roster as rosters
from deskapp.services.calls import CallDraft, KnownCaller, known_callers, log_call
from tests.conftest import RECEPTIONIST_NAME, SUPERVISOR_NAME, SUPERVISOR_PIN

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
HEAD = ["楼栋", "单元", "房号", "姓名", "电话", "身份"]
GOOD = [[3, 2, 1201, "张三", 13800138000, "业主"],
        [3, 2, 1202, "李四", "１３９１２３４５６７８", "租户"],
        [5, 1, 302, "王五", "", "业主"]]


def xlsx(path: Path, rows, *, title: str | None = None) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    r = 0
    if title:
        sheet.merge_range(0, 0, 0, 5, title)
        r = 1
    for row in rows:
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
        r += 1
    book.close()
    return path


def csv_file(path: Path, rows, encoding="utf-8-sig") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def db(desk, supervisor) -> Path:
    return Path(desk.engine.url.database)


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, db, path, *args, pin=SUPERVISOR_PIN, by=SUPERVISOR_NAME):
    extra = ["--dry-run"] if "--dry-run" in args else ["--by", by]
    args = [a for a in args if a != "--dry-run"]
    return runner.invoke(app, ["import", "roster", str(path), *args, *extra, "--db", str(db)],
                         input=None if "--dry-run" in extra else f"{pin}\n")


def residents(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT u.code, r.name, r.phone, r.kind, r.source FROM resident r JOIN unit u ON u.id = r.unit_id "
            "ORDER BY u.code, r.name")]


def events(db: Path, action: str) -> list[dict]:
    with closing(sqlite3.connect(db)) as conn:
        return [json.loads(d) for d, in conn.execute(
            "SELECT detail FROM audit_event WHERE action = ? ORDER BY id", (action,))]


class TestImport:
    def test_dry_run_shows_and_writes_nothing(self, runner, db, tmp_path):
        path = xlsx(tmp_path / "名册.xlsx", [HEAD, *GOOD], title="阳光花园业主名册")
        result = run(runner, db, path, "--dry-run")
        assert result.exit_code == 0, result.output
        assert "试运行" in result.stdout and "新增：第 3 行 3栋2单元1201 张三 13800138000 业主" in result.stdout
        assert "共 3 行：新增 3 位" in result.stdout
        assert residents(db) == [] and events(db, "roster.import") == []

    def test_import_then_the_same_file_again_changes_nothing(self, runner, db, tmp_path):
        path = xlsx(tmp_path / "名册.xlsx", [HEAD, *GOOD])
        first = run(runner, db, path)
        assert first.exit_code == 0, first.output
        assert residents(db) == [("3栋2单元1201", "张三", "13800138000", "owner", "roster"),
                                 ("3栋2单元1202", "李四", "13912345678", "tenant", "roster"),
                                 ("5栋1单元302", "王五", "", "owner", "roster")]
        assert len(events(db, "resident.add")) == 3
        again = run(runner, db, path)
        assert again.exit_code == 0 and "无变化 3 位" in again.stdout and "没有变化" in again.stdout
        assert len(residents(db)) == 3 and len(events(db, "resident.add")) == 3
        assert [e["added"] for e in events(db, "roster.import")] == [3, 0]

    def test_a_changed_phone_updates_the_resident_and_keeps_the_old_one_in_the_audit_log(self, runner, db,
                                                                                           tmp_path):
        run(runner, db, xlsx(tmp_path / "a.xlsx", [HEAD, *GOOD]))
        changed = [HEAD, [3, 2, 1201, "张三", 13700137000, "业主"], *GOOD[1:]]
        dry = run(runner, db, xlsx(tmp_path / "b.xlsx", changed), "--dry-run")
        assert "更新：第 2 行 3栋2单元1201 张三：电话 13800138000 → 13700137000" in dry.stdout
        result = run(runner, db, tmp_path / "b.xlsx")
        assert result.exit_code == 0 and "电话变更 1 位" in result.stdout
        assert ("3栋2单元1201", "张三", "13700137000", "owner", "roster") in residents(db)
        assert len(residents(db)) == 3
        (update,) = events(db, "resident.update")
        assert update["changes"] == {"phone": ["13800138000", "13700137000"]} and update["row"] == 2

    def test_refused_rows_are_named_and_the_rest_imported_in_one_go(self, runner, db, tmp_path):
        rows = [HEAD, *GOOD, [], [5, 1, 303, "赵六", 1380013800, "业主"], [3, 2, 1201, "张三", 13800138000, "业主"],
                ["五", 1, 304, "钱七", "", ""], [5, 1, 305, "孙八", "", "家属"], [5, 1, 306, "", 13600136000, ""]]
        path = csv_file(tmp_path / "名册.csv", rows, encoding="gb18030")
        result = run(runner, db, path)
        assert result.exit_code == 3, result.output
        err = result.stderr
        assert "第 6 行：电话无效：1380013800" in err  # row 5 is the empty one
        assert "第 7 行：与第 2 行重复" in err
        assert "第 8 行：房号格式无法识别：五-1-304" in err
        assert "第 9 行：身份无法识别：家属" in err
        assert "第 10 行：姓名为空" in err
        assert "共 8 行：新增 3 位" in result.stdout and "拒绝 5 行" in result.stdout
        assert len(residents(db)) == 3

    def test_a_fault_mid_way_leaves_nothing_half_imported(self, desk, supervisor, tmp_path, monkeypatch):
        checked = rosters.read_roster(xlsx(tmp_path / "a.xlsx", [HEAD, *GOOD]))
        real = rosters.audit.record_rows

        def fail_late(session, rows):
            real(session, rows)
            raise RuntimeError("the disk went away")

        monkeypatch.setattr(rosters.audit, "record_rows", fail_late)
        with pytest.raises(RuntimeError):
            rosters.import_roster(desk, supervisor, checked, source="a.xlsx", now=NOW)
        db = Path(desk.engine.url.database)
        assert residents(db) == [] and events(db, "resident.add") == []
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT count(*) FROM unit").fetchone()[0] == 0

    def test_only_a_supervisor_imports(self, runner, db, tmp_path, receptionist):
        path = xlsx(tmp_path / "a.xlsx", [HEAD, *GOOD])
        no_by = runner.invoke(app, ["import", "roster", str(path), "--db", str(db)])
        assert no_by.exit_code == 2 and "--by" in no_by.stderr
        clerk = run(runner, db, path, by=RECEPTIONIST_NAME, pin="5678")
        assert clerk.exit_code == 2 and residents(db) == []
        wrong = run(runner, db, path, pin="0000")
        assert wrong.exit_code == 2 and "PIN" in wrong.stderr and residents(db) == []


class TestBadFiles:
    def test_not_a_spreadsheet(self, runner, db, tmp_path):
        for name, data in (("a.xlsx", b"PK\x03\x04 this is no zip"), ("b.xlsx", b"hello"), ("c.pdf", b"%PDF-1.4"),
                           ("d.csv", b"\x00\x01\x02binary")):
            (tmp_path / name).write_bytes(data)
            result = run(runner, db, tmp_path / name, "--dry-run")
            assert result.exit_code == 2, (name, result.output)
            assert "不是表格文件" in result.stderr and "Traceback" not in result.output

    def test_missing_column_empty_file_and_missing_file(self, runner, db, tmp_path):
        no_room = run(runner, db, csv_file(tmp_path / "a.csv", [["姓名", "电话"], ["张三", "13800138000"]]),
                      "--dry-run")
        assert no_room.exit_code == 2 and "找不到房号列" in no_room.stderr and "姓名、电话" in no_room.stderr
        empty = run(runner, db, csv_file(tmp_path / "b.csv", [[], []]), "--dry-run")
        assert empty.exit_code == 2 and "是空的" in empty.stderr
        missing = run(runner, db, tmp_path / "none.xlsx", "--dry-run")
        assert missing.exit_code == 2 and "文件不存在" in missing.stderr

    def test_map_for_unusual_headers(self, runner, db, tmp_path):
        path = csv_file(tmp_path / "a.csv", [["户号", "住户", "联系方式"], ["3-2-1201", "张三", "13800138000"]])
        refused = run(runner, db, path, "--dry-run")
        assert refused.exit_code == 2 and "--map" in refused.stderr
        result = run(runner, db, path, "--map", "户号=房号", "--map", "住户=姓名")
        assert result.exit_code == 0, result.output
        assert residents(db) == [("3栋2单元1201", "张三", "13800138000", "", "roster")]
        bad = run(runner, db, path, "--map", "户号", "--dry-run")
        assert bad.exit_code == 2 and "--map 看不懂：户号" in bad.stderr


class TestKnownCaller:
    def test_the_call_form_finds_a_resident_from_the_roster(self, desk, supervisor, receptionist, tmp_path):
        checked = rosters.read_roster(xlsx(tmp_path / "a.xlsx", [HEAD, *GOOD]))
        rosters.import_roster(desk, supervisor, checked, source="a.xlsx", now=NOW)
        assert known_callers(desk, phone="13800") == [KnownCaller("张三", "13800138000", "3栋2单元1201")]
        assert known_callers(desk, unit="5-1-302") == [KnownCaller("王五", "", "5栋1单元302")]
        # A caller heard on the phone since comes before a roster entry never heard from.
        log_call(desk, receptionist, CallDraft(caller_name="张太太", phone="13800999999", unit="3-2-1201",
                                                content="咨询"), now=NOW)
        assert [k.name for k in known_callers(desk, phone="13800")] == ["张太太", "张三"]

    def test_the_call_form_fills_in_the_caller(self, desk, supervisor, tmp_path):
        """The form's lookup is known_callers: the screen test of the form shows it filling in."""
        checked = rosters.read_roster(xlsx(tmp_path / "a.xlsx", [HEAD, *GOOD]))
        rosters.import_roster(desk, supervisor, checked, source="a.xlsx", now=NOW)
        (found,) = known_callers(desk, phone="139 1234 5678")
        assert (found.name, found.unit_code) == ("李四", "3栋2单元1202")


def test_fifty_thousand_rows_in_one_transaction(desk, supervisor, tmp_path):
    """Size, not speed (timings are in scripts/bench_exchange.py): 50,000 rows, one import event."""
    rows = [HEAD] + [[1 + i // 2000, 1 + (i // 500) % 4, 101 + i % 500, f"住户{i}", 13000000000 + i,
                      "业主" if i % 3 else "租户"] for i in range(50_000)]
    checked = rosters.read_roster(csv_file(tmp_path / "big.csv", rows))
    plan = rosters.import_roster(desk, supervisor, checked, source="big.csv", now=NOW)
    assert len(plan.added) == 50_000 and not plan.refused
    again = rosters.plan_roster(desk, checked)
    assert again.unchanged == 50_000 and not again.added and not again.updated
