"""The dispatch slips at the desk: Ctrl+T 办理 on a repair call issues its slip, the
board (F4) counts down, the record walks the steps; bad input is refused on the form."""

from __future__ import annotations

from datetime import timedelta

from screens.call_log import CallLogScreen
from tests.screens.conftest import FROZEN, make_app, sign_in, wait_for
from tests.services.dbstate import query, scalar


def _site(db_url: str, *, slip: bool = False):
    """工程部 on the department list (the staffed desk has none), and optionally one slip issued."""
    from deskapp.config import Settings
    from deskapp.services.desk import Desk
    from deskapp.services.reference import add_department
    from deskapp.services.slips import SlipDraft, issue_slip
    from deskapp.services.staff import list_staff

    desk = Desk.open(Settings(database_url=db_url))
    try:
        boss = next(a for a in list_staff(desk) if a.name == "王主管")
        add_department(desk, boss, name="工程部", kind="engineering", now=FROZEN - timedelta(days=1))
        if slip:
            issue_slip(desk, boss, SlipDraft(unit="1-1-101", item="客厅灯不亮", fee_item="更换灯具",
                                             customer_name="赵先生"), now=FROZEN - timedelta(minutes=2))
    finally:
        desk.engine.dispose()


class _Db:
    """What tests.services.dbstate reads a database by: an engine (never connected here;
    dbstate opens its own sqlite3 connection to the engine's file)."""

    def __init__(self, url):
        from sqlalchemy import create_engine

        self.engine = create_engine(url)


class TestFollowUp:
    async def test_ctrl_t_on_a_repair_call_issues_its_slip_and_the_call_stops_waiting(self, staffed_db):
        _site(staffed_db)
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            await wait_for(pilot, lambda: calls.current is not None)
            await pilot.press("down")  # the repair call (钱女士, 5-2-1803) is the second newest
            await wait_for(pilot, lambda: calls.current.category == "repair")
            assert "Ctrl+T" in str(app.screen.query_one("#detail").render())
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipFormScreen")
            form = app.screen
            assert form.field("unit").raw == "5栋2单元1803" and form.field("customer_name").raw == "钱女士"
            assert "厨房水管漏水" in form.field("item").raw
            form.field("department").set_raw("工程")
            await wait_for(pilot, lambda: form.field("department")._choices_for == "工程")
            form.field("department").focus()
            await pilot.press("down", "enter")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen), what="the form closed on save")
            await wait_for(pilot, lambda: calls.current is not None and calls.current.status == "slipped")
        db = _Db(staffed_db)
        assert query(db, "SELECT number, customer_name, unit_code, in_fee_schedule, due_kind FROM dispatch_slip") == [
            ("派工-2026-000001", "钱女士", "5栋2单元1803", 0, "notify")]
        assert scalar(db, "SELECT count(*) FROM call WHERE status = 'awaiting_slip'") == 0

    async def test_ctrl_t_on_an_enquiry_has_nothing_to_follow_up(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            await wait_for(pilot, lambda: calls.current is not None)
            await pilot.press("down", "down")  # the enquiry is the oldest of the three
            await wait_for(pilot, lambda: calls.current.category == "enquiry")
            await pilot.press("ctrl+t")
            await pilot.pause(0.2)
            assert isinstance(app.screen, CallLogScreen)
            assert any("无需办理" in str(n.message) for n in app._notifications)


class TestIssueForm:
    async def test_a_fee_item_outside_the_schedule_is_refused_and_nothing_written(self, staffed_db):
        _site(staffed_db)
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await pilot.press("f4")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipBoardScreen")
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipFormScreen")
            form = app.screen
            form.field("unit").set_raw("1-1-101")
            form.field("item").set_raw("换灯泡")
            form.field("fee_item").set_raw("换灯泡服务")
            await pilot.press("ctrl+s")
            # the picker itself refuses text that is none of its choices
            await wait_for(pilot, lambda: "换灯泡服务" in str(form.query_one("#error").render()))
            assert type(app.screen).__name__ == "SlipFormScreen"
        assert scalar(_Db(staffed_db), "SELECT count(*) FROM dispatch_slip") == 0


class TestBoardAndRecord:
    async def test_the_board_counts_down_and_the_record_walks_the_next_step(self, staffed_db):
        _site(staffed_db, slip=True)
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await pilot.press("f4")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipBoardScreen")
            board = app.screen.query_one("RegisterList")
            await wait_for(pilot, lambda: board.total == 1 and board.current is not None)
            line = "".join(segment.text for segment in board.render_line(0))
            assert "工程部" in line and "通知 03:00" in line  # issued 2 min ago, 5 min to notify
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipRecordScreen"
                           and app.screen.slip is not None)
            assert "下一步：通知部门" in str(app.screen.query_one("#record-head").render())
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipStepScreen")
            await pilot.press(*"工程部小刘", "enter", "enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipRecordScreen"
                           and app.screen.slip is not None and app.screen.slip.status == "notified")
            body = str(app.screen.query_one("#record-body").render())
            assert "通知部门 王主管 → 工程部小刘" in body
            await pilot.press("ctrl+x")  # refused: reason and supervisor both asked for
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipStepScreen")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "拒绝原因" in str(app.screen.query_one("#error").render()))
            await pilot.press("escape")  # nothing typed: closes without asking
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipRecordScreen")
            await pilot.press("f9")  # the three copies as a PDF beside the database, counted
            await wait_for(pilot, lambda: app.screen.slip is not None and app.screen.slip.printed_count == 1,
                           timeout=60)
            await pilot.press("escape")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipBoardScreen")
            assert board.current.status == "notified"
        assert scalar(_Db(staffed_db), "SELECT due_kind FROM dispatch_slip") == ""
        from pathlib import Path

        printed = Path(staffed_db.removeprefix("sqlite:///")).parent / "slips" / "派工-2026-000001.pdf"
        assert printed.read_bytes().startswith(b"%PDF")
