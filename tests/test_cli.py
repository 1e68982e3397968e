"""The `deskapp` command line (Typer), run in-process with CliRunner on a real SQLite file.

The faults (locked, read-only, damaged, empty, missing database) are in tests/test_cli_faults.py.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.config import site_data_dir
from deskapp.demo import ACCOUNTS, SUPERVISOR
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


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


class TestStaffAdd:
    def test_first_supervisor_with_pin_asked_twice(self, runner, db):
        result = add_first(runner, db)
        assert result.exit_code == 0, result.output
        assert db.is_file()  # created where --db points
        assert staff_rows(db) == [("王主管", "supervisor")]
        assert "为 王主管 设定 PIN" in result.stdout and "再输入一次 王主管 的 PIN" in result.stdout
        assert "已添加：王主管（客服主管）#1" in result.stdout
        assert "1234" not in result.output  # the PIN is never echoed

    def test_first_staff_must_be_a_supervisor_and_is_told_before_any_pin(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "小张", "--db", str(db)], input="1234\n1234\n")
        assert result.exit_code == 2
        assert "第一位员工必须是客服主管或以上" in result.output
        assert "PIN" not in result.output  # refused before a PIN was asked for
        assert staff_rows(db) == []

    def test_pin_confirmation_must_match_and_is_asked_again_in_our_words(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "王主管", "--role", "supervisor", "--db", str(db)],
                               input="1234\n4321\n1234\n1234\n")
        assert result.exit_code == 0, result.output
        assert "两次输入的 PIN 不一致，请重新输入" in result.output
        assert "Error" not in result.output and "do not match" not in result.output  # not Typer's English
        assert staff_rows(db) == [("王主管", "supervisor")]
        from deskapp.config import Settings
        from deskapp.services.desk import Desk
        from deskapp.services.staff import sign_in

        desk = Desk.open(Settings(database_url=f"sqlite:///{db}"))
        try:
            assert sign_in(desk, name="王主管", pin="1234").role == "supervisor"
        finally:
            desk.engine.dispose()

    def test_pin_mismatch_in_english(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "Wang", "--role", "supervisor", "--db", str(db), "--lang", "en"],
                               input="1234\n4321\n1234\n1234\n")
        assert result.exit_code == 0, result.output
        assert "The two PINs differ; enter them again" in result.output
        assert "Choose a PIN for Wang" in result.output

    def test_three_mismatches_add_nobody(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "王主管", "--role", "supervisor", "--db", str(db)],
                               input="1234\n4321\n" * 3)
        assert result.exit_code == 2
        assert "PIN 三次都不一致，未添加员工" in result.output
        assert staff_rows(db) == []

    def test_input_ending_at_a_prompt_is_a_cancel_not_a_traceback(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "王主管", "--role", "supervisor", "--db", str(db)], input="1234\n")
        assert result.exit_code == 1
        assert "已取消，未作任何改动" in result.output
        assert "Aborted" not in result.output and "Traceback" not in result.output
        assert staff_rows(db) == []

    def test_bad_pin_is_refused(self, runner, db):
        result = add_first(runner, db, pin="12")
        assert result.exit_code == 2
        assert "PIN 须为 4 到 8 位数字" in result.output
        assert staff_rows(db) == []

    def test_unknown_role_is_refused_with_the_roles_before_anything(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "小张", "--role", "boss", "--db", str(db)], input="1234\n1234\n")
        assert result.exit_code == 2
        assert "没有这个角色：boss" in result.output
        for code, label in (("receptionist", "前台"), ("concierge", "管家"), ("supervisor", "客服主管"),
                            ("manager", "管理处经理"), ("gm", "总经理")):
            assert f"{code}（{label}）" in result.output
        assert "PIN" not in result.output  # no PIN was asked for
        assert not db.parent.exists()  # nothing was created

    def test_unknown_role_in_english(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "Z", "--role", "boss", "--db", str(db), "--lang", "en"])
        assert result.exit_code == 2
        assert "No such role: boss. Choose one of: receptionist, concierge, supervisor (CS supervisor)" in result.output

    def test_bad_name_is_refused_before_the_database_is_made(self, runner, db):
        result = runner.invoke(app, ["staff", "add", "坏\x1b[31m名", "--role", "supervisor", "--db", str(db)])
        assert result.exit_code == 2
        assert "控制字符" in result.output
        assert not db.parent.exists()

    def test_second_staff_added_by_the_supervisor(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)],
                               input="1234\n5678\n5678\n")
        assert result.exit_code == 0, result.output
        assert "王主管 的 PIN" in result.stdout
        assert "已添加：李前台（前台）#2" in result.stdout
        assert staff_rows(db) == [("王主管", "supervisor"), ("李前台", "receptionist")]

    def test_wrong_supervisor_pin_adds_nobody(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)],
                               input="9999\n5678\n5678\n")
        assert result.exit_code == 2
        assert "姓名或 PIN 不正确" in result.output
        assert staff_rows(db) == [("王主管", "supervisor")]

    def test_second_staff_needs_by_and_is_told_who_may_add(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--db", str(db)], input="5678\n5678\n")
        assert result.exit_code == 2
        assert "请加上 --by 和主管姓名，如 --by 王主管" in result.output
        assert "第一位员工" not in result.output  # not the first-staff message: there is a supervisor
        assert "PIN" not in result.output
        assert staff_rows(db) == [("王主管", "supervisor")]

    def test_by_naming_nobody_is_refused_before_any_pin(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "add", "李前台", "--by", "王经理", "--db", str(db)], input="1234\n")
        assert result.exit_code == 2
        assert "没有这位员工：王经理" in result.output
        assert "PIN" not in result.output

    def test_receptionist_may_not_add_and_is_told_before_any_pin(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)], input="1234\n5678\n5678\n")
        result = runner.invoke(app, ["staff", "add", "小刘", "--by", "李前台", "--db", str(db)],
                               input="5678\n4321\n4321\n")
        assert result.exit_code == 2
        assert "前台无权执行此操作" in result.output
        assert "PIN" not in result.output
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


class TestLanguage:
    @pytest.mark.parametrize("argv", [
        ["staff", "list", "--lang", "fr"],
        ["--lang", "fr", "staff", "list"],
        ["doctor", "--lang", "fr"],
        ["demo", "--lang", "fr", "--calls", "1"],
        ["staff", "add", "王主管", "--role", "supervisor", "--lang", "fr"],
    ])
    def test_an_unknown_language_is_refused_with_the_languages_listed(self, runner, db, argv):
        result = runner.invoke(app, [*argv, "--db", str(db)], input="1234\n1234\n")
        assert result.exit_code == 2
        assert "不支持的界面语言：fr。可选：zh（中文）、en（English）" in result.output
        assert "PIN" not in result.output
        assert not db.parent.exists()

    def test_the_refusal_speaks_the_language_otherwise_chosen(self, runner, db, monkeypatch):
        monkeypatch.setenv("DESKAPP_LANG", "en")
        result = runner.invoke(app, ["staff", "list", "--lang", "fr", "--db", str(db)])
        assert result.exit_code == 2
        assert "Not a supported interface language: fr. Choose zh (中文) or en (English)" in result.output

    @pytest.mark.parametrize("lang", ["en", "EN", "en-US", "zh_CN", "zh"])
    def test_language_tags_are_understood(self, runner, db, lang):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["staff", "list", "--db", str(db), "--lang", lang])
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == ("王主管\tCS supervisor" if lang.lower().startswith("en") else "王主管\t客服主管")


class TestStaffList:
    def test_lists_names_and_roles(self, runner, db):
        add_first(runner, db)
        runner.invoke(app, ["staff", "add", "李前台", "--by", "王主管", "--db", str(db)], input="1234\n5678\n5678\n")
        result = runner.invoke(app, ["staff", "list", "--db", str(db)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == ["李前台\t前台", "王主管\t客服主管"]

    def test_empty_list(self, runner, db):
        add_first(runner, db)
        with closing(sqlite3.connect(db)) as conn:  # a desk whose only staff member has left
            conn.execute("UPDATE staff SET active = 0")
            conn.commit()
        result = runner.invoke(app, ["staff", "list", "--db", str(db)])
        assert result.exit_code == 0
        assert result.stdout == ""

    def test_a_mistyped_path_is_refused_not_made(self, runner, db):
        result = runner.invoke(app, ["staff", "list", "--db", str(db)])
        assert result.exit_code == 2
        assert f"找不到数据库文件：{db}" in result.output
        assert not db.parent.exists()


class TestDemo:
    @pytest.mark.parametrize("argv, message", [
        (["--calls", "-5"], "--calls 须为不小于 0 的整数：-5"),
        (["--months", "0"], "--months 须为不小于 1 的整数：0"),
    ])
    def test_bad_numbers_are_usage_errors_before_anything_is_made(self, runner, db, argv, message):
        result = runner.invoke(app, ["demo", *argv, "--db", str(db)])
        assert result.exit_code == 2
        assert message in result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert not db.parent.exists()

    def test_prints_a_readable_summary_with_only_the_supervisors_pin(self, runner, db):
        result = runner.invoke(app, ["demo", "--calls", "0", "--db", str(db)])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert f"演示数据已载入：{db}" in out
        assert "员工 8 人" in out
        assert "来电来访 0 条" in out and "其中 0 条待派工或待立投诉" in out
        assert f"请以 {SUPERVISOR.name} 登录，PIN {SUPERVISOR.pin}" in out
        assert "DemoSummary" not in out and "DemoAccount" not in out
        for account in ACCOUNTS[1:]:
            assert account.pin not in out  # only the demo supervisor's PIN, the way in

    def test_summary_in_english(self, runner, db):
        result = runner.invoke(app, ["demo", "--calls", "0", "--db", str(db), "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert f"Sign in as {SUPERVISOR.name} with PIN {SUPERVISOR.pin}" in result.stdout
        assert "8 staff" in result.stdout

    def test_a_database_with_staff_is_refused_and_left_alone(self, runner, db):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["demo", "--calls", "0", "--db", str(db)])
        assert result.exit_code == 2
        assert "数据库里已有员工和记录" in result.output
        assert staff_rows(db) == [("王主管", "supervisor")]


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
    def test_reports_what_it_checked_with_figures(self, runner, db, site_data):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["doctor", "--db", str(db)])
        assert result.exit_code == 0, result.output
        out = result.stdout
        assert f"· 数据库：{db}" in out  # which database was examined
        assert "✓ 读写权限：文件和文件夹都可写" in out
        assert f"✓ 结构版本：{HEAD_REVISION}（本程序 {HEAD_REVISION}）" in out
        assert "✓ 完整性（integrity_check）：ok" in out
        assert "✓ 日志模式（journal_mode）：wal" in out
        assert "· 记录数（员工）：1" in out
        assert "✓ 审计记录：1 条记录都有审计事件" in out
        assert "✓ 外键（foreign_key_check）：没有指向不存在记录的行" in out
        assert "✓ 编号：还没有编号的记录" in out
        assert "· 最新备份：旁边没有 .bak 备份" in out
        assert "✗" not in out
        assert "schema" not in out and "staff" not in out  # one language, not label pairs

    def test_english(self, runner, db, site_data):
        assert add_first(runner, db).exit_code == 0
        result = runner.invoke(app, ["doctor", "--db", str(db), "--lang", "en"])
        assert result.exit_code == 0, result.output
        assert f"✓ Schema revision: {HEAD_REVISION} (this program: {HEAD_REVISION})" in result.stdout
        assert "· Rows (staff): 1" in result.stdout
        assert "结构" not in result.stdout and "员工" not in result.stdout

    def test_a_mistyped_path_is_refused_and_nothing_is_made(self, runner, db, site_data):
        result = runner.invoke(app, ["doctor", "--db", str(db)])
        assert result.exit_code == 2
        assert f"找不到数据库文件：{db}" in result.output
        assert not db.parent.exists()  # no folder, no empty database

    def test_an_older_database_is_examined_not_upgraded(self, runner, db, site_data):
        assert add_first(runner, db).exit_code == 0
        with closing(sqlite3.connect(db)) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0001'")
            conn.commit()
        before = files_under(db.parent)
        result = runner.invoke(app, ["doctor", "--db", str(db)])
        assert "! 结构版本：0001，较旧：前台下次启动时先在旁边备份，再升级到" in result.stdout
        with closing(sqlite3.connect(db)) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert files_under(db.parent) == before  # no backup written, nothing created

    def test_foreign_database_is_reported_plainly(self, runner, tmp_path, site_data):
        other = tmp_path / "other.sqlite"
        with closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        result = runner.invoke(app, ["doctor", "--db", str(other)])
        assert result.exit_code == 1
        assert "✗ 结构版本：数据库里已有别的表，但不是 deskapp 的数据库" in result.output
        assert "Traceback" not in result.output


def test_help_lists_the_command_groups(runner):
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("staff", "doctor", "demo"):
        assert command in result.stdout
