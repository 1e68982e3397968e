"""F6 交接班: the shift's handover, compiled from the records while the shift runs, then
signed, acknowledged and reviewed (docs/rules.md §2.5).

What it shows: the previous shift's handover while it waits for the incoming staff's
acknowledgement; otherwise the current shift's, compiled live (open matters count down)
until the outgoing staff signs it, then as signed. F7 lists every handover to open an
older one (Esc comes back). The lines are a register list; the detail shows the whole
line with what was appended to it.

Keys: Ctrl+S the outgoing staff signs (PIN); Ctrl+D notes a discrepancy on the line
(kept until acknowledging); Ctrl+K the incoming staff acknowledges (PIN); Ctrl+E an
addendum; a supervisor's F8 marks the line reviewed, F9 records the review; Ctrl+N a
duty log entry. A key that does not apply to what is shown is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from deskapp.core.handover_codes import DISCREPANCY, MARK, REMARK
from deskapp.i18n import label, t
from deskapp.widgets.fields import PinField, TextField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.register_list import Column, RegisterList, countdown_column, heading_line
from deskapp.widgets.register_screen import RegisterScreen
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import WorkScreen, new_record_binding


@dataclass(frozen=True)
class ShownLine:
    """A row of the list: a section's heading (line None) or one line of the handover."""

    index: int
    section: str
    line: Any  # handover_sections.Line | None
    said: str
    when: str  # the time column when no countdown runs
    live: bool  # its countdown runs (a handover not yet signed)
    marks: str

    @property
    def key(self) -> int:
        return self.index


class LinesSource:
    """The lines already read (a handover has hundreds at most): pages are slices."""

    def __init__(self, rows: list[ShownLine]):
        self.rows = rows

    def count(self) -> int:
        return len(self.rows)

    def page(self, start: int, total: int, after_key):
        from deskapp.core.paging import PAGE_SIZE

        begin = after_key + 1 if after_key is not None else start
        return self.rows[begin:begin + PAGE_SIZE]


COLUMNS = [
    Column("col.mark", 2, lambda r, s: r.marks),
    Column("col.item", 26, lambda r, s: r.said,
           style=lambda r, s: _HEADING if r.line is None else (_FLAGGED if r.line.flagged else None)),
    countdown_column("col.due", 11, due=lambda r: r.line.due_by if r.line else None,
                     since=lambda r: r.line.at if r.line else None, running=lambda r: r.live,
                     label=lambda r: "" if r.live else r.when),
    # Custody lines keep their record count in `text`: the count is in the item itself.
    Column("col.text", 0, lambda r, s: r.line.text if r.line is not None and r.section != "custody" else ""),
]


def _styles():
    from rich.style import Style

    return Style(bold=True, underline=True), Style(color="red", bold=True)


_HEADING, _FLAGGED = _styles()


@dataclass
class View:
    """What the screen shows, read in a worker."""

    doc: Any  # handover_report.Document
    record: Any | None  # handover_queries.HandoverRecord when signed
    shift: Any  # shifts.ShiftInfo of the shift shown
    checks: Any  # handover_queries.SupervisorChecks
    rows: list[ShownLine] = field(default_factory=list)


def load_view(desk, actor, now, handover_id: int | None) -> View:
    from deskapp.services import handover_report as report
    from deskapp.services.handover import compile_handover
    from deskapp.services.handover_queries import get_handover, handover_of_shift, supervisor_checks
    from deskapp.services.shifts import find_shift, start_shift

    record = None
    if handover_id is None:
        current = find_shift(desk, at=now) or start_shift(desk, actor, now=now)
        from datetime import timedelta

        # The previous shift's handover is shown until the incoming staff has acknowledged it.
        before = desk.policy.shift.slot_at(current.start - timedelta(seconds=1), desk.tz)
        previous = find_shift(desk, duty_date=before.duty_date, kind=before.kind)
        waiting = handover_of_shift(desk, previous.id) if previous is not None else None
        if waiting is not None:
            candidate = get_handover(desk, waiting)
            if candidate.acknowledged is None:
                record = candidate
        if record is None:
            signed = handover_of_shift(desk, current.id)
            record = get_handover(desk, signed) if signed is not None else None
        if record is None:
            doc = report.from_compiled(compile_handover(desk, current, now=now))
            shift = current
        else:
            doc, shift = report.from_record(record), record.shift
    else:
        record = get_handover(desk, handover_id)
        doc, shift = report.from_record(record), record.shift
    view = View(doc, record, shift, supervisor_checks(desk, now=now))
    view.rows = shown_rows(view, desk.tz)
    return view


