"""Exports of the registers (导出): one declaration per register, rows streamed by keyset pages.

A register's export is one `ExportRegister` in its own module under
deskapp/services/export_registers/ (calls.py, audit.py, ...): its columns
(heading, SQL expression, kind), its main filters and the query they run on.
Every module there that defines `REGISTER` is found by `registers()`, so the
complaints, slips and visits registers join `deskapp export` with one new
file and no edit elsewhere.

Rows come oldest first in (time, id) order, a page of PAGE rows at a time
keyed on the last row's (time, id), inside one read transaction (a snapshot:
rows written meanwhile do not shift the pages), so memory stays flat whatever
the size. Instants are read as the database stores them and turned into the
site's local time here (cheaper per row than the column type's own parsing,
which the call export at 1,000,000 rows noticed).

What the cells hold (docs/rules.md "Exports"): codes as the user's labels in
CSV and XLSX and as codes in JSON; instants in the site's zone; phone numbers
masked unless `unmasked` (a supervisor's PIN, and an audit event naming what
was exported: `record_unmasked_export`); text a spreadsheet would run as a
formula neutralised in CSV (an XLSX cell is written as a string).
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import String, func, literal, select, tuple_, type_coerce

from deskapp.core.export_text import FORMULA_STARTS, mask_phone, mask_phones_in, neutralise
from deskapp.errors import InputError
from deskapp.i18n import MESSAGES, label, t
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor

PAGE = 2_000  # rows per keyset page: a few hundred KB of Python objects at most

# Column kinds: how a stored value becomes a cell.
TEXT = "text"  # free text a person typed: neutralised in CSV
NAME = "name"  # a name (staff, department): text, neutralised like typed text
PHONE = "phone"  # masked unless unmasked
INSTANT = "instant"  # an aware UTC instant, shown in the site's zone
DAY = "date"  # a calendar date
CODE = "code"  # a stored code: the catalogue's label in CSV/XLSX, the code in JSON
NUMBER = "number"  # int or Decimal
FLAG = "flag"  # a boolean
DETAIL = "detail"  # JSON text (the audit log's detail): phones inside it masked

# The styles a writer asks cells in.
CSV_STYLE, SHEET_STYLE, DATA_STYLE = "csv", "sheet", "data"


@dataclass(frozen=True)
class ExportColumn:
    key: str  # the JSON key; stable, English
    heading: str  # catalogue key of the CSV/XLSX heading
    expr: Any  # the SQL expression read
    kind: str = TEXT
    codes: str = ""  # CODE: the catalogue kind of the labels ("category" -> category.repair)
    width: int = 14  # XLSX column width, in characters


@dataclass(frozen=True)
class ExportFilter:
    """A main filter of a register: `--KEY VALUE` on the command line.

    With `codes`, a code or its label in either language is accepted (报修 or
    repair) and must be one of `choices`; without, the value is a name compared
    as stored (a staff member, a department), checked against `names` if given.
    """

    key: str  # category | channel | class | status | department | staff | action | entity
    expr: Any
    codes: str = ""
    choices: tuple[str, ...] = ()
    names: Any = None  # a select of the names that exist (to refuse one that does not)


@dataclass(frozen=True)
class ExportRegister:
    name: str  # deskapp export NAME
    title: str  # catalogue key of its title
    id: Any  # the register's id column: the keyset's tie-break
    time: Any  # the instant --from/--to select on; rows come in (time, id) order
    source: Any  # the FROM clause: the register's table and its joins
    columns: tuple[ExportColumn, ...]
    filters: tuple[ExportFilter, ...] = ()
    aliases: tuple[str, ...] = ()  # other names that choose it (the singular, the Chinese)
    order: int = 50  # where it is listed

    def filter(self, key: str) -> ExportFilter | None:
        return next((f for f in self.filters if f.key == key), None)


@dataclass(frozen=True)
class ExportRequest:
    register: ExportRegister
    start: date | None = None  # local dates, inclusive
    end: date | None = None
    filters: dict[str, str] = field(default_factory=dict)  # key -> stored code or name
    unmasked: bool = False

    def describe(self) -> dict:
        """What was asked for, for the audit event of an unmasked export."""
        return {"register": self.register.name, "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None, "filters": dict(self.filters)}


# ------------------------------------------------------------ declarations ---


def registers() -> dict[str, ExportRegister]:
    """Every declared register, by name, in listing order."""
    from deskapp.services import export_registers

    found = []
    for info in pkgutil.iter_modules(export_registers.__path__):
        module = importlib.import_module(f"{export_registers.__name__}.{info.name}")
        declared = getattr(module, "REGISTER", None)
        if isinstance(declared, ExportRegister):
            found.append(declared)
    return {r.name: r for r in sorted(found, key=lambda r: (r.order, r.name))}


def find_register(name: str) -> ExportRegister:
    """The register a user named (its name, an alias, any case), or InputError listing the names."""
    typed = unicodedata.normalize("NFKC", name or "").strip().lower()
    known = registers()
    for reg in known.values():
        if typed == reg.name or typed in reg.aliases:
            return reg
    raise InputError("export.unknown_register", value=(name or "")[:40], choices=", ".join(known))


def _code_for(f: ExportFilter, typed: str) -> str:
    """The stored code a typed value stands for: the code itself or its label in either language."""
    value = typed.strip()
    lowered = value.lower()
    for code in f.choices:
        pair = MESSAGES.get(f"{f.codes}.{code}", (code, code))
        if lowered == code or value == pair[0] or lowered == pair[1].lower():
            return code
    raise InputError("export.bad_filter_value", option=f"--{f.key}", value=value[:40],
                     choices=", ".join(f"{c} ({label(f.codes, c)})" for c in f.choices))


def parse_day(typed: str | None, option: str) -> date | None:
    """A local date as typed (2026-11-01, full-width digits too), or InputError naming the option."""
    raw = unicodedata.normalize("NFKC", typed or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError("export.bad_date", option=option, value=raw[:30]) from None


def make_request(register: str, *, start: str | None = None, end: str | None = None,
                 filters: dict[str, str | None] | None = None, unmasked: bool = False) -> ExportRequest:
    """Check what was typed (no database): the register, the dates, the filters it has."""
    reg = find_register(register)
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first and last and first > last:
        raise InputError("export.date_order", start=first.isoformat(), end=last.isoformat())
    chosen: dict[str, str] = {}
    for key, value in (filters or {}).items():
        if value is None:
            continue
        f = reg.filter(key)
        if f is None:
            offered = ", ".join(f"--{g.key}" for g in reg.filters) or t("export.no_filters")
            raise InputError("export.filter_not_here", option=f"--{key}", register=reg.name, offered=offered)
        value = unicodedata.normalize("NFKC", value).strip()
        if not value:
            raise InputError("export.empty_filter", option=f"--{key}")
        chosen[key] = _code_for(f, value) if f.choices else value
    return ExportRequest(reg, first, last, chosen, unmasked)


def check_names(desk: Desk, req: ExportRequest) -> None:
    """Refuse a staff member or department that does not exist (a typo would export nothing)."""
    with desk.engine.connect() as conn:
        for key, value in req.filters.items():
            f = req.register.filter(key)
            if f is not None and f.names is not None:
                if conn.execute(select(literal(1)).where(f.names.subquery().c[0] == value).limit(1)).first() is None:
                    raise InputError("export.unknown_name", option=f"--{key}", value=value[:40])


# ------------------------------------------------------------------ reading ---


def _conditions(desk: Desk, req: ExportRequest, *, from_start: bool = True) -> list:
    """The request as SQL. from_start=False leaves out the lower date bound (a keyset page's key
    is the bound then: with both, SQLite's index range started at the range's start and walked
    every earlier page again, 32 ms a page at 1,000,000 calls instead of 0.3 ms)."""
    reg = req.register
    conds = []
    if req.start and from_start:
        conds.append(reg.time >= datetime.combine(req.start, time(), desk.tz))
    if req.end:
        conds.append(reg.time < datetime.combine(req.end + timedelta(days=1), time(), desk.tz))
    for key, value in req.filters.items():
        conds.append(reg.filter(key).expr == value)
    return conds


def _raw(expr):
    """The column as the driver returns it: SQLite's stored UTC text, PostgreSQL's aware datetime."""
    return type_coerce(expr, String())


def count_rows(desk: Desk, req: ExportRequest) -> int:
    with desk.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(req.register.source)
                            .where(*_conditions(desk, req))).scalar_one()


def any_rows(desk: Desk, req: ExportRequest) -> bool:
    """Whether the request matches a row at all (an empty range is a note, not an empty file)."""
    with desk.engine.connect() as conn:
        return conn.execute(select(literal(1)).select_from(req.register.source)
                            .where(*_conditions(desk, req)).limit(1)).first() is not None


def stream_rows(desk: Desk, req: ExportRequest, *, page: int = PAGE) -> Iterator[list[tuple]]:
    """The request's rows as the database holds them, one page (a list of tuples) at a time."""
    reg = req.register
    exprs = [_raw(c.expr) if c.kind == INSTANT else c.expr for c in reg.columns]
    key_time = _raw(reg.time)
    first = (select(*exprs, key_time, reg.id).select_from(reg.source).where(*_conditions(desk, req))
             .order_by(reg.time, reg.id).limit(page))
    after = (select(*exprs, key_time, reg.id).select_from(reg.source)
             .where(*_conditions(desk, req, from_start=False)).order_by(reg.time, reg.id).limit(page))
    width = len(exprs)
    # Every column is read as the driver gives it (instants too, above), so the rows are taken
    # straight from the DBAPI cursor: SQLAlchemy's Row objects would process nothing and cost
    # about a third of the reading (0.54 of 1.48 s CPU for 258,000 calls).
    with desk.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            # One snapshot for every page (SQLite's read transaction already is one).
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        # ...unless a column's type converts what the driver returns (a date or a flag on SQLite).
        processed = any(c.kind != INSTANT and c.expr.type.result_processor(conn.dialect, None) is not None
                        for c in reg.columns)
        with conn.begin():
            last = None
            while True:
                query = first if last is None else after.where(
                    tuple_(key_time, reg.id) > tuple_(literal(last[0], String()), literal(last[1])))
                result = conn.execute(query)
                cursor = getattr(result, "cursor", None)
                rows = cursor.fetchall() if cursor is not None and not processed else result.all()
                if not rows:
                    return
                last = (rows[-1][width], rows[-1][width + 1])
                yield rows  # the two key columns last: writers take the first len(columns)
                if len(rows) < page:
                    return


