"""Month-end analysis of return visits on prepared data (回访月度分析)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from deskapp.errors import InputError
from deskapp.services.visit_analysis import month_end, report_lines
from deskapp.services.visits import (MatterDone, VisitReport, complaint_completed, record_visit, report_completed,
                                     slip_completed)
from deskapp.storage.engine import write_session
from deskapp.storage.models import Complaint, DispatchSlip

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(timezone.utc)


def _complaint(desk, owner, number, unit, subject, received, completed=None) -> int:
    table = Complaint.__table__
    with write_session(desk.engine) as session:
        return session.connection().execute(insert(table).returning(table.c.id), {
            "number": number, "received_at": received, "channel": "phone", "unit_code": unit, "subject": subject,
            "description": "", "owner_id": owner, "severity": "ordinary", "loss_yuan": Decimal(0),
            "status": "done" if completed else "open", "completed_at": completed}).scalar_one()


def _slip(desk, owner, number, unit, fee_item, item, created, completed=None) -> int:
    table = DispatchSlip.__table__
    with write_session(desk.engine) as session:
        return session.connection().execute(insert(table).returning(table.c.id), {
            "number": number, "created_at": created, "unit_code": unit, "fee_item": fee_item, "item": item,
            "owner_id": owner, "completed_at": completed, "status": "completed" if completed else "open"}).scalar_one()


@pytest.fixture
def month(desk, receptionist, supervisor):
    me = receptionist.id
    # complaints: 3-1-101 about 噪音 twice in a row, then 电梯, then 噪音 again (a new run of 1);
    # 5-1-501 about 保洁 twice but with another matter between (not in a row)
    for i, (unit, subject) in enumerate([("3栋1单元101", "噪音"), ("5栋1单元501", "保洁"), ("3栋1单元101", "噪音"),
                                         ("5栋1单元501", "电梯"), ("3栋1单元101", "电梯"), ("5栋1单元501", "保洁"),
                                         ("3栋1单元101", "噪音")], start=1):
        _complaint(desk, me, f"投诉-2026-{100 + i:06d}", unit, subject, local(2026, 11, 2 + i, 9, 0))
    # repairs: the same fee item 3 times in one unit (words differ), the same words 3 times in another,
    # twice in a third (not listed), and one in October (outside the month)
    slips = [("1栋1单元101", "换水龙头", "厨房龙头滴水"), ("1栋1单元101", "换水龙头", "龙头坏了"),
             ("1栋1单元101", "换水龙头", "又滴水"), ("2栋1单元201", "", "卫生间  漏水"),
             ("2栋1单元201", "", "卫生间 漏水"), ("2栋1单元201", "", "卫生间 漏水"),
             ("4栋1单元401", "换灯", "灯不亮"), ("4栋1单元401", "换灯", "灯不亮")]
    ids = [_slip(desk, me, f"派工-2026-{i:06d}", u, f, w, local(2026, 11, 3 + i, 10, 0),
                 completed=local(2026, 11, 3 + i, 15, 0)) for i, (u, f, w) in enumerate(slips, start=1)]
    _slip(desk, me, "派工-2026-000099", "4栋1单元401", "换灯", "灯不亮", local(2026, 10, 20, 10, 0))
    planned = []
    with write_session(desk.engine) as session:
        for slip_id in ids:
            planned.append(slip_completed(session, desk, slip_id, actor_id=None, now=NOW))
    # two visits done: one unsatisfied (raises a complaint), one satisfied but late; the rest overdue or due
    record_visit(desk, receptionist, planned[0].id, VisitReport(score=1, shortcomings="还是滴水",
                                                                customer_confirmed=True), now=local(2026, 11, 5, 10))
    record_visit(desk, receptionist, planned[1].id, VisitReport(score=5, customer_confirmed=True),
                 now=local(2026, 11, 20, 10))
    for i in range(10):
        report_completed(desk, receptionist, MatterDone("activity", f"活动-2026-{i:06d}", local(2026, 11, 14, 16)),
                         now=NOW)
    return planned


def test_the_three_lists_on_prepared_data(desk, month):
    a = month_end(desk, "2026-11", now=NOW)
    assert [(u.source_number, u.score, u.shortcomings) for u in a.unsatisfied] == [("派工-2026-000001", 1, "还是滴水")]
    assert a.unsatisfied[0].raised_complaint == "投诉-2026-000001"
    assert [(r.unit_code, r.what, r.numbers) for r in a.repeat_complaints] == [
        ("3栋1单元101", "噪音", ("投诉-2026-000101", "投诉-2026-000103"))]
    assert sorted((r.unit_code, r.what, r.times) for r in a.repeat_repairs) == [
        ("1栋1单元101", "换水龙头", 3), ("2栋1单元201", "卫生间 漏水", 3)]


def test_visits_done_against_the_share_and_overdue(desk, month):
    a = month_end(desk, "2026-11", now=NOW)
    repair = next(s for s in a.shares if s.kind == "repair")
    assert (repair.completed, repair.required, repair.done, repair.on_time) == (8, 8, 2, 1)
    activity = next(s for s in a.shares if s.kind == "activity")
    assert (activity.completed, activity.share_percent, activity.required) == (10, 20, 2)
    # due by NOW and not done: the repairs completed up to 11-25 (due 2 working days on)
    assert all(o.due_on < date(2026, 11, 30) for o in a.overdue) and len(a.overdue) >= 4
    assert "派工-2026-000001" not in {o.source_number for o in a.overdue}
    text = "\n".join(report_lines(a))
    assert "2026-11" in text and "派工-2026-000001" in text


def test_a_month_written_wrong_is_refused(desk):
    for bad in ("2026-13", "2026/11", "11", "", "2026-1"):
        with pytest.raises(InputError):
            month_end(desk, bad, now=NOW)


def test_records_past_the_keep_years_are_counted_for_archiving(desk, receptionist):
    report_completed(desk, receptionist, MatterDone("other", "其他-old", local(2024, 3, 1, 10)), now=NOW)
    report_completed(desk, receptionist, MatterDone("other", "其他-new", local(2026, 3, 1, 10)), now=NOW)
    a = month_end(desk, "2026-11", now=NOW)
    assert a.to_archive == 1 and a.archive_before == date(2024, 11, 1)
