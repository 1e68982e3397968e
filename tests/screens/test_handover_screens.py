"""The handover screens with Pilot at 80x24, on the staffed template (王主管 1234, 李前台 5678,
three calls: a repair and a complaint still awaiting, both overdue at the frozen 09:30):
F6 compile -> sign -> acknowledge -> review; the duty log, custody and visitor registers
reached from the palette, each saving through its form."""

from __future__ import annotations

from deskapp.config import Settings
from deskapp.services.desk import Desk
from tests.screens.conftest import make_app, sign_in, wait_for


def _handover(db_url: str):
    from deskapp.services.handover_queries import find_handover, get_handover

    desk = Desk.open(Settings(database_url=db_url))
    try:
        found = find_handover(desk)
        return get_handover(desk, found) if found is not None else None
    finally:
        desk.engine.dispose()


def _loaded(app, predicate=lambda view: True):
    screen = app.screen
    return (type(screen).__name__ == "HandoverScreen" and screen.view is not None and predicate(screen.view)
            and not screen.lines.is_loading)


def _said(app) -> list[str]:
    return [row.said for row in app.screen.view.rows]


async def _form(pilot, app, name: str) -> None:
    await wait_for(pilot, lambda: type(app.screen).__name__ == name, what=name)


async def test_compile_sign_acknowledge_review(staffed_db):
    app = make_app(staffed_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f6")
        await wait_for(pilot, lambda: _loaded(app), what="the compiled handover")
        said = _said(app)
        assert "待派工 来电-2026-000002" in said and "待立投诉 来电-2026-000003" in said
        assert app.screen.view.record is None
        live = [row for row in app.screen.view.rows if row.live]
        assert len(live) == 3  # the two open matters and the complaint clock missed at 08:40 count down
        head = str(app.screen.query_one("#handover-head").render())
        assert "未签字" in head and "主管尚未检查" in head

        # The outgoing staff signs: notes, their name (offered), a wrong PIN first.
        await pilot.press("ctrl+s")
        await _form(pilot, app, "SignForm")
        await pilot.press(*"钥匙已交", "enter", "enter", *"9999", "enter")
        await wait_for(pilot, lambda: "PIN" in str(app.screen.query_one("#error").render()))
        assert _handover(staffed_db) is None
        app.screen.field("pin").set_raw("")
        await pilot.press("ctrl+s")  # an empty PIN: refused on the form
        await wait_for(pilot, lambda: "PIN" in str(app.screen.query_one("#error").render()))
        app.screen.field("pin").control.focus()
        await pilot.press(*"1234", "enter")
        await wait_for(pilot, lambda: _loaded(app, lambda v: v.record is not None), what="the signed handover")
        assert "待接班签字" in str(app.screen.query_one("#handover-head").render())
        assert not any(row.live for row in app.screen.view.rows)

        # The same person cannot sign both sides.
        await pilot.press("ctrl+k")
        await _form(pilot, app, "AcknowledgeForm")
        assert app.screen.field("name").raw == ""  # the signer is not offered
        await pilot.press("enter", *"王主管", "enter", *"1234", "enter")
        await wait_for(pilot, lambda: "同一人" in str(app.screen.query_one("#error").render()))
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DiscardScreen")
        await pilot.press("enter")
        await wait_for(pilot, lambda: _loaded(app))

        # A discrepancy on the repair line, then the incoming staff accepts with their PIN.
        rows = app.screen.view.rows
        app.screen.lines.cursor = next(i for i, r in enumerate(rows) if r.said == "待派工 来电-2026-000002")
        await pilot.press("ctrl+d")
        await _form(pilot, app, "NoteForm")
        await pilot.press(*"工程部说已修好", "ctrl+s")
        await wait_for(pilot, lambda: _loaded(app) and "?" in app.screen.lines.current.marks)
        await pilot.press("ctrl+k")
        await _form(pilot, app, "AcknowledgeForm")
        await pilot.press("enter", *"李前台", "enter", *"5678", "enter")
        await wait_for(pilot, lambda: _loaded(app, lambda v: v.record is not None and v.record.acknowledged))
        record = _handover(staffed_db)
        assert record.acknowledged.staff == "李前台"
        assert [(e.kind, e.text) for e in record.entries] == [("acknowledge", ""), ("discrepancy", "工程部说已修好")]

        # The supervisor's review: a line marked, then the review.
        app.screen.lines.cursor = next(i for i, r in enumerate(app.screen.view.rows)
                                       if r.said == "待派工 来电-2026-000002")
        await pilot.press("f8")
        await _form(pilot, app, "ReviewForm")
        await pilot.press(*"已核", "ctrl+s")
        await wait_for(pilot, lambda: _loaded(app) and "✓" in app.screen.lines.current.marks)
        await pilot.press("f9")
        await _form(pilot, app, "ReviewForm")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: _loaded(app, lambda v: v.record.reviewed is not None))
        assert "主管审阅 王主管" in str(app.screen.query_one("#handover-head").render())
        assert [e.kind for e in _handover(staffed_db).entries] == ["acknowledge", "discrepancy", "mark", "review"]

        # F7: the history opens it again; Esc comes back.
        await pilot.press("f7")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoverHistoryScreen"
                       and app.screen.register.total == 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: _loaded(app))