# -------------------------------------------------------------------- cells ---
# Converters work on a whole column of a page at once (a list comprehension per column
# costs about half of a function call per cell, which 13 columns x 1,000,000 rows notice).

Convert = Callable[[Sequence[Any]], list]


class _LocalTime:
    """Stored UTC instants -> naive local datetimes in the site's zone, the offset cached per hour.

    A zone's offset changes on the hour or half hour: the offset at both ends of an hour
    is looked up once, and only an hour with a change in it is converted value by value.
    """

    def __init__(self, tz):
        self.tz = tz
        self.offsets: dict[str, timedelta | None] = {}

    def naive_utc(self, value) -> datetime:
        if isinstance(value, str):  # SQLite: "2026-11-24 01:30:00.000000", always UTC (storage/types.py)
            return datetime.fromisoformat(value[:19])
        value = value.astimezone(timezone.utc) if value.tzinfo else value
        return value.replace(tzinfo=None, microsecond=0)

    def offset(self, utc: datetime) -> timedelta | None:
        key = utc.strftime("%Y%m%d%H")
        if key not in self.offsets:
            start = utc.replace(minute=0, second=0, tzinfo=timezone.utc)
            a = start.astimezone(self.tz).utcoffset()
            b = (start + timedelta(minutes=59, seconds=59)).astimezone(self.tz).utcoffset()
            self.offsets[key] = a if a == b else None
        return self.offsets[key]

    def exact(self, utc: datetime) -> datetime:
        return utc.replace(tzinfo=timezone.utc).astimezone(self.tz).replace(tzinfo=None)

    def column(self, values: Sequence[Any]) -> list[datetime | None]:
        out = []
        offsets, naive_utc, offset = self.offsets, self.naive_utc, self.offset
        for v in values:
            if v is None:
                out.append(None)
                continue
            utc = naive_utc(v)
            key = v[:4] + v[5:7] + v[8:10] + v[11:13] if isinstance(v, str) else utc.strftime("%Y%m%d%H")
            off = offsets[key] if key in offsets else offset(utc)
            out.append(utc + off if off is not None else self.exact(utc))
        return out


    def text_column(self, values: Sequence[Any]) -> list[str]:
        """As column(), as "YYYY-MM-DD HH:MM:SS" text. SQLite's stored text is shifted by its hour:
        where the zone's offset is whole hours through that hour, minutes and seconds carry over
        unchanged (a slice, a lookup, a concatenation per value: a third of parsing each one)."""
        hours: dict[str, str | None] = {}
        out = []
        for v in values:
            if v is None:
                out.append("")
                continue
            if isinstance(v, str):
                key = v[:13]
                prefix = hours.get(key, False)
                if prefix is False:
                    utc = datetime.fromisoformat(key + ":00:00")
                    off = self.offset(utc)
                    whole = off is not None and off.total_seconds() % 3600 == 0
                    prefix = hours[key] = (utc + off).isoformat(" ")[:13] if whole else None
                if prefix is not None:
                    out.append(prefix + v[13:19])
                    continue
            out.append(self.column((v,))[0].isoformat(" "))
        return out


