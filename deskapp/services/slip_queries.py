"""Read side of the dispatch slips: the dispatch board, one slip with its steps.

The board lists open slips (not closed, not refused) by department, then
technician, then number, read by key through the partial index
ix_dispatch_slip_board (migration 0008): only the open rows are in it, so a
page costs the same among 1,000 slips or 200,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, literal, select, text, tuple_

from deskapp.core.paging import PAGE_SIZE
from deskapp.core.slip_codes import CLOSED
from deskapp.errors import NotFound
from deskapp.services.desk import Desk
from deskapp.storage.engine import read_session
from deskapp.storage.models import Department, DispatchSlip, SlipStep, Staff

# Written out as the partial indexes' own condition (migration 0008): SQLite uses a partial
# index only when the query states its WHERE term literally, not with bound parameters
# (with `status NOT IN (?, ?)` the board read all 200,000 slips: 450 ms instead of 1 ms).
_OPEN = OPEN_SLIP = text("dispatch_slip.status NOT IN ('closed', 'refused')")
assert CLOSED == ("closed", "refused")


@dataclass(frozen=True)
class BoardRow:
    """One open slip on the dispatch board."""

    id: int
    number: str
    created_at: datetime
    department_id: int
    department: str
    technician: str
    unit_code: str
    item: str
    status: str
    due_kind: str
    due_by: datetime | None
    accepted_at: datetime | None
    fee_agreed_at: datetime | None
    under_warranty: bool

    @property
    def key(self) -> tuple[int, str, int]:
        return (self.department_id, self.technician, self.id)

    @property
    def clock_since(self) -> datetime | None:
        """When the running clock's window opened (for the countdown's warning share)."""
        if self.due_kind == "notify":
            return self.created_at
        if self.due_kind == "on_site" and self.fee_agreed_at is not None:
            return self.fee_agreed_at
        return self.accepted_at


_BOARD = (DispatchSlip.id, DispatchSlip.number, DispatchSlip.created_at, DispatchSlip.department_id, Department.name,
          DispatchSlip.technician, DispatchSlip.unit_code, DispatchSlip.item, DispatchSlip.status,
          DispatchSlip.due_kind, DispatchSlip.due_by, DispatchSlip.accepted_at, DispatchSlip.fee_agreed_at,
          DispatchSlip.under_warranty)


def count_board(desk: Desk) -> int:
    with read_session(desk.engine) as session:
        # Still walks the status index on SQLite (about 30 ms at 200,000 slips): see bench_slips.py.
        return session.execute(select(func.count()).select_from(DispatchSlip).where(_OPEN)).scalar_one()


def fetch_board(desk: Desk, *, after: tuple[int, str, int] | None = None, offset: int = 0,
                limit: int = PAGE_SIZE) -> list[BoardRow]:
    """Open slips by department, technician and id: after a key, else from an offset."""
    query = select(*_BOARD).join(Department, DispatchSlip.department_id == Department.id).where(_OPEN)
    if after is not None:
        dept, tech, row_id = after
        query = query.where(tuple_(DispatchSlip.department_id, DispatchSlip.technician, DispatchSlip.id)
                            > tuple_(literal(dept), literal(tech), literal(row_id)))
    elif offset:
        query = query.offset(offset)
    query = query.order_by(DispatchSlip.department_id, DispatchSlip.technician, DispatchSlip.id).limit(limit)
    with read_session(desk.engine) as session:
        return [BoardRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class Step:
    step: str
    at: datetime
    staff: str  # who recorded it at the desk
    person: str  # who did it
    note: str
    amount_yuan: Decimal | None


@dataclass(frozen=True)
class SlipRecord:
    """A whole slip as the record screen and the printed copies show it."""

    id: int
    number: str
    created_at: datetime
    call_id: int | None
    complaint_id: int | None
    customer_name: str
    unit_code: str
    phone: str
    item: str
    appointment_at: datetime | None
    photos: tuple[str, ...]
    chargeable: bool
    fee_item: str
    fee_yuan: Decimal
    in_fee_schedule: bool
    under_warranty: bool
    department: str
    department_phone: str
    technician: str
    work_done: str
    work_fee_yuan: Decimal | None
    materials: str
    materials_check: str
    remarks: str
    customer_signed: bool
    signed_at: datetime | None
    owner: str
    status: str
    due_kind: str
    due_by: datetime | None
    refused_reason: str
    refused_by: str
    fee_collected: bool
    payment_method: str
    fee_collected_yuan: Decimal | None
    printed_count: int
    steps: tuple[Step, ...]
    accepted_at: datetime | None = None
    fee_agreed_at: datetime | None = None

    @property
    def clock_since(self) -> datetime | None:
        """When the running clock's window opened (for the countdown's warning share)."""
        if self.due_kind == "notify":
            return self.created_at
        if self.due_kind == "on_site" and self.fee_agreed_at is not None:
            return self.fee_agreed_at
        return self.accepted_at

    @property
    def fee_due(self) -> Decimal:
        """What the customer pays: the actual fee when it differs, else the slip's fee; nothing when free."""
        if not self.chargeable:
            return Decimal(0)
        return self.work_fee_yuan if self.work_fee_yuan is not None else self.fee_yuan

    @property
    def notes(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.step == "note")


