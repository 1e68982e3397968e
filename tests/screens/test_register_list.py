"""The kit's register list, on its own (a million synthetic rows, faults) and
through the call log (countdowns on the app's one clock)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from rich.cells import cell_len
from sqlalchemy.exc import OperationalError
from textual.app import App, ComposeResult
from textual.geometry import Region

from deskapp.core.paging import PAGE_SIZE
from deskapp.core.policy import CountdownPolicy
from deskapp.widgets.register_list import (
    Column,
    RegisterList,
    Shown,
    countdown_column,
    fit,
    site_levels,
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

    def __init__(self, source, columns=COLUMNS):
        super().__init__()
        self.source = source
        self.columns = columns
        self.now = T0
        self.desk = None

    def compose(self) -> ComposeResult:
        yield RegisterList(self.columns)

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


@dataclass(frozen=True)
class Job:
    """A row with a deadline, as a register of slips or complaints has."""

    n: int
    due: datetime
    status: str = "待派工"
    open: bool = True

    @property
    def key(self):
        return self.n


class Jobs:
    """Rows held in memory; a test replaces them as another terminal's commit would."""

    def __init__(self, jobs: list[Job]):
        self.jobs = jobs

    def count(self) -> int:
        return len(self.jobs)

    def page(self, start: int, total: int, after_key):
        first = after_key + 1 if after_key is not None else start
        return self.jobs[first:first + PAGE_SIZE]


JOB_COLUMNS = [
    Column("col.number", 6, lambda r, s: f"#{r.n}"),
    countdown_column("col.status", 14, due=lambda r: r.due, since=lambda r: T0, running=lambda r: r.open,
                     label=lambda r: r.status),
    Column("col.content", 0, lambda r, s: f"{r.status} content"),
]


def drawn(rows: RegisterList, y: int):
    """Line y as the screen gets it: through Textual's line cache, which keeps lines not marked dirty."""
    return rows.render_lines(Region(0, y, rows.size.width, 1))[0]


def cell(strip, text: str):
    """The segment of a drawn line that shows `text`."""
    return next(segment for segment in strip if text in segment.text)


class TestDrawnLinesAreNeverStale:
    """The list keeps each drawn line and redraws only the live cells: nothing kept may outlive what it shows."""

    async def test_each_tick_shows_the_new_countdown_and_its_level_colour(self):
        app = ListApp(Jobs([Job(0, T0 + timedelta(minutes=5))]), JOB_COLUMNS)
        async with app.run_test(size=(60, 10)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.current is not None)
            rows.blur()  # the cursor line is reversed when focused: read the colours without it
            await pilot.pause()
            assert "待派工 05:00" in drawn(rows, 0).text
            _tick(app)
            await pilot.pause()
            assert "待派工 04:59" in drawn(rows, 0).text and "05:00" not in drawn(rows, 0).text
            for now, text, colour, reverse in [(T0 + timedelta(minutes=4), "01:00", "yellow", False),
                                               (T0 + timedelta(minutes=6), "超01:00", "red", True)]:
                app.now = now
                rows._tick(now)
                await pilot.pause()
                assert text in drawn(rows, 0).text
                style = cell(rows.render_line(0), text).style  # before Textual turns names into RGB
                assert style.color.name == colour and bool(style.reverse) == reverse

    async def test_a_reload_shows_the_new_rows_even_with_the_same_keys(self):
        jobs = Jobs([Job(n, T0 + timedelta(minutes=5 + n)) for n in range(3)])
        app = ListApp(jobs, JOB_COLUMNS)
        async with app.run_test(size=(60, 10)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.current is not None)
            await pilot.pause()
            assert "待派工 05:00" in drawn(rows, 0).text
            jobs.jobs = [replace(j, status="已派工", open=False) for j in jobs.jobs]  # committed elsewhere
            rows.reload()
            await wait_for(pilot, lambda: not rows.is_loading and rows.current.status == "已派工")
            await pilot.pause()
            for y in range(3):
                line = drawn(rows, y).text
                assert "已派工 content" in line and "待派工" not in line and "05:0" not in line
            _tick(app)  # a stopped clock stays stopped
            await pilot.pause()
            assert "已派工" in drawn(rows, 0).text and ":" not in drawn(rows, 0).text

    async def test_the_cursor_line_follows_the_cursor_and_the_focus(self):
        app = ListApp(Jobs([Job(n, T0 + timedelta(minutes=5)) for n in range(3)]), JOB_COLUMNS)
        async with app.run_test(size=(60, 10)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.current is not None)
            await pilot.pause()

            def looks(y: int) -> tuple[bool, bool]:
                style = cell(drawn(rows, y), "content").style
                return bool(style.reverse), bool(style.underline)

            assert [looks(y) for y in range(3)] == [(True, False), (False, False), (False, False)]
            await pilot.press("down")
            await pilot.pause()
            assert [looks(y) for y in range(3)] == [(False, False), (True, False), (False, False)]
            rows.blur()
            await pilot.pause()
            assert looks(1) == (False, True)  # unfocused: underlined, not reversed

    async def test_a_new_theme_redraws_the_kept_lines(self):
        app = ListApp(Jobs([Job(0, T0 + timedelta(hours=3), open=False)]), JOB_COLUMNS)
        async with app.run_test(size=(60, 10)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.current is not None)
            rows.blur()  # the plain look, not the cursor's reverse
            await pilot.pause()
            before = rows.render_line(0)
            app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
            await pilot.pause()
            after = rows.render_line(0)
            assert after is not before
            assert cell(after, "content").style.bgcolor == rows.rich_style.bgcolor != cell(before, "content").style.bgcolor

    async def test_a_tick_redraws_only_the_cells_that_changed(self):
        jobs = [Job(0, T0 + timedelta(minutes=5)), Job(1, T0 + timedelta(minutes=9)), Job(2, T0 + timedelta(hours=3, minutes=30))]
        app = ListApp(Jobs(jobs), JOB_COLUMNS)
        async with app.run_test(size=(60, 10)) as pilot:
            rows = app.query_one(RegisterList)
            await wait_for(pilot, lambda: rows.current is not None)
            await pilot.pause()
            asked: list[tuple[Region, ...]] = []
            rows.refresh = lambda *regions, **kwargs: asked.append(regions)  # what the tick marks to redraw
            try:
                _tick(app)
            finally:
                del rows.refresh
            # The two countdowns under an hour, in one region over the status column; "3时" did not change.
            assert asked == [(Region(7, 0, 14, 2),)]


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

    def test_the_site_policy_decides_when_a_countdown_warns(self):
        col = countdown_column("col.status", 14, due=lambda r: r.due, since=lambda r: r.at,
                               running=lambda r: True)
        row = SimpleNamespace(at=T0, due=T0 + timedelta(minutes=60))
        at_40_min = T0 + timedelta(minutes=40)  # 20 of 60 minutes left
        assert col.style(row, Shown(at_40_min, None)).color.name == "green"  # defaults: warn under 20% / 2 min
        site = CountdownPolicy(warn_fraction=0.0, warn_minutes=25)
        warned = col.style(row, Shown(at_40_min, None, site.levels()))
        assert warned.color.name == "yellow" and not warned.reverse

    def test_the_levels_come_from_the_open_desks_policy(self):
        assert site_levels(SimpleNamespace()) == {}  # before the desk opens: the core's defaults
        desk = SimpleNamespace(policy=SimpleNamespace(countdown=CountdownPolicy(warn_minutes=15)))
        assert site_levels(SimpleNamespace(desk=desk))["warn_min"] == timedelta(minutes=15)

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
