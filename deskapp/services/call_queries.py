"""Read side of the call log: a window of rows at a time, never a whole table.

Rows are ordered newest first by (at, id). The list pages with a key (the
last row's (at, id)); a jump far away uses OFFSET from whichever end is
nearer.

Search (the rule and the indexes: deskapp.core.search_text): every word must
be found, in any order. On SQLite a search on its own is *driven* by one
index — the word index when any word has a phrase there, else the digit
index — read newest id first, the words it does not answer exactly checked
on each row. Index order is id order, i.e. the order calls were written, and
a back-dated call (logged later with an earlier time) breaks it, while the
list must come in (at, id) order. So a page takes the first n hits by id,
orders them by (at, id), and keeps the page only when no call with a smaller
id can be newer than its last row: the newest `at` among calls below the
n-th hit (read from the (at, id) index) must not be after that row's.
Otherwise n grows fourfold. With calls logged in time order the first try
holds; a block of back-dated calls (an import) costs more tries, and past
FALLBACK_HITS the page is read the other way round. A search with few hits
takes them all and sorts them.

A category or channel is checked on each hit like a word. The other way
round — also for a search with a date range: walk (at, id) newest first and
keep the rows among the search's hits (exact by construction; it
materialises the hit list, up to ~0.1 s for a word in nearly every call at
1,000,000 calls). A unit word is answered by the
unit's own index (ix_call_unit_at) with every other word checked on its few
hundred rows; words of one or two digits alone, by the rows themselves,
newest first (digits are in nearly every call, so a page fills at once).
On PostgreSQL each word is narrowed by its index (a phrase query on the
search_words tsvector, or LIKE on the pg_trgm digit runs; storage.search_index)
and checked on the row; the planner chooses between walking (at, id) and
reading the hits, so one plain query serves every page.

A search's count for the list stops at COUNT_CAP + 1 (shown as "10,000+");
the list then reaches its first 10,001 rows, and never counts from the oldest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import cast, column, func, literal, literal_column, or_, select, table, tuple_
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy import text as sql_text

from deskapp.core.paging import PAGE_SIZE as PAGE
from deskapp.core.search_text import SearchWord, search_words
from deskapp.errors import InputError
from deskapp.services.desk import Desk
from deskapp.storage.engine import is_sqlite, read_session
from deskapp.storage.models import Call, Staff
from deskapp.storage.search_index import (DIGITS, PG_DIGITS, PG_WORDS, WORDS, fts5_digits, fts5_phrase,
                                          pg_digits_pattern, pg_tsquery)
from deskapp.storage.types import UTCDateTime

COUNT_CAP = 10_000
# With more hits than this, the other-way-round page walks ix_call_at_id newest first
# and probes the hit list instead of fetching every hit and sorting it.
FTS_SCAN_FROM = 2_000
# A search with at most this many hits takes them all and sorts them (a few ms).
ALL_HITS = 2_000
# A driven page that would need more than this many hits is read the other way round.
FALLBACK_HITS = 40_000
_SEARCHED = (Call.caller_name, Call.phone, Call.unit_code, Call.content, Call.reply)
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"


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


# ------------------------------------------------------------------ search ---


@dataclass(frozen=True)
class _Search:
    """A filter's search as SQL: the index that drives it (if any) and the checks on each row."""

    nothing: bool  # a word that can match no stored text
    driver: str | None  # WORDS or DIGITS (SQLite), or None: walk (at, id) or a unit's index
    match: str | None  # the driver's MATCH expression
    checks: tuple  # what every row must also meet: the words the driver does not answer exactly


def _holds(desk: Desk, w: SearchWord):
    """The row holds the text word itself, in one of the searched columns (exact)."""
    if is_sqlite(desk.engine):
        # SQLite's lower() folds ASCII only: the search's case rule. A word without
        # letters is the same either way, and instr without lower() copies nothing.
        folds = any("a" <= c <= "z" for c in w.text)
        return or_(*(func.instr(func.lower(c) if folds else c, w.text) > 0 for c in _SEARCHED))
    # PostgreSQL's lower() folds every script: translate folds ASCII only, as the rule says.
    folds = any("a" <= c <= "z" for c in w.text)
    return or_(*(func.strpos(func.translate(c, _UPPER, _LOWER) if folds else c, w.text) > 0 for c in _SEARCHED))


