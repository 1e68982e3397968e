#!/usr/bin/env python
"""Return visits (回访): the queue's first paint and the month-end analysis. Prints figures, asserts nothing.

1. The F5 queue's first paint (key pressed -> first page of due visits drawn),
   at 80x24 in a headless Textual app, with 500 due visits among 200,000 done
   against 5 among 1,000 (goal: at most 1.2x). Median and best of --runs.
2. The month-end analysis (every month of a year, as `deskapp visits analysis`)
   over a busy site's year: 200,000 calls (demo data), 50,000 slips, 30,000
   visits with their weighed completions, 10,000 complaints: seconds per month.

Records other than calls are bulk-inserted as rows (the services' own paths
are tested elsewhere; 280,000 service calls would only time the builder).

    .venv/bin/python scripts/bench_visits.py                      # temp dir
    .venv/bin/python scripts/bench_visits.py --keep /tmp/bv --runs 7
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from deskapp.config import Settings  # noqa: E402
from deskapp.core.countdown import MonotonicClock  # noqa: E402
from deskapp.services.desk import Desk  # noqa: E402
from deskapp.storage.engine import read_session, write_session  # noqa: E402
from deskapp.storage.models import Complaint, CompletedMatter, DispatchSlip, ReturnVisit  # noqa: E402

NOW = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)  # Tue 09:30 in Shanghai
YEAR_START = datetime(2025, 12, 1, tzinfo=timezone.utc)
KINDS = ("repair", "repair", "repair", "complaint", "activity", "other", "special")
UNITS = [f"{b}栋{e}单元{f:02d}0{r}" for b in range(1, 31) for e in (1, 2) for f in range(1, 19) for r in (1, 2)]


def visit_rows(n: int, *, due: bool, rng: random.Random, start: int, span: tuple[datetime, datetime]) -> list[dict]:
    lo, hi = span
    seconds = int((hi - lo).total_seconds())
    rows = []
    for i in range(start, start + n):
        done = lo + timedelta(seconds=rng.randrange(seconds))
        due_by = done + timedelta(days=rng.choice((1, 2, 3, 4)))
        unit = rng.choice(UNITS)
        row = {"number": f"回访-b-{i:07d}", "kind": rng.choice(KINDS), "unit_code": unit,
               "phone": f"139{rng.randrange(10**8):08d}", "customer_name": "客户", "source_number": f"派工-x-{i:06d}",
               "completed_at": done, "due_on": due_by.date(), "due_by": due_by, "assigned_role": "receptionist",
               "status": "due" if due else "done", "attempts": 0 if due else 1}
        if not due:
            row.update(visited_at=done + timedelta(days=1), method="phone", score=rng.choice((5, 5, 4, 4, 3, 2)),
                       customer_confirmed=True)
            row["satisfaction"] = "unsatisfied" if row["score"] <= 2 else "satisfied"
        rows.append(row)
    return rows


def insert_rows(desk: Desk, table, rows: list[dict], chunk: int = 5000) -> list[int]:
    ids: list[int] = []
    with write_session(desk.engine) as session:
        conn = session.connection()
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        for i in range(0, len(rows), chunk):
            ids += conn.execute(stmt, rows[i:i + chunk]).scalars().all()
    return ids


def build_queue_db(path: Path, done: int, due: int) -> Desk:
    from deskapp.services.staff import add_staff

    desk = Desk.open(Settings(database_url=f"sqlite:///{path}"))
    with read_session(desk.engine) as session:
        have = session.execute(select(func.count()).select_from(ReturnVisit)).scalar_one()
    if have:
        return desk
    t0 = time.perf_counter()
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=NOW)
    add_staff(desk, name="李前台", role="receptionist", pin="5678", actor=boss, now=NOW)
    rng = random.Random(16)
    table = ReturnVisit.__table__
    insert_rows(desk, table, visit_rows(done, due=False, rng=rng, start=1, span=(NOW - timedelta(days=700), NOW)))
    insert_rows(desk, table, visit_rows(due, due=True, rng=rng, start=done + 1,
                                        span=(NOW - timedelta(days=5), NOW)))
    print(f"  built {path.name}: {done:,} done + {due:,} due visits in {time.perf_counter() - t0:.1f} s", flush=True)
    return desk


async def _first_paints(url: str, runs: int) -> list[float]:
    from deskapp.app import DeskApp
    from deskapp.i18n import set_lang
    from screens.visit_queue import VisitQueueScreen

    set_lang("zh")
    out = []
    for _ in range(runs):
        app = DeskApp(Settings(database_url=url), sign_in_as="李前台",
                      clock=MonotonicClock(wall=lambda: NOW, monotonic=time.monotonic))
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(400):
                if app.focused is not None and app.focused.id == "pin":
                    break
                await pilot.pause(0.02)
            await pilot.press(*"5678", "enter")
            for _ in range(400):
                if type(app.screen).__name__ == "CallLogScreen" and not app.screen.query_one("RegisterList").is_loading:
                    break
                await pilot.pause(0.02)
            await pilot.pause(0.2)
            t0 = time.perf_counter()
            await pilot.press("f5")
            while True:
                screen = app.screen
                if isinstance(screen, VisitQueueScreen):
                    visits = screen.query_one("RegisterList")
                    if visits.total and "客户" in visits.render_line(0).text:
                        break
                await asyncio.sleep(0.002)
            out.append(time.perf_counter() - t0)
    return out


def first_paint(desk: Desk, runs: int) -> list[float]:
    url = str(desk.engine.url)
    desk.engine.dispose()
    return asyncio.run(_first_paints(url, runs))


def build_year(path: Path, calls: int, slips: int, visits: int, complaints: int) -> Desk:
    from deskapp.demo import fill_demo

    desk = Desk.open(Settings(database_url=f"sqlite:///{path}"))
    with read_session(desk.engine) as session:
        if session.execute(select(func.count()).select_from(DispatchSlip)).scalar_one():
            return desk
    t0 = time.perf_counter()
    fill_demo(desk, calls=calls, months=12, now=NOW)
    rng = random.Random(17)
    span = (NOW - timedelta(days=360), NOW)
    seconds = int((span[1] - span[0]).total_seconds())
    slip_rows, complaint_rows = [], []
    items = ["厨房水管漏水", "卫生间下水堵塞", "灯不亮", "门锁坏了", "空调不制冷", "墙面渗水"]
    for i in range(1, slips + 1):
        at = span[0] + timedelta(seconds=rng.randrange(seconds))
        slip_rows.append({"number": f"派工-b-{i:06d}", "created_at": at, "unit_code": rng.choice(UNITS),
                          "item": rng.choice(items), "fee_item": rng.choice(("", "换水龙头", "疏通下水", "换灯")),
                          "owner_id": 4, "completed_at": at + timedelta(hours=3), "status": "completed"})
    for i in range(1, complaints + 1):
        at = span[0] + timedelta(seconds=rng.randrange(seconds))
        complaint_rows.append({"number": f"投诉-b-{i:06d}", "received_at": at, "channel": "phone",
                               "unit_code": rng.choice(UNITS), "subject": rng.choice(("噪音", "保洁", "电梯", "停车")),
                               "owner_id": 4, "severity": "ordinary", "status": "done"})
    insert_rows(desk, DispatchSlip.__table__, slip_rows)
    insert_rows(desk, Complaint.__table__, complaint_rows)
    done = visit_rows(visits - 300, due=False, rng=rng, start=1, span=span)
    due = visit_rows(300, due=True, rng=rng, start=visits - 299, span=(NOW - timedelta(days=10), NOW))
    ids = insert_rows(desk, ReturnVisit.__table__, done) + insert_rows(desk, ReturnVisit.__table__, due)
    matters = [{"kind": r["kind"], "source_number": r["source_number"], "stage": "", "completed_at": r["completed_at"],
                "sampled": True, "visit_id": vid} for r, vid in zip(done + due, ids)]
    insert_rows(desk, CompletedMatter.__table__, matters)
    print(f"  built {path.name}: {calls:,} calls, {slips:,} slips, {complaints:,} complaints, {visits:,} visits "
          f"in {time.perf_counter() - t0:.1f} s", flush=True)
    return desk


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the databases in this folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--big", type=int, default=200_000, help="done visits beside the 500 due")
    parser.add_argument("--only", choices=("queue", "analysis"), help="run one of the two parts")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-visits-"))
    folder.mkdir(parents=True, exist_ok=True)

    if args.only != "analysis":
        queue_part(folder, args)
    if args.only != "queue":
        analysis_part(folder, args)


def queue_part(folder: Path, args) -> None:
    print("Queue first paint (F5 pressed -> first page drawn), 80x24, headless:")
    small = first_paint(build_queue_db(folder / "queue-small.sqlite", 1_000, 5), args.runs)
    big = first_paint(build_queue_db(folder / "queue-big.sqlite", args.big, 500), args.runs)
    for label, values in (("5 due among 1,000", small), (f"500 due among {args.big:,}", big)):
        print(f"  {label:>24}: median {statistics.median(values) * 1000:7.1f} ms, "
              f"best {min(values) * 1000:7.1f} ms  ({', '.join(f'{v * 1000:.0f}' for v in values)})")
    print(f"  ratio (big/small): median {statistics.median(big) / statistics.median(small):.2f}x, "
          f"best {min(big) / min(small):.2f}x  (goal <= 1.2x)")



def analysis_part(folder: Path, args) -> None:
    print("Month-end analysis over a year of a busy site:")
    desk = build_year(folder / "year.sqlite", args.calls, 50_000, 30_000, 10_000)
    from deskapp.services.visit_analysis import month_end

    per_month = []
    for m in range(12):
        month = f"{(YEAR_START + timedelta(days=31 * m)):%Y-%m}"
        t0 = time.perf_counter()
        found = month_end(desk, month, now=NOW)
        per_month.append((month, time.perf_counter() - t0, found))
    total = sum(s for _, s, _ in per_month)
    worst = max(per_month, key=lambda x: x[1])
    print(f"  12 months: {total:.2f} s in all, worst {worst[0]} {worst[1]:.3f} s, "
          f"median {statistics.median(s for _, s, _ in per_month):.3f} s per month")
    last = per_month[-1][2]
    print(f"  {per_month[-1][0]}: {len(last.unsatisfied):,} unsatisfied, {len(last.repeat_complaints):,} repeated "
          f"complaints, {len(last.repeat_repairs):,} repeated repairs, {len(last.overdue):,} overdue")
    desk.engine.dispose()


if __name__ == "__main__":
    main()
