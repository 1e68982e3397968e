"""Read side of the visitor register: newest first, searchable by unit, phone and name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from deskapp.core.paging import PAGE_SIZE
from deskapp.services.desk import Desk
from deskapp.services.small_registers import count, page, search_condition
from deskapp.storage.engine import read_session
from deskapp.storage.models import Staff, Visitor


@dataclass(frozen=True)
class VisitorRow:
    id: int
    at: datetime
    visitor_name: str
    id_checked: bool
    phone: str
    host_unit: str
    host_name: str
    appointment: bool
    host_called: bool
    allowed: bool
    message: str
    staff: str

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.at, self.id)


def _conds(search: str) -> list:
    found = search_condition(search, phone=Visitor.phone, unit=Visitor.host_unit,
                             words=(Visitor.visitor_name, Visitor.host_name, Visitor.message))
    return [] if found is None else [found]


def count_visitors(desk: Desk, *, search: str = "") -> int:
    with read_session(desk.engine) as session:
        return count(session, Visitor, _conds(search))


def fetch_visitors(desk: Desk, *, search: str = "", after: tuple[datetime, int] | None = None, offset: int = 0,
                   limit: int = PAGE_SIZE) -> list[VisitorRow]:
    query = (select(Visitor.id, Visitor.at, Visitor.visitor_name, Visitor.id_checked, Visitor.phone, Visitor.host_unit,
                    Visitor.host_name, Visitor.appointment, Visitor.host_called, Visitor.allowed, Visitor.message,
                    Staff.name)
             .join(Staff, Staff.id == Visitor.staff_id).where(*_conds(search)))
    with read_session(desk.engine) as session:
        rows = page(session, query, Visitor.at, Visitor.id, after=after, offset=offset, limit=limit)
    return [VisitorRow(*row) for row in rows]
