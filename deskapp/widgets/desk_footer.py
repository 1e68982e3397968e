"""The key strip every screen shows, compact so F1-F6 fit at 80 columns."""

from __future__ import annotations

from textual.widgets import Footer


class DeskFooter(Footer):
    def __init__(self, **kwargs):
        super().__init__(compact=True, show_command_palette=False, **kwargs)