def _when(line, doc, tz) -> str:
    """The time column when no countdown runs: how the deadline stood at signing, else when it happened."""
    from deskapp.core.countdown import format_remaining

    if line.due_by is not None:
        return format_remaining(line.due_by - doc.at, compact=True)
    return f"{line.at.astimezone(tz):%m-%d %H:%M}" if line.at is not None else ""


def shown_rows(view: View, tz) -> list[ShownLine]:
    from deskapp.services import handover_report as report
    from deskapp.services.handover_sections import says, section_title

    live = view.record is None
    entries = view.record.entries if view.record is not None else ()
    rows: list[ShownLine] = []
    for code, lines in report.sections(view.doc):
        rows.append(ShownLine(len(rows), code, None, f"■ {section_title(code)} ({len(lines)})", "", False, ""))
        for line in lines:
            kinds = {e.kind for e in entries if e.item_id is not None and e.item_id == line.id}
            marks = ("✓" if MARK in kinds else "") + ("!" if DISCREPANCY in kinds else "")
            rows.append(ShownLine(len(rows), code, line, says(line), _when(line, view.doc, tz),
                                  live and line.due_by is not None, marks))
    return rows


class HandoverScreen(WorkScreen):
    DEFAULT_CSS = """
    HandoverScreen #handover-head { height: 2; padding: 0 1; }
    HandoverScreen #handover-heading { height: 1; text-style: bold; background: $panel; }
    HandoverScreen #handover-detail { height: 5; border-top: solid $primary; padding: 0 1; }
    """
    NEW_RECORD = "key.new_log"
    BINDINGS = [
        new_record_binding(NEW_RECORD),
        Binding("ctrl+s", "sign", t("key.sign"), tooltip=t("tip.sign"), id="handover_sign"),
        Binding("ctrl+k", "acknowledge", t("key.acknowledge"), tooltip=t("tip.acknowledge"), id="handover_ack"),
        Binding("ctrl+d", "discrepancy", t("key.discrepancy"), tooltip=t("tip.discrepancy"), id="handover_discrepancy",
                show=False),
        Binding("ctrl+e", "addendum", t("key.addendum"), tooltip=t("tip.addendum"), id="handover_addendum",
                show=False),
        Binding("f7", "history", t("key.history"), tooltip=t("tip.history"), id="handover_history"),
        Binding("f8", "mark", t("key.mark"), tooltip=t("tip.mark"), id="handover_mark", show=False),
        Binding("f9", "review", t("key.review"), tooltip=t("tip.review"), id="handover_review", show=False),
        Binding("escape", "current", t("key.current"), id="handover_current", show=False),
    ]

    def __init__(self):
        super().__init__(name="handover")
        self.view: View | None = None
        self.viewing: int | None = None  # a handover opened from the history (F7)
        self.pending: dict[int, str] = {}  # line id -> discrepancy noted before acknowledging

    def compose_body(self) -> ComposeResult:
        yield Static("", id="handover-head", markup=False)
        yield Static("", id="handover-heading", markup=False)
        yield RegisterList(COLUMNS, id="handover-lines")
        yield Static("", id="handover-detail", markup=False)

    @property
    def lines(self) -> RegisterList:
        return self.query_one("#handover-lines", RegisterList)

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_data()
        self.lines.focus()

    def on_resize(self) -> None:
        self.query_one("#handover-heading", Static).update(heading_line(COLUMNS, self.lines.size.width or
                                                                        self.size.width))

    # ---- reading -----------------------------------------------------------------

    def refresh_data(self) -> None:
        desk, actor, now, viewing = self.app.desk, self.app.actor, self.app.clock.now(), self.viewing
        self.run_service(lambda: load_view(desk, actor, now, viewing), done=self._show, group="handover-load")

    def _show(self, view: View) -> None:
        if view.record is None or view.record.acknowledged is not None:
            self.pending.clear()
        self.view = view
        self.query_one("#handover-head", Static).update(self._head(view))
        self.on_resize()
        keep = self.lines.cursor
        self.lines.bind_source(LinesSource(self._with_pending(view.rows)))
        self.lines.cursor = min(keep, max(0, len(view.rows) - 1))
        self.refresh_bindings()

    def _with_pending(self, rows: list[ShownLine]) -> list[ShownLine]:
        if not self.pending:
            return rows
        from dataclasses import replace

        return [replace(r, marks=r.marks + "?") if r.line is not None and r.line.id in self.pending else r
                for r in rows]

    def _head(self, view: View) -> Text:
        tz = self.app.desk.tz
        doc = view.doc
        kind = label("shift", doc.shift_kind)
        record = view.record
        if record is None:
            span = f"{doc.start.astimezone(tz):%H:%M}–{doc.end.astimezone(tz):%H:%M}"
            first = Text.assemble((f"{doc.duty_date} {kind} {span}", "bold"), "  ",
                                  (t("handover.live"), "bold yellow"))
        else:
            first = Text.assemble((record.number, "bold"), f" {doc.duty_date} {kind}  ",
                                  t("handover.handed", by=record.handed_by, at=f"{record.handed_at.astimezone(tz):%H:%M}"))
            ack = record.acknowledged
            first.append("  ")
            if ack is None:
                first.append(t("handover.awaiting_ack"), style="bold yellow")
            else:
                first.append(t("handover.acked", by=ack.staff, at=f"{ack.at.astimezone(tz):%H:%M}"))
        checks = view.checks
        review = record.reviewed if record is not None else None
        if review is not None:  # this handover's own review, on the second line (the first is full)
            second = Text(t("handover.reviewed", by=review.staff, at=f"{review.at.astimezone(tz):%Y-%m-%d %H:%M}"))
        elif checks.last_at is None:
            second = Text(t("handover.never_checked"), style="bold yellow")
        else:
            second = Text(t("handover.last_checked", at=f"{checks.last_at.astimezone(tz):%Y-%m-%d %H:%M}",
                            by=checks.last_by, count=checks.in_month, wanted=checks.wanted),
                          style="bold yellow" if checks.short else "")
        return Text.assemble(first, "\n", second)

    @on(RegisterList.Highlighted)
    def _highlighted(self, event: RegisterList.Highlighted) -> None:
        self.query_one("#handover-detail", Static).update(self._detail(event.row))

    def _detail(self, row: ShownLine) -> Text:
        from deskapp.services.handover_sections import section_title

        if row.line is None:
            if row.section == "custody" or row.section == "loans":
                return Text(t("handover.custody_hint"))
            return Text(section_title(row.section), style="bold")
        tz = self.app.desk.tz
        text = Text.assemble((row.said, "bold"), "  ", row.when)
        if row.line.text and row.section != "custody":
            text.append("\n")
            text.append_text(literal(row.line.text, one_line=False))
        entries = self.view.record.entries if self.view and self.view.record else ()
        for e in entries:
            if e.item_id is not None and e.item_id == row.line.id:
                text.append(f"\n{e.at.astimezone(tz):%m-%d %H:%M} {e.staff} {t('handover.entry.' + e.kind)}"
                            + ("：" if e.text else ""), style="bold" if e.kind == DISCREPANCY else "")
                text.append_text(literal(e.text))
        if row.line.id in self.pending:
            text.append("\n" + t("handover.pending", note=""), style="bold yellow")
            text.append_text(literal(self.pending[row.line.id]))
        return text

    # ---- which keys apply ---------------------------------------------------------

    def _signed(self):
        return self.view.record if self.view is not None else None

    def _is_supervisor(self) -> bool:
        from deskapp.services.roles import RANK

        actor = self.app.actor
        return actor is not None and RANK.get(actor.role, -1) >= RANK["supervisor"]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        record = self._signed()
        if action == "sign":
            return self.view is not None and record is None
        if action in ("acknowledge", "discrepancy"):
            return record is not None and record.acknowledged is None
        if action == "addendum":
            return record is not None
        if action in ("mark", "review"):
            return record is not None and self._is_supervisor() and (action == "mark" or record.reviewed is None)
        if action == "current":
            return self.viewing is not None
        return super().check_action(action, parameters)

    # ---- actions ---------------------------------------------------------------------

    def _current_line(self):
        row = self.lines.current
        return row.line if row is not None and row.line is not None else None

    def new_record(self) -> None:
        from screens.duty_log import DutyLogForm

        self.app.push_screen(DutyLogForm(), lambda done: done is not None and self.notify(t("duty_log.saved")))

    def action_sign(self) -> None:
        if self.view is None or self._signed() is not None:
            return
        self.app.push_screen(SignForm(self.view.shift.id, self.app.actor.name), self._after("handover.signed"))

    def action_acknowledge(self) -> None:
        record = self._signed()
        if record is None or record.acknowledged is not None:
            return
        # The person at the keyboard is offered as the incoming staff unless they signed the other side.
        name = self.app.actor.name if self.app.actor.name != record.handed_by else ""
        self.app.push_screen(AcknowledgeForm(record.id, dict(self.pending), name), self._after("handover.acknowledged"))

    def action_discrepancy(self) -> None:
        line = self._current_line()
        if line is None:
            self.notify(t("handover.pick_a_line"), severity="warning")
            return

        def noted(note) -> None:
            if note is None:
                return
            if note:
                self.pending[line.id] = note
            else:
                self.pending.pop(line.id, None)
            if self.view is not None:
                self._show(self.view)

        self.app.push_screen(NoteForm("handover.discrepancy_title", "discrepancy", self.pending.get(line.id, "")),
                             noted)

    def action_addendum(self) -> None:
        record = self._signed()
        if record is not None:
            self.app.push_screen(AddendumForm(record.id), self._after("handover.addendum_saved"))

    def action_mark(self) -> None:
        record, line = self._signed(), self._current_line()
        if record is None:
            return
        if line is None:
            self.notify(t("handover.pick_a_line"), severity="warning")
            return
        self.app.push_screen(ReviewForm(record.id, line.id), self._after("handover.marked"))

    def action_review(self) -> None:
        record = self._signed()
        if record is not None:
            self.app.push_screen(ReviewForm(record.id, None), self._after("handover.review_saved"))

    def action_history(self) -> None:
        def chosen(handover_id) -> None:
            if handover_id is not None:
                self.viewing = handover_id
                self.pending.clear()
                self.refresh_data()

        self.app.push_screen(HandoverHistoryScreen(), chosen)

    def action_current(self) -> None:
        if self.viewing is not None:
            self.viewing = None
            self.pending.clear()
            self.refresh_data()

    def _after(self, message_key: str):
        def done(result) -> None:
            if result is None:
                return
            if message_key == "handover.acknowledged":
                self.pending.clear()
            self.notify(t(message_key))
            self.refresh_data()

        return done


