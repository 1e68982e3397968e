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

from deskapp.core.paging import PAGE_SIZE as PAGE
from deskapp.core.text import phone_digits_if_phone, unit_code_if_unit
from deskapp.errors import InputError
from deskapp.services.desk import Desk
from deskapp.storage.engine import is_sqlite, read_session
from deskapp.storage.models import Call, Staff
from deskapp.storage.types import UTCDateTime

# Above this many FTS hits a search page walks ix_call_at_id newest first and probes
# the hit list (stops after a page of hits) instead of fetching every hit and sorting
# it. 1M calls: 15k-38k hits 5-7 ms instead of 66-165 ms; a rare term the other way
# round (0.1 ms instead of 100+ ms), hence the switch on a cheap FTS count.
FTS_SCAN_FROM = 2_000
_FTS_IDS = "SELECT rowid FROM call_fts WHERE call_fts MATCH :q"


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


def _fts_phrase(desk: Desk, f: CallFilter) -> str | None:
    """The FTS5 MATCH expression when this filter's search goes through call_fts, else None."""
    q = (f.search or "").strip()
    if not q or not is_sqlite(desk.engine) or unit_code_if_unit(q):
        return None
    digits = phone_digits_if_phone(q)
    if digits is not None:
        # a phone typed in groups: its digits, in the phone column only (LIKE '%…%' scanned 1M rows: 330 ms)
        return f'phone : "{digits}"' if len(digits) >= 3 else None
    return '"' + q.replace('"', '""') + '"' if len(q) >= 3 else None


def _fts_hits(session, phrase: str) -> int:
    return session.execute(sql_text("SELECT count(*) FROM call_fts WHERE call_fts MATCH :q"),
                           {"q": phrase}).scalar_one()


def _conditions(desk: Desk, f: CallFilter, *, fts_scan: bool = False) -> list:
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
        phrase = _fts_phrase(desk, f)
        if unit:
            conds.append(Call.unit_code == unit)
        elif phrase is not None:
            if fts_scan:  # unary + : not an index lookup by id, a membership probe while walking (at, id)
                conds.append(sql_text(f"+call.id IN ({_FTS_IDS})").bindparams(q=phrase))
            else:
                conds.append(Call.id.in_(sql_text(_FTS_IDS).bindparams(q=phrase)))
        elif digits:
            conds.append(Call.phone.contains(digits, autoescape=True))
        else:
            conds.append(or_(*(col.contains(q, autoescape=True) for col in
                               (Call.phone, Call.unit_code, Call.caller_name, Call.content, Call.reply))))
    return conds


def _rows(result) -> list[CallRow]:
    return [CallRow(*r) for r in result]


def count_calls(desk: Desk, f: CallFilter = CallFilter(), *, cap: int | None = None) -> int:
    """How many calls match; with `cap`, counting stops at cap + 1 (show it as "cap+").

    A 1-2 character search scans the table: 1M calls 0.65 s uncapped, ~0.14 s
    capped at 10,000 for a common character.
    """
    phrase = _fts_phrase(desk, f)
    with read_session(desk.engine) as session:
        if phrase is not None and not (f.start or f.end or f.category or f.channel):
            # call_fts holds exactly one row per call (external content, kept by triggers)
            n = _fts_hits(session, phrase)
            return n if cap is None else min(n, cap + 1)
        conds = _conditions(desk, f)
        if cap is None:
            query = select(func.count()).select_from(Call).where(*conds)
        else:
            query = select(func.count()).select_from(select(Call.id).where(*conds).limit(cap + 1).subquery())
        return session.execute(query).scalar_one()


def _key_at(session, conds: list, offset: int, *, newest_first: bool):
    """(at, id) of the row `offset` rows from one end, read from the (at, id) index alone."""
    order = (Call.at.desc(), Call.id.desc()) if newest_first else (Call.at.asc(), Call.id.asc())
    row = session.execute(select(Call.at, Call.id).where(*conds).order_by(*order).offset(offset).limit(1)).first()
    return None if row is None else (literal(row[0], UTCDateTime()), literal(row[1]))


def fetch_calls(desk: Desk, f: CallFilter = CallFilter(), *, after: tuple[datetime, int] | None = None,
                offset: int = 0, limit: int = PAGE) -> list[CallRow]:
    """Rows newest first: those older than `after` (keyset), else from `offset`."""
    if after is not None and after[0].tzinfo is None:
        raise ValueError("a keyset key must be timezone-aware")
    phrase = _fts_phrase(desk, f)
    with read_session(desk.engine) as session:
        conds = _conditions(desk, f, fts_scan=phrase is not None and _fts_hits(session, phrase) > FTS_SCAN_FROM)
        query = select(*_COLUMNS).join(Staff, Call.owner_id == Staff.id).where(*conds)
        if after is not None:
            at, row_id = after
            query = query.where(tuple_(Call.at, Call.id) < tuple_(literal(at, UTCDateTime()), literal(row_id)))
        elif offset:
            # OFFSET over whole joined rows reads every skipped row (1M calls, middle: 120-190 ms);
            # over the (at, id) index alone, then a keyset page from there: ~20 ms.
            key = _key_at(session, conds, offset, newest_first=True)
            if key is None:
                return []
            query = query.where(tuple_(Call.at, Call.id) <= tuple_(*key))
        query = query.order_by(Call.at.desc(), Call.id.desc()).limit(limit)
        return _rows(session.execute(query))


def fetch_calls_from_oldest(desk: Desk, f: CallFilter = CallFilter(), *, offset: int = 0,
                            limit: int = PAGE) -> list[CallRow]:
    """The `limit` rows ending `offset` rows before the oldest, returned newest first (a cheap jump to the end)."""
    phrase = _fts_phrase(desk, f)
    with read_session(desk.engine) as session:
        conds = _conditions(desk, f, fts_scan=phrase is not None and _fts_hits(session, phrase) > FTS_SCAN_FROM)
        query = select(*_COLUMNS).join(Staff, Call.owner_id == Staff.id).where(*conds)
        if offset:
            key = _key_at(session, conds, offset, newest_first=False)
            if key is None:
                return []
            query = query.where(tuple_(Call.at, Call.id) >= tuple_(*key))
        rows = _rows(session.execute(query.order_by(Call.at.asc(), Call.id.asc()).limit(limit)))
    rows.reverse()
    return rows


def fetch_window(desk: Desk, f: CallFilter, start: int, total: int, limit: int = PAGE) -> list[CallRow]:
    """Rows [start, start+limit) of the newest-first list, by OFFSET from the nearer end."""
    start = max(0, min(start, max(0, total - 1)))
    end = min(total, start + limit)
    if start <= total - end:
        return fetch_calls(desk, f, offset=start, limit=end - start)
    return fetch_calls_from_oldest(desk, f, offset=total - end, limit=end - start)
