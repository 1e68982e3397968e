"""One-line form fields that keep up with fast typing.

Textual hands each key to the widget focused when the app reads it, queued
for that widget. Keys typed quickly after Enter (or pasted, or from a barcode
scanner) would land in the old field if Enter moved the focus only when the
field got round to it. So forms bind Enter as a *priority* binding on the
screen (run as the app reads the key, before the next key is routed), and read
their fields only after every field has handled the keys already sent to it.
"""

from __future__ import annotations

from typing import Callable, Sequence

from textual.widget import Widget
from textual.widgets import Input


class FormInput(Input):
    DEFAULT_CSS = """
    FormInput, FormInput:focus { border: none; height: 1; padding: 0; background: $boost; }
    FormInput:focus { background: $primary 30%; }
    """


def after_pending_keys(widgets: Sequence[Widget], callback: Callable[[], None]) -> None:
    """Call `callback` once each widget has processed what is already in its queue."""

    def step(index: int) -> None:
        if index == len(widgets):
            callback()
        else:
            widgets[index].call_later(step, index + 1)

    step(0)
