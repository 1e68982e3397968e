"""Backups and restores on real SQLite files, one of them while another process keeps writing."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import traceback
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from deskapp.config import Settings
from deskapp.services import invariants
from deskapp.services.backups import (
    BackupFailed,
    BackupRefused,
    backup_for_shift,
    backups,
    check_backup,
    last_backup,
    make_backup,
    restore_backup,
)
from deskapp.services.calls import CallDraft, log_call
from deskapp.storage.migrate import HEAD_REVISION
from tests.services.dbstate import scalar

# `deskapp backup` copies SQLite files (the online backup API); a server database is refused
# with a message pointing to pg_dump (tests/test_cli_backup.py), so these run on SQLite only.
pytestmark = pytest.mark.sqlite_only

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def raw(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return [tuple(r) for r in conn.execute(sql)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def settings_of(desk, **changes) -> Settings:
    return replace(Settings(database_url=str(desk.engine.url)), **changes)


def _keep_logging(url: str, actor: tuple, started, stop, results) -> None:
    """A spawned desk logging calls one by one until told to stop; reports how many it logged."""
    try:
        from deskapp.services.desk import Desk
        from deskapp.services.roles import Actor

        desk = Desk.open(Settings(database_url=url))
        who = Actor(*actor)
        logged = 0
        while not stop.is_set():
            log_call(desk, who, CallDraft(category="repair" if logged % 3 == 0 else "enquiry",
                                          phone=f"139{logged:08d}", content=f"写入中第{logged}通"), now=NOW)
            logged += 1
            if logged == 20:
                started.set()
        desk.engine.dispose()
        results.put(("ok", logged))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def test_backups_of_a_database_another_process_writes_to_are_consistent_and_restore(desk, receptionist, tmp_path):
    settings = settings_of(desk, backup_folder=tmp_path / "backups", backup_keep=50)
    ctx = multiprocessing.get_context("spawn")
    started, stop, results = ctx.Event(), ctx.Event(), ctx.Queue()
    writer = ctx.Process(target=_keep_logging, args=(str(desk.engine.url), (receptionist.id, receptionist.name,
                                                                           receptionist.role), started, stop, results))
    writer.start()
    made = []
    try:
        assert started.wait(120), "the writer never got going"
        for i in range(5):
            made.append(make_backup(settings, now=NOW + timedelta(seconds=i)))
        stop.set()
        status, logged = results.get(timeout=120)
    finally:
        stop.set()
        writer.join(timeout=60)
        if writer.is_alive():
            writer.kill()
    assert status == "ok", logged
    live_calls = scalar(desk, "SELECT count(*) FROM call")
    assert live_calls == logged

    counts = []
    for backup in made:
        checked = check_backup(settings, backup.path)  # integrity, schema, numbering and audit
        assert checked.revision == HEAD_REVISION and checked.problems == ()
        calls = dict(checked.counts)["call"]
        assert 20 <= calls <= logged
        assert raw(backup.path, "SELECT count(*) FROM audit_event WHERE action = 'call.log'") == [(calls,)]
        assert raw(backup.path, "PRAGMA journal_mode") == [("delete",)]  # one file, no -wal needed
        counts.append(calls)
    assert counts == sorted(counts)  # each a later moment of the same database
    assert not list((tmp_path / "backups").glob("*.partial"))

    # Put the first backup back: the live database holds exactly what it held.
    first = check_backup(settings, made[0].path)
    restored = restore_backup(settings, first, now=NOW + timedelta(minutes=1))
    assert scalar(desk, "SELECT count(*) FROM call") == counts[0]
    assert scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'call'") == counts[0]
    assert invariants.check(desk).ok
    # The database that was in place is kept aside, whole.
    assert restored.aside is not None and restored.aside.parent == tmp_path
    assert raw(restored.aside, "SELECT count(*) FROM call") == [(live_calls,)]
    assert raw(restored.aside, "PRAGMA integrity_check") == [("ok",)]
    # And the desk carries on numbering from the restored counter.
    assert log_call(desk, receptionist, CallDraft(content="恢复后第一通"), now=NOW).number == \
        f"来电-2026-{counts[0] + 1:06d}"


class TestMakingBackups:
    def test_the_newest_are_kept_and_other_backups_left_alone(self, desk, supervisor, tmp_path):
        settings = settings_of(desk, backup_keep=2)
        upgrade = tmp_path / "desk.sqlite.before-0003-20260101T000000Z.bak"
        upgrade.write_bytes(b"kept")
        made = [make_backup(settings, now=NOW + timedelta(hours=i)) for i in range(3)]
        assert made[2].removed == (made[0].path,) and not made[0].path.exists()
        later = make_backup(settings, now=NOW + timedelta(hours=5))
        assert later.removed == (made[1].path,)
        assert backups(settings) == [later.path, made[2].path, upgrade]
        assert later.path.name == "desk.sqlite.backup-20261124T110000Z.bak"

    def test_two_in_the_same_second_both_kept(self, desk, supervisor):
        settings = settings_of(desk)
        a, b = make_backup(settings, now=NOW), make_backup(settings, now=NOW)
        assert a.path != b.path and a.path.is_file() and b.path.is_file()

    def test_a_missing_database_is_refused_and_nothing_made(self, tmp_path):
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'none.sqlite'}")
        with pytest.raises(BackupRefused, match="没有可备份的数据库文件"):
            make_backup(settings, now=NOW)
        assert list(tmp_path.iterdir()) == []

    def test_a_folder_that_cannot_be_made_says_so(self, desk, supervisor, tmp_path):
        blocker = tmp_path / "file"
        blocker.write_text("x")
        with pytest.raises(BackupFailed, match="无法建立备份文件夹"):
            make_backup(settings_of(desk, backup_folder=blocker / "sub"), now=NOW)

    def test_a_damaged_database_gives_no_backup(self, tmp_path):
        db = tmp_path / "desk.sqlite"
        db.write_bytes(b"\x00garbage" * 512)
        with pytest.raises(BackupFailed, match="数据库已损坏"):
            make_backup(Settings(database_url=f"sqlite:///{db}"), now=NOW)
        assert list(tmp_path.iterdir()) == [db]

    def test_a_server_is_refused_naming_it(self):
        with pytest.raises(BackupRefused, match="pg_dump"):
            make_backup(Settings(database_url="postgresql+psycopg://desk:secret@db.example/desk"), now=NOW)


class TestShiftBackups:
    def test_one_backup_per_shift_whoever_signs_in(self, desk, supervisor):
        settings = settings_of(desk)
        plan = desk.policy.shift  # day 08:00, night 20:00

        def at(when):
            return backup_for_shift(settings, shift_start=plan.slot_at(when, SHANGHAI).start, now=when)

        first = at(NOW)  # 14:00 local: the day shift
        assert first is not None and first.path.name == "desk.sqlite.shift-20261124T000000Z.bak"
        assert at(NOW + timedelta(hours=5)) is None  # 19:00, the same shift: made already
        night = at(NOW + timedelta(hours=6))  # 20:00
        assert night is not None and night.path.name == "desk.sqlite.shift-20261124T120000Z.bak"
        assert at(NOW + timedelta(hours=13)) is None  # 03:00 local the next day: still that night shift
        assert last_backup(settings)[0] in (first.path, night.path)


class TestRestoreRefusals:
    """A file that is not a backup, a damaged one, one from a newer deskapp: refused, nothing changed."""

    @pytest.fixture
    def live(self, desk, receptionist):
        log_call(desk, receptionist, CallDraft(content="现在的来电"), now=NOW)
        desk.engine.dispose()
        return Path(desk.engine.url.database)

    def refused(self, desk, live, path, match):
        before = {p.name: digest(p) for p in live.parent.iterdir() if p.is_file()}
        with pytest.raises(BackupRefused, match=match):
            check_backup(settings_of(desk), path)
        assert {p.name: digest(p) for p in live.parent.iterdir() if p.is_file()} == before

    def test_a_text_file(self, desk, live, tmp_path):
        text = tmp_path / "notes.txt"
        text.write_text("这不是备份\n")
        self.refused(desk, live, text, "不是 SQLite 数据库文件")

    def test_an_empty_file_and_a_missing_one(self, desk, live, tmp_path):
        (tmp_path / "empty.bak").touch()
        self.refused(desk, live, tmp_path / "empty.bak", "不是 SQLite 数据库文件")
        self.refused(desk, live, tmp_path / "gone.bak", "找不到备份文件")

    def test_another_programs_database(self, desk, live, tmp_path):
        other = tmp_path / "other.db"
        with closing(sqlite3.connect(other)) as conn:
            conn.execute("CREATE TABLE t (x)")
            conn.commit()
        self.refused(desk, live, other, "不是 deskapp 的备份")

    def test_a_backup_from_a_newer_deskapp(self, desk, live, tmp_path):
        newer = make_backup(settings_of(desk), now=NOW).path
        with closing(sqlite3.connect(newer)) as conn:
            conn.execute("UPDATE alembic_version SET version_num = '0099'")
            conn.commit()
        self.refused(desk, live, newer, "来自更新版本的 deskapp（结构版本 0099，本程序只到 " + HEAD_REVISION)

    def test_a_damaged_backup(self, desk, live, tmp_path):
        damaged = make_backup(settings_of(desk), now=NOW).path
        data = bytearray(damaged.read_bytes())
        for offset in range(4096 * 2, len(data) - 4096, 4096):  # every page but the first and last: garbage
            data[offset + 100:offset + 900] = os.urandom(800)
        damaged.write_bytes(bytes(data))
        self.refused(desk, live, damaged, "备份已损坏")

    def test_in_english_too(self, desk, live, tmp_path):
        from deskapp.i18n import set_lang

        set_lang("en")
        text = tmp_path / "notes.txt"
        text.write_text("hello")
        self.refused(desk, live, text, "This is not a deskapp backup")


class TestRestoring:
    def test_over_a_damaged_file_the_file_itself_is_kept_aside(self, desk, receptionist, tmp_path):
        log_call(desk, receptionist, CallDraft(content="备份里的来电"), now=NOW)
        settings = settings_of(desk, backup_folder=tmp_path / "b")
        good = make_backup(settings, now=NOW).path
        desk.engine.dispose()
        live = Path(desk.engine.url.database)
        for companion in ("-wal", "-shm"):
            live.with_name(live.name + companion).unlink(missing_ok=True)
        live.write_bytes(b"\x00garbage" * 512)
        restored = restore_backup(settings, check_backup(settings, good), now=NOW)
        assert restored.aside.read_bytes() == b"\x00garbage" * 512
        assert raw(live, "SELECT content FROM call") == [("备份里的来电",)]

    def test_where_no_database_is_left_the_backup_becomes_it(self, desk, receptionist, tmp_path):
        settings = settings_of(desk, backup_folder=tmp_path / "b")
        good = make_backup(settings, now=NOW).path
        desk.engine.dispose()
        live = Path(desk.engine.url.database)
        for p in tmp_path.glob("desk.sqlite*"):
            p.unlink()
        restored = restore_backup(settings, check_backup(settings, good), now=NOW)
        assert restored.aside is None
        assert raw(live, "SELECT name FROM staff ORDER BY id") == [("王主管",), ("李前台",)]

    def test_an_older_backup_is_upgraded_after_it_is_put_in_place(self, desk, receptionist, tmp_path):
        settings = settings_of(desk, backup_folder=tmp_path / "b")
        old = tmp_path / "old.bak"
        _migrated_to(old, "0001")
        checked = check_backup(settings, old)
        assert checked.revision == "0001"
        restored = restore_backup(settings, checked, now=NOW)
        assert restored.upgraded_to == HEAD_REVISION
        assert raw(Path(desk.engine.url.database), "SELECT version_num FROM alembic_version") == [(HEAD_REVISION,)]


def _migrated_to(path: Path, revision: str) -> None:
    from deskapp.storage.engine import get_engine
    from deskapp.storage.migrate import upgrade

    engine = get_engine(f"sqlite:///{path}")
    upgrade(engine, revision)
    engine.dispose()
