"""One call, whole (Enter on a row of the call log): every field untrimmed, the
reply, the forbidden phrases flagged in it, its live countdown while it awaits
its slip or complaint, and the corrections appended to it (Ctrl+E adds one)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from deskapp.core.codes import is_awaiting
from deskapp.i18n import label, t
from deskapp.widgets.countdown import Countdown
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service


class CallRecordScreen(ModalScreen):
    DEFAULT_CSS = """
    CallRecordScreen { align: center middle; }
    CallRecordScreen > Vertical { width: 90; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $primary; background: $panel; padding: 0 1; }
    CallRecordScreen VerticalScroll { height: auto; max-height: 1fr; }
    CallRecordScreen #record-keys { color: $text-muted; }
    CallRecordScreen #corrections { margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,enter", "close", t("key.close"), id="record_close"),
        Binding("ctrl+e", "correct", t("key.correct"), id="record_correct"),
        Binding("ctrl+t", "follow_up", t("key.follow_up"), tooltip=t("tip.follow_up"), id="follow_up"),
    ]

    def __init__(self, row):
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical():
            yield Static(self._head(), id="record-head")
            if row.due_by is not None and is_awaiting(row.status):
                yield Countdown(row.due_by, since=row.at, label=label("call_status", row.status), id="record-due")
            with VerticalScroll():
                yield Static(self._body(), id="record-body")
                yield Static("", id="corrections")
            yield Static(t("record.keys"), id="record-keys")

    def _head(self) -> Text:
        row, desk = self.row, self.app.desk
        return Text.assemble(
            (row.number, "bold"), "  ", f"{row.at.astimezone(desk.tz):%Y-%m-%d %H:%M}", "  ",
            label("channel", row.channel), " / ", label("category", row.category), "  ",
            label("call_status", row.status),
        )

    def _body(self) -> Text:
        row = self.row

        def line(key: str, value: str) -> list:
            return [(f"{t(key)}：", "bold"), literal(value, one_line=False), "\n"]

        parts = [*line("field.caller_name", row.caller_name), *line("field.phone", row.phone),
                 *line("field.unit", row.unit_code), *line("col.owner", row.owner), "\n",
                 *line("field.content", row.content), *line("field.reply", row.reply)]
        if row.flagged:
            parts.append(Text(t("calls.flagged", phrases=row.flagged), style="bold red"))
        return Text.assemble(*parts)

    def on_mount(self) -> None:
        self._load_corrections()

    def _load_corrections(self) -> None:
        from deskapp.services.call_corrections import corrections_of

        desk, call_id = self.app.desk, self.row.id
        call_service(self, lambda: corrections_of(desk, call_id), done=self._show_corrections, group="corrections")

    def _show_corrections(self, corrections) -> None:
        if not corrections:
            self.query_one("#corrections", Static).update("")
            return
        tz = self.app.desk.tz
        text = Text(t("record.corrections") + "\n", style="bold")
        for c in corrections:
            text.append(f"{c.at.astimezone(tz):%Y-%m-%d %H:%M} ")
            text.append_text(literal(c.staff))
            text.append("  ")
            if c.field:
                text.append(t("record.corrected_to", field=t(f"field.{c.field}")))
                text.append_text(literal(label("channel", c.corrected) if c.field == "channel" else
                                         label("category", c.corrected) if c.field == "category" else c.corrected,
                                         one_line=False))
            if c.note:
                text.append(("  " if c.field else "") + t("record.because"))
                text.append_text(literal(c.note, one_line=False))
            text.append("\n")
        self.query_one("#corrections", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_follow_up(self) -> None:
        """Ctrl+T 办理: follow the call up (a repair: its slip); the record closes once it is done."""
        from screens.follow_up import follow_up

        follow_up(self, self.row, then=lambda _result: self.dismiss(None))

    def action_correct(self) -> None:
        from screens.call_correction import CallCorrectionScreen

        def corrected(result) -> None:
            if result is not None:
                self.notify(t("record.corrected", number=self.row.number))
                self._load_corrections()

        self.app.push_screen(CallCorrectionScreen(self.row), corrected)
