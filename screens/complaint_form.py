"""Complaint intake (投诉登记): the form of the complaint register, declared on the kit.

Reached with Ctrl+N on the complaints screen, or with one key (Ctrl+T 办理)
from a 投诉 call in the call log: the call's phone, unit, name, channel and
content are carried over and the complaint is linked to the call (it leaves
待投诉). What happened comes first, then the facts that decide the class; the
class is proposed live as they are typed, with the rule that fired, in the
hint line. Ctrl+S saves from anywhere, so a receptionist at 3 a.m. types the
facts that matter and saves; the record opens next, for forwarding.

The class field is left on "proposed" unless raised (any reason) or lowered
(a supervisor's name and PIN and a reason: the service checks them).
尤其重大 needs the deadline agreed with the customer (约定完成时间).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import Input

from deskapp.core.codes import CHANNELS
from deskapp.core.severity import INJURY_LEVELS, Severity
from deskapp.core.text import normalize_phone, normalize_unit
from deskapp.errors import DeskError
from deskapp.i18n import label, t
from deskapp.services.reference_queries import unit_choices
from deskapp.widgets.fields import ChoiceField, MoneyField, TextField, WhenField, WholeField, YesNoField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.picker import PickerField

# the fields whose change may change the proposed class
FACTS = ("loss_yuan", "complainants", "deaths", "injury", "media_days", "media_outlets", "times_raised",
         "service_not_delivered")


class ComplaintFormScreen(FormScreen):
    def __init__(self, call=None):
        super().__init__()
        self.call = call  # a CallRow: the 投诉 call this complaint follows up

    def form_title(self) -> str:
        if self.call is not None:
            return t("complaints.form_title_call", number=self.call.number)
        return t("complaints.form_title")

    def fields(self):
        call = self.call
        fill = (lambda name: getattr(call, name) or "") if call is not None else (lambda name: "")
        severities = [("", t("complaints.proposed"))] + [(s.code, s.label) for s in Severity]
        return [
            TextField("description", t("field.description"), multiline=True, required=True, value=fill("content")),
            TextField("phone", t("field.phone"), max_chars=30, counter=False, check=normalize_phone,
                      value=fill("phone")),
            PickerField("unit", t("field.unit"), source=unit_choices, free_text=True, placeholder="3-2-1201",
                        check=normalize_unit, value=fill("unit_code")),
            TextField("customer_name", t("field.customer_name"), max_chars=40, counter=False,
                      value=fill("caller_name")),
            ChoiceField("channel", t("field.channel"), [(c, label("channel", c)) for c in CHANNELS],
                        value=call.channel if call is not None else None),
            MoneyField("loss_yuan", t("field.loss_yuan")),
            WholeField("complainants", t("field.complainants"), minimum=1, placeholder="1"),
            ChoiceField("injury", t("field.injury"), [(i, label("injury", i)) for i in INJURY_LEVELS]),
            WholeField("deaths", t("field.deaths"), placeholder="0"),
            WholeField("media_days", t("field.media_days"), placeholder="0"),
            WholeField("media_outlets", t("field.media_outlets"), placeholder="0"),
            WholeField("times_raised", t("field.times_raised"), placeholder="0"),
            YesNoField("service_not_delivered", t("field.service_not_delivered")),
            TextField("same_event", t("field.same_event"), max_chars=24, counter=False,
                      placeholder=t("complaints.same_event_hint")),
            WhenField("agreed_deadline", t("field.agreed_deadline")),
            WhenField("customer_deadline", t("field.customer_deadline")),
            ChoiceField("severity", t("field.severity"), severities),
            TextField("reason", t("field.reason"), max_chars=200, counter=False),
            TextField("supervisor", t("field.supervisor"), max_chars=40, counter=False),
            TextField("supervisor_pin", t("field.supervisor_pin"), max_chars=8, counter=False),
            WhenField("occurred_at", t("field.occurred_at")),
            TextField("place", t("field.place"), max_chars=200, counter=False),
            TextField("subject", t("field.subject"), max_chars=200, counter=False),
            TextField("customer_request", t("field.customer_request")),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        # the PIN is typed, never shown
        self.query_one("#supervisor_pin", Input).password = True
        self._propose()

    @staticmethod
    def after_saved(app, registered) -> None:
        """Saved: say so, and open the record, where f forwards it (a few keys from the call)."""
        from screens.complaint_record import ComplaintRecordScreen

        severity = label("severity", registered.severity)
        if registered.call_number:
            app.notify(t("complaints.saved_call", call=registered.call_number, number=registered.number,
                         severity=severity), timeout=8)
        else:
            app.notify(t("complaints.saved", number=registered.number, severity=severity))
        if registered.raised_with:
            app.notify(t("complaints.raised_with", numbers="、".join(registered.raised_with)), severity="warning",
                       timeout=10)
        app.push_screen(ComplaintRecordScreen(registered.id))

    def save(self, values: dict[str, Any]):
        from deskapp.services.complaints import ComplaintDraft, register_complaint

        draft = _draft(values, self.call)
        return register_complaint(self.app.desk, self.app.actor, draft, now=self.app.clock.now())

    # ---- the class proposed as the facts are typed -------------------------------

    @on(Input.Changed)
    def _typed(self, event) -> None:
        self._propose()

    def on_choice_bar_changed(self, event) -> None:
        self._propose()

    def on_yes_no_changed(self, event) -> None:
        self._propose()

    def _propose(self) -> None:
        """The class the facts typed so far give, and why; a fact not readable yet is left out."""
        from deskapp.services.complaints import ComplaintDraft, propose

        values = {}
        for name in FACTS:
            try:
                values[name] = self.field(name).read()
            except DeskError:
                continue
            except Exception:  # not mounted yet
                return
        try:
            draft = ComplaintDraft(**{k: v for k, v in values.items() if v is not None})
            found = propose(self.app.desk, draft)
        except DeskError as exc:
            self.show_warning(str(exc))
            return
        self.show_warning("")
        line = Text.assemble((t("complaints.proposal", severity=found.severity.label), "bold"), "  ",
                             "；".join(found.explain()))
        self.show_hint(line)


def _draft(values: dict[str, Any], call):
    from deskapp.services.complaints import ComplaintDraft

    given = {k: v for k, v in values.items() if v is not None and v != ""}
    given.setdefault("service_not_delivered", False)
    given["severity"] = values.get("severity") or None
    if call is not None:
        given["call_id"] = call.id
    return ComplaintDraft(**given)


def followed_up(screen, registered) -> None:
    """Ctrl+T 办理 from a call saved a complaint (screens/follow_up.py): say so and open its record
    (after the call's own record, if it was open, has closed)."""
    screen.app.call_later(ComplaintFormScreen.after_saved, screen.app, registered)
