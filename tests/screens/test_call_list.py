"""The call list's cells: awaiting calls count down on the app's one clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from deskapp.widgets.call_list import compact_remaining, heading_line, status_text, visible_columns
from tests.screens.conftest import FROZEN, make_app, sign_in


@pytest.mark.parametrize(
    "seconds, shown",
    [(299, "04:59"), (0, "00:00"), (-1, "超00:01"), (-3599, "超59:59"), (-3600, "超1时"), (-86400 * 2, "超2天"),
     (7200, "2时")],
)
def test_compact_remaining(seconds, shown):
    assert compact_remaining(timedelta(seconds=seconds)) == shown


def test_status_text_counts_down_only_while_awaiting():
    at = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    row = SimpleNamespace(status="awaiting_slip", due_by=at + timedelta(minutes=5), at=at)
    assert status_text(row, at + timedelta(minutes=1)) == "待派工 04:00"
    assert status_text(row, at + timedelta(minutes=6)) == "待派工 超01:00"
    assert status_text(SimpleNamespace(status="done", due_by=None, at=at), at) == ""


def test_narrow_terminal_drops_phone_and_channel_but_keeps_content():
    narrow = [c.key for c, _ in visible_columns(80)]
    wide = [c.key for c, _ in visible_columns(120)]
    assert "col.phone" not in narrow and "col.phone" in wide
    assert narrow[-1] == "col.content" and dict((c.key, w) for c, w in visible_columns(80))["col.content"] >= 20
    assert heading_line(80).startswith("时间")


async def test_a_repair_call_counts_down_on_the_shared_clock(staffed_db):
    app = make_app(staffed_db)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot)
        calls = app.screen.query_one("CallList")
        repair = next(calls._rows[i] for i in range(calls.total) if calls._rows[i].status == "awaiting_slip")
        app.now = repair.at + timedelta(minutes=2)
        assert status_text(repair, app.now) == "待派工 03:00"
        line = calls.render_line(1).text  # the repair call is the second newest
        assert "待派工 03:00" in line
        app.now = FROZEN


def test_compact_remaining_in_english():
    from deskapp.i18n import set_lang

    set_lang("en")
    assert compact_remaining(timedelta(hours=-5)) == "-5h"
    assert compact_remaining(timedelta(days=2)) == "2d"
    assert compact_remaining(timedelta(minutes=-3)) == "-03:00"
