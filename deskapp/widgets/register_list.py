"""A register as a virtual list: only the rows in view are ever read.

Every register screen (call log, complaints, slips, visits...) declares its
columns and a row source and gets the same speed at 1,000,000 rows: a
ScrollView on the Line API whose virtual height is the row count;
`render_line` draws from a small cache of pages, and a page not yet read is
fetched in a thread worker, by key from the row above when that row is cached,
else by position from the nearer end (the source decides how).

What a register declares:
- `columns`: a list of `Column` (heading key, width, how to get the text from
  a row, optional style, optional live countdown via `countdown_column`);
- a `RowSource`: `count()`, `page(start, total, after_key)` returning rows that
  have a `.key` (the keyset position, e.g. (at, id)). Called in worker threads.

Everything a worker needs is read on the event loop before it starts (the
anchor key, the total), so no thread reads the widget's state. A failed count
or page is retried on the next clock tick and its fault shown once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Protocol, Sequence
from zoneinfo import ZoneInfo

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskapp.core.countdown import SlaLevel, format_remaining, sla_level
from deskapp.core.paging import PAGE_SIZE
from deskapp.i18n import t
from deskapp.widgets.safe_text import printable

# Rows kept in memory at most (about 30 pages); older pages are dropped.
MAX_CACHED_ROWS = 3000


class RowSource(Protocol):
    """Where a register's rows come from, bound to the open desk. Called in worker threads."""

    def count(self) -> int: ...

    def page(self, start: int, total: int, after_key: Any) -> list: ...


