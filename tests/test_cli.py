"""The `deskapp` command line (Typer), run in-process with CliRunner on a real SQLite file."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.config import site_data_dir
from deskapp.storage.migrate import HEAD_REVISION


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "cli" / "desk.sqlite"  # the folder does not exist yet


def staff_rows(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return [tuple(r) for r in conn.execute("SELECT name, role FROM staff ORDER BY id")]


def add_first(runner, db, name="王主管", pin="1234"):
    return runner.invoke(app, ["staff", "add", name, "--role", "supervisor", "--db", str(db)],
                         input=f"{pin}\n{pin}\n")


class TestStaffAdd:
    def test_first_supervisor_with_pin_asked_twice(self, runner, db):
        result = add_first(runner, db)
        assert result.exit_code == 0, result.output
        assert db.is_file()  # created where --db points
        assert staff_rows(db) == [("王主管", "supervisor")]
        assert "王主管 (客服主管) #1" in result.stdout
        assert "1234" not in result.output  # the PIN is never echoed

    def test_first_staff_must_be_a_supervisor(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "小张", "--db", str(db)], input="1234\n1234\n")
        assert result.exit_code == 2
        assert "第一位员工必须是客服主管或以上" in result.output
        assert staff_rows(db) == []

    def test_pin_confirmation_must_match(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "王主管", "--role", "supervisor", "--db", str(db)],
                               input="1234\n4321\n1234\n1234\n")
        assert result.exit_code == 0, result.output
        assert staff_rows(db) == [("王主管", "supervisor")]
        from deskapp.config import Settings
        from deskapp.services.desk import Desk
        from deskapp.services.staff import sign_in

        desk = Desk.open(Settings(database_url=f"sqlite:///{db}"))
        try:
            assert sign_in(desk, name="王主管", pin="1234").role == "supervisor"
        finally:
            desk.engine.dispose()

    def test_bad_pin_is_refused(self, runner, db):
        result = add_first(runner, db, pin="12")
        assert result.exit_code == 2
        assert "PIN 须为 4 到 8 位数字" in result.output
        assert staff_rows(db) == []

    def test_second_staff_added_by_the_supervisor(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)],
                               input="1234\n5678\n5678\n")
        assert result.exit_code == 0, result.output
        assert "李前台 (前台) #2" in result.stdout
        assert staff_rows(db) == [("王主管", "supervisor"), ("李前台", "receptionist")]

    def test_wrong_supervisor_pin_adds_nobody(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)],
                               input="9999\n5678\n5678\n")
        assert result.exit_code != 0
        assert result.exit_code == 2
        assert "姓名或 PIN 不正确" in result.output
        assert staff_rows(db) == [("王主管", "supervisor")]

    def test_second_staff_needs_by(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--db", str(db)], input="5678\n5678\n")
        assert result.exit_code == 2
        assert "--by" in result.output
        assert staff_rows(db) == [("王主管", "supervisor")]

    def test_receptionist_may_not_add(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)], input="1234\n5678\n5678\n")
        result = runner.invoke(app, ["staff", "add", "小刘", "--by", "李前台", "--db", str(db)],
                               input="5678\n4321\n4321\n")
        assert result.exit_code == 2
        assert "前台无权执行此操作" in result.output
        assert [r[0] for r in staff_rows(db)] == ["王主管", "李前台"]

    def test_english_messages(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "Zhang", "--db", str(db), "--lang", "en"], input="1234\n1234\n")
        assert result.exit_code == 2
        assert "The first staff member must be a supervisor or above" in result.output

    def test_db_option_before_the_subcommand_also_works(self, runner, db):
        result = runner.invoke(app, ["--db", str(db), "staff", "add", "王主管", "--role", "supervisor"],
                               input="1234\n1234\n")
        assert result.exit_code == 0, result.output
        assert staff_rows(db) == [("王主管", "supervisor")]


class TestStaffList:
    def test_lists_names_and_roles(self, runner, db):
        add_first(runner, db)
        runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)], input="1234\n5678\n5678\n")
        result = runner.invoke(app, ["staff", "list", "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == ["李前台\t前台", "王主管\t客服主管"]

    def test_empty_list(self, runner, db):
        result = runner.invoke(app, ["staff", "list", "--db", str(db)])
        assert result.exit_code == 0
        assert result.stdout == ""
        assert db.is_file()


@pytest.fixture
def site_data(tmp_path, monkeypatch) -> Path:
    """The shipped site data, with the working-day calendar declared complete for years to come.

    `deskapp doctor` rightly fails when the calendar runs out within 30 days of
    today; that check reads the wall clock, so this test gives it a calendar
    that cannot run out during the test's lifetime.
    """
    data = tmp_path / "site-data"
    shutil.copytree(site_data_dir(), data)
    years = ", ".join(str(y) for y in range(2027, 2200))
    (data / "calendar.toml").write_text(f"complete_years = [{years}]\n", encoding="utf-8")
    monkeypatch.setenv("DESKAPP_DATA_DIR", str(data))
    return data


class TestDoctor:
    def test_reports_schema_and_integrity(self, runner, db, site_data):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["doctor", "--db", str(db)])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert f"✓ 结构版本 schema: {HEAD_REVISION} (程序 program {HEAD_REVISION})" in out
        assert "✓ 完整性 integrity_check: ok" in out
        assert "✓ 日志模式 journal_mode: wal" in out
        assert "✓ 员工 staff: 1" in out
        assert str(db) in out  # which database was examined
        assert "✗" not in out

    def test_creates_and_migrates_a_new_file_where_told(self, runner, db, site_data):
        result = runner.invoke(app, ["doctor", "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert db.is_file()
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD_REVISION,)

    def test_foreign_database_is_refused_plainly(self, runner, tmp_path):
        other = tmp_path / "other.sqlite"
        with closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        result = runner.invoke(app, ["doctor", "--db", str(other)])
        assert result.exit_code == 2
        assert "不是 deskapp 的数据库" in result.output
        assert "Traceback" not in result.output


def test_help_lists_the_command_groups(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("staff", "doctor", "demo"):
        assert command in result.stdout
