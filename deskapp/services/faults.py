"""What went wrong, in words a person at the desk can act on.

Every interface (a screen's worker, the CLI's top-level handler) turns an
exception into a message here, so a locked, read-only, full or damaged
database reads the same everywhere and never as a traceback. Refusals of
input (DeskError) already speak the user's language and pass through.

Faults are recognised by the driver's error code, not by searching the
message text: SQLite's extended code name (SQLITE_BUSY, SQLITE_READONLY...)
is on the sqlite3 exception since Python 3.11; PostgreSQL's SQLSTATE class
is on the psycopg exception.

No message is ever made from `str(exc)` of a database error: SQLAlchemy puts
the statement and its parameters there (a new PIN's hash and salt, a
caller's phone). Only the error's code name is shown.
"""

from __future__ import annotations

from pathlib import Path

from deskapp.errors import DeskError
from deskapp.i18n import t

# SQLite result code (the primary name, before any "_" suffix) -> catalogue key
_SQLITE = {
    "SQLITE_BUSY": "fault.busy",
    "SQLITE_LOCKED": "fault.busy",
    "SQLITE_READONLY": "fault.read_only",
    "SQLITE_FULL": "fault.disk_full",
    "SQLITE_CORRUPT": "fault.malformed",
    "SQLITE_NOTADB": "fault.malformed",
    "SQLITE_CANTOPEN": "fault.cannot_open",
    "SQLITE_IOERR": "fault.io",
    "SQLITE_PERM": "fault.read_only",
    "SQLITE_AUTH": "fault.read_only",
}
# PostgreSQL SQLSTATE (whole code first, then its class: the first two characters) -> catalogue key
_SQLSTATE_CODE = {
    "3D000": "fault.no_database",  # invalid catalog name: no such database
    "57P01": "fault.server_gone",  # the server shut down (admin shutdown) or ended this session
    "57P02": "fault.server_gone",  # crash shutdown
    "57P03": "fault.unreachable",  # cannot connect now (starting up, shutting down)
}
_SQLSTATE = {
    "08": "fault.unreachable",  # connection exception
    "28": "fault.auth",  # invalid authorization: wrong user or password
    "53": "fault.disk_full",  # insufficient resources
    "55": "fault.busy",  # lock not available
    "40": "fault.busy",  # serialization failure / deadlock: retry
    "25": "fault.read_only",  # read-only transaction (a standby)
    "XX": "fault.malformed",
}


def fault_key(exc: BaseException) -> str | None:
    """The catalogue key of a database fault, or None if `exc` is not one."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:  # SQLAlchemy's wrapper, then the driver's error
        seen.add(id(exc))
        chain.append(exc)
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    for err in chain:
        name = getattr(err, "sqlite_errorname", None)
        if isinstance(name, str):
            if name == "SQLITE_READONLY_DIRECTORY":  # WAL needs to write its companions beside the file
                return "fault.read_only_folder"
            if name.startswith(("SQLITE_READONLY", "SQLITE_IOERR_READONLY")):
                return "fault.read_only"
            return _SQLITE.get("_".join(name.split("_")[:2]), "fault.database")
        state = getattr(err, "sqlstate", None)
        if isinstance(state, str) and len(state) == 5:
            return _SQLSTATE_CODE.get(state) or _SQLSTATE.get(state[:2], "fault.database")
        if _is_psycopg_operational(err):
            return _connection_fault(err)
    for err in chain:
        module = type(err).__module__
        if module.startswith(("sqlite3", "sqlalchemy", "psycopg")):
            return "fault.database"
    return None


def _is_psycopg_operational(err: BaseException) -> bool:
    return type(err).__module__.startswith("psycopg") and any(
        c.__name__ == "OperationalError" for c in type(err).__mro__)


def _connection_fault(err: BaseException) -> str:
    """A psycopg OperationalError without SQLSTATE: libpq failed to connect, or lost the connection.

    libpq gives no code for these, only its (English) text, which is read here for
    which of three it is and never shown: it names the host and user, never a password.
    """
    said = str(err).lower()
    if "password" in said or "authentication" in said or "role" in said and "does not exist" in said:
        return "fault.auth"
    if "database" in said and "does not exist" in said:
        return "fault.no_database"
    if "server closed the connection" in said or "terminating connection" in said \
            or "consuming input failed" in said or "connection is lost" in said or "connection is closed" in said:
        return "fault.server_gone"
    return "fault.unreachable"


class DatabaseRefused(DeskError):
    """The database file cannot be used as it is: nothing was opened, created or changed.

    Raised before SQLite touches the file (a missing file where none may be
    made, an empty file, a folder instead of a file, a read-only file or folder).
    """


class DatabaseFault(DeskError):
    """A database fault met while opening the desk, with the database it happened to.

    Desk.open raises it (the driver's error is its __cause__) so that a screen,
    which has no desk yet to name, still says which file and what to do.
    """

    def __init__(self, fault: BaseException, where: str):
        super().__init__(fault_key(fault) or "fault.database")
        self.fault = fault
        self.where = where

    def __str__(self) -> str:
        return describe_fault(self.fault, self.where)


def describe_fault(exc: BaseException, where: str = "") -> str:
    """One line for a person: a refusal as it was phrased, a database fault with
    the file (or server) and what to do, anything else as a program error."""
    if isinstance(exc, DeskError):  # a refusal as phrased; a DatabaseFault with its file
        return str(exc)
    from deskapp.core.policy import PolicyError  # names the site file and key, in the user's language

    if isinstance(exc, PolicyError):
        return str(exc)
    key = fault_key(exc)
    if key is None:
        return t("fault.bug", what=type(exc).__name__)
    where = where or "?"
    message = t(key, where=where, folder=folder_of(where), what=_short_reason(exc))
    if key == "fault.malformed":
        message = f"{message} {backup_hint(where)}".rstrip()
    return message


def folder_of(where: str) -> str:
    """The folder holding a SQLite file named by `where` (a server's address stays as it is)."""
    if not where or where == "?" or "://" in where or where == ":memory:":
        return where
    return str(Path(where).parent)


def backup_hint(where: str) -> str:
    """Which backup to restore from: the newest one beside the file, named; or that there is none."""
    if folder_of(where) == where:  # a server, or nothing known: its backups are not beside a file
        return ""
    from deskapp.storage.migrate import backup_hint as beside

    return beside(where)


def _short_reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    name = getattr(orig, "sqlite_errorname", None) or getattr(orig, "sqlstate", None)
    return str(name or type(orig).__name__)


def database_where(desk_or_engine) -> str:
    """The database a message names: the SQLite file's path, or the server without its password."""
    engine = getattr(desk_or_engine, "engine", desk_or_engine)
    return url_where(engine.url)


def url_where(url) -> str:
    """The same for a database URL (a string or SQLAlchemy URL), before any engine exists."""
    from sqlalchemy.engine import make_url

    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        db = url.database or ":memory:"
        return db[len("file:"):] if db.startswith("file:") else db
    from urllib.parse import unquote

    return unquote(url.render_as_string(hide_password=True))  # host=/run/postgresql, not %2Frun%2F...
