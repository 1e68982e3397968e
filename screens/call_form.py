"""Log a call or walk-in in as few keystrokes as possible.

Phone first: a known number fills in the unit and name from earlier calls.
Enter moves to the next field; Enter on the last field (or Ctrl+S) saves; Esc
cancels. A refusal shows its message here and writes nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.errors import DeskError
from deskapp.i18n import label, t
from deskapp.widgets.choice_bar import ChoiceBar
from deskapp.widgets.form_input import FormInput, after_pending_keys
from deskapp.widgets.safe_text import literal

FIELD_ORDER = ("phone", "unit", "caller_name", "channel", "category", "content", "reply")


class CallFormScreen(ModalScreen):
    DEFAULT_CSS = """
    CallFormScreen { align: center middle; }
    CallFormScreen > Vertical { width: 78; max-width: 100%; height: auto; border: round $primary; background: $panel; padding: 0 1; }
    CallFormScreen Grid { grid-size: 2; grid-columns: 10 1fr; grid-rows: 1; height: auto; grid-gutter: 0 1; }
    CallFormScreen #hint { height: auto; color: $success; }
    CallFormScreen #warning { height: auto; color: $warning; }
    CallFormScreen #error { height: auto; color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save", priority=True),
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
        Binding("enter", "enter", show=False, priority=True),
    ]

    def __init__(self):
        super().__init__()
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(t("calls.form_title") + "  (Ctrl+S " + t("key.save") + ", Esc " + t("key.cancel") + ")")
            with Grid():
                yield Label(t("field.phone"))
                yield FormInput(id="phone", max_length=30)
                yield Label(t("field.unit"))
                yield FormInput(id="unit", placeholder="3-2-1201", max_length=40)
                yield Label(t("field.caller_name"))
                yield FormInput(id="caller_name", max_length=40)
                yield Label(t("field.channel"))
                yield ChoiceBar([(c, label("channel", c)) for c in CHANNELS], id="channel")
                yield Label(t("field.category"))
                yield ChoiceBar([(c, label("category", c)) for c in CATEGORIES], id="category")
                yield Label(t("field.content"))
                yield FormInput(id="content")
                yield Label(t("field.reply"))
                yield FormInput(id="reply")
            yield Static("", id="hint")
            yield Static("", id="warning")
            yield Static("", id="error")

    def on_mount(self) -> None:
        self.query_one("#phone", Input).focus()

    # Enter walks the form; on the last field it saves.
    def action_enter(self) -> None:
        if self.focused is not None and self.focused.id == "reply":
            self.action_save()
        else:
            self.focus_next()

    # ---- known callers --------------------------------------------------

    @on(Input.Changed, "#phone")
    def _phone_changed(self, event: Input.Changed) -> None:
        digits = "".join(ch for ch in event.value if ch.isdigit())
        if len(digits) >= 7:
            self._lookup(phone=event.value)

    @on(Input.Blurred, "#unit")
    def _unit_left(self, event: Input.Blurred) -> None:
        if event.value.strip() and not self.query_one("#phone", Input).value.strip():
            self._lookup(unit=event.value)

    @work(thread=True, exclusive=True, group="lookup")
    def _lookup(self, phone: str = "", unit: str = "") -> None:
        from deskapp.services.calls import known_callers

        found = known_callers(self.app.desk, phone=phone, unit=unit, limit=1)
        if found:
            self.app.call_from_thread(self._fill_known, found[0])

    def _fill_known(self, known) -> None:
        for field, value in (("unit", known.unit_code), ("caller_name", known.name), ("phone", known.phone)):
            box = self.query_one(f"#{field}", Input)
            if not box.value.strip() and value:
                box.value = value
        self.query_one("#hint", Static).update(
            Text.assemble(t("calls.known", name="", unit="").strip(), " ", literal(known.name), " ", literal(known.unit_code))
        )

    @on(Input.Changed, "#reply")
    def _reply_changed(self, event: Input.Changed) -> None:
        from deskapp.core.text import find_phrases

        found = find_phrases(event.value, list(self.app.desk.phrases.forbidden))
        self.query_one("#warning", Static).update(t("calls.flagged", phrases="、".join(found)) if found else "")

    # ---- save -------------------------------------------------------------

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self._saving:
            return
        self._saving = True
        after_pending_keys([self.query_one(f"#{f}") for f in FIELD_ORDER], self._collect_and_save)

    def _collect_and_save(self) -> None:
        values = {f: self.query_one(f"#{f}", Input).value for f in ("phone", "unit", "caller_name", "content", "reply")}
        values["channel"] = self.query_one("#channel", ChoiceBar).value
        values["category"] = self.query_one("#category", ChoiceBar).value
        self._save(values)

    @work(thread=True, exclusive=True, group="save")
    def _save(self, values: dict) -> None:
        from deskapp.services.calls import CallDraft, log_call

        try:
            logged = log_call(self.app.desk, self.app.actor, CallDraft(**values), now=self.app.clock.now())
        except DeskError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        except Exception as exc:  # e.g. the disk is full: say so, keep the form
            message = t("err.database_busy") if "locked" in str(exc) else t("app.error", message=str(exc))
            self.app.call_from_thread(self._refused, message)
            return
        self.app.call_from_thread(self.dismiss, logged)

    def _refused(self, message: str) -> None:
        self._saving = False
        self.query_one("#error", Static).update(message)
