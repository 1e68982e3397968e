"""`deskapp doctor`: the facts a supervisor or maintainer checks first, found without writing.

The database is opened read-only (Desk.open(read_only=True): SQLite's
`mode=ro`, no migration, nothing created; a missing or empty file is refused
with its path named). Each check says what it looked at, with its figures:
where the file is and whether the desk can write it, integrity, journal mode,
schema revision, rows per table, numbering per register and year, the audit
trail, foreign keys, statuses (services.invariants), how far the working-day
calendar reaches, and when the newest backup was made (beside the file or in
config.toml's [backup] folder). A database fault met
on the way (a damaged file) is reported as a finding naming that backup.

Read without locks (immutable) when this user cannot write the file or its
folder and no terminal has it open: if a terminal starts writing meanwhile,
a check may report a fault that is not there; run doctor again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import inspect, text

from deskapp.config import Settings
from deskapp.core.workdays import WorkCalendar
from deskapp.i18n import t
from deskapp.services import invariants
from deskapp.services.desk import Desk, utcnow
from deskapp.services.faults import database_where, describe_fault, fault_key
from deskapp.storage.engine import is_sqlite, sqlite_file
from deskapp.storage.migrate import HEAD_REVISION, MIGRATIONS_DIR, backup_hint, current_revision, newest_backup

# The tables whose rows are counted, in this order.
COUNTED = ("staff", "call", "complaint", "dispatch_slip", "return_visit", "audit_event")
SAMPLE = invariants.SAMPLE


@dataclass(frozen=True)
class Finding:
    label: str  # in the current language
    value: str
    state: str  # ok | warn | fault | info


@dataclass(frozen=True)
class Examination:
    where: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(f.state != "fault" for f in self.findings)


def examine(settings: Settings, *, today: date | None = None, now: datetime | None = None) -> Examination:
    """Open the database read-only and examine it; DatabaseRefused if there is no usable file."""
    desk = Desk.open(settings, read_only=True)
    try:
        return Examination(database_where(desk), tuple(diagnose(desk, today=today, now=now,
                                                                backup_folder=settings.backup_folder)))
    finally:
        desk.engine.dispose()


def diagnose(desk: Desk, *, today: date | None = None, now: datetime | None = None,
             backup_folder: Path | None = None) -> list[Finding]:
    """The findings, in the order a maintainer reads them; nothing here writes."""
    today = today or desk.local(utcnow()).date()
    where = database_where(desk)
    path = _path(desk)
    found = [Finding(t("doctor.database"), where, "info"), _access(path)]
    try:
        found += _database(desk)
    except Exception as exc:  # a damaged or unreadable file: say which and what to do, then go on
        if fault_key(exc) is None:
            raise
        found.append(Finding(t("doctor.integrity"), describe_fault(exc, where), "fault"))
    from deskapp.services.site_calendar import site_calendar_file

    known = WorkCalendar.load_site(desk.data_dir, site_calendar_file()).known_through
    remaining = (known - today).days
    # Past the known calendar is a fault; within 30 days of it, a warning
    # (enter next year's make-up working days in data/calendar.toml).
    found.append(Finding(t("doctor.calendar"), t("doctor.calendar_left", date=known.isoformat(), days=remaining),
                         "ok" if remaining >= 30 else ("warn" if remaining >= 0 else "fault")))
    if remaining < 30:
        found.append(Finding(t("doctor.calendar_fallback"), t("doctor.calendar_fallback_what", date=known.isoformat()),
                             "info"))
    found.append(Finding(t("doctor.timezone"), str(desk.tz), "info"))
    if path is not None:
        found.append(_last_backup(desk, path, backup_folder, now or utcnow()))
    return found


def _last_backup(desk: Desk, path: Path, folder: Path | None, now: datetime) -> Finding:
    """When the newest backup (beside the file or in config.toml's backup folder) was finished."""
    candidates = [b for b in (newest_backup(path), newest_backup(folder / path.name) if folder else None) if b]
    dated = []
    for backup in candidates:
        try:
            dated.append((backup.stat().st_mtime, str(backup)))
        except OSError:
            continue
    if not dated:
        return Finding(t("doctor.backup"), t("doctor.no_backup"), "info")
    mtime, newest = max(dated)
    made = datetime.fromtimestamp(mtime, timezone.utc)
    hours = max(0, int((now - made).total_seconds() // 3600))
    return Finding(t("doctor.backup"), t("doctor.backup_when", when=desk.local(made).strftime("%Y-%m-%d %H:%M"),
                                         hours=hours, path=newest), "info")


def _access(path: Path | None) -> Finding:
    label = t("doctor.access")
    if path is None:
        return Finding(label, t("doctor.server"), "info")
    if not os.access(path, os.W_OK):
        return Finding(label, t("doctor.file_read_only"), "fault")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return Finding(label, t("doctor.folder_read_only", folder=str(path.parent)), "fault")
    return Finding(label, t("doctor.access_ok"), "ok")


def _database(desk: Desk) -> list[Finding]:
    engine = desk.engine
    found: list[Finding] = []
    if is_sqlite(engine):
        with engine.connect() as conn:
            result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
            conn.rollback()
        if result == ["ok"]:
            found.append(Finding(t("doctor.integrity"), "ok", "ok"))
        else:
            path = _path(desk)
            hint = f" {backup_hint(path)}" if path is not None else ""
            found.append(Finding(t("doctor.integrity"), "; ".join(result[:SAMPLE]) + hint, "fault"))
        if mode != "wal" and _header_says_wal(_path(desk)):
            mode = "wal"  # read without locks (immutable), SQLite reports the mode it reads in, not the file's
        found.append(Finding(t("doctor.journal"), mode if mode == "wal" else t("doctor.journal_other", mode=mode),
                             "ok" if mode == "wal" else "warn"))
    schema, ours = _schema(desk)
    found.append(schema)
    if not ours:
        return found  # not a deskapp database (or not yet one): its tables mean nothing here
    found += _rows(desk)
    found += _invariants(desk)
    return found


def _schema(desk: Desk) -> tuple[Finding, bool]:
    """The schema revision found, and whether the deskapp checks that follow apply to it."""
    label = t("doctor.schema")
    revision = current_revision(desk.engine)
    where = database_where(desk)
    if revision == HEAD_REVISION:
        return Finding(label, t("doctor.schema_head", revision=revision, head=HEAD_REVISION), "ok"), True
    if revision is None:
        if set(inspect(desk.engine).get_table_names()) - {"alembic_version"}:
            return Finding(label, t("schema.foreign", where=where), "fault"), False
        return Finding(label, t("doctor.schema_empty"), "warn"), False
    if any(p.name.startswith(f"{revision}_") for p in (MIGRATIONS_DIR / "versions").glob("*.py")):
        return Finding(label, t("doctor.schema_older", revision=revision, head=HEAD_REVISION), "warn"), True
    newer = revision.isdigit() and HEAD_REVISION.isdigit() and int(revision) > int(HEAD_REVISION)
    key = "schema.newer" if newer else "schema.unknown"
    return Finding(label, t(key, revision=revision, head=HEAD_REVISION, where=where), "fault"), False


def _header_says_wal(path: Path | None) -> bool:
    """Bytes 18 and 19 of a SQLite file's header are 2 in WAL mode."""
    if path is None:
        return False
    try:
        with path.open("rb") as fh:
            header = fh.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18] == 2 and header[19] == 2


def _path(desk: Desk) -> Path | None:
    return sqlite_file(desk.engine.url.render_as_string(hide_password=True))


def _rows(desk: Desk) -> list[Finding]:
    with desk.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        counts = [(table, conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
                  for table in COUNTED if table in tables]
        conn.rollback()
    return [Finding(t("doctor.rows", what=t(f"doctor.table.{table}")), f"{n:,}", "info") for table, n in counts]


def _invariants(desk: Desk) -> list[Finding]:
    report = invariants.check(desk)
    problems: dict[tuple[str, str], list[invariants.Problem]] = {}
    for p in report.problems:
        problems.setdefault((p.check, p.subject), []).append(p)
    found: list[Finding] = []

    # Numbering: one line per register and year.
    numbered = [c for c in report.checked if c.check == "numbering"]
    for c in numbered:
        register, year = c.subject.split()
        label = t("doctor.numbering", register=t(f"doctor.register.{register}"), year=year)
        mine = problems.get(("numbering", c.subject), [])
        if not mine:
            found.append(Finding(label, t("doctor.numbering_ok", count=f"{c.count:,}"), "ok"))
        for p in mine:
            found.append(Finding(label, _numbering_problem(p), "fault"))
    for (check, subject), mine in problems.items():  # malformed numbers of a table, counters of no register
        if check == "numbering" and subject not in {c.subject for c in numbered}:
            for p in mine:
                found.append(Finding(t("doctor.numbering_none") + f" ({subject})", _numbering_problem(p), "fault"))
    if not numbered and not any(c == "numbering" for c, _ in problems):
        found.append(Finding(t("doctor.numbering_none"), t("doctor.numbering_empty"), "ok"))

    # The audit trail: every record has its event.
    audited = [c for c in report.checked if c.check == "audit"]
    missing = [p for p in report.problems if p.check == "audit"]
    if not missing:
        found.append(Finding(t("doctor.audit"), t("doctor.audit_ok", rows=f"{sum(c.count for c in audited):,}",
                                                   tables=len(audited)), "ok"))
    for p in missing:
        found.append(Finding(t("doctor.audit"), t("doctor.audit_missing", table=_table(p.subject),
                                                   count=p.detail["count"], ids=_ids(p.detail["ids"])), "fault"))

    # Foreign keys (SQLite only: other databases refuse orphans themselves).
    fk = [c for c in report.checked if c.check == "foreign_keys"]
    orphans = [p for p in report.problems if p.check == "foreign_keys"]
    if fk and not orphans:
        found.append(Finding(t("doctor.foreign_keys"), t("doctor.foreign_keys_ok", tables=fk[0].count), "ok"))
    for p in orphans:
        found.append(Finding(t("doctor.foreign_keys"), t(
            "doctor.foreign_keys_orphan", table=p.subject, parent=p.detail["parent"], count=p.detail["count"],
            ids=_ids(p.detail["ids"])), "fault"))

    # Statuses.
    statused = [c for c in report.checked if c.check == "statuses"]
    unknown = [p for p in report.problems if p.check == "statuses"]
    if statused and not unknown:
        found.append(Finding(t("doctor.statuses"), t("doctor.statuses_ok", rows=f"{sum(c.count for c in statused):,}"),
                             "ok"))
    for p in unknown:
        found.append(Finding(t("doctor.statuses"), t("doctor.statuses_unknown", table=_table(p.subject),
                                                      status=p.detail["status"], count=p.detail["count"]), "fault"))
    return found


def _numbering_problem(p: invariants.Problem) -> str:
    d = p.detail
    if p.what == "gap":
        return t("doctor.numbering_gap", count=f"{d['count']:,}", highest=f"{d['highest']:,}",
                 missing=_ids(d["missing"]))
    if p.what == "sequence_behind":
        return t("doctor.numbering_behind", sequence=d["sequence"], highest=d["highest"])
    if p.what == "sequence_ahead":
        return t("doctor.numbering_ahead", sequence=d["sequence"], highest=d["highest"])
    if p.what == "malformed":
        return t("doctor.numbering_malformed", count=d["count"], numbers=", ".join(map(str, d["numbers"])))
    return t("doctor.numbering_unknown", sequence=d.get("sequence", "?"))


def _table(table: str) -> str:
    key = f"doctor.table.{table}"
    label = t(key)
    return table if label == key else label


def _ids(ids: list) -> str:
    return ", ".join(str(i) for i in ids)
