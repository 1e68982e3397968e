"""Read side of the return-visit queues (回访队列): visits still due, by due time.

Only visits with status 'due' are listed, read through the partial index
ix_return_visit_queue (due_by, id), so the queue costs the same among 200,000
finished visits as among none. "Mine" is what the person signed in is to do:
visits named for them, and visits for their role group nobody was named for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, literal, or_, select, tuple_

from deskapp.core.paging import PAGE_SIZE
from deskapp.services.desk import Desk
from deskapp.services.roles import Actor
from deskapp.storage.engine import read_session
from deskapp.storage.models import ReturnVisit, Staff
from deskapp.storage.types import UTCDateTime

# The role group a person's visits are planned for (core.visit_rules.VISITOR_ROLES).
_GROUP = {"receptionist": "receptionist", "concierge": "receptionist", "supervisor": "supervisor",
          "manager": "manager", "gm": "manager"}

_V = ReturnVisit.__table__


@dataclass(frozen=True)
class VisitRow:
    """One visit on the queue, as the list and the visit form show it."""

    id: int
    number: str
    kind: str
    source_number: str
    stage: str
    unit_code: str
    phone: str
    customer_name: str
    completed_at: datetime | None
    due_on: date
    due_by: datetime
    due_warning: str
    assigned_role: str
    assigned_to: str
    attempts: int
    next_attempt_at: datetime | None
    method: str
    status: str
    complaint_id: int | None
    slip_id: int | None
    group: str = ""  # overdue|today|next|later, set by the queue for the site's today

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.due_by, self.id)


_COLUMNS = (_V.c.id, _V.c.number, _V.c.kind, _V.c.source_number, _V.c.stage, _V.c.unit_code, _V.c.phone,
            _V.c.customer_name, _V.c.completed_at, _V.c.due_on, _V.c.due_by, _V.c.due_warning, _V.c.assigned_role,
            func.coalesce(Staff.name, ""), _V.c.attempts, _V.c.next_attempt_at, _V.c.method, _V.c.status,
            _V.c.complaint_id, _V.c.slip_id)


def _where(mine: Actor | None):
    due = [_V.c.status == "due"]
    if mine is not None:
        group = _GROUP.get(mine.role, mine.role)
        due.append(or_(_V.c.assigned_to_id == mine.id,
                       and_(_V.c.assigned_to_id.is_(None), _V.c.assigned_role == group)))
    return and_(*due)


def count_queue(desk: Desk, mine: Actor | None = None) -> int:
    with read_session(desk.engine) as session:
        return session.execute(select(func.count()).select_from(_V).where(_where(mine))).scalar_one()


def fetch_queue(desk: Desk, mine: Actor | None = None, *, after: tuple[datetime, int] | None = None,
                offset: int = 0, limit: int = PAGE_SIZE) -> list[VisitRow]:
    """Visits due, soonest (most overdue) first: after a key, else from an offset."""
    query = (select(*_COLUMNS).select_from(_V.outerjoin(Staff, _V.c.assigned_to_id == Staff.id))
             .where(_where(mine)))
    if after is not None:
        due, row_id = after
        query = query.where(tuple_(_V.c.due_by, _V.c.id) > tuple_(literal(due, UTCDateTime()), literal(row_id)))
    elif offset:
        query = query.offset(offset)
    query = query.order_by(_V.c.due_by.asc(), _V.c.id.asc()).limit(limit)
    with read_session(desk.engine) as session:
        return [VisitRow(*row) for row in session.execute(query)]


def visit_by_id(desk: Desk, visit_id: int) -> VisitRow | None:
    query = (select(*_COLUMNS).select_from(_V.outerjoin(Staff, _V.c.assigned_to_id == Staff.id))
             .where(_V.c.id == visit_id))
    with read_session(desk.engine) as session:
        row = session.execute(query).first()
    return VisitRow(*row) if row is not None else None
