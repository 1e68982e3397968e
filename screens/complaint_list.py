"""The complaints register (投诉, F3): every complaint newest first, each open one
counting down to its next clock (respond, forward, report, complete ...).

Declarations on the kit: the columns and the row source below, a RegisterList
and the WorkScreen base (Ctrl+N opens the intake form). Enter opens the
complaint's record (timeline, clocks, the next step's keys).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from deskapp.i18n import label, t
from deskapp.widgets.register_list import Column, RegisterList, countdown_column, heading_line
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import WorkScreen, new_record_binding


class ComplaintSource:
    """Complaints newest first (or the open ones only), read through the query layer in worker threads."""

    def __init__(self, desk, open_only: bool = False):
        self.desk = desk
        self.open_only = open_only

    def count(self) -> int:
        from deskapp.services.complaint_queries import count_complaints

        return count_complaints(self.desk, open_only=self.open_only)

    def page(self, start: int, total: int, after_key):
        from deskapp.core.paging import PAGE_SIZE
        from deskapp.services.complaint_queries import fetch_complaints

        if after_key is not None:
            return fetch_complaints(self.desk, after=after_key, limit=PAGE_SIZE, open_only=self.open_only)
        return fetch_complaints(self.desk, offset=start, limit=PAGE_SIZE, open_only=self.open_only)


def _next_label(row) -> str:
    if not row.is_open:
        return ""
    return label("clock_short", row.next_clock) if row.next_clock else ""


def _severity_style(row, shown):
    from rich.style import Style

    return {"critical": Style(color="red", bold=True), "major": Style(color="red"),
            "significant": Style(color="yellow")}.get(row.severity)


COLUMNS = [
    Column("col.received", 11, lambda r, s: s.local(r.received_at)),
    Column("col.severity", 8, lambda r, s: label("severity", r.severity), style=_severity_style),
    Column("col.complaint_status", 6, lambda r, s: label("complaint_status_short", r.status)),
    countdown_column("col.next_clock", 12, due=lambda r: r.next_due_by, since=lambda r: r.received_at,
                     running=lambda r: r.is_open and r.next_due_by is not None, label=_next_label),
    Column("col.unit", 13, lambda r, s: r.unit_code),
    Column("col.caller", 6, lambda r, s: r.customer_name, min_total=90),
    Column("col.phone", 14, lambda r, s: r.phone, min_total=110),
    Column("col.content", 0, lambda r, s: r.description),
]


class ComplaintsScreen(WorkScreen):
    NEW_RECORD = "key.new_complaint"
    DEFAULT_CSS = """
    ComplaintsScreen #complaints-line { height: 1; color: $text-muted; }
    ComplaintsScreen #complaints-heading { height: 1; text-style: bold; }
    ComplaintsScreen #complaint-detail { height: 3; border-top: solid $primary-darken-2; }
    """
    BINDINGS = [
        new_record_binding(NEW_RECORD),
        Binding("ctrl+o", "open_only", t("key.open_only"), tooltip=t("tip.open_only"), id="complaints_open_only"),
    ]

    def __init__(self):
        super().__init__(name="complaints")
        self.open_only = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="complaints-line", markup=False)
        yield Static("", id="complaints-heading", markup=False)
        yield RegisterList(COLUMNS, id="complaints")
        yield Static("", id="complaint-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self._bind()

    def _bind(self) -> None:
        self._line()
        register = self.query_one(RegisterList)
        register.bind_source(ComplaintSource(self.app.desk, self.open_only))
        register.focus()

    def _line(self, total: int | None = None) -> None:
        what = t("complaints.open_only") if self.open_only else t("complaints.all")
        count = "" if total is None else "  " + t("calls.count", count=f"{total:,}")
        self.query_one("#complaints-line", Static).update(what + count)

    def on_resize(self) -> None:
        self._heading()

    def _heading(self) -> None:
        register = self.query_one(RegisterList)
        self.query_one("#complaints-heading", Static).update(heading_line(COLUMNS, register.size.width or self.size.width))

    @on(RegisterList.Counted)
    def _counted(self, event: RegisterList.Counted) -> None:
        self._line(event.total)
        self._heading()
        if event.total == 0:
            self.query_one("#complaint-detail", Static).update(t("complaints.empty"))

    @on(RegisterList.Highlighted)
    def _highlighted(self, event: RegisterList.Highlighted) -> None:
        row = event.row
        desk = self.app.desk
        head = Text.assemble((row.number, "bold"), "  ", f"{row.received_at.astimezone(desk.tz):%Y-%m-%d %H:%M}",
                             "  ", label("severity", row.severity), " / ", label("complaint_status", row.status),
                             "  ", literal(row.customer_name), " ", literal(row.phone), " ", literal(row.unit_code))
        self.query_one("#complaint-detail", Static).update(Text.assemble(head, "\n", literal(row.description)))

    @on(RegisterList.Chosen)
    def _chosen(self, event: RegisterList.Chosen) -> None:
        from screens.complaint_record import ComplaintRecordScreen

        self.app.push_screen(ComplaintRecordScreen(event.row.id))

    def action_open_only(self) -> None:
        """Ctrl+O: only the open complaints; again: all."""
        self.open_only = not self.open_only
        self._bind()

    def new_record(self) -> None:
        from screens.complaint_form import ComplaintFormScreen

        def saved(result) -> None:
            if result is not None:
                ComplaintFormScreen.after_saved(self.app, result)
                self.query_one(RegisterList).reload(keep_cursor=False)

        self.app.push_screen(ComplaintFormScreen(), saved)
