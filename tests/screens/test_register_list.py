"""The kit's register list, on its own (a million synthetic rows, faults) and
through the call log (countdowns on the app's one clock)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from rich.cells import cell_len
from sqlalchemy.exc import OperationalError
from textual.app import App, ComposeResult

from deskapp.core.paging import PAGE_SIZE
from deskapp.widgets.register_list import (
    Column,
    RegisterList,
    Shown,
    countdown_column,
    fit,
    heading_line,
    layout_columns,
)
from tests.screens.conftest import FROZEN, make_app, sign_in, wait_for

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Row:
    n: int

    @property
    def key(self):
        return self.n


class Numbers:
    """A register of `total` rows numbered from 0, newest first; it records what it was asked."""

    def __init__(self, total: int, *, count_faults: int = 0, page_faults: int = 0):
        self.total = total
        self.count_faults = count_faults
        self.page_faults = page_faults
        self.pages: list[tuple[int, object]] = []

    @staticmethod
    def _locked():
        driver_error = sqlite3.OperationalError("database is locked")
        driver_error.sqlite_errorcode, driver_error.sqlite_errorname = 5, "SQLITE_BUSY"  # as the driver sets them
        return OperationalError("SELECT", {}, driver_error)

    def count(self) -> int:
        if self.count_faults:
            self.count_faults -= 1
            raise self._locked()
        return self.total

    def page(self, start: int, total: int, after_key):
        if self.page_faults:
            self.page_faults -= 1
            raise self._locked()
        self.pages.append((start, after_key))
        first = after_key + 1 if after_key is not None else start
        return [Row(n) for n in range(first, min(self.total, first + PAGE_SIZE))]


COLUMNS = [Column("col.number", 9, lambda r, s: f"#{r.n}"), Column("col.content", 0, lambda r, s: "x" * 200)]


class ListApp(App):
    """The smallest host for a register list: the app's `now` and `desk` as the kit expects them."""

    def __init__(self, source):
        super().__init__()
        self.source = source
        self.now = T0
        self.desk = None

    def compose(self) -> ComposeResult:
        yield RegisterList(COLUMNS)

    def on_mount(self) -> None:
        self.query_one(RegisterList).bind_source(self.source)
        self.query_one(RegisterList).focus()


def _tick(app) -> None:
    app.now = app.now + timedelta(seconds=1)
    app.query_one(RegisterList)._tick(app.now)


class TestAMillionRows:
    async def test_end_jumps_to_the_oldest_row_reading_only_two_pages(self):
        source = Numbers(1_000_000)
        app = ListApp(source)
        async with app.run_test(size=(80, 24)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.total == 1_000_000 and rows.current is not None)
            assert rows.render_line(0).text.startswith("#0 ")
            await pilot.press("end")
            await wait_for(pilot, lambda: rows.current is not None and rows.current.n == 999_999,
                           what="the oldest row under the cursor")
            assert len(source.pages) <= 3  # the first page, the last page (and at most one neighbour)
            assert len(rows._rows) <= 3 * PAGE_SIZE

    async def test_paging_down_reads_the_next_page_by_key(self):
        source = Numbers(1_000_000)
        app = ListApp(source)
        async with app.run_test(size=(80, 24)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.current is not None)
            for _ in range(6):
                await pilot.press("pagedown")
            await wait_for(pilot, lambda: rows.current is not None and rows.current.n == rows.cursor)
            assert (PAGE_SIZE, PAGE_SIZE - 1) in source.pages  # asked after the last row held, not by offset


class TestFaults:
    async def test_a_failed_count_is_shown_once_and_retried_on_the_next_tick(self):
        source = Numbers(250, count_faults=2)
        app = ListApp(source)
        async with app.run_test(size=(80, 24)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows._count_failed, what="the first count to fail")
            assert not rows._counting  # not "counting for ever"
            _tick(app)
            await wait_for(pilot, lambda: rows._count_failed and not rows._counting, what="the retry to fail")
            _tick(app)
            await wait_for(pilot, lambda: rows.total == 250)
            shown = [n.message for n in app._notifications]
            assert len(shown) == 1 and "数据库正忙" in shown[0]  # once per run of failures, in words
            assert app.is_running

    async def test_a_failed_page_is_retried(self):
        source = Numbers(250, page_faults=1)
        app = ListApp(source)
        async with app.run_test(size=(80, 24)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows._failed_pages == {0}, what="the first page to fail")
            _tick(app)
            await wait_for(pilot, lambda: rows.current is not None and rows.current.n == 0)


class TestColumns:
    def test_countdown_column_counts_down_and_says_overdue(self):
        col = countdown_column("col.status", 14, due=lambda r: r.due, since=lambda r: r.at,
                               running=lambda r: r.open, label=lambda r: "待派工")
        row = SimpleNamespace(at=T0, due=T0 + timedelta(minutes=5), open=True)
        assert col.value(row, Shown(T0 + timedelta(minutes=1), None)) == "待派工 04:00"
        assert col.value(row, Shown(T0 + timedelta(minutes=6), None)) == "待派工 超01:00"
        assert col.style(row, Shown(T0 + timedelta(minutes=6), None)).reverse  # overdue stands out
        closed = SimpleNamespace(at=T0, due=T0 + timedelta(minutes=5), open=False)
        assert col.value(closed, Shown(T0, None)) == "待派工" and col.style(closed, Shown(T0, None)) is None

    def test_cut_text_ends_with_an_ellipsis_and_keeps_its_width(self):
        assert fit("厨房水管漏水", 7).rstrip().endswith("…")
        assert cell_len(fit("厨房水管漏水", 7)) == 7
        assert fit("abc", 5) == "abc  "

    def test_narrow_lists_drop_optional_columns_and_the_rest_takes_the_remainder(self):
        cols = [Column("col.at", 11, str), Column("col.phone", 11, str, min_total=100), Column("col.content", 0, str)]
        assert [c.key for c, _, _ in layout_columns(cols, 80)] == ["col.at", "col.content"]
        assert [cells for _, _, cells in layout_columns(cols, 120)] == [11, 11, 120 - 24]
        assert heading_line(cols, 80).startswith("时间")


class TestThroughTheCallLog:
    async def test_a_repair_call_counts_down_on_the_shared_clock(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one(RegisterList)
            repair = next(calls._rows[i] for i in range(calls.total) if calls._rows[i].status == "awaiting_slip")
            app.now = repair.at + timedelta(minutes=2)
            assert "待派工 03:00" in calls.render_line(1).text  # the repair call is the second newest
            app.now = FROZEN

    async def test_lists_out_of_view_do_not_tick(self, staffed_db):
        app = make_app(staffed_db)
        async with app.run_test(size=(100, 30)) as pilot:
            await sign_in(pilot)
            calls = app.screen.query_one(RegisterList)
            calls._count_failed = True  # pretend a count failed: a tick in view would retry it
            await pilot.press("f3")
            await wait_for(pilot, lambda: not calls.screen.is_current)
            calls._tick(app.now)
            assert calls._count_failed  # nothing ran while the screen was out of view
            calls._count_failed = False
