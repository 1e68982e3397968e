#!/usr/bin/env python
"""Data in and out at scale: prints figures, asserts nothing.

1. `deskapp export calls` of every call to CSV (the service's own path, in this
   process) against the `sqlite3` command-line shell writing the same 13
   columns as CSV in the same run (goal: at least 0.5x the shell's rows/s).
2. Peak memory (ru_maxrss) of the XLSX export at about 100,000 and at all
   1,000,000 calls, each in a fresh process, beside a process that only opens
   the desk (goal: the same within 10%).
3. The roster import of 50,000 rows from an .xlsx: reading, the import (one
   transaction), and the same file again (nothing to change).

    .venv/bin/python scripts/bench_exchange.py                    # builds 1,000,000 demo calls in a temp dir
    .venv/bin/python scripts/bench_exchange.py --db /tmp/b/calls-1000000.sqlite   # reuse one (not written to)
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 3, 15, 10, 30, tzinfo=timezone.utc)  # as bench_calllog: a kept database is the same
SHELL_SQL = ("SELECT c.number, c.at, c.channel, c.category, c.caller_name, c.phone, c.unit_code, c.content, "
             "c.reply, s.name, c.status, c.due_by, c.flagged_phrases FROM call c JOIN staff s ON s.id = c.owner_id "
             "ORDER BY c.at, c.id")

# Runs in a fresh process: one XLSX export (or none), then its own peak RSS.
CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from deskapp.config import Settings
from deskapp.services.desk import Desk
from deskapp.services import export as ex
from deskapp.services.export_files import write_export
desk = Desk.open(Settings(database_url="sqlite:///" + sys.argv[2]), create=False)
rows, seconds = 0, 0.0
if sys.argv[3] != "none":
    req = ex.make_request("calls", start=sys.argv[3] if sys.argv[3] != "all" else None)
    t0 = time.perf_counter()
    with open(sys.argv[4], "wb") as out:
        rows = write_export(desk, req, "xlsx", out)
    seconds = time.perf_counter() - t0
print(json.dumps({"rows": rows, "seconds": seconds, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def build(path: Path, calls: int):
    from deskapp.config import Settings
    from deskapp.demo import fill_demo
    from deskapp.services.desk import Desk

    desk = Desk.open(Settings(database_url=f"sqlite:///{path}"))
    t0 = time.perf_counter()
    fill_demo(desk, calls=calls, now=NOW)
    print(f"built {calls:,} demo calls in {time.perf_counter() - t0:.0f} s")
    return desk


def csv_race(desk, db: Path, work: Path) -> None:
    from deskapp.services import export as ex
    from deskapp.services.export_files import write_export

    req = ex.make_request("calls")
    ours = work / "ours.csv"
    # Wall time, and CPU time (this machine is shared: CPU time is what each side itself cost).
    t0, c0 = time.perf_counter(), time.process_time()
    with ours.open("wb") as out:
        rows = write_export(desk, req, "csv", out)
    our_s, our_cpu = time.perf_counter() - t0, time.process_time() - c0
    shell = work / "shell.csv"
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with shell.open("wb") as out:
        subprocess.run(["sqlite3", "-csv", "-header", f"file:{db}?mode=ro", SHELL_SQL], stdout=out, check=True)
    shell_s = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    shell_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(f"\nCSV export of {rows:,} calls (13 columns)")
    print(f"  deskapp export   {our_s:7.1f} s wall {rows / our_s:10,.0f} rows/s   {our_cpu:6.1f} s CPU "
          f"{rows / our_cpu:10,.0f} rows/CPU-s  {ours.stat().st_size / 1e6:6.1f} MB"
          "  (masked phones, local times, labels, neutralised text, BOM)")
    print(f"  sqlite3 shell    {shell_s:7.1f} s wall {rows / shell_s:10,.0f} rows/s   {shell_cpu:6.1f} s CPU "
          f"{rows / shell_cpu:10,.0f} rows/CPU-s  {shell.stat().st_size / 1e6:6.1f} MB  (raw stored values)")
    print(f"  ratio            {shell_s / our_s:.2f}x the shell's rate by wall time, {shell_cpu / our_cpu:.2f}x by CPU"
          " time (goal >= 0.5x)")
    ours.unlink()
    shell.unlink()


def start_for(desk, rows: int) -> str:
    """The local date from which about `rows` calls remain (the newest)."""
    from sqlalchemy import select

    from deskapp.storage.models import Call

    with desk.engine.connect() as conn:
        at = conn.execute(select(Call.at).order_by(Call.at.desc(), Call.id.desc()).offset(rows).limit(1)).scalar()
    return (at.astimezone(desk.tz).date() + timedelta(days=1)).isoformat() if at else date(2000, 1, 1).isoformat()


def xlsx_memory(desk, db: Path, work: Path) -> None:
    print("\nXLSX export, peak memory of a fresh process (ru_maxrss)")
    for label, start in (("desk opened, no export", "none"), ("~100,000 calls", start_for(desk, 100_000)),
                         ("all calls", "all")):
        out = work / "x.xlsx"
        done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(db), start, str(out)],
                              capture_output=True, text=True, check=True)
        fig = json.loads(done.stdout.strip().splitlines()[-1])
        rate = f"{fig['rows'] / fig['seconds']:8,.0f} rows/s" if fig["rows"] else ""
        size = f"{out.stat().st_size / 1e6:6.1f} MB" if out.exists() else ""
        print(f"  {label:24} {fig['rows']:>9,} rows  {fig['maxrss_kib'] / 1024:6.1f} MiB peak  "
              f"{fig['seconds']:6.1f} s  {rate}  {size}")
        out.unlink(missing_ok=True)


def roster(work: Path, rows: int = 50_000) -> None:
    import xlsxwriter

    from deskapp.config import Settings
    from deskapp.services import roster as rosters
    from deskapp.services.desk import Desk
    from deskapp.services.staff import add_staff

    path = work / "roster.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["楼栋", "单元", "房号", "姓名", "电话", "身份"])
    for i in range(rows):  # phones as numbers, as offices keep them
        sheet.write_row(i + 1, 0, [1 + i // 2000, 1 + (i // 500) % 4, 101 + i % 500, f"住户{i}",
                                   13000000000 + i, "业主" if i % 3 else "租户"])
    book.close()
    desk = Desk.open(Settings(database_url=f"sqlite:///{work / 'roster.sqlite'}"))
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None)
    T, C = time.perf_counter, time.process_time
    t0, c0 = T(), C()
    checked = rosters.read_roster(path)
    read_s, read_c = T() - t0, C() - c0
    t0, c0 = T(), C()
    plan = rosters.import_roster(desk, boss, checked, source=path.name)
    import_s, import_c = T() - t0, C() - c0
    t0, c0 = T(), C()
    again = rosters.import_roster(desk, boss, rosters.read_roster(path), source=path.name)
    again_s, again_c = T() - t0, C() - c0
    print(f"\nRoster import of {rows:,} rows (.xlsx, {path.stat().st_size / 1e6:.1f} MB), wall / CPU seconds")
    print(f"  read and check   {read_s:6.2f} / {read_c:5.2f} s  ({len(checked.entries):,} good rows, "
          f"{len(checked.refused)} refused)")
    print(f"  import           {import_s:6.2f} / {import_c:5.2f} s  ({len(plan.added):,} residents, "
          f"{plan.new_units:,} units, their audit events; one transaction)")
    print(f"  same file again  {again_s:6.2f} / {again_c:5.2f} s  (read + compare; {again.unchanged:,} unchanged, "
          f"{len(again.added)} added)")
    print(f"  total first run  {read_s + import_s:6.2f} / {read_c + import_c:5.2f} s")
    desk.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="an existing database of demo calls (read only)")
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls to build when no --db")
    parser.add_argument("--roster-only", action="store_true", help="only the roster import")
    args = parser.parse_args()
    if args.roster_only:
        with tempfile.TemporaryDirectory(prefix="bench-exchange-") as tmp:
            roster(Path(tmp))
        return
    if shutil.which("sqlite3") is None:
        sys.exit("the sqlite3 command-line shell is needed (apt-get install sqlite3)")
    from deskapp.config import Settings
    from deskapp.services.desk import Desk

    with tempfile.TemporaryDirectory(prefix="bench-exchange-") as tmp:
        work = Path(tmp)
        if args.db:
            db = args.db.resolve()
            desk = Desk.open(Settings(database_url=f"sqlite:///{db}"), create=False)
        else:
            db = work / "calls.sqlite"
            desk = build(db, args.calls)
        csv_race(desk, db, work)
        xlsx_memory(desk, db, work)
        desk.engine.dispose()
        roster(work)


if __name__ == "__main__":
    main()
