"""What shows while the database opens (the first paint)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from deskapp.i18n import t
from deskapp.widgets.desk_footer import DeskFooter
from deskapp.widgets.desk_header import DeskHeader


class LoadingScreen(Screen):
    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static(t("app.loading"), id="loading")
        yield DeskFooter()
