"""First run: the first supervisor's PIN is typed twice; an empty file is refused, not made a new desk."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tests.screens.conftest import make_app, wait_for


def staff_names(db_url: str) -> list[str]:
    with closing(sqlite3.connect(db_url.removeprefix("sqlite:///"))) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM staff")]


async def test_two_different_pins_are_refused_and_asked_again(db_url):
    from screens.call_log import CallLogScreen
    from screens.first_run import FirstRunScreen

    app = make_app(db_url, sign_in_as=None)
    async with app.run_test(size=(80, 24)) as pilot:
        # the screen is current a moment before its form is composed: wait for the field itself
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen) and app.screen.query("#name"),
                       what="the first-run screen's name field")
        screen = app.screen
        screen.query_one("#name").focus()
        await pilot.press(*"张主管", "enter", *"2468", "enter", *"8642", "enter")
        await wait_for(pilot, lambda: "两次输入的 PIN 不一致" in str(screen.query_one("#first-error").render()))
        assert screen.query_one("#pin").value == "" and screen.query_one("#pin2").value == ""
        assert app.focused is screen.query_one("#pin")
        assert staff_names(db_url) == []
        await pilot.press(*"2468", "enter", *"2468", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen), what="the call log, signed in")
        assert app.actor.name == "张主管" and app.actor.role == "supervisor"
    assert staff_names(db_url) == ["张主管"]


async def test_an_empty_database_file_is_refused_with_its_path(db_url):
    from screens.sign_in import SignInScreen

    path = db_url.removeprefix("sqlite:///")
    open(path, "wb").close()
    app = make_app(db_url, sign_in_as=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "0 字节" in str(app.screen.query_one("#signin-error").render()),
                       what="the refusal on the sign-in screen")
        assert isinstance(app.screen, SignInScreen)
        assert path in str(app.screen.query_one("#signin-error").render())
    with open(path, "rb") as fh:
        assert fh.read() == b""


async def test_a_damaged_database_file_is_named_with_the_backup_to_restore(db_url):
    path = db_url.removeprefix("sqlite:///")
    with open(path, "wb") as fh:
        fh.write(b"not a database " * 300)
    backup = path + ".before-0003-20261101T000000Z.bak"
    with open(backup, "wb") as fh:
        fh.write(b"backup")
    app = make_app(db_url, sign_in_as=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "已损坏" in str(app.screen.query_one("#signin-error").render()),
                       what="the fault on the sign-in screen")
        shown = str(app.screen.query_one("#signin-error").render())
        assert path in shown and backup in shown
