"""Return-visit queues (回访, F5): what is due, for the person signed in or for everyone.

Grouped by due (overdue, today, the next working day, later) with a live
countdown to the end of the due day; Enter opens the visit form, F9 records a
call nobody answered (counted, the next try planned). Visits are planned by
the rules when work is completed, never typed in here.

Declarations on the kit: the columns and the row source below, a
RegisterList, and the WorkScreen base.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from deskapp.i18n import label, t
from deskapp.widgets.register_list import Column, RegisterList, countdown_column, heading_line
from deskapp.widgets.safe_text import literal
from deskapp.widgets.work_screen import WorkScreen


class VisitSource:
    """Visits still due, soonest first; each row told its group for the site's today."""

    def __init__(self, desk, mine, now):
        self.desk = desk
        self.mine = mine  # an Actor: their queue; None: everyone's
        self.now = now  # the app's clock

    def count(self) -> int:
        from deskapp.services.visit_queries import count_queue

        return count_queue(self.desk, self.mine)

    def page(self, start: int, total: int, after_key):
        from deskapp.core.visit_rules import due_group, due_warning
        from deskapp.services.visit_queries import fetch_queue
        from deskapp.services.visits import work_calendar

        rows = fetch_queue(self.desk, self.mine, after=after_key, offset=0 if after_key is not None else start)
        today = self.desk.local(self.now()).date()
        cal = work_calendar(self.desk)
        return [replace(r, group=due_group(r.due_on, today, cal),
                        due_warning=due_warning(r.due_warning, r.due_on, cal) if r.due_warning else "")
                for r in rows]


def _attempts(row) -> str:
    return t("visits.attempts_short", n=row.attempts) if row.attempts else ""


COLUMNS = [
    countdown_column("col.visit_due", 12, due=lambda r: r.due_by, since=lambda r: r.completed_at,
                     running=lambda r: r.status == "due", label=lambda r: label("due_group_short", r.group)),
    Column("col.visit_kind", 4, lambda r, s: label("visit_kind_short", r.kind)),
    Column("col.unit", 13, lambda r, s: r.unit_code),
    Column("col.customer", 6, lambda r, s: r.customer_name),
    Column("col.phone", 12, lambda r, s: r.phone),
    Column("col.tries", 4, lambda r, s: _attempts(r)),
    Column("col.next_try", 11, lambda r, s: s.local(r.next_attempt_at), min_total=100),
    Column("col.source", 0, lambda r, s: r.source_number),
]


