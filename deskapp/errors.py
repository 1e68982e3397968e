"""Errors the desk shows to a person: a catalogue key plus parameters.

Services raise these before writing anything; the screens and the CLI show
`str(error)` in the current language. Anything else is a bug.
"""

from __future__ import annotations

from deskapp.i18n import t


class DeskError(Exception):
    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)


class InputError(DeskError):
    """Bad input from a person: nothing was written."""


class NotAllowed(DeskError):
    """The actor's role may not do this."""


class NotFound(DeskError):
    pass
