"""Correct a logged call (更正): which field, what it should read, why.

Declarations on the form base; the service appends the correction and its
audit event, the call row stays as logged (deskapp.services.call_corrections).
"""

from __future__ import annotations

from typing import Any

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.i18n import label, t
from deskapp.widgets.fields import ChoiceField, TextField
from deskapp.widgets.form import FormScreen

_FIELD_LABELS = {"": "correct.note_only", "phone": "field.phone", "unit": "field.unit",
                 "caller_name": "field.caller_name", "channel": "field.channel", "category": "field.category",
                 "content": "field.content", "reply": "field.reply"}


def _code(kind: str, codes: tuple[str, ...], typed: str) -> str:
    """A channel or category typed as its label (电话, 报修) or its code."""
    for code in codes:
        if typed in (code, label(kind, code)):
            return code
    return typed  # refused by the service with the choices' field name


class CallCorrectionScreen(FormScreen):
    def __init__(self, call_row):
        super().__init__()
        self.call = call_row

    def form_title(self) -> str:
        return t("correct.title", number=self.call.number)

    def fields(self):
        from deskapp.services.call_corrections import CORRECTABLE

        return [
            ChoiceField("field", t("field.corrected_field"), [(f, t(_FIELD_LABELS[f])) for f in CORRECTABLE],
                        value="phone"),
            TextField("corrected", t("field.corrected"), multiline=True),
            TextField("note", t("field.note"), multiline=True),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.call_corrections import correct_call

        field = values["field"] or ""
        corrected = values["corrected"] or ""
        if field == "channel":
            corrected = _code("channel", CHANNELS, corrected)
        elif field == "category":
            corrected = _code("category", CATEGORIES, corrected)
        return correct_call(self.app.desk, self.app.actor, self.call.id, field=field, corrected=corrected,
                            note=values["note"] or "", now=self.app.clock.now())
