"""The command line on a database that is locked, read-only, damaged, empty or not there.

Each case: one line naming the file and what to do, no traceback, an exit
code (2 refused, 1 a fault), and nothing changed (the database's bytes, and
no new file or folder). Most run in-process with CliRunner; `main()` (the
console entry point) runs in a subprocess, as a person would meet it.

Read-only is real, not simulated: tests run as root, whom file permissions
do not stop, so the read-only cases run the CLI as the unprivileged user
`nobody` (setpriv) on a copy of the database in a folder that user can read.
Where that cannot be arranged they are skipped; SQLite's own read-only open
(a `mode=ro` URI) is exercised as root either way.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deskapp.cli import app
from deskapp.config import site_data_dir

ROOT = Path(__file__).resolve().parents[1]
ADD = (["staff", "add", "李前台", "--by", "王主管"], "1234\n5678\n5678\n")
COMMANDS = {
    "staff add": ADD,
    "staff list": (["staff", "list"], ""),
    "demo": (["demo", "--calls", "1"], ""),
    "doctor": (["doctor"], ""),
}
# A run of hex as long as a PIN's salt (32) or hash (64): never in any output.
HEX_SECRET = re.compile(r"[0-9a-f]{32,}")


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture(autouse=True)
def site_data(tmp_path, monkeypatch) -> Path:
    """Site data whose calendar cannot run out while the tests run (doctor checks it against today)."""
    data = tmp_path / "site-data"
    shutil.copytree(site_data_dir(), data)
    years = ", ".join(str(y) for y in range(2027, 2200))
    (data / "calendar.toml").write_text(f"complete_years = [{years}]\n", encoding="utf-8")
    monkeypatch.setenv("DESKAPP_DATA_DIR", str(data))
    monkeypatch.setenv("DESKAPP_BUSY_TIMEOUT_MS", "200")  # a locked database is given up on at once
    return data


def state(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its content's hash (SQLite's -shm index aside: readers mark it)."""
    return {str(p.relative_to(folder)): ("" if p.name.endswith("-shm") else hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def wal_copy(src: Path, dest: Path) -> Path:
    """A copy of a template database in WAL mode, as the desk leaves it, with no companions beside it."""
    shutil.copyfile(src, dest)
    with closing(sqlite3.connect(dest)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
    return dest


def no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert "sqlalchemy" not in output and "sqlite3." not in output  # no driver text either
    assert not HEX_SECRET.search(output)


def run(runner, argv, db: Path, stdin: str = ""):
    return runner.invoke(app, [*argv, "--db", str(db)], input=stdin)


@pytest.fixture
def supervised(tmp_path, _desk_templates) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return wal_copy(_desk_templates["supervisor"], folder / "desk.sqlite")


@pytest.fixture
def empty_desk(tmp_path, _desk_templates) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    return wal_copy(_desk_templates["empty"], folder / "desk.sqlite")


# ---------------------------------------------------------------- empty (0 bytes)

@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_empty_file_is_never_made_into_a_new_database(runner, tmp_path, command):
    folder = tmp_path / "site"
    folder.mkdir()
    db = folder / "desk.sqlite"
    db.touch()
    before = state(folder)
    argv, stdin = COMMANDS[command]
    result = run(runner, argv, db, stdin)
    assert result.exit_code == 2, result.output
    assert f"数据库文件是空的（0 字节）：{db}" in result.output
    assert f"文件夹 {folder} 中没有 .bak 备份" in result.output
    assert "PIN" not in result.output  # refused before anything was asked
    no_traceback(result.output)
    assert state(folder) == before
    assert db.stat().st_size == 0


def test_an_empty_file_names_the_newest_backup_beside_it(runner, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    db = folder / "desk.sqlite"
    db.touch()
    older, newer = folder / "desk.sqlite.before-0002-20260101T000000Z.bak", folder / "desk.sqlite.before-0003-20260301T000000Z.bak"
    for i, backup in enumerate((newer, older)):  # written in the other order: the times decide
        backup.write_bytes(b"backup")
        os.utime(backup, (1_700_000_000 + 100 * (1 - i), 1_700_000_000 + 100 * (1 - i)))
    (folder / "other.sqlite.before-0003-20270101T000000Z.bak").write_bytes(b"another database's")
    result = run(runner, ["staff", "list"], db)
    assert result.exit_code == 2
    assert f"请用同一文件夹中最新的备份恢复：{newer}" in result.output


def test_the_app_refuses_an_empty_file_too(tmp_path):
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.faults import DatabaseRefused

    (tmp_path / "site").mkdir()
    db = tmp_path / "site" / "desk.sqlite"
    db.touch()
    with pytest.raises(DatabaseRefused, match="0 字节"):
        Desk.open(Settings(database_url=f"sqlite:///{db}"))  # as the app opens it, may create
    assert db.stat().st_size == 0
    assert list(db.parent.iterdir()) == [db]


# ---------------------------------------------------------------- damaged

@pytest.fixture
def damaged(tmp_path) -> Path:
    folder = tmp_path / "site"
    folder.mkdir()
    db = folder / "desk.sqlite"
    db.write_bytes(b"this is not a database, only the ruins of one\n" * 100)
    backup = folder / "desk.sqlite.before-0003-20261101T000000Z.bak"
    backup.write_bytes(b"a backup")
    return db


@pytest.mark.parametrize("command", ["staff add", "staff list", "demo"])
def test_a_damaged_file_is_named_with_the_backup_to_restore(runner, damaged, command):
    folder = damaged.parent
    before = state(folder)
    argv, stdin = COMMANDS[command]
    result = run(runner, argv, damaged, stdin)
    assert result.exit_code == 1, result.output
    assert f"数据库文件已损坏或不是数据库：{damaged}" in result.output
    assert f"请用同一文件夹中最新的备份恢复：{folder / 'desk.sqlite.before-0003-20261101T000000Z.bak'}" in result.output
    no_traceback(result.output)
    assert state(folder) == before


def test_the_app_is_told_which_file_is_damaged(damaged):
    """The app has no desk to name yet when opening fails: the fault carries the file."""
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.faults import DatabaseFault

    with pytest.raises(DatabaseFault) as fault:
        Desk.open(Settings(database_url=f"sqlite:///{damaged}"))
    assert str(fault.value).startswith(f"数据库文件已损坏或不是数据库：{damaged}。请停止使用它。 请用同一文件夹中最新的备份恢复：")


def test_doctor_on_a_damaged_file_reports_it_and_the_backup(runner, damaged):
    folder = damaged.parent
    before = state(folder)
    result = run(runner, ["doctor"], damaged)
    assert result.exit_code == 1
    out = result.output
    assert f"✗ 完整性（integrity_check）：数据库文件已损坏或不是数据库：{damaged}" in out
    (line,) = [line for line in out.splitlines() if line.startswith("· 最新备份：")]
    assert line.endswith(f"小时前）：{folder / 'desk.sqlite.before-0003-20261101T000000Z.bak'}")  # when, then which
    assert "✓ 工作日历已知到" in out  # what does not need the database is still reported
    no_traceback(out)
    assert state(folder) == before


# ---------------------------------------------------------------- not there

@pytest.mark.parametrize("command", ["staff list", "doctor"])
def test_a_missing_file_is_refused_where_nothing_may_be_made(runner, tmp_path, command):
    db = tmp_path / "typo" / "desk.sqlite"
    argv, stdin = COMMANDS[command]
    result = run(runner, argv, db, stdin)
    assert result.exit_code == 2
    assert f"找不到数据库文件：{db}" in result.output
    no_traceback(result.output)
    assert list(tmp_path.iterdir()) == [tmp_path / "site-data"]  # no folder, no file


def test_a_folder_given_as_the_database_is_refused(runner, tmp_path):
    result = run(runner, ["staff", "list"], tmp_path)
    assert result.exit_code == 2
    assert f"{tmp_path} 不是文件" in result.output


# ---------------------------------------------------------------- locked

@pytest.fixture
def write_lock():
    """Hold the write lock from another connection, as another terminal in mid-save does."""
    held = []

    def hold(db: Path):
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.append(conn)

    yield hold
    for conn in held:
        conn.rollback()
        conn.close()


@pytest.mark.parametrize("command, db_fixture", [("staff add", "supervised"), ("demo", "empty_desk")])
def test_a_write_locked_past_the_busy_timeout_is_busy_and_saves_nothing(runner, request, write_lock, command,
                                                                        db_fixture):
    db = request.getfixturevalue(db_fixture)
    write_lock(db)
    before = state(db.parent)
    argv, stdin = COMMANDS[command]
    result = run(runner, argv, db, stdin)
    assert result.exit_code == 1, result.output
    assert f"数据库正忙（另一台终端正在写入），请稍后重试；本次未保存。数据库：{db}" in result.output
    no_traceback(result.output)
    assert state(db.parent) == before


@pytest.mark.parametrize("command", ["staff list", "doctor"])
def test_reading_is_not_blocked_by_a_writer(runner, supervised, write_lock, command):
    write_lock(supervised)
    before = state(supervised.parent)
    result = run(runner, COMMANDS[command][0], supervised)
    assert result.exit_code == 0, result.output
    assert "王主管" in result.output or "✓ 完整性（integrity_check）：ok" in result.output
    assert state(supervised.parent) == before


def test_the_busy_timeout_can_be_shortened_from_the_environment(monkeypatch):
    from deskapp.storage import engine

    monkeypatch.setenv("DESKAPP_BUSY_TIMEOUT_MS", "250")
    assert engine.busy_timeout_ms() == 250
    monkeypatch.setenv("DESKAPP_BUSY_TIMEOUT_MS", "soon")
    assert engine.busy_timeout_ms() == engine.BUSY_TIMEOUT_MS


# ---------------------------------------------------------------- read-only, as SQLite opens it

def test_a_read_only_database_never_shows_the_new_pins_hash_or_salt(runner, supervised, monkeypatch):
    """SQLite's own read-only open (a `mode=ro` URI): the INSERT of the new staff member fails."""
    monkeypatch.setenv("DESKAPP_DATABASE_URL", f"sqlite:///file:{supervised}?mode=ro&uri=true")
    before = state(supervised.parent)
    result = runner.invoke(app, ADD[0], input=ADD[1])
    assert result.exit_code == 1, result.output
    assert f"数据库只读，无法写入：{supervised}。请检查该文件及其所在文件夹（{supervised.parent}）的写权限" in result.output
    no_traceback(result.output)
    for secret in ("pin_hash", "pin_salt", "INSERT", "5678"):
        assert secret not in result.output
    after = state(supervised.parent)
    assert after[supervised.name] == before[supervised.name]
    assert set(after) - set(before) <= {"desk.sqlite-wal", "desk.sqlite-shm"}  # SQLite's own, for reading


def test_a_program_error_is_one_line_without_its_details(runner, supervised, monkeypatch):
    from deskapp.services import staff

    def broken(desk):
        raise RuntimeError("internal detail 王主管 1234")

    monkeypatch.setattr(staff, "list_staff", broken)
    result = run(runner, ["staff", "list"], supervised)
    assert result.exit_code == 1
    assert result.output.strip() == "程序出错（RuntimeError），本次未保存；请把此信息告诉维护人员。"


# ---------------------------------------------------------------- main(), in a process of its own

def deskapp_process(argv: list[str], stdin: str = "", *, env: dict | None = None, prefix: list[str] = (),
                    cwd: str | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "DESKAPP_CONFIG": "/nonexistent/deskapp.toml", "DESKAPP_BUSY_TIMEOUT_MS": "200",
            "DESKAPP_DATA_DIR": os.environ["DESKAPP_DATA_DIR"], "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/nonexistent",
            "PYTHONPATH": str(ROOT)}  # this tree's deskapp, also from another working folder
    return subprocess.run([*prefix, sys.executable, "-m", "deskapp", *argv], input=stdin, capture_output=True,
                          text=True, env={**base, **(env or {})}, cwd=cwd or str(ROOT), timeout=120)


def test_main_on_a_damaged_file(damaged):
    proc = deskapp_process(["staff", "list", "--db", str(damaged)])
    assert proc.returncode == 1
    assert f"数据库文件已损坏或不是数据库：{damaged}" in proc.stderr
    no_traceback(proc.stdout + proc.stderr)


def test_main_on_a_locked_database(supervised, write_lock):
    write_lock(supervised)
    proc = deskapp_process([*ADD[0], "--db", str(supervised)], ADD[1])
    assert proc.returncode == 1
    assert f"数据库正忙（另一台终端正在写入），请稍后重试；本次未保存。数据库：{supervised}" in proc.stderr
    no_traceback(proc.stdout + proc.stderr)


def test_main_on_a_read_only_database_shows_no_secret(supervised):
    before = state(supervised.parent)[supervised.name]
    proc = deskapp_process(ADD[0], ADD[1], env={"DESKAPP_DATABASE_URL": f"sqlite:///file:{supervised}?mode=ro&uri=true"})
    assert proc.returncode == 1
    assert f"数据库只读，无法写入：{supervised}" in proc.stderr
    no_traceback(proc.stdout + proc.stderr)
    assert "INSERT" not in proc.stderr and "pin_" not in proc.stderr
    assert state(supervised.parent)[supervised.name] == before


def test_main_reports_a_program_error_in_one_line(supervised):
    code = ("import sys\n"
            "from deskapp.services import staff\n"
            "def broken(desk):\n"
            "    raise KeyError('a detail nobody needs')\n"
            "staff.list_staff = broken\n"
            "from deskapp.cli import main\n"
            f"main(['staff', 'list', '--db', {str(supervised)!r}])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), timeout=120,
                          env={"PATH": "/usr/bin:/bin", "DESKAPP_CONFIG": "/nonexistent/deskapp.toml"})
    assert proc.returncode == 1
    assert proc.stderr.strip() == "程序出错（KeyError），本次未保存；请把此信息告诉维护人员。"
    assert "Traceback" not in proc.stdout + proc.stderr


# ---------------------------------------------------------------- read-only, for a user without write permission

def _as_nobody() -> list[str] | None:
    """The command prefix that runs a process as `nobody`; [] when not root (permissions already apply)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv:
        return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "nobody", "--"]
    return None


@pytest.fixture(scope="module")
def as_nobody() -> list[str]:
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("running as root without setpriv or runuser: cannot drop to an unprivileged user")
    probe = subprocess.run([*prefix, sys.executable, "-c", "import deskapp.cli, sqlalchemy"], capture_output=True,
                           text=True, cwd="/", timeout=120, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    if probe.returncode != 0:
        pytest.skip(f"the unprivileged user cannot run this Python: {probe.stderr.strip()[-200:]}")
    return prefix


@pytest.fixture
def shared_folder(_desk_templates):
    """A folder outside pytest's (private) temporary tree, readable by the unprivileged user."""
    folder = Path(tempfile.mkdtemp(prefix="deskapp-ro-"))
    folder.chmod(0o755)
    wal_copy(_desk_templates["supervisor"], folder / "desk.sqlite")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("case", ["file", "folder"])
def test_a_read_only_file_or_folder_is_refused_and_doctor_says_why(as_nobody, shared_folder, case):
    db = shared_folder / "desk.sqlite"
    if case == "file":  # the folder is writable, the file not
        shared_folder.chmod(0o777)
        db.chmod(0o444)
        expected = f"数据库文件只读：{db}。前台需要写入它，请检查该文件的写权限"
        doctor_says = "✗ 读写权限：文件只读，前台无法保存"
    else:  # the file is writable, its folder not (SQLite cannot write its -wal and -shm there)
        shared_folder.chmod(0o755)
        db.chmod(0o666)
        expected = f"数据库所在的文件夹只读：{shared_folder}。SQLite 要在数据库 {db} 旁写入 -wal、-shm 文件"
        doctor_says = f"✗ 读写权限：文件夹只读：{shared_folder}，前台无法保存"
    before = state(shared_folder)
    env = {"DESKAPP_DATA_DIR": str(ROOT / "data")}  # the shipped site data: the test's own copy is private
    for argv, stdin in (ADD, (["staff", "list"], ""), (["demo", "--calls", "1"], "")):
        proc = deskapp_process([*argv, "--db", str(db)], stdin, prefix=as_nobody, cwd="/", env=env)
        assert proc.returncode == 2, (argv, proc.stdout, proc.stderr)
        assert expected in proc.stderr, (argv, proc.stderr)
        no_traceback(proc.stdout + proc.stderr)
        assert "PIN" not in proc.stdout  # refused before a PIN was asked for
    proc = deskapp_process(["doctor", "--db", str(db)], prefix=as_nobody, cwd="/", env=env)
    assert proc.returncode == 1, proc.stderr
    assert doctor_says in proc.stdout
    assert "✓ 完整性（integrity_check）：ok" in proc.stdout  # read all the same, without writing
    assert "✓ 日志模式（journal_mode）：wal" in proc.stdout
    assert "· 记录数（员工）：1" in proc.stdout
    no_traceback(proc.stdout + proc.stderr)
    assert state(shared_folder) == before  # not a byte, not a -wal or -shm


# ---------------------------------------------------------------- settings that cannot be used

@pytest.mark.parametrize("argv", [["staff", "list"], []], ids=["cli", "app"])
def test_an_unknown_language_in_the_environment_is_refused_naming_it(tmp_path, argv):
    db = tmp_path / "d.sqlite"
    proc = deskapp_process([*argv, "--db", str(db)], env={"DESKAPP_LANG": "fr"})
    assert proc.returncode == 2
    assert proc.stderr.strip() == "不支持的界面语言：fr（来自 DESKAPP_LANG）。可选：zh（中文）、en（English）"
    assert not db.exists()


@pytest.mark.parametrize("argv", [["staff", "list"], []], ids=["cli", "app"])
@pytest.mark.parametrize("text, said", [
    ('lang = "fr"\n', "不支持的界面语言：fr（来自 {config}: lang）"),
    ("lang = \n", "无法读取配置文件 {config}：Invalid value (at line 1, column 8)"),
    ("lang = 3\n", "不支持的界面语言：3（来自 {config}: lang）"),
], ids=["unknown-language", "not-toml", "not-text"])
def test_a_config_file_that_cannot_be_used_is_refused_naming_it(tmp_path, argv, text, said):
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    db = tmp_path / "d.sqlite"
    proc = deskapp_process([*argv, "--db", str(db)], env={"DESKAPP_CONFIG": str(config)})
    assert proc.returncode == 2
    assert said.format(config=config) in proc.stderr
    no_traceback(proc.stdout + proc.stderr)
    assert not db.exists()
