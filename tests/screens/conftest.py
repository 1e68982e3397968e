"""Screen tests: the same app factory the CLI uses, on a real SQLite file,
with a frozen clock so headers and snapshots never depend on the wall clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from deskapp.config import Settings
from deskapp.core.countdown import MonotonicClock
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.desk import Desk
from deskapp.services.staff import add_staff

# 09:30 in Asia/Shanghai: a day shift.
FROZEN = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)


def frozen_clock() -> MonotonicClock:
    return MonotonicClock(wall=lambda: FROZEN, monotonic=lambda: 1000.0)


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKAPP_CONFIG", str(tmp_path / "no-config.toml"))
    return f"sqlite:///{tmp_path / 'desk.sqlite'}"


@pytest.fixture(scope="session")
def _staffed_template(tmp_path_factory, open_desk_copy):
    """Built once per run through the services; each test gets its own copy of the file."""
    import sqlite3
    from contextlib import closing

    from deskapp.services.staff import list_staff

    root = tmp_path_factory.mktemp("screen-template")
    desk = open_desk_copy(root / "build.sqlite", "receptionist")  # 王主管 (1234) and 李前台 (5678)
    try:
        boss = next(a for a in list_staff(desk) if a.name == "王主管")
        _three_calls(desk, boss)
    finally:
        desk.engine.dispose()
    template = root / "staffed.sqlite"
    with closing(sqlite3.connect(root / "build.sqlite")) as src, closing(sqlite3.connect(template)) as dst:
        src.backup(dst)
    return template


@pytest.fixture
def staffed_db(db_url, _staffed_template):
    """A desk with a supervisor (王主管, PIN 1234), a receptionist (李前台, 5678) and three earlier calls."""
    import shutil

    shutil.copyfile(_staffed_template, db_url.removeprefix("sqlite:///"))
    return db_url


def _three_calls(desk, boss) -> None:
    drafts = [
        CallDraft(channel="phone", category="enquiry", caller_name="赵先生", phone="13900001111", unit="1-1-101",
                  content="咨询物业费缴纳方式", reply="可在前台或线上缴纳"),
        CallDraft(channel="visit", category="repair", caller_name="钱女士", phone="13700002222", unit="5-2-1803",
                  content="厨房水管漏水 [bold]急[/bold]", reply="已通知工程部"),
        CallDraft(channel="phone", category="complaint", caller_name="孙先生", phone="13600003333", unit="8-1-302",
                  content="楼上装修噪音太大，晚上十点还在施工", reply="马上联系楼上住户"),
    ]
    for i, draft in enumerate(drafts):
        at = FROZEN - timedelta(hours=3 - i)
        log_call(desk, boss, CallDraft(**{**draft.__dict__, "at": at}), now=FROZEN)


def make_app(db_url: str, sign_in_as: str | None = "王主管", lang: str = "zh"):
    from deskapp.app import DeskApp
    from deskapp.i18n import set_lang

    set_lang(lang)
    return DeskApp(Settings(database_url=db_url, lang=lang), sign_in_as=sign_in_as, clock=frozen_clock())


async def wait_for(pilot, predicate, timeout: float = 15.0, what: str = "") -> None:
    """Let workers run until the screen reaches the state a person would wait for.

    On time-out the message says what was awaited (`what`, else the predicate's
    source line) and where the app stood: its screen and the focused widget.
    """
    loops = int(timeout / 0.05)
    for _ in range(loops):
        try:
            if predicate():
                return
        except Exception:  # the widget asked about is not mounted yet
            pass
        await pilot.pause(0.05)
    if not what:
        import inspect

        try:
            what = inspect.getsource(predicate).strip()
        except (OSError, TypeError):
            what = repr(predicate)
    app = pilot.app
    focused = getattr(app.focused, "id", None) or type(app.focused).__name__
    raise AssertionError(f"waited {timeout} s for: {what}; the app is on {type(app.screen).__name__}, "
                         f"focus on {focused}")


async def sign_in(pilot, pin: str = "1234") -> None:
    from screens.call_log import CallLogScreen
    from screens.sign_in import SignInScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.focused is not None
                   and app.focused.id == "pin")
    await pilot.press(*pin, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
    await wait_for(pilot, lambda: not app.screen.query_one("RegisterList").is_loading, what="the call log's first page")
    # Every worker but the change signal's, which runs for the life of the app.
    others = [w for w in app.workers if w.group != "signal"]
    if others:  # an empty list would mean "every worker" to Textual, the signal's too: a hang
        await app.workers.wait_for_complete(others)
    await pilot.pause()
