"""The help screen: every key the desk uses, in the current language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from deskapp.i18n import t

KEYS = [
    ("F1", "key.help"), ("F2", "key.calls"), ("F3", "key.complaints"), ("F4", "key.slips"),
    ("F5", "key.visits"), ("F6", "key.handover"), ("Ctrl+N", "key.new_call"), ("Ctrl+F", "key.search"),
    ("Ctrl+R", "key.filter"), ("Ctrl+S", "key.save"), ("Esc", "key.cancel"), ("Home", "key.today"),
    ("End", "key.oldest"), ("Ctrl+L", "key.switch_user"), ("Ctrl+P", "palette"), ("Ctrl+Q", "key.quit"),
]


class HelpScreen(ModalScreen):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen Static { width: 44; height: auto; border: round $primary; padding: 0 1; background: $panel; }
    """
    BINDINGS = [Binding("escape,f1,q", "dismiss", t("key.cancel"))]

    def compose(self) -> ComposeResult:
        lines = [t("screen.help"), ""]
        for key, label in KEYS:
            text = "命令面板 command palette" if label == "palette" else t(label)
            lines.append(f"{key:<8} {text}")
        yield Static("\n".join(lines), markup=False)
