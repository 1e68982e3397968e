"""The help screen: every key that works where F1 was pressed, read from the
real bindings, so a key rebound in config.toml [keys] shows as rebound."""

from __future__ import annotations

from functools import partial
from typing import Callable, Iterator

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from deskapp.i18n import t


_NAMES = {"escape": "Esc", "pageup": "PgUp", "pagedown": "PgDn", "enter": "Enter", "home": "Home", "end": "End",
          "insert": "Ins", "delete": "Del", "up": "↑", "down": "↓", "left": "←", "right": "→"}


def key_label(key: str) -> str:
    """How a desk manual writes a key: ctrl+n -> Ctrl+N, f1 -> F1, escape -> Esc."""
    parts = key.split("+")
    *mods, last = parts
    name = _NAMES.get(last, last.upper() if len(last) <= 3 else last.capitalize())
    return "+".join([*(m.capitalize() for m in mods), name])


def _grouped(screen: Screen) -> list[tuple[list[str], Binding, object]]:
    """The bindings active on `screen` (focused widget, screen, app), one entry per
    binding with every key that triggers it, in the order they are declared."""
    grouped: dict[tuple[int, str], tuple[list[str], Binding, object]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        # Only the desk's own keys (every one has an id, so it can be rebound);
        # Textual's built-in ones (scrolling, cursor moves) are English-only noise here.
        if not binding.id or not binding.description or not active.enabled:
            continue
        ident = (id(active.node), binding.id or binding.action)
        keys, _, _ = grouped.setdefault(ident, ([], binding, active.node))
        display = key_label(key)
        if display not in keys:
            keys.append(display)
    return list(grouped.values())


def screen_actions(screen: Screen) -> Iterator[tuple[str, str, Callable]]:
    """(keys, description, run) for each action of `screen` a person can take:
    what the command palette offers besides the screens themselves."""
    app = screen.app
    for keys, binding, node in _grouped(screen):
        if binding.action.startswith(("go(", "help", "quit", "command_palette")):
            continue  # the palette lists the screens, help and quit itself
        yield "/".join(keys), binding.tooltip or binding.description, partial(app.run_action, binding.action, node)


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen Static { width: 56; max-width: 100%; height: auto; max-height: 100%; border: round $primary;
                        padding: 0 1; background: $panel; }
    """
    BINDINGS = [Binding("escape,f1,q", "dismiss", t("key.cancel"))]

    def __init__(self, under: Screen):
        super().__init__()
        self._lines = [(", ".join(keys), binding.tooltip or binding.description) for keys, binding, _ in _grouped(under)]
        self._lines.append(("Ctrl+P", t("help.palette")))

    def compose(self) -> ComposeResult:
        text = Text(t("screen.help") + "\n\n", style="bold")
        width = max((len(k) for k, _ in self._lines), default=8) + 2
        for keys, description in self._lines:
            text.append(f"{keys:<{width}}", style="bold")
            text.append(f"{description}\n")
        yield Static(text)
