"""Drafts of forms being typed (草稿): kept on disk as they are typed, offered back after a crash.

A draft is what one staff member had typed into one kind of form (a call, a
complaint, a slip) and not yet saved. It is written to a file of its own,
`staff-<id>.<kind>.json`, in the database's draft folder: beside a SQLite
file (`<file>.drafts/`), or for a database server in the user's data folder
under a name derived from the server's address. A file beside the database
keeps the drafts with the records they belong to (a copied or restored
database does not pick up another database's drafts) and keeps the audit trail
free of keystrokes; they are not records, so no audit event is written.

Each write goes to a temporary file, is flushed and renamed over the old
one: a process killed mid-write leaves the previous draft, never half of
one. A file that cannot be read back (edited by hand, from another version)
is skipped, not a crash. Only the person's own drafts are listed for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from deskapp.config import Settings

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_VERSION = 1


@dataclass(frozen=True)
class Draft:
    staff_id: int
    kind: str  # the form's DRAFT_KIND: call, complaint, slip...
    values: dict  # field name -> what the field held (text, a code, yes/no)
    saved_at: datetime  # UTC
    mode: str = ""  # the work screen the form was opened from, to open it there again
    preview: str = ""  # the free text typed, for the offer to say which draft it is


def draft_folder(settings: Settings) -> Path:
    from deskapp.storage.engine import sqlite_file

    path = sqlite_file(settings.database_url)
    if path is not None:
        return path.with_name(path.name + ".drafts")
    from deskapp.config import user_data_dir
    from deskapp.services.faults import url_where

    server = hashlib.sha256(url_where(settings.database_url).encode()).hexdigest()[:16]
    return user_data_dir() / "drafts" / server


def _file(folder: Path, staff_id: int, kind: str) -> Path:
    if not _KIND.match(kind):
        raise ValueError(f"not a draft kind: {kind!r}")
    return folder / f"staff-{int(staff_id)}.{kind}.json"


def save_draft(folder: Path, draft: Draft) -> None:
    """Write one draft in place of the last (atomic: the old one or the new one, whole)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _file(folder, draft.staff_id, draft.kind)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    body = json.dumps({"version": _VERSION, "staff_id": draft.staff_id, "kind": draft.kind, "mode": draft.mode,
                       "saved_at": draft.saved_at.astimezone(timezone.utc).isoformat(), "values": draft.values,
                       "preview": draft.preview},
                      ensure_ascii=False)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # what a resident said is not for everyone
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def drafts_of(folder: Path, staff_id: int) -> list[Draft]:
    """This person's drafts, oldest first; unreadable files are skipped."""
    found = []
    try:
        files = sorted(folder.glob(f"staff-{int(staff_id)}.*.json"))
    except OSError:
        return []
    for path in files:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != _VERSION or raw.get("staff_id") != staff_id or not _KIND.match(raw["kind"]):
                continue
            values = {str(k): v for k, v in dict(raw["values"]).items()
                      if v is None or isinstance(v, (str, bool, int))}
            found.append(Draft(staff_id, raw["kind"], values, datetime.fromisoformat(raw["saved_at"]),
                               str(raw.get("mode") or ""), str(raw.get("preview") or "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return sorted(found, key=lambda d: d.saved_at)


def discard_draft(folder: Path, staff_id: int, kind: str) -> None:
    """The person said so (or saved the record): the draft goes."""
    _file(folder, staff_id, kind).unlink(missing_ok=True)
