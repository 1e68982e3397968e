"""`deskapp backup`, `deskapp restore`, the [backup] config and doctor's backup line, on real SQLite files."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.config import Settings, SettingsRefused, load_settings
from deskapp.storage.migrate import HEAD_REVISION


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def db(tmp_path, open_desk_copy) -> Path:
    path = tmp_path / "desk.sqlite"
    open_desk_copy(path, "receptionist").engine.dispose()
    return path


def rows(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_then_restore_with_yes(runner, db, tmp_path):
    result = runner.invoke(app, ["backup", "--db", str(db), "--folder", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    (made,) = (tmp_path / "b").glob("desk.sqlite.backup-*.bak")
    assert f"已备份：{made}" in result.output
    with closing(sqlite3.connect(db)) as conn:  # a change after the backup, which the restore takes back
        conn.execute("UPDATE staff SET name = '改过的名字' WHERE id = 2")
        conn.commit()
    result = runner.invoke(app, ["restore", str(made), "--db", str(db), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"结构版本 {HEAD_REVISION}" in result.output and "员工：2 / 2" in result.output
    assert rows(db, "SELECT name FROM staff ORDER BY id") == [("王主管",), ("李前台",)]
    (aside,) = tmp_path.glob("desk.sqlite.before-restore-*.bak")
    assert f"原来的数据库保存在：{aside}" in result.output
    assert rows(aside, "SELECT name FROM staff WHERE id = 2") == [("改过的名字",)]


def test_restore_asks_first_and_no_changes_nothing(runner, db, tmp_path):
    runner.invoke(app, ["backup", "--db", str(db)])
    (made,) = tmp_path.glob("desk.sqlite.backup-*.bak")
    before = digest(db)
    result = runner.invoke(app, ["restore", str(made), "--db", str(db)], input="n\n")
    assert result.exit_code == 1
    assert "没有恢复；未作任何改动" in result.output
    assert digest(db) == before and not list(tmp_path.glob("*before-restore*"))


@pytest.mark.parametrize("content, message", [
    (b"name,phone\n", "不是 SQLite 数据库文件"),
    (b"", "不是 SQLite 数据库文件"),
])
def test_restore_refuses_a_file_that_is_not_a_backup(runner, db, tmp_path, content, message):
    bad = tmp_path / "calls.csv"
    bad.write_bytes(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["restore", str(bad), "--db", str(db), "--yes"])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_restore_refuses_a_newer_schema_in_english(runner, db, tmp_path):
    runner.invoke(app, ["backup", "--db", str(db)])
    (made,) = tmp_path.glob("desk.sqlite.backup-*.bak")
    with closing(sqlite3.connect(made)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    before = digest(db)
    result = runner.invoke(app, ["restore", str(made), "--db", str(db), "--yes", "--lang", "en"])
    assert result.exit_code == 2
    assert "from a newer deskapp (schema 9999" in result.output and "Upgrade deskapp first" in result.output
    assert digest(db) == before


def test_keep_must_be_at_least_one(runner, db, tmp_path):
    result = runner.invoke(app, ["backup", "--db", str(db), "--keep", "0"])
    assert result.exit_code == 2 and "--keep" in result.output
    assert not list(tmp_path.glob("*.bak"))


def test_doctor_says_when_the_newest_backup_was_made(runner, db, tmp_path):
    from deskapp.services.doctor import examine

    runner.invoke(app, ["backup", "--db", str(db)])
    (made,) = tmp_path.glob("desk.sqlite.backup-*.bak")
    made_at = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
    os.utime(made, (made_at.timestamp(),) * 2)
    report = examine(Settings(database_url=f"sqlite:///{db}"), now=datetime(2026, 11, 24, 4, 45, tzinfo=timezone.utc))
    (line,) = [f for f in report.findings if f.label == "最新备份"]
    assert line.value == f"2026-11-24 09:30（3 小时前）：{made}"


def test_doctor_finds_backups_in_the_configured_folder(db, tmp_path):
    from deskapp.services.backups import make_backup
    from deskapp.services.doctor import examine

    settings = Settings(database_url=f"sqlite:///{db}", backup_folder=tmp_path / "elsewhere")
    made = make_backup(settings)
    (line,) = [f for f in examine(settings).findings if f.label == "最新备份"]
    assert str(made.path) in line.value


class TestConfig:
    def write(self, tmp_path, monkeypatch, text: str):
        config = tmp_path / "config.toml"
        config.write_text(text, encoding="utf-8")
        monkeypatch.setenv("DESKAPP_CONFIG", str(config))
        return config

    def test_the_backup_table(self, tmp_path, monkeypatch):
        self.write(tmp_path, monkeypatch, '[backup]\nfolder = "/mnt/usb/desk"\nkeep = 30\nat_shift_change = true\n')
        settings = load_settings()
        assert (settings.backup_folder, settings.backup_keep, settings.backup_at_shift_change) == (
            Path("/mnt/usb/desk"), 30, True)

    def test_defaults(self):
        settings = load_settings()
        assert (settings.backup_folder, settings.backup_keep, settings.backup_at_shift_change) == (None, 14, False)

    @pytest.mark.parametrize("text, key", [
        ("[backup]\nkeep = 0\n", "backup.keep"), ('[backup]\nkeep = "ten"\n', "backup.keep"),
        ('[backup]\nat_shift_change = "yes"\n', "backup.at_shift_change"), ("[backup]\nfolder = 3\n", "backup.folder"),
        ('backup = "daily"\n', "backup"),
    ])
    def test_a_value_of_the_wrong_kind_is_refused_naming_it(self, tmp_path, monkeypatch, text, key):
        config = self.write(tmp_path, monkeypatch, text)
        with pytest.raises(SettingsRefused, match=f"{config}: {key}"):
            load_settings()
