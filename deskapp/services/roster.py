"""Importing the site's owner and tenant roster (业主名册) into the desk's residents.

`read_roster` reads an .xlsx/.xls/.ods file (python-calamine: a 50,000-row
workbook in about 0.4 s) or a .csv (UTF-8, with or without a BOM, or GB18030)
and checks every row (deskapp.core.roster). `plan_roster` compares the good
rows with the residents the desk knows; `import_roster` writes that plan.

Matching (docs/rules.md "Roster import"): a row is the resident of its unit
with the same phone; failing that, the one of its unit with the same name
(then a different phone is a changed phone: the resident is updated and the
old and new numbers go into the audit log); failing both, a new resident.
Re-importing the same file finds every row unchanged and writes nothing.

The import is ONE write transaction: the rows that passed are all written or,
on any fault, none; refused rows are listed and never written (fix them and
import the file again: the rows already in are unchanged). Units not yet
known are added. Imported residents are what the call form's known-caller
lookup (services.calls.known_callers) finds from then on.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from deskapp.core.roster import (
    Refusal, RosterEntry, RosterError, check_row, find_headers, is_blank,
)
from deskapp.errors import DeskError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.calls import unit_row
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor
from deskapp.storage.engine import write_session
from deskapp.storage.models import Resident, Unit

SPREADSHEETS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_UNIT, _RESIDENT = Unit.__table__, Resident.__table__


class RosterRefused(DeskError):
    """The file as a whole is not a roster the desk can read: nothing was written."""


@dataclass(frozen=True)
class Change:
    row: int
    resident_id: int | None  # None: a new resident
    unit_code: str
    name: str
    phone: str
    kind: str
    before: dict = field(default_factory=dict)  # an update: the fields' old values


@dataclass
class RosterPlan:
    rows: int = 0  # data rows read (blank rows not counted)
    blank: int = 0
    added: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    new_units: int = 0

    @property
    def phone_changes(self) -> int:
        return sum(1 for c in self.updated if "phone" in c.before)


@dataclass(frozen=True)
class RosterFile:
    entries: list[RosterEntry]
    refused: list[Refusal]
    rows: int
    blank: int


# ------------------------------------------------------------------ reading ---


def _read_rows(path: Path) -> list[list[Any]]:
    try:
        head = path.read_bytes()[:8]
    except OSError as exc:
        raise RosterRefused("roster.unreadable", path=str(path), reason=exc.strerror or type(exc).__name__) from None
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS or head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_sheet(path)
    if suffix in (".csv", ".txt", ".tsv") or not suffix:
        return _read_csv(path)
    raise RosterRefused("roster.not_a_spreadsheet", path=str(path))


def _read_sheet(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        # From A1, empty rows and columns kept: row numbers stay those the office sees.
        return sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine's errors (zip, XML, password, not a workbook) all mean the same here
        raise RosterRefused("roster.not_a_spreadsheet", path=str(path)) from None


def _read_csv(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise RosterRefused("roster.not_a_spreadsheet", path=str(path))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterRefused("roster.not_a_spreadsheet", path=str(path))
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def read_roster(path: Path, *, mapping: dict[str, str] | None = None) -> RosterFile:
    """Every row of the file checked: entries, refusals (row number and reason), counts."""
    rows = _read_rows(path)
    if not rows or all(is_blank(r) for r in rows):
        raise RosterRefused("roster.empty_file", path=str(path))
    try:
        headers = find_headers(rows, mapping)
    except RosterError as exc:
        raise RosterRefused(exc.key, **exc.params) from None
    entries: list[RosterEntry] = []
    refused: list[Refusal] = []
    blank = 0
    seen: dict[tuple[str, str], int] = {}
    for i in range(headers.first_data_row, len(rows)):
        row = rows[i]
        if is_blank(row):
            blank += 1
            continue
        checked = check_row(headers, row, i + 1)
        if isinstance(checked, Refusal):
            refused.append(checked)
            continue
        # The same person twice in the file: by phone in the unit, or by name when no phone.
        key = (checked.unit_code, checked.phone or "name:" + checked.name)
        if key in seen:
            refused.append(Refusal(checked.row, "roster.refused.duplicate", str(seen[key])))
            continue
        seen[key] = checked.row
        entries.append(checked)
    return RosterFile(entries, refused, len(rows) - headers.first_data_row - blank, blank)


# ------------------------------------------------------------------ planning ---


def _plan(conn, roster: RosterFile) -> tuple[RosterPlan, dict[str, int]]:
    """What writing the roster would change, against the residents as they are in `conn`."""
    plan = RosterPlan(rows=roster.rows, blank=roster.blank, refused=list(roster.refused))
    units = {code: uid for code, uid in conn.execute(select(_UNIT.c.code, _UNIT.c.id))}
    by_phone: dict[tuple[int, str], tuple] = {}
    by_name: dict[tuple[int, str], tuple] = {}
    for rid, unit_id, name, phone, kind in conn.execute(
            select(_RESIDENT.c.id, _RESIDENT.c.unit_id, _RESIDENT.c.name, _RESIDENT.c.phone, _RESIDENT.c.kind)
            .where(_RESIDENT.c.unit_id.is_not(None)).order_by(_RESIDENT.c.id)):
        record = (rid, name, phone, kind)
        if phone:
            by_phone.setdefault((unit_id, phone), record)
        by_name.setdefault((unit_id, name), record)
    new_units = sorted({e.unit_code for e in roster.entries if e.unit_code not in units})
    plan.new_units = len(new_units)
    taken: set[int] = set()  # a resident matched by an earlier row is not matched again
    for e in roster.entries:
        unit_id = units.get(e.unit_code)
        found = None
        if unit_id is not None:
            found = by_phone.get((unit_id, e.phone)) if e.phone else None
            if found is None or found[0] in taken:
                found = by_name.get((unit_id, e.name))
                if found is not None and (found[0] in taken or (e.phone and found[2] and
                                                                (unit_id, e.phone) in by_phone)):
                    found = None
        if found is None:
            plan.added.append(Change(e.row, None, e.unit_code, e.name, e.phone, e.kind))
            continue
        rid, name, phone, kind = found
        taken.add(rid)
        before = {}
        if e.name != name:
            before["name"] = name
        if e.phone and e.phone != phone:
            before["phone"] = phone
        if e.kind and e.kind != kind:
            before["kind"] = kind
        if before:
            plan.updated.append(Change(e.row, rid, e.unit_code, e.name, e.phone or phone, e.kind or kind, before))
        else:
            plan.unchanged += 1
    return plan, {code: units[code] for code in units}


def plan_roster(desk: Desk, roster: RosterFile) -> RosterPlan:
    """The dry run: what import_roster would do now, nothing written."""
    with desk.engine.connect() as conn:
        return _plan(conn, roster)[0]


# ------------------------------------------------------------------- writing ---

# RETURNING the row's own key rather than asking for parameter order: with
# sort_by_parameter_order SQLAlchemy inserts one row per statement on SQLite (50,000
# residents: ~100,000 statements, 12 s); without it, a few hundred rows per statement.
_INSERT_UNITS = insert(_UNIT).returning(_UNIT.c.id, _UNIT.c.code)
_INSERT_RESIDENTS = insert(_RESIDENT).returning(_RESIDENT.c.id, _RESIDENT.c.unit_id, _RESIDENT.c.phone,
                                                _RESIDENT.c.name)
_UPDATE_RESIDENT = (update(_RESIDENT).where(_RESIDENT.c.id == bindparam("rid"))
                    .values(name=bindparam("new_name"), phone=bindparam("new_phone"), kind=bindparam("new_kind"),
                            active=True))
_CHUNK = 5_000  # rows per executemany: bound parameters stay within every backend's limits


def import_roster(desk: Desk, actor: Actor, roster: RosterFile, *, source: str,
                  now: datetime | None = None) -> RosterPlan:
    """Write the roster's good rows in one transaction; the plan that was written.

    A supervisor or above (the role read from the staff record). Each new or
    changed resident gets its audit event (a changed phone: old and new), and
    the import one event with the file's name and the counts.
    """
    from deskapp.services.reference import _require_supervisor

    now = now or utcnow()
    with write_session(desk.engine) as session:
        _require_supervisor(session, actor, t("action.import_roster"))
        conn = session.connection()
        plan, units = _plan(conn, roster)
        events = []
        # Changes first: a phone a resident gives up may be the phone of a row added below.
        for i in range(0, len(plan.updated), _CHUNK):
            chunk = plan.updated[i:i + _CHUNK]
            conn.execute(_UPDATE_RESIDENT, [{"rid": c.resident_id, "new_name": c.name, "new_phone": c.phone,
                                             "new_kind": c.kind} for c in chunk])
            events += [audit.event_row(at=now, actor_id=actor.id, action="resident.update", entity="resident",
                                       entity_id=c.resident_id, detail={
                                           "unit": c.unit_code, "row": c.row, "source": "roster",
                                           "changes": {f: [old, getattr(c, f)] for f, old in c.before.items()}})
                       for c in chunk]
        codes = sorted({c.unit_code for c in plan.added if c.unit_code not in units})
        for i in range(0, len(codes), _CHUNK):
            for uid, code in conn.execute(_INSERT_UNITS, [unit_row(c) for c in codes[i:i + _CHUNK]]):
                units[code] = uid
                events.append(audit.event_row(at=now, actor_id=actor.id, action="unit.add", entity="unit",
                                              entity_id=uid, detail={"code": code, "source": "roster"}))
        for i in range(0, len(plan.added), _CHUNK):
            chunk = plan.added[i:i + _CHUNK]
            # (unit, phone, name) is unique among the added rows: read_roster refused repeats.
            ids = {(unit_id, phone, name): rid for rid, unit_id, phone, name in conn.execute(_INSERT_RESIDENTS, [
                {"name": c.name, "phone": c.phone, "unit_id": units[c.unit_code], "kind": c.kind,
                 "source": "roster", "active": True, "last_seen_at": None} for c in chunk])}
            events += [audit.event_row(at=now, actor_id=actor.id, action="resident.add", entity="resident",
                                       entity_id=ids[(units[c.unit_code], c.phone, c.name)],
                                       detail={"unit": c.unit_code, "name": c.name, "phone": c.phone,
                                               "kind": c.kind, "row": c.row, "source": "roster"})
                       for c in chunk]
        events.append(audit.event_row(at=now, actor_id=actor.id, action="roster.import", entity="resident",
                                      entity_id=None, detail={
                                          "file": source, "rows": plan.rows, "added": len(plan.added),
                                          "updated": len(plan.updated), "phones_changed": plan.phone_changes,
                                          "unchanged": plan.unchanged, "refused": len(plan.refused),
                                          "new_units": plan.new_units}))
        for i in range(0, len(events), _CHUNK):
            audit.record_rows(session, events[i:i + _CHUNK])
    return plan


def refusal_counts(plan: RosterPlan) -> Counter:
    return Counter(r.reason for r in plan.refused)


def describe_refusal(r: Refusal) -> str:
    return t("roster.refused_row", row=r.row, reason=t(r.reason, value=r.value))
