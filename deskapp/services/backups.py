"""Backups of the desk's database (备份) and restoring one (恢复): docs/rules.md "Backups".

A backup is a file `<database file name>.<label>-<UTC time>.bak` in the
backup folder (config.toml [backup] folder; by default beside the database,
where a fault message and `deskapp doctor` look for the newest one). Labels:
- `backup`: made by `deskapp backup`;
- `shift`: made by the app at the first sign-in of a shift (the shift plan:
  policy.toml [shift], deskapp.core.shifts); its time is the shift's start,
  so two desks signing in at once make it once;
- `before-restore`: the live database kept aside by a restore;
- `before-NNNN`: kept by storage.migrate before a schema upgrade.
Only `backup` and `shift` files are rotated: the newest `keep` of them stay.

A restore checks the backup first (a SQLite file, integrity_check, a deskapp
schema this program knows, the rows per table and the numbering and audit
invariants) and refuses a file that is not a backup, a damaged one or one
from a newer deskapp with a message naming it, changing nothing. Then the
live database is kept aside and the backup's content put in its place; an
older schema is upgraded as the app would.

The engine-specific copying is storage.backup's; a server database is
refused there for now (pg_dump arrives with the PostgreSQL backend).
"""

from __future__ import annotations

import errno
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from deskapp.config import Settings
from deskapp.errors import DeskError
from deskapp.storage import backup as storage

ROTATED = ("backup", "shift")
_STAMP = "%Y%m%dT%H%M%SZ"


class BackupRefused(DeskError):
    """The backup or restore cannot be done as asked (nothing was changed)."""


class BackupFailed(DeskError):
    """The backup could not be written (a full disk, a read-only folder); nothing was left behind."""


@dataclass(frozen=True)
class BackupMade:
    path: Path
    made_at: datetime
    size: int
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class BackupCheck:
    """What a backup holds, read before it is put in place."""

    path: Path
    revision: str
    counts: tuple[tuple[str, int], ...]  # (table, rows)
    problems: tuple[str, ...]  # invariants broken in it (numbering, audit), in words


@dataclass(frozen=True)
class Restored:
    aside: Path | None  # where the database that was in place is now
    revision: str  # the backup's schema revision
    upgraded_to: str | None  # the revision it was upgraded to, if it was older


# ---------------------------------------------------------------- where backups go


def backup_folder(settings: Settings) -> Path:
    """The folder backups go to: config.toml [backup] folder, or the database's own folder."""
    live = _live(settings)
    return settings.backup_folder or live.parent


def backup_name(live: Path, label: str, at: datetime) -> str:
    return f"{live.name}.{label}-{at.astimezone(timezone.utc).strftime(_STAMP)}.bak"


def backups(settings: Settings, *, labels: tuple[str, ...] | None = None) -> list[Path]:
    """Backups of this database, newest first by the time in their names (in the backup folder and beside the database)."""
    live = _live(settings)
    pattern = re.compile(re.escape(live.name) + r"\.(?P<label>[a-z0-9-]+?)-(?P<at>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?\.bak$")
    found: dict[Path, tuple] = {}
    for folder in {backup_folder(settings), live.parent}:
        try:
            entries = list(folder.iterdir())
        except OSError:  # not made yet, or not ours to list
            continue
        for p in entries:
            match = pattern.match(p.name)
            if match and (labels is None or match["label"] in labels) and p.is_file():
                found[p] = (match["at"], int(match["n"] or 1), p.name)
    return sorted(found, key=found.__getitem__, reverse=True)


def last_backup(settings: Settings) -> tuple[Path, datetime] | None:
    """The newest backup of this database and when it was finished (UTC), or None."""
    for path in backups(settings):
        try:
            return path, datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        except OSError:
            continue
    return None


# ---------------------------------------------------------------- making one


def make_backup(settings: Settings, *, now: datetime | None = None, label: str = "backup") -> BackupMade:
    """A consistent copy of the live database in the backup folder; then the oldest beyond `keep` go."""
    now = now or datetime.now(timezone.utc)
    live = _live(settings)
    folder = _ready_folder(settings)
    base = backup_name(live, label, now)
    for attempt in range(1, 100):  # two backups in the same second get -2, -3...
        dest = folder / (base if attempt == 1 else base.replace(".bak", f"-{attempt}.bak"))
        try:
            _copy(live, dest)
            break
        except FileExistsError:
            continue
    else:
        raise BackupFailed("backup.failed", backup=str(folder / base), what="EEXIST", folder=str(folder))
    return BackupMade(dest, now, dest.stat().st_size, _rotate(settings))


def backup_for_shift(settings: Settings, *, shift_start: datetime, now: datetime | None = None) -> BackupMade | None:
    """The backup of the shift that began at `shift_start`, unless it was made already (by this desk or another).

    Named by the shift's start, so the first sign-in of the shift makes it and
    every later one (at any desk) finds it there.
    """
    live = _live(settings)
    dest = backup_folder(settings) / backup_name(live, "shift", shift_start)
    if dest.exists():
        return None
    _ready_folder(settings)
    try:
        _copy(live, dest)
    except FileExistsError:  # another desk made it meanwhile
        return None
    return BackupMade(dest, now or datetime.now(timezone.utc), dest.stat().st_size, _rotate(settings))


def _copy(live: Path, dest: Path) -> None:
    if not live.is_file() or live.stat().st_size == 0:
        raise BackupRefused("backup.no_database", where=str(live))
    try:
        storage.copy_database(live, dest)
    except FileExistsError:
        raise
    except (sqlite3.Error, OSError) as exc:
        if _disk_full(exc):
            raise BackupFailed("backup.disk_full", backup=str(dest), folder=str(dest.parent)) from None
        if _damaged(exc):
            raise BackupFailed("backup.source_damaged", where=str(live)) from None
        raise BackupFailed("backup.failed", backup=str(dest), what=_reason(exc), folder=str(dest.parent)) from None