# ------------------------------------------------------------------ forms


class SignForm(FormScreen):
    """The outgoing staff signs: their name (the person signed in, by default), PIN and notes."""

    def __init__(self, shift_id: int, name: str):
        super().__init__()
        self.shift_id, self.signer = shift_id, name

    def form_title(self) -> str:
        return t("handover.sign_title")

    def fields(self):
        return [
            TextField("notes", t("field.handover_notes"), multiline=True),
            TextField("name", t("field.name"), max_chars=40, counter=False, required=True, value=self.signer),
            PinField("pin", t("login.pin")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.handover import sign_handover

        return sign_handover(self.app.desk, shift_id=self.shift_id, name=values["name"] or "", pin=values["pin"] or "",
                             notes=values["notes"] or "", now=self.app.clock.now())


class AcknowledgeForm(FormScreen):
    """The incoming staff acknowledges with their own name and PIN; the discrepancies noted
    on lines (Ctrl+D) and one more note, if any, are recorded with it."""

    def __init__(self, handover_id: int, pending: dict[int, str], name: str = ""):
        super().__init__()
        self.handover_id, self.pending, self.receiver = handover_id, pending, name

    def form_title(self) -> str:
        return t("handover.ack_title", count=len(self.pending))

    def fields(self):
        return [
            TextField("note", t("field.discrepancy"), multiline=True),
            TextField("name", t("field.name"), max_chars=40, counter=False, required=True, value=self.receiver),
            PinField("pin", t("login.pin")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.handover import acknowledge_handover

        notes = list(self.pending.items())
        if values["note"]:
            notes.append((None, values["note"]))
        acknowledge_handover(self.app.desk, self.handover_id, name=values["name"] or "", pin=values["pin"] or "",
                             discrepancies=notes, now=self.app.clock.now())
        return True


class NoteForm(FormScreen):
    """One note, returned to the screen (not saved): a discrepancy kept until acknowledging."""

    def __init__(self, title_key: str, field: str, value: str = ""):
        super().__init__()
        self.title_key, self.field_name, self.value = title_key, field, value

    def form_title(self) -> str:
        return t(self.title_key)

    def fields(self):
        return [TextField("note", t(f"field.{self.field_name}"), multiline=True, value=self.value)]

    def save(self, values: dict[str, Any]):
        return values["note"] or ""


class AddendumForm(FormScreen):
    def __init__(self, handover_id: int):
        super().__init__()
        self.handover_id = handover_id

    def form_title(self) -> str:
        return t("handover.addendum_title")

    def fields(self):
        return [TextField("text", t("field.addendum"), multiline=True, required=True)]

    def save(self, values: dict[str, Any]):
        from deskapp.services.handover import add_addendum

        return add_addendum(self.app.desk, self.app.actor, self.handover_id, text=values["text"] or "",
                            now=self.app.clock.now())


class ReviewForm(FormScreen):
    """A supervisor marks a line reviewed (line id), or records the review (None); a remark if any."""

    def __init__(self, handover_id: int, item_id: int | None):
        super().__init__()
        self.handover_id, self.item_id = handover_id, item_id

    def form_title(self) -> str:
        return t("handover.mark_title" if self.item_id is not None else "handover.review_title")

    def fields(self):
        return [TextField("remark", t("field.review_remark"), multiline=True)]

    def save(self, values: dict[str, Any]):
        from deskapp.services.handover import complete_review, mark_reviewed

        desk, actor, now = self.app.desk, self.app.actor, self.app.clock.now()
        if self.item_id is None:
            complete_review(desk, actor, self.handover_id, remark=values["remark"] or "", now=now)
        else:
            mark_reviewed(desk, actor, self.handover_id, self.item_id, remark=values["remark"] or "", now=now)
        return True


# ------------------------------------------------------------------ history


class HandoverSource:
    def __init__(self, desk):
        self.desk = desk

    def count(self) -> int:
        from deskapp.services.handover_queries import count_handovers

        return count_handovers(self.desk)

    def page(self, start: int, total: int, after_key):
        from deskapp.services.handover_queries import fetch_handovers

        return fetch_handovers(self.desk, after=after_key, offset=0 if after_key is not None else start)


HISTORY_COLUMNS = [
    Column("col.at", 11, lambda r, s: s.local(r.handed_at)),
    Column("col.shift", 14, lambda r, s: f"{r.duty_date:%m-%d} {label('shift', r.kind)}"),
    Column("col.handed_by", 6, lambda r, s: r.handed_by),
    Column("col.acked_by", 6, lambda r, s: r.acknowledged_by or t("handover.not_yet")),
    Column("col.reviewed_by", 0, lambda r, s: r.reviewed_by or t("handover.not_yet")),
]


class HandoverHistoryScreen(RegisterScreen):
    """Every handover, newest first; Enter opens it on the F6 screen, Esc goes back."""

    COLUMNS = HISTORY_COLUMNS
    EMPTY = "handover.no_history"
    BINDINGS = [Binding("escape", "back", t("key.close"), id="history_close")]

    def on_mount(self) -> None:
        super().on_mount()
        from textual.widgets import Input

        self.query_one("#register-search", Input).display = False  # a few hundred a year: no search needed

    def source(self, search: str):
        return HandoverSource(self.app.desk)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("search", "clear_search"):
            return False
        return super().check_action(action, parameters)

    def detail(self, row) -> Text:
        return Text.assemble((row.number, "bold"), "  ", t("handover.open_hint"))

    @on(RegisterList.Chosen)
    def _chosen(self, event: RegisterList.Chosen) -> None:
        self.dismiss(event.row.id)

    def action_back(self) -> None:
        self.dismiss(None)