def _check(desk: Desk, w: SearchWord):
    if w.unit is not None:
        return Call.unit_code == w.unit
    if w.phone is not None:
        if is_sqlite(desk.engine):
            return func.instr(Call.phone, w.phone) > 0
        return func.strpos(Call.phone, w.phone) > 0
    return _holds(desk, w)


def _search(desk: Desk, text: str) -> _Search | None:
    words = search_words(text)
    if not words:
        return None
    if any(w.unit is None and w.phone is None and w.text is None for w in words):
        return _Search(True, None, None, ())
    if desk.engine.dialect.name == "postgresql":
        return _Search(False, None, None, tuple(c for w in words for c in _pg_narrow(w) + [_check(desk, w)]))
    if not is_sqlite(desk.engine) or any(w.unit is not None for w in words):
        # A unit's own index (ix_call_unit_at) finds its few hundred calls newest first;
        # every other word is checked on those rows.
        return _Search(False, None, None, tuple(_check(desk, w) for w in words))
    phrases = [fts5_phrase(w.phrase) for w in words if w.phrase is not None]
    if phrases:
        # The word index answers every word with a phrase exactly unless the word must be
        # checked; a word for the digit index is checked on the row instead.
        return _Search(False, WORDS, " AND ".join(phrases),
                       tuple(_check(desk, w) for w in words if w.check or w.phrase is None))
    digits = [fts5_digits(w.digits, phone_only=w.phone is not None) for w in words if w.digits is not None]
    if digits:
        return _Search(False, DIGITS, " AND ".join(digits),
                       tuple(_check(desk, w) for w in words if w.check or w.digits is None))
    return _Search(False, None, None, tuple(_check(desk, w) for w in words))


def _pg_narrow(w: SearchWord) -> list:
    """PostgreSQL: what the word's index answers (a superset of its rows; the row check follows)."""
    if w.unit is not None:
        return []  # ix_call_unit_at answers the check itself
    if w.phrase is not None:
        return [literal_column(PG_WORDS).op("@@")(cast(literal(pg_tsquery(w.phrase)), TSQUERY))]
    if w.digits is not None:
        return [literal_column(PG_DIGITS).like(literal(pg_digits_pattern(w.digits)))]
    return []


def _fts(name: str):
    return table(name, column("rowid"))


def _hits(name: str, match: str):
    """The ids of an index's hits, as a subquery."""
    t = _fts(name)
    return select(t.c.rowid).where(literal_column(name).op("MATCH")(literal(match)))


def _capped_hits(session, name: str, match: str, cap: int) -> int:
    return session.execute(select(func.count()).select_from(_hits(name, match).limit(cap + 1).subquery())).scalar_one()


# ------------------------------------------------------- filter conditions ---


def _driven(s: _Search | None, f: CallFilter) -> bool:
    """The search's index drives the query: there is one, and no date range (a category or a
    channel is checked on each hit; a date range far back would make the hits dig deep)."""
    return s is not None and s.driver is not None and not (f.start or f.end)


def _hit_conditions(f: CallFilter) -> list:
    """A category and a channel checked on each hit of a driving index.

    The unary + keeps SQLite from reading ix_call_category_at instead and probing
    the index once per call of that category (1M calls: 0.4 s instead of 12 ms).
    """
    conds = []
    if f.category:
        conds.append(sql_text("+call.category = :hit_category").bindparams(hit_category=f.category))
    if f.channel:
        conds.append(sql_text("+call.channel = :hit_channel").bindparams(hit_channel=f.channel))
    return conds


def _filter_conditions(desk: Desk, f: CallFilter) -> list:
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
    return conds


