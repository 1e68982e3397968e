"""Complaints at the desk, driven with Pilot: from a 投诉 call to a forwarded, signed-for complaint."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine, text

from deskapp.registry import FOLLOW_UP
from screens.call_log import CallLogScreen
from tests.screens.conftest import FROZEN, make_app, sign_in, wait_for


def _rows(db_url: str, sql: str):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).fetchall()
    finally:
        engine.dispose()


def _screen(app) -> str:
    return type(app.screen).__name__


def test_every_follow_up_form_takes_the_call():
    import importlib

    module, cls = FOLLOW_UP["complaint"]
    assert getattr(importlib.import_module(module), cls).__name__ == "ComplaintFormScreen"
    assert hasattr(importlib.import_module(module), "followed_up")


async def test_from_a_complaint_call_to_a_forwarded_complaint_in_a_few_keys(staffed_db):
    app = make_app(staffed_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        calls = app.screen.query_one("RegisterList")
        await wait_for(pilot, lambda: calls.current is not None and calls.current.category == "complaint")
        await pilot.press("ctrl+t")  # 办理
        await wait_for(pilot, lambda: _screen(app) == "ComplaintFormScreen")
        form = app.screen
        assert form.field("phone").raw == "13600003333" and form.field("unit").raw == "8栋1单元302"
        assert "噪音" in form.field("description").raw
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintRecordScreen" and app.screen.record is not None)
        assert app.screen.record.status == "registered" and app.screen.record.call_number
        await pilot.press("f")  # 转交签收
        await wait_for(pilot, lambda: _screen(app) == "StepForm")
        await pilot.press("tab")  # department left empty: the desk handles it itself
        await pilot.press(*"zhang", "ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintRecordScreen" and app.screen.record is not None
                       and app.screen.record.status == "forwarded")
        body = str(app.screen.query_one("#complaint-body").render())
        assert "zhang" in body and "超时" in body  # the call came in an hour before: forwarded late
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
        await wait_for(pilot, lambda: calls.current is not None and calls.current.status == "complained")
        await pilot.press("ctrl+t")  # followed up already: said, nothing opens
        await pilot.pause()
        assert isinstance(app.screen, CallLogScreen)
        await pilot.press("f3")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintsScreen")
        register = app.screen.query_one("RegisterList")
        await wait_for(pilot, lambda: register.total == 1 and register.current is not None)
    assert _rows(staffed_db, "SELECT status, signed_for_by FROM complaint") == [("forwarded", "zhang")]
    assert _rows(staffed_db, "SELECT count(*) FROM call WHERE status = 'complained'") == [(1,)]


async def test_the_class_is_proposed_as_the_facts_are_typed_and_critical_needs_a_deadline(staffed_db):
    app = make_app(staffed_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintsScreen")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintFormScreen")
        form = app.screen
        await pilot.press(*"water", "enter", *"13800001111", "enter", "enter", "enter", "enter")
        await pilot.press(*"1.2万")  # loss
        await wait_for(pilot, lambda: "重大" in str(form.query_one("#hint").render()))
        assert "¥10,000" in str(form.query_one("#hint").render())
        form.field("loss_yuan").set_raw("")
        form.field("complainants").set_raw("10")
        await wait_for(pilot, lambda: "尤其重大" in str(form.query_one("#hint").render()))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "约定" in str(form.query_one("#error").render()))
        assert _rows(staffed_db, "SELECT count(*) FROM complaint") == [(0,)]
        form.field("agreed_deadline").set_raw("+1d")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintRecordScreen")
    assert _rows(staffed_db, "SELECT severity, complete_by_source FROM complaint") == [("critical", "agreed")]


async def test_a_step_on_a_complaint_changed_at_another_terminal_is_refused_naming_who(staffed_db):
    from deskapp.services import complaints as svc
    from deskapp.services.complaints import ComplaintDraft, register_complaint
    from deskapp.services.staff import list_staff

    app = make_app(staffed_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        desk = app.desk
        clerk = next(a for a in list_staff(desk) if a.name == "李前台")
        done = register_complaint(desk, clerk, ComplaintDraft(phone="13900000000", description="噪音"),
                                  now=FROZEN - timedelta(minutes=1))
        from screens.complaint_record import ComplaintRecordScreen

        app.push_screen(ComplaintRecordScreen(done.id))
        await wait_for(pilot, lambda: _screen(app) == "ComplaintRecordScreen" and app.screen.record is not None)
        svc.log_contact(desk, clerk, done.id, version=done.version, note="另一台电脑", now=FROZEN)  # meanwhile
        await pilot.press("c")
        await wait_for(pilot, lambda: _screen(app) == "StepForm")
        await pilot.press(*"call back", "ctrl+s")
        await wait_for(pilot, lambda: "李前台" in str(app.screen.query_one("#error").render()))
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: _screen(app) == "ComplaintRecordScreen")
    assert _rows(staffed_db, "SELECT count(*) FROM complaint_step WHERE step = 'contact'") == [(1,)]
