#!/usr/bin/env python3
"""Cold start to first paint, in a real pseudo-terminal, against a bare Textual app.

Prints figures only (no pass/fail). Each run starts a fresh process on an
80x24 pty and times how long until given text is on the screen:

- bare:        a Textual app with Header, Static, Footer (the yardstick)
- first paint: deskapp's first screen, the sign-in form (the database still opening)
- key typed:   the first PIN digit, written as soon as the form is painted, echoed
               as a dot in the form: when a receptionist's typing is first taken
- home:        after the rest of the PIN, the call log showing its row count

Then, in-process with Textual's Pilot, paging the call log: 30 PageDown key
presses, each timed until every visible row is drawn.

    .venv/bin/python scripts/bench_startup.py --db /path/small.sqlite --db /path/big.sqlite

Without --db it makes a 1,000-call demo database in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import re
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]|\x1b\][^\x07]*\x07|\x1bP[^\x1b]*\x1b\\")

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static
class Bare(App):
    def compose(self):
        yield Header()
        yield Static("READY")
        yield Footer()
Bare().run()
"""


def _spawn(argv: list[str], env: dict) -> tuple[subprocess.Popen, int]:
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
                            start_new_session=True)
    os.close(slave)
    return proc, master


def _wait_text(master: int, buffer: list[str], needle: str, start: float, timeout: float = 60.0) -> float:
    deadline = start + timeout
    while time.perf_counter() < deadline:
        screen = ANSI.sub("", "".join(buffer))
        if needle in screen:
            return time.perf_counter() - start
        ready, _, _ = select.select([master], [], [], 0.005)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            buffer.append(chunk.decode("utf-8", "replace"))
            if needle in ANSI.sub("", buffer[-1]):
                return time.perf_counter() - start
    raise TimeoutError(f"never saw {needle!r}")


def _stop(proc: subprocess.Popen, master: int) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    os.close(master)


def bare_once(env: dict) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(BARE_APP)
    start = time.perf_counter()
    proc, master = _spawn([PY, fh.name], env)
    try:
        return _wait_text(master, [], "READY", start)
    finally:
        _stop(proc, master)
        os.unlink(fh.name)


def desk_once(db: Path, env: dict, name: str, pin: str) -> tuple[float, float, float]:
    start = time.perf_counter()
    proc, master = _spawn([str(Path(PY).with_name("deskapp")), "--db", str(db), "--as", name], env)
    buffer: list[str] = []
    try:
        first = _wait_text(master, buffer, "请选择当班员工", start)
        buffer.clear()
        os.write(master, pin[0].encode())
        typed = _wait_text(master, buffer, "•", start)
        buffer.clear()
        os.write(master, (pin[1:] + "\r").encode())
        home = _wait_text(master, buffer, "共 ", start)
        return first, typed, home
    finally:
        _stop(proc, master)


async def paging(db: Path, presses: int = 30) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from deskapp.app import DeskApp
    from deskapp.config import Settings

    app = DeskApp(Settings(database_url=f"sqlite:///{db}"), sign_in_as="王主管")
    timings = []
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(600):
            if app.focused is not None and app.focused.id == "pin":
                break
            await pilot.pause(0.02)
        await pilot.press(*"1234", "enter")
        for _ in range(3000):
            if type(app.screen).__name__ == "CallLogScreen" and app.screen.query_one("RegisterList").total:
                break
            await pilot.pause(0.01)
        calls = app.screen.query_one("RegisterList")
        for _ in range(presses):
            start = time.perf_counter()
            await pilot.press("pagedown")
            while True:
                top = calls.scroll_offset.y
                height = calls.size.height
                if all(i in calls._rows for i in range(top, min(calls.total, top + height))):
                    break
                await asyncio.sleep(0.001)
            timings.append(time.perf_counter() - start)
    return timings


def demo_db(directory: Path, calls: int) -> Path:
    db = directory / f"demo-{calls}.sqlite"
    if not db.exists():
        subprocess.run([PY, "-m", "deskapp.cli", "demo", "--calls", str(calls), "--db", str(db)], check=True,
                       cwd=ROOT, stdout=subprocess.DEVNULL)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", action="append", type=Path, help="demo database(s) to open (王主管 / 1234)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
           "DESKAPP_CONFIG": "/nonexistent/deskapp-bench.toml"}
    env.pop("TEXTUAL", None)
    dbs = args.db or [demo_db(Path(tempfile.mkdtemp()), 1000)]

    for db in dbs:
        # Bare and desk runs alternate, so a busy machine slows both alike; the ratios are
        # given for the medians and for the best runs (the least disturbed of each).
        bare, runs = [], []
        for _ in range(args.runs):
            bare.append(bare_once(env))
            runs.append(desk_once(db, env, "王主管", "1234"))
        yardstick, best = statistics.median(bare), min(bare)
        print(f"bare Textual app, first paint: median {yardstick*1000:.0f} ms (min {best*1000:.0f}, runs {args.runs})")
        first, typed, home = (statistics.median(x) for x in zip(*runs))
        first_min, typed_min, _ = (min(x) for x in zip(*runs))
        print(f"{db.name}: first paint {first*1000:.0f} ms ({first/yardstick:.2f}x bare; best runs "
              f"{first_min/best:.2f}x), first key typed reaches the form {typed*1000:.0f} ms "
              f"({typed/yardstick:.2f}x bare; best runs {typed_min/best:.2f}x), home screen after PIN {home*1000:.0f} ms")
        pages = asyncio.run(paging(db))
        pages.sort()
        print(f"{db.name}: paging 30 x PageDown: p50 {pages[len(pages)//2]*1000:.1f} ms, "
              f"p95 {pages[int(len(pages)*0.95)-1]*1000:.1f} ms, max {pages[-1]*1000:.1f} ms")


if __name__ == "__main__":
    main()
