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
            for key, words in (("f3", "投诉"), ("f4", "派工单"), ("f5", "回访"), ("f6", "交接班")):
                await pilot.press(key)
                await wait_for(pilot, lambda: words in str(app.screen.query_one("#coming").render()))
            await pilot.press("f2")
            await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))

    async def test_filter_refuses_an_impossible_date(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "CallFilterScreen")
            await pilot.press(*"2026-02-30", "enter")
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
            await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
            app.screen.query_one("#name").focus()
            await pilot.press(*"张主管", "enter", *"12", "enter")
            await wait_for(pilot, lambda: "PIN" in str(app.screen.query_one("#first-error").render()))
            app.screen.query_one("#pin").value = "2468"
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
