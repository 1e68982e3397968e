"""The benchmark path: a million calls in minutes, for measuring the call log at scale.

Not how the desk writes, and not for a site's data. `log_calls` costs about
half a millisecond per call; at 1,000,000 calls that is most of an hour, so
this path writes the very rows `log_calls` would, with Core executemany:

- each draft goes through the service's own checks (`check_call`: cleaned
  text, normalised phone and unit, status and due_by, flagged phrases);
- the caller is remembered as `log_calls` remembers it (same unit and
  resident rows, same ids in the same order, a known caller's name and
  last-seen time updated the same way);
- numbers are drawn per register and local year without gaps and
  `number_sequence` ends at the last number drawn;
- every call gets its own "call.log" audit event with the service's detail.

One transaction per chunk of whole batches (a batch is all or none, as in
`log_calls`). On SQLite the search-index triggers (storage/search_index.py)
are dropped for the fill, the new calls indexed in one pass per index and the
triggers re-created from their stored SQL.
Only for a database nobody else is writing: `fill_demo` runs it on a new one.
tests/demo/test_demo.py checks that it leaves what the services leave.
"""

from __future__ import annotations

from typing import Callable, Iterable

from sqlalchemy import bindparam, select, text, update
from sqlalchemy import insert as core_insert
from sqlalchemy.engine import Connection

from deskapp.demo.plan import CallBatch
from deskapp.services import audit
from deskapp.services.calls import audit_detail, call_row, check_call, resident_row, resident_seen_again, unit_row
from deskapp.services.desk import Desk
from deskapp.services.numbering import format_number
from deskapp.services.roles import Actor
from deskapp.storage.engine import is_sqlite
from deskapp.storage.models import AuditEvent, Call, Resident, Unit
from deskapp.storage.search_index import TABLES as SEARCH_TABLES
from deskapp.storage.search_index import index_calls_sql

CHUNK = 10_000  # calls per write transaction
# SQLite page cache for the fill's connection (KiB): the call indexes outgrow the default 2 MB.
_FILL_CACHE_KIB = 262_144
_UNIT, _RESIDENT, _CALL = Unit.__table__, Resident.__table__, Call.__table__
_SET_SEQUENCE = text(
    "INSERT INTO number_sequence (register_key, year, last) VALUES (:r, :y, :last) "
    "ON CONFLICT (register_key, year) DO UPDATE SET last = excluded.last")


def write_calls(desk: Desk, actors: dict[str, Actor], batches: Iterable[CallBatch], *, total: int,
                progress: Callable[[int, int], None] | None = None) -> int:
    """Write every batch as `log_calls(desk, actors[b.logged_by], b.drafts, now=b.now)` would; returns calls written."""
    with desk.engine.execution_options(deskapp_write=True).connect() as conn:
        # A bigger page cache while the indexes grow, put back afterwards. On the DBAPI
        # connection: through SQLAlchemy the PRAGMA would open (autobegin) a transaction.
        raw = conn.connection.dbapi_connection if is_sqlite(desk.engine) else None
        if raw is not None:
            cache = raw.execute("PRAGMA cache_size").fetchone()[0]
            raw.execute(f"PRAGMA cache_size = {-_FILL_CACHE_KIB}")
        try:
            return _Writer(desk, conn).run(actors, batches, total, progress)
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA cache_size = {int(cache)}")


