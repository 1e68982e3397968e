"""Shift handover (交接班): compile, sign, acknowledge, addenda, night review (docs/rules.md §2.5).

- `compile_handover` reads the shift's data, section by section
  (deskapp.services.handover_sections), without writing anything.
- `sign_handover`: the outgoing staff signs with their PIN; the handover and
  every line of it are written in one transaction, compiled again inside it so
  what is signed is exactly what the records said at that moment. From then on
  the database refuses UPDATE and DELETE of them (schema 0005).
- `acknowledge_handover`: the incoming staff checks the lines, signs with their
  own PIN and records each discrepancy with a note; never the same person as
  the outgoing signer, never a handover that was not signed, once.
- `add_addendum`: a correction, appended with its author and time.
- `mark_reviewed`, `add_remark`, `complete_review`: a supervisor's night review.

The PIN is checked before the write transaction starts (scrypt takes a while
and must not hold the write lock); no message shows a PIN or its hash.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from deskapp.core.handover_codes import ACKNOWLEDGE, ADDENDUM, DISCREPANCY, MARK, REMARK, REVIEW
from deskapp.core.text import clean_text
from deskapp.errors import InputError, NotFound
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.handover_sections import SECTIONS, Line, Window
from deskapp.services.numbering import next_number
from deskapp.services.roles import Actor, require
from deskapp.services.shifts import ShiftInfo, shift_by_id, shift_row
from deskapp.services.staff import sign_in
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import Handover, HandoverEntry, HandoverItem

_HANDOVER = Handover.__table__
_ITEM = HandoverItem.__table__
_ENTRY = HandoverEntry.__table__


@dataclass(frozen=True)
class Compiled:
    """A handover as the records say it now (not yet signed)."""

    shift: ShiftInfo
    at: datetime
    lines: tuple[Line, ...]

    def section(self, code: str) -> list[Line]:
        return [line for line in self.lines if line.section == code]


@dataclass(frozen=True)
class Signed:
    id: int
    number: str
    at: datetime
    lines: int


def _window(shift: ShiftInfo, now: datetime) -> Window:
    return Window(shift.id, shift.start, shift.end, now)


def compile_lines(session, shift: ShiftInfo, now: datetime) -> tuple[Line, ...]:
    """Every section's lines, in order, read in the caller's transaction."""
    window = _window(shift, now)
    lines: list[Line] = []
    for section in SECTIONS:
        for row in session.execute(section.query(window)).all():
            lines.append(replace(section.line(row, window), section=section.code))
    return tuple(lines)


def compile_handover(desk: Desk, shift: ShiftInfo, *, now: datetime | None = None) -> Compiled:
    now = now or utcnow()
    with read_session(desk.engine) as session:
        return Compiled(shift, now, compile_lines(session, shift, now))


def _signer(desk: Desk, name: str, pin: str) -> Actor:
    """The person who signs, by their own name and PIN (not whoever is signed in)."""
    return sign_in(desk, name=name, pin=pin)


def _item_row(handover_id: int, position: int, line: Line) -> dict:
    return {"handover_id": handover_id, "kind": line.kind[:12], "description": line.text[:200],
            "quantity": line.quantity, "amount_yuan": line.amount_yuan, "checked": False, "note": "",
            "section": line.section, "position": position, "ref": line.ref[:40], "at": line.at,
            "due_by": line.due_by, "flagged": line.flagged, "detail": line.text}


def sign_handover(desk: Desk, *, shift_id: int, name: str, pin: str, notes: str = "",
                  now: datetime | None = None) -> Signed:
    """The outgoing staff signs the shift's handover: written whole, then never changed."""
    now = now or utcnow()
    notes = clean_text(notes, "handover_notes", limit=desk.policy.content_max_chars)
    signer = _signer(desk, name, pin)
    shift = shift_by_id(desk, shift_id)
    if shift is None:
        raise NotFound("err.no_such_shift", id=shift_id)
    if now < shift.start:
        raise InputError("err.handover_too_early")
    try:
        with write_session(desk.engine) as session:
            done = session.execute(select(Handover.number).where(Handover.from_shift_id == shift_id)).scalar()
            if done is not None:
                raise InputError("err.handover_already_signed", number=done)
            lines = compile_lines(session, shift, now)
            number, _ = next_number(session, "handover", shift.duty_date.year)
            handover_id = session.connection().execute(insert(_HANDOVER).returning(_HANDOVER.c.id), {
                "number": number, "from_shift_id": shift_id, "unfinished": notes, "handed_by_id": signer.id,
                "handed_at": now, "review_remark": "", "status": "handed"}).scalar_one()
            if lines:
                session.connection().execute(insert(_ITEM), [_item_row(handover_id, i, line)
                                                             for i, line in enumerate(lines)])
            audit.record(session, at=now, actor_id=signer.id, action="handover.sign", entity="handover",
                         entity_id=handover_id, detail={"number": number, "shift": shift.number, "lines": len(lines)})
    except IntegrityError:  # another terminal signed this shift at the same moment (PostgreSQL)
        raise InputError("err.handover_already_signed", number="") from None
    return Signed(handover_id, number, now, len(lines))


def _handover(session, handover_id: int) -> Handover:
    found = session.get(Handover, handover_id)
    if found is None:
        raise NotFound("err.handover_not_signed")
    return found


def _entry(session, handover_id: int, *, at: datetime, staff_id: int, kind: str, text: str = "",
           item_id: int | None = None, shift_id: int | None = None) -> int:
    return session.connection().execute(insert(_ENTRY).returning(_ENTRY.c.id), {
        "handover_id": handover_id, "at": at, "staff_id": staff_id, "kind": kind, "item_id": item_id,
        "shift_id": shift_id, "text": text}).scalar_one()


