"""The dispatch board (派工单, F4): open slips by department and technician, each
with a live countdown on the clock it is running (notify, assess, on site).

Declarations on the kit: the columns and the row source below, a RegisterList,
the WorkScreen base (header, footer, Ctrl+N issues a slip on its own, fresh
data when any terminal commits). Enter opens the slip with its steps.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from deskapp.i18n import label, t
from deskapp.widgets.register_list import Column, RegisterList, countdown_column, heading_line
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import WorkScreen, new_record_binding


class BoardSource:
    """Open slips in the board's order, read through slip_queries (in worker threads)."""

    def __init__(self, desk):
        self.desk = desk

    def count(self) -> int:
        from deskapp.services.slip_queries import count_board

        return count_board(self.desk)

    def page(self, start: int, total: int, after_key):
        from deskapp.services.slip_queries import fetch_board

        return fetch_board(self.desk, after=after_key, offset=0 if after_key is not None else start)


def _clock_label(row) -> str:
    return label("slip_clock", row.due_kind) if row.due_kind else label("slip_status", row.status)


COLUMNS = [
    Column("col.department", 12, lambda r, s: r.department),  # 华建维保单位: a contractor name whole
    Column("col.technician", 6, lambda r, s: r.technician or "—"),
    countdown_column("col.clock", 12, due=lambda r: r.due_by, since=lambda r: r.clock_since,
                     running=lambda r: bool(r.due_kind), label=_clock_label),
    Column("col.number", 16, lambda r, s: r.number, min_total=100),
    Column("col.unit", 13, lambda r, s: r.unit_code),
    Column("col.repair_item", 0, lambda r, s: r.item),
]


class SlipBoardScreen(WorkScreen):
    DEFAULT_CSS = """
    SlipBoardScreen #board-line { height: 1; padding: 0 1; color: $accent; }
    SlipBoardScreen #heading { height: 1; text-style: bold; background: $panel; }
    SlipBoardScreen #detail { height: 4; border-top: solid $primary; padding: 0 1; }
    """
    NEW_RECORD = "key.new_slip"
    BINDINGS = [new_record_binding(NEW_RECORD)]

    def __init__(self):
        super().__init__(name="slips")

    def compose_body(self) -> ComposeResult:
        yield Static(t("slips.board"), id="board-line", markup=False)
        yield Static("", id="heading", markup=False)
        yield RegisterList(COLUMNS, id="slips")
        yield Static("", id="detail")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(RegisterList).bind_source(BoardSource(self.app.desk))
        self.query_one(RegisterList).focus()

    def on_resize(self) -> None:
        self._heading()

    def _heading(self) -> None:
        width = self.query_one(RegisterList).size.width or self.size.width
        self.query_one("#heading", Static).update(heading_line(COLUMNS, width))

    @on(RegisterList.Counted)
    def _counted(self, event: RegisterList.Counted) -> None:
        self.query_one("#board-line", Static).update(f"{t('slips.board')}  {t('slips.count', count=event.total)}")
        self._heading()
        if event.total == 0:
            self.query_one("#detail", Static).update(t("slips.empty"))

    @on(RegisterList.Highlighted)
    def _highlighted(self, event: RegisterList.Highlighted) -> None:
        row = event.row
        head = Text.assemble((row.number, "bold"), "  ", label("slip_status", row.status), "  ",
                             literal(row.department), " ", literal(row.technician), "  ", literal(row.unit_code))
        if row.under_warranty:
            head.append("  " + t("slips.warranty_short"), style="yellow")
        self.query_one("#detail", Static).update(Text.assemble(head, "\n", literal(row.item)))

    @on(RegisterList.Chosen)
    def _chosen(self, event: RegisterList.Chosen) -> None:
        from screens.slip_record import SlipRecordScreen

        self.app.push_screen(SlipRecordScreen(event.row.id))

    def new_record(self) -> None:
        from screens.slip_form import SlipFormScreen

        self.app.push_screen(SlipFormScreen(), lambda issued: slip_issued(self, issued))


def slip_issued(screen, issued) -> None:
    """Tell the desk what was issued and whom to notify (also after Ctrl+T from the call log)."""
    if issued is None:
        return
    screen.notify(t("slips.issued", number=issued.number, department=issued.department,
                    minutes=screen.app.desk.policy.slip.notify_minutes), timeout=8)
    if issued.under_warranty:
        screen.notify(t("slips.warranty"), timeout=8)
    for register in screen.query(RegisterList):
        register.reload()
