"""Return visits (回访): planned by the rules when work is completed, then worked.

docs/rules.md §2.4. Nobody creates a visit by hand: the complaint and slip
services call :func:`visit_due_for` inside their own completing transaction,
and completions without a record of their own here (a community activity, a
contracted special service at mid-term or end, another service) come through
:func:`report_completed`. Each completion is weighed once (completed_matter):
sampled or not, and if sampled a numbered visit, due in working days, for the
role the rules name.

Working a visit: :func:`record_attempt` (no answer: counted, next try
planned), :func:`record_visit` (method, the five points, score 1-5, customer
confirmed; an unsatisfactory score reopens the complaint or raises a new one,
reported to the GM, linked both ways), :func:`review_visit` (supervisor's
remark). :func:`plan_followups` puts work still unfinished after
``return_visit.followup_days`` on the queue as an in-person follow-up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from deskapp.core.deadlines import complaint_deadlines, end_of_local_day
from deskapp.core.severity import Severity
from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.core.visit_rules import (FOLLOWUP, METHODS, STAGES, VISIT_KINDS, is_unsatisfied, kind_for_complaint,
                                      may_visit, sampled, satisfaction_label, visit_due, visitor_role)
from deskapp.core.workdays import CALENDAR_FILE, WorkCalendar
from deskapp.errors import InputError, NotAllowed, NotFound
from deskapp.i18n import label, t
from deskapp.services import audit
from deskapp.services.complaints import changed_elsewhere
from deskapp.services.desk import Desk, utcnow
from deskapp.services.numbering import next_number
from deskapp.services.roles import Actor, require
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import Complaint, CompletedMatter, DispatchSlip, ReturnVisit

_VISIT = ReturnVisit.__table__
_MATTER = CompletedMatter.__table__
_COMPLAINT = Complaint.__table__
_SLIP = DispatchSlip.__table__

# Complaint states a follow-up does not chase, and the state an unsatisfied customer's
# complaint returns to. The complaints service owns the lifecycle; these follow its codes.
_COMPLAINT_FINISHED = ("done", "closed", "void", "awaiting_visit", "result_given")
_COMPLAINT_REOPENED = "in_progress"
_SLIP_FINISHED = ("completed", "signed", "closed", "refused", "done")


# ------------------------------------------------------------------ calendar


_CALENDARS: dict[tuple[Path, Path], tuple[tuple, WorkCalendar]] = {}
_CAL_LOCK = threading.Lock()


def _stamp(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def work_calendar(desk: Desk) -> WorkCalendar:
    """The shipped calendar plus the site's own entries, read again when either file changes
    (``deskapp calendar`` in another terminal)."""
    from deskapp.services.site_calendar import site_calendar_file

    shipped, site = Path(desk.data_dir) / CALENDAR_FILE, site_calendar_file()
    stamp = (_stamp(shipped), _stamp(site))
    with _CAL_LOCK:
        cached = _CALENDARS.get((shipped, site))
        if cached is not None and cached[0] == stamp:
            return cached[1]
    cal = WorkCalendar.load_site(desk.data_dir, site)
    with _CAL_LOCK:
        _CALENDARS[(shipped, site)] = (stamp, cal)
    return cal


# ------------------------------------------------------------------ planning


@dataclass(frozen=True)
class MatterDone:
    """A completed matter, as its own register knows it.

    ``number`` is the record's own number (投诉-2026-000012, 派工-..., an
    activity's reference): the sample is drawn from it. ``share_percent``: for
    "other", the share the property manager set (None: the policy's, else all).
    """

    kind: str
    number: str
    completed_at: datetime | None
    unit_code: str = ""
    phone: str = ""
    customer_name: str = ""
    complaint_id: int | None = None
    slip_id: int | None = None
    stage: str = ""
    share_percent: int | None = None


@dataclass(frozen=True)
class PlannedVisit:
    """What the rules decided for one completion; ``id``/``number`` None when not sampled."""

    kind: str
    source_number: str
    sampled: bool
    id: int | None = None
    number: str | None = None
    due_on: date | None = None
    due_by: datetime | None = None
    assigned_role: str | None = None
    warning: str | None = None


def check_matter(matter: MatterDone) -> MatterDone:
    """Refuse what cannot be planned (InputError; nothing written)."""
    if matter.kind not in VISIT_KINDS:
        raise InputError("err.bad_choice", field=t("field.visit_kind"), value=matter.kind)
    number = clean_text(matter.number, "source_number", limit=40, required=True, multiline=False)
    if matter.completed_at is None:
        raise InputError("visit.not_completed", number=number)
    if matter.completed_at.tzinfo is None:
        raise ValueError("MatterDone.completed_at must be timezone-aware")
    if matter.kind == "special" and matter.stage not in STAGES:
        raise InputError("visit.stage_required", number=number)
    if matter.kind != "special" and matter.stage:
        raise InputError("visit.stage_only_special")
    if matter.share_percent is not None and not 0 <= matter.share_percent <= 100:
        raise InputError("visit.bad_share", value=matter.share_percent)
    return MatterDone(
        kind=matter.kind, number=number, completed_at=matter.completed_at,
        unit_code=normalize_unit(matter.unit_code), phone=normalize_phone(matter.phone),
        customer_name=clean_text(matter.customer_name, "caller_name", limit=40, multiline=False),
        complaint_id=matter.complaint_id, slip_id=matter.slip_id, stage=matter.stage,
        share_percent=matter.share_percent)


def visit_due_for(session: Session, desk: Desk, matter: MatterDone, *, actor_id: int | None,
                  now: datetime) -> PlannedVisit:
    """Weigh one completion inside the caller's write transaction (the one entry point).

    The complaint and slip services call this in the transaction that completes
    their record, so the visit exists exactly when the completion does. The
    same completion reported again returns what was decided the first time.
    """
    matter = check_matter(matter)
    conn = session.connection()
    seen = conn.execute(
        select(_MATTER.c.sampled, _MATTER.c.visit_id).where(
            _MATTER.c.kind == matter.kind, _MATTER.c.source_number == matter.number,
            _MATTER.c.stage == matter.stage, _MATTER.c.completed_at == matter.completed_at)).first()
    if seen is not None:
        return _planned_again(conn, desk, matter, seen.sampled, seen.visit_id)
    rules = desk.policy.return_visit
    share = matter.share_percent if matter.kind == "other" and matter.share_percent is not None \
        else rules.rule(matter.kind).share_percent
    chosen = sampled(matter.number, share)
    visit_id = None
    planned = PlannedVisit(matter.kind, matter.number, chosen)
    if chosen:
        due = visit_due(matter.kind, matter.completed_at, rules, work_calendar(desk), desk.tz)
        role = visitor_role(matter.kind)
        number, _ = next_number(session, "visit", desk.local(now).year)
        visit_id = conn.execute(insert(_VISIT).returning(_VISIT.c.id), {
            "number": number, "kind": matter.kind, "complaint_id": matter.complaint_id, "slip_id": matter.slip_id,
            "unit_code": matter.unit_code, "phone": matter.phone, "customer_name": matter.customer_name,
            "source_number": matter.number, "stage": matter.stage, "completed_at": matter.completed_at,
            "due_on": due.due_on, "due_by": due.due_by,
            # the years counted without their official make-up days; worded when shown, in that language
            "due_warning": ",".join(str(y) for y in due.unknown_years),
            "assigned_role": role, "status": "due",
        }).scalar_one()
        planned = PlannedVisit(matter.kind, matter.number, True, visit_id, number, due.due_on, due.due_by, role,
                               due.warning)
        audit.record(session, at=now, actor_id=actor_id, action="visit.plan", entity="return_visit",
                     entity_id=visit_id, detail={"number": number, "kind": matter.kind, "source": matter.number,
                                                 "due_on": due.due_on.isoformat(), "role": role})
    conn.execute(insert(_MATTER), {"kind": matter.kind, "source_number": matter.number, "stage": matter.stage,
                                   "completed_at": matter.completed_at, "sampled": chosen, "visit_id": visit_id})
    return planned


def _planned_again(conn, desk: Desk, matter: MatterDone, chosen: bool, visit_id: int | None) -> PlannedVisit:
    if visit_id is None:
        return PlannedVisit(matter.kind, matter.number, chosen)
    row = conn.execute(select(_VISIT.c.number, _VISIT.c.due_on, _VISIT.c.due_by, _VISIT.c.assigned_role,
                              _VISIT.c.due_warning).where(_VISIT.c.id == visit_id)).one()
    from deskapp.core.visit_rules import due_warning

    return PlannedVisit(matter.kind, matter.number, chosen, visit_id, row.number, row.due_on, row.due_by,
                        row.assigned_role, due_warning(row.due_warning, row.due_on, work_calendar(desk)) or None)


def complaint_completed(session: Session, desk: Desk, complaint_id: int, *, actor_id: int | None,
                        now: datetime) -> PlannedVisit:
    """For the complaint service: its complaint ``complaint_id`` was completed in ``session``."""
    row = session.connection().execute(
        select(_COMPLAINT.c.number, _COMPLAINT.c.severity, _COMPLAINT.c.completed_at, _COMPLAINT.c.unit_code,
               _COMPLAINT.c.phone, _COMPLAINT.c.customer_name).where(_COMPLAINT.c.id == complaint_id)).first()
    if row is None:
        raise NotFound("visit.no_such_record", id=complaint_id)
    return visit_due_for(session, desk, MatterDone(
        kind=kind_for_complaint(row.severity), number=row.number, completed_at=row.completed_at,
        unit_code=row.unit_code, phone=row.phone, customer_name=row.customer_name, complaint_id=complaint_id),
        actor_id=actor_id, now=now)


def slip_completed(session: Session, desk: Desk, slip_id: int, *, actor_id: int | None,
                   now: datetime) -> PlannedVisit:
    """For the slip service: its slip ``slip_id`` was completed (work done) in ``session``."""
    row = session.connection().execute(
        select(_SLIP.c.number, _SLIP.c.completed_at, _SLIP.c.unit_code, _SLIP.c.phone, _SLIP.c.customer_name)
        .where(_SLIP.c.id == slip_id)).first()
    if row is None:
        raise NotFound("visit.no_such_record", id=slip_id)
    return visit_due_for(session, desk, MatterDone(
        kind="repair", number=row.number, completed_at=row.completed_at, unit_code=row.unit_code,
        phone=row.phone, customer_name=row.customer_name, slip_id=slip_id), actor_id=actor_id, now=now)


def report_completed(desk: Desk, actor: Actor, matter: MatterDone, *, now: datetime | None = None) -> PlannedVisit:
    """A completion with no register of its own here (activity, special service, other), reported at the desk."""
    now = now or utcnow()
    if matter.kind in ("complaint", "major", "repair"):
        # those come from their own records, never typed in
        raise InputError("visit.from_its_record", kind=label("visit_kind", matter.kind))
    if matter.completed_at is not None and matter.completed_at > now + timedelta(minutes=1):
        raise InputError("err.future_time")
    with write_session(desk.engine) as session:
        return visit_due_for(session, desk, matter, actor_id=actor.id, now=now)


# ------------------------------------------------------------------ working a visit


@dataclass(frozen=True)
class VisitReport:
    """What the visitor writes on the visit record (维修回访登记表)."""

    method: str = "phone"
    quality: str = ""
    effect: str = ""
    score: int | str | None = None
    shortcomings: str = ""
    suggestions: str = ""
    customer_confirmed: bool = False


@dataclass(frozen=True)
class VisitOutcome:
    id: int
    number: str
    status: str
    attempts: int
    next_attempt_at: datetime | None = None
    satisfaction: str = ""
    raised_complaint_id: int | None = None
    raised_complaint_number: str | None = None
    reopened: bool = False


def _visit(conn, visit_id: int):
    row = conn.execute(select(_VISIT).where(_VISIT.c.id == visit_id)).first()
    if row is None:
        raise NotFound("visit.no_such_visit", id=visit_id)
    return row


def _may_work(actor: Actor, visit) -> None:
    if visit.assigned_to_id is not None and visit.assigned_to_id == actor.id:
        return
    if not may_visit(actor.role, visit.kind):
        raise NotAllowed("visit.not_yours", role=actor.role_label, who=label("role", visit.assigned_role))


def _still_due(visit) -> None:
    if visit.status != "due":
        raise InputError("visit.already_recorded", number=visit.number)


def score_of(value: int | str | None) -> int:
    """A satisfaction score 1-5 from what was typed; anything else refused."""
    if isinstance(value, bool):
        raise InputError("visit.bad_score", value=value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise InputError("err.required", field=t("field.satisfaction"))
        if not (text.isascii() and text.isdigit()):
            raise InputError("visit.bad_score", value=text)
        value = int(text)
    if not isinstance(value, int) or not 1 <= value <= 5:
        raise InputError("visit.bad_score", value=value)
    return value


def record_attempt(desk: Desk, actor: Actor, visit_id: int, *, now: datetime | None = None,
                   retry_at: datetime | None = None) -> VisitOutcome:
    """The customer did not answer: the try is counted and the next one planned."""
    now = now or utcnow()
    if retry_at is not None and retry_at <= now:
        raise InputError("visit.retry_in_past")
    next_at = retry_at or now + timedelta(minutes=desk.policy.return_visit.retry_minutes)
    with write_session(desk.engine) as session:
        conn = session.connection()
        visit = _visit(conn, visit_id)
        _may_work(actor, visit)
        _still_due(visit)
        attempts = visit.attempts + 1
        conn.execute(update(_VISIT).where(_VISIT.c.id == visit_id).values(
            attempts=attempts, last_attempt_at=now, next_attempt_at=next_at))
        audit.record(session, at=now, actor_id=actor.id, action="visit.no_answer", entity="return_visit",
                     entity_id=visit_id, detail={"number": visit.number, "attempts": attempts,
                                                 "next_attempt_at": next_at.isoformat()})
    return VisitOutcome(visit_id, visit.number, "due", attempts, next_at)


def check_report(desk: Desk, report: VisitReport) -> VisitReport:
    if report.method not in METHODS:
        raise InputError("err.bad_choice", field=t("field.visit_method"), value=report.method)
    limit = desk.policy.content_max_chars
    return VisitReport(
        method=report.method,
        quality=clean_text(report.quality, "visit_quality", limit=200),
        effect=clean_text(report.effect, "visit_effect", limit=200),
        score=score_of(report.score),
        shortcomings=clean_text(report.shortcomings, "visit_shortcomings", limit=limit),
        suggestions=clean_text(report.suggestions, "visit_suggestions", limit=limit),
        customer_confirmed=bool(report.customer_confirmed),
    )


def record_visit(desk: Desk, actor: Actor, visit_id: int, report: VisitReport, *,
                 now: datetime | None = None) -> VisitOutcome:
    """The customer was reached and answered: the record is written, once.

    An unsatisfactory score (``return_visit.unsatisfied_at_most``) sends the
    matter back as a complaint handled again and reported to the GM: the
    visited complaint is reopened, or a new complaint is raised for a repair or
    service; the visit and that complaint point at each other.
    """
    now = now or utcnow()
    report = check_report(desk, report)
    rules = desk.policy.return_visit
    with write_session(desk.engine) as session:
        conn = session.connection()
        visit = _visit(conn, visit_id)
        _may_work(actor, visit)
        _still_due(visit)
        attempts = visit.attempts + 1
        satisfaction = satisfaction_label(report.score, rules)
        values = dict(attempts=attempts, last_attempt_at=now, next_attempt_at=None, visited_at=now,
                      visitor_id=actor.id, method=report.method, quality=report.quality, effect=report.effect,
                      score=report.score, satisfaction=satisfaction, shortcomings=report.shortcomings,
                      suggestions=report.suggestions, customer_confirmed=report.customer_confirmed, status="done")
        raised_id = raised_number = None
        reopened = False
        if is_unsatisfied(report.score, rules):
            raised_id, raised_number, reopened = _handle_again(session, desk, actor, visit, report, now)
            values["raised_complaint_id"] = raised_id
        conn.execute(update(_VISIT).where(_VISIT.c.id == visit_id).values(**values))
        audit.record(session, at=now, actor_id=actor.id, action="visit.record", entity="return_visit",
                     entity_id=visit_id, detail={"number": visit.number, "score": report.score,
                                                 "method": report.method, "confirmed": report.customer_confirmed,
                                                 "raised_complaint": raised_number})
    return VisitOutcome(visit_id, visit.number, "done", attempts, None, satisfaction, raised_id, raised_number,
                        reopened)


def _handle_again(session: Session, desk: Desk, actor: Actor, visit, report: VisitReport,
                  now: datetime) -> tuple[int, str, bool]:
    conn = session.connection()
    what = report.shortcomings or report.effect or report.quality
    if visit.complaint_id is not None:
        row = conn.execute(select(_COMPLAINT.c.number, _COMPLAINT.c.report_by)
                           .where(_COMPLAINT.c.id == visit.complaint_id)).one()
        conn.execute(update(_COMPLAINT).where(_COMPLAINT.c.id == visit.complaint_id).values(
            status=_COMPLAINT_REOPENED, from_visit_id=visit.id, completed_at=None,
            # reported to the GM the same day (docs/rules.md §2.4)
            report_by=end_of_local_day(now, desk.tz), reported_at=None))
        audit.record(session, at=now, actor_id=actor.id, action="complaint.reopen", entity="complaint",
                     entity_id=visit.complaint_id, detail={"number": row.number, "visit": visit.number,
                                                           "score": report.score, "report_to": "gm"})
        changed_elsewhere(session, desk, visit.complaint_id, actor_id=actor.id, step="reopened", now=now,
                          note=what, detail={"visit": visit.number})
        return visit.complaint_id, row.number, True
    deadlines = complaint_deadlines(Severity.ORDINARY, now, desk.policy.complaint, tz=desk.tz)
    number, _ = next_number(session, "complaint", desk.local(now).year)
    complaint_id = conn.execute(insert(_COMPLAINT).returning(_COMPLAINT.c.id), {
        "number": number, "received_at": now, "channel": "visit" if report.method == "in_person" else "phone",
        "customer_name": visit.customer_name, "phone": visit.phone, "unit_code": visit.unit_code,
        "description": what, "customer_request": report.suggestions, "owner_id": actor.id,
        "severity": "ordinary", "severity_rules": "rule.none", "respond_by": deadlines.respond_by,
        "forward_by": deadlines.forward_by, "report_by": end_of_local_day(now, desk.tz),
        "reply_by": deadlines.reply_by, "followup_by": deadlines.followup_by, "complete_by": deadlines.complete_by,
        "complete_by_source": deadlines.complete_source, "from_visit_id": visit.id,
    }).scalar_one()
    audit.record(session, at=now, actor_id=actor.id, action="complaint.from_visit", entity="complaint",
                 entity_id=complaint_id, detail={"number": number, "visit": visit.number,
                                                 "source": visit.source_number, "score": report.score,
                                                 "report_to": "gm"})
    changed_elsewhere(session, desk, complaint_id, actor_id=actor.id, step="registered", now=now, note=what,
                      detail={"visit": visit.number})
    return complaint_id, number, False


def review_visit(desk: Desk, actor: Actor, visit_id: int, remark: str, *, now: datetime | None = None) -> VisitOutcome:
    """The CS supervisor reviews a finished visit record and adds a remark."""
    now = now or utcnow()
    require(actor, t("visit.action_review"), "supervisor")
    remark = clean_text(remark, "visit_remark", limit=desk.policy.content_max_chars, required=True)
    with write_session(desk.engine) as session:
        conn = session.connection()
        visit = _visit(conn, visit_id)
        if visit.status == "due":
            raise InputError("visit.review_not_done", number=visit.number)
        if visit.status == "reviewed":
            raise InputError("visit.already_reviewed", number=visit.number)
        conn.execute(update(_VISIT).where(_VISIT.c.id == visit_id).values(
            supervisor_remark=remark, reviewed_by_id=actor.id, reviewed_at=now, status="reviewed"))
        audit.record(session, at=now, actor_id=actor.id, action="visit.review", entity="return_visit",
                     entity_id=visit_id, detail={"number": visit.number})
    return VisitOutcome(visit_id, visit.number, "reviewed", visit.attempts, None, visit.satisfaction,
                        visit.raised_complaint_id)


# ------------------------------------------------------------------ follow-ups


def plan_followups(desk: Desk, *, now: datetime | None = None, actor_id: int | None = None) -> list[PlannedVisit]:
    """Work still unfinished ``return_visit.followup_days`` after its complaint or slip:
    an in-person follow-up, due today, once per record."""
    now = now or utcnow()
    cutoff = now - timedelta(days=desk.policy.return_visit.followup_days)
    planned: list[PlannedVisit] = []
    followed = select(_VISIT.c.id).where(_VISIT.c.kind == FOLLOWUP)
    complaints_due = (
        select(_COMPLAINT.c.id, _COMPLAINT.c.number, _COMPLAINT.c.unit_code, _COMPLAINT.c.phone,
               _COMPLAINT.c.customer_name)
        .where(_COMPLAINT.c.received_at <= cutoff, _COMPLAINT.c.status.not_in(_COMPLAINT_FINISHED),
               ~followed.where(_VISIT.c.complaint_id == _COMPLAINT.c.id).exists())
        .order_by(_COMPLAINT.c.id))
    slips_due = (
        select(_SLIP.c.id, _SLIP.c.number, _SLIP.c.unit_code, _SLIP.c.phone, _SLIP.c.customer_name)
        .where(_SLIP.c.created_at <= cutoff, _SLIP.c.completed_at.is_(None), _SLIP.c.status.not_in(_SLIP_FINISHED),
               ~followed.where(_VISIT.c.slip_id == _SLIP.c.id).exists())
        .order_by(_SLIP.c.id))
    # Looked for first without the write lock: the queue asks each time it opens, and
    # mostly nothing is due; a write transaction (and its fsync) for nothing would delay it.
    with read_session(desk.engine) as session:
        if session.execute(complaints_due.limit(1)).first() is None \
                and session.execute(slips_due.limit(1)).first() is None:
            return planned
    with write_session(desk.engine) as session:
        conn = session.connection()
        complaints = conn.execute(complaints_due).all()  # again, under the lock: another terminal may have
        slips = conn.execute(slips_due).all()  # planned them meanwhile
        due = visit_due(FOLLOWUP, now, desk.policy.return_visit, work_calendar(desk), desk.tz)
        for row, link in [(r, {"complaint_id": r.id}) for r in complaints] + [(r, {"slip_id": r.id}) for r in slips]:
            number, _ = next_number(session, "visit", desk.local(now).year)
            visit_id = conn.execute(insert(_VISIT).returning(_VISIT.c.id), {
                "number": number, "kind": FOLLOWUP, "unit_code": row.unit_code, "phone": row.phone,
                "customer_name": row.customer_name, "source_number": row.number, "completed_at": now,
                "due_on": due.due_on, "due_by": due.due_by, "assigned_role": visitor_role(FOLLOWUP),
                "method": "in_person", "status": "due", **link}).scalar_one()
            audit.record(session, at=now, actor_id=actor_id, action="visit.followup", entity="return_visit",
                         entity_id=visit_id, detail={"number": number, "source": row.number})
            planned.append(PlannedVisit(FOLLOWUP, row.number, True, visit_id, number, due.due_on, due.due_by,
                                        visitor_role(FOLLOWUP)))
    return planned


def count_due(desk: Desk) -> int:
    with read_session(desk.engine) as session:
        return session.execute(select(func.count()).select_from(_VISIT).where(_VISIT.c.status == "due")).scalar_one()


__all__ = [
    "MatterDone", "PlannedVisit", "VisitReport", "VisitOutcome", "visit_due_for", "complaint_completed",
    "slip_completed", "report_completed", "record_attempt", "record_visit", "review_visit", "plan_followups",
    "work_calendar", "score_of", "count_due",
]
