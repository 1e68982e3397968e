"""The call and visit log (来电来访登记): logging a call, and who is calling.

A 报修 (repair) call is marked awaiting its dispatch slip and a 投诉
(complaint) call awaiting its complaint record, so nothing said on the phone
is lost before those records exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from deskapp.core.codes import AWAITING, CATEGORIES, CHANNELS
from deskapp.core.text import clean_text, find_phrases, normalize_phone, normalize_unit, split_unit
from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.numbering import next_number
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


def log_call(desk: Desk, actor: Actor, draft: CallDraft, *, now: datetime | None = None) -> LoggedCall:
    now = now or utcnow()
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

    with write_session(desk.engine) as session:
        resident_id = _remember_caller(session, name=name, phone=phone, unit_code=unit_code, at=at)
        number, _ = next_number(session, "call", desk.local(at).year)
        call = Call(number=number, at=at, channel=draft.channel, category=draft.category, caller_name=name,
                    phone=phone, unit_code=unit_code, resident_id=resident_id, content=content, reply=reply,
                    owner_id=actor.id, status=status, due_by=due_by, flagged_phrases="、".join(flagged))
        session.add(call)
        session.flush()
        audit.record(session, at=now, actor_id=actor.id, action="call.log", entity="call", entity_id=call.id,
                     detail={"number": number, "category": draft.category, "flagged": list(flagged)})
    return LoggedCall(call.id, number, status, flagged, at)


def _remember_caller(session: Session, *, name: str, phone: str, unit_code: str, at: datetime) -> int | None:
    """Keep the phone -> unit -> name knowledge that fills the next call in."""
    if not phone and not unit_code:
        return None
    unit_id = None
    if unit_code:
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
        if unit is None:
            building, entrance, room = split_unit(unit_code)
            unit = Unit(code=unit_code, building=building, entrance=entrance, room=room)
            session.add(unit)
            session.flush()
        unit_id = unit.id
    if not phone:
        return None
    resident = session.exec(select(Resident).where(Resident.phone == phone, Resident.unit_id == unit_id)).first()
    if resident is None:
        resident = Resident(name=name, phone=phone, unit_id=unit_id, last_seen_at=at)
        session.add(resident)
        session.flush()
    else:
        if name:
            resident.name = name
        resident.last_seen_at = at
        session.add(resident)
    return resident.id


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
    query = query.order_by(Resident.last_seen_at.desc()).limit(limit)
    with read_session(desk.engine) as session:
        return [KnownCaller(n or "", p or "", u or "") for n, p, u in session.exec(query).all()]
