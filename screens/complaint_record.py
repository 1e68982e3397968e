"""One complaint, whole: facts, class and why, every clock (met, missed, running, with who
and when), the timeline, and one key per next step.

Keys (letters: nothing on this screen takes typing): f 转交签收, r 上报, p 处理中,
c 联系客户, g 答复结果, v 待回访, x 结案, o 重新打开, m 处理不当 (supervisor).
Each step that needs words opens a small form on the kit; the step is saved
on the version of the complaint shown, so a change made meanwhile at another
terminal is refused naming who made it, and the record is read again.
"""

from __future__ import annotations

from typing import Any, Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from deskapp.core.complaint_clocks import ClockState
from deskapp.core.parse import format_yuan
from deskapp.core.severity import explain_rule
from deskapp.i18n import label, t
from deskapp.services.reference_queries import department_choices
from deskapp.widgets.countdown import Countdown
from deskapp.widgets.fields import TextField
from deskapp.widgets.form import FormScreen
from deskapp.widgets.picker import PickerField
from deskapp.widgets.register_list import fit
from deskapp.widgets.safe_text import literal
from deskapp.widgets.service_call import call_service

_STATE_STYLE = {ClockState.MET: "green", ClockState.MISSED: "bold red", ClockState.OVERDUE: "bold red reverse",
                ClockState.RUNNING: "yellow", ClockState.WAIVED: "dim"}


class StepForm(FormScreen):
    """A small form for one step of a complaint: its fields and the service call that saves it."""

    def __init__(self, title: str, make_fields: Callable[[], list], saver: Callable[[dict[str, Any]], Any]):
        super().__init__()
        self._title, self._make_fields, self._saver = title, make_fields, saver

    def form_title(self) -> str:
        return self._title

    def fields(self):
        return self._make_fields()

    def save(self, values: dict[str, Any]):
        return self._saver(values)


