"""Duty shifts (班次) and the duty log (值班日志), docs/rules.md §2.5.

A shift's page is made by the first thing done in it (opening F6, a duty log
entry, an item received): `start_shift` finds the shift of the plan running
at that moment and makes its row if no terminal has yet. Its unfinished work
is not copied from the previous page: the handover lists every matter still
open from the records themselves.

Duty log entries are appended, never edited (the table refuses UPDATE and
DELETE, schema 0007): a later entry corrects an earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from deskapp.core.text import clean_text
from deskapp.errors import InputError
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.numbering import next_number
from deskapp.services.roles import Actor
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import DutyLogEntry, Shift

# An entry may be written a little after what it records, never before it happened.
_FUTURE_GRACE = timedelta(minutes=1)
_LOG = DutyLogEntry.__table__
_SHIFT = Shift.__table__


@dataclass(frozen=True)
class ShiftInfo:
    id: int
    number: str
    kind: str  # day|night
    duty_date: date
    start: datetime  # the plan's start and end (aware, site time), not when someone signed in
    end: datetime
    started_at: datetime
    staff_id: int


@dataclass(frozen=True)
class LogEntry:
    id: int
    at: datetime
    what: str
    action: str
    major: bool
    staff: str
    shift_number: str

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.at, self.id)


def _info(desk: Desk, row) -> ShiftInfo:
    s = desk.policy.shift.slot(row.kind, row.duty_date, desk.tz)
    return ShiftInfo(row.id, row.number, row.kind, row.duty_date, s.start, s.end, row.started_at, row.staff_id)


def shift_row(session, desk: Desk, actor: Actor, at: datetime) -> ShiftInfo:
    """The shift running at `at`, made if no one has started it yet (inside a write session)."""
    s = desk.policy.shift.slot_at(at, desk.tz)
    found = session.execute(select(Shift).where(Shift.duty_date == s.duty_date, Shift.kind == s.kind)).scalar()
    if found is None:
        number, _ = next_number(session, "shift", s.duty_date.year)
        shift_id = session.connection().execute(insert(_SHIFT).returning(_SHIFT.c.id), {
            "number": number, "kind": s.kind, "duty_date": s.duty_date, "started_at": at, "staff_id": actor.id,
        }).scalar_one()
        audit.record(session, at=at, actor_id=actor.id, action="shift.start", entity="shift", entity_id=shift_id,
                     detail={"number": number, "kind": s.kind, "duty_date": s.duty_date.isoformat()})
        found = session.get(Shift, shift_id)
    return _info(desk, found)


def start_shift(desk: Desk, actor: Actor, *, now: datetime | None = None) -> ShiftInfo:
    """The shift running now, started by `actor` if it is not yet (signing in at its start)."""
    now = now or utcnow()
    try:
        with write_session(desk.engine) as session:
            return shift_row(session, desk, actor, now)
    except IntegrityError:  # another terminal started it at the same moment (PostgreSQL): it exists now
        found = find_shift(desk, at=now)
        if found is None:
            raise
        return found


def find_shift(desk: Desk, *, at: datetime | None = None, duty_date: date | None = None,
               kind: str | None = None) -> ShiftInfo | None:
    """The shift running at `at`, or the one of this date and kind, if anyone started it."""
    if at is not None:
        s = desk.policy.shift.slot_at(at, desk.tz)
        duty_date, kind = s.duty_date, s.kind
    with read_session(desk.engine) as session:
        row = session.execute(select(Shift).where(Shift.duty_date == duty_date, Shift.kind == kind)).scalar()
        return None if row is None else _info(desk, row)


def shift_by_id(desk: Desk, shift_id: int) -> ShiftInfo | None:
    with read_session(desk.engine) as session:
        row = session.get(Shift, shift_id)
        return None if row is None else _info(desk, row)


def add_log_entry(desk: Desk, actor: Actor, *, what: str, action: str = "", major: bool = False,
                  at: datetime | None = None, now: datetime | None = None) -> LogEntry:
    """Append a line to the duty log of the shift running at `at` (default: now)."""
    now = now or utcnow()
    limit = desk.policy.content_max_chars
    what = clean_text(what, "log_what", limit=limit, required=True)
    action = clean_text(action, "log_action", limit=limit)
    at = at or now
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if at > now + _FUTURE_GRACE:
        raise InputError("err.future_time")
    with write_session(desk.engine) as session:
        shift = shift_row(session, desk, actor, at)
        entry_id = session.connection().execute(insert(_LOG).returning(_LOG.c.id), {
            "shift_id": shift.id, "at": at, "what": what, "action": action, "major": bool(major),
            "staff_id": actor.id}).scalar_one()
        audit.record(session, at=now, actor_id=actor.id, action="duty_log.add", entity="duty_log_entry",
                     entity_id=entry_id, detail={"shift": shift.number, "major": bool(major)})
    return LogEntry(entry_id, at, what, action, bool(major), actor.name, shift.number)
