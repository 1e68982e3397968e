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


@pytest.fixture
def staffed_db(db_url):
    """A desk with a supervisor (王主管, PIN 1234) and three earlier calls."""
    desk = Desk.open(Settings(database_url=db_url))
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=FROZEN)
    add_staff(desk, name="李前台", role="receptionist", pin="5678", actor=boss, now=FROZEN)
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
    return db_url


def make_app(db_url: str, sign_in_as: str | None = "王主管", lang: str = "zh"):
    from deskapp.app import DeskApp
    from deskapp.i18n import set_lang

    set_lang(lang)
    return DeskApp(Settings(database_url=db_url, lang=lang), sign_in_as=sign_in_as, clock=frozen_clock())


async def wait_for(pilot, predicate, timeout: float = 15.0) -> None:
    """Let workers run until the screen reaches the state a person would wait for."""
    loops = int(timeout / 0.05)
    for _ in range(loops):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the app never reached the expected state")


async def sign_in(pilot, pin: str = "1234") -> None:
    from screens.call_log import CallLogScreen
    from screens.sign_in import SignInScreen

    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen) and app.focused is not None
                   and app.focused.id == "pin")
    await pilot.press(*pin, "enter")
    await wait_for(pilot, lambda: isinstance(app.screen, CallLogScreen))
    await wait_for(pilot, lambda: app.screen.query_one("CallList").total > 0 or app.screen.query_one("CallList")._generation > 0)
    await app.workers.wait_for_complete()
    await pilot.pause()