def get_slip(desk: Desk, slip_id: int) -> SlipRecord:
    with read_session(desk.engine) as session:
        row = session.execute(
            select(DispatchSlip, Department.name, Department.phone, Staff.name)
            .join(Department, DispatchSlip.department_id == Department.id, isouter=True)
            .join(Staff, DispatchSlip.owner_id == Staff.id)
            .where(DispatchSlip.id == slip_id)).first()
        if row is None:
            raise NotFound("slip.err.no_such_slip", id=slip_id)
        slip, dept, dept_phone, owner = row
        steps = session.execute(
            select(SlipStep.step, SlipStep.at, Staff.name, SlipStep.person, SlipStep.note, SlipStep.amount_yuan)
            .join(Staff, SlipStep.staff_id == Staff.id)
            .where(SlipStep.slip_id == slip_id).order_by(SlipStep.id)).all()
    return SlipRecord(
        slip.id, slip.number, slip.created_at, slip.call_id, slip.complaint_id, slip.customer_name, slip.unit_code,
        slip.phone, slip.item, slip.appointment_at, tuple(p for p in slip.photos.splitlines() if p),
        slip.chargeable, slip.fee_item, slip.fee_yuan, slip.in_fee_schedule, slip.under_warranty, dept or "",
        dept_phone or "", slip.technician, slip.work_done, slip.work_fee_yuan, slip.materials, slip.materials_check,
        slip.remarks, slip.customer_signed, slip.signed_at, owner, slip.status, slip.due_kind, slip.due_by,
        slip.refused_reason, slip.refused_by, slip.fee_collected, slip.payment_method, slip.fee_collected_yuan,
        slip.printed_count, tuple(Step(*s) for s in steps), slip.accepted_at, slip.fee_agreed_at)


def slip_id_by_number(desk: Desk, number: str) -> int:
    """A slip's id from its number as printed (派工-2026-000123); NotFound names it."""
    with read_session(desk.engine) as session:
        found = session.execute(select(DispatchSlip.id).where(DispatchSlip.number == number.strip())).scalar()
    if found is None:
        raise NotFound("slip.err.no_such_number", number=number.strip()[:40])
    return found


def slip_for_call(desk: Desk, call_id: int) -> int | None:
    """The slip a call became, if any."""
    with read_session(desk.engine) as session:
        return session.execute(select(DispatchSlip.id).where(DispatchSlip.call_id == call_id)
                               .order_by(DispatchSlip.id).limit(1)).scalar()


def fee_item_choices(desk: Desk, typed: str = "", limit: int = 50) -> list:
    """The fee schedule's items for the issue form's picker: name, with unit price and department beside it."""
    from deskapp.core.parse import format_yuan
    from deskapp.services.reference_queries import Choice, filter_choices
    from deskapp.services.slips import slip_data

    items = [Choice(item.name, item.name, f"{format_yuan(item.price_yuan)} {item.department}")
             for item in slip_data(desk).fees.item]
    return filter_choices(items, typed, limit)
