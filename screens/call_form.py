"""Log a call or walk-in in as few keystrokes as possible (来电来访登记).

Phone first: a known number fills in the unit and name from earlier calls.
Enter moves to the next field; Enter on the last field (or Ctrl+S) saves; Esc
cancels, asking first if anything was typed. A refusal shows its message here
and writes nothing. The form is declarations on the kit's form base
(deskapp.widgets.form); the call log opens it and receives the LoggedCall,
or None when cancelled.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import Input

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.core.text import normalize_phone, normalize_unit
from deskapp.i18n import label, t
from deskapp.services.reference_queries import unit_choices
from deskapp.widgets.fields import ChoiceField, TextField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.picker import PickerField
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service

# Enough digits to be someone's number, not the start of every number in town.
_LOOKUP_DIGITS = 7


class CallFormScreen(FormScreen):
    DRAFT_KIND = "call"  # what is typed survives a closed terminal (deskapp.widgets.form, drafts)

    def form_title(self) -> str:
        return t("calls.form_title")

    def fields(self):
        return [
            TextField("phone", t("field.phone"), max_chars=30, counter=False, check=normalize_phone),
            PickerField("unit", t("field.unit"), source=unit_choices, free_text=True, placeholder="3-2-1201",
                        check=normalize_unit),
            TextField("caller_name", t("field.caller_name"), max_chars=40, counter=False),
            ChoiceField("channel", t("field.channel"), [(c, label("channel", c)) for c in CHANNELS]),
            ChoiceField("category", t("field.category"), [(c, label("category", c)) for c in CATEGORIES]),
            TextField("content", t("field.content"), multiline=True, required=True),
            TextField("reply", t("field.reply")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.calls import CallDraft, log_call

        draft = CallDraft(**{k: v or "" for k, v in values.items()})
        return log_call(self.app.desk, self.app.actor, draft, now=self.app.clock.now())

    # ---- known callers --------------------------------------------------

    @on(Input.Changed, "#phone")
    def _phone_changed(self, event: Input.Changed) -> None:
        if sum(ch.isdigit() for ch in event.value) >= _LOOKUP_DIGITS:
            self._lookup(phone=event.value)

    @on(Input.Blurred, "#unit")
    def _unit_left(self, event: Input.Blurred) -> None:
        if event.value.strip() and not self.field("phone").raw.strip():
            self._lookup(unit=event.value)

    def _lookup(self, phone: str = "", unit: str = "") -> None:
        from deskapp.services.calls import known_callers

        desk = self.app.desk
        call_service(self, lambda: known_callers(desk, phone=phone, unit=unit, limit=1),
                     done=self._fill_known, failed=self.show_error, group="lookup")

    def _fill_known(self, found) -> None:
        if not found:
            return
        known = found[0]
        for name, value in (("unit", known.unit_code), ("caller_name", known.name), ("phone", known.phone)):
            field = self.field(name)
            if value and not field.raw.strip():
                field.set_raw(value)
        self.show_hint(Text.assemble(t("calls.known", name="", unit="").strip(), " ",
                                     literal(known.name), " ", literal(known.unit_code)))

    # ---- forbidden phrases ------------------------------------------------

    @on(Input.Changed, "#reply")
    def _reply_changed(self, event: Input.Changed) -> None:
        from deskapp.core.text import find_phrases

        found = find_phrases(event.value, list(self.app.desk.phrases.forbidden))
        self.show_warning(t("calls.flagged", phrases="、".join(found)) if found else "")
