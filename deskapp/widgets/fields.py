"""The field kinds a form is declared from (the form itself: deskapp.widgets.form).

A field is one row: its label, the control a person types into (its id is
the field's name, so `form.query_one("#phone")` finds the input), and an
aside that answers as you type (a length counter, the time or amount read
back, the range). `read()` turns what was typed into the value the save
function gets, or raises InputError with a catalogue message; the form adds
the field's label and focuses it.

Kinds: TextField (one line, or several with Ctrl+J), WhenField (date-time),
MoneyField (yuan), WholeField (a whole number), YesNoField, ChoiceField (a
ChoiceBar), and in deskapp.widgets.picker, PickerField (filter a list as you
type: departments, staff, units, fee items). Everything shown that came from a person is rich Text,
never markup.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Label, Static, TextArea

from deskapp.core.parse import MONEY_CAP, describe_when, format_yuan, parse_when, parse_whole, parse_yuan
from deskapp.core.text import CONTROL_CHARS
from deskapp.errors import DeskError, InputError
from deskapp.i18n import t
from deskapp.widgets.choice_bar import ChoiceBar
from deskapp.widgets.form_input import FormInput

# The counter turns to the warning colour from this share of the limit on.
NEAR_LIMIT = 0.9


def app_now(widget: Widget) -> datetime:
    """The app's one clock (frozen in tests), or the system's if the app has none."""
    clock = getattr(widget.app, "clock", None)
    return clock.now() if clock is not None else datetime.now(timezone.utc)


class FormField(Widget):
    """One row of a form. Subclasses give the control, how it reads and what the aside says."""

    DEFAULT_CSS = """
    FormField { layout: horizontal; height: auto; }
    FormField > .form-label { width: 10; height: 1; margin-right: 1; }
    FormField.-invalid > .form-label { color: $error; text-style: bold; }
    FormField > .form-control { width: 1fr; height: auto; }
    FormField > .form-aside { width: auto; min-width: 9; max-width: 24; height: auto; margin-left: 1; color: $text-muted; }
    FormField > .form-aside.-near { color: $warning; }
    FormField > .form-aside.-over { color: $error; text-style: bold; }
    """

    def __init__(self, name: str, label: str, *, required: bool = False):
        super().__init__(name=name, id=f"{name}-field")
        self.label = label
        self.required = required
        self._initial: Any = None

    # ---- what a kind provides -------------------------------------------

    def compose_control(self) -> ComposeResult:
        raise NotImplementedError

    @property
    def raw(self) -> Any:
        """What the control holds now, as shown (to tell a touched form from an untouched one)."""
        raise NotImplementedError

    def set_raw(self, value: Any) -> None:
        raise NotImplementedError

    def read(self) -> Any:
        """The value for the save function; InputError when it cannot be one."""
        raise NotImplementedError

    def aside(self) -> Text:
        return Text()

    @property
    def busy(self) -> bool:
        """True while the field is still working out its value (a picker's choices on their way)."""
        return False

    # ---- shared -----------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Label(Text(self.label), classes="form-label")
        with Vertical(classes="form-control"):
            yield from self.compose_control()
        yield Static(Text(), classes="form-aside")

    def on_mount(self) -> None:
        self._initial = self.raw
        self.refresh_aside()

    @property
    def control(self) -> Widget:
        return self.query_one(f"#{self.name}")

    @property
    def touched(self) -> bool:
        return self.raw != self._initial

    def required_missing(self) -> InputError:
        return InputError("err.required", field=self.label)

    def refresh_aside(self) -> None:
        for aside in self.query_children(".form-aside").results(Static):  # none before compose
            aside.update(self.aside())

    class Edited(Message):
        """Something in the field changed (typed, pasted, filled in): the form keeps its draft."""

        def __init__(self, field: "FormField"):
            super().__init__()
            self.field = field

    def changed(self) -> None:
        """The control's content changed: the old complaint no longer applies; the aside answers again."""
        self.remove_class("-invalid")
        self.refresh_aside()
        self.post_message(self.Edited(self))

    def _set_level(self, near: bool, over: bool) -> None:
        aside = self.query_one(".form-aside", Static)
        aside.set_class(near and not over, "-near")
        aside.set_class(over, "-over")


# ------------------------------------------------------------------ text


class FormTextArea(TextArea):
    """Several lines where Enter still moves on (the form binds it); Ctrl+J starts a new line.

    Ctrl+J is the newline key that reaches the app in every terminal tried
    (xterm, tmux, a browser); Alt+Enter arrives in tmux as a plain Enter and
    Shift+Enter only in terminals that report it (kitty protocol), where it
    works too. `value` mirrors Input's, so a form reads every control alike.
    """

    DEFAULT_CSS = """
    FormTextArea { border: none; padding: 0; height: 3; background: $boost; }
    FormTextArea:focus { border: none; background: $primary 30%; }
    """
    def __init__(self, text: str = "", **kwargs):
        super().__init__(text, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
                         highlight_cursor_line=False, compact=True, **kwargs)

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.load_text(text)

    def on_key(self, event: Key) -> None:
        # A key handler, not a binding: keys typed ahead are handled by the widget they
        # were sent to, while a binding would be looked up from wherever the focus is by then.
        if event.key in ("ctrl+j", "shift+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")


class TextField(FormField):
    """Free text with a live length counter (`123/2000`).

    `max_chars=None` is content-like text: the policy's content_max_chars. `check`
    may refuse the text early (e.g. normalize_phone) with the service's own
    message; its return value is not used: the service normalises what it saves.
    """

    def __init__(self, name: str, label: str, *, max_chars: int | None = None, multiline: bool = False,
                 required: bool = False, counter: bool = True, placeholder: str = "", value: str = "",
                 check: Callable[[str], Any] | None = None):
        super().__init__(name, label, required=required)
        self.max_chars = max_chars
        self.multiline = multiline
        self.counter = counter
        self.placeholder = placeholder
        self.initial_text = value
        self.check = check

    @property
    def limit(self) -> int:
        return self.max_chars or self.app.desk.policy.content_max_chars

    def compose_control(self) -> ComposeResult:
        if self.multiline:
            yield FormTextArea(self.initial_text, id=self.name, placeholder=self.placeholder)
        else:
            # No max_length: a paste longer than the limit is shown in full and refused on
            # save with its length, never cut silently.
            yield FormInput(self.initial_text, id=self.name, placeholder=self.placeholder)

    @property
    def raw(self) -> str:
        return self.control.value

    def set_raw(self, value: str) -> None:
        self.control.value = value

    def read(self) -> str:
        text = self.raw.strip()
        if not text:
            if self.required:
                raise self.required_missing()
            return ""
        if CONTROL_CHARS.search(text) or (not self.multiline and ("\n" in text or "\t" in text)):
            raise InputError("err.control_chars", field=self.label)
        if len(text) > self.limit:
            raise InputError("err.too_long", field=self.label, length=len(text), limit=self.limit)
        if self.check is not None:
            self.check(text)
        return text

    def aside(self) -> Text:
        text = Text()
        if self.counter:
            count, limit = len(self.raw.strip()), self.limit
            text.append(f"{count}/{limit}")
            self._set_level(count >= limit * NEAR_LIMIT, count > limit)
        if self.multiline:
            text.append(("\n" if text else "") + t("form.newline_hint"), style="dim")
        return text

    def on_input_changed(self, event: Input.Changed) -> None:
        self.changed()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.changed()


# ------------------------------------------------------------------ typed values


class _ParsedField(FormField):
    """A one-line input whose text is read by a pure parser; the aside shows the value read."""

    def __init__(self, name: str, label: str, *, required: bool = False, placeholder: str = "", value: str = ""):
        super().__init__(name, label, required=required)
        self.placeholder = placeholder
        self.initial_text = value

    def compose_control(self) -> ComposeResult:
        yield FormInput(self.initial_text, id=self.name, placeholder=self.placeholder)

    @property
    def raw(self) -> str:
        return self.control.value

    def set_raw(self, value: str) -> None:
        self.control.value = value

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def show(self, value: Any) -> str:
        raise NotImplementedError

    def read(self) -> Any:
        value = self.parse(self.raw)
        if value is None and self.required:
            raise self.required_missing()
        return value

    def aside(self) -> Text:
        try:
            value = self.parse(self.raw)
        except DeskError:
            return Text("?", style="bold")  # the reason is given on save, not while still typing
        return Text() if value is None else Text("→ " + self.show(value))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.changed()


class WhenField(_ParsedField):
    """A date and time: `2026-11-25 14:30`, `11-25 14:30`, `14:30` (today), `+30m` / `+2h` / `+1d`.

    Read in the site's zone (desk.tz) against the app's clock; the value is an
    aware UTC datetime, shown back as `→ 11-25 14:30 周三`.
    """

    def __init__(self, name: str, label: str, **kwargs):
        kwargs.setdefault("placeholder", t("form.when_hint"))
        super().__init__(name, label, **kwargs)

    def parse(self, text: str) -> datetime | None:
        return parse_when(text, now=app_now(self), tz=self.app.desk.tz)

    def show(self, value: datetime) -> str:
        return describe_when(value, now=app_now(self), tz=self.app.desk.tz)


class MoneyField(_ParsedField):
    """Yuan: `12000`, `1.2万`, `12,000`, `12000.50`, `¥12000`; a Decimal, at most `cap`."""

    def __init__(self, name: str, label: str, *, cap: Decimal = MONEY_CAP, **kwargs):
        kwargs.setdefault("placeholder", t("form.money_hint"))
        super().__init__(name, label, **kwargs)
        self.cap = cap

    def parse(self, text: str) -> Decimal | None:
        return parse_yuan(text, cap=self.cap)

    def show(self, value: Decimal) -> str:
        return format_yuan(value)


class WholeField(_ParsedField):
    """A whole number within [minimum, maximum] (people affected, days, copies)."""

    def __init__(self, name: str, label: str, *, minimum: int | None = 0, maximum: int | None = None, **kwargs):
        super().__init__(name, label, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, text: str) -> int | None:
        return parse_whole(text, minimum=self.minimum, maximum=self.maximum)

    def aside(self) -> Text:
        try:
            self.parse(self.raw)
        except DeskError:
            return Text("?", style="bold")
        low = "" if self.minimum is None else str(self.minimum)
        high = "" if self.maximum is None else str(self.maximum)
        return Text(t("form.whole_range", low=low, high=high), style="dim")


# ------------------------------------------------------------------ yes / no


class YesNo(Widget, can_focus=True):
    """`是 / 否` on one key: y or 是 says yes, n or 否 says no, space (or ←/→) turns it over."""

    DEFAULT_CSS = """
    YesNo { height: 1; width: 1fr; background: $boost; }
    YesNo:focus { background: $primary 30%; }
    """
    value: reactive[bool | None] = reactive(False)

    class Changed(Message):
        def __init__(self, yes_no: "YesNo", value: bool | None):
            super().__init__()
            self.yes_no = yes_no
            self.value = value

    def __init__(self, value: bool | None = False, **kwargs):
        super().__init__(**kwargs)
        self.set_reactive(YesNo.value, value)

    def render(self) -> Text:
        text = Text()
        for choice, key in ((True, "form.yes"), (False, "form.no")):
            text.append(" ")
            text.append(f" {t(key)} ", style="reverse bold" if self.value is choice else "")
        return text

    def watch_value(self, value: bool | None) -> None:
        self.post_message(self.Changed(self, value))

    def on_key(self, event: Key) -> None:
        # Keys, not bindings, so an answer typed ahead of Enter lands here (see FormTextArea).
        character = (event.character or "").lower()
        if character in ("y", "是", "1"):
            self.value = True
        elif character in ("n", "否", "0"):
            self.value = False
        elif event.key in ("space", "left", "right"):
            self.value = not self.value
        else:
            return
        event.stop()
        event.prevent_default()


class YesNoField(FormField):
    """Yes or no. `value=None` starts unanswered, and a required field then asks for an answer."""

    def __init__(self, name: str, label: str, *, value: bool | None = False, required: bool = False):
        super().__init__(name, label, required=required)
        self.initial_value = value

    def compose_control(self) -> ComposeResult:
        yield YesNo(self.initial_value, id=self.name)

    @property
    def raw(self) -> bool | None:
        return self.control.value

    def set_raw(self, value: bool | None) -> None:
        self.control.value = value

    def read(self) -> bool | None:
        if self.raw is None and self.required:
            raise self.required_missing()
        return self.raw

    def aside(self) -> Text:
        return Text(t("form.yes_no_hint"), style="dim")

    def on_yes_no_changed(self, event: YesNo.Changed) -> None:
        self.changed()


# ------------------------------------------------------------------ one of a few


class ChoiceField(FormField):
    """One of a handful of codes on a ChoiceBar (digits pick): channel, category, satisfaction."""

    def __init__(self, name: str, label: str, options: list[tuple[str, str]], *, value: str | None = None):
        super().__init__(name, label)
        self.options = options
        self.initial_value = value

    def compose_control(self) -> ComposeResult:
        yield ChoiceBar(self.options, value=self.initial_value, id=self.name)

    @property
    def raw(self) -> str:
        return self.control.value

    def set_raw(self, value: str) -> None:
        self.control.value = value

    def read(self) -> str:
        return self.raw

    def on_choice_bar_changed(self, event: ChoiceBar.Changed) -> None:
        self.changed()


# ------------------------------------------------------------------ a PIN


class PinField(TextField):
    """A PIN typed by the person who signs (a handover): shown as dots, never counted
    aloud, checked by the service. Its value is never part of a message."""

    def __init__(self, name: str, label: str, **kwargs):
        super().__init__(name, label, max_chars=8, counter=False, required=True, **kwargs)

    def compose_control(self) -> ComposeResult:
        yield FormInput("", id=self.name, password=True, max_length=8)
