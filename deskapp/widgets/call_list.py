"""The call log as a virtual list: only the rows in view are ever read.

A ScrollView using the Line API (design.md, "1,000,000 rows on screen"): the
virtual height is the row count, `render_line` draws from a small cache of
~100-row pages, and a missing page is fetched in a thread worker, by key from
the row above when that row is cached, else by offset from the nearer end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from deskapp.core.codes import is_awaiting
from deskapp.core.countdown import SlaLevel, sla_level
from deskapp.i18n import label, t
from deskapp.widgets.safe_text import printable

PAGE = 100
MAX_CACHED_ROWS = 3000


class RowSource(Protocol):
    """Where rows come from (bound to the open desk by the screen). Called from worker threads."""

    def count(self) -> int: ...

    def page(self, start: int, total: int, after_key) -> list: ...

    def local_time(self, instant) -> str: ...


@dataclass(frozen=True)
class Column:
    key: str  # catalogue key of the heading
    width: int  # cells; 0 = take the rest
    value: Callable[[object, RowSource, object], str]  # (row, source, now)
    min_total: int = 0  # shown only when the list is at least this wide


def status_text(row, now) -> str:
    """Short status; an awaiting call shows its live countdown (待派工 04:12)."""
    if row.status == "done":
        return ""
    text = label("call_status_short", row.status)
    if row.due_by is not None and now is not None and is_awaiting(row.status):
        text += " " + compact_remaining(row.due_by - now)
    return text


def compact_remaining(delta) -> str:
    """At most 7 cells for a list column: 04:12, 3时, 超04:12, 超5时, 超2天 (en: 3h, -04:12, -2d)."""
    seconds = int(delta.total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    if seconds < 3600:
        body = f"{seconds // 60:02d}:{seconds % 60:02d}"
    elif seconds < 86400:
        body = t("unit.hours", n=seconds // 3600)
    else:
        body = t("unit.days", n=seconds // 86400)
    return (t("unit.late") if late else "") + body


COLUMNS = [
    Column("col.at", 11, lambda r, s, n: s.local_time(r.at)),
    Column("col.channel", 4, lambda r, s, n: label("channel_short", r.channel), min_total=100),
    Column("col.category", 4, lambda r, s, n: label("category_short", r.category)),
    Column("col.status", 14, lambda r, s, n: status_text(r, n)),
    Column("col.unit", 13, lambda r, s, n: r.unit_code),
    Column("col.caller", 6, lambda r, s, n: r.caller_name),
    Column("col.phone", 11, lambda r, s, n: r.phone, min_total=100),
    Column("col.content", 0, lambda r, s, n: r.content),
]

_LEVEL_STYLE = {
    SlaLevel.OK: Style(color="green", bold=True),
    SlaLevel.WARN: Style(color="yellow", bold=True),
    SlaLevel.OVERDUE: Style(color="red", bold=True, reverse=True),
}


def visible_columns(width: int) -> list[tuple[Column, int]]:
    cols = [c for c in COLUMNS if width >= c.min_total]
    fixed = sum(c.width + 1 for c in cols if c.width)
    return [(c, c.width or max(4, width - fixed)) for c in cols]


def heading_line(width: int) -> str:
    return " ".join(set_cell_size(t(c.key), w) for c, w in visible_columns(width))


class CallList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    CallList { height: 1fr; scrollbar-size-vertical: 1; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "first", t("key.today"), id="list_first", show=False),
        Binding("end", "last", t("key.oldest"), id="list_last", show=False),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    total: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        def __init__(self, row):
            super().__init__()
            self.row = row

    class Counted(Message):
        def __init__(self, total: int):
            super().__init__()
            self.total = total

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.source: RowSource | None = None
        self._rows: dict[int, object] = {}
        self._pending: set[int] = set()
        self._generation = 0  # bumped by every reload; late answers of older ones are dropped
        self._fresh = 0  # the generation whose first page is in the cache
        self._counting = False

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
        self._counting = True
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        self._count(self._generation)
        self._fetch(self._generation, 0)

    @work(thread=True, exclusive=True, group="count")
    def _count(self, generation: int) -> None:
        try:
            total = self.source.count()
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._counted, generation, total)

    def _counted(self, generation: int, total: int) -> None:
        if generation != self._generation:
            return
        self._counting = False
        self._set_total(total)
        self.cursor = min(self.cursor, max(0, total - 1))
        self.post_message(self.Counted(total))
        self._want(self.cursor)
        self.refresh()

    def _set_total(self, total: int) -> None:
        self.total = total
        self.virtual_size = Size(self.size.width, total)

    def _want(self, index: int) -> None:
        page = index // PAGE
        if self.source is None or page in self._pending or index >= self.total or self._counting:
            return
        self._pending.add(page)
        self._fetch(self._generation, page)

    @work(thread=True, group="page")
    def _fetch(self, generation: int, page: int) -> None:
        start = page * PAGE
        anchor = self._rows.get(start - 1) if start else None
        try:
            rows = self.source.page(start, self.total, anchor.key if anchor is not None else None)
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._fetched, generation, page, rows)

    def _fetched(self, generation: int, page: int, rows: list) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        if page == 0 and self._fresh != generation:
            self._rows = {}  # the stale cache goes only now that fresh rows are here
            self._fresh = generation
            if self._counting:
                self._set_total(len(rows))  # provisional, until the count arrives
        elif self._fresh != generation:
            return
        if len(self._rows) > MAX_CACHED_ROWS:
            keep = range(max(0, self.scroll_offset.y - PAGE), self.scroll_offset.y + self.size.height + PAGE)
            self._rows = {i: r for i, r in self._rows.items() if i in keep}
        start = page * PAGE
        for offset, row in enumerate(rows):
            self._rows[start + offset] = row
        if start <= self.cursor < start + len(rows):
            self.post_message(self.Highlighted(self._rows[self.cursor]))
        self.refresh()

    @property
    def current(self):
        return self._rows.get(self.cursor)

    # ---- drawing ------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if index >= self.total:
            return Strip.blank(width, base)
        row = self._rows.get(index)
        if row is None:
            self._want(index)
            return Strip([Segment(set_cell_size("…", width), base)], width)
        selected = index == self.cursor
        style = base + Style(reverse=True) if selected and self.has_focus else base
        if selected and not self.has_focus:
            style = base + Style(underline=True)
        now = getattr(self.app, "now", None)
        segments = []
        for column, cells in visible_columns(width):
            text = printable(column.value(row, self.source, now))
            cell_style = style
            if column.key == "col.status" and row.due_by is not None and is_awaiting(row.status) and now:
                cell_style = style + _LEVEL_STYLE.get(sla_level(row.due_by, now, total=row.due_by - row.at), Style())
            segments.append(Segment(set_cell_size(text, cells), cell_style))
            segments.append(Segment(" ", style))
        return Strip(segments).crop_extend(0, width, style)

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick, init=False)

    def _tick(self, _now) -> None:
        """The app's one clock ticked: redraw only if a visible row is counting down."""
        top = self.scroll_offset.y
        for index in range(top, top + self.size.height):
            row = self._rows.get(index)
            if row is not None and is_awaiting(row.status):
                self.refresh()
                return

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)

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

    def on_click(self, event) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < self.total:
            self.cursor = index
