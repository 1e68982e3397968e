"""The complaint register (客户投诉登记表): intake, class, clocks and the lifecycle.

docs/rules.md §2.2. Intake records the facts and the class is *proposed* from
them (deskapp.core.severity.classify), naming every rule that fired; the
receptionist may raise it, lowering it takes a supervisor's PIN and a reason.
A 尤其重大 complaint needs the deadline agreed with the customer. Several
customers complaining about the same unhandled event count as times raised
(and as complainants): the new complaint names the first one of the event.

Lifecycle, every step a row of the timeline (complaint_step, append-only) with
who and when, and an audit event, in the same transaction as the change:

    registered → forwarded (and signed for) → in_progress → result_given
    → awaiting_visit → closed;  reopen: back to in_progress, history kept.

A contact with the customer (a phone call, a visit) is logged at any time
before closing; it answers the reply and follow-up clocks.

Two terminals: every change names the version it read; the row is updated
only if that is still its version (UPDATE ... WHERE version = :read), so the
second save is refused naming who changed it and when, never a silent
overwrite (SQLite serialises writers with BEGIN IMMEDIATE, PostgreSQL
re-checks the WHERE after the first writer commits).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import insert, or_, select, update
from sqlmodel import Session

from deskapp.core.codes import CHANNELS, COMPLAINED, OPEN_COMPLAINT_STATUSES
from deskapp.core.complaint_clocks import ComplaintTimes, clocks_of, close_by, next_clock
from deskapp.core.deadlines import complaint_deadlines
from deskapp.core.parse import MONEY_CAP, format_yuan, parse_yuan
from deskapp.core.policy import Phrase, RuleViolation
from deskapp.core.severity import INJURY_LEVELS, Classification, ComplaintFacts, FactRefused, Severity, classify
from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.errors import InputError, NotFound
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.numbering import next_number
from deskapp.services.roles import RANK, Actor, require
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import Call, Complaint, ComplaintStep, Department, Staff

_FUTURE_GRACE = timedelta(minutes=1)  # as for calls: terminals whose clocks disagree
_TABLE, _STEPS = Complaint.__table__, ComplaintStep.__table__
# Channels on which the customer is answered at once, in person or on the phone: the
# response clock is met at intake. A letter or a message needs its own response.
_ANSWERED_AT_INTAKE = ("phone", "visit")


@dataclass(frozen=True)
class ComplaintDraft:
    """What the receptionist typed at intake (投诉接待), as typed.

    Facts may come as typed text (the form's fields read them first) or as
    values; `severity` is the class chosen ("" or None: the proposed one);
    lowering it needs `supervisor` + `supervisor_pin` and a `reason`.
    `same_event` is the number of an earlier complaint about the same event.
    """

    channel: str = "phone"
    customer_name: str = ""
    phone: str = ""
    unit: str = ""
    occurred_at: datetime | None = None
    place: str = ""
    subject: str = ""
    description: str = ""
    customer_request: str = ""
    loss_yuan: Any = 0
    complainants: Any = 1
    deaths: Any = 0
    injury: str = "none"
    media_days: Any = 0
    media_outlets: Any = 0
    times_raised: Any = 0
    service_not_delivered: Any = False
    severity: str | None = None
    reason: str = ""
    supervisor: str = ""
    supervisor_pin: str = ""
    customer_deadline: datetime | None = None
    agreed_deadline: datetime | None = None
    call_id: int | None = None
    same_event: str = ""
    received_at: datetime | None = None


@dataclass(frozen=True)
class Registered:
    id: int
    number: str
    severity: str
    rules: tuple[str, ...]
    proposed: str
    next_clock: str
    next_due_by: datetime | None
    call_number: str | None
    version: int
    raised_with: tuple[str, ...] = ()  # numbers of earlier complaints of the same event raised with it


@dataclass(frozen=True)
class Changed:
    """What a lifecycle step left: the version to name in the next change, and the next clock."""

    id: int
    number: str
    status: str
    version: int
    next_clock: str
    next_due_by: datetime | None


class StaleComplaint(InputError):
    """Someone else changed the complaint since it was read: nothing was written."""


# ------------------------------------------------------------------ the facts


def _fact_count(name: str, value: Any, minimum: int = 0) -> int:
    """A whole number of something; typed text is read, anything else must be an int."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return minimum
        if not text.lstrip("+-").isdigit():
            raise FactRefused("fact.not_whole", name, value=value)
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactRefused("fact.not_whole", name, value=value)
    return value  # classify refuses a negative or too small one, naming the fact


def _fact_loss(value: Any) -> Decimal:
    if isinstance(value, str):
        return parse_yuan(value) or Decimal(0)  # 12,000 / 1.2万 read; -5, 1e30, abc refused
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise FactRefused("fact.not_a_number", "loss_yuan", value=value)
    if isinstance(value, Decimal) and not value.is_finite():
        raise FactRefused("fact.not_a_number", "loss_yuan", value=value)
    if value > MONEY_CAP:
        raise InputError("parse.money_cap", value=value, cap=format_yuan(MONEY_CAP))
    return Decimal(value)


def _fact_yes(value: Any) -> bool:
    if not isinstance(value, bool):  # "no" is a true string: never guessed
        raise FactRefused("fact.not_yes_no", "service_not_delivered", value=value)
    return value


def facts_of(draft: ComplaintDraft, *, raised_with: int = 0) -> ComplaintFacts:
    """The draft's facts, checked. `raised_with`: how many complaints about the same
    unhandled event came before this one; they count as times raised and as complainants."""
    if draft.injury not in INJURY_LEVELS:
        raise FactRefused("fact.bad_injury", "injury", value=draft.injury)
    complainants = _fact_count("complainants", draft.complainants, minimum=1)
    times_raised = _fact_count("times_raised_unhandled", draft.times_raised)
    if raised_with:
        complainants = max(complainants, raised_with + 1)
        times_raised = max(times_raised, raised_with + 1)
    return ComplaintFacts(
        loss_yuan=_fact_loss(draft.loss_yuan),
        complainants=complainants,
        deaths=_fact_count("deaths", draft.deaths),
        injury=draft.injury,
        media_days=_fact_count("media_days", draft.media_days),
        media_outlets=_fact_count("media_outlets", draft.media_outlets),
        times_raised_unhandled=times_raised,
        service_not_delivered=_fact_yes(draft.service_not_delivered),
    )


def propose(desk: Desk, draft: ComplaintDraft, *, raised_with: int = 0) -> Classification:
    """The class the facts give, with the rules that fired (no I/O: the form calls it as facts are typed)."""
    return classify(facts_of(draft, raised_with=raised_with), desk.policy.severity)


# ------------------------------------------------------------------ register


def _check_supervisor(desk: Desk, name: str, pin: str) -> Actor:
    """The supervisor who approves lowering the class, by name and PIN (never shown)."""
    from deskapp.services.staff import sign_in

    if not name.strip() or not pin:
        raise InputError("complaint.lower_needs_supervisor")
    try:
        approver = sign_in(desk, name=name, pin=pin)
    except InputError:
        raise InputError("complaint.lower_pin_wrong") from None
    if RANK.get(approver.role, -1) < RANK["supervisor"]:
        raise InputError("complaint.lower_needs_supervisor")
    return approver


def _chosen(desk: Desk, draft: ComplaintDraft, proposed: Classification) -> tuple[Severity, str, Actor | None]:
    """The class to store, the reason and who approved a lowering."""
    reason = clean_text(draft.reason, "reason", limit=desk.policy.content_max_chars)
    if not draft.severity:
        return proposed.severity, reason, None
    try:
        chosen = Severity.from_code(draft.severity)
    except ValueError:
        raise InputError("err.bad_choice", field=t("field.severity"), value=draft.severity) from None
    if chosen >= proposed.severity:
        return chosen, reason, None
    if not reason:
        raise InputError("complaint.lower_needs_reason", proposed=proposed.severity.label)
    return chosen, reason, _check_supervisor(desk, draft.supervisor, draft.supervisor_pin)


def _deadline(name: str, value: datetime | None, now: datetime) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")  # a bug in the caller
    if value <= now:
        raise RuleViolation("complaint.deadline_past", which=Phrase(f"deadline.{name}"))
    return value


def _times(row: dict) -> ComplaintTimes:
    return ComplaintTimes(**{f.name: row.get(f.name) for f in fields(ComplaintTimes)})


def _next(desk: Desk, row: dict, now: datetime) -> tuple[str, datetime | None]:
    if row.get("status") == "closed":
        return "", None
    clock = next_clock(clocks_of(_times(row), now, desk.tz))
    return (clock.name, clock.due) if clock is not None else ("", None)


def _deadline_columns(desk: Desk, severity: Severity, received_at: datetime, *, customer_deadline, agreed_deadline,
                      allow_undetermined: bool = False) -> dict:
    d = complaint_deadlines(severity, received_at, desk.policy.complaint, customer_deadline=customer_deadline,
                            agreed_deadline=agreed_deadline, tz=desk.tz, allow_undetermined=allow_undetermined)
    return {"respond_by": d.respond_by, "forward_by": d.forward_by, "report_by": d.report_by, "reply_by": d.reply_by,
            "followup_by": d.followup_by, "complete_by": d.complete_by, "complete_by_source": d.complete_source}


def _step(session: Session, complaint_id: int, *, at: datetime, actor: Actor, step: str, note: str = "",
          detail: dict | None = None) -> None:
    session.connection().execute(insert(_STEPS), {
        "complaint_id": complaint_id, "at": at, "staff_id": actor.id, "step": step, "note": note,
        "detail": json.dumps(detail or {}, ensure_ascii=False, default=str)})


def _event_root(session: Session, number: str) -> tuple[int, list[dict]]:
    """The first complaint of an event and its open complaints (the unhandled ones)."""
    found = session.execute(select(_TABLE.c.id, _TABLE.c.same_event_id).where(_TABLE.c.number == number)).first()
    if found is None:
        raise InputError("complaint.no_such_number", number=number)
    root = found.same_event_id or found.id
    rows = session.execute(select(_TABLE).where(
        or_(_TABLE.c.id == root, _TABLE.c.same_event_id == root),
        _TABLE.c.status.in_(OPEN_COMPLAINT_STATUSES))).mappings().all()
    return root, [dict(r) for r in rows]


def register_complaint(desk: Desk, actor: Actor, draft: ComplaintDraft, *, now: datetime | None = None) -> Registered:
    """Open a complaint; every check runs before anything is written (docs/rules.md §2.2)."""
    now = now or utcnow()
    limit = desk.policy.content_max_chars
    if draft.channel not in CHANNELS:
        raise InputError("err.bad_choice", field=t("field.channel"), value=draft.channel)
    name = clean_text(draft.customer_name, "customer_name", limit=40, multiline=False)
    phone = normalize_phone(draft.phone)
    unit_code = normalize_unit(draft.unit)
    description = clean_text(draft.description, "description", limit=limit, required=True)
    values = {
        "place": clean_text(draft.place, "place", limit=200, multiline=False),
        "subject": clean_text(draft.subject, "subject", limit=200, multiline=False),
        "customer_request": clean_text(draft.customer_request, "customer_request", limit=limit),
    }
    if not phone and not unit_code:
        # Every complaint is answered (reply within policy reply_days): a way to reach the customer is needed.
        raise InputError("complaint.no_contact")
    occurred_at = draft.occurred_at
    if occurred_at is not None and occurred_at > now + _FUTURE_GRACE:
        raise InputError("complaint.occurred_future")
    customer_deadline = _deadline("customer", draft.customer_deadline, now)
    agreed_deadline = _deadline("agreed", draft.agreed_deadline, now)
    same_event = (draft.same_event or "").strip()
    facts_of(draft)  # a wrong fact is refused before the database is touched (and the PIN checked)

    with write_session(desk.engine) as session:
        call_number, received_at = None, draft.received_at or now
        if draft.call_id is not None:
            call = session.execute(select(Call.number, Call.at, Call.status).where(Call.id == draft.call_id)).first()
            if call is None:
                raise NotFound("err.no_such_call", id=draft.call_id)
            if call.status != "awaiting_complaint":
                raise InputError("complaint.call_not_awaiting", number=call.number)
            call_number, received_at = call.number, draft.received_at or call.at
        if received_at > now + _FUTURE_GRACE:
            raise InputError("err.future_time")
        root, group = (None, [])
        if same_event:
            root, group = _event_root(session, same_event)
        proposed = classify(facts_of(draft, raised_with=len(group)), desk.policy.severity)
        severity, reason, approver = _chosen(desk, draft, proposed)
        rules = proposed.rules if severity == proposed.severity else ()
        clocks = _deadline_columns(desk, severity, received_at, customer_deadline=customer_deadline,
                                   agreed_deadline=agreed_deadline)
        facts = facts_of(draft, raised_with=len(group))
        number, _ = next_number(session, "complaint", desk.local(received_at).year)
        row = {
            "number": number, "received_at": received_at, "channel": draft.channel, "call_id": draft.call_id,
            "customer_name": name, "phone": phone, "unit_code": unit_code, "occurred_at": occurred_at,
            "description": description, "owner_id": actor.id, **values,
            "loss_yuan": facts.loss_yuan, "complainants": facts.complainants, "deaths": facts.deaths,
            "injury": facts.injury, "media_days": facts.media_days, "media_outlets": facts.media_outlets,
            "times_raised": facts.times_raised_unhandled, "service_not_delivered": facts.service_not_delivered,
            "severity": severity.code, "severity_rules": ",".join(rules), "customer_deadline": customer_deadline,
            **clocks, "responded_at": now if draft.channel in _ANSWERED_AT_INTAKE else None,
            "status": "registered", "version": 1, "same_event_id": root,
        }
        row["next_clock"], row["next_due_by"] = _next(desk, row, now)
        complaint_id = session.connection().execute(insert(_TABLE).returning(_TABLE.c.id), row).scalar_one()
        detail = {"number": number, "proposed": proposed.severity.code, "rules": list(proposed.rules),
                  "severity": severity.code}
        if severity != proposed.severity:
            detail["reason"] = reason
        if approver is not None:
            detail["approved_by"] = approver.name
        if call_number:
            detail["call"] = call_number
        if same_event:
            detail["same_event"] = same_event
        _step(session, complaint_id, at=now, actor=actor, step="registered", note=reason, detail=detail)
        audit.record(session, at=now, actor_id=actor.id, action="complaint.register", entity="complaint",
                     entity_id=complaint_id, detail=detail)
        if draft.call_id is not None:
            # The call has its record now: it leaves 待投诉 and its own countdown stops.
            done = session.execute(update(Call.__table__).where(Call.id == draft.call_id,
                                                                Call.status == "awaiting_complaint")
                                   .values(status=COMPLAINED)).rowcount
            if done != 1:  # another terminal followed it up in between: nothing of this is kept
                raise InputError("complaint.call_not_awaiting", number=call_number)
            audit.record(session, at=now, actor_id=actor.id, action="call.complained", entity="call",
                         entity_id=draft.call_id, detail={"call": call_number, "complaint": number})
        raised = _raise_event(desk, session, actor, group, severity, agreed_deadline, number, now)
    return Registered(complaint_id, number, severity.code, rules, proposed.severity.code, row["next_clock"],
                      row["next_due_by"], call_number, 1, raised)


def _raise_event(desk: Desk, session: Session, actor: Actor, group: list[dict], severity: Severity,
                 agreed_deadline: datetime | None, number: str, now: datetime) -> tuple[str, ...]:
    """The event's earlier open complaints rise to the class the event now has (their clocks from their
    own intake; a 尤其重大 one takes the deadline agreed for the event)."""
    raised = []
    for other in group:
        before = Severity.from_code(other["severity"])
        if before >= severity:
            continue
        columns = _deadline_columns(desk, severity, other["received_at"], customer_deadline=other["customer_deadline"],
                                    agreed_deadline=agreed_deadline, allow_undetermined=True)
        merged = {**other, **columns, "severity": severity.code}
        merged["next_clock"], merged["next_due_by"] = _next(desk, merged, now)
        changes = {**columns, "severity": severity.code, "next_clock": merged["next_clock"],
                   "next_due_by": merged["next_due_by"], "severity_rules": f"same_event:{number}"}
        session.execute(update(_TABLE).where(_TABLE.c.id == other["id"])
                        .values(**changes, version=_TABLE.c.version + 1))
        detail = {"from": before.code, "to": severity.code, "because": number}
        _step(session, other["id"], at=now, actor=actor, step="reclassed", detail=detail)
        audit.record(session, at=now, actor_id=actor.id, action="complaint.reclass", entity="complaint",
                     entity_id=other["id"], detail=detail)
        raised.append(other["number"])
    return tuple(raised)


# ------------------------------------------------------------------ lifecycle


def _stale(session: Session, complaint_id: int, number: str) -> StaleComplaint:
    last = session.execute(select(Staff.name, _STEPS.c.at).join(Staff, Staff.id == _STEPS.c.staff_id)
                           .where(_STEPS.c.complaint_id == complaint_id)
                           .order_by(_STEPS.c.id.desc()).limit(1)).first()
    who, at = (last.name, last.at) if last is not None else ("?", None)
    return StaleComplaint("complaint.changed_by", number=number, name=who,
                          at=f"{at:%H:%M:%S}" if at is not None else "")


def _change(desk: Desk, actor: Actor, complaint_id: int, *, version: int, now: datetime | None, step: str,
            change: Callable[[dict, datetime], dict], note: str = "", detail: Callable[[dict], dict] | None = None,
            after: Callable[[Session, dict, datetime], dict | None] | None = None) -> Changed:
    """One lifecycle step: read the row, refuse if it moved on since `version` was read,
    apply `change` (which raises before anything is written), store the next clock,
    the step and its audit event, all in one transaction."""
    now = now or utcnow()
    with write_session(desk.engine) as session:
        found = session.execute(select(_TABLE).where(_TABLE.c.id == complaint_id)).mappings().first()
        if found is None:
            raise NotFound("complaint.no_such", id=complaint_id)
        row = dict(found)
        if row["version"] != version:
            raise _stale(session, complaint_id, row["number"])
        changes = change(row, now)
        merged = {**row, **changes}
        changes["next_clock"], changes["next_due_by"] = _next(desk, merged, now)
        done = session.execute(update(_TABLE).where(_TABLE.c.id == complaint_id, _TABLE.c.version == version)
                               .values(**changes, version=version + 1)).rowcount
        if done != 1:
            raise _stale(session, complaint_id, row["number"])
        shown = {"number": row["number"], **(detail(merged) if detail else {})}
        _step(session, complaint_id, at=now, actor=actor, step=step, note=note, detail=shown)
        audit.record(session, at=now, actor_id=actor.id, action=f"complaint.{step}", entity="complaint",
                     entity_id=complaint_id, detail=shown)
        version += 1
        if after is not None:
            more = after(session, merged, now)
            if more:  # a further step in the same transaction (e.g. awaiting its return visit)
                changes.update(more)
                version += 1
    status = changes.get("status", row["status"])
    return Changed(complaint_id, row["number"], status, version, changes["next_clock"], changes["next_due_by"])


def changed_elsewhere(session: Session, desk: Desk, complaint_id: int, *, actor_id: int, step: str, now: datetime,
                      note: str = "", detail: dict | None = None) -> None:
    """For another service that changed a complaint in its own transaction (a return visit
    reopening it, or raising a new one): the next clock, the version and the timeline follow."""
    row = dict(session.execute(select(_TABLE).where(_TABLE.c.id == complaint_id)).mappings().one())
    next_name, next_due = _next(desk, row, now)
    session.execute(update(_TABLE).where(_TABLE.c.id == complaint_id)
                    .values(next_clock=next_name, next_due_by=next_due, version=_TABLE.c.version + 1))
    session.connection().execute(insert(_STEPS), {
        "complaint_id": complaint_id, "at": now, "staff_id": actor_id, "step": step, "note": note,
        "detail": json.dumps({"number": row["number"], **(detail or {})}, ensure_ascii=False, default=str)})


def _refuse_closed(row: dict) -> None:
    if row["status"] == "closed":
        raise InputError("complaint.is_closed", number=row["number"])


def forward(desk: Desk, actor: Actor, complaint_id: int, *, version: int, department_id: int | None = None,
            signed_by: str = "", now: datetime | None = None) -> Changed:
    """Forward the form to the responsible department and record who there signed for it
    (`department_id` None: the desk handles it itself, closed the same day)."""
    signed_by = clean_text(signed_by, "signed_by", limit=40, multiline=False)
    if department_id is not None and not signed_by:
        raise InputError("err.required", field=t("field.signed_by"))
    department = None
    if department_id is not None:
        with read_session(desk.engine) as session:
            department = session.execute(select(Department.name).where(Department.id == department_id)).scalar()
        if department is None:
            raise InputError("complaint.no_such_department", id=department_id)

    def change(row: dict, now: datetime) -> dict:
        _refuse_closed(row)
        if row["forwarded_at"] is not None:
            raise InputError("complaint.already_forwarded", number=row["number"])
        return {"forwarded_at": now, "department_id": department_id, "signed_for_by": signed_by or actor.name,
                "status": "forwarded",
                "close_by": close_by(row["received_at"], handed_on=department_id is not None,
                                     other_dept_days=desk.policy.complaint.other_dept_days, tz=desk.tz)}

    return _change(desk, actor, complaint_id, version=version, now=now, step="forwarded", change=change,
                   detail=lambda m: {"department": department or "", "signed_by": m["signed_for_by"]})


def report_upward(desk: Desk, actor: Actor, complaint_id: int, *, version: int, to: str = "",
                  now: datetime | None = None) -> Changed:
    """The complaint was reported upward (较大 to the property manager the same day; 重大 and 尤其重大 to the GM)."""
    to = clean_text(to, "reported_to", limit=40, multiline=False)

    def change(row: dict, now: datetime) -> dict:
        _refuse_closed(row)
        if row["reported_at"] is not None:
            raise InputError("complaint.already_reported", number=row["number"])
        return {"reported_at": now}

    return _change(desk, actor, complaint_id, version=version, now=now, step="reported", change=change, note=to)


def start_work(desk: Desk, actor: Actor, complaint_id: int, *, version: int, note: str = "",
               now: datetime | None = None) -> Changed:
    """The department has started on it (处理中)."""
    note = clean_text(note, "note", limit=desk.policy.content_max_chars)

    def change(row: dict, now: datetime) -> dict:
        if row["status"] != "forwarded":
            raise InputError("complaint.not_forwarded" if row["status"] == "registered" else "complaint.wrong_step",
                             number=row["number"])
        return {"status": "in_progress"}

    return _change(desk, actor, complaint_id, version=version, now=now, step="in_progress", change=change, note=note)


def log_contact(desk: Desk, actor: Actor, complaint_id: int, *, version: int, note: str,
                now: datetime | None = None) -> Changed:
    """A phone call or visit with the customer, what they were told (why, and by when)."""
    note = clean_text(note, "note", limit=desk.policy.content_max_chars, required=True)

    def change(row: dict, now: datetime) -> dict:
        _refuse_closed(row)
        changes = {"followed_up_at": row["followed_up_at"] or now}
        if row["responded_at"] is None:
            changes["responded_at"] = now
        return changes

    return _change(desk, actor, complaint_id, version=version, now=now, step="contact", change=change, note=note)


def give_result(desk: Desk, actor: Actor, complaint_id: int, *, version: int, result: str,
                known_at: datetime | None = None, now: datetime | None = None) -> Changed:
    """The result was given to the customer. `known_at`: when the desk learnt it (default now);
    the customer must hear it the same day."""
    result = clean_text(result, "result", limit=desk.policy.content_max_chars, required=True)

    def change(row: dict, now: datetime) -> dict:
        _refuse_closed(row)
        if row["status"] == "registered":
            raise InputError("complaint.not_forwarded", number=row["number"])
        if row["status"] not in ("forwarded", "in_progress"):
            raise InputError("complaint.wrong_step", number=row["number"])
        known = known_at or now
        if known > now + _FUTURE_GRACE or known < row["received_at"]:
            raise InputError("complaint.known_at_bad")
        return {"completed_at": known, "replied_at": now, "result": result, "status": "result_given",
                "responded_at": row["responded_at"] or now}

    def plan_visit(session: Session, merged: dict, now: datetime) -> dict | None:
        # Completed: the return-visit rules decide in this same transaction whether a visit is due
        # (docs/rules.md §2.4); if one is, the complaint waits for it.
        from deskapp.services.visits import complaint_completed

        planned = complaint_completed(session, desk, complaint_id, actor_id=actor.id, now=now)
        if planned.id is None:
            return None
        session.execute(update(_TABLE).where(_TABLE.c.id == complaint_id)
                        .values(status="awaiting_visit", version=_TABLE.c.version + 1))
        detail = {"number": merged["number"], "visit": planned.number}
        _step(session, complaint_id, at=now, actor=actor, step="awaiting_visit", detail=detail)
        audit.record(session, at=now, actor_id=actor.id, action="complaint.awaiting_visit", entity="complaint",
                     entity_id=complaint_id, detail=detail)
        return {"status": "awaiting_visit"}

    return _change(desk, actor, complaint_id, version=version, now=now, step="result_given", change=change,
                   note=result, after=plan_visit)


def await_visit(desk: Desk, actor: Actor, complaint_id: int, *, version: int, now: datetime | None = None) -> Changed:
    """Result given: waiting for the return visit (回访)."""

    def change(row: dict, now: datetime) -> dict:
        if row["status"] != "result_given":
            raise InputError("complaint.no_result" if row["replied_at"] is None else "complaint.wrong_step",
                             number=row["number"])
        return {"status": "awaiting_visit"}

    return _change(desk, actor, complaint_id, version=version, now=now, step="awaiting_visit", change=change)


def close_complaint(desk: Desk, actor: Actor, complaint_id: int, *, version: int, note: str = "",
                    now: datetime | None = None) -> Changed:
    """Close it (结案): only once the customer was given the result."""
    note = clean_text(note, "note", limit=desk.policy.content_max_chars)

    def change(row: dict, now: datetime) -> dict:
        _refuse_closed(row)
        if row["status"] not in ("result_given", "awaiting_visit"):
            raise InputError("complaint.no_result", number=row["number"])
        return {"status": "closed", "closed_at": now}

    return _change(desk, actor, complaint_id, version=version, now=now, step="closed", change=change, note=note)


def reopen(desk: Desk, actor: Actor, complaint_id: int, *, version: int, reason: str,
           now: datetime | None = None) -> Changed:
    """The customer says it is not resolved: back to in progress. The timeline keeps the
    earlier result and closing; the completion, result and close clocks run again."""
    reason = clean_text(reason, "reason", limit=desk.policy.content_max_chars, required=True)

    def change(row: dict, now: datetime) -> dict:
        if row["status"] not in ("result_given", "awaiting_visit", "closed"):
            raise InputError("complaint.not_reopenable", number=row["number"])
        return {"status": "in_progress", "closed_at": None, "completed_at": None, "replied_at": None}

    return _change(desk, actor, complaint_id, version=version, now=now, step="reopened", change=change, note=reason)


def mark_mishandled(desk: Desk, actor: Actor, complaint_id: int, *, version: int, reason: str,
                    now: datetime | None = None) -> Changed:
    """处理不当: a supervisor raises the class by one; its clocks restart for the new class
    from now, and the rule that fired says why (docs/rules.md §2.2)."""
    require(actor, t("action.mishandled"), "supervisor")
    reason = clean_text(reason, "reason", limit=desk.policy.content_max_chars, required=True)

    def change(row: dict, now: datetime) -> dict:
        _refuse_closed(row)
        before = Severity.from_code(row["severity"])
        facts = ComplaintFacts(loss_yuan=row["loss_yuan"], complainants=row["complainants"], deaths=row["deaths"],
                               injury=row["injury"], media_days=row["media_days"], media_outlets=row["media_outlets"],
                               times_raised_unhandled=row["times_raised"],
                               service_not_delivered=row["service_not_delivered"], mishandled_from=before)
        after = classify(facts, desk.policy.severity)
        agreed = row["complete_by"] if row["complete_by_source"] == "agreed" and row["complete_by"] > now else None
        columns = _deadline_columns(desk, after.severity, now, customer_deadline=None, agreed_deadline=agreed,
                                    allow_undetermined=True)
        return {**columns, "severity": after.severity.code, "severity_rules": ",".join(after.rules),
                "raised_from_severity": before.code, "escalations": row["escalations"] + 1,
                # the restarted clocks: each is to be met again for the new class
                "responded_at": None, "reported_at": None, "followed_up_at": None,
                "forward_by": row["forward_by"] if row["forwarded_at"] is not None else columns["forward_by"]}

    return _change(desk, actor, complaint_id, version=version, now=now, step="mishandled", change=change, note=reason,
                   detail=lambda m: {"from": m["raised_from_severity"], "to": m["severity"],
                                     "rules": m["severity_rules"]})


def count_same_event(desk: Desk, number: str) -> int:
    """How many open complaints the event of complaint `number` already has (the form shows it)."""
    with read_session(desk.engine) as session:
        _root, group = _event_root(session, number.strip())
    return len(group)


__all__ = [
    "ComplaintDraft", "Registered", "Changed", "StaleComplaint", "facts_of", "propose", "register_complaint",
    "forward", "report_upward", "start_work", "log_contact", "give_result", "await_visit", "close_complaint",
    "reopen", "mark_mishandled", "count_same_event",
]
