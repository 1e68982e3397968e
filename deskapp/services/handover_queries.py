"""Read side of the handover: a signed handover whole (its lines and everything appended
to it), the list of handovers newest first, and when a supervisor last checked the items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from deskapp.core.handover_codes import ACKNOWLEDGE, REVIEW
from deskapp.core.paging import PAGE_SIZE
from deskapp.services.desk import Desk
from deskapp.services.handover_sections import Line
from deskapp.services.shifts import ShiftInfo, shift_by_id
from deskapp.services.small_registers import page
from deskapp.storage.engine import read_session
from deskapp.storage.models import Handover, HandoverEntry, HandoverItem, Shift, Staff
from deskapp.storage.types import UTCDateTime  # noqa: F401  (keyset literals use it through page())


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    staff: str
    kind: str
    item_id: int | None
    text: str


@dataclass(frozen=True)
class HandoverRecord:
    id: int
    number: str
    shift: ShiftInfo
    handed_by: str
    handed_at: datetime
    notes: str
    lines: tuple[Line, ...]
    entries: tuple[Entry, ...]

    def of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def acknowledged(self) -> Entry | None:
        found = self.of(ACKNOWLEDGE)
        return found[0] if found else None

    @property
    def reviewed(self) -> Entry | None:
        found = self.of(REVIEW)
        return found[0] if found else None

    def section(self, code: str) -> list[Line]:
        return [line for line in self.lines if line.section == code]


@dataclass(frozen=True)
class HandoverRow:
    """One handover in the list."""

    id: int
    number: str
    handed_at: datetime
    kind: str
    duty_date: date
    handed_by: str
    acknowledged_by: str | None
    reviewed_by: str | None

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.handed_at, self.id)


def get_handover(desk: Desk, handover_id: int) -> HandoverRecord | None:
    with read_session(desk.engine) as session:
        head = session.execute(select(Handover, Staff.name).join(Staff, Staff.id == Handover.handed_by_id)
                               .where(Handover.id == handover_id)).first()
        if head is None:
            return None
        handover, handed_by = head
        items = session.execute(select(HandoverItem).where(HandoverItem.handover_id == handover_id)
                                .order_by(HandoverItem.position, HandoverItem.id)).scalars().all()
        entries = session.execute(
            select(HandoverEntry.id, HandoverEntry.at, Staff.name, HandoverEntry.kind, HandoverEntry.item_id,
                   HandoverEntry.text).join(Staff, Staff.id == HandoverEntry.staff_id)
            .where(HandoverEntry.handover_id == handover_id).order_by(HandoverEntry.at, HandoverEntry.id)).all()
    lines = tuple(Line(i.kind, ref=i.ref, text=i.detail, at=i.at, due_by=i.due_by, quantity=i.quantity,
                       amount_yuan=i.amount_yuan, flagged=i.flagged, section=i.section, id=i.id) for i in items)
    shift = shift_by_id(desk, handover.from_shift_id)
    return HandoverRecord(handover.id, handover.number, shift, handed_by, handover.handed_at, handover.unfinished,
                          lines, tuple(Entry(*e) for e in entries))


def handover_of_shift(desk: Desk, shift_id: int) -> int | None:
    with read_session(desk.engine) as session:
        return session.execute(select(Handover.id).where(Handover.from_shift_id == shift_id)).scalar()


def find_handover(desk: Desk, *, duty_date: date | None = None, kind: str | None = None) -> int | None:
    """The handover of the shift of this date (and kind: the latest of the date without one),
    or the latest handover of all without a date."""
    query = select(Handover.id).join(Shift, Shift.id == Handover.from_shift_id)
    if duty_date is not None:
        query = query.where(Shift.duty_date == duty_date)
    if kind is not None:
        query = query.where(Shift.kind == kind)
    with read_session(desk.engine) as session:
        return session.execute(query.order_by(Handover.handed_at.desc(), Handover.id.desc()).limit(1)).scalar()


def _list_query():
    ack, rev = aliased(HandoverEntry), aliased(HandoverEntry)
    ack_staff, rev_staff = aliased(Staff), aliased(Staff)
    return (select(Handover.id, Handover.number, Handover.handed_at, Shift.kind, Shift.duty_date, Staff.name,
                   ack_staff.name, rev_staff.name)
            .join(Shift, Shift.id == Handover.from_shift_id).join(Staff, Staff.id == Handover.handed_by_id)
            .join(ack, (ack.handover_id == Handover.id) & (ack.kind == ACKNOWLEDGE), isouter=True)
            .join(ack_staff, ack_staff.id == ack.staff_id, isouter=True)
            .join(rev, (rev.handover_id == Handover.id) & (rev.kind == REVIEW), isouter=True)
            .join(rev_staff, rev_staff.id == rev.staff_id, isouter=True))


def count_handovers(desk: Desk) -> int:
    with read_session(desk.engine) as session:
        return session.execute(select(func.count()).select_from(Handover)).scalar_one()


def fetch_handovers(desk: Desk, *, after: tuple[datetime, int] | None = None, offset: int = 0,
                    limit: int = PAGE_SIZE) -> list[HandoverRow]:
    with read_session(desk.engine) as session:
        rows = page(session, _list_query(), Handover.handed_at, Handover.id, after=after, offset=offset, limit=limit)
    return [HandoverRow(*row) for row in rows]


@dataclass(frozen=True)
class SupervisorChecks:
    """When a supervisor last reviewed a handover (checking its items), and how often lately."""

    last_at: datetime | None
    last_by: str | None
    in_month: int  # reviews in the 30 days before now
    wanted: int  # policy shift.supervisor_checks_per_month

    @property
    def short(self) -> bool:
        return self.in_month < self.wanted


def supervisor_checks(desk: Desk, *, now: datetime) -> SupervisorChecks:
    with read_session(desk.engine) as session:
        last = session.execute(
            select(HandoverEntry.at, Staff.name).join(Staff, Staff.id == HandoverEntry.staff_id)
            .where(HandoverEntry.kind == REVIEW).order_by(HandoverEntry.at.desc()).limit(1)).first()
        recent = session.execute(select(func.count()).select_from(HandoverEntry).where(
            HandoverEntry.kind == REVIEW, HandoverEntry.at > now - timedelta(days=30),
            HandoverEntry.at <= now)).scalar_one()
    return SupervisorChecks(last[0] if last else None, last[1] if last else None, recent,
                            desk.policy.shift.supervisor_checks_per_month)
