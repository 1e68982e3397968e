"""A work screen that later issues build: says what it will hold, never crashes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from deskapp.i18n import t
from deskapp.widgets.desk_footer import DeskFooter
from deskapp.widgets.desk_header import DeskHeader


class PlaceholderScreen(Screen):
    DEFAULT_CSS = """
    PlaceholderScreen #coming { margin: 1 2; }
    """

    def __init__(self, mode: str):
        super().__init__(name=mode)
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static(f"{t('screen.' + self.mode)}\n\n" + t("screen.coming", what=t("coming." + self.mode)),
                     id="coming", markup=False)
        yield DeskFooter()
