"""Ctrl+T 办理 on a call (the call log, the call record): open the form that follows it up.

Which form follows which category is one table in deskapp/registry.py
(FOLLOW_UP: 报修 -> the dispatch slip form, ...). The form is given the call's
row; when it closes with a result, the form's module says what happened
(`followed_up(screen, result)`), and the caller's `then` runs.
"""

from __future__ import annotations

import importlib
from typing import Callable

from deskapp.core.codes import is_awaiting
from deskapp.i18n import label, t


def follow_up(screen, row, *, then: Callable[[object], None] | None = None) -> None:
    from deskapp.registry import FOLLOW_UP, follow_up_form

    make = follow_up_form(row.category)
    if make is None:
        screen.notify(t("slips.not_followed", category=label("category", row.category)))
        return
    if not is_awaiting(row.status):
        screen.notify(t("slips.already_followed", number=row.number, status=label("call_status", row.status)),
                      severity="warning")
        return
    module = importlib.import_module(FOLLOW_UP[row.category][0])

    def done(result) -> None:
        if result is None:
            return
        told = getattr(module, "followed_up", None)
        if told is not None:
            told(screen, result)
        if then is not None:
            then(result)

    screen.app.push_screen(make(row), done)
