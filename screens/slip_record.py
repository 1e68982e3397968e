"""One dispatch slip, whole (Enter on the board): every field, the running clock
live, every step with its time and who recorded it, the notes; Ctrl+G records
the next step, Ctrl+X files the customer's refusal, Ctrl+E appends a note."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from deskapp.core.parse import format_yuan
from deskapp.core.slip_codes import next_step, refusable
from deskapp.i18n import label, t
from deskapp.widgets.countdown import Countdown
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service


class SlipRecordScreen(ModalScreen):
    DEFAULT_CSS = """
    SlipRecordScreen { align: center middle; }
    SlipRecordScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $primary; background: $panel; padding: 0 1; }
    SlipRecordScreen VerticalScroll { height: auto; max-height: 70vh; }
    SlipRecordScreen #record-keys { color: $text-muted; }
    SlipRecordScreen #record-due { display: none; }
    SlipRecordScreen #record-due.-running { display: block; }
    """
    BINDINGS = [
        Binding("escape,enter", "close", t("key.close"), id="record_close"),
        Binding("ctrl+g", "next_step", t("key.next_step"), id="slip_next"),
        Binding("ctrl+x", "refuse", t("key.refuse"), id="slip_refuse"),
        Binding("ctrl+e", "note", t("key.note"), id="slip_note"),
        Binding("f9", "print", t("key.print"), id="slip_print"),
    ]

    def __init__(self, slip_id: int):
        super().__init__()
        self.slip_id = slip_id
        self.slip = None  # the SlipRecord once read

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="record-head")
            yield Countdown(id="record-due")
            with VerticalScroll():
                yield Static("", id="record-body")
            yield Static(t("slips.record_keys"), id="record-keys")

    def on_mount(self) -> None:
        self._load()

    def _load(self) -> None:
        from deskapp.services.slip_queries import get_slip

        desk, slip_id = self.app.desk, self.slip_id
        call_service(self, lambda: get_slip(desk, slip_id), done=self._show, group="slip")

    def _show(self, slip) -> None:
        self.slip = slip
        tz = self.app.desk.tz
        head = Text.assemble((slip.number, "bold"), "  ", f"{slip.created_at.astimezone(tz):%Y-%m-%d %H:%M}", "  ",
                             (label("slip_status", slip.status), "bold"))
        nxt = next_step(slip.status, in_fee_schedule=slip.in_fee_schedule, chargeable=slip.chargeable)
        if nxt:
            head.append("  " + t("slips.next", step=label("slip_step", nxt)), style="cyan")
        self.query_one("#record-head", Static).update(head)
        due = self.query_one("#record-due", Countdown)
        due.label = label("slip_clock", slip.due_kind) if slip.due_kind else ""
        due.deadline = slip.due_by if slip.due_kind else None
        due.since = slip.clock_since
        due.set_class(bool(slip.due_kind), "-running")
        self.query_one("#record-body", Static).update(self._body(slip))

    def _body(self, slip) -> Text:
        tz = self.app.desk.tz

        def line(key: str, value: str, *, raw: bool = False) -> list:
            return [(f"{t(key)}：", "bold"), literal(value, one_line=False) if not raw else value, "\n"]

        charge = label("chargeable", "yes" if slip.chargeable else "no")
        fee = f"{charge} {slip.fee_item or '—'} {format_yuan(slip.fee_due)}"
        if slip.chargeable and not slip.in_fee_schedule and slip.status in ("issued", "notified", "accepted"):
            fee = f"{charge} {t('slips.to_assess')}"
        where = slip.department + (f"（{t('slips.warranty_short')}）" if slip.under_warranty else "")
        parts = [*line("field.caller_name", slip.customer_name), *line("field.phone", slip.phone),
                 *line("field.unit", slip.unit_code), *line("field.repair_item", slip.item),
                 *line("field.fee", fee, raw=True), *line("field.slip_department", where),
                 *line("field.technician", slip.technician or "—")]
        if slip.appointment_at:
            parts += line("field.slip_appointment", f"{slip.appointment_at.astimezone(tz):%Y-%m-%d %H:%M}", raw=True)
        if slip.photos:
            parts += line("field.photos", "\n".join(slip.photos))
        if slip.remarks:
            parts += line("field.remarks", slip.remarks)
        if slip.work_done:
            parts += line("field.work_done", slip.work_done)
        if slip.materials:
            check = label("material_check", slip.materials_check) if slip.materials_check else ""
            parts += line("field.materials", f"{slip.materials} {check}".strip())
        if slip.refused_reason:
            parts += line("field.refused_reason", f"{slip.refused_reason}（{slip.refused_by}）")
        parts += line("col.owner", slip.owner)
        if slip.printed_count:
            parts += [t("slips.printed", count=slip.printed_count), "\n"]
        parts.append((f"\n{t('slips.steps')}\n", "bold"))
        for step in slip.steps:
            bits = [f"{step.at.astimezone(tz):%m-%d %H:%M} ", (label("slip_step", step.step), "bold"), " ",
                    literal(step.staff)]
            if step.person:
                bits += [" → ", literal(step.person)]
            if step.amount_yuan is not None:
                bits += [" ", format_yuan(step.amount_yuan)]
            if step.note:
                bits += ["  ", literal(step.note, one_line=False)]
            parts += [Text.assemble(*bits), "\n"]
        return Text.assemble(*parts)

    # ---- actions ---------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def _record(self, step: str) -> None:
        from screens.slip_step import SlipStepScreen

        def recorded(state) -> None:
            if state is not None:
                self.notify(t("slips.step_done", number=state.number, step=label("slip_step", step)))
                self._load()

        self.app.push_screen(SlipStepScreen(self.slip, step), recorded)

    def action_next_step(self) -> None:
        slip = self.slip
        if slip is None:
            return
        nxt = next_step(slip.status, in_fee_schedule=slip.in_fee_schedule, chargeable=slip.chargeable)
        if nxt is None:
            self.notify(t("slips.no_next", number=slip.number, status=label("slip_status", slip.status)))
            return
        self._record(nxt)

    def action_refuse(self) -> None:
        slip = self.slip
        if slip is None:
            return
        if not refusable(slip.status):
            self.notify(t("slips.cannot_refuse", number=slip.number, status=label("slip_status", slip.status)),
                        severity="warning")
            return
        self._record("refused")

    def action_note(self) -> None:
        if self.slip is not None:
            self._record("note")

    def action_print(self) -> None:
        """F9: the three copies as a PDF in the desk's slips folder, to the site's printer if one is set."""
        from deskapp.services.slip_print import print_slip

        if self.slip is None:
            return
        app, slip_id = self.app, self.slip.id
        site = app.desk.site_name

        def printed(done) -> None:
            self.notify(t("print.saved", path=str(done.path)), timeout=10)
            if done.sent is not None:
                self.notify(t("print.sent", answer=done.sent or "lp"))
            self._load()

        def refused(message: str) -> None:
            self.notify(message, severity="warning", timeout=15)
            self._load()  # the copy was made and counted even if the printer refused it

        call_service(self, lambda: print_slip(app.desk, app.actor, slip_id, site_name=site), done=printed,
                     failed=refused, group="print")
