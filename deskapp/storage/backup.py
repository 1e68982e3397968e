"""Copying a live database to a backup file and back: the engine-specific part of backups (备份).

Everything that depends on the engine is here, so that PostgreSQL (pg_dump /
pg_restore) is added in this one module; naming, retention, the checks before
a restore and the messages are in services.backups.

SQLite, never a file copy: a copy of the file while a terminal writes (or of
the file without its -wal) can be torn or stale. SQLite's online backup API
copies the database as one read transaction sees it, in a single step, so
writers in other processes carry on (WAL) and the copy is consistent. The
copy is written under a temporary name, switched to journal_mode=DELETE (a
backup is one self-contained file, readable without -wal/-shm companions),
checked (quick_check), flushed to disk and only then linked to its final
name: a crash or a full disk never leaves a half backup under a backup's name.

Restoring goes the same way in reverse, through SQLite's locks: the backup
is copied into the live file with the online backup API, so a terminal that
still has the file open sees the restored database at its next read instead
of writing into a file that was moved away under it (SQLite keeps the live
file's WAL mode). Only a live file too damaged to be written that way is
moved aside with its -wal/-shm and replaced.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

from deskapp.storage.engine import busy_timeout_ms, sqlite_file

SQLITE_HEADER = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")


class NotOnThisEngine(Exception):
    """Backups of this kind of database are not made here yet (a server: pg_dump arrives with PostgreSQL)."""


def database_file(url: str) -> Path:
    """The SQLite file a URL names; NotOnThisEngine for a server."""
    path = sqlite_file(url)
    if path is None:
        raise NotOnThisEngine(url)
    return path


def looks_like_sqlite(path: Path) -> bool:
    """The first 16 bytes of every SQLite database file."""
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    timeout = busy_timeout_ms() / 1000
    if read_only:
        # A backup is never written after it is made: read it without locks or companions.
        uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    return sqlite3.connect(path, timeout=timeout, isolation_level=None)


def copy_database(source: Path, dest: Path) -> None:
    """A consistent copy of the live database `source` in the new file `dest`.

    FileExistsError if `dest` is already there (it is left alone: two terminals
    making the same shift's backup make it once). Any other failure (sqlite3 or
    OS error: a full disk, a read-only folder) leaves nothing behind.
    """
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        with closing(_connect(source)) as src, closing(sqlite3.connect(tmp, isolation_level=None)) as dst:
            src.backup(dst)  # pages=-1: the whole database in one step, one read snapshot
            dst.execute("PRAGMA journal_mode = DELETE")
            checked = dst.execute("PRAGMA quick_check").fetchone()[0]
            if checked != "ok":  # the source itself is damaged: no backup from it
                raise sqlite3.DatabaseError(checked)
        _flush(tmp)
        os.link(tmp, dest)  # never replaces: FileExistsError if someone made it first
        _flush(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)


def integrity(path: Path) -> list[str]:
    """PRAGMA integrity_check of a backup file (["ok"] when it is sound); sqlite3.DatabaseError if unreadable."""
    with closing(_connect(path, read_only=True)) as conn:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]


def restore_into(backup: Path, live: Path) -> None:
    """Put the backup's content into the live database file, through SQLite's own locks.

    The caller has kept the live file aside first. sqlite3 errors pass through;
    the online backup writes the destination in one transaction, so a failure
    leaves the live file as it was.
    """
    with closing(_connect(backup, read_only=True)) as src, closing(_connect(live)) as dst:
        src.backup(dst)


def replace_damaged(backup: Path, live: Path, aside: Path) -> None:
    """The live file cannot be read: move it (and its companions) to `aside`, put a copy of the backup in its place.

    A -wal left beside the new file would be replayed into it, so the
    companions go aside with the file they belong to (as `aside`-wal...),
    where they still open together.
    """
    tmp = live.with_name(f".{live.name}.{os.getpid()}.restoring")
    try:
        with closing(_connect(backup, read_only=True)) as src, closing(sqlite3.connect(tmp, isolation_level=None)) as dst:
            src.backup(dst)
        _flush(tmp)
        if live.exists():
            os.link(live, aside)
        for suffix in COMPANIONS:
            companion = live.with_name(live.name + suffix)
            if companion.exists():
                os.replace(companion, aside.with_name(aside.name + suffix))
        os.replace(tmp, live)
        _flush(live.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _flush(path: Path) -> None:
    """fsync a file or a folder, so a power cut after we said "done" cannot take it back."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
