"""Staff records and sign-in (PIN stored only as a salted scrypt hash)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from deskapp.core.text import clean_text
from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import ROLES, Actor, require
from deskapp.storage.engine import read_session, write_session
from deskapp.storage.models import Staff

_PIN = re.compile(r"[0-9]{4,8}")


def _hash_pin(pin: str, salt: str) -> str:
    return hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=2**14, r=8, p=1, dklen=32).hex()


def clean_name(name: str) -> str:
    """A staff member's name as stored, or InputError (also asked before the CLI prompts for PINs)."""
    return clean_text(name, "name", limit=40, required=True, multiline=False)


def check_pin(pin: str) -> None:
    if not _PIN.fullmatch(pin or ""):
        raise InputError("err.bad_pin")


def add_staff(desk: Desk, *, name: str, role: str, pin: str, actor: Actor | None, now: datetime | None = None) -> Actor:
    """Add a staff member. Only a supervisor or above may, except the very first (who must be one)."""
    now = now or utcnow()
    name = clean_name(name)
    if role not in ROLES:
        raise InputError("err.bad_choice", field=t("field.role"), value=role)
    check_pin(pin)
    salt = secrets.token_hex(16)
    with write_session(desk.engine) as session:
        existing = session.exec(select(func.count()).select_from(Staff)).one()
        if existing == 0:
            if role not in ("supervisor", "manager", "gm"):
                raise InputError("err.first_must_be_supervisor")
        else:
            if actor is None:
                raise InputError("err.first_must_be_supervisor")
            # The role comes from the staff record as it is now, not from the screen.
            current = session.get(Staff, actor.id)
            if current is None or not current.active:
                raise InputError("err.no_such_staff", name=actor.name)
            require(Actor(current.id, current.name, current.role), t("action.add_staff"), "supervisor")
        if session.exec(select(Staff.id).where(Staff.name == name)).first() is not None:
            raise InputError("err.staff_exists", name=name)
        staff = Staff(name=name, role=role, pin_hash=_hash_pin(pin, salt), pin_salt=salt, created_at=now)
        session.add(staff)
        session.flush()
        audit.record(session, at=now, actor_id=actor.id if actor else staff.id, action="staff.add",
                     entity="staff", entity_id=staff.id, detail={"name": name, "role": role})
    return Actor(staff.id, staff.name, staff.role)


def sign_in(desk: Desk, *, name: str, pin: str) -> Actor:
    with read_session(desk.engine) as session:
        staff = session.exec(select(Staff).where(Staff.name == (name or "").strip(), Staff.active == True)).first()  # noqa: E712
    if staff is None or not _PIN.fullmatch(pin or "") or not hmac.compare_digest(
        _hash_pin(pin, staff.pin_salt), staff.pin_hash
    ):
        raise InputError("err.wrong_pin")
    return Actor(staff.id, staff.name, staff.role)


def list_staff(desk: Desk) -> list[Actor]:
    with read_session(desk.engine) as session:
        rows = session.exec(select(Staff).where(Staff.active == True).order_by(Staff.name)).all()  # noqa: E712
    return [Actor(s.id, s.name, s.role) for s in rows]


def staff_count(desk: Desk) -> int:
    with read_session(desk.engine) as session:
        return session.exec(select(func.count()).select_from(Staff)).one()
