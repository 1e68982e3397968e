"""The duty log (值班日志), docs/rules.md §2.5: newest first across shifts, searchable,
Ctrl+N writes an entry (time, what happened, what was done, major or not).

Declarations on the kit: columns, a row source, a form; RegisterScreen does the rest.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from deskapp.i18n import t
from deskapp.widgets.fields import TextField, WhenField, YesNoField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.register_list import Column
from deskapp.widgets.register_screen import RegisterScreen
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import new_record_binding


class DutyLogSource:
    def __init__(self, desk, search: str):
        self.desk, self.search = desk, search

    def count(self) -> int:
        from deskapp.services.duty_log_queries import count_entries

        return count_entries(self.desk, search=self.search)

    def page(self, start: int, total: int, after_key):
        from deskapp.services.duty_log_queries import fetch_entries

        return fetch_entries(self.desk, search=self.search, after=after_key,
                             offset=0 if after_key is not None else start)


COLUMNS = [
    Column("col.at", 11, lambda r, s: s.local(r.at)),
    Column("col.major", 4, lambda r, s: t("duty_log.major_mark") if r.major else ""),
    Column("col.staff", 6, lambda r, s: r.staff),
    Column("col.what", 0, lambda r, s: r.what + (f" → {r.action}" if r.action else "")),
]


class DutyLogScreen(RegisterScreen):
    NEW_RECORD = "key.new_log"
    BINDINGS = [new_record_binding(NEW_RECORD)]
    COLUMNS = COLUMNS
    SEARCH_HINT = "duty_log.search_hint"
    EMPTY = "duty_log.empty"

    def __init__(self):
        super().__init__(name="duty_log")

    def source(self, search: str):
        return DutyLogSource(self.app.desk, search)

    def detail(self, row) -> Text:
        tz = self.app.desk.tz
        head = Text.assemble((f"{row.at.astimezone(tz):%Y-%m-%d %H:%M}", "bold"), "  ", row.shift_number, "  ",
                             literal(row.staff))
        if row.major:
            head.append("  " + t("duty_log.major"), style="bold red")
        parts = [head, Text("\n"), literal(row.what, one_line=False)]
        if row.action:
            parts += [Text("\n→ "), literal(row.action, one_line=False)]
        return Text.assemble(*parts)

    def new_record(self) -> None:
        self.app.push_screen(DutyLogForm(), lambda entry: self.saved(entry, t("duty_log.saved")))


class DutyLogForm(FormScreen):
    DRAFT_KIND = "duty_log"  # what is typed survives a closed terminal (deskapp.widgets.form, drafts)

    def form_title(self) -> str:
        return t("duty_log.form_title")

    def fields(self):
        return [
            TextField("what", t("field.log_what"), multiline=True, required=True),
            TextField("action", t("field.log_action"), multiline=True),
            YesNoField("major", t("field.log_major"), value=False),
            WhenField("at", t("field.at")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.shifts import add_log_entry

        return add_log_entry(self.app.desk, self.app.actor, what=values["what"] or "", action=values["action"] or "",
                             major=bool(values["major"]), at=values["at"], now=self.app.clock.now())