class VisitQueueScreen(WorkScreen):
    DEFAULT_CSS = """
    VisitQueueScreen #visit-view { height: 1; background: $boost; }
    VisitQueueScreen #visit-heading { height: 1; color: $text-muted; }
    VisitQueueScreen #visit-detail { height: 3; border-top: solid $primary 40%; }
    """
    BINDINGS = [
        Binding("f8", "toggle_view", t("key.visits_all"), tooltip=t("tip.visits_all"), id="visits_view"),
        Binding("f9", "no_answer", t("key.no_answer"), tooltip=t("tip.no_answer"), id="visits_no_answer"),
        Binding("f10", "analysis", t("key.analysis"), tooltip=t("tip.analysis"), id="visits_analysis"),
    ]

    def __init__(self):
        super().__init__(name="visits")
        self.everyone = False  # F8: everyone's queue instead of mine
        self.highlighted = None
        self._followups_planned = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="visit-view", markup=False)
        yield Static("", id="visit-heading", markup=False)
        yield RegisterList(COLUMNS, id="visits")
        yield Static("", id="visit-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "actor", lambda _actor: self._bind(), init=False)
        self._bind()
        self._plan_followups()
        self.query_one(RegisterList).focus()

    def _plan_followups(self) -> None:
        """Work unfinished past the policy's days joins the queue as in-person follow-ups."""
        from deskapp.services.visits import plan_followups

        desk, app = self.app.desk, self.app
        actor_id = app.actor.id if app.actor else None
        self.run_service(lambda: plan_followups(desk, now=app.clock.now(), actor_id=actor_id),
                         done=lambda planned: planned and self.refresh_data(), group="visit-followups")

    def _bind(self) -> None:
        mine = None if self.everyone else self.app.actor
        self._show_view()
        self.query_one(RegisterList).bind_source(VisitSource(self.app.desk, mine, self.app.clock.now))

    def _show_view(self, total: int | None = None) -> None:
        actor = self.app.actor
        who = t("visits.everyone") if self.everyone or actor is None else t("visits.mine", name=actor.name)
        bits = [who, t("visits.groups")]
        if total is not None:
            bits.append(t("visits.count", count=f"{total:,}"))
        bits.append(t("visits.view_key") if not self.everyone else t("visits.mine_key"))
        self.query_one("#visit-view", Static).update("  ".join(bits))

    def on_resize(self) -> None:
        self._heading()

    def _heading(self) -> None:
        width = self.query_one(RegisterList).size.width or self.size.width
        self.query_one("#visit-heading", Static).update(heading_line(COLUMNS, width))

    @on(RegisterList.Counted)
    def _counted(self, event: RegisterList.Counted) -> None:
        self._show_view(event.total)
        self._heading()
        if event.total == 0:
            self.highlighted = None
            self.query_one("#visit-detail", Static).update(t("visits.empty"))

    @on(RegisterList.Highlighted)
    def _highlighted(self, event: RegisterList.Highlighted) -> None:
        self.highlighted = row = event.row
        self.query_one("#visit-detail", Static).update(visit_summary(row, self.app.desk.tz))

    @on(RegisterList.Chosen)
    def _chosen(self, event: RegisterList.Chosen) -> None:
        from screens.visit_form import VisitFormScreen

        self.app.push_screen(VisitFormScreen(event.row), self._recorded)

    def _recorded(self, outcome) -> None:
        if outcome is None:
            return
        self.notify(t("visits.saved", number=outcome.number, satisfaction=label("satisfaction", outcome.satisfaction)))
        if outcome.raised_complaint_number:
            key = "visits.reopened" if outcome.reopened else "visits.raised"
            self.notify(t(key, number=outcome.raised_complaint_number), severity="warning", timeout=10)
        self.query_one(RegisterList).reload(keep_cursor=True)

    def action_toggle_view(self) -> None:
        self.everyone = not self.everyone
        self._bind()
        self.query_one(RegisterList).focus()

    def action_analysis(self) -> None:
        from screens.visit_analysis import VisitAnalysisScreen

        self.app.push_screen(VisitAnalysisScreen(self.app.desk.local(self.app.clock.now()).date()))

    def action_no_answer(self) -> None:
        from deskapp.services.visits import record_attempt

        row = self.highlighted
        if row is None:
            return
        desk, app = self.app.desk, self.app
        actor, visit_id = app.actor, row.id

        def done(outcome) -> None:
            when = outcome.next_attempt_at.astimezone(desk.tz)
            self.notify(t("visits.no_answer_saved", number=outcome.number, n=outcome.attempts, at=f"{when:%m-%d %H:%M}"))
            self.query_one(RegisterList).reload(keep_cursor=True)

        self.run_service(lambda: record_attempt(desk, actor, visit_id, now=app.clock.now()), done=done,
                         failed=lambda message: self.notify(message, severity="error"), group="visit-attempt")


def visit_summary(row, tz) -> Text:
    """The highlighted visit in full: numbers, customer, when the work was done, tries, calendar warning."""
    parts = [(row.number, "bold"), "  ", label("visit_kind", row.kind)]
    if row.stage:
        parts += ["·", label("visit_stage", row.stage)]
    parts += ["  ", literal(row.source_number), "  ", t("visits.due_on", date=row.due_on.isoformat()),
              "  ", t("visits.for_role", who=label("role", row.assigned_role) if not row.assigned_to
                      else row.assigned_to), "\n",
              literal(row.customer_name), " ", literal(row.phone), " ", literal(row.unit_code)]
    if row.completed_at is not None:
        parts += ["  ", t("visits.done_at", at=f"{row.completed_at.astimezone(tz):%m-%d %H:%M}")]
    if row.attempts:
        parts += ["  ", t("visits.tries", n=row.attempts)]
        if row.next_attempt_at is not None:
            parts += [t("visits.next_try", at=f"{row.next_attempt_at.astimezone(tz):%m-%d %H:%M}")]
    text = Text.assemble(*parts)
    if row.due_warning:
        text.append("\n")
        text.append(t("visits.calendar_short"), style="bold yellow")
    return text
