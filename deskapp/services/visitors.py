"""The visitor register (访客登记), docs/rules.md §2.7.

Visitor, ID checked, phone, host unit and name, appointment or host called,
allowed or refused, message left. A refused visitor is recorded like an
allowed one: the register is what happened at the door.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert

from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor
from deskapp.services.shifts import shift_row
from deskapp.storage.engine import write_session
from deskapp.storage.models import Visitor

_VISITOR = Visitor.__table__
_FUTURE_GRACE = timedelta(minutes=1)


@dataclass(frozen=True)
class VisitorDraft:
    visitor_name: str = ""
    id_checked: bool = False
    phone: str = ""
    host_unit: str = ""
    host_name: str = ""
    appointment: bool = False
    host_called: bool = False
    allowed: bool = True
    message: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class RegisteredVisitor:
    id: int
    at: datetime
    allowed: bool


def register_visitor(desk: Desk, actor: Actor, draft: VisitorDraft, *, now: datetime | None = None) -> RegisteredVisitor:
    now = now or utcnow()
    name = clean_text(draft.visitor_name, "visitor_name", limit=40, multiline=False, required=True)
    phone = normalize_phone(draft.phone)
    unit = normalize_unit(draft.host_unit)
    if not unit:
        raise InputError("err.required", field=t("field.host_unit"))
    host = clean_text(draft.host_name, "host_name", limit=40, multiline=False)
    message = clean_text(draft.message, "visitor_message", limit=desk.policy.content_max_chars)
    # Let in only on an appointment or the host's word, after the ID was seen.
    if draft.allowed and not draft.id_checked:
        raise InputError("err.visitor_id_unchecked")
    if draft.allowed and not (draft.appointment or draft.host_called):
        raise InputError("err.visitor_unconfirmed")
    at = draft.at or now
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if at > now + _FUTURE_GRACE:
        raise InputError("err.future_time")
    with write_session(desk.engine) as session:
        shift_row(session, desk, actor, now)
        visitor_id = session.connection().execute(insert(_VISITOR).returning(_VISITOR.c.id), {
            "at": at, "visitor_name": name, "id_checked": bool(draft.id_checked), "phone": phone, "host_unit": unit,
            "host_name": host, "appointment": bool(draft.appointment), "host_called": bool(draft.host_called),
            "allowed": bool(draft.allowed), "message": message, "staff_id": actor.id,
        }).scalar_one()
        audit.record(session, at=now, actor_id=actor.id, action="visitor.register", entity="visitor",
                     entity_id=visitor_id, detail={"allowed": bool(draft.allowed), "host_unit": unit})
    return RegisteredVisitor(visitor_id, at, bool(draft.allowed))

