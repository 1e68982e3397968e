"""The home screen: the call and visit log (来电来访登记).

Opens on today (newest first), scrolls back through all history reading only
the rows in view, filters by date range, category and channel, and searches
phone, name, unit or any substring of the content. Ctrl+N logs a new call.

Declarations on the kit: the columns and the row source below, a
RegisterList, and the WorkScreen base (header, footer, Ctrl+N, fresh data).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from deskapp.core.codes import AWAITING, is_awaiting
from deskapp.i18n import label, t
from deskapp.widgets.register_list import Column, RegisterList, countdown_column, heading_line
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import WorkScreen, new_record_binding


class CallSource:
    """Rows of the log for the current filter, read through the query layer (in worker threads)."""

    def __init__(self, desk, call_filter):
        self.desk = desk
        self.filter = call_filter

    def count(self) -> int:
        from deskapp.services.call_queries import count_for_list

        return count_for_list(self.desk, self.filter)  # a search's stops at 10,001 ("10,000+")

    def page(self, start: int, total: int, after_key):
        from deskapp.services.call_queries import PAGE, fetch_calls, fetch_window

        if after_key is not None:
            return fetch_calls(self.desk, self.filter, after=after_key, limit=PAGE)
        if start == 0:  # the newest rows: needs no count (it may still be running)
            return fetch_calls(self.desk, self.filter, limit=PAGE)
        return fetch_window(self.desk, self.filter, start, total, PAGE)


class OpenMattersSource:
    """The 待办 view: what still waits on the desk, most urgent (most overdue) first."""

    def __init__(self, desk):
        self.desk = desk

    def count(self) -> int:
        from deskapp.services.open_matters import count_open

        return count_open(self.desk)

    def page(self, start: int, total: int, after_key):
        from deskapp.services.open_matters import fetch_open

        return fetch_open(self.desk, after=after_key, offset=0 if after_key is not None else start)


def _status_label(row) -> str:
    return "" if row.status == "done" else label("call_status_short", row.status)


# An awaiting 报修/投诉 call counts down to its slip/complaint deadline (待派工 04:12).
COLUMNS = [
    Column("col.at", 11, lambda r, s: s.local(r.at)),
    Column("col.channel", 4, lambda r, s: label("channel_short", r.channel), min_total=100),
    Column("col.category", 4, lambda r, s: label("category_short", r.category)),
    countdown_column("col.status", 14, due=lambda r: r.due_by, since=lambda r: r.at,
                     running=lambda r: is_awaiting(r.status), label=_status_label),
    Column("col.unit", 13, lambda r, s: r.unit_code),
    Column("col.caller", 6, lambda r, s: r.caller_name),
    # Wide enough for a landline with its area code and a +86 mobile: a phone cut
    # short reads as someone else's number (longer ones end in … and show whole below).
    Column("col.phone", 14, lambda r, s: r.phone, min_total=100),
    Column("col.content", 0, lambda r, s: r.content),
]


class CallLogScreen(WorkScreen):
    CSS_PATH = Path(__file__).with_name("call_log.tcss")
    NEW_RECORD = "key.new_call"
    BINDINGS = [
        new_record_binding(NEW_RECORD),
        Binding("ctrl+f", "search", t("key.search"), id="search"),
        Binding("ctrl+r", "filter", t("key.filter"), id="filter"),
        Binding("f7", "open_matters", t("key.awaiting"), tooltip=t("tip.awaiting"), id="open_matters"),
        # Not in the footer (it would push F6 off an 80-column line): the detail of an
        # awaiting call says "Ctrl+T 办理", and help and the palette list it.
        Binding("ctrl+t", "follow_up", t("key.follow_up"), tooltip=t("tip.follow_up"), id="follow_up", show=False),
        Binding("escape", "clear_search", t("key.clear"), id="clear", show=False),
    ]

    def __init__(self):
        super().__init__(name="calls")
        self.call_filter = None
        self.open_matters = False  # the 待办 view instead of the whole log

    def compose_body(self) -> ComposeResult:
        yield Static("", id="greeting", markup=False)
        yield Input(placeholder=f"{t('field.search')}: {t('calls.search_placeholder')}  (Ctrl+F)", id="search")
        yield Static("", id="filter-line", markup=False)
        yield Static("", id="heading", markup=False)
        yield RegisterList(COLUMNS, id="calls")
        yield Static("", id="detail")

    def on_mount(self) -> None:
        super().on_mount()
        from deskapp.services.call_queries import CallFilter

        desk = self.app.desk
        self.watch(self.app, "actor", self._greet)
        self.call_filter = CallFilter()
        self._show_filter()
        self.query_one(RegisterList).bind_source(CallSource(desk, self.call_filter))
        self.query_one(RegisterList).focus()

    def _greet(self, actor) -> None:
        """The greeting script with the surname of whoever is at the keyboard."""
        desk = self.app.desk
        surname = actor.name[:1] if actor else "×"
        self.query_one("#greeting", Static).update(
            desk.phrases.greeting.format(site=desk.site_name, surname=surname) if desk else ""
        )

    def on_resize(self) -> None:
        self.query_one("#heading", Static).update(heading_line(COLUMNS, self.query_one(RegisterList).size.width or self.size.width))

    # ---- list and detail ------------------------------------------------

    @on(RegisterList.Counted)
    def _counted(self, event: RegisterList.Counted) -> None:
        self._show_filter(event.total)
        self.query_one("#heading", Static).update(heading_line(COLUMNS, self.query_one(RegisterList).size.width))
        if event.total == 0:
            self.query_one("#detail", Static).update(t("calls.empty"))

    @on(RegisterList.Highlighted)
    def _highlighted(self, event: RegisterList.Highlighted) -> None:
        row = event.row
        desk = self.app.desk
        head = Text.assemble(
            (row.number, "bold"), "  ", f"{row.at.astimezone(desk.tz):%Y-%m-%d %H:%M}", "  ",
            label("channel", row.channel), "/", label("category", row.category), "  ",
            literal(row.caller_name), " ", literal(row.phone), " ", literal(row.unit_code),
            "  ", t("col.owner"), ":", literal(row.owner),
        )
        if is_awaiting(row.status):
            from deskapp.registry import FOLLOW_UP

            if row.category in FOLLOW_UP:
                head.append(f"  Ctrl+T {t('key.follow_up')}", style="bold cyan")
        parts = [head, Text("\n"), literal(row.content)]
        if row.reply:
            parts += [Text("\n→ "), literal(row.reply)]
        if row.flagged:
            parts += [Text("\n"), Text(t("calls.flagged", phrases=row.flagged), style="bold red")]
        self.query_one("#detail", Static).update(Text.assemble(*parts))

    # ---- search and filters ---------------------------------------------

    def _show_filter(self, total: int | None = None) -> None:
        f = self.call_filter
        bits = []
        if self.open_matters:
            bits.append(t("calls.open_matters"))
            if total is not None:
                bits.append(t("calls.count", count=f"{total:,}"))
            self.query_one("#filter-line", Static).update("  ".join(bits))
            return
        if f and (f.start or f.end):
            bits.append(f"{f.start or '…'} ~ {f.end or '…'}")
        if f and f.category:
            bits.append(label("category", f.category))
        if f and f.channel:
            bits.append(label("channel", f.channel))
        if f and f.search:
            bits.append(f"“{f.search}”")
        if total is not None:
            from deskapp.services.call_queries import shown_count

            bits.append(t("calls.count", count=shown_count(f, total)))
        self.query_one("#filter-line", Static).update("  ".join(bits))

    def apply_filter(self, call_filter) -> None:
        self.call_filter = call_filter
        self.open_matters = False
        self._show_filter()
        self.query_one(RegisterList).bind_source(CallSource(self.app.desk, call_filter))

    def action_open_matters(self) -> None:
        """F7: the 待办 view (awaiting, most urgent first); F7 again: back to the log."""
        if self.open_matters:
            self.apply_filter(self.call_filter)
        else:
            self.open_matters = True
            self._show_filter()
            self.query_one(RegisterList).bind_source(OpenMattersSource(self.app.desk))
        self.query_one(RegisterList).focus()

    def action_follow_up(self) -> None:
        """Ctrl+T 办理: the highlighted call's follow-up form (a repair's slip ...: deskapp/registry.py FOLLOW_UP)."""
        from screens.follow_up import follow_up

        row = self.query_one(RegisterList).current
        if row is not None:
            follow_up(self, row)

    @on(RegisterList.Chosen)
    def _chosen(self, event: RegisterList.Chosen) -> None:
        from screens.call_record import CallRecordScreen

        self.app.push_screen(CallRecordScreen(event.row))

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        self.apply_filter(replace(self.call_filter, search=event.value.strip()))
        self.query_one(RegisterList).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear_search(self) -> None:
        """Esc: back to the whole log, newest first (search, filter and 待办 view cleared)."""
        from deskapp.services.call_queries import CallFilter

        search = self.query_one("#search", Input)
        if search.value or self.call_filter != CallFilter() or self.open_matters:
            search.value = ""
            self.apply_filter(CallFilter())
        self.query_one(RegisterList).focus()

    def action_filter(self) -> None:
        from screens.call_filter import CallFilterScreen

        def done(result) -> None:
            if result is not None:
                self.apply_filter(replace(result, search=self.call_filter.search))

        self.app.push_screen(CallFilterScreen(self.call_filter), done)

    # ---- logging a call -------------------------------------------------

    def new_record(self) -> None:
        from screens.call_form import CallFormScreen

        self.app.push_screen(CallFormScreen(), self._logged)

    def _logged(self, logged) -> None:
        if logged is None:
            return
        self.notify(t("calls.saved", number=logged.number))
        if logged.status in ("awaiting_slip", "awaiting_complaint"):
            from deskapp.registry import FOLLOW_UP

            key, screen = ("F4", t("screen.slips")) if logged.status == "awaiting_slip" else ("F3", t("screen.complaints"))
            if any(AWAITING.get(category) == logged.status for category in FOLLOW_UP):
                key = "Ctrl+T"  # 办理 on the call itself carries it over
            self.notify(t("calls.awaiting", number=logged.number, status=label("call_status", logged.status),
                          key=key, screen=screen), timeout=8)
        if logged.flagged:
            self.notify(t("calls.flagged", phrases="、".join(logged.flagged)), severity="warning", timeout=8)
        calls = self.query_one(RegisterList)
        calls.reload(keep_cursor=False)
