"""Read side of the complaint register: a window of rows at a time, and one complaint whole.

The register lists complaints newest first by (received_at, id), keyset paged
like the call log; the open ones only, by their next deadline, is the board's
part (deskapp.services.open_matters). A record is the complaint with its
timeline and every clock, met, missed or running (deskapp.core.complaint_clocks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, literal, select, tuple_

from deskapp.core.codes import OPEN_COMPLAINT_STATUSES
from deskapp.core.complaint_clocks import Clock, ComplaintTimes, clocks_of
from deskapp.core.paging import PAGE_SIZE
from deskapp.errors import NotFound
from deskapp.services.desk import Desk
from deskapp.storage.engine import read_session
from deskapp.storage.models import Call, Complaint, ComplaintStep, Department, Staff
from deskapp.storage.types import UTCDateTime


@dataclass(frozen=True)
class ComplaintRow:
    id: int
    number: str
    received_at: datetime
    channel: str
    severity: str
    status: str
    customer_name: str
    phone: str
    unit_code: str
    subject: str
    description: str
    owner: str
    next_clock: str
    next_due_by: datetime | None
    version: int

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.received_at, self.id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES


_COLUMNS = (Complaint.id, Complaint.number, Complaint.received_at, Complaint.channel, Complaint.severity,
            Complaint.status, Complaint.customer_name, Complaint.phone, Complaint.unit_code, Complaint.subject,
            Complaint.description, Staff.name, Complaint.next_clock, Complaint.next_due_by, Complaint.version)


def _conditions(open_only: bool) -> list:
    return [Complaint.status.in_(OPEN_COMPLAINT_STATUSES)] if open_only else []


def count_complaints(desk: Desk, *, open_only: bool = False) -> int:
    with read_session(desk.engine) as session:
        return session.execute(select(func.count()).select_from(Complaint).where(*_conditions(open_only))).scalar_one()


def fetch_complaints(desk: Desk, *, after: tuple[datetime, int] | None = None, offset: int = 0,
                     limit: int = PAGE_SIZE, open_only: bool = False) -> list[ComplaintRow]:
    """Newest first: those older than `after` (keyset), else from `offset`."""
    with read_session(desk.engine) as session:
        query = select(*_COLUMNS).join(Staff, Complaint.owner_id == Staff.id).where(*_conditions(open_only))
        if after is not None:
            at, row_id = after
            query = query.where(tuple_(Complaint.received_at, Complaint.id)
                                < tuple_(literal(at, UTCDateTime()), literal(row_id)))
        elif offset:
            query = query.offset(offset)
        query = query.order_by(Complaint.received_at.desc(), Complaint.id.desc()).limit(limit)
        return [ComplaintRow(*row) for row in session.execute(query)]


@dataclass(frozen=True)
class Step:
    at: datetime
    staff: str
    step: str
    note: str
    detail: dict


@dataclass(frozen=True)
class ComplaintRecord:
    """One complaint whole: every stored field, its timeline (oldest first) and its clocks at `now`."""

    row: dict
    owner: str
    department: str
    call_number: str
    steps: tuple[Step, ...]
    clocks: tuple[Clock, ...]

    def __getattr__(self, name: str):
        try:
            return self.row[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def loss(self) -> Decimal:
        return Decimal(self.row["loss_yuan"] or 0)


def complaint_record(desk: Desk, complaint_id: int, *, now: datetime) -> ComplaintRecord:
    with read_session(desk.engine) as session:
        found = session.execute(select(Complaint.__table__).where(Complaint.id == complaint_id)).mappings().first()
        if found is None:
            raise NotFound("complaint.no_such", id=complaint_id)
        row = dict(found)
        owner = session.execute(select(Staff.name).where(Staff.id == row["owner_id"])).scalar() or ""
        department = ""
        if row["department_id"] is not None:
            department = session.execute(select(Department.name).where(Department.id == row["department_id"])
                                         ).scalar() or ""
        call_number = ""
        if row["call_id"] is not None:
            call_number = session.execute(select(Call.number).where(Call.id == row["call_id"])).scalar() or ""
        steps = session.execute(
            select(ComplaintStep.at, Staff.name, ComplaintStep.step, ComplaintStep.note, ComplaintStep.detail)
            .join(Staff, Staff.id == ComplaintStep.staff_id)
            .where(ComplaintStep.complaint_id == complaint_id)
            .order_by(ComplaintStep.at, ComplaintStep.id)).all()
    times = ComplaintTimes(**{f.name: row.get(f.name) for f in fields(ComplaintTimes)})
    return ComplaintRecord(row, owner, department, call_number,
                           tuple(Step(at, who, step, note, json.loads(detail or "{}"))
                                 for at, who, step, note, detail in steps),
                           tuple(clocks_of(times, now, desk.tz)))


def complaint_of_call(desk: Desk, call_id: int) -> int | None:
    """The complaint a call became, if any."""
    with read_session(desk.engine) as session:
        return session.execute(select(Complaint.id).where(Complaint.call_id == call_id)
                               .order_by(Complaint.id).limit(1)).scalar()