class ComplaintRecordScreen(ModalScreen):
    DEFAULT_CSS = """
    ComplaintRecordScreen { align: center middle; }
    ComplaintRecordScreen > Vertical { width: 100; max-width: 100%; height: 100%;
                                       border: round $primary; background: $panel; padding: 0 1; }
    ComplaintRecordScreen VerticalScroll { height: 1fr; }
    ComplaintRecordScreen #complaint-keys { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,enter", "close", t("key.close"), id="complaint_close"),
        Binding("f", "step('forward')", t("key.forward"), id="complaint_forward"),
        Binding("r", "step('report')", t("key.report"), id="complaint_report"),
        Binding("p", "step('start')", t("key.start_work"), id="complaint_start"),
        Binding("c", "step('contact')", t("key.contact"), id="complaint_contact"),
        Binding("g", "step('result')", t("key.give_result"), id="complaint_result"),
        Binding("v", "step('await_visit')", t("key.await_visit"), id="complaint_await_visit"),
        Binding("x", "step('close')", t("key.close_complaint"), id="complaint_close_it"),
        Binding("o", "step('reopen')", t("key.reopen"), id="complaint_reopen"),
        Binding("m", "step('mishandled')", t("key.mishandled"), id="complaint_mishandled"),
    ]

    def __init__(self, complaint_id: int):
        super().__init__()
        self.complaint_id = complaint_id
        self.record = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(t("complaints.loading"), id="complaint-head")
            yield Countdown(None, id="complaint-due")
            with VerticalScroll():
                yield Static("", id="complaint-body")
            yield Static(t("complaints.record_keys"), id="complaint-keys")

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        from deskapp.services.complaint_queries import complaint_record

        desk, cid, now = self.app.desk, self.complaint_id, self.app.clock.now()
        call_service(self, lambda: complaint_record(desk, cid, now=now), done=self._show, group="complaint-record")

    # ---- showing ------------------------------------------------------------

    def _show(self, record) -> None:
        self.record = record
        desk = self.app.desk
        local = lambda instant: f"{instant.astimezone(desk.tz):%m-%d %H:%M}" if instant else ""  # noqa: E731
        head = Text.assemble((record.number, "bold"), "  ", (label("severity", record.severity), "bold"), "  ",
                             label("complaint_status", record.status), "  ",
                             t("complaints.received", at=local(record.received_at)), "  ",
                             t("col.owner"), ":", literal(record.owner))
        self.query_one("#complaint-head", Static).update(head)
        due = self.query_one("#complaint-due", Countdown)
        due.label = label("clock", record.next_clock) if record.next_clock else ""
        due.since = record.received_at
        due.deadline = record.next_due_by
        self.query_one("#complaint-body", Static).update(self._body(record, local))

    def _body(self, r, local) -> Text:
        def line(key: str, value: str) -> list:
            return [(f"{t(key)}：", "bold"), literal(value or "", one_line=False), "\n"]

        parts: list = [*line("field.customer_name", r.customer_name), *line("field.phone", r.phone),
                       *line("field.unit", r.unit_code)]
        if r.call_number:
            parts += line("complaints.from_call", r.call_number)
        parts += [*line("field.description", r.description), *line("field.customer_request", r.customer_request)]
        if r.subject or r.place:
            parts += [*line("field.subject", r.subject), *line("field.place", r.place)]
        facts = [t("complaints.fact_loss", amount=format_yuan(r.loss)), t("complaints.fact_people", n=r.complainants)]
        if r.times_raised:
            facts.append(t("complaints.fact_raised", n=r.times_raised))
        if r.injury != "none":
            facts.append(label("injury", r.injury))
        if r.deaths:
            facts.append(t("complaints.fact_deaths", n=r.deaths))
        if r.media_days or r.media_outlets:
            facts.append(t("complaints.fact_media", days=r.media_days, outlets=r.media_outlets))
        parts += [(f"{t('complaints.facts')}：", "bold"), "  ".join(facts), "\n"]
        rules = [explain_rule(x) for x in (r.severity_rules or "").split(",") if x]
        parts += [(f"{t('complaints.why')}：", "bold"), "；".join(rules) or t("rule.none"), "\n"]
        if r.department or r.signed_for_by:
            parts += line("complaints.signed", f"{r.department} {r.signed_for_by}".strip())
        if r.result:
            parts += line("field.result", r.result)
        # the clocks, with who met each and when (the step taken at that instant)
        who = {s.at: s.staff for s in r.steps}
        parts.append(Text("\n" + t("complaints.clocks") + "\n", style="bold"))
        for clock in r.clocks:
            done = ""
            if clock.done_at is not None:
                done = f"{local(clock.done_at)} {who.get(clock.done_at, '')}".strip()
            parts += [fit(label("clock", clock.name), 12), f" {local(clock.due)}  ",
                      (label("clock_state", clock.state.value), _STATE_STYLE[clock.state]), "  ", literal(done), "\n"]
        parts.append(Text("\n" + t("complaints.timeline") + "\n", style="bold"))
        for step in r.steps:
            extra = " ".join(str(v) for k, v in step.detail.items() if k in ("department", "signed_by", "call", "visit",
                                                                                "from", "to", "approved_by"))
            parts += [f"{local(step.at)} ", literal(step.staff), "  ", (label("step", step.step), "bold")]
            if extra:
                parts += ["  ", literal(extra)]
            if step.note:
                parts += ["  ", literal(step.note, one_line=False)]
            parts.append("\n")
        return Text.assemble(*parts)

    # ---- steps ----------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_step(self, which: str) -> None:
        if self.record is None:
            return
        from deskapp.services import complaints as svc

        desk, actor, clock = self.app.desk, self.app.actor, self.app.clock
        cid, version = self.record.id, self.record.version

        def run(fn, **kw) -> Callable[[dict[str, Any]], Any]:
            return lambda values: fn(desk, actor, cid, version=version, now=clock.now(), **kw, **values)

        note = lambda name, key, required=False: [TextField(name, t(key), required=required)]  # noqa: E731
        forms = {
            "forward": (t("key.forward"), lambda: [
                PickerField("department_id", t("field.department"), source=department_choices,
                            placeholder=t("complaints.desk_itself")),
                TextField("signed_by", t("field.signed_by"), max_chars=40, counter=False)], run(svc.forward)),
            "report": (t("key.report"), lambda: [TextField("to", t("field.reported_to"), max_chars=40,
                                                           counter=False)], run(svc.report_upward)),
            "start": (t("key.start_work"), lambda: note("note", "field.note"), run(svc.start_work)),
            "contact": (t("key.contact"), lambda: note("note", "field.note", True), run(svc.log_contact)),
            "result": (t("key.give_result"), lambda: note("result", "field.result", True), run(svc.give_result)),
            "close": (t("key.close_complaint"), lambda: note("note", "field.note"), run(svc.close_complaint)),
            "reopen": (t("key.reopen"), lambda: note("reason", "field.reason", True), run(svc.reopen)),
            "mishandled": (t("key.mishandled"), lambda: note("reason", "field.reason", True),
                           run(svc.mark_mishandled)),
        }
        if which == "await_visit":
            call_service(self, lambda: svc.await_visit(desk, actor, cid, version=version, now=clock.now()),
                         done=self._stepped, failed=self._refused, group="complaint-step")
            return
        title, make_fields, saver = forms[which]
        self.app.push_screen(StepForm(f"{self.record.number} {title}", make_fields, saver), self._stepped)

    def _stepped(self, result) -> None:
        if result is not None:
            self.notify(t("complaints.stepped", number=result.number,
                          status=label("complaint_status", result.status)))
        self.load()

    def _refused(self, message: str) -> None:
        self.notify(message, severity="error", timeout=10)
        self.load()