def _walk_conditions(session, desk: Desk, f: CallFilter, s: _Search | None) -> list:
    """Every condition of the filter for a query that walks (at, id) or a unit's index."""
    conds = _filter_conditions(desk, f)
    if s is None:
        return conds
    if s.nothing:
        return conds + [literal(False)]
    conds += list(s.checks)
    if s.driver is None:
        return conds
    if _capped_hits(session, s.driver, s.match, FTS_SCAN_FROM) > FTS_SCAN_FROM:
        # Many hits: walk (at, id) newest first and probe the hit list, stopping after
        # a page of hits; the unary + keeps SQLite from looking rows up by id instead.
        conds.append(sql_text(f"+call.id IN (SELECT rowid FROM {s.driver} WHERE {s.driver} MATCH :hits_match)")
                     .bindparams(hits_match=s.match))
    else:
        conds.append(Call.id.in_(_hits(s.driver, s.match)))
    return conds


def _rows(result) -> list[CallRow]:
    return [CallRow(*r) for r in result]


# ------------------------------------------------------------------ counts ---


def count_calls(desk: Desk, f: CallFilter = CallFilter(), *, cap: int | None = None) -> int:
    """How many calls match; with `cap`, counting stops at cap + 1 (show it as "cap+")."""
    s = _search(desk, f.search)
    with read_session(desk.engine) as session:
        if s is not None and s.nothing:
            _filter_conditions(desk, f)  # a reversed date range is refused all the same
            return 0
        if _driven(s, f) and not (f.category or f.channel):
            # (With a category or channel the count walks that filter's rows instead: a
            # dense word in a rare category would otherwise read every hit, 0.2-0.6 s.)
            t = _fts(s.driver)
            hits = select(Call.id if s.checks else t.c.rowid).select_from(t)
            if s.checks:
                hits = hits.join(Call, Call.id == t.c.rowid).where(*s.checks)
            hits = hits.where(literal_column(s.driver).op("MATCH")(literal(s.match)))
            if cap is not None:
                hits = hits.limit(cap + 1)
            return session.execute(select(func.count()).select_from(hits.subquery())).scalar_one()
        conds = _walk_conditions(session, desk, f, s)
        if cap is None:
            query = select(func.count()).select_from(Call).where(*conds)
        else:
            query = select(func.count()).select_from(select(Call.id).where(*conds).limit(cap + 1).subquery())
        return session.execute(query).scalar_one()


def count_for_list(desk: Desk, f: CallFilter) -> int:
    """The list's count: a search's stops at COUNT_CAP + 1 ("10,000+"), the whole log is counted."""
    return count_calls(desk, f, cap=COUNT_CAP if (f.search or "").strip() else None)


def shown_count(f: CallFilter, total: int) -> str:
    """A count from count_for_list as the list shows it: a search's 10,001 reads "10,000+"."""
    capped = bool((f.search or "").strip()) and total > COUNT_CAP
    return f"{COUNT_CAP:,}+" if capped else f"{total:,}"


# ------------------------------------------------------------------- pages ---


def _key_at(session, conds: list, offset: int, *, newest_first: bool):
    """(at, id) of the row `offset` rows from one end, read from the (at, id) index alone."""
    order = (Call.at.desc(), Call.id.desc()) if newest_first else (Call.at.asc(), Call.id.asc())
    row = session.execute(select(Call.at, Call.id).where(*conds).order_by(*order).offset(offset).limit(1)).first()
    return None if row is None else (literal(row[0], UTCDateTime()), literal(row[1]))


def _after(after: tuple[datetime, int]):
    at, row_id = after
    return tuple_(Call.at, Call.id) < tuple_(literal(at, UTCDateTime()), literal(row_id))


def _newest_below(session, below_id: int) -> datetime | None:
    """The newest `at` among calls with an id below this one (the (at, id) index, newest first)."""
    # The unary + keeps SQLite on ix_call_at_id instead of a range of the table by id.
    return session.execute(select(Call.at).where(sql_text("+call.id < :below").bindparams(below=below_id))
                           .order_by(Call.at.desc(), Call.id.desc()).limit(1)).scalar()


