"""The call and visit log (来电来访登记): logging a call, and who is calling.

A 报修 (repair) call is marked awaiting its dispatch slip and a 投诉
(complaint) call awaiting its complaint record, so nothing said on the phone
is lost before those records exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from deskapp.core.codes import AWAITING, CATEGORIES, CHANNELS
from deskapp.core.text import clean_text, find_phrases, normalize_phone, normalize_unit, split_unit
from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.numbering import next_numbers
from deskapp.services.roles import Actor
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import Call, Resident, Unit

# A call may be logged a little after it happened, never in the future
# (a minute's grace for terminals whose clocks disagree).
_FUTURE_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class CallDraft:
    """What the receptionist typed, as typed."""

    channel: str = "phone"
    category: str = "enquiry"
    caller_name: str = ""
    phone: str = ""
    unit: str = ""
    content: str = ""
    reply: str = ""
    at: datetime | None = None  # when it happened, if not now


@dataclass(frozen=True)
class LoggedCall:
    id: int
    number: str
    status: str
    flagged: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class KnownCaller:
    name: str
    phone: str
    unit_code: str


@dataclass(frozen=True)
class CheckedCall:
    """A draft after the desk's checks: what log_call stores, in its normal form."""

    at: datetime
    channel: str
    category: str
    caller_name: str
    phone: str
    unit_code: str
    content: str
    reply: str
    status: str
    due_by: datetime | None
    flagged: tuple[str, ...]


def check_call(desk: Desk, draft: CallDraft, *, now: datetime) -> CheckedCall:
    """Validate and normalise one draft (no I/O); raises InputError naming what is wrong."""
    limit = desk.policy.content_max_chars
    if draft.channel not in CHANNELS:
        raise InputError("err.bad_choice", field=t("field.channel"), value=draft.channel)
    if draft.category not in CATEGORIES:
        raise InputError("err.bad_choice", field=t("field.category"), value=draft.category)
    name = clean_text(draft.caller_name, "caller_name", limit=40, multiline=False)
    phone = normalize_phone(draft.phone)
    unit_code = normalize_unit(draft.unit)
    content = clean_text(draft.content, "content", limit=limit, required=True)
    reply = clean_text(draft.reply, "reply", limit=limit)
    at = draft.at or now
    if at.tzinfo is None:
        raise ValueError("CallDraft.at must be timezone-aware")
    if at > now + _FUTURE_GRACE:
        raise InputError("err.future_time")
    flagged = tuple(find_phrases(reply, list(desk.phrases.forbidden)))
    status = AWAITING.get(draft.category, "done")
    due_by = None
    if status == "awaiting_slip":
        due_by = at + timedelta(minutes=desk.policy.slip.notify_minutes)
    elif status == "awaiting_complaint":
        due_by = at + timedelta(minutes=desk.policy.complaint.forward_minutes)
    return CheckedCall(at, draft.channel, draft.category, name, phone, unit_code, content, reply, status, due_by,
                       flagged)


def audit_detail(number: str, checked: CheckedCall) -> dict:
    """The detail of a call's "call.log" audit event."""
    return {"number": number, "category": checked.category, "flagged": list(checked.flagged)}


def log_call(desk: Desk, actor: Actor, draft: CallDraft, *, now: datetime | None = None) -> LoggedCall:
    return log_calls(desk, actor, [draft], now=now)[0]


def log_calls(desk: Desk, actor: Actor, drafts: Sequence[CallDraft], *,
              now: datetime | None = None) -> list[LoggedCall]:
    """Log several calls in one write transaction, all or none, in the order given.

    Each draft goes through the same checks and writes as `log_call` (which is
    this with one draft): every draft is checked before anything is written,
    then each call draws its number, remembers its caller and gets its audit
    event. One transaction instead of one per call is what makes loading
    months of calls (demo data, an import) quick at synchronous=FULL.
    """
    now = now or utcnow()
    checked = [check_call(desk, draft, now=now) for draft in drafts]
    years = [desk.local(c.at).year for c in checked]
    # Core statements rather than ORM objects, and the calls and their events
    # inserted together: the same rows at a quarter of the cost per call,
    # which is what a batch of thousands notices.
    with write_session(desk.engine) as session:
        numbers = {year: iter(next_numbers(session, "call", year, years.count(year))) for year in sorted(set(years))}
        rows = []
        for c, year in zip(checked, years):
            resident_id = _remember_caller(session, name=c.caller_name, phone=c.phone, unit_code=c.unit_code,
                                           at=c.at)
            rows.append(call_row(c, number=next(numbers[year]), resident_id=resident_id, owner_id=actor.id))
        ids = session.connection().execute(_INSERT_CALLS, rows).scalars().all() if rows else []
        audit.record_rows(session, [
            audit.event_row(at=now, actor_id=actor.id, action="call.log", entity="call", entity_id=call_id,
                            detail=audit_detail(row["number"], c))
            for call_id, row, c in zip(ids, rows, checked)])
    return [LoggedCall(call_id, row["number"], c.status, c.flagged, c.at)
            for call_id, row, c in zip(ids, rows, checked)]


