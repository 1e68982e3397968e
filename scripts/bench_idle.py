#!/usr/bin/env python3
"""The idle desk: CPU of the app sitting on the call log, against a bare Textual app.

Prints figures only (no pass/fail; the goal in the kit issue is at most 1% of
one core). In one run, side by side in a private tmux server at 80x24:

- desk: deskapp on a demo database (filled with ``deskapp demo``) plus N calls
  logged through the services in the last minute, 报修 and 投诉 alternating, so
  the call log opens on a screen of running countdowns (待派工 / 待投诉). It signs
  in as the demo supervisor and is left alone on the call log.
- bare: a Textual app with Header, Static and Footer and a 1 Hz set_interval
  that updates the Static: the least any app with a ticking clock costs.

Both processes' CPU (user + system, all threads, read from /proc/PID/stat) is
sampled over the same window and shown as a percentage of one core.

    .venv/bin/python scripts/bench_idle.py                 # 180 s
    .venv/bin/python scripts/bench_idle.py --seconds 20    # quick check
    .venv/bin/python scripts/bench_idle.py --src /tmp/old  # another source tree (e.g. git archive HEAD)

Needs tmux on PATH and Linux (/proc).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DESKAPP = str(Path(sys.executable).with_name("deskapp"))
DEMO_USER, DEMO_PIN = "王主管", "1234"
COLS, ROWS = 80, 24
COUNTDOWN_MARKS = ("待派工", "待投诉")  # an awaiting call's status cell, before its countdown

# The one place that knows the services' API: logs awaiting calls in a child
# process (run with the same interpreter and source tree as the app). Adjust
# here if the services move.
LOG_CALLS = r"""
import sys
from datetime import datetime, timedelta, timezone

from deskapp.config import load_settings
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.desk import Desk
from deskapp.services.staff import sign_in

db, count, name, pin = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
desk = Desk.open(load_settings(db=db))
actor = sign_in(desk, name=name, pin=pin)
now = datetime.now(timezone.utc)
for i in range(count):
    repair = i % 2 == 0
    draft = CallDraft(
        channel="phone",
        category="repair" if repair else "complaint",
        caller_name=f"测试{i:02d}",
        phone=f"1390000{i:04d}",
        unit=f"{i % 9 + 1}-{i % 3 + 1}-{1201 + i}",
        content="卫生间漏水，楼下天花板渗水" if repair else "楼上装修噪音，多次反映未处理",
        reply="已登记，马上处理",
        at=now - timedelta(seconds=2 * (count - i)),  # the last minute, newest last
    )
    log_call(desk, actor, draft, now=now)
"""

BARE_APP = r"""
from datetime import datetime

from textual.app import App
from textual.widgets import Footer, Header, Static


class Bare(App):
    def compose(self):
        yield Header()
        yield Static("READY", id="clock")
        yield Footer()

    def on_mount(self):
        self.set_interval(1, self.tick)

    def tick(self):
        self.query_one("#clock", Static).update(f"READY {datetime.now():%H:%M:%S}")


