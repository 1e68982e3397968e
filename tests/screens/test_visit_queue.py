"""The return-visit queues (回访, F5) and the visit form, as a receptionist works them at 80x24."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from deskapp.config import Settings
from deskapp.services.desk import Desk
from deskapp.services.visits import MatterDone, slip_completed, visit_due_for
from deskapp.storage.engine import write_session
from deskapp.storage.models import DispatchSlip
from tests.screens.conftest import FROZEN, make_app, sign_in, wait_for
from tests.services.dbstate import query

SH = ZoneInfo("Asia/Shanghai")


def _plan(db_url: str) -> None:
    """Four repairs done before the frozen now (Tue 2026-11-24 09:30) and one complaint for the supervisor."""
    desk = Desk.open(Settings(database_url=db_url))
    table = DispatchSlip.__table__
    try:
        done = [FROZEN - timedelta(days=d) for d in (6, 1, 0)] + [FROZEN - timedelta(hours=1)]
        for i, at in enumerate(done, start=1):
            with write_session(desk.engine) as session:
                slip_id = session.connection().execute(insert(table).returning(table.c.id), {
                    "number": f"派工-2026-{i:06d}", "created_at": at - timedelta(hours=2), "customer_name": f"客户{i}",
                    "unit_code": f"{i}栋1单元101", "phone": f"1390000000{i}", "item": "水管", "owner_id": 2,
                    "completed_at": at, "status": "completed"}).scalar_one()
                slip_completed(session, desk, slip_id, actor_id=None, now=FROZEN)
        with write_session(desk.engine) as session:
            visit_due_for(session, desk, MatterDone("complaint", "投诉-2026-000009", FROZEN - timedelta(days=1),
                                                    unit_code="9-1-901", customer_name="钱女士"),
                          actor_id=None, now=FROZEN)
    finally:
        desk.engine.dispose()


@pytest.fixture
def visits_db(staffed_db):
    _plan(staffed_db)
    return staffed_db


def _lines(app) -> list[str]:
    visits = app.screen.query_one("RegisterList")
    return [visits.render_line(y).text for y in range(visits.total)]


async def _open_queue(pilot, app):
    from screens.visit_queue import VisitQueueScreen

    await pilot.press("f5")
    await wait_for(pilot, lambda: isinstance(app.screen, VisitQueueScreen))
    await wait_for(pilot, lambda: app.screen.query_one("RegisterList").total > 0
                   and "客户" in "".join(_lines(app)), what="the queue's first page")


class TestQueue:
    async def test_my_queue_is_grouped_by_due_with_countdowns_and_f8_shows_everyones(self, visits_db):
        app = make_app(visits_db, sign_in_as="李前台")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "5678")
            await _open_queue(pilot, app)
            lines = _lines(app)
            # done 11-18: due 11-20, overdue; 11-23: due 11-25 (next working day); 11-24: due 11-26 (later)
            assert [line.split()[0] for line in lines] == ["逾期", "次日", "以后", "以后"]
            assert "超" in lines[0] and "派工-2026-000001" in lines[0]
            assert all(cell in "".join(lines) for cell in ("客户1", "2栋1单元101"))
            assert "投诉-2026-000009" not in "".join(lines)  # the supervisor's
            await pilot.press("f8")
            await wait_for(pilot, lambda: app.screen.query_one("RegisterList").total == 5)
            await wait_for(pilot, lambda: "投诉-2026-000009" in "".join(_lines(app)))

    async def test_no_answer_is_counted_on_the_row(self, visits_db):
        app = make_app(visits_db, sign_in_as="李前台")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "5678")
            await _open_queue(pilot, app)
            await pilot.press("f9")
            await wait_for(pilot, lambda: "1次" in _lines(app)[0])
            assert query_db(visits_db, "SELECT attempts FROM return_visit WHERE source_number = '派工-2026-000001'") \
                == [(1,)]


def query_db(db_url: str, sql: str) -> list[tuple]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db_url.removeprefix("sqlite:///"))) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


class TestVisitForm:
    async def test_a_score_of_6_is_refused_then_an_unsatisfied_visit_raises_a_complaint(self, visits_db):
        from screens.visit_form import VisitFormScreen
        from screens.visit_queue import VisitQueueScreen

        app = make_app(visits_db, sign_in_as="李前台")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "5678")
            await _open_queue(pilot, app)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, VisitFormScreen))
            form = app.screen
            assert "派工-2026-000001" in str(form.query_one("#hint").render())
            await pilot.press("enter", *"好", "enter", *"没修好", "enter", "6", "enter", "enter", "enter", "y")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "5" in str(form.query_one("#error").render()))
            assert query_db(visits_db, "SELECT count(*) FROM return_visit WHERE status = 'done'") == [(0,)]
            form.field("score").set_raw("2")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, VisitQueueScreen))
            await wait_for(pilot, lambda: app.screen.query_one("RegisterList").total == 3)
            assert query_db(visits_db, "SELECT score, satisfaction, customer_confirmed, raised_complaint_id IS NOT NULL "
                                       "FROM return_visit WHERE source_number = '派工-2026-000001'") \
                == [(2, "unsatisfied", 1, 1)]
            assert query_db(visits_db, "SELECT description FROM complaint") == [("没修好",)]


class TestCalendarAtTheDesk:
    async def test_the_header_warns_from_30_days_before_the_calendar_ends(self, staffed_db):
        from deskapp.app import DeskApp
        from deskapp.core.countdown import MonotonicClock
        from deskapp.widgets.desk_header import DeskHeader

        december = datetime(2026, 12, 5, 1, 30, tzinfo=timezone.utc)  # 26 days before 2026-12-31
        app = DeskApp(Settings(database_url=staffed_db), sign_in_as="王主管",
                      clock=MonotonicClock(wall=lambda: december, monotonic=lambda: 1000.0))
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            line = app.screen.query_one(DeskHeader)
            await wait_for(pilot, lambda: "日历止于12-31" in line.render().plain)
            assert "2026-12-05" in line.render().plain and "王主管" in line.render().plain

    async def test_no_warning_while_more_than_30_days_are_known(self, staffed_db):
        from deskapp.widgets.desk_header import DeskHeader

        app = make_app(staffed_db)  # 2026-11-24: 37 days left
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            assert app.calendar_known is not None
            assert "日历" not in app.screen.query_one(DeskHeader).render().plain

    async def test_a_visit_due_beyond_the_calendar_says_so_on_the_queue_and_the_form(self, staffed_db):
        from screens.visit_form import VisitFormScreen

        desk = Desk.open(Settings(database_url=staffed_db))
        try:
            with write_session(desk.engine) as session:
                visit_due_for(session, desk, MatterDone("other", "其他-2026-1", FROZEN), actor_id=None, now=FROZEN)
                visit_due_for(session, desk, MatterDone("repair", "派工-2026-000077",
                                                        datetime(2026, 12, 31, 4, tzinfo=timezone.utc)),
                              actor_id=None, now=FROZEN)
        finally:
            desk.engine.dispose()
        app = make_app(staffed_db, sign_in_as="李前台")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "5678")
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.screen.query_one("RegisterList").total == 2)
            await wait_for(pilot, lambda: "其他-2026-1" in "".join(_lines(app)))
            detail = app.screen.query_one("#visit-detail")
            assert "超出" not in str(detail.render())
            await pilot.press("down")
            await wait_for(pilot, lambda: "超出已录入的官方日历" in str(detail.render()))
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, VisitFormScreen))
            warning = str(app.screen.query_one("#warning").render())
            assert "2027" in warning and "不是官方公布的" in warning and "2027-01-05" in warning

    async def test_f10_shows_the_month_end_analysis_and_steps_months(self, visits_db):
        from screens.visit_analysis import VisitAnalysisScreen

        app = make_app(visits_db, sign_in_as="李前台")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "5678")
            await _open_queue(pilot, app)
            await pilot.press("f10")
            await wait_for(pilot, lambda: isinstance(app.screen, VisitAnalysisScreen))
            body = app.screen.query_one("#analysis-body")
            await wait_for(pilot, lambda: "2026-11 回访月度分析" in str(body.render()))
            assert "逾期未回访：1 条" in str(body.render())  # 派工-2026-000001, due 11-20
            await pilot.press("left")
            await wait_for(pilot, lambda: "2026-10 回访月度分析" in str(body.render()))
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, VisitAnalysisScreen))