@dataclass(frozen=True)
class Shown:
    """What a cell function is given besides the row: the app's clock, the site's zone
    and the site's countdown warning levels (policy.toml [countdown])."""

    now: datetime | None
    tz: ZoneInfo | None
    levels: Mapping[str, Any] = field(default_factory=dict)

    def local(self, instant: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
        if instant is None:
            return ""
        return format(instant.astimezone(self.tz) if self.tz else instant, fmt)


@dataclass(frozen=True)
class Column:
    key: str  # catalogue key of the heading
    width: int  # cells; 0 = take the rest
    value: Callable[[Any, Shown], str]
    min_total: int = 0  # shown only when the list is at least this wide
    style: Callable[[Any, Shown], Style | None] | None = None
    # A live countdown in this cell: the cell is redrawn by the clock while this says so.
    # A cell not ticking must not change with the clock: it is drawn once per row and kept.
    ticking: Callable[[Any], bool] | None = None


def site_levels(app) -> Mapping[str, Any]:
    """sla_level's thresholds from the open desk's policy; the core's defaults before it opens."""
    desk = getattr(app, "desk", None)
    return desk.policy.countdown.levels() if desk is not None else {}


LEVEL_STYLE = {
    SlaLevel.OK: Style(color="green", bold=True),
    SlaLevel.WARN: Style(color="yellow", bold=True),
    SlaLevel.OVERDUE: Style(color="red", bold=True, reverse=True),
}


def countdown_column(
    key: str,
    width: int,
    *,
    due: Callable[[Any], datetime | None],
    since: Callable[[Any], datetime | None],
    running: Callable[[Any], bool],
    label: Callable[[Any], str] = lambda row: "",
    min_total: int = 0,
) -> Column:
    """A column whose cell counts down to a stored deadline: "待派工 04:12", "超05:00".

    `due` is the deadline, `since` when its window opened (for the warning
    share), `running` whether the clock still runs for this row, `label` the
    text before the time. The warning levels are the site's (`Shown.levels`).
    """

    def running_now(row, shown: Shown) -> bool:
        return shown.now is not None and due(row) is not None and running(row)

    def value(row, shown: Shown) -> str:
        text = label(row)
        if running_now(row, shown):
            text = f"{text} {format_remaining(due(row) - shown.now, compact=True)}".strip()
        return text

    def style(row, shown: Shown) -> Style | None:
        if not running_now(row, shown):
            return None
        opened = since(row)
        total = due(row) - opened if opened is not None else None
        return LEVEL_STYLE.get(sla_level(due(row), shown.now, total=total, **shown.levels))

    return Column(key, width, value, min_total=min_total, style=style, ticking=running)


def fit(text: str, cells: int) -> str:
    """Exactly `cells` wide: padded, or cut with an ellipsis so a cut is never mistaken for the whole."""
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    if cells <= 1:
        return set_cell_size(text, cells)
    return set_cell_size(set_cell_size(text, cells - 1).rstrip() + "…", cells)


def layout_columns(columns: Sequence[Column], width: int) -> list[tuple[Column, int, int]]:
    """(column, x, cells) for a list this wide: narrow terminals drop optional columns."""
    cols = [c for c in columns if width >= c.min_total]
    fixed = sum(c.width + 1 for c in cols if c.width)
    laid, x = [], 0
    for c in cols:
        cells = c.width or max(4, width - fixed)
        laid.append((c, x, cells))
        x += cells + 1
    return laid


def heading_line(columns: Sequence[Column], width: int) -> str:
    return " ".join(fit(t(c.key), cells) for c, _, cells in layout_columns(columns, width))


@dataclass
class _Line:
    """One drawn line, kept while its row, width and look stay the same.

    The cells that do not tick are drawn once (`runs`, the segments between the
    live cells); each second only the live cells are formatted and spliced in.
    """

    row: Any
    width: int
    style: Style
    tz: Any
    runs: list[list[Segment]]
    slots: list[tuple[int, Column, int]]  # the live cells: (column index, column, cells)
    exact: bool  # the segments fill exactly `width` cells (else cropped or padded at each draw)
    live: tuple | None = None  # the live cells' (text, style) that `strip` shows
    strip: Strip | None = None


class RegisterList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    RegisterList { height: 1fr; scrollbar-size-vertical: 1; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "first", t("key.today"), id="list_first", show=False),
        Binding("end", "last", t("key.oldest"), id="list_last", show=False),
        Binding("enter", "choose", t("key.open"), id="list_open", show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    total: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        def __init__(self, row):
            super().__init__()
            self.row = row

    class Chosen(Message):
        """Enter on a row: open the whole record."""

        def __init__(self, row):
            super().__init__()
            self.row = row

    class Counted(Message):
        def __init__(self, total: int):
            super().__init__()
            self.total = total

    def __init__(self, columns: Sequence[Column], **kwargs):
        super().__init__(**kwargs)
        self.columns = list(columns)
        self.source: RowSource | None = None
        self._rows: dict[int, Any] = {}
        self._pending: set[int] = set()
        self._failed_pages: set[int] = set()
        self._count_failed = False
        self._fault_shown = False
        self._generation = 0  # bumped by every reload; late answers of older ones are dropped
        self._fresh = 0  # the generation whose first page is in the cache
        self._counting = False
        # (row index, column index) -> (row, now, (text, style)): each live cell as drawn.
        self._ticking_shown: dict[tuple[int, int], tuple[Any, datetime | None, tuple[str, Style | None]]] = {}
        self._ticking_columns = [i for i, c in enumerate(self.columns) if c.ticking is not None]
        self._lines: dict[int, _Line] = {}  # row index -> its drawn line
        self._layout: tuple[int, list[tuple[int, Column, int, int]]] | None = None
        self._frame: tuple | None = None  # what every line of one repaint needs, read once

    def _forget_drawn(self) -> None:
        """Rows, width or scroll position changed: nothing drawn so far may be reused."""
        self._ticking_shown.clear()
        self._lines.clear()

    # ---- data ---------------------------------------------------------
    #
    # A reload asks for the count and the first page at once: the newest rows
    # show as soon as they are read (a few ms), while counting a rare search
    # over a million rows may take most of a second. The old rows stay on
    # screen until the new first page replaces them, so a refresh never flashes.

    def bind_source(self, source: RowSource) -> None:
        self.source = source
        self.reload(keep_cursor=False)

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Re-count and re-read (a filter changed, or someone committed)."""
        if self.source is None:
            return
        self._generation += 1
        self._pending = {0}
        self._failed_pages.clear()
        self._counting = True
        self._count_failed = False
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self._start_count()
        self._start_page(0)

    def _start_count(self) -> None:
        from deskapp.widgets.service_call import call_service

        generation, source = self._generation, self.source
        call_service(self, source.count, group="list-count",
                     done=lambda total: self._counted(generation, total),
                     failed=lambda message: self._count_fault(generation, message))

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._counting = False
        self._fault_cleared()
        self._set_total(total)
        self.cursor = min(self.cursor, max(0, total - 1))
        self.post_message(self.Counted(total))
        self._want(self.cursor)
        self.refresh()

    def _count_fault(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._counting = False  # not "counting for ever": retried on the next tick
        self._count_failed = True
        self._show_fault(message)

    def _set_total(self, total: int) -> None:
        self.total = total
        self.virtual_size = Size(self.size.width, total)

    def _want(self, index: int) -> None:
        page = index // PAGE_SIZE
        if (self.source is None or page in self._pending or page in self._failed_pages
                or index >= self.total or self._counting):
            return
        self._pending.add(page)
        self._start_page(page)

    def _start_page(self, page: int) -> None:
        from deskapp.widgets.service_call import call_service

        start = page * PAGE_SIZE
        anchor = self._rows.get(start - 1) if start else None
        after_key = anchor.key if anchor is not None else None
        generation, total, source = self._generation, self.total, self.source
        call_service(self, lambda: source.page(start, total, after_key), group="list-page", exclusive=False,
                     done=lambda rows: self._fetched(generation, page, rows),
                     failed=lambda message: self._page_fault(generation, page, message))

    def _page_fault(self, generation: int, page: int, message: str) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self._failed_pages.add(page)
        self._show_fault(message)

    def _show_fault(self, message: str) -> None:
        # Once per run of failures: a locked or lost database must not flood the screen.
        if not self._fault_shown:
            self._fault_shown = True
            self.notify(message, severity="error", timeout=15)

    def _fault_cleared(self) -> None:
        # Healthy again only when nothing failed and nothing is still on its way: a
        # page arriving while a retried count is in flight must not re-arm the
        # message, or the retry's failure would be shown a second time.
        if not (self._count_failed or self._failed_pages or self._counting or self._pending):
            self._fault_shown = False

    def _retry_failed(self) -> None:
        if self._count_failed:
            self._count_failed = False
            self._counting = True
            self._start_count()
        for page in sorted(self._failed_pages):
            self._failed_pages.discard(page)
            self._pending.add(page)
            self._start_page(page)

    def _fetched(self, generation: int, page: int, rows: list) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self._fault_cleared()
        if page == 0 and self._fresh != generation:
            self._rows = {}  # the stale cache goes only now that fresh rows are here
            self._forget_drawn()
            self._fresh = generation
            if self._counting:
                self._set_total(len(rows))  # provisional, until the count arrives
        elif self._fresh != generation:
            return
        if len(self._rows) > MAX_CACHED_ROWS:
            keep = range(max(0, self.scroll_offset.y - PAGE_SIZE), self.scroll_offset.y + self.size.height + PAGE_SIZE)
            self._rows = {i: r for i, r in self._rows.items() if i in keep}
        start = page * PAGE_SIZE
        for offset, row in enumerate(rows):
            self._rows[start + offset] = row
        if start <= self.cursor < start + len(rows):
            self.post_message(self.Highlighted(self._rows[self.cursor]))
        self.refresh()

    @property
    def current(self):
        return self._rows.get(self.cursor)

    @property
    def is_loading(self) -> bool:
        """A count or a page is still on its way (tests and benchmarks wait on this)."""
        return self._counting or bool(self._pending)

    # ---- drawing ------------------------------------------------------

    def _shown(self) -> Shown:
        desk = getattr(self.app, "desk", None)
        return Shown(getattr(self.app, "now", None), getattr(desk, "tz", None), site_levels(self.app))

    def _laid(self, width: int) -> list[tuple[int, Column, int, int]]:
        """(column index, column, x, cells) at this width, worked out once per width."""
        if self._layout is None or self._layout[0] != width:
            index = {id(c): i for i, c in enumerate(self.columns)}
            self._layout = (width, [(index[id(c)], c, x, cells) for c, x, cells in layout_columns(self.columns, width)])
        return self._layout[1]

    def _read_frame(self) -> tuple:
        return (self.scrollable_content_region.width, self.scroll_offset.y, self.rich_style, self.has_focus,
                self._shown())

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style, size and scroll position are the same for every line of one
        # repaint: read them once, not once per line (the idle desk repaints every second).
        self._frame = self._read_frame()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        width, top, base, focused, shown = self._frame or self._read_frame()
        index = top + y
        if index >= self.total:
            return Strip.blank(width, base)
        row = self._rows.get(index)
        if row is None:
            self._want(index)
            return Strip([Segment(fit("…", width), base)], width)
        style = base
        if index == self.cursor:
            style = base + (Style(reverse=True) if focused else Style(underline=True))
        line = self._lines.get(index)
        if line is None or line.row is not row or line.width != width or line.style != style or line.tz is not shown.tz:
            line = self._lines[index] = self._draw_line(row, width, style, shown)
        if not line.slots:
            return line.strip
        live = tuple(self._live_cell(index, col_index, column, row, shown) for col_index, column, _ in line.slots)
        if live != line.live:
            segments = list(line.runs[0])
            for (_, _, cells), (text, extra), run in zip(line.slots, live, line.runs[1:]):
                segments.append(Segment(fit(printable(text), cells), style + extra if extra else style))
                segments += run
            line.live = live
            line.strip = Strip(segments, width) if line.exact else Strip(segments).crop_extend(0, width, style)
        return line.strip

    def _draw_line(self, row, width: int, style: Style, shown: Shown) -> _Line:
        """Draw the cells that do not tick; leave a slot for each live one."""
        runs: list[list[Segment]] = [[]]
        slots: list[tuple[int, Column, int]] = []
        total = 0
        for col_index, column, _x, cells in self._laid(width):
            if column.ticking is not None and column.ticking(row):
                slots.append((col_index, column, cells))
                runs.append([])
            else:
                text = printable(column.value(row, shown))
                extra = column.style(row, shown) if column.style else None
                runs[-1].append(Segment(fit(text, cells), style + extra if extra else style))
            runs[-1].append(Segment(" ", style))
            total += cells + 1
        # Every cell is exactly as wide as its column, so the line's width is known
        # before the live cells are filled in: the separator after the last column
        # falls off the edge, and a line narrower than the list is padded.
        if total == width + 1:
            runs[-1].pop()
        elif total < width:
            runs[-1].append(Segment(" " * (width - total), style))
        exact = total <= width + 1  # else the content column's least width overflows: cropped at each draw
        runs = [list(Segment.simplify(run)) for run in runs]
        line = _Line(row, width, style, shown.tz, runs, slots, exact)
        if not slots:
            line.strip = Strip(runs[0], width) if exact else Strip(runs[0]).crop_extend(0, width, style)
        return line

    def _live_cell(self, index: int, col_index: int, column: Column, row, shown: Shown) -> tuple[str, Style | None]:
        """A live cell's text and colour at `shown.now`, worked out once per tick (the tick or the draw, whichever comes first)."""
        known = self._ticking_shown.get((index, col_index))
        if known is not None and known[0] is row and known[1] == shown.now:
            return known[2]
        state = (column.value(row, shown), column.style(row, shown) if column.style else None)
        self._ticking_shown[(index, col_index)] = (row, shown.now, state)
        return state

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick, init=False)

    def _tick(self, _now) -> None:
        """The app's one clock ticked. Off screen: nothing. On screen: retry what
        failed, and redraw only the countdown cells whose text or colour changed."""
        if not self.screen.is_current or not self.display:
            return
        if self._count_failed or self._failed_pages:
            self._retry_failed()
        if not self._ticking_columns:
            return
        laid = {col_index: (x, cells) for col_index, _c, x, cells in self._laid(self.scrollable_content_region.width)}
        shown = self._shown()
        top = self.scroll_offset.y
        changed: dict[int, list[int]] = {}  # column index -> lines whose cell changed
        for y in range(self.size.height):
            index = top + y
            row = self._rows.get(index)
            if row is None:
                continue
            for col_index in self._ticking_columns:
                column = self.columns[col_index]
                if col_index not in laid or not column.ticking(row):
                    continue
                known = self._ticking_shown.get((index, col_index))
                state = (column.value(row, shown), column.style(row, shown) if column.style else None)
                self._ticking_shown[(index, col_index)] = (row, shown.now, state)
                if known is None or known[0] is not row or known[2] != state:
                    changed.setdefault(col_index, []).append(y)
        if changed:
            # One refresh for the whole tick; cells changed on adjacent lines make one region.
            regions = []
            for col_index, lines in changed.items():
                x, cells = laid[col_index]
                first = previous = lines[0]
                for y in lines[1:] + [None]:
                    if y != previous + 1:
                        regions.append(Region(x, first, cells, previous - first + 1))
                        first = y
                    previous = y
            self.refresh(*regions)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)
        self._forget_drawn()

    # ---- keys ---------------------------------------------------------

    def watch_cursor(self, old: int, new: int) -> None:
        top = self.scroll_offset.y
        height = max(1, self.scrollable_content_region.height)
        if new < top:
            self.scroll_to(y=new, animate=False)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False)
        row = self._rows.get(new)
        if row is None:
            self._want(new)
        else:
            self.post_message(self.Highlighted(row))
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._forget_drawn()

    def action_cursor(self, step: int) -> None:
        if self.total:
            self.cursor = max(0, min(self.total - 1, self.cursor + step))

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        if self.total:
            self.cursor = self.total - 1

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current))

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.total:
            self.cursor = index