def _rotate(settings: Settings) -> tuple[Path, ...]:
    """Remove rotated backups beyond the newest `keep`; other backups are never touched."""
    removed = []
    for old in backups(settings, labels=ROTATED)[settings.backup_keep:]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:  # someone else removed it, or may not: the next backup tries again
            continue
    return tuple(removed)


def _ready_folder(settings: Settings) -> Path:
    folder = backup_folder(settings)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupFailed("backup.folder", folder=str(folder), what=_reason(exc)) from None
    return folder


# ---------------------------------------------------------------- checking and restoring


def check_backup(settings: Settings, path: Path) -> BackupCheck:
    """Read a backup without changing it: BackupRefused (naming it) if it is not one this desk can restore."""
    from deskapp.services import invariants
    from deskapp.services.doctor import COUNTED
    from deskapp.storage.engine import get_engine
    from deskapp.storage.migrate import HEAD_REVISION, MIGRATIONS_DIR, current_revision

    path = Path(path).expanduser().resolve()
    where = str(path)
    if not path.is_file():
        raise BackupRefused("backup.missing", where=where)
    if path.stat().st_size == 0 or not storage.looks_like_sqlite(path):
        raise BackupRefused("backup.not_sqlite", where=where)
    try:
        result = storage.integrity(path)
    except sqlite3.Error as exc:
        raise BackupRefused("backup.damaged", where=where, what=_reason(exc)) from None
    if result != ["ok"]:
        raise BackupRefused("backup.damaged", where=where, what="; ".join(result[:3]))
    engine = get_engine(f"sqlite:///{path}", immutable=True)
    try:
        from sqlalchemy import inspect, text

        revision = current_revision(engine)
        if revision is None:
            raise BackupRefused("backup.not_deskapp", where=where)
        if not any(p.name.startswith(f"{revision}_") for p in (MIGRATIONS_DIR / "versions").glob("*.py")):
            newer = revision.isdigit() and HEAD_REVISION.isdigit() and int(revision) > int(HEAD_REVISION)
            raise BackupRefused("backup.newer" if newer else "backup.unknown", where=where, revision=revision,
                                head=HEAD_REVISION)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            counts = tuple((table, conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one())
                           for table in COUNTED if table in tables)
            conn.rollback()
        report = invariants.check(_Reader(engine))
    except sqlite3.Error as exc:  # pragma: no cover - integrity_check passed; kept so no traceback ever shows
        raise BackupRefused("backup.damaged", where=where, what=_reason(exc)) from None
    finally:
        engine.dispose()
    problems = tuple(f"{p.check}: {p.subject} {p.what}" for p in report.problems)
    return BackupCheck(path, revision, counts, problems)


def current_counts(settings: Settings) -> tuple[tuple[str, int], ...] | None:
    """Rows per table in the live database now (None if it has none or cannot be read), to show beside a backup's."""
    from deskapp.services.doctor import COUNTED

    live = _live(settings)
    if not live.is_file() or not storage.looks_like_sqlite(live):
        return None
    try:
        with closing(sqlite3.connect(f"file:{quote(str(live))}?mode=ro", uri=True)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return tuple((t, conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in COUNTED if t in tables)
    except sqlite3.Error:
        return None


def restore_backup(settings: Settings, checked: BackupCheck, *, now: datetime | None = None) -> Restored:
    """Keep the live database aside, then put the checked backup's content in its place (and upgrade it)."""
    from deskapp.services.desk import Desk, check_database_file
    from deskapp.storage.migrate import HEAD_REVISION

    now = now or datetime.now(timezone.utc)
    live = _live(settings)
    check_database_file(live, create=True, write=True)  # a read-only file or folder: refused, nothing changed
    aside = live.with_name(backup_name(live, "before-restore", now))
    kept: Path | None = aside
    try:
        if not live.exists():
            kept = None
            storage.replace_damaged(checked.path, live, aside)
        else:
            try:
                storage.copy_database(live, aside)
            except sqlite3.Error as exc:
                if not _damaged(exc):
                    raise
                storage.replace_damaged(checked.path, live, aside)  # cannot be read: the file itself goes aside
            else:
                storage.restore_into(checked.path, live)
    except FileExistsError:
        raise BackupRefused("backup.aside_exists", where=str(aside)) from None
    except (sqlite3.Error, OSError) as exc:
        if _disk_full(exc):
            raise BackupFailed("backup.disk_full", backup=str(live), folder=str(live.parent)) from None
        raise BackupFailed("backup.restore_failed", where=str(live), what=_reason(exc)) from None
    upgraded = None
    if checked.revision != HEAD_REVISION:
        desk = Desk.open(settings, create=False)  # the same upgrade (and backup before it) as the app's
        desk.engine.dispose()
        upgraded = HEAD_REVISION
    return Restored(kept, checked.revision, upgraded)


# ---------------------------------------------------------------- helpers


class _Reader:
    """What invariants.check reads from a desk: only its engine (a backup has no policy to load)."""

    def __init__(self, engine):
        self.engine = engine


def _live(settings: Settings) -> Path:
    try:
        return storage.database_file(settings.database_url)
    except storage.NotOnThisEngine:
        from deskapp.services.faults import url_where

        raise BackupRefused("backup.server", where=url_where(settings.database_url)) from None


def _disk_full(exc: BaseException) -> bool:
    return getattr(exc, "errno", None) == errno.ENOSPC or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL"


def _damaged(exc: BaseException) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or (
        isinstance(exc, sqlite3.DatabaseError) and name == "")


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", None) or getattr(exc, "strerror", None) or type(exc).__name__)
