"""The visitor register (访客登记), docs/rules.md §2.7: newest first, searchable by unit,
phone and name; Ctrl+N registers a visitor, allowed in or refused.

Declarations on the kit: columns, a row source, a form; RegisterScreen does the rest.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from deskapp.core.text import normalize_phone, normalize_unit
from deskapp.i18n import t
from deskapp.services.reference_queries import unit_choices
from deskapp.widgets.fields import TextField, YesNoField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.picker import PickerField
from deskapp.widgets.register_list import Column
from deskapp.widgets.register_screen import RegisterScreen
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import new_record_binding


class VisitorSource:
    def __init__(self, desk, search: str):
        self.desk, self.search = desk, search

    def count(self) -> int:
        from deskapp.services.visitor_queries import count_visitors

        return count_visitors(self.desk, search=self.search)

    def page(self, start: int, total: int, after_key):
        from deskapp.services.visitor_queries import fetch_visitors

        return fetch_visitors(self.desk, search=self.search, after=after_key,
                              offset=0 if after_key is not None else start)


def _yes(value: bool) -> str:
    return t("form.yes") if value else t("form.no")


COLUMNS = [
    Column("col.at", 11, lambda r, s: s.local(r.at)),
    Column("col.visitor", 8, lambda r, s: r.visitor_name),
    Column("col.host_unit", 13, lambda r, s: r.host_unit),
    Column("col.allowed", 4, lambda r, s: t("visitors.allowed") if r.allowed else t("visitors.refused")),
    Column("col.phone", 14, lambda r, s: r.phone, min_total=100),
    Column("col.message", 0, lambda r, s: r.host_name + (f" {r.message}" if r.message else "")),
]


class VisitorsScreen(RegisterScreen):
    NEW_RECORD = "key.new_visitor"
    BINDINGS = [new_record_binding(NEW_RECORD)]
    COLUMNS = COLUMNS
    SEARCH_HINT = "visitors.search_hint"
    EMPTY = "visitors.empty"

    def __init__(self):
        super().__init__(name="visitors")

    def source(self, search: str):
        return VisitorSource(self.app.desk, search)

    def detail(self, row) -> Text:
        tz = self.app.desk.tz
        verdict = (t("visitors.allowed"), "bold green") if row.allowed else (t("visitors.refused"), "bold red")
        head = Text.assemble((f"{row.at.astimezone(tz):%Y-%m-%d %H:%M}", "bold"), "  ", literal(row.visitor_name),
                             " ", literal(row.phone), "  → ", literal(row.host_unit), " ", literal(row.host_name),
                             "  ", verdict)
        checks = t("visitors.checks", id=_yes(row.id_checked), appointment=_yes(row.appointment),
                   called=_yes(row.host_called), staff=row.staff)
        parts = [head, Text("\n" + checks)]
        if row.message:
            parts += [Text("\n" + t("visitors.message_label")), literal(row.message, one_line=False)]
        return Text.assemble(*parts)

    def new_record(self) -> None:
        self.app.push_screen(VisitorForm(), lambda done: self.saved(done, t("visitors.saved")))


class VisitorForm(FormScreen):
    DRAFT_KIND = "visitor"  # what is typed survives a closed terminal (deskapp.widgets.form, drafts)

    def form_title(self) -> str:
        return t("visitors.form_title")

    def fields(self):
        return [
            TextField("visitor_name", t("field.visitor_name"), max_chars=40, counter=False, required=True),
            TextField("phone", t("field.phone"), max_chars=30, counter=False, check=normalize_phone),
            PickerField("host_unit", t("field.host_unit"), source=unit_choices, free_text=True, placeholder="3-2-1201",
                        check=normalize_unit),
            TextField("host_name", t("field.host_name"), max_chars=40, counter=False),
            YesNoField("id_checked", t("field.id_checked"), value=False),
            YesNoField("appointment", t("field.appointment"), value=False),
            YesNoField("host_called", t("field.host_called"), value=False),
            YesNoField("allowed", t("field.allowed"), value=True),
            TextField("message", t("field.visitor_message")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.visitors import VisitorDraft, register_visitor

        draft = VisitorDraft(**{k: (v if v is not None else "") if k not in (
            "id_checked", "appointment", "host_called", "allowed") else bool(v) for k, v in values.items()})
        return register_visitor(self.app.desk, self.app.actor, draft, now=self.app.clock.now())
