"""Record one step of a slip (notified, accepted, assessed ... returned, refused, a note).

One form for every step, declared by a table: the fields each step asks for
and the service that records it. A step with nothing to ask still takes an
optional note, so Enter records it. The form is dismissed with the SlipState.
"""

from __future__ import annotations

from typing import Any, Callable

from deskapp.core.slip_codes import MATERIAL_CHECKS, PAYMENT_METHODS
from deskapp.i18n import label, t
from deskapp.widgets.fields import ChoiceField, MoneyField, TextField
from deskapp.widgets.form import FormScreen


def _note() -> TextField:
    return TextField("note", t("slips.step_note"))


def _fields(step: str, slip) -> list:
    if step == "notified":
        return [TextField("person", t("field.notified_person"), max_chars=40, counter=False), _note()]
    if step == "accepted":
        return [TextField("technician", t("field.technician"), max_chars=40, counter=False,
                          required=not slip.technician, value=slip.technician)]
    if step == "assessed":
        return [MoneyField("fee", t("field.assessed_fee"), required=True),
                TextField("supervisor", t("field.dept_supervisor"), max_chars=40, counter=False, required=True), _note()]
    if step == "done":
        fields = [TextField("work_done", t("field.work_done"), multiline=True, required=True, value=slip.item)]
        if slip.chargeable:
            fields.append(MoneyField("work_fee", t("field.work_fee")))
        return fields + [TextField("materials", t("field.materials")),
                         ChoiceField("materials_check", t("field.materials_check"),
                                     [("", "—")] + [(c, label("material_check", c)) for c in MATERIAL_CHECKS],
                                     value="")]
    if step == "collected":
        return [ChoiceField("method", t("field.payment_method"), [(m, label("payment", m)) for m in PAYMENT_METHODS],
                            value="cash"),
                MoneyField("amount", t("field.collected"), required=True, value=str(slip.fee_due))]
    if step == "refused":
        return [TextField("reason", t("field.refused_reason"), multiline=True, required=True),
                TextField("supervisor", t("field.dept_supervisor"), max_chars=40, counter=False, required=True)]
    if step == "note":
        return [TextField("note", t("field.note"), multiline=True, required=True)]
    return [_note()]  # agreed, on_site, signed, returned


def _service(step: str) -> Callable[..., Any]:
    from deskapp.services import slips

    return {"notified": slips.notify_department, "accepted": slips.accept_slip, "assessed": slips.assess_slip,
            "agreed": slips.agree_fee, "on_site": slips.arrive, "done": slips.complete_work,
            "signed": slips.sign_slip, "collected": slips.collect_fee, "returned": slips.return_copies,
            "refused": slips.refuse_slip, "note": slips.add_note}[step]




class SlipStepScreen(FormScreen):
    def __init__(self, slip, step: str):
        super().__init__()
        self.slip = slip  # a SlipRecord
        self.step = step

    def form_title(self) -> str:
        return f"{self.slip.number}  {label('slip_step', self.step)}"

    def fields(self):
        return _fields(self.step, self.slip)

    def save(self, values: dict[str, Any]):
        kwargs = {name: ("" if value is None and name not in ("work_fee", "fee", "amount") else value)
                  for name, value in values.items()}
        return _service(self.step)(self.app.desk, self.app.actor, self.slip.id, **kwargs, now=self.app.clock.now())
