"""The open desk: engine, site policy, time zone and phrases, loaded once.

Before SQLite touches a database file, `Desk.open` looks at it: a new
database is made only where no file exists (and only when asked to), never
from an empty file (it may be a database whose bytes were lost), and a
read-only file or folder is refused before anything is created beside it.
Each refusal names the file and changes nothing.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from deskapp.config import Settings, site_data_dir
from deskapp.core.policy import Policy, load_policy
from deskapp.services.faults import DatabaseFault, DatabaseRefused, fault_key, url_where
from deskapp.storage.engine import get_engine, sqlite_file
from deskapp.storage.migrate import SchemaCheck, backup_hint, ensure_schema


@dataclass(frozen=True)
class Phrases:
    greeting: str = "您好，{site}，我姓{surname}，请问有什么可以帮助您？"
    polite: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    @classmethod
    def load(cls, data_dir: Path) -> "Phrases":
        path = data_dir / "phrases.toml"
        if not path.is_file():
            return cls()
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        return cls(
            greeting=str(raw.get("greeting", cls.greeting)),
            polite=tuple(raw.get("polite", ())),
            forbidden=tuple(raw.get("forbidden", ())),
        )


@dataclass
class Desk:
    engine: Engine
    policy: Policy
    phrases: Phrases
    tz: ZoneInfo
    site_name: str = "物业客服中心"
    data_dir: Path = field(default_factory=site_data_dir)
    schema: SchemaCheck | None = None

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool = True, create: bool = True,
             read_only: bool = False) -> "Desk":
        """The desk on the database `settings` names.

        create: a new database may be made where no file exists (folders too);
        otherwise a missing file is refused. read_only: open it without
        writing (no migration, nothing created: `deskapp doctor`).
        """
        path = sqlite_file(settings.database_url)
        immutable = False
        if path is not None:
            check_database_file(path, create=create and not read_only, write=not read_only)
            # A file or folder this user cannot write is read as it stands, without
            # SQLite's -wal/-shm companions, when no terminal has it open (no -wal):
            # companions made by this user could lock the desk's own user out of
            # them, and in a read-only folder SQLite could not make them at all.
            immutable = read_only and not _wal(path).exists() and not (
                os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        engine = get_engine(settings.database_url, read_only=read_only, immutable=immutable)
        try:
            schema = ensure_schema(engine) if migrate and not read_only else None
        except Exception as exc:  # locked, damaged, unreadable: say which database
            if fault_key(exc) is None:
                raise
            raise DatabaseFault(exc, url_where(settings.database_url)) from exc
        policy = load_policy(settings.data_dir)
        return cls(
            engine=engine,
            policy=policy,
            phrases=Phrases.load(settings.data_dir),
            tz=ZoneInfo(settings.timezone or policy.site_timezone),
            site_name=settings.site_name,
            data_dir=settings.data_dir,
            schema=schema,
        )

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)


def check_database_file(path: Path, *, create: bool, write: bool) -> None:
    """Refuse a database file that cannot be used as it is (DatabaseRefused names it); make
    the folder of a new one. Nothing is written to an existing file here."""
    where = str(path)
    try:
        exists = path.exists()
        if exists and not path.is_file():
            raise DatabaseRefused("file.not_a_file", where=where)
        size = path.stat().st_size if exists else None
    except OSError as exc:
        raise DatabaseRefused("file.unreadable", where=where, reason=exc.strerror or type(exc).__name__) from None
    folder = path.parent
    if exists:
        if size == 0:
            raise DatabaseRefused("file.empty", where=where, backup=backup_hint(path))
        if write and not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseRefused("file.read_only", where=where)
        if write and not os.access(folder, os.W_OK | os.X_OK):
            raise DatabaseRefused("file.folder_read_only", where=where, folder=str(folder))
        return
    if not create:
        raise DatabaseRefused("file.missing", where=where)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseRefused("file.cannot_create", where=where, folder=str(folder),
                              reason=exc.strerror or type(exc).__name__) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseRefused("file.folder_read_only", where=where, folder=str(folder))


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
