"""A work screen that later issues build: says what it will hold, never crashes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from deskapp.i18n import t
from deskapp.widgets.work_screen import WorkScreen


class PlaceholderScreen(WorkScreen):
    DEFAULT_CSS = """
    PlaceholderScreen #coming { margin: 1 2; }
    """

    def __init__(self, mode: str):
        super().__init__(name=mode)
        self.mode = mode

    def compose_body(self) -> ComposeResult:
        yield Static(f"{t('screen.' + self.mode)}\n\n" + t("screen.coming", what=t("coming." + self.mode)),
                     id="coming", markup=False)