def _has(session, handover_id: int, kind: str, item_id: int | None = None) -> bool:
    query = select(_ENTRY.c.id).where(_ENTRY.c.handover_id == handover_id, _ENTRY.c.kind == kind)
    if item_id is not None:
        query = query.where(_ENTRY.c.item_id == item_id)
    return session.execute(query.limit(1)).first() is not None


def _check_item(session, handover_id: int, item_id: int | None) -> None:
    if item_id is None:
        return
    owner = session.execute(select(_ITEM.c.handover_id).where(_ITEM.c.id == item_id)).scalar()
    if owner != handover_id:
        raise InputError("err.handover_no_such_line", id=item_id)


def acknowledge_handover(desk: Desk, handover_id: int, *, name: str, pin: str,
                         discrepancies: Sequence[tuple[int | None, str]] = (), now: datetime | None = None) -> None:
    """The incoming staff acknowledges, recording each discrepancy (a line, or None, and a note)."""
    now = now or utcnow()
    limit = desk.policy.content_max_chars
    notes = [(item_id, clean_text(note, "discrepancy", limit=limit, required=True)) for item_id, note in discrepancies]
    receiver = _signer(desk, name, pin)
    try:
        with write_session(desk.engine) as session:
            handover = _handover(session, handover_id)
            if handover.handed_by_id == receiver.id:
                raise InputError("err.handover_same_person")
            if _has(session, handover_id, ACKNOWLEDGE):
                raise InputError("err.handover_already_acknowledged", number=handover.number)
            for item_id, _ in notes:
                _check_item(session, handover_id, item_id)
            incoming = shift_row(session, desk, receiver, now)
            _entry(session, handover_id, at=now, staff_id=receiver.id, kind=ACKNOWLEDGE, shift_id=incoming.id)
            for item_id, note in notes:
                _entry(session, handover_id, at=now, staff_id=receiver.id, kind=DISCREPANCY, text=note,
                       item_id=item_id)
            audit.record(session, at=now, actor_id=receiver.id, action="handover.acknowledge", entity="handover",
                         entity_id=handover_id, detail={"number": handover.number, "discrepancies": len(notes)})
    except IntegrityError:  # acknowledged by another terminal at the same moment (PostgreSQL)
        raise InputError("err.handover_already_acknowledged", number="") from None


def add_addendum(desk: Desk, actor: Actor, handover_id: int, *, text: str, now: datetime | None = None) -> int:
    """A correction to a signed handover, appended with its author and time."""
    now = now or utcnow()
    text = clean_text(text, "addendum", limit=desk.policy.content_max_chars, required=True)
    with write_session(desk.engine) as session:
        handover = _handover(session, handover_id)
        entry_id = _entry(session, handover_id, at=now, staff_id=actor.id, kind=ADDENDUM, text=text)
        audit.record(session, at=now, actor_id=actor.id, action="handover.addendum", entity="handover",
                     entity_id=handover_id, detail={"number": handover.number})
    return entry_id


def mark_reviewed(desk: Desk, actor: Actor, handover_id: int, item_id: int, *, remark: str = "",
                  now: datetime | None = None) -> None:
    """A supervisor marks one line reviewed (with a remark, if any)."""
    now = now or utcnow()
    require(actor, t("action.review_handover"), "supervisor")
    remark = clean_text(remark, "review_remark", limit=desk.policy.content_max_chars)
    with write_session(desk.engine) as session:
        handover = _handover(session, handover_id)
        _check_item(session, handover_id, item_id)
        if _has(session, handover_id, MARK, item_id):
            raise InputError("err.handover_line_reviewed")
        _entry(session, handover_id, at=now, staff_id=actor.id, kind=MARK, item_id=item_id, text=remark)
        audit.record(session, at=now, actor_id=actor.id, action="handover.mark", entity="handover",
                     entity_id=handover_id, detail={"number": handover.number, "item": item_id})


def add_remark(desk: Desk, actor: Actor, handover_id: int, *, text: str, item_id: int | None = None,
               now: datetime | None = None) -> None:
    now = now or utcnow()
    require(actor, t("action.review_handover"), "supervisor")
    text = clean_text(text, "review_remark", limit=desk.policy.content_max_chars, required=True)
    with write_session(desk.engine) as session:
        handover = _handover(session, handover_id)
        _check_item(session, handover_id, item_id)
        _entry(session, handover_id, at=now, staff_id=actor.id, kind=REMARK, item_id=item_id, text=text)
        audit.record(session, at=now, actor_id=actor.id, action="handover.remark", entity="handover",
                     entity_id=handover_id, detail={"number": handover.number, "item": item_id})


def complete_review(desk: Desk, actor: Actor, handover_id: int, *, remark: str = "",
                    now: datetime | None = None) -> None:
    """The supervisor's review of a handover is done (once); it counts as a check of the items."""
    now = now or utcnow()
    require(actor, t("action.review_handover"), "supervisor")
    remark = clean_text(remark, "review_remark", limit=desk.policy.content_max_chars)
    try:
        with write_session(desk.engine) as session:
            handover = _handover(session, handover_id)
            if _has(session, handover_id, REVIEW):
                raise InputError("err.handover_already_reviewed", number=handover.number)
            _entry(session, handover_id, at=now, staff_id=actor.id, kind=REVIEW, text=remark)
            audit.record(session, at=now, actor_id=actor.id, action="handover.review", entity="handover",
                         entity_id=handover_id, detail={"number": handover.number})
    except IntegrityError:
        raise InputError("err.handover_already_reviewed", number="") from None
