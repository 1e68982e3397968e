#!/usr/bin/env python3
"""Crash and full-disk harness: nothing acknowledged is ever lost.

Several processes log calls and register complaints (every register whose
service exists) against one SQLite file, through the real services, while
the harness kills them with SIGKILL at random moments, many times over. A
worker writes a record's number to its acknowledgement file only after the
service call returned. Afterwards every acknowledged record must be in the
database (with the worker's marker), each register's numbers must run 1..n
with no gap and no duplicate, every record must have its audit event
(services.invariants) and PRAGMA integrity_check must say ok.

The full disk: the database on a small tmpfs mounted for the run (root only;
otherwise skipped with the reason printed), writers filling it up. Every
write that cannot be made must be refused with the disk-full message naming
the file, nothing acknowledged may be lost, the file must pass the integrity
check, and writing must resume once space is freed.

    .venv/bin/python scripts/crash_harness.py                 # 20 trials, 4 writers
    .venv/bin/python scripts/crash_harness.py --short         # what the default test suite runs
    .venv/bin/python scripts/crash_harness.py --disk-full     # only the full disk (--no-disk-full: only the kills)

Prints trials, records acknowledged, found, gaps, duplicates, audit and
integrity results; exits 1 if anything acknowledged is missing or any check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# A fixed instant: the numbers are per year, and a run must not straddle New Year.
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
STAFF = ("王主管", "supervisor", "1234")
# register -> (table, column holding the worker's marker)
REGISTERS = {"call": ("call", "content"), "complaint": ("complaint", "description")}


def available_registers() -> list[str]:
    """The registers whose services exist in this tree (slips join when their service arrives)."""
    import importlib.util

    found = ["call"]
    if importlib.util.find_spec("deskapp.services.complaints") is not None:
        found.append("complaint")
    return found


# ---------------------------------------------------------------- the worker (a process of its own)


def _open(db: Path):
    from deskapp.config import Settings
    from deskapp.services.desk import Desk

    return Desk.open(Settings(database_url=f"sqlite:///{db}"), create=False)


def _write_one(desk, actor, register: str, marker: str, big: bool) -> str:
    text = f"崩溃测试 {marker}" + ("。水管漏水，楼下被淹" * 150 if big else "")
    if register == "complaint":
        from deskapp.services.complaints import ComplaintDraft, register_complaint

        return register_complaint(desk, actor, ComplaintDraft(customer_name="孙先生", phone="13600003333",
                                                              unit="8-1-302", description=text), now=NOW).number
    from deskapp.services.calls import CallDraft, log_call

    return log_call(desk, actor, CallDraft(category="repair", phone="13800001111", content=text), now=NOW).number


def worker(db: Path, ack: Path, registers: list[str], big: bool) -> None:
    """Write records until killed; acknowledge each only once its service call returned.

    A refusal (the disk full) is acknowledged as such with the message a
    person would read, and the worker tries again.
    """
    from deskapp.services.faults import database_where, describe_fault
    from deskapp.services.staff import list_staff

    desk = _open(db)
    actor = next(a for a in list_staff(desk) if a.name == STAFF[0])
    fd = os.open(ack, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    i = 0
    while True:
        register = registers[i % len(registers)]
        marker = f"p{os.getpid()}-{i}"
        try:
            number = _write_one(desk, actor, register, marker, big)
        except Exception as exc:  # what the app or CLI would show
            message = describe_fault(exc, database_where(desk)).replace("\t", " ").replace("\n", " ")
            os.write(fd, f"refused\t{register}\t{message}\n".encode())
            time.sleep(0.02)
        else:
            # One write(2) of one line: a kill lands before it or after it, never inside.
            os.write(fd, f"ok\t{register}\t{number}\t{marker}\n".encode())
        i += 1


# ---------------------------------------------------------------- the harness


@dataclass
class Result:
    trials: int = 0
    kills: int = 0
    acknowledged: int = 0
    found: int = 0
    missing: list = field(default_factory=list)
    gaps: int = 0
    duplicates: int = 0
    audit_problems: list = field(default_factory=list)
    integrity: str = ""
    refusals: list = field(default_factory=list)  # disk full: the messages
    resumed: bool | None = None
    skipped: str = ""
    by_register: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return (not self.skipped and not self.missing and self.gaps == 0 and self.duplicates == 0
                and not self.audit_problems and self.integrity == "ok" and self.found >= self.acknowledged
                and self.resumed is not False)


def make_database(db: Path) -> None:
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.staff import add_staff

    desk = Desk.open(Settings(database_url=f"sqlite:///{db}"))
    add_staff(desk, name=STAFF[0], role=STAFF[1], pin=STAFF[2], actor=None, now=NOW)
    desk.engine.dispose()


class _Writer:
    """A worker process forked from the harness (which has imported deskapp already: a fork
    costs milliseconds where a fresh interpreter costs a second of imports per restart)."""

    def __init__(self, db: Path, ack: Path, registers: list[str], big: bool = False):
        self.pid = os.fork()
        if self.pid == 0:  # the child: write until killed; never return into the harness
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                worker(db, ack, registers, big)
            finally:
                os._exit(0)
        self.done = False

    def kill(self) -> None:
        if not self.done:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.done = True


def _preload() -> None:
    """Import what a worker uses before forking, and hold no database connection across the fork."""
    import deskapp.services.calls  # noqa: F401
    import deskapp.services.faults  # noqa: F401
    import deskapp.services.staff  # noqa: F401

    if "complaint" in available_registers():
        import deskapp.services.complaints  # noqa: F401


def _spawn(db: Path, ack: Path, registers: list[str], big: bool = False) -> _Writer:
    return _Writer(db, ack, registers, big)


def _kill(proc: _Writer) -> None:
    proc.kill()


def _acks(folder: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    acked, refused = [], []
    for path in sorted(folder.glob("ack-*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if parts[0] == "ok" and len(parts) == 4:
                acked.append((parts[1], parts[2], parts[3]))
            elif parts[0] == "refused" and len(parts) == 3:
                refused.append(parts[2])
    return acked, refused


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except OSError:
        return 0


def verify(db: Path, folder: Path, result: Result) -> Result:
    """Compare what was acknowledged with what is in the file; numbering, audit, integrity."""
    from deskapp.config import Settings
    from deskapp.services import invariants
    from deskapp.services.desk import Desk

    acked, refused = _acks(folder)
    result.acknowledged = len(acked)
    result.refusals = refused
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        result.integrity = "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check"))
        stored: dict[str, dict[str, str]] = {}
        result.gaps = result.duplicates = 0
        for register, (table, column) in REGISTERS.items():
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            if not exists:
                continue
            rows = conn.execute(f'SELECT number, "{column}" FROM "{table}"').fetchall()
            stored[register] = {number: text for number, text in rows}
            seqs = [int(number.rsplit("-", 1)[1]) for number, _ in rows]
            result.duplicates += len(seqs) - len(set(seqs))
            result.gaps += len(set(range(1, max(seqs, default=0) + 1)) - set(seqs))
            result.by_register[register] = len(rows)
    found = 0
    for register, number, marker in acked:
        text = stored.get(register, {}).get(number)
        if text is not None and marker in text:
            found += 1
        else:
            result.missing.append((register, number, marker))
    result.found = found
    desk = Desk.open(Settings(database_url=f"sqlite:///{db}"), read_only=True)
    try:
        result.audit_problems = [f"{p.check} {p.subject} {p.what}" for p in invariants.check(desk).problems]
    finally:
        desk.engine.dispose()
    return result


def run_trials(folder: Path, *, trials: int, writers: int, seconds: float, seed: int,
               registers: list[str] | None = None) -> Result:
    """Writers against one file, killed with SIGKILL at random moments once each is writing; then verify."""
    rng = random.Random(seed)
    registers = registers or available_registers()
    db = folder / "desk.sqlite"
    make_database(db)
    _preload()
    result = Result()
    generation = 0

    def start(slot: int):
        nonlocal generation
        generation += 1
        ack = folder / f"ack-{slot}-{generation}.tsv"
        return _spawn(db, ack, registers), ack

    for _ in range(trials):
        result.trials += 1
        running = [start(slot) for slot in range(writers)]
        # The trial's clock starts once every writer is writing (a process takes a second or
        # two to import and open the desk; a kill before that tests nothing).
        ready_by = time.monotonic() + 120
        while time.monotonic() < ready_by and any(_lines(ack) == 0 for _proc, ack in running):
            time.sleep(0.02)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            time.sleep(rng.uniform(0.01, 0.25))
            slot = rng.randrange(writers)
            proc, ack = running[slot]
            if _lines(ack) == 0:
                continue  # still starting up: a kill there tests nothing
            _kill(proc)
            result.kills += 1
            running[slot] = start(slot)
        for proc, _ack in running:  # the end of a trial is a kill too, mid-write
            _kill(proc)
            result.kills += 1
    return verify(db, folder, result)


def disk_full(folder: Path, *, size_kb: int = 2048, ballast_kb: int = 384, writers: int = 2) -> Result:
    """The database on a small tmpfs that the writers fill; refusals, nothing lost, integrity, resumption."""
    result = Result()
    if os.geteuid() != 0:
        result.skipped = "not running as root: cannot mount a small tmpfs for the full-disk case"
        return result
    mount = folder / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        result.skipped = f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}"
        mount.rmdir()
        return result
    procs: list[_Writer] = []
    try:
        db = mount / "desk.sqlite"
        make_database(db)
        _preload()
        ballast = mount / "ballast"
        ballast.write_bytes(b"\0" * ballast_kb * 1024)  # space to free later
        acks = folder / "acks"
        acks.mkdir()
        procs = [_spawn(db, acks / f"ack-{w}-1.tsv", ["call"], big=True) for w in range(writers)]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(_acks(acks)[1]) < 6 * writers:
            time.sleep(0.05)
        for proc in procs:  # killed while the disk is full, mid-refusal or mid-write
            _kill(proc)
        result.trials = 1
        result.kills = len(procs)
        verify(db, acks, result)
        # Space freed: the desk writes again.
        ballast.unlink()
        from deskapp.services.staff import list_staff

        desk = _open(db)
        try:
            actor = next(a for a in list_staff(desk) if a.name == STAFF[0])
            number = _write_one(desk, actor, "call", "after-freeing", False)
            with (acks / "ack-resume-1.tsv").open("a", encoding="utf-8") as fh:
                fh.write(f"ok\tcall\t{number}\tafter-freeing\n")
            result.resumed = True
        except Exception:
            result.resumed = False
        finally:
            desk.engine.dispose()
        refusals = result.refusals
        verify(db, acks, result)
        result.refusals = refusals
        result.db = db  # type: ignore[attr-defined]
    finally:
        for proc in procs:
            _kill(proc)
        subprocess.run(["umount", str(mount)], capture_output=True)
        shutil.rmtree(mount, ignore_errors=True)
    return result


def disk_full_refusals_ok(result: Result, db: Path) -> bool:
    """Every refusal says the disk is full and names the file (zh or en)."""
    return bool(result.refusals) and all(("磁盘已满" in m or "disk is full" in m) and str(db) in m
                                         for m in result.refusals)


def report(name: str, result: Result) -> None:
    if result.skipped:
        print(f"{name}: skipped ({result.skipped})")
        return
    print(f"{name}: trials {result.trials}, kills {result.kills}, acknowledged {result.acknowledged}, "
          f"found {result.found}, missing {len(result.missing)}, gaps {result.gaps}, "
          f"duplicates {result.duplicates}, audit problems {len(result.audit_problems)}, "
          f"integrity {result.integrity}")
    if result.by_register:
        print("  records by register: " + ", ".join(f"{k} {v}" for k, v in result.by_register.items()))
    if result.refusals:
        print(f"  refused writes {len(result.refusals)}: {result.refusals[0]}")
    if result.resumed is not None:
        print(f"  writing resumed after space was freed: {'yes' if result.resumed else 'NO'}")
    for item in result.missing[:5]:
        print(f"  MISSING {item}")
    for item in result.audit_problems[:5]:
        print(f"  AUDIT {item}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="a few seconds: what the default test suite runs")
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0, help="each trial's length")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--disk-full", action="store_true", help="only the full-disk case")
    parser.add_argument("--no-disk-full", action="store_true", help="only the killed writers")
    args = parser.parse_args(argv)
    from deskapp.i18n import set_lang

    set_lang("zh")
    os.environ.setdefault("DESKAPP_CONFIG", os.devnull)
    ok = True
    with tempfile.TemporaryDirectory(prefix="deskapp-crash-") as tmp:
        if not args.disk_full:
            trials, writers, seconds = (2, 2, 1.0) if args.short else (args.trials, args.writers, args.seconds)
            folder = Path(tmp) / "kills"
            folder.mkdir()
            started = time.monotonic()
            result = run_trials(folder, trials=trials, writers=writers, seconds=seconds, seed=args.seed)
            report("killed writers", result)
            print(f"  registers: {', '.join(available_registers())}; {time.monotonic() - started:.1f} s")
            ok &= result.ok
        if not args.no_disk_full:
            folder = Path(tmp) / "full"
            folder.mkdir()
            result = disk_full(folder)
            report("full disk", result)
            if not result.skipped:
                db = getattr(result, "db")
                named = disk_full_refusals_ok(result, db)
                print(f"  every refusal says the disk is full and names {db}: {'yes' if named else 'NO'}")
                ok &= result.ok and named
    print("crash harness: " + ("all checks passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