Bare().run()
"""


class Tmux:
    """A private tmux server (its own socket), so nothing else's sessions are touched."""

    def __init__(self, cwd: Path) -> None:
        self.socket = f"deskapp-bench-idle-{os.getpid()}"
        self.cwd = cwd

    def __call__(self, *args: str) -> str:
        return subprocess.run(["tmux", "-u", "-L", self.socket, *args], check=True, capture_output=True,
                              text=True).stdout

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> int:
        """Start ``argv`` in a new COLSxROWS session; returns its process id (exec: no shell in between)."""
        assignments = [f"{k}={v}" for k, v in env.items()]
        self("new-session", "-d", "-s", name, "-x", str(COLS), "-y", str(ROWS), "-c", str(self.cwd),
             "exec " + shlex.join(["env", *assignments, *argv]),
             ";", "set-option", "-t", name, "remain-on-exit", "on")  # a crash stays on screen to report
        return int(self("display-message", "-p", "-t", name, "#{pane_pid}").strip())

    def screen(self, name: str) -> str:
        return self("capture-pane", "-p", "-t", name)

    def wait_for(self, name: str, text: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive(name):
            if text in self.screen(name):
                return
            time.sleep(0.1)
        raise SystemExit(f"{name}: never showed {text!r}; the screen was:\n{self.screen(name)}")

    def alive(self, name: str) -> bool:
        return self("display-message", "-p", "-t", name, "#{pane_dead}").strip() != "1"

    def stop(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads, in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        stat = fh.read()
    fields = stat[stat.rindex(b")") + 2:].split()  # after "pid (comm) "; comm may hold spaces
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def make_database(work: Path, calls: int, awaiting: int, env: dict[str, str]) -> tuple[Path, int]:
    """A demo database plus ``awaiting`` fresh awaiting calls; returns it and how many the demo left awaiting."""
    db = work / "desk.sqlite"
    # cwd: `python -c` puts the current directory first on sys.path, ahead of --src
    subprocess.run([DESKAPP, "demo", "--calls", str(calls), "--db", str(db)], check=True, env=env, cwd=work,
                   stdout=subprocess.DEVNULL)
    demo_awaiting = awaiting_calls(db)
    subprocess.run([sys.executable, "-c", LOG_CALLS, str(db), str(awaiting), DEMO_USER, DEMO_PIN], check=True,
                   env=env, cwd=work)
    return db, demo_awaiting


def awaiting_calls(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("SELECT count(*) FROM call WHERE status LIKE 'awaiting%'").fetchone()[0]


def countdowns_in_view(screen: str) -> int:
    return sum(1 for line in screen.splitlines() if any(mark in line for mark in COUNTDOWN_MARKS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=180.0, help="how long both apps sit idle (default 180)")
    parser.add_argument("--awaiting", type=int, default=20, help="awaiting calls logged just before (default 20)")
    parser.add_argument("--calls", type=int, default=3000, help="size of the demo database (default 3000)")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after sign-in before measuring")
    parser.add_argument("--src", type=Path, help="run deskapp from this source tree (put first on PYTHONPATH)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="deskapp-bench-idle-"))
    env = {"DESKAPP_CONFIG": str(work / "none.toml"), "LANG": os.environ.get("LANG") or "C.UTF-8"}
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    bare_file = work / "bare.py"
    bare_file.write_text(BARE_APP, encoding="utf-8")
    tmux = Tmux(work)
    try:
        db, demo_awaiting = make_database(work, args.calls, args.awaiting, {**os.environ, **env})
        desk_pid = tmux.start("desk", [DESKAPP, "--db", str(db), "--as", DEMO_USER], env)
        bare_pid = tmux.start("bare", [sys.executable, str(bare_file)], env)
        assert "deskapp" in command_line(desk_pid), command_line(desk_pid)

        tmux.wait_for("bare", "READY")
        tmux.wait_for("desk", "PIN")
        time.sleep(0.3)  # the PIN box takes focus once the staff list is read
        tmux("send-keys", "-t", "desk", DEMO_PIN, "Enter")
        tmux.wait_for("desk", "共 ")
        time.sleep(args.settle)

        first_screen = tmux.screen("desk")
        time.sleep(1.5)
        ticking = tmux.screen("desk") != first_screen
        in_view = countdowns_in_view(first_screen)

        start = time.monotonic()
        desk0, bare0 = cpu_seconds(desk_pid), cpu_seconds(bare_pid)
        windows: list[tuple[float, float]] = []  # (desk %, bare %) per 10 s
        last = (start, desk0, bare0)
        while (now := time.monotonic()) < start + args.seconds:
            time.sleep(min(10.0, start + args.seconds - now))
            t, d, b = time.monotonic(), cpu_seconds(desk_pid), cpu_seconds(bare_pid)
            if t - last[0] >= 5.0:
                windows.append((100 * (d - last[1]) / (t - last[0]), 100 * (b - last[2]) / (t - last[0])))
            last = (t, d, b)
        elapsed = last[0] - start
        desk_cpu, bare_cpu = last[1] - desk0, last[2] - bare0
        end_screen = tmux.screen("desk")
        if not (tmux.alive("desk") and tmux.alive("bare")):
            raise SystemExit(f"an app ended during the measurement; deskapp's screen:\n{end_screen}")
    finally:
        tmux.stop()
        shutil.rmtree(work, ignore_errors=True)

    desk_pct, bare_pct = 100 * desk_cpu / elapsed, 100 * bare_cpu / elapsed
    print(f"idle on the call log at {COLS}x{ROWS}, {elapsed:.0f} s; demo of {args.calls} calls, "
          f"{args.awaiting} awaiting calls logged (the demo left {demo_awaiting} older ones), "
          f"{in_view} countdowns in view, screen ticking: {'yes' if ticking else 'NO'}"
          + ("" if "共 " in end_screen else "; WARNING: the call log was no longer on screen at the end"))
    if args.src:
        print(f"deskapp source: {args.src}")
    busiest = max(windows, default=(desk_pct, bare_pct))
    print(f"deskapp:      {desk_pct:5.2f}% of one core ({desk_cpu:.2f} s CPU); busiest 10 s: {busiest[0]:.2f}%")
    print(f"bare Textual: {bare_pct:5.2f}% of one core ({bare_cpu:.2f} s CPU); busiest 10 s: "
          f"{max((w[1] for w in windows), default=bare_pct):.2f}%")
    ratio = f"{desk_pct / bare_pct:.1f}x" if bare_pct > 0 else "n/a (bare app used no measurable CPU)"
    print(f"ratio deskapp / bare: {ratio}; above the bare app: {desk_pct - bare_pct:.2f}% of one core "
          f"(goal: deskapp at most 1% of one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
