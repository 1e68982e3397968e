"""The call log driven as a receptionist would, with Textual's Pilot."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from screens.call_log import CallLogScreen
from screens.sign_in import SignInScreen
from tests.screens.conftest import make_app, sign_in, wait_for


def _rows(db_url: str, sql: str):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).fetchall()
    finally:
        engine.dispose()


async def _fill_form(pilot, *, phone="", unit="", name="", channel="1", category="1", content="", reply=""):
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "CallFormScreen")
    for value in (phone, unit, name):
        await pilot.press(*value, "enter") if value else await pilot.press("enter")
    await pilot.press(channel, "enter", category, "enter")
    if content:
        await pilot.press(*content)
    await pilot.press("enter")
    if reply:
        await pilot.press(*reply)


class TestSignIn:
    async def test_wrong_pin_is_refused_and_right_pin_opens_the_call_log(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.focused is not None
                           and app.focused.id == "pin")
            await pilot.press(*"9999", "enter")
            await wait_for(pilot, lambda: "PIN" in str(app.screen.query_one("#signin-error").render()))
            assert app.actor is None
            await sign_in(pilot)
            assert app.actor.name == "王主管"
            assert app.screen.query_one("RegisterList").total == 3


class TestLogACall:
    async def test_log_a_repair_call_end_to_end_and_search_it_back(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await _fill_form(pilot, phone="13812345678", unit="3-2-1201", name="李女士", channel="1", category="2",
                             content="卫生间漏水 楼下被淹 [red]x[/red]", reply="马上派工程部上门")
            await pilot.press("enter")  # Enter on the last field saves
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            calls = app.screen.query_one("RegisterList")
            await wait_for(pilot, lambda: calls.total == 4 and calls.current is not None)
            newest = calls.current
            assert newest.content == "卫生间漏水 楼下被淹 [red]x[/red]"
            assert newest.unit_code == "3栋2单元1201"
            assert newest.status == "awaiting_slip"
            detail = str(app.screen.query_one("#detail").render())
            assert "[red]x[/red]" in detail  # shown literally, not as markup

            # search it back by a Chinese substring, then by a 2-character query
            await pilot.press("ctrl+f", *"楼下被淹", "enter")
            await wait_for(pilot, lambda: calls.total == 1 and calls.current is not None)
            assert calls.current.number == newest.number
            await pilot.press("escape")
            await wait_for(pilot, lambda: calls.total == 4)
            await pilot.press("ctrl+f", *"漏水", "enter")
            await wait_for(pilot, lambda: calls.total == 2)

        stored = _rows(staffed_db, "SELECT number, phone, category, status FROM call ORDER BY id DESC LIMIT 1")
        assert stored[0][1:] == ("13812345678", "repair", "awaiting_slip")

    async def test_known_phone_fills_unit_and_name(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFormScreen")
            await pilot.press(*"13700002222")
            form = app.screen
            await wait_for(pilot, lambda: form.query_one("#unit").value == "5栋2单元1803")
            assert form.query_one("#caller_name").value == "钱女士"

    async def test_bad_input_gets_a_message_and_writes_nothing(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await _fill_form(pilot, phone="138abc", content="有内容")
            await pilot.press("enter")
            form = app.screen
            await wait_for(pilot, lambda: "电话号码" in str(form.query_one("#error").render()))
            assert type(app.screen).__name__ == "CallFormScreen"
            # fix the phone, empty the content: still refused, with its own message
            form.query_one("#phone").value = "13812345678"
            form.query_one("#content").value = "   "
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: "内容" in str(form.query_one("#error").render()))
            assert app.focused.id == "content"  # the field refused gets the focus
            await pilot.press("escape")  # something was typed: the form asks first
            await wait_for(pilot, lambda: type(app.screen).__name__ == "DiscardScreen")
            await pilot.press("y")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
        assert _rows(staffed_db, "SELECT count(*) FROM call")[0][0] == 3
        assert _rows(staffed_db, "SELECT last FROM number_sequence WHERE register_key='call'")[0][0] == 3

    async def test_forbidden_phrase_in_reply_is_flagged_while_typing(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await _fill_form(pilot, phone="13812345678", content="问快递", reply="不知道")
            form = app.screen
            await wait_for(pilot, lambda: "不知道" in str(form.query_one("#warning").render()))


class TestScreens:
    async def test_every_work_screen_is_one_key_away_and_says_what_it_will_hold(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            await pilot.press("f3")  # built (screens/complaint_list.py)
            await wait_for(pilot, lambda: type(app.screen).__name__ == "ComplaintsScreen")
            await pilot.press("f6")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "HandoverScreen")
            await pilot.press("f4")  # the dispatch board (tests/screens/test_slips.py)
            await wait_for(pilot, lambda: type(app.screen).__name__ == "SlipBoardScreen")
            await pilot.press("f2")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))

    async def test_filter_refuses_an_impossible_date(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFilterScreen")
            await pilot.press(*"2026-02-30", "ctrl+s")
            await wait_for(pilot, lambda: "2026-02-30" in str(app.screen.query_one("#error").render()))

    async def test_filter_by_category(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFilterScreen")
            await pilot.press("tab", "tab")  # leave the dates empty
            await pilot.press("3")  # the 3rd choice: 报修 (after 全部, 咨询)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            calls_screen = app.screen
            await wait_for(pilot, lambda: calls_screen.query_one("RegisterList").total == 1)

    async def test_english_interface(self, staffed_db):
        app = make_app(staffed_db, lang="en")
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            assert "On duty" in str(app.screen.query_one("DeskHeader").render())


class TestFirstRun:
    async def test_empty_database_walks_through_creating_the_first_supervisor(self, db_url):
        from screens.first_run import FirstRunScreen

        app = make_app(db_url, sign_in_as=None)
        async with app.run_test(size=(100, 30)) as pilot:
            # the screen is current before its form is mounted: wait for the field (a race on a busy machine)
            await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen) and app.screen.query("#name"))
            app.screen.query_one("#name").focus()
            await pilot.press(*"张主管", "enter", *"12", "enter", *"12", "enter")  # the PIN is typed twice
            await wait_for(pilot, lambda: "PIN" in str(app.screen.query_one("#first-error").render()))
            app.screen.query_one("#pin").value = "2468"
            app.screen.query_one("#pin2").value = "2468"
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            assert app.actor.role == "supervisor"


class TestLiveRefresh:
    async def test_a_call_logged_at_another_terminal_appears_without_a_key_press(self, staffed_db):
        from datetime import timedelta

        from deskapp.config import Settings
        from deskapp.services.calls import CallDraft, log_call
        from deskapp.services.desk import Desk
        from deskapp.services.staff import sign_in as service_sign_in
        from tests.screens.conftest import FROZEN

        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            assert calls.total == 3
            other = Desk.open(Settings(database_url=staffed_db))
            clerk = service_sign_in(other, name="李前台", pin="5678")
            log_call(other, clerk, CallDraft(content="另一台电脑登记的来电", phone="13911112222"),
                     now=FROZEN + timedelta(minutes=1))
            await wait_for(pilot, lambda: calls.total == 4)

    async def test_keys_can_be_rebound_from_the_config_file(self, staffed_db, tmp_path, monkeypatch):
        from deskapp.app import DeskApp
        from deskapp.config import load_settings
        from tests.screens.conftest import frozen_clock

        config = tmp_path / "config.toml"
        config.write_text('[keys]\nnew_call = "ctrl+o"\n', encoding="utf-8")
        monkeypatch.setenv("DESKAPP_CONFIG", str(config))
        monkeypatch.setenv("DESKAPP_DATABASE_URL", staffed_db)
        app = DeskApp(load_settings(), sign_in_as="王主管", clock=frozen_clock())
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+o")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFormScreen")


class TestSwitchUser:
    async def test_another_receptionist_takes_the_keyboard(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
            await pilot.press("escape")  # changed their mind: still 王主管
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            assert app.actor.name == "王主管"
            await pilot.press("ctrl+l")
            await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
            await pilot.pause(0.3)
            app.screen.query_one("#staff-list").highlighted = 0  # 李前台 sorts first
            app.screen.query_one("#pin").focus()
            await pilot.press(*"5678", "enter")
            await wait_for(pilot, lambda: app.actor is not None and app.actor.name == "李前台")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            assert "我姓李" in str(app.screen.query_one("#greeting").render())


class TestTheWholeRecord:
    async def test_enter_opens_the_whole_record_with_its_reply_and_flagged_phrases(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot)
            long_reply = "已通知工程部师傅下午两点前上门查看" * 4 + "不知道具体原因"
            await _fill_form(pilot, phone="075512345678", unit="3-2-1201", content="问水管", reply=long_reply)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            calls = app.screen.query_one("RegisterList")
            await wait_for(pilot, lambda: calls.total == 4 and calls.current is not None)
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallRecordScreen")
            body = str(app.screen.query_one("#record-body").render())
            assert long_reply in body.replace("\n", "")  # the whole reply, not the first line of it
            assert "075512345678" in body  # a 12-digit phone, whole
            assert "服务忌语" in body and "不知道" in body
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))

    async def test_a_correction_is_appended_shown_and_audited(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            number = calls.current.number
            await pilot.press("enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallRecordScreen")
            record = app.screen
            await pilot.press("ctrl+e")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallCorrectionScreen")
            await pilot.press("enter", *"13600003334", "enter", *"号码记错", "ctrl+s")
            await wait_for(pilot, lambda: app.screen is record)
            await wait_for(pilot, lambda: "13600003334" in str(record.query_one("#corrections").render()))
            assert "号码记错" in str(record.query_one("#corrections").render())
        stored = _rows(staffed_db, f"SELECT phone FROM call WHERE number = '{number}'")
        assert stored == [("13600003333",)]  # the call stays as logged
        assert _rows(staffed_db, "SELECT field, corrected FROM call_correction") == [("phone", "13600003334")]
        assert _rows(staffed_db, "SELECT count(*) FROM audit_event WHERE action = 'call.correct'") == [(1,)]

    async def test_a_twelve_digit_phone_is_shown_whole_in_the_list(self, staffed_db):
        from deskapp.widgets.register_list import layout_columns
        from screens.call_log import COLUMNS

        app = make_app(staffed_db)
        async with app.run_test(size=(120, 30)) as pilot:
            await sign_in(pilot)
            await _fill_form(pilot, phone="075512345678", content="固定电话来电")
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
            calls = app.screen.query_one("RegisterList")
            await wait_for(pilot, lambda: calls.total == 4 and calls.current.phone == "075512345678")
            assert "075512345678" in calls.render_line(0).text
        assert all(cells >= 12 for c, _, cells in layout_columns(COLUMNS, 120) if c.key == "col.phone")


class TestOpenMattersAndFilters:
    async def test_f7_lists_awaiting_calls_most_urgent_first_and_esc_returns_to_the_log(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            await pilot.press("f7")
            await wait_for(pilot, lambda: calls.total == 2 and 1 in calls._rows, what="the two awaiting calls")
            first, second = calls._rows[0], calls._rows[1]
            # the repair call was logged first but is due in 5 min, the complaint 1 h later with 10 min:
            assert first.due_by <= second.due_by
            assert {first.status, second.status} == {"awaiting_slip", "awaiting_complaint"}
            assert "待办" in str(app.screen.query_one("#filter-line").render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: calls.total == 3)

    async def test_esc_clears_the_filter_too(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFilterScreen")
            await pilot.press("tab", "tab", "3", "ctrl+s")  # 报修 only
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen) and calls.total == 1)
            await pilot.press("escape")
            await wait_for(pilot, lambda: calls.total == 3)
            assert "报修" not in str(app.screen.query_one("#filter-line").render())

    async def test_a_reversed_date_range_is_refused(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFilterScreen")
            await pilot.press(*"2026-11-30", "enter", *"2026-11-01", "ctrl+s")
            await wait_for(pilot, lambda: "开始日期" in str(app.screen.query_one("#error").render()))
            assert type(app.screen).__name__ == "CallFilterScreen"


class TestSearchWords:
    async def test_a_two_word_search_finds_the_call_whatever_the_order(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            # "厨房水管漏水" holds both words; as one phrase "漏水 水管" is in no call
            await pilot.press("ctrl+f", *"漏水 水管", "enter")
            await wait_for(pilot, lambda: calls.total == 1 and calls.current is not None, what="one call")
            assert calls.current.caller_name == "钱女士"
            assert "共 1 条" in str(app.screen.query_one("#filter-line").render())
            await pilot.press("escape")
            await wait_for(pilot, lambda: calls.total == 3)
            await pilot.press("ctrl+f", *"水管 施工", "enter")  # each word in a different call: none has both
            await wait_for(pilot, lambda: calls.total == 0 and "共 0 条" in str(
                app.screen.query_one("#filter-line").render()))

    async def test_a_count_past_the_cap_reads_cap_plus(self, staffed_db, monkeypatch):
        from deskapp.services import call_queries

        monkeypatch.setattr(call_queries, "COUNT_CAP", 1)  # the 10,000 of a big desk, on three calls
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one("RegisterList")
            line = app.screen.query_one("#filter-line")
            await pilot.press("ctrl+f", *"1", "enter")  # a digit in every call's phone: counted to 2 and no further
            await wait_for(pilot, lambda: calls.total == 2 and "共 1+ 条" in str(line.render()), what="1+")
            await pilot.press("escape")  # the whole log is counted in full
            await wait_for(pilot, lambda: calls.total == 3 and "共 3 条" in str(line.render()), what="3")