class _Writer:
    def __init__(self, desk: Desk, conn: Connection):
        self.desk = desk
        self.conn = conn
        with conn.begin():
            self.unit_ids: dict[str, int] = {code: i for code, i in conn.execute(select(_UNIT.c.code, _UNIT.c.id))}
            self.resident_ids: dict[tuple[str, int | None], int] = {
                (phone, unit_id): i for i, phone, unit_id in
                conn.execute(select(_RESIDENT.c.id, _RESIDENT.c.phone, _RESIDENT.c.unit_id))}
            self.next_id = {t.name: (conn.execute(select(t.c.id).order_by(t.c.id.desc()).limit(1)).scalar() or 0) + 1
                            for t in (_UNIT, _RESIDENT, _CALL)}
            self.sequence = {(r, int(y)): int(last) for r, y, last in
                             conn.execute(text("SELECT register_key, year, last FROM number_sequence"))}
            # The triggers that keep the search indexes in step, as the schema holds them now.
            self.fts_triggers = [(name, sql) for name, sql in conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'call' ORDER BY name"))
                if any(t in sql for t in SEARCH_TABLES)] if is_sqlite(desk.engine) else []
        self.first_new_call = self.next_id["call"]
        self.new_units: list[dict] = []
        self.new_residents: dict[int, dict] = {}  # not yet written: changes go into the row
        self.seen_again: dict[int, dict] = {}  # written in an earlier chunk: changes become updates
        self.calls: list[dict] = []
        self.events: list[dict] = []
        self.touched: set[tuple[str, int]] = set()

    def run(self, actors: dict[str, Actor], batches: Iterable[CallBatch], total: int,
            progress: Callable[[int, int], None] | None) -> int:
        if self.fts_triggers:
            with self.conn.begin():
                for name, _sql in self.fts_triggers:
                    self.conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        written = 0
        try:
            for batch in batches:
                actor = actors[batch.logged_by]
                checked = [check_call(self.desk, draft, now=batch.now) for draft in batch.drafts]
                for c in checked:
                    self.add(actor, c, batch.now)
                if len(self.calls) >= CHUNK:
                    written += self.flush()
                    if progress is not None:
                        progress(written, total)
            written += self.flush()
            if progress is not None:
                progress(written, total)
        finally:
            if self.fts_triggers:
                with self.conn.begin():
                    # Index just the calls written here (ids are given in order, from first_new_call).
                    for statement in index_calls_sql():
                        self.conn.execute(text(statement), {"from_id": self.first_new_call})
                    for _name, sql in self.fts_triggers:
                        self.conn.exec_driver_sql(sql)
        if self.conn.dialect.name == "postgresql":
            with self.conn.begin():  # ids were given explicitly: move each id sequence past them
                for table in ("unit", "resident", "call"):
                    self.conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        return written

    def _new_id(self, table: str) -> int:
        i = self.next_id[table]
        self.next_id[table] = i + 1
        return i

    def add(self, actor: Actor, c, now) -> None:
        resident_id = self.remember(c)
        year = self.desk.local(c.at).year
        key = ("call", year)
        seq = self.sequence.get(key, 0) + 1
        self.sequence[key] = seq
        self.touched.add(key)
        number = format_number("call", year, seq)
        call_id = self._new_id("call")
        row = call_row(c, number=number, resident_id=resident_id, owner_id=actor.id)
        row["id"] = call_id
        self.calls.append(row)
        self.events.append(audit.event_row(at=now, actor_id=actor.id, action="call.log", entity="call",
                                           entity_id=call_id, detail=audit_detail(number, c)))

    def remember(self, c) -> int | None:
        """deskapp.services.calls._remember_caller, on the writer's own lists."""
        if not c.phone and not c.unit_code:
            return None
        unit_id = None
        if c.unit_code:
            unit_id = self.unit_ids.get(c.unit_code)
            if unit_id is None:
                unit_id = self.unit_ids[c.unit_code] = self._new_id("unit")
                self.new_units.append({**unit_row(c.unit_code), "id": unit_id})
        if not c.phone:
            return None
        resident_id = self.resident_ids.get((c.phone, unit_id))
        if resident_id is None:
            resident_id = self.resident_ids[(c.phone, unit_id)] = self._new_id("resident")
            self.new_residents[resident_id] = {
                **resident_row(name=c.caller_name, phone=c.phone, unit_id=unit_id, at=c.at), "id": resident_id}
        else:
            changes = resident_seen_again(name=c.caller_name, at=c.at)
            pending = self.new_residents.get(resident_id)
            (pending if pending is not None else self.seen_again.setdefault(resident_id, {})).update(changes)
        return resident_id

    def flush(self) -> int:
        n = len(self.calls)
        if not (n or self.new_units or self.new_residents or self.seen_again):
            return 0
        conn = self.conn
        with conn.begin():
            for table, rows in ((_UNIT, self.new_units), (_RESIDENT, list(self.new_residents.values())),
                                (_CALL, self.calls), (AuditEvent.__table__, self.events)):
                if rows:
                    conn.execute(core_insert(table), rows)
            by_columns: dict[tuple[str, ...], list[dict]] = {}
            for resident_id, changes in self.seen_again.items():
                by_columns.setdefault(tuple(sorted(changes)), []).append(
                    {"rid": resident_id, **{f"new_{k}": v for k, v in changes.items()}})
            for columns, rows in by_columns.items():
                conn.execute(update(_RESIDENT).where(_RESIDENT.c.id == bindparam("rid"))
                             .values({k: bindparam(f"new_{k}") for k in columns}), rows)
            if self.touched:
                conn.execute(_SET_SEQUENCE, [{"r": r, "y": y, "last": self.sequence[(r, y)]}
                                             for r, y in sorted(self.touched)])
        self.new_units, self.new_residents, self.seen_again = [], {}, {}
        self.calls, self.events, self.touched = [], [], set()
        return n