def call_row(c: CheckedCall, *, number: str, resident_id: int | None, owner_id: int) -> dict:
    """The call table's columns for a checked draft (the bulk demo writes the same)."""
    return {"number": number, "at": c.at, "channel": c.channel, "category": c.category,
            "caller_name": c.caller_name, "phone": c.phone, "unit_code": c.unit_code, "resident_id": resident_id,
            "content": c.content, "reply": c.reply, "owner_id": owner_id, "status": c.status, "due_by": c.due_by,
            "flagged_phrases": "、".join(c.flagged)}


def unit_row(unit_code: str) -> dict:
    """A unit first heard of in a call: its code and the parts read from it."""
    building, entrance, room = split_unit(unit_code)
    return {"code": unit_code, "building": building, "entrance": entrance, "room": room}


def resident_row(*, name: str, phone: str, unit_id: int | None, at: datetime) -> dict:
    """A caller first heard of in a call."""
    return {"name": name, "phone": phone, "unit_id": unit_id, "last_seen_at": at}


def resident_seen_again(*, name: str, at: datetime) -> dict:
    """What a known caller's next call changes: the name, if one was given, and when last seen."""
    return {"name": name, "last_seen_at": at} if name else {"last_seen_at": at}


_UNIT, _RESIDENT = Unit.__table__, Resident.__table__
# Built once: a statement made per call costs more than running it.
_INSERT_CALLS = insert(Call.__table__).returning(Call.__table__.c.id, sort_by_parameter_order=True)
_FIND_UNIT = select(_UNIT.c.id).where(_UNIT.c.code == bindparam("code"))
_INSERT_UNIT = insert(_UNIT).returning(_UNIT.c.id)
_FIND_RESIDENT = select(_RESIDENT.c.id).where(_RESIDENT.c.phone == bindparam("phone"),
                                              _RESIDENT.c.unit_id == bindparam("unit_id"))
_FIND_RESIDENT_NO_UNIT = select(_RESIDENT.c.id).where(_RESIDENT.c.phone == bindparam("phone"),
                                                      _RESIDENT.c.unit_id.is_(None))
_INSERT_RESIDENT = insert(_RESIDENT).returning(_RESIDENT.c.id)


def _remember_caller(session: Session, *, name: str, phone: str, unit_code: str, at: datetime) -> int | None:
    """Keep the phone -> unit -> name knowledge that fills the next call in."""
    if not phone and not unit_code:
        return None
    conn = session.connection()
    unit_id = None
    if unit_code:
        unit_id = conn.execute(_FIND_UNIT, {"code": unit_code}).scalar()
        if unit_id is None:
            unit_id = conn.execute(_INSERT_UNIT, unit_row(unit_code)).scalar_one()
    if not phone:
        return None
    if unit_id is None:
        resident_id = conn.execute(_FIND_RESIDENT_NO_UNIT, {"phone": phone}).scalar()
    else:
        resident_id = conn.execute(_FIND_RESIDENT, {"phone": phone, "unit_id": unit_id}).scalar()
    if resident_id is None:
        return conn.execute(_INSERT_RESIDENT, resident_row(name=name, phone=phone, unit_id=unit_id, at=at)).scalar_one()
    conn.execute(update(_RESIDENT).where(_RESIDENT.c.id == resident_id), resident_seen_again(name=name, at=at))
    return resident_id


def known_callers(desk: Desk, *, phone: str = "", unit: str = "", limit: int = 5) -> list[KnownCaller]:
    """Residents known from earlier calls, most recently seen first, by phone prefix or unit."""
    try:
        phone = normalize_phone(phone) if phone else ""
        unit_code = normalize_unit(unit) if unit else ""
    except InputError:
        return []
    if len(phone) < 3 and not unit_code:
        return []
    query = select(Resident.name, Resident.phone, Unit.code).join(Unit, Resident.unit_id == Unit.id, isouter=True)
    if phone:
        query = query.where(Resident.phone.startswith(phone, autoescape=True))
    if unit_code:
        query = query.where(Unit.code == unit_code)
    # Residents from the roster were never seen on a call: after the callers, on every backend
    # (PostgreSQL would put NULLs first in a descending order).
    query = query.order_by(Resident.last_seen_at.desc().nulls_last(), Resident.id).limit(limit)
    with read_session(desk.engine) as session:
        return [KnownCaller(n or "", p or "", u or "") for n, p, u in session.exec(query).all()]
