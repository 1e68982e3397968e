"""Read side of the duty log (值班日志): newest first across shifts, searchable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from deskapp.core.paging import PAGE_SIZE
from deskapp.services.desk import Desk
from deskapp.services.shifts import LogEntry
from deskapp.services.small_registers import count, page, search_condition
from deskapp.storage.engine import read_session
from deskapp.storage.models import DutyLogEntry, Shift, Staff

_COLUMNS = (DutyLogEntry.id, DutyLogEntry.at, DutyLogEntry.what, DutyLogEntry.action, DutyLogEntry.major,
            Staff.name, Shift.number)


def _conds(search: str, shift_id: int | None) -> list:
    conds = []
    found = search_condition(search, words=(DutyLogEntry.what, DutyLogEntry.action))
    if found is not None:
        conds.append(found)
    if shift_id is not None:
        conds.append(DutyLogEntry.shift_id == shift_id)
    return conds


def count_entries(desk: Desk, *, search: str = "", shift_id: int | None = None) -> int:
    with read_session(desk.engine) as session:
        return count(session, DutyLogEntry, _conds(search, shift_id))


def fetch_entries(desk: Desk, *, search: str = "", shift_id: int | None = None,
                  after: tuple[datetime, int] | None = None, offset: int = 0, limit: int = PAGE_SIZE) -> list[LogEntry]:
    query = (select(*_COLUMNS).join(Staff, Staff.id == DutyLogEntry.staff_id)
             .join(Shift, Shift.id == DutyLogEntry.shift_id).where(*_conds(search, shift_id)))
    with read_session(desk.engine) as session:
        rows = page(session, query, DutyLogEntry.at, DutyLogEntry.id, after=after, offset=offset, limit=limit)
    return [LogEntry(*row) for row in rows]
