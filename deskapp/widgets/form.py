"""The form-screen base: a register declares its fields and a save function, and gets the rest.

    class CallFormScreen(FormScreen[LoggedCall]):
        def form_title(self): return t("calls.form_title")
        def fields(self): return [TextField("phone", t("field.phone"), max_chars=30), ...]
        def save(self, values): return log_call(self.app.desk, self.app.actor, CallDraft(**values))

What every form does the same way:
- Enter moves to the next field and saves on the last; Ctrl+S saves from
  anywhere. Both are priority bindings, run as the key is read, so keys
  typed after them (fast typing, a paste, a scanner) reach the next field;
  the fields are read only once each has handled the keys already sent to it
  (deskapp.widgets.form_input).
- On save each field reads its value in order; the first that cannot gets
  the focus, its label turns red and the error line names it. Nothing is
  written until every field reads.
- `save(values)` runs in a worker through call_service: a refusal
  (DeskError) or a database fault shows in the error line, every typed
  value stays, and the form can be saved again. A refusal naming a field
  (its `field` parameter is the field's label) focuses that field.
- Esc on an untouched form closes it; with anything typed it asks first
  (DiscardScreen: Enter/y throws away, Esc/n returns with everything kept).
- The screen is dismissed with what `save` returned, or None when cancelled.

Field ids are the fields' names; `hint`, `warning` and `error` are the
form's own lines (show_hint, show_warning, show_error).
"""

from __future__ import annotations

from typing import Any, Sequence, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label, Static

from deskapp.errors import DeskError
from deskapp.i18n import t
from deskapp.widgets.fields import FormField
from deskapp.widgets.form_input import after_pending_keys
from deskapp.widgets.picker import PickerField
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service

ResultT = TypeVar("ResultT")

# How long a save waits for a picker's choices still on their way (polled every 50 ms).
_SETTLE_TRIES = 100


class _Refused:
    """A DeskError raised by `save`, carried back to the event loop to find its field."""

    def __init__(self, error: DeskError):
        self.error = error


