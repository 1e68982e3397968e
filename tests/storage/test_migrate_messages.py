"""What the schema check says when it refuses: the right words, the file named, and nothing changed."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError

from deskapp.i18n import set_lang
from deskapp.services.faults import describe_fault
from deskapp.storage import migrate
from deskapp.storage.engine import get_engine
from deskapp.storage.migrate import HEAD_REVISION, SchemaError, ensure_schema


@pytest.fixture
def engine(tmp_path):
    eng = get_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    yield eng
    eng.dispose()


def set_revision(path: Path, revision: str) -> None:
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        conn.commit()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_newer_revision_is_called_newer(engine, tmp_path):
    ensure_schema(engine)
    set_revision(tmp_path / "m.sqlite", "0099")
    with pytest.raises(SchemaError) as refused:
        ensure_schema(engine)
    assert str(refused.value) == (f"数据库结构版本 0099 比本程序新（本程序为 {HEAD_REVISION}），是较新的 deskapp 写的："
                                  f"{tmp_path / 'm.sqlite'}。请先升级 deskapp；未作任何改动。")


@pytest.mark.parametrize("revision", ["0000", "000a", "base"])
def test_an_older_or_unknown_revision_is_not_called_newer(engine, tmp_path, revision):
    ensure_schema(engine)
    set_revision(tmp_path / "m.sqlite", revision)
    with pytest.raises(SchemaError) as refused:
        ensure_schema(engine)
    message = str(refused.value)
    assert "新" not in message.split("：")[0]
    assert f"数据库结构版本 {revision} 是本程序（{HEAD_REVISION}）不认识的旧版本或未知版本，无法升级" in message
    assert str(tmp_path / "m.sqlite") in message
    set_lang("en")
    assert "older or unknown" in str(refused.value) and "newer" not in str(refused.value)


def test_a_foreign_file_is_named(engine, tmp_path):
    with closing(sqlite3.connect(tmp_path / "m.sqlite")) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    with pytest.raises(SchemaError, match="不是 deskapp 的数据库") as refused:
        ensure_schema(engine)
    assert str(tmp_path / "m.sqlite") in str(refused.value)


def test_a_backup_that_cannot_be_written_says_so_and_where(engine, tmp_path, monkeypatch):
    """The backup's own path is taken (here by a folder): the upgrade stops before it starts."""
    db = tmp_path / "m.sqlite"
    ensure_schema(engine)
    set_revision(db, "0001")  # a known older revision: an upgrade, after a backup, is due
    engine.dispose()

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)

    monkeypatch.setattr(migrate, "datetime", Frozen)
    blocked = tmp_path / f"m.sqlite.before-{HEAD_REVISION}-20261124T060000Z.bak"
    blocked.mkdir()
    before = digest(db)
    with pytest.raises(SchemaError) as refused:
        ensure_schema(engine)
    message = str(refused.value)
    assert message.startswith(f"升级前无法写入备份 {blocked}（SQLITE_CANTOPEN）")
    assert f"因此没有升级：{db}" in message and f"请检查文件夹 {tmp_path} 的写权限和磁盘空间" in message
    assert "unable to open database file" not in message
    assert digest(db) == before
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert blocked.is_dir() and list(blocked.iterdir()) == []  # what was there is left alone


def test_a_backup_of_a_file_that_has_gone_creates_nothing(engine, tmp_path, monkeypatch):
    ensure_schema(engine)
    engine.dispose()
    before = sorted(tmp_path.iterdir())
    # The file was moved away between the check and the copy: the copy must not make an empty one there.
    monkeypatch.setattr(migrate, "_sqlite_path", lambda eng: tmp_path / "gone.sqlite")
    with pytest.raises(SchemaError, match="升级前无法写入备份"):
        migrate.backup_sqlite(engine, "before-x")
    assert sorted(tmp_path.iterdir()) == before


def test_an_empty_file_is_not_taken_for_a_new_database(tmp_path):
    db = tmp_path / "empty.sqlite"
    db.touch()
    engine = get_engine(f"sqlite:///{db}")
    try:
        with pytest.raises(SchemaError, match="0 字节"):
            ensure_schema(engine)
    finally:
        engine.dispose()
    assert db.stat().st_size == 0


def test_a_damaged_file_is_not_taken_for_a_new_database(tmp_path):
    db = tmp_path / "damaged.sqlite"
    db.write_bytes(b"not a database " * 300)
    before = digest(db)
    engine = get_engine(f"sqlite:///{db}")
    try:
        with pytest.raises(DatabaseError) as fault:
            ensure_schema(engine)
    finally:
        engine.dispose()
    assert describe_fault(fault.value, str(db)).startswith(f"数据库文件已损坏或不是数据库：{db}")
    assert digest(db) == before


def test_the_engine_makes_no_folder(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'not' / 'here.sqlite'}")
    try:
        with pytest.raises(DatabaseError):
            with engine.connect():
                pass
    finally:
        engine.dispose()
    assert not (tmp_path / "not").exists()
