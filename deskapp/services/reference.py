"""The site's reference lists: departments (工程部, 秩序部, ...) and units (楼栋-单元-房号).

Slips go to a department; calls, complaints and slips name a unit. A
supervisor or above keeps these lists. A unit is also remembered when a call
first names it (deskapp.services.calls), so a unit added here is one the desk
knows before anyone calls from it, with its warranty date (维保期) if any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from sqlalchemy import insert
from sqlmodel import Session, select

from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.calls import unit_row
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor, require
from deskapp.storage.engine import write_session
from deskapp.storage.models import Department, Staff, Unit

# Who a slip can go to: the site's own departments, or the builder's warranty contractor.
DEPARTMENT_KINDS = ("engineering", "security", "environment", "contractor", "other")

_INSERT_UNITS = insert(Unit.__table__).returning(Unit.__table__.c.id, sort_by_parameter_order=True)


@dataclass(frozen=True)
class AddedDepartment:
    id: int
    name: str
    kind: str
    phone: str


@dataclass(frozen=True)
class UnitDraft:
    """A unit as typed ('3-2-1201' or '3栋2单元1201') and the end of its builder's warranty, if any."""

    unit: str
    warranty_until: date | None = None


@dataclass(frozen=True)
class AddedUnit:
    id: int
    code: str


def add_department(desk: Desk, actor: Actor, *, name: str, kind: str, phone: str = "",
                   now: datetime | None = None) -> AddedDepartment:
    now = now or utcnow()
    name = clean_text(name, "department_name", limit=40, required=True, multiline=False)
    if kind not in DEPARTMENT_KINDS:
        raise InputError("err.bad_choice", field=t("field.department_kind"), value=kind)
    phone = normalize_phone(phone)
    with write_session(desk.engine) as session:
        _require_supervisor(session, actor, t("action.add_department"))
        if session.exec(select(Department.id).where(Department.name == name)).first() is not None:
            raise InputError("err.department_exists", name=name)
        dept = Department(name=name, kind=kind, phone=phone, active=True)
        session.add(dept)
        session.flush()
        audit.record(session, at=now, actor_id=actor.id, action="department.add", entity="department",
                     entity_id=dept.id, detail={"name": name, "kind": kind})
    return AddedDepartment(dept.id, name, kind, phone)


def add_unit(desk: Desk, actor: Actor, draft: UnitDraft, *, now: datetime | None = None) -> AddedUnit:
    return add_units(desk, actor, [draft], now=now)[0]


def add_units(desk: Desk, actor: Actor, drafts: Sequence[UnitDraft], *,
              now: datetime | None = None) -> list[AddedUnit]:
    """Add units in one write transaction, all or none (a site's whole list at once, or one unit).

    Each is checked the same way; a code already known, or given twice, is refused.
    """
    now = now or utcnow()
    rows = []
    seen: set[str] = set()
    for draft in drafts:
        code = normalize_unit(draft.unit)
        if not code:
            raise InputError("err.required", field=t("field.unit"))
        if draft.warranty_until is not None and not isinstance(draft.warranty_until, date):
            raise InputError("err.bad_date", value=str(draft.warranty_until)[:30])
        if code in seen:
            raise InputError("err.unit_exists", code=code)
        seen.add(code)
        rows.append({**unit_row(code), "warranty_until": draft.warranty_until})
    with write_session(desk.engine) as session:
        _require_supervisor(session, actor, t("action.add_unit"))
        codes = sorted(seen)
        for i in range(0, len(codes), 500):  # bound parameters per statement stay few
            known = session.exec(select(Unit.code).where(Unit.code.in_(codes[i:i + 500]))).first()
            if known is not None:
                raise InputError("err.unit_exists", code=known)
        ids = session.connection().execute(_INSERT_UNITS, rows).scalars().all() if rows else []
        audit.record_rows(session, [
            audit.event_row(at=now, actor_id=actor.id, action="unit.add", entity="unit", entity_id=unit_id,
                            detail={"code": row["code"]}) for unit_id, row in zip(ids, rows)])
    return [AddedUnit(unit_id, row["code"]) for unit_id, row in zip(ids, rows)]


def _require_supervisor(session: Session, actor: Actor, action: str) -> None:
    """The role comes from the staff record as it is now, not from the screen."""
    current = session.get(Staff, actor.id)
    if current is None or not current.active:
        raise InputError("err.no_such_staff", name=actor.name)
    require(Actor(current.id, current.name, current.role), action, "supervisor")
