"""Record a return visit (维修回访登记表): the customer was reached and answered.

Method, the five points the desk asks (quality, effect, satisfaction 1-5,
shortcomings, suggestions) and whether the customer confirmed the record.
Declarations on the kit's form base; the queue receives the VisitOutcome, or
None when cancelled. An unsatisfactory score is saved like any other: the
service reopens or raises the complaint and the queue says which.
"""

from __future__ import annotations

from typing import Any

from deskapp.core.visit_rules import METHODS
from deskapp.i18n import label, t
from deskapp.widgets.fields import ChoiceField, TextField, WholeField, YesNoField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.safe_text import literal


class VisitFormScreen(FormScreen):
    def __init__(self, row):
        super().__init__()
        self.row = row

    def form_title(self) -> str:
        return t("visits.form_title", number=self.row.number, kind=label("visit_kind", self.row.kind))

    def fields(self):
        method = "in_person" if self.row.method == "in_person" else "phone"
        return [
            ChoiceField("method", t("field.visit_method"), [(m, label("visit_method", m)) for m in METHODS],
                        value=method),
            TextField("quality", t("field.visit_quality"), max_chars=200, counter=False),
            TextField("effect", t("field.visit_effect"), max_chars=200, counter=False),
            WholeField("score", t("field.satisfaction"), minimum=1, maximum=5, required=True),
            TextField("shortcomings", t("field.visit_shortcomings")),
            TextField("suggestions", t("field.visit_suggestions")),
            YesNoField("customer_confirmed", t("field.customer_confirmed"), value=None, required=True),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        from screens.visit_queue import visit_summary

        self.show_hint(visit_summary(self.row, self.app.desk.tz))
        if self.row.due_warning:
            self.show_warning(literal(self.row.due_warning, one_line=False))

    def save(self, values: dict[str, Any]):
        from deskapp.services.visits import VisitReport, record_visit

        report = VisitReport(method=values["method"], quality=values["quality"] or "", effect=values["effect"] or "",
                             score=values["score"], shortcomings=values["shortcomings"] or "",
                             suggestions=values["suggestions"] or "",
                             customer_confirmed=bool(values["customer_confirmed"]))
        return record_visit(self.app.desk, self.app.actor, self.row.id, report, now=self.app.clock.now())
