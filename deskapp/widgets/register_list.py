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

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol, Sequence
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
    """What a cell function is given besides the row: the app's clock and the site's zone."""

    now: datetime | None
    tz: ZoneInfo | None

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
    ticking: Callable[[Any], bool] | None = None


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
    levels: Callable[[], dict] | None = None,
) -> Column:
    """A column whose cell counts down to a stored deadline: "待派工 04:12", "超05:00".

    `due` is the deadline, `since` when its window opened (for the warning
    share), `running` whether the clock still runs for this row, `label` the
    text before the time. `levels` gives sla_level's keyword thresholds from
    the site policy when the register has them.
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
        return LEVEL_STYLE.get(sla_level(due(row), shown.now, total=total, **(levels() if levels else {})))

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
        self._ticking_shown: dict[tuple[int, int], tuple[str, Style | None]] = {}

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
        if not self._count_failed and not self._failed_pages:  # healthy again: the next fault is news
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
            self._ticking_shown.clear()
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
        return Shown(getattr(self.app, "now", None), getattr(desk, "tz", None))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if index >= self.total:
            return Strip.blank(width, base)
        row = self._rows.get(index)
        if row is None:
            self._want(index)
            return Strip([Segment(fit("…", width), base)], width)
        selected = index == self.cursor
        style = base + Style(reverse=True) if selected and self.has_focus else base
        if selected and not self.has_focus:
            style = base + Style(underline=True)
        shown = self._shown()
        segments = []
        for column, _x, cells in layout_columns(self.columns, width):
            text = printable(column.value(row, shown))
            extra = column.style(row, shown) if column.style else None
            segments.append(Segment(fit(text, cells), style + extra if extra else style))
            segments.append(Segment(" ", style))
        return Strip(segments).crop_extend(0, width, style)

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick, init=False)

    def _tick(self, _now) -> None:
        """The app's one clock ticked. Off screen: nothing. On screen: retry what
        failed, and redraw only the countdown cells whose text or colour changed."""
        if not self.screen.is_current or not self.display:
            return
        if self._count_failed or self._failed_pages:
            self._retry_failed()
        ticking = [(i, c) for i, c in enumerate(self.columns) if c.ticking is not None]
        if not ticking:
            return
        width = self.scrollable_content_region.width
        laid = {id(c): (x, cells) for c, x, cells in layout_columns(self.columns, width)}
        shown = self._shown()
        top = self.scroll_offset.y
        for index in range(top, top + self.size.height):
            row = self._rows.get(index)
            if row is None:
                continue
            for col_index, column in ticking:
                if id(column) not in laid or not column.ticking(row):
                    continue
                now_shown = (column.value(row, shown), column.style(row, shown) if column.style else None)
                if self._ticking_shown.get((index, col_index)) != now_shown:
                    self._ticking_shown[(index, col_index)] = now_shown
                    x, cells = laid[id(column)]
                    self.refresh(Region(x, index - top, cells, 1))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)
        self._ticking_shown.clear()

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
        self._ticking_shown.clear()

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
