"""What must hold in any database the services wrote (read-only; also for `deskapp doctor`).

- Numbering: per register and local year the numbers run 1..n without a gap,
  and `number_sequence` stands at n (so the next number is n + 1).
- Audit: every record row has at least one audit event naming it. Services
  name the entity by its table (entity="call", entity_id=call.id). Units and
  residents are left out: a call remembers them as part of its own event.
- Foreign keys: nothing points at a row that is not there (SQLite keeps
  foreign keys only on connections that ask, so a file edited elsewhere can
  hold orphans; PostgreSQL refuses them itself).
- Statuses: every status is one a service can set (deskapp.core.codes).

`check(desk)` returns plain data: what was checked, with counts, and every
problem found; nothing here writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from deskapp.core.codes import CALL_STATUSES, COMPLAINT_STATUSES
from deskapp.core import slip_codes
from deskapp.services.desk import Desk
from deskapp.services.numbering import PREFIX
from deskapp.storage.engine import is_sqlite

# register key (numbering) -> the table holding its numbers
NUMBERED = {"call": "call", "complaint": "complaint", "slip": "dispatch_slip", "visit": "return_visit",
            "shift": "shift", "handover": "handover", "incident": "incident_report"}
# tables whose every row a service writes with its own audit event (entity = table name)
AUDITED = ("staff", "department", "call", "complaint", "dispatch_slip", "return_visit", "shift",
           "duty_log_entry", "handover", "incident_report")
# table -> the statuses its services can set; a register's codes join when its services arrive
STATUSES: dict[str, tuple[str, ...]] = {"call": CALL_STATUSES, "complaint": COMPLAINT_STATUSES,
                                     "dispatch_slip": slip_codes.STATUSES}
SAMPLE = 5  # ids or numbers named per problem


@dataclass(frozen=True)
class Checked:
    check: str  # numbering | audit | foreign_keys | statuses
    subject: str  # a table, or "register year" for numbering
    count: int  # rows looked at (numbers of that year; tables, for foreign keys)


@dataclass(frozen=True)
class Problem:
    check: str
    subject: str
    # numbering: gap | sequence_behind | sequence_ahead | malformed | unknown_register;
    # audit: no_audit_event; foreign_keys: orphan; statuses: unknown_status
    what: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    checked: tuple[Checked, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(desk: Desk) -> Report:
    checked: list[Checked] = []
    problems: list[Problem] = []
    # One read transaction: numbers, counters and events are seen at the same moment.
    with desk.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        for part in (_numbering, _audit, _foreign_keys, _statuses):
            part(conn, tables, checked, problems)
        conn.rollback()
    return Report(tuple(checked), tuple(problems))


def _numbering(conn: Connection, tables: set[str], checked: list, problems: list) -> None:
    sequence: dict[tuple[str, int], int] = {
        (r, int(y)): int(last)
        for r, y, last in conn.execute(text("SELECT register_key, year, last FROM number_sequence"))}
    for register, table in NUMBERED.items():
        if table not in tables:
            continue
        pattern = re.compile(rf"{re.escape(PREFIX[register])}-(\d{{4}})-(\d{{6,}})")
        per_year: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # count, lowest, highest
        malformed: list[str] = []
        rows = conn.execute(text(f'SELECT number FROM "{table}"'))
        for (number,) in rows:
            m = pattern.fullmatch(number or "")
            if m is None:
                malformed.append(number)
                continue
            seq = int(m.group(2))
            stats = per_year[int(m.group(1))]
            stats[1] = seq if stats[0] == 0 else min(stats[1], seq)
            stats[2] = max(stats[2], seq)
            stats[0] += 1
        if malformed:
            problems.append(Problem("numbering", table, "malformed",
                                    {"count": len(malformed), "numbers": malformed[:SAMPLE]}))
        years = sorted(set(per_year) | {y for r, y in sequence if r == register})
        for year in years:
            count, lowest, highest = per_year.get(year, (0, 0, 0))
            subject = f"{register} {year}"
            checked.append(Checked("numbering", subject, count))
            last = sequence.get((register, year), 0)
            if count and (count != highest or lowest != 1):
                problems.append(Problem("numbering", subject, "gap", {
                    "count": count, "highest": highest,
                    "missing": _missing(conn, table, PREFIX[register], year, highest)}))
            if last < highest:
                problems.append(Problem("numbering", subject, "sequence_behind",
                                        {"sequence": last, "highest": highest}))
            elif last > highest:
                problems.append(Problem("numbering", subject, "sequence_ahead",
                                        {"sequence": last, "highest": highest}))
    for register, year in sorted(sequence):
        if register not in NUMBERED:
            problems.append(Problem("numbering", f"{register} {year}", "unknown_register",
                                    {"sequence": sequence[(register, year)]}))


def _missing(conn: Connection, table: str, prefix: str, year: int, highest: int) -> list[int]:
    """The first few numbers of a year that are not there (only asked when there is a gap)."""
    present = set()
    for (number,) in conn.execute(text(f'SELECT number FROM "{table}" WHERE number LIKE :p'),
                                  {"p": f"{prefix}-{year}-%"}):
        tail = number.rsplit("-", 1)[-1]
        if tail.isdigit():
            present.add(int(tail))
    return [n for n in range(1, highest + 1) if n not in present][:SAMPLE]


def _audit(conn: Connection, tables: set[str], checked: list, problems: list) -> None:
    for table in AUDITED:
        if table not in tables:
            continue
        count = conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        checked.append(Checked("audit", table, count))
        lacking = (f'FROM "{table}" t WHERE NOT EXISTS (SELECT 1 FROM audit_event a '
                   f"WHERE a.entity = :e AND a.entity_id = t.id)")
        ids = [i for (i,) in conn.execute(text(f"SELECT t.id {lacking} ORDER BY t.id LIMIT {SAMPLE}"), {"e": table})]
        if ids:
            n = conn.execute(text(f"SELECT count(*) {lacking}"), {"e": table}).scalar_one()
            problems.append(Problem("audit", table, "no_audit_event", {"count": n, "ids": ids}))


def _foreign_keys(conn: Connection, tables: set[str], checked: list, problems: list) -> None:
    if not is_sqlite(conn.engine):
        return  # the database refuses orphans itself
    found: dict[tuple[str, str], list[int]] = defaultdict(list)
    for table, rowid, parent, _fkid in conn.execute(text("PRAGMA foreign_key_check")):
        found[(table, parent)].append(rowid)
    checked.append(Checked("foreign_keys", "*", len(tables)))
    for (table, parent), rowids in sorted(found.items()):
        problems.append(Problem("foreign_keys", table, "orphan",
                                {"parent": parent, "count": len(rowids), "ids": sorted(rowids)[:SAMPLE]}))


def _statuses(conn: Connection, tables: set[str], checked: list, problems: list) -> None:
    for table, codes in STATUSES.items():
        if table not in tables:
            continue
        counts = dict(conn.execute(text(f'SELECT status, count(*) FROM "{table}" GROUP BY status')).all())
        checked.append(Checked("statuses", table, sum(counts.values())))
        for status, n in sorted(counts.items(), key=lambda kv: str(kv[0])):
            if status not in codes:
                problems.append(Problem("statuses", table, "unknown_status", {"status": status, "count": n}))
