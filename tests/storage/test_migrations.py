"""Migrations: from nothing to HEAD, schema == models, FTS triggers, refusals, backup, down and up."""

from __future__ import annotations

import ast
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from deskapp.services.call_queries import CallFilter, count_calls
from deskapp.services.calls import CallDraft, log_call
from deskapp.storage.engine import get_engine, write_session
from deskapp.storage.migrate import (
    HEAD_REVISION,
    MIGRATIONS_DIR,
    SchemaError,
    backup_sqlite,
    current_revision,
    ensure_schema,
    upgrade,
)
from tests.storage.searchstate import index_matches_table

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
SEARCH_TRIGGERS = {"call_search_ai", "call_search_ad", "call_search_au"}  # 0004
AUDIT_TRIGGERS = {"audit_event_no_update", "audit_event_no_delete"}  # append-only (0002)
CORRECTION_TRIGGERS = {"call_correction_no_update", "call_correction_no_delete"}
STEP_TRIGGERS = {"complaint_step_no_update", "complaint_step_no_delete"}  # 0005
HANDOVER_TRIGGERS = {f"{table}_no_{what}" for table in ("handover", "handover_item", "handover_entry",
                                                        "duty_log_entry") for what in ("update", "delete")}  # 0007
SLIP_TRIGGERS = {"dispatch_slip_signed_frozen", "dispatch_slip_no_delete", "slip_step_no_update",
                 "slip_step_no_delete"}  # 0008
TRIGGERS = SEARCH_TRIGGERS | AUDIT_TRIGGERS | CORRECTION_TRIGGERS | STEP_TRIGGERS | HANDOVER_TRIGGERS | SLIP_TRIGGERS


@pytest.fixture
def engine(tmp_path):
    eng = get_engine(f"sqlite:///{tmp_path / 'm.sqlite'}")
    yield eng
    eng.dispose()