def cell_makers(req: ExportRequest, style: str, tz) -> list[tuple[int, Convert]]:
    """(column index, converter of a page's column) for every column not already its cells."""
    clock = _LocalTime(tz)
    masked = not req.unmasked
    makers: list[tuple[int, Convert]] = []
    for i, col in enumerate(req.register.columns):
        fn = _maker(col, style, clock, masked)
        if fn is not None:
            makers.append((i, fn))
    return makers


def _maker(col: ExportColumn, style: str, clock: _LocalTime, masked: bool) -> Convert | None:
    kind = col.kind
    if kind == INSTANT:
        if style == DATA_STYLE:
            utc, tz, naive_utc = timezone.utc, clock.tz, clock.naive_utc
            return lambda vs: [None if v is None else naive_utc(v).replace(tzinfo=utc).astimezone(tz).isoformat()
                               for v in vs]
        if style == SHEET_STYLE:
            return clock.column
        return clock.text_column
    if kind == DAY:
        if style == SHEET_STYLE:
            return None
        return lambda vs: [None if v is None else (v if isinstance(v, str) else v.isoformat()) for v in vs]
    if kind == CODE:
        if style == DATA_STYLE:
            return None
        prefix = col.codes + "."
        labels = {k[len(prefix):]: label(col.codes, k[len(prefix):]) for k in MESSAGES if k.startswith(prefix)}
        return lambda vs: ["" if v is None else labels.get(v, v) for v in vs]
    if kind == FLAG:
        if style == DATA_STYLE:
            return lambda vs: [None if v is None else bool(v) for v in vs]
        yes, no = t("export.yes"), t("export.no")
        return lambda vs: ["" if v is None else (yes if v else no) for v in vs]
    if kind == NUMBER:
        if style == DATA_STYLE:
            return lambda vs: [str(v) if isinstance(v, Decimal) else v for v in vs]
        if style == SHEET_STYLE:
            return lambda vs: [float(v) if isinstance(v, Decimal) else v for v in vs]
        return None
    # The text kinds: masked first, then (CSV) neutralised.
    mask = (mask_phone if kind == PHONE else mask_phones_in if kind == DETAIL else None) if masked else None
    if style == CSV_STYLE:
        starts = FORMULA_STARTS
        if mask is None:
            return lambda vs: ["" if v is None else ("'" + v if v and v[0] in starts else v) for v in vs]
        return lambda vs: ["" if v is None else neutralise(mask(v)) for v in vs]
    if mask is None:
        return None if style == DATA_STYLE else (lambda vs: ["" if v is None else v for v in vs])
    return lambda vs: [None if v is None else mask(v) for v in vs]


def headings(req: ExportRequest) -> list[str]:
    return [t(c.heading) for c in req.register.columns]


def keys(req: ExportRequest) -> list[str]:
    return [c.key for c in req.register.columns]


# -------------------------------------------------------------------- audit ---


def record_unmasked_export(desk: Desk, actor: Actor, req: ExportRequest, *, rows: int, fmt: str, output: str,
                           now: datetime | None = None) -> None:
    """The audit event of an export with whole phone numbers: who, what, how many, where to.

    Only a supervisor or above (their role read from the staff record as it is now).
    Written before the first row leaves, so an export cut short is on record too.
    """
    from deskapp.services import audit
    from deskapp.services.reference import _require_supervisor
    from deskapp.storage.engine import write_session

    now = now or utcnow()
    with write_session(desk.engine) as session:
        _require_supervisor(session, actor, t("action.export_unmasked"))
        audit.record(session, at=now, actor_id=actor.id, action="export.unmasked", entity="export",
                     entity_id=None, detail={**req.describe(), "rows": rows, "format": fmt, "output": output})