def _driven_page(session, s: _Search, checks: list, *, after, offset: int, limit: int) -> list[CallRow] | None:
    """A search's page from its driving index; None when it would take too many hits.

    `checks`: what each hit must also meet (the words the index does not answer, a category).
    """
    t = _fts(s.driver)
    match = literal_column(s.driver).op("MATCH")(literal(s.match))
    n = offset + limit + max(limit, (offset + limit) // 8) + 100
    if after is not None:  # the hits written after the key's row lie (mostly) above it
        n += session.execute(select(func.count()).select_from(
            select(t.c.rowid).where(match, t.c.rowid > after[1]).subquery())).scalar_one()
    # Few hits (or not many more than the page needs): take them all, nothing to check.
    # Cheaper than the check, which reads the (at, id) index down to the n-th hit.
    few = max(ALL_HITS, 2 * n)
    hits = _capped_hits(session, s.driver, s.match, few)
    if hits == 0:
        return []
    if hits <= few:
        n = hits
    while True:
        nth = None if n == hits else session.execute(
            select(t.c.rowid).where(match).order_by(t.c.rowid.desc()).offset(n - 1).limit(1)).scalar()
        first_n = select(t.c.rowid).where(match).order_by(t.c.rowid.desc()).limit(n)
        # Order the n hits by (at, id) reading only those two, then fetch the page's rows whole.
        page = select(Call.id, Call.at).where(Call.id.in_(first_n), *checks)
        if after is not None:
            page = page.where(_after(after))
        page = page.order_by(Call.at.desc(), Call.id.desc()).offset(offset).limit(limit).subquery()
        rows = _rows(session.execute(select(*_COLUMNS).select_from(page).join(Call, Call.id == page.c.id)
                                     .join(Staff, Call.owner_id == Staff.id)
                                     .order_by(Call.at.desc(), Call.id.desc())))
        if nth is None:  # every hit was considered
            return rows
        if len(rows) == limit:
            newest_left = _newest_below(session, nth)
            if newest_left is None or newest_left <= rows[-1].at:
                return rows  # nothing below the n-th hit can come before the page's last row
        if n >= FALLBACK_HITS:
            return None
        n = min(4 * n, FALLBACK_HITS)


def fetch_calls(desk: Desk, f: CallFilter = CallFilter(), *, after: tuple[datetime, int] | None = None,
                offset: int = 0, limit: int = PAGE) -> list[CallRow]:
    """Rows newest first: those older than `after` (keyset), else from `offset`."""
    if after is not None and after[0].tzinfo is None:
        raise ValueError("a keyset key must be timezone-aware")
    s = _search(desk, f.search)
    with read_session(desk.engine) as session:
        if _driven(s, f):
            rows = _driven_page(session, s, list(s.checks) + _hit_conditions(f), after=after,
                                offset=offset, limit=limit)
            if rows is not None:
                return rows
        conds = _walk_conditions(session, desk, f, s)
        query = select(*_COLUMNS).join(Staff, Call.owner_id == Staff.id).where(*conds)
        if after is not None:
            query = query.where(_after(after))
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
    s = _search(desk, f.search)
    with read_session(desk.engine) as session:
        conds = _walk_conditions(session, desk, f, s)
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
    """Rows [start, start+limit) of the newest-first list, by OFFSET from the nearer end.

    A search's total above COUNT_CAP is a capped count, not where the list ends:
    its rows are always counted from the newest.
    """
    start = max(0, min(start, max(0, total - 1)))
    end = min(total, start + limit)
    capped = total > COUNT_CAP and bool((f.search or "").strip())
    if capped or start <= total - end:
        return fetch_calls(desk, f, offset=start, limit=end - start)
    return fetch_calls_from_oldest(desk, f, offset=total - end, limit=end - start)
