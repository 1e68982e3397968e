"""Correcting a logged call (更正): appended and audited, never an overwrite.

A call record is evidence of what the desk heard and said, so a mistake in it
(a mistyped phone, the wrong unit, a reply that left something out) is
corrected by a correction that names the field, what it should read and why,
with who and when. The call row stays as logged; the record shows both. The
table refuses UPDATE and DELETE at the database level (migration 0003).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.errors import InputError, NotFound
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import Call, CallCorrection, Staff

# The call fields a correction may name ("" = a note only), in the order the form offers them.
CORRECTABLE = ("", "phone", "unit", "caller_name", "channel", "category", "content", "reply")


@dataclass(frozen=True)
class Correction:
    at: datetime
    staff: str
    field: str
    corrected: str
    note: str


def _checked_value(desk: Desk, field: str, value: str) -> str:
    """The corrected value in the same normal form log_call stores."""
    limit = desk.policy.content_max_chars
    if field == "phone":
        return normalize_phone(value)
    if field == "unit":
        return normalize_unit(value)
    if field == "caller_name":
        return clean_text(value, "caller_name", limit=40, multiline=False)
    if field in ("channel", "category"):
        allowed = CHANNELS if field == "channel" else CATEGORIES
        if value not in allowed:
            raise InputError("err.bad_choice", field=t(f"field.{field}"), value=value)
        return value
    return clean_text(value, field, limit=limit, required=True)


def correct_call(desk: Desk, actor: Actor, call_id: int, *, field: str, corrected: str = "", note: str = "",
                 now: datetime | None = None) -> Correction:
    """Append a correction to call `call_id`; refuses before writing anything."""
    now = now or utcnow()
    if field not in CORRECTABLE:
        raise InputError("err.bad_choice", field=t("field.corrected_field"), value=field)
    note = clean_text(note, "note", limit=desk.policy.content_max_chars, required=not field)
    value = _checked_value(desk, field, corrected) if field else ""
    with write_session(desk.engine) as session:
        number = session.execute(select(Call.number).where(Call.id == call_id)).scalar_one_or_none()
        if number is None:
            raise NotFound("err.no_such_call", id=call_id)
        correction_id = session.connection().execute(
            insert(CallCorrection.__table__).returning(CallCorrection.__table__.c.id),
            {"call_id": call_id, "at": now, "staff_id": actor.id, "field": field, "corrected": value, "note": note},
        ).scalar_one()
        audit.record(session, at=now, actor_id=actor.id, action="call.correct", entity="call_correction",
                     entity_id=correction_id, detail={"call": number, "field": field})
    return Correction(now, actor.name, field, value, note)


def corrections_of(desk: Desk, call_id: int) -> list[Correction]:
    """A call's corrections, oldest first."""
    with read_session(desk.engine) as session:
        rows = session.execute(
            select(CallCorrection.at, Staff.name, CallCorrection.field, CallCorrection.corrected, CallCorrection.note)
            .join(Staff, Staff.id == CallCorrection.staff_id)
            .where(CallCorrection.call_id == call_id)
            .order_by(CallCorrection.at, CallCorrection.id)
        ).all()
    return [Correction(*row) for row in rows]
