"""Read side of the call log: a window of rows at a time, never a whole table.

Rows are ordered newest first by (at, id). The list pages with a key (the
last row's (at, id)); a jump far away uses OFFSET from whichever end is
nearer. Search: 3+ characters go through the FTS5 trigram index (SQLite);
shorter ones scan the base table, newest first, stopping when the page fills.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, literal, or_, select, tuple_
from sqlalchemy import text as sql_text

from deskapp.core.text import phone_digits_if_phone, unit_code_if_unit
from deskapp.errors import InputError
from deskapp.services.desk import Desk
from deskapp.storage.engine import is_sqlite, read_session
from deskapp.storage.models import Call, Staff
from deskapp.storage.types import UTCDateTime

PAGE = 100


@dataclass(frozen=True)
class CallFilter:
    start: date | None = None  # local dates, inclusive
    end: date | None = None
    category: str | None = None
    channel: str | None = None
    search: str = ""


@dataclass(frozen=True)
class CallRow:
    id: int
    number: str
    at: datetime
    channel: str
    category: str
    caller_name: str
    phone: str
    unit_code: str
    content: str
    reply: str
    owner: str
    status: str
    due_by: datetime | None
    flagged: str

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.at, self.id)


_COLUMNS = (Call.id, Call.number, Call.at, Call.channel, Call.category, Call.caller_name, Call.phone,
            Call.unit_code, Call.content, Call.reply, Staff.name, Call.status, Call.due_by, Call.flagged_phrases)


def _conditions(desk: Desk, f: CallFilter) -> list:
    if f.start and f.end and f.start > f.end:
        raise InputError("err.date_order")
    conds = []
    if f.start:
        conds.append(Call.at >= datetime.combine(f.start, time(), desk.tz))
    if f.end:
        conds.append(Call.at < datetime.combine(f.end + timedelta(days=1), time(), desk.tz))
    if f.category:
        conds.append(Call.category == f.category)
    if f.channel:
        conds.append(Call.channel == f.channel)
    q = (f.search or "").strip()
    if q:
        # A query that is a unit ('3-2-1201') or a phone typed in groups is
        # searched in its stored normal form; anything else exactly as typed.
        unit = unit_code_if_unit(q)
        digits = phone_digits_if_phone(q)
        if unit:
            conds.append(Call.unit_code == unit)
        elif digits:
            conds.append(Call.phone.contains(digits, autoescape=True))
        elif is_sqlite(desk.engine) and len(q) >= 3:
            phrase = '"' + q.replace('"', '""') + '"'
            conds.append(Call.id.in_(sql_text("SELECT rowid FROM call_fts WHERE call_fts MATCH :q").bindparams(q=phrase)))
        else:
            conds.append(or_(*(col.contains(q, autoescape=True) for col in
                               (Call.phone, Call.unit_code, Call.caller_name, Call.content, Call.reply))))
    return conds


def _rows(result) -> list[CallRow]:
    return [CallRow(*r) for r in result]


def count_calls(desk: Desk, f: CallFilter = CallFilter()) -> int:
    query = select(func.count()).select_from(Call).where(*_conditions(desk, f))
    with read_session(desk.engine) as session:
        return session.execute(query).scalar_one()


def fetch_calls(desk: Desk, f: CallFilter = CallFilter(), *, after: tuple[datetime, int] | None = None,
                offset: int = 0, limit: int = PAGE) -> list[CallRow]:
    """Rows newest first: those older than `after` (keyset), else from `offset`."""
    query = select(*_COLUMNS).join(Staff, Call.owner_id == Staff.id).where(*_conditions(desk, f))
    if after is not None:
        at, row_id = after
        if at.tzinfo is None:
            raise ValueError("a keyset key must be timezone-aware")
        query = query.where(tuple_(Call.at, Call.id) < tuple_(literal(at, UTCDateTime()), literal(row_id)))
    elif offset:
        query = query.offset(offset)
    query = query.order_by(Call.at.desc(), Call.id.desc()).limit(limit)
    with read_session(desk.engine) as session:
        return _rows(session.execute(query))


def fetch_calls_from_oldest(desk: Desk, f: CallFilter = CallFilter(), *, offset: int = 0,
                            limit: int = PAGE) -> list[CallRow]:
    """The `limit` rows ending `offset` rows before the oldest, returned newest first (a cheap jump to the end)."""
    query = (select(*_COLUMNS).join(Staff, Call.owner_id == Staff.id).where(*_conditions(desk, f))
             .order_by(Call.at.asc(), Call.id.asc()).offset(offset).limit(limit))
    with read_session(desk.engine) as session:
        rows = _rows(session.execute(query))
    rows.reverse()
    return rows


def fetch_window(desk: Desk, f: CallFilter, start: int, total: int, limit: int = PAGE) -> list[CallRow]:
    """Rows [start, start+limit) of the newest-first list, by OFFSET from the nearer end."""
    start = max(0, min(start, max(0, total - 1)))
    end = min(total, start + limit)
    if start <= total - end:
        return fetch_calls(desk, f, offset=start, limit=end - start)
    return fetch_calls_from_oldest(desk, f, offset=total - end, limit=end - start)