async def test_a_receptionist_is_not_offered_the_review(staffed_db):
    app = make_app(staffed_db, sign_in_as="李前台")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot, pin="5678")
        await pilot.press("f6")
        await wait_for(pilot, lambda: _loaded(app))
        await pilot.press("ctrl+s")
        await _form(pilot, app, "SignForm")
        await pilot.press("enter", "enter", *"5678", "enter")
        await wait_for(pilot, lambda: _loaded(app, lambda v: v.record is not None))
        assert app.screen.check_action("mark", ()) is False and app.screen.check_action("review", ()) is False
        await pilot.press("f8")  # nothing happens
        await pilot.pause()
        assert type(app.screen).__name__ == "HandoverScreen"


async def _palette_to(pilot, app, words: str, screen: str) -> None:
    # Found by a word of its palette names, as typed in the palette (寄存 finds 寄存与钥匙).
    command = next(c for c in app.get_system_commands(app.screen)
                   if words in f"{c.title} {c.help}" and "(" not in c.title)
    await command.callback()
    await wait_for(pilot, lambda: type(app.screen).__name__ == screen and not app.screen.register.is_loading,
                   what=screen)


async def test_the_small_registers_from_the_palette(staffed_db):
    app = make_app(staffed_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await _palette_to(pilot, app, "重大事件", "DutyLogScreen")
        await pilot.press("ctrl+n")
        await _form(pilot, app, "DutyLogForm")
        await pilot.press(*"电梯困人", "enter", *"已放出", "enter", "y", "enter", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "DutyLogScreen" and app.screen.register.total == 1)
        assert app.screen.register.current.major

        await _palette_to(pilot, app, "包裹", "CustodyScreen")
        await pilot.press("ctrl+n")
        await _form(pilot, app, "ReceiveForm")
        await pilot.press("enter", *"SF001", "enter", *"赵先生", "enter", *"13900001111", "enter", *"1-1-101")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustodyScreen" and app.screen.register.total == 1)
        await pilot.press("f8")
        await _form(pilot, app, "HandOverItemForm")
        await pilot.press("enter", "ctrl+s")  # the ID check is not answered
        await wait_for(pilot, lambda: "已验证件" in str(app.screen.query_one("#error").render()))
        await pilot.press("y", "ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CustodyScreen"
                       and app.screen.register.current is not None
                       and app.screen.register.current.status == "released")
        await pilot.press("f8")  # collected twice: refused, no form
        await pilot.pause()
        assert type(app.screen).__name__ == "CustodyScreen"

        await _palette_to(pilot, app, "访客", "VisitorsScreen")
        await pilot.press("ctrl+n")
        await _form(pilot, app, "VisitorForm")
        await pilot.press(*"推销员", "enter", "enter", *"3-2-1201", "enter", "enter", "n", "enter", "n", "enter", "n",
                          "enter", "y", "enter", "enter")
        await wait_for(pilot, lambda: "证件" in str(app.screen.query_one("#error").render()))  # let in unchecked
        app.screen.field("allowed").set_raw(False)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "VisitorsScreen" and app.screen.register.total == 1)
        await pilot.press("ctrl+f")
        app.screen.query_one("#register-search").value = "3-2-1201"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.search == "3-2-1201" and app.screen.register.total == 1)
