"""A one-line choice picked with a digit or the arrow keys (faster than a drop-down)."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class ChoiceBar(Widget, can_focus=True):
    """Options shown as `1电话 2来访 3来信 4其他`; 1-9 picks, ←/→ moves."""

    DEFAULT_CSS = """
    ChoiceBar { height: 1; width: 1fr; }
    ChoiceBar:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("enter", "next_field", show=False),
    ]

    value: reactive[str] = reactive("")

    class Changed(Message):
        def __init__(self, bar: "ChoiceBar", value: str):
            super().__init__()
            self.bar = bar
            self.value = value

    def __init__(self, options: list[tuple[str, str]], value: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.options = options  # (code, label)
        self.set_reactive(ChoiceBar.value, value or options[0][0])

    def render(self) -> Text:
        text = Text()
        for i, (code, label) in enumerate(self.options, 1):
            style = "reverse bold" if code == self.value else ""
            text.append(f" {i}", style="dim")
            text.append(label, style=style)
        return text

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    def action_move(self, step: int) -> None:
        codes = [c for c, _ in self.options]
        self.value = codes[(codes.index(self.value) + step) % len(codes)]

    def action_next_field(self) -> None:
        # Moving focus here, inside the key handler, keeps fast typing in order.
        self.screen.focus_next()

    def on_key(self, event) -> None:
        # Keys, not bindings: a key typed ahead of Enter is handled by the bar it was sent
        # to; a binding would be looked up from wherever the focus has moved by then.
        if event.key in ("left", "right"):
            self.action_move(-1 if event.key == "left" else 1)
        elif event.character and event.character.isdigit():
            index = int(event.character) - 1
            if not 0 <= index < len(self.options):
                return
            self.value = self.options[index][0]
        else:
            return
        event.stop()
        event.prevent_default()
