"""Dispatch slips: rendering a slip (PDF, 80-column text) and the dispatch board's first paint.

    .venv/bin/python scripts/bench_slips.py            # prints the figures

1. Rendering: one slip with its steps and notes, rendered to the three-copy
   PDF (a new document and a font load each time, as every print does) and
   to the 80-column text; milliseconds per slip (median of the runs).
2. The board (F4): 200 open slips among 200,000 against 5 among 1,000. The
   closed slips are written straight into the table (the services would take
   half an hour for 200,000 at synchronous=FULL; the rows are the ones the
   services write for a closed slip); the open ones go through issue_slip.
   Measured: the board's first page query (count + first page, median of 50)
   and the first paint in the app (F4 pressed until its first rows are read,
   headless, a fresh app each time, median of 3). Goal: 200,000 at most 1.2x the 1,000 figure.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)


def _desk(path: Path):
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.reference import UnitDraft, add_department, add_units
    from deskapp.services.staff import add_staff

    desk = Desk.open(Settings(database_url=f"sqlite:///{path}"))
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=NOW - timedelta(days=400))
    for name, kind in (("工程部", "engineering"), ("环境部", "environment"), ("秩序部", "security"),
                       ("华建维保单位", "contractor")):
        add_department(desk, boss, name=name, kind=kind, now=NOW - timedelta(days=400))
    add_units(desk, boss, [UnitDraft(f"{b}-{e}-{f}0{r}") for b in range(1, 4) for e in (1, 2) for f in range(1, 11)
                           for r in (1, 2)], now=NOW - timedelta(days=400))
    return desk, boss


def bench_render() -> None:
    from deskapp.services import slip_print, slips
    from deskapp.services.slip_queries import get_slip
    from deskapp.services.slips import SlipDraft, issue_slip

    with tempfile.TemporaryDirectory() as folder:
        desk, boss = _desk(Path(folder) / "render.sqlite")
        made = issue_slip(desk, boss, SlipDraft(customer_name="张先生", unit="1-1-101", phone="13800138000",
                                                item="卫生间天花板漏水，怀疑楼上防水层破损，水顺着灯座往下滴" * 2,
                                                fee_item="更换水龙头", technician="赵师傅"), now=NOW)
        slips.notify_department(desk, boss, made.id, now=NOW)
        slips.accept_slip(desk, boss, made.id, now=NOW)
        slips.add_note(desk, boss, made.id, note="客户下午三点后在家", now=NOW)
        record = get_slip(desk, made.id)
        font = slip_print.find_cjk_font()
        pdf_ms, text_ms = [], []
        for _ in range(5):
            start = time.perf_counter()
            data = slip_print.render_pdf(record, site_name="物业客服中心", tz=desk.tz, font=font)
            pdf_ms.append((time.perf_counter() - start) * 1000)
        for _ in range(200):
            start = time.perf_counter()
            slip_print.render_text(record, site_name="物业客服中心", tz=desk.tz).encode("gb18030")
            text_ms.append((time.perf_counter() - start) * 1000)
        print(f"render PDF (3 copies, A4, {font.name}, {len(data):,} bytes): median {statistics.median(pdf_ms):.0f} ms"
              f" per slip (min {min(pdf_ms):.0f}, max {max(pdf_ms):.0f})")
        print(f"render 80-column text (GB18030): median {statistics.median(text_ms):.2f} ms per slip")
        desk.engine.dispose()


def _fill(desk, boss, *, total: int, open_: int) -> None:
    """`total - open_` closed slips written as rows, then `open_` issued through the service."""
    from sqlalchemy import insert

    from deskapp.services.numbering import next_numbers
    from deskapp.services.slips import SlipDraft, issue_slip
    from deskapp.storage.engine import write_session
    from deskapp.storage.models import DispatchSlip

    closed = total - open_
    table = DispatchSlip.__table__
    with write_session(desk.engine) as session:
        numbers = next_numbers(session, "slip", 2026, closed)
        rows = []
        for i, number in enumerate(numbers):
            at = NOW - timedelta(days=300) + timedelta(seconds=i * 120)
            rows.append({
                "number": number, "created_at": at, "customer_name": "张先生", "unit_code": "1栋1单元101",
                "phone": "13800138000", "item": "厨房水龙头滴水", "photos": "", "chargeable": True,
                "fee_item": "更换水龙头", "fee_yuan": Decimal(30), "in_fee_schedule": True, "under_warranty": False,
                "department_id": 1 + i % 3, "technician": f"师傅{i % 12}", "work_done": "已更换", "materials": "",
                "materials_check": "", "remarks": "", "customer_signed": True, "signed_at": at + timedelta(hours=1),
                "owner_id": boss.id, "notify_by": at + timedelta(minutes=5), "refused_reason": "",
                "fee_collected": True, "payment_method": "cash", "printed_count": 1, "status": "closed",
                "refused_by": "", "due_kind": "", "completed_at": at + timedelta(hours=1)})
            if len(rows) == 5000:
                session.connection().execute(insert(table), rows)
                rows = []
        if rows:
            session.connection().execute(insert(table), rows)
    for i in range(open_):
        issue_slip(desk, boss, SlipDraft(customer_name="李女士", unit="2-1-101", item=f"第{i}张 下水道堵塞",
                                         fee_item="疏通下水道", technician=f"师傅{i % 7}"), now=NOW - timedelta(minutes=i))


def bench_board() -> None:
    from deskapp.services.slip_queries import count_board, fetch_board

    results = {}
    for total, open_ in ((1_000, 5), (200_000, 200)):
        folder = tempfile.mkdtemp()
        path = Path(folder) / f"board-{total}.sqlite"
        desk, boss = _desk(path)
        start = time.perf_counter()
        _fill(desk, boss, total=total, open_=open_)
        built = time.perf_counter() - start
        times = []
        for _ in range(50):
            start = time.perf_counter()
            count_board(desk)
            fetch_board(desk)
            times.append((time.perf_counter() - start) * 1000)
        paint = asyncio.run(_first_paint(str(path)))
        results[total] = (statistics.median(times), paint)
        print(f"board {open_} open among {total:,} (built in {built:.1f} s): count + first page median "
              f"{statistics.median(times):.2f} ms; F4 to first rows drawn median {paint:.0f} ms")
        desk.engine.dispose()
    q = results[200_000][0] / results[1_000][0]
    p = results[200_000][1] / results[1_000][1]
    print(f"ratio 200,000 / 1,000: query {q:.2f}x, first paint {p:.2f}x (goal at most 1.2x)")


async def _first_paint(url_path: str, runs: int = 3) -> float:
    """F4 pressed (signed in, on the call log) until the board's first rows are read, in a fresh app each run."""
    from deskapp.app import DeskApp
    from deskapp.config import Settings
    from deskapp.core.countdown import MonotonicClock

    times = []
    for _ in range(runs):
        clock = MonotonicClock(wall=lambda: NOW, monotonic=time.monotonic)
        app = DeskApp(Settings(database_url=f"sqlite:///{url_path}"), sign_in_as="王主管", clock=clock)
        async with app.run_test(size=(80, 24)) as pilot:
            while not (type(app.screen).__name__ == "SignInScreen" and app.focused is not None
                       and app.focused.id == "pin"):
                await pilot.pause(0.05)
            await pilot.press(*"1234", "enter")
            while type(app.screen).__name__ != "CallLogScreen":
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            start = time.perf_counter()
            await pilot.press("f4")
            while True:
                if type(app.screen).__name__ == "SlipBoardScreen":
                    board = app.screen.query_one("RegisterList")
                    if board.total and 0 in board._rows:
                        break
                await pilot.pause(0.002)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    bench_render()
    bench_board()