class FormScreen(ModalScreen[ResultT]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form-box {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $panel; padding: 0 1;
    }
    FormScreen #form-title { width: 1fr; text-style: bold; }
    FormScreen #form-fields { height: auto; max-height: 80vh; }
    FormScreen #hint { height: auto; color: $success; }
    FormScreen #warning { height: auto; color: $warning; }
    FormScreen #error { height: auto; color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", t("key.save"), id="save", priority=True),
        Binding("escape", "cancel", t("key.cancel"), id="cancel"),
        Binding("enter", "enter", show=False, priority=True),
    ]

    def __init__(self, *, name: str | None = None, id: str | None = None):
        super().__init__(name=name, id=id)
        self._fields: list[FormField] = []
        self._saving = False

    # ---- what a form declares -------------------------------------------------

    def form_title(self) -> str:
        raise NotImplementedError

    def fields(self) -> Sequence[FormField]:
        """The fields in the order Enter walks them (built when the form is shown, in the current language)."""
        raise NotImplementedError

    def save(self, values: dict[str, Any]) -> ResultT:
        """Call the service with the values read (runs in a worker thread); its result closes the form."""
        raise NotImplementedError

    # ---- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        self._fields = list(self.fields())
        with Vertical(id="form-box"):
            yield Label(Text.assemble((self.form_title(), "bold"), "  ", (t("form.keys"), "dim")), id="form-title")
            with VerticalScroll(id="form-fields", can_focus=False):
                yield from self._fields
            for line in ("hint", "warning", "error"):
                yield Static(Text(), id=line).set_styles("display: none;")

    def on_mount(self) -> None:
        # Focus at once, so keys typed right after the key that opened the form land here.
        # (Should the first field not be built yet, the screen's AUTO_FOCUS finds it when shown.)
        if self._fields:
            first = self.query(f"#{self._fields[0].name}")
            if first:
                self.set_focus(first.first())

    def field(self, name: str) -> FormField:
        return self.query_one(f"#{name}-field", FormField)

    @property
    def touched(self) -> bool:
        return any(f.touched for f in self._fields)

    def show_hint(self, message: str | Text) -> None:
        self._show_line("#hint", message)

    def show_warning(self, message: str | Text) -> None:
        self._show_line("#warning", message)

    def show_error(self, message: str | Text) -> None:
        self._show_line("#error", message)

    def _show_line(self, selector: str, message: str | Text) -> None:
        text = _as_text(message)
        line = self.query_one(selector, Static)
        line.update(text)
        line.display = bool(text.plain)  # an empty line takes no row on a 24-row terminal

    # ---- keys -----------------------------------------------------------------

    def _field_of(self, widget: Widget | None) -> FormField | None:
        while widget is not None and widget is not self:
            if isinstance(widget, FormField):
                return widget
            widget = widget.parent
        return None

    def action_enter(self) -> None:
        field = self._field_of(self.focused)
        if field is None:
            self.focus_next()
            return
        if isinstance(field, PickerField):
            after_pending_keys([field.control], field.commit)
        index = self._fields.index(field)
        if index == len(self._fields) - 1:
            self.action_save()
        else:
            # set_focus now, not focus() (which waits a turn): the next key typed goes to the next field.
            self.set_focus(self._fields[index + 1].control)

    def action_cancel(self) -> None:
        if self._saving:
            return  # the write is on its way; its answer closes the form or shows why not
        if not self.touched:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardScreen(), decided)

    # ---- save -----------------------------------------------------------------

    def action_save(self) -> None:
        if self._saving:
            return
        self._saving = True
        after_pending_keys([f.control for f in self._fields], self._when_settled)

    def _when_settled(self, tries: int = 0) -> None:
        if tries < _SETTLE_TRIES and any(f.busy for f in self._fields):
            self.set_timer(0.05, lambda: self._when_settled(tries + 1))
            return
        self._read_and_save()

    def _read_and_save(self) -> None:
        self.show_error("")
        values: dict[str, Any] = {}
        for field in self._fields:
            try:
                values[field.name] = field.read()
            except DeskError as exc:
                self._refused(str(exc), field)
                return
        self.show_hint(t("form.saving"))

        def work() -> Any:
            try:
                return self.save(values)
            except DeskError as exc:
                return _Refused(exc)

        call_service(self, work, done=self._saved, failed=self._refused, group="form-save")

    def _saved(self, result: Any) -> None:
        if isinstance(result, _Refused):
            self._refused(str(result.error), self._field_named_by(result.error))
            return
        self._saving = False
        self.dismiss(result)

    def _field_named_by(self, error: DeskError) -> FormField | None:
        named = error.params.get("field")
        return next((f for f in self._fields if named and f.label == named), None)

    def _refused(self, message: str, field: FormField | None = None) -> None:
        """Say why, keep every value, allow another save."""
        self._saving = False
        self.show_hint("")
        for other in self._fields:
            other.remove_class("-invalid")
        if field is None:
            self.show_error(message)
            return
        field.add_class("-invalid")
        shown = message if field.label in message else t("form.field_error", field=field.label, message=message)
        self.show_error(shown)
        self.set_focus(field.control)


class DiscardScreen(ModalScreen[bool]):
    """Throw away what was typed? Enter / y: yes. Esc / n: back to the form, everything kept."""

    DEFAULT_CSS = """
    DiscardScreen { align: center middle; }
    DiscardScreen > Vertical { width: auto; height: auto; border: round $warning; background: $panel; padding: 0 2; }
    """
    BINDINGS = [
        Binding("enter,y", "decide(True)", show=False, priority=True),
        Binding("escape,n", "decide(False)", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(t("form.discard_title"), style="bold"))
            yield Label(Text(t("form.discard_keys"), style="dim"))

    def action_decide(self, discard: bool) -> None:
        self.dismiss(discard)


def _as_text(message: str | Text) -> Text:
    # Messages quote what was typed: never read as markup.
    return message if isinstance(message, Text) else literal(message, one_line=False)
