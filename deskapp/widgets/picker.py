"""A form field that filters a list as you type (departments, staff, units, fee items).

The field kind is declared like the others in deskapp.widgets.fields; its
choices come from a source in deskapp.services.reference_queries, asked in a
worker on every change.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.events import DescendantBlur, DescendantFocus, Key
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services.reference_queries import Choice, OptionsSource
from deskapp.widgets.fields import FormField
from deskapp.widgets.form_input import FormInput
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service


class PickerInput(FormInput):
    """The picker's text box: ↑/↓ move through the choices, Esc closes them first.

    Handled as keys of this widget (see fields.FormTextArea): ↓ Enter typed quickly
    moves in this picker's list, not in whatever has the focus by then.
    """

    def on_key(self, event: Key) -> None:
        picker = self.query_ancestor(PickerField)
        if event.key in ("down", "up"):
            picker.move(1 if event.key == "down" else -1)
        elif not (event.key == "escape" and picker.close()):
            return  # an Esc with nothing open goes on to the form
        event.stop()
        event.prevent_default()


class PickerList(OptionList, can_focus=False):
    """The choices under a picker, drawn over the rows below rather than pushing them down."""


class PickerField(FormField):
    """Type to filter a list, Enter takes the highlighted choice.

    `source(desk, typed, limit)` gives the choices (deskapp.services.reference_queries:
    department_choices, staff_choices, unit_choices, choices_from([...]) for a fixed
    list such as fee items); it runs in a worker on every change, so it may read the
    database. The value saved is the choice's `value` (an id, a code). With
    `free_text=True` (units: a new one may be typed) Enter keeps the text unless a
    choice was moved to with ↓, and the value is the text itself.
    """

    DEFAULT_CSS = """
    PickerField PickerList {
        display: none; overlay: screen; constrain: none inside;
        height: auto; max-height: 8; width: 1fr;
        border: none; padding: 0; background: $surface;
    }
    PickerField.-open PickerList { display: block; }
    """

    def __init__(self, name: str, label: str, *, source: OptionsSource, free_text: bool = False,
                 required: bool = False, placeholder: str = "", value: str = "",
                 check: Callable[[str], Any] | None = None, limit: int = 50, open_when_empty: bool | None = None):
        super().__init__(name, label, required=required)
        self.source = source
        self.free_text = free_text
        self.placeholder = placeholder
        self.initial_text = value
        self.check = check
        self.limit = limit
        # A short closed list (departments) is worth showing at once; a unit list is not.
        self.open_when_empty = (not free_text) if open_when_empty is None else open_when_empty
        self.picked: Choice | None = None
        self._choices: list[Choice] = []
        self._choices_for: str | None = None  # the text the shown choices answer
        self._pick_pending = False
        self._ahead: tuple[str, int] | None = None  # ↓/↑ pressed before the choices for that text arrived

    def compose_control(self) -> ComposeResult:
        yield PickerInput(self.initial_text, id=self.name, placeholder=self.placeholder)
        yield PickerList()

    def on_mount(self) -> None:
        super().on_mount()
        self._ask(self.raw)

    # ---- value --------------------------------------------------------------

    @property
    def raw(self) -> str:
        return self.control.value

    def set_raw(self, value: str) -> None:
        self.control.value = value

    @property
    def _picked_shown(self) -> bool:
        return self.picked is not None and self.picked.label == self.raw

    @property
    def busy(self) -> bool:
        return self._pick_pending or (not self.free_text and bool(self.raw.strip()) and not self._picked_shown
                                      and self._choices_for != self.raw)

    def read(self) -> Any:
        text = self.raw.strip()
        if not text:
            if self.required:
                raise self.required_missing()
            return None
        if self._picked_shown:
            return self.picked.value
        current = self._choices if self._choices_for == self.raw else []
        exact = [c for c in current if c.label == text]
        if exact:
            return exact[0].value
        if self.free_text:
            if self.check is not None:
                self.check(text)
            return text
        if len(current) == 1:  # typed enough to leave one: that one
            return current[0].value
        if self._choices_for != self.raw:
            raise InputError("form.still_loading", field=self.label)
        raise InputError("form.pick_from_list", field=self.label, value=text)

    def aside(self) -> Text:
        if self._picked_shown and self.picked.detail:
            return literal(self.picked.detail, "dim")
        return Text()

    # ---- choices --------------------------------------------------------------

    def _ask(self, typed: str) -> None:
        desk = getattr(self.app, "desk", None)
        source, limit = self.source, self.limit
        call_service(self, lambda: list(source(desk, typed, limit)), done=lambda found: self._arrived(typed, found),
                     failed=self._failed, group=f"picker-{self.name}")

    def _failed(self, message: str) -> None:
        self._pick_pending = False
        show = getattr(self.screen, "show_error", None)
        if show is not None:
            show(message)
        else:
            self.app.notify(message, severity="error")

    def _arrived(self, typed: str, found: list[Choice]) -> None:
        if typed != self.raw:
            return  # a newer question is on its way
        self._choices, self._choices_for = found, typed
        dropdown = self.query_one(PickerList)
        dropdown.clear_options()
        if found:
            dropdown.add_options([self._option(c) for c in found])
        else:
            dropdown.add_option(Option(Text(t("form.no_match"), style="dim italic"), disabled=True))
        exact = next((i for i, c in enumerate(found) if c.label == typed.strip()), None)
        if exact is not None:
            dropdown.highlighted = exact
        elif found and not self.free_text:
            dropdown.highlighted = 0
        else:
            dropdown.highlighted = None
        if self._ahead is not None and self._ahead[0] == typed:
            steps, self._ahead = self._ahead[1], None
            if found and steps > 0:
                dropdown.highlighted = min(steps, len(found)) - 1
        self._show_or_hide()
        if self._pick_pending:
            self._settle()

    @staticmethod
    def _option(choice: Choice) -> Option:
        prompt = literal(choice.label)
        if choice.detail:
            prompt.append("  ")
            prompt.append_text(literal(choice.detail, "dim"))
        return Option(prompt)

    def _show_or_hide(self) -> None:
        focused = self.screen.focused is self.control if self.is_attached else False
        wanted = (focused and bool(self.raw.strip() or self.open_when_empty) and not self._picked_shown
                  and bool(self._choices or not self.free_text))  # new free text needs no "nothing matches"
        self.set_class(wanted and self._choices_for == self.raw, "-open")

    def move(self, step: int) -> None:
        if self._choices_for != self.raw:  # typed ahead of the answer: apply the move when it comes
            steps = self._ahead[1] if self._ahead is not None and self._ahead[0] == self.raw else 0
            self._ahead = (self.raw, steps + step)
            return
        dropdown = self.query_one(PickerList)
        if not self._choices:
            return
        self.add_class("-open")
        current = dropdown.highlighted
        dropdown.highlighted = 0 if current is None else max(0, min(len(self._choices) - 1, current + step))

    def close(self) -> bool:
        """Close the choices; False if they were not open."""
        was_open = self.has_class("-open")
        self.remove_class("-open")
        return was_open

    def commit(self) -> None:
        """Enter: take the highlighted choice, now or as soon as the choices for the text arrive."""
        if self._picked_shown or not self.raw.strip():
            return
        if self._choices_for == self.raw:
            self._settle()
        else:
            self._pick_pending = True

    def _settle(self) -> None:
        self._pick_pending = False
        highlighted = self.query_one(PickerList).highlighted
        if highlighted is not None and highlighted < len(self._choices):
            self.pick(self._choices[highlighted])
        self.remove_class("-open")

    def pick(self, choice: Choice) -> None:
        self.picked = choice
        self.control.value = choice.label
        self.control.cursor_position = len(choice.label)
        self.remove_class("-open")
        self.refresh_aside()

    # ---- events -----------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        # Not stopped: the form may listen too (the call form's known-caller lookup).
        self.changed()
        self._ask(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self._choices):
            self.pick(self._choices[event.option_index])

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        self._show_or_hide()

    def on_descendant_blur(self, event: DescendantBlur) -> None:
        self.remove_class("-open")
