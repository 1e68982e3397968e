"""Issue a dispatch slip (开派工单): on its own (Ctrl+N on the board) or from a
报修 call (Ctrl+T 办理 on the call log or the call record), whose name, phone,
unit and content fill the form.

Declarations on the form kit: the fields and the save function. The service
routes the slip (the fee item's department, or the warranty contractor) and
refuses what it cannot take with a message under the form; nothing is written
then. The screen is dismissed with the SlipState, or None when cancelled.
"""

from __future__ import annotations

from typing import Any

from deskapp.core.text import normalize_phone, normalize_unit
from deskapp.i18n import t
from deskapp.services.reference_queries import department_choices, unit_choices
from deskapp.widgets.fields import TextField, WhenField, YesNoField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.picker import PickerField


def _fee_items(desk, typed: str, limit: int):
    from deskapp.services.slip_queries import fee_item_choices

    return fee_item_choices(desk, typed, limit)


class SlipFormScreen(FormScreen):
    def __init__(self, call=None):
        super().__init__()
        self.call = call  # a call row (call log, call record) this slip follows up, or None

    def form_title(self) -> str:
        return t("slips.form_from_call", number=self.call.number) if self.call else t("slips.form_title")

    def fields(self):
        call = self.call
        return [
            PickerField("unit", t("field.unit"), source=unit_choices, free_text=True, placeholder="3-2-1201",
                        check=normalize_unit, required=True, value=call.unit_code if call else ""),
            TextField("customer_name", t("field.caller_name"), max_chars=40, counter=False,
                      value=call.caller_name if call else ""),
            TextField("phone", t("field.phone"), max_chars=30, counter=False, check=normalize_phone,
                      value=call.phone if call else ""),
            TextField("item", t("field.repair_item"), multiline=True, required=True, value=call.content if call else ""),
            PickerField("fee_item", t("field.fee_item"), source=_fee_items, open_when_empty=False),
            YesNoField("chargeable", t("field.chargeable"), value=True),
            PickerField("department", t("field.slip_department"), source=department_choices, open_when_empty=False),
            WhenField("appointment", t("field.slip_appointment")),
            TextField("technician", t("field.technician"), max_chars=40, counter=False),
            TextField("photos", t("field.photos"), multiline=True, counter=False),
            TextField("remarks", t("field.remarks")),
        ]

    def save(self, values: dict[str, Any]):
        from deskapp.services.slips import SlipDraft, issue_slip

        draft = SlipDraft(
            call_id=self.call.id if self.call else None, customer_name=values["customer_name"] or "",
            unit=values["unit"] or "", phone=values["phone"] or "", item=values["item"] or "",
            appointment_at=values["appointment"], photos=values["photos"] or "", fee_item=values["fee_item"] or "",
            chargeable=bool(values["chargeable"]), department_id=values["department"],
            technician=values["technician"] or "", remarks=values["remarks"] or "")
        return issue_slip(self.app.desk, self.app.actor, draft, now=self.app.clock.now())


def followed_up(screen, issued) -> None:
    """After Ctrl+T 办理 on a repair call: say which slip was issued and whom to notify."""
    from screens.slip_board import slip_issued

    slip_issued(screen, issued)
