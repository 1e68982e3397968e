"""Filter the call log by date range, category and channel."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.core.text import parse_date
from deskapp.errors import DeskError, InputError
from deskapp.i18n import label, t
from deskapp.widgets.choice_bar import ChoiceBar
from deskapp.widgets.form_input import FormInput, after_pending_keys


class CallFilterScreen(ModalScreen):
    DEFAULT_CSS = """
    CallFilterScreen { align: center middle; }
    CallFilterScreen > Vertical { width: 78; max-width: 100%; height: auto; border: round $primary; background: $panel; padding: 0 1; }
    CallFilterScreen Grid { grid-size: 2; grid-columns: 18 1fr; grid-rows: 1; height: auto; grid-gutter: 0 1; }
    CallFilterScreen #error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "apply", t("key.save"), priority=True),
        Binding("escape", "cancel", t("key.cancel")),
        Binding("enter", "apply", show=False, priority=True),
    ]

    def __init__(self, current):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        f = self.current
        with Vertical():
            yield Label(t("calls.filter_title") + "  (Enter / Ctrl+S, Esc)")
            with Grid():
                yield Label(t("calls.from"))
                yield FormInput(str(f.start or ""), id="start", placeholder="2026-11-01")
                yield Label(t("calls.to"))
                yield FormInput(str(f.end or ""), id="end", placeholder="2026-11-30")
                yield Label(t("field.category"))
                yield ChoiceBar([("", t("calls.any"))] + [(c, label("category", c)) for c in CATEGORIES],
                                value=f.category or "", id="category")
                yield Label(t("field.channel"))
                yield ChoiceBar([("", t("calls.any"))] + [(c, label("channel", c)) for c in CHANNELS],
                                value=f.channel or "", id="channel")
            yield Static("", id="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#start", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_apply(self) -> None:
        fields = [self.query_one(f"#{f}") for f in ("start", "end", "category", "channel")]
        after_pending_keys(fields, self._apply)

    def _apply(self) -> None:
        from dataclasses import replace

        try:
            start = parse_date(self.query_one("#start", Input).value)
            end = parse_date(self.query_one("#end", Input).value)
            if start and end and start > end:
                raise InputError("err.date_order")
        except DeskError as exc:
            self.query_one("#error", Static).update(str(exc))
            return
        self.dismiss(replace(self.current, start=start, end=end,
                             category=self.query_one("#category", ChoiceBar).value or None,
                             channel=self.query_one("#channel", ChoiceBar).value or None))
