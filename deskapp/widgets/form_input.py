"""A one-line form field where Enter moves on at once.

Input's own Enter posts a Submitted message that is handled later, so keys
typed quickly after Enter (or pasted, or from a barcode scanner) would still
land in the old field. Here Enter moves the focus inside the key handler.
"""

from __future__ import annotations

from textual.widgets import Input


class FormInput(Input):
    DEFAULT_CSS = """
    FormInput, FormInput:focus { border: none; height: 1; padding: 0; background: $boost; }
    FormInput:focus { background: $primary 30%; }
    """

    async def action_submit(self) -> None:
        handler = getattr(self.screen, "field_submitted", None)
        if handler is not None:
            handler(self)
        else:
            await super().action_submit()
