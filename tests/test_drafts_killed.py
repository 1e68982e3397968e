"""A call being typed when the app's process is killed (SIGKILL, in a real terminal) is offered back.

The app runs in tmux at 80x24 as a receptionist would use it; the process is
killed with SIGKILL while the form is open, a new app is started on the same
file, the same person signs in, restores the draft and saves it. Skipped
(with the reason) where tmux is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

DESKAPP = str(Path(sys.executable).with_name("deskapp"))
SOCKET = f"deskapp-drafts-{os.getpid()}"
TYPED = "卫生间漏水 楼下被淹"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], check=True, capture_output=True, text=True).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", "desk")


def wait_for(what, timeout: float = 30.0, describe: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.1)
    raise AssertionError(f"never: {describe}; the screen was:\n{screen()}")


def shows(text: str, timeout: float = 30.0) -> None:
    wait_for(lambda: text in screen(), timeout, f"showed {text!r}")


def keys(*sequence: str) -> None:
    for key in sequence:  # one group at a time, as a person types
        tmux("send-keys", "-t", "desk", key)
        time.sleep(0.15)


def start(db: Path, env: dict) -> int:
    prefix = " ".join(f"{k}={v}" for k, v in env.items())
    # exec: the pane's process is the app itself, so the kill reaches it and nothing else.
    tmux("new-session", "-d", "-s", "desk", "-x", "80", "-y", "24", f"{prefix} exec {DESKAPP} --db {db} --as 王主管")
    return int(tmux("display", "-p", "-t", "desk", "#{pane_pid}").strip())


def test_a_call_typed_when_the_process_is_killed_is_offered_back_and_saved(tmp_path):
    db = tmp_path / "desk.sqlite"
    env = {"DESKAPP_CONFIG": str(tmp_path / "none.toml")}
    subprocess.run([DESKAPP, "staff", "add", "王主管", "--role", "supervisor", "--db", str(db)],
                   input="1234\n1234\n", text=True, check=True, capture_output=True, env={**os.environ, **env})
    draft = tmp_path / "desk.sqlite.drafts" / "staff-1.call.json"
    try:
        pid = start(db, env)
        shows("PIN")
        time.sleep(0.3)
        keys("1234", "Enter")
        shows("共 0 条")
        keys("C-n")
        shows("登记来电来访")
        keys("13812345678", "Enter", "3-2-1201", "Enter", "李女士", "Enter", "1", "Enter", "2", "Enter", TYPED)
        shows(TYPED)
        wait_for(lambda: draft.is_file() and TYPED in draft.read_text(encoding="utf-8"), 15, "the draft on disk")
        os.kill(pid, signal.SIGKILL)
        wait_for(lambda: not _alive(pid), 10, "the process gone")
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)  # gone with its only pane, or now

        start(db, env)
        shows("PIN")
        time.sleep(0.3)
        keys("1234", "Enter")
        shows("未保存的来电来访登记草稿")
        shows(TYPED)  # the offer says which draft it is
        keys("Enter")
        shows("已恢复")
        assert "13812345678" in screen() and "李女士" in screen()
        keys("C-s")
        shows("共 1 条")
        wait_for(lambda: not draft.exists(), 10, "the draft removed once saved")
    finally:
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT content, phone, unit_code, category FROM call").fetchall() == [
            (TYPED, "13812345678", "3栋2单元1201", "repair")]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child of tmux's server may linger as a zombie until tmux reaps it.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False