def raw(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        rows = [tuple(r) for r in conn.execute(sql, params).fetchall()]
        conn.commit()
        return rows


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bak"))


def env_include_name():
    """The include_name filter exactly as written in migrations/env.py (env.py itself runs Alembic on import)."""
    source = (MIGRATIONS_DIR / "env.py").read_text(encoding="utf-8")
    (node,) = [n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "include_name"]
    namespace: dict = {}
    exec(compile(ast.Module(body=[node], type_ignores=[]), "env.py", "exec"), namespace)
    return namespace["include_name"]


def alembic_config(conn):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


class TestFromEmpty:
    def test_empty_file_is_upgraded_to_head(self, engine, tmp_path):
        assert current_revision(engine) is None
        check = ensure_schema(engine)
        assert (check.before, check.after, check.backup) == (None, HEAD_REVISION, None)
        assert current_revision(engine) == HEAD_REVISION
        tables = set(inspect(engine).get_table_names())
        assert {"call", "staff", "complaint", "dispatch_slip", "audit_event", "number_sequence", "call_words",
                "call_digits"} <= tables
        assert "call_fts" not in tables  # replaced in 0004
        triggers = {r[0] for r in raw(tmp_path / "m.sqlite", "SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert triggers == TRIGGERS
        assert backups(tmp_path) == []

    def test_schema_matches_the_models(self, engine):
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from deskapp.storage.models import metadata

        ensure_schema(engine)
        include_name = env_include_name()
        assert include_name("call_fts", "table", {}) is False
        assert include_name("call_fts_data", "table", {}) is False
        assert include_name("call_words_data", "table", {}) is False
        assert include_name("call_digits", "table", {}) is False
        assert include_name("call", "table", {}) is True
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_name": include_name, "compare_type": True,
                                                         "target_metadata": metadata})
            diff = compare_metadata(ctx, metadata)
        assert diff == []

    def test_migrated_file_passes_sqlite_checks(self, engine, tmp_path):
        ensure_schema(engine)
        path = tmp_path / "m.sqlite"
        assert raw(path, "PRAGMA integrity_check") == [("ok",)]
        assert raw(path, "PRAGMA foreign_key_check") == []
        assert raw(path, "PRAGMA journal_mode") == [("wal",)]

    def test_second_ensure_schema_is_a_no_op(self, engine, tmp_path):
        ensure_schema(engine)
        schema_before = raw(tmp_path / "m.sqlite", "SELECT type, name, sql FROM sqlite_master ORDER BY name")
        check = ensure_schema(engine)
        assert (check.before, check.after, check.backup) == (HEAD_REVISION, HEAD_REVISION, None)
        assert raw(tmp_path / "m.sqlite", "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema_before
        assert backups(tmp_path) == []

    def test_head_revision_is_the_last_migration(self):
        from alembic.script import ScriptDirectory

        scripts = ScriptDirectory(str(MIGRATIONS_DIR))
        assert scripts.get_heads() == [HEAD_REVISION]
        revisions = [s.revision for s in scripts.walk_revisions()]
        assert sorted(revisions) == [f"{i:04d}" for i in range(1, len(revisions) + 1)]  # one line, no gaps

    def test_desk_open_on_a_migrated_file_reports_no_upgrade(self, desk):
        assert desk.schema.before == HEAD_REVISION and desk.schema.backup is None


class TestFtsTriggers:
    def test_insert_update_delete_keep_search_in_sync(self, desk, receptionist, db_path):
        logged = log_call(desk, receptionist, CallDraft(content="地下车库漏水严重", caller_name="周先生"), now=NOW)
        assert count_calls(desk, CallFilter(search="车库漏水")) == 1

        with write_session(desk.engine) as session:
            session.execute(text("UPDATE call SET content = '电梯按钮失灵', caller_name = '吴女士' WHERE id = :i"),
                            {"i": logged.id})
        assert count_calls(desk, CallFilter(search="车库漏水")) == 0
        assert count_calls(desk, CallFilter(search="按钮失灵")) == 1
        assert count_calls(desk, CallFilter(search="吴女士")) == 1
        assert count_calls(desk, CallFilter(search="周先生")) == 0
        assert raw(db_path, "SELECT rowid FROM call_words WHERE call_words MATCH '\"按 钮 失 灵\"'") == [(logged.id,)]

        with write_session(desk.engine) as session:
            session.execute(text("UPDATE call SET status = 'done' WHERE id = :i"), {"i": logged.id})
        assert count_calls(desk, CallFilter(search="按钮失灵")) == 1  # other columns do not disturb the index

        with write_session(desk.engine) as session:
            session.execute(text("DELETE FROM call WHERE id = :i"), {"i": logged.id})
        assert count_calls(desk, CallFilter(search="按钮失灵")) == 0
        assert raw(db_path, "SELECT count(*) FROM call_words WHERE call_words MATCH '\"按 钮 失 灵\"'") == [(0,)]
        # The indexes hold exactly what the table's rows give (test_revision_0004 reads them back).
        assert index_matches_table(db_path)

    def test_index_stays_consistent_after_many_changes(self, desk, receptionist, db_path):
        made = [log_call(desk, receptionist, CallDraft(content=f"第{i}号楼供暖不热", reply=f"答复{i}"), now=NOW).id
                for i in range(6)]
        with write_session(desk.engine) as session:
            session.execute(text("UPDATE call SET reply = '已上门处理完毕' WHERE id IN (:a, :b)"),
                            {"a": made[0], "b": made[1]})
            session.execute(text("DELETE FROM call WHERE id = :c"), {"c": made[2]})
        assert index_matches_table(db_path)
        assert count_calls(desk, CallFilter(search="供暖不热")) == 5
        assert count_calls(desk, CallFilter(search="上门处理")) == 2


class TestRefusals:
    def test_foreign_database_is_refused_and_left_alone(self, engine, tmp_path):
        path = tmp_path / "m.sqlite"
        raw(path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        raw(path, "INSERT INTO invoices (amount) VALUES (9.5)")
        with pytest.raises(SchemaError, match="不是 deskapp 的数据库"):
            ensure_schema(engine)
        names = {r[0] for r in raw(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert names == {"invoices"}
        assert raw(path, "SELECT amount FROM invoices") == [(9.5,)]
        assert backups(tmp_path) == []

    def test_newer_schema_is_refused(self, engine, tmp_path):
        ensure_schema(engine)
        path = tmp_path / "m.sqlite"
        raw(path, "UPDATE alembic_version SET version_num = '0099'")
        with pytest.raises(SchemaError, match="0099") as exc:
            ensure_schema(engine)
        assert "比本程序新" in str(exc.value)
        assert raw(path, "SELECT version_num FROM alembic_version") == [("0099",)]
        assert backups(tmp_path) == []

    def test_desk_open_refuses_a_foreign_file(self, tmp_path):
        from deskapp.config import Settings
        from deskapp.services.desk import Desk

        path = tmp_path / "other.sqlite"
        raw(path, "CREATE TABLE notes (x)")
        with pytest.raises(SchemaError):
            Desk.open(Settings(database_url=f"sqlite:///{path}"))
        get_engine(f"sqlite:///{path}").dispose()

    def test_database_downgraded_to_base_can_be_opened_again(self, engine, tmp_path):
        from alembic import command

        ensure_schema(engine)
        with engine.connect() as conn:
            with conn.begin():
                command.downgrade(alembic_config(conn), "base")
        check = ensure_schema(engine)
        assert check.after == HEAD_REVISION


class TestBackup:
    def test_backup_is_a_readable_copy_with_the_same_rows(self, desk, receptionist, db_path):
        for i in range(3):
            log_call(desk, receptionist, CallDraft(content=f"备份测试{i}"), now=NOW)
        # The rows live in the WAL so far; the backup must include them anyway.
        assert (db_path.parent / (db_path.name + "-wal")).exists()
        dest = backup_sqlite(desk.engine, "test")
        assert dest.parent == db_path.parent
        assert dest.name.startswith("desk.sqlite.test-") and dest.name.endswith(".bak")
        assert raw(dest, "PRAGMA integrity_check") == [("ok",)]
        assert raw(dest, "SELECT number, content FROM call ORDER BY id") == \
            raw(db_path, "SELECT number, content FROM call ORDER BY id")
        assert len(raw(dest, "SELECT * FROM call")) == 3
        assert raw(dest, "SELECT count(*) FROM staff") == [(2,)]
        assert raw(dest, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        # The copy is usable by deskapp itself.
        copy_engine = get_engine(f"sqlite:///{dest}")
        try:
            assert current_revision(copy_engine) == HEAD_REVISION
        finally:
            copy_engine.dispose()

    def test_upgrading_a_file_with_data_backs_it_up_beside_it_first(self, engine, tmp_path):
        path = tmp_path / "m.sqlite"
        upgrade(engine, "0001")
        raw(path, "INSERT INTO staff (name, role, pin_hash, pin_salt, active, created_at) "
                  "VALUES ('王主管', 'supervisor', 'aa', 'bb', 1, '2026-11-24 01:30:00.000000')")
        raw(path, "INSERT INTO call (number, at, channel, category, caller_name, phone, unit_code, content, reply, "
                  "owner_id, status, flagged_phrases) VALUES ('来电-2026-000001', '2026-11-24 02:00:00.000000', "
                  "'phone', 'enquiry', '', '', '', '升级前的来电', '', 1, 'done', '')")

        check = ensure_schema(engine)

        assert (check.before, check.after) == ("0001", HEAD_REVISION)
        assert backups(tmp_path) == [check.backup]
        assert check.backup.name.startswith(f"m.sqlite.before-{HEAD_REVISION}-")
        # The copy was taken before the upgrade: the old revision, with the rows.
        assert raw(check.backup, "SELECT version_num FROM alembic_version") == [("0001",)]
        assert raw(check.backup, "SELECT content FROM call") == [("升级前的来电",)]
        assert raw(check.backup, "PRAGMA integrity_check") == [("ok",)]
        assert raw(path, "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]
        assert raw(path, "SELECT content FROM call") == [("升级前的来电",)]

    def test_backup_does_not_disturb_the_live_database(self, desk, receptionist, db_path):
        backup_sqlite(desk.engine, "test")
        logged = log_call(desk, receptionist, CallDraft(content="备份之后"), now=NOW)
        assert logged.number == "来电-2026-000001"


class TestDowngradeUpgrade:
    def test_down_to_base_and_up_again(self, engine, tmp_path):
        from alembic import command

        path = tmp_path / "m.sqlite"
        ensure_schema(engine)
        with engine.connect() as conn:
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():
                command.downgrade(alembic_config(conn), "base")
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
        left = {r[0] for r in raw(path, "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")}
        assert left == {"alembic_version"}
        assert current_revision(engine) is None

        upgrade(engine)  # as migrate.upgrade runs it: one connection, one transaction
        assert current_revision(engine) == HEAD_REVISION
        triggers = {r[0] for r in raw(path, "SELECT name FROM sqlite_master WHERE type='trigger'")}
        assert triggers == TRIGGERS

        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from deskapp.storage.models import metadata

        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"include_name": env_include_name(), "compare_type": True})
            assert compare_metadata(ctx, metadata) == []

    def test_upgraded_again_works_for_the_desk(self, tmp_path):
        from alembic import command

        from deskapp.config import Settings
        from deskapp.services.desk import Desk
        from deskapp.services.staff import add_staff

        url = f"sqlite:///{tmp_path / 'd.sqlite'}"
        desk = Desk.open(Settings(database_url=url))
        try:
            with desk.engine.connect() as conn:
                with conn.begin():
                    command.downgrade(alembic_config(conn), "base")
            upgrade(desk.engine)
            boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=NOW)
            log_call(desk, boss, CallDraft(content="重新建库后的第一通电话"), now=NOW)
            assert count_calls(desk, CallFilter(search="第一通电话")) == 1
            assert count_calls(desk, CallFilter(search="库")) == 1
        finally:
            desk.engine.dispose()
