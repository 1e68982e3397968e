"""Filter the call log by date range, category and channel.

Declarations on the form base: Enter moves on and saves on the last field,
Ctrl+S applies from anywhere, Esc cancels. The dates are checked as the
form is read (a day that exists, the start not after the end); the call log
receives the new CallFilter, or None.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.core.text import parse_date
from deskapp.errors import InputError
from deskapp.i18n import label, t
from deskapp.widgets.fields import ChoiceField, TextField
from deskapp.widgets.form import FormScreen


class CallFilterScreen(FormScreen):
    def __init__(self, current):
        super().__init__()
        self.current = current

    def form_title(self) -> str:
        return t("calls.filter_title")

    def fields(self):
        f = self.current
        # The placeholder shows the format, not a date: a sample date reads like a value already set.
        return [
            TextField("start", t("calls.from"), max_chars=10, counter=False, placeholder="YYYY-MM-DD",
                      value=str(f.start or ""), check=parse_date),
            TextField("end", t("calls.to"), max_chars=10, counter=False, placeholder="YYYY-MM-DD",
                      value=str(f.end or ""), check=parse_date),
            ChoiceField("category", t("field.category"),
                        [("", t("calls.any"))] + [(c, label("category", c)) for c in CATEGORIES],
                        value=f.category or ""),
            ChoiceField("channel", t("field.channel"),
                        [("", t("calls.any"))] + [(c, label("channel", c)) for c in CHANNELS],
                        value=f.channel or ""),
        ]

    def save(self, values: dict[str, Any]):
        start, end = parse_date(values["start"]), parse_date(values["end"])
        if start and end and start > end:
            raise InputError("err.date_order")
        return replace(self.current, start=start, end=end, category=values["category"] or None,
                       channel=values["channel"] or None)
