"""Dispatch slips (派工单 / 工程报修单, 一式三联): issuing one and recording its steps.

docs/rules.md §2.3. A slip is issued from a 报修 call (the call stops awaiting
its slip: 待派工 -> 已派工), from a complaint, or on its own; the fee item comes
from the site's fee schedule (data/fee_schedule.toml) and an item still in
the builder's warranty goes to the warranty contractor (data/warranty.toml),
free of charge. Every step after that is recorded with its time, who recorded
it at the desk and who did it (slip_step), and moves the slip's running clock
(notify 5 min, assess 15 min, on site 15 min / 5 min before the appointment:
policy [slip]), which is stored on the slip.

Every function validates before it writes, checks that the person signed in is
still active staff, writes the change, its step and its audit event in one
write transaction and returns plain data. A signed slip is frozen by the
database (migration 0008): what follows signing (fee collected, copies
returned, prints) is all that may still change; anything else is a note.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import insert, select, update
from sqlmodel import Session

from deskapp.core.deadlines import require_aware, slip_deadlines
from deskapp.core.parse import format_yuan, parse_yuan
from deskapp.core.slip_codes import MATERIAL_CHECKS, PAYMENT_METHODS
from deskapp.core.slip_data import SlipData, load_slip_data
from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.errors import InputError, NotFound
from deskapp.i18n import label, t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.numbering import next_number
from deskapp.services.roles import Actor
from deskapp.storage.engine import write_session
from deskapp.storage.models import Call, Complaint, Department, DispatchSlip, SlipStep, Staff, Unit

NAME_LIMIT = 40
PHOTOS_MAX = 10  # file references on one slip
PHOTO_PATH_LIMIT = 260

_SLIP, _STEP, _CALL = DispatchSlip.__table__, SlipStep.__table__, Call.__table__


# ------------------------------------------------------------------ reference data


_DATA_CACHE: dict[Path, tuple[tuple, SlipData]] = {}


def slip_data(desk: Desk) -> SlipData:
    """The site's fee schedule and warranty periods, re-read when a file changes."""
    folder = Path(desk.data_dir)
    stamp = tuple(_mtime(folder / name) for name in ("fee_schedule.toml", "warranty.toml"))
    cached = _DATA_CACHE.get(folder)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_slip_data(folder))
        _DATA_CACHE[folder] = cached
    return cached[1]


def _mtime(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


# ------------------------------------------------------------------ issuing


@dataclass(frozen=True)
class SlipDraft:
    """What the desk typed or picked for a new slip, as given.

    From a call or a complaint, a field left empty is carried over from it
    (name, phone, unit, and its content as what is to be repaired).
    """

    call_id: int | None = None
    complaint_id: int | None = None
    customer_name: str = ""
    unit: str = ""
    phone: str = ""
    item: str = ""  # what is to be repaired
    appointment_at: datetime | None = None
    photos: Sequence[str] | str = ()  # file references; one per line when a string
    fee_item: str = ""  # a name from the fee schedule; "" for an item outside it
    chargeable: bool = True  # 有偿 / 无偿
    department_id: int | None = None  # None: the fee item's department
    technician: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class SlipState:
    """Where a slip stands after a write."""

    id: int
    number: str
    status: str
    due_kind: str
    due_by: datetime | None
    department: str = ""
    under_warranty: bool = False
    chargeable: bool = False
    fee_yuan: Decimal = Decimal(0)
    printed_count: int = 0


def _photos(value: Sequence[str] | str) -> str:
    items = value.splitlines() if isinstance(value, str) else list(value)
    paths = [clean_text(p, "photos", limit=PHOTO_PATH_LIMIT, multiline=False) for p in items]
    paths = [p for p in paths if p]
    if len(paths) > PHOTOS_MAX:
        raise InputError("slip.err.too_many_photos", count=len(paths), limit=PHOTOS_MAX)
    return "\n".join(paths)


def checked_fee(desk: Desk, value: Decimal | str | None, field: str, *, required: bool = True) -> Decimal | None:
    """A fee in yuan: typed text or a Decimal; negative or above slip.max_fee_yuan is refused."""
    name = t(f"field.{field}")
    if isinstance(value, str):
        try:
            value = parse_yuan(value)
        except InputError as exc:
            raise InputError("slip.err.fee", field=name, why=str(exc)) from None
    if value is None:
        if required:
            raise InputError("err.required", field=name)
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InputError("slip.err.fee_format", field=name, value=str(value)[:30])
    if value < 0:
        raise InputError("slip.err.fee_negative", field=name, value=format_yuan(value))
    cap = Decimal(desk.policy.slip.max_fee_yuan)
    if value > cap:
        raise InputError("slip.err.fee_absurd", field=name, value=format_yuan(value), cap=format_yuan(cap))
    if value != value.quantize(Decimal("0.01")):
        raise InputError("slip.err.fee_format", field=name, value=str(value)[:30])
    return value.quantize(Decimal("0.01"))


def issue_slip(desk: Desk, actor: Actor, draft: SlipDraft, *, now: datetime | None = None) -> SlipState:
    """Issue a slip: checked, numbered, routed and clocked, its source call linked, in one transaction."""
    now = now or utcnow()
    require_aware("now", now)
    limit = desk.policy.content_max_chars
    if draft.call_id is not None and draft.complaint_id is not None:
        raise InputError("slip.err.two_sources")
    if draft.appointment_at is not None:
        require_aware("appointment_at", draft.appointment_at)
        if draft.appointment_at <= now:
            raise InputError("slip.err.appointment_past", when=desk.local(draft.appointment_at).strftime("%Y-%m-%d %H:%M"))
    data = slip_data(desk)
    fee = data.fees.find(draft.fee_item) if draft.fee_item else None
    if draft.fee_item and fee is None:
        raise InputError("slip.err.no_such_fee_item", item=draft.fee_item[:80])
    if fee is not None and not draft.chargeable:
        raise InputError("slip.err.fee_item_on_free")
    photos = _photos(draft.photos)
    technician = clean_text(draft.technician, "technician", limit=NAME_LIMIT, multiline=False)
    remarks = clean_text(draft.remarks, "remarks", limit=limit)

    with write_session(desk.engine) as session:
        _active(session, actor)
        source: dict[str, Any] = {}
        if draft.call_id is not None:
            source = _call_source(session, draft.call_id)
        elif draft.complaint_id is not None:
            source = _complaint_source(session, draft.complaint_id)
        name = clean_text(draft.customer_name or source.get("name", ""), "caller_name", limit=NAME_LIMIT,
                          multiline=False)
        phone = normalize_phone(draft.phone or source.get("phone", ""))
        unit_code = normalize_unit(draft.unit or source.get("unit", ""))
        item = clean_text(draft.item or source.get("item", ""), "repair_item", limit=limit, required=True)
        if not unit_code:
            raise InputError("err.required", field=t("field.unit"))
        unit = session.execute(select(Unit.building, Unit.warranty_until).where(Unit.code == unit_code)).first()
        if unit is None:
            raise InputError("slip.err.no_such_unit", unit=unit_code)

        day = desk.local(now).date()
        contractor = data.contractor_for(building=unit.building, fee_item=draft.fee_item, day=day,
                                         unit_warranty_until=unit.warranty_until)
        if contractor is not None:
            department = _department_named(session, contractor, warranty=True)
        elif draft.department_id is not None:
            department = _department_by_id(session, draft.department_id)
        elif fee is not None:
            department = _department_named(session, fee.department, warranty=False)
        else:
            raise InputError("err.required", field=t("field.slip_department"))

        under_warranty = contractor is not None
        chargeable = draft.chargeable and not under_warranty  # the builder pays for warranty work
        fee_yuan = fee.price_yuan if (fee is not None and chargeable) else Decimal(0)
        # Only a chargeable item outside the schedule waits for the supervisor's assessment.
        in_schedule = fee is not None or not chargeable
        clocks = slip_deadlines(now, desk.policy.slip, appointment_at=draft.appointment_at,
                                in_fee_schedule=in_schedule)
        number, _ = next_number(session, "slip", desk.local(now).year)
        row = {
            "number": number, "created_at": now, "call_id": draft.call_id, "complaint_id": draft.complaint_id,
            "customer_name": name, "unit_code": unit_code, "phone": phone, "item": item,
            "appointment_at": draft.appointment_at, "photos": photos, "chargeable": chargeable,
            "fee_item": draft.fee_item,
            "fee_yuan": fee_yuan, "in_fee_schedule": in_schedule, "under_warranty": under_warranty,
            "department_id": department[0], "technician": technician, "remarks": remarks, "owner_id": actor.id,
            "notify_by": clocks.notify_by, "status": "issued", "due_by": clocks.notify_by, "due_kind": "notify",
            "work_done": "", "materials": "", "materials_check": "", "customer_signed": False,
            "refused_reason": "", "fee_collected": False, "payment_method": "", "printed_count": 0,
        }
        slip_id = session.connection().execute(insert(_SLIP).returning(_SLIP.c.id), row).scalar_one()
        if draft.call_id is not None:
            linked = session.connection().execute(
                update(_CALL).where(_CALL.c.id == draft.call_id, _CALL.c.status == "awaiting_slip")
                .values(status="slipped"))
            if linked.rowcount != 1:  # another desk issued its slip meanwhile
                raise InputError("slip.err.call_not_awaiting", number=source["number"])
        _record_step(session, slip_id, "issued", now, actor, note=source.get("number", ""))
        audit.record(session, at=now, actor_id=actor.id, action="slip.issue", entity="dispatch_slip",
                     entity_id=slip_id, detail={"number": number, "call": source.get("number"),
                                                "department": department[1], "warranty": under_warranty})
    return SlipState(slip_id, number, "issued", "notify", clocks.notify_by, department[1], under_warranty,
                     chargeable, fee_yuan)


def _call_source(session: Session, call_id: int) -> dict:
    call = session.execute(select(Call.number, Call.category, Call.status, Call.caller_name, Call.phone,
                                  Call.unit_code, Call.content).where(Call.id == call_id)).first()
    if call is None:
        raise NotFound("err.no_such_call", id=call_id)
    if call.category != "repair":
        raise InputError("slip.err.call_not_repair", number=call.number, category=label("category", call.category))
    if call.status != "awaiting_slip":
        raise InputError("slip.err.call_not_awaiting", number=call.number)
    return {"number": call.number, "name": call.caller_name, "phone": call.phone, "unit": call.unit_code,
            "item": call.content}


def _complaint_source(session: Session, complaint_id: int) -> dict:
    found = session.execute(select(Complaint.number, Complaint.status, Complaint.customer_name, Complaint.phone,
                                   Complaint.unit_code, Complaint.description)
                            .where(Complaint.id == complaint_id)).first()
    if found is None:
        raise NotFound("slip.err.no_such_complaint", id=complaint_id)
    if found.status in ("closed", "void"):
        raise InputError("slip.err.complaint_closed", number=found.number)
    return {"number": found.number, "name": found.customer_name, "phone": found.phone, "unit": found.unit_code,
            "item": found.description}


def _department_named(session: Session, name: str, *, warranty: bool) -> tuple[int, str]:
    found = session.execute(select(Department.id, Department.active).where(Department.name == name)).first()
    if found is None or not found.active:
        raise InputError("slip.err.contractor_unknown" if warranty else "slip.err.fee_department_unknown",
                         name=name)
    return found.id, name


def _department_by_id(session: Session, department_id: int) -> tuple[int, str]:
    found = session.execute(select(Department.name, Department.active).where(Department.id == department_id)).first()
    if found is None or not found.active:
        raise InputError("slip.err.no_such_department", id=department_id)
    return department_id, found.name


def _active(session: Session, actor: Actor) -> None:
    """The person signed in is still active staff (read now, not as the screen remembers)."""
    current = session.execute(select(Staff.active).where(Staff.id == actor.id)).scalar_one_or_none()
    if not current:
        raise InputError("err.no_such_staff", name=actor.name)


def _record_step(session: Session, slip_id: int, step: str, at: datetime, actor: Actor, *, person: str = "",
                 note: str = "", amount: Decimal | None = None) -> None:
    session.connection().execute(insert(_STEP), {"slip_id": slip_id, "step": step, "at": at, "staff_id": actor.id,
                                                 "person": person, "note": note, "amount_yuan": amount})


# ------------------------------------------------------------------ the steps


def current_clock(desk: Desk, slip: dict) -> tuple[str, datetime | None]:
    """The clock that runs at this point of the slip's life (docs/rules.md §2.3), from its stored times."""
    status = slip["status"]
    clocks = slip_deadlines(slip["created_at"], desk.policy.slip, accepted_at=slip["accepted_at"],
                            appointment_at=slip["appointment_at"], in_fee_schedule=slip["in_fee_schedule"],
                            fee_agreed_at=slip["fee_agreed_at"])
    if status == "issued":
        return "notify", clocks.notify_by
    if status == "accepted" and not slip["in_fee_schedule"]:
        return "assess", clocks.assess_by
    if status in ("accepted", "agreed"):
        return "on_site", clocks.on_site_by
    return "", None


def _advance(desk: Desk, actor: Actor, slip_id: int, step: str, *, allowed: Sequence[str], now: datetime | None,
             values: dict | None = None, person: str = "", note: str = "", amount: Decimal | None = None,
             check=None, after=None) -> SlipState:
    """Move a slip one step: it must stand at one of `allowed`; the step, its clock and audit event are written."""
    now = now or utcnow()
    require_aware("now", now)
    with write_session(desk.engine) as session:
        _active(session, actor)
        slip = session.execute(select(_SLIP).where(_SLIP.c.id == slip_id)).mappings().first()
        if slip is None:
            raise NotFound("slip.err.no_such_slip", id=slip_id)
        slip = dict(slip)
        if check is not None:
            check(slip)
        if slip["status"] not in allowed:
            raise InputError("slip.err.not_now", number=slip["number"], step=label("slip_step", step),
                             status=label("slip_status", slip["status"]))
        changes = dict(values or {})
        slip.update(changes)
        if step not in ("note", "printed"):
            kind, due = current_clock(desk, slip)
            changes.update(due_kind=kind, due_by=due)
            slip.update(due_kind=kind, due_by=due)
        if step == "printed":
            changes["printed_count"] = slip["printed_count"] + 1
            slip["printed_count"] = changes["printed_count"]
        if changes:
            session.connection().execute(update(_SLIP).where(_SLIP.c.id == slip_id).values(**changes))
        if after is not None:  # what the same transaction must also write (the return visit)
            after(session, now)
        _record_step(session, slip_id, step, now, actor, person=person, note=note, amount=amount)
        audit.record(session, at=now, actor_id=actor.id, action=f"slip.{step}", entity="dispatch_slip",
                     entity_id=slip_id, detail={"number": slip["number"], "status": slip["status"]})
        department = session.execute(select(Department.name).where(Department.id == slip["department_id"])
                                     ).scalar_one_or_none() or ""
    return SlipState(slip_id, slip["number"], slip["status"], slip["due_kind"], slip["due_by"], department,
                     slip["under_warranty"], slip["chargeable"], slip["fee_yuan"], slip["printed_count"])


def _note(desk: Desk, note: str) -> str:
    return clean_text(note, "note", limit=desk.policy.content_max_chars)


def _name(value: str, field: str, *, required: bool = False) -> str:
    return clean_text(value, field, limit=NAME_LIMIT, required=required, multiline=False)


def notify_department(desk: Desk, actor: Actor, slip_id: int, *, note: str = "", person: str = "",
                      now: datetime | None = None) -> SlipState:
    """The department (or contractor) was told to collect the slip; `person` is who took the message."""
    person = _name(person, "notified_person")
    now = now or utcnow()
    return _advance(desk, actor, slip_id, "notified", allowed=("issued",), now=now, person=person, note=_note(desk, note),
                    values={"status": "notified", "notified_at": now})


def accept_slip(desk: Desk, actor: Actor, slip_id: int, *, technician: str = "",
                now: datetime | None = None) -> SlipState:
    """The department accepted the slip and named its technician (kept if given at issue)."""
    now = now or utcnow()
    typed = _name(technician, "technician")

    def check(slip):
        if slip["accepted_at"] is not None:
            raise InputError("slip.err.already_accepted", number=slip["number"])
        if not (typed or slip["technician"]):
            raise InputError("err.required", field=t("field.technician"))

    values = {"status": "accepted", "accepted_at": now}
    if typed:
        values["technician"] = typed
    return _advance(desk, actor, slip_id, "accepted", allowed=("notified",), now=now, person=typed,
                    values=values, check=check)


def assess_slip(desk: Desk, actor: Actor, slip_id: int, *, fee: Decimal | str, supervisor: str, note: str = "",
                now: datetime | None = None) -> SlipState:
    """An item outside the fee schedule: the department supervisor's feasibility and price."""
    now = now or utcnow()
    amount = checked_fee(desk, fee, "assessed_fee")
    supervisor = _name(supervisor, "dept_supervisor", required=True)
    note = clean_text(note, "note", limit=desk.policy.content_max_chars)

    def check(slip):
        if slip["in_fee_schedule"]:
            raise InputError("slip.err.no_assessment", number=slip["number"])

    return _advance(desk, actor, slip_id, "assessed", allowed=("accepted",), now=now, person=supervisor, note=note,
                    amount=amount, values={"status": "assessed", "assessed_at": now, "fee_yuan": amount},
                    check=check)


def agree_fee(desk: Desk, actor: Actor, slip_id: int, *, note: str = "", now: datetime | None = None) -> SlipState:
    """The customer agreed the assessed fee: the on-site clock starts now."""
    now = now or utcnow()
    return _advance(desk, actor, slip_id, "agreed", allowed=("assessed",), now=now, note=_note(desk, note),
                    values={"status": "agreed", "fee_agreed_at": now})


def arrive(desk: Desk, actor: Actor, slip_id: int, *, note: str = "", now: datetime | None = None) -> SlipState:
    """The technician is on site."""
    now = now or utcnow()

    def check(slip):
        if slip["status"] == "accepted" and not slip["in_fee_schedule"]:
            raise InputError("slip.err.assess_first", number=slip["number"])

    return _advance(desk, actor, slip_id, "on_site", allowed=("accepted", "agreed"), now=now, note=_note(desk, note),
                    values={"status": "on_site", "arrived_at": now}, check=check)


def complete_work(desk: Desk, actor: Actor, slip_id: int, *, work_done: str, work_fee: Decimal | str | None = None,
                  materials: str = "", materials_check: str = "", now: datetime | None = None) -> SlipState:
    """The work is done: what was actually done, its fee if different, customer-supplied materials checked."""
    now = now or utcnow()
    limit = desk.policy.content_max_chars
    work_done = clean_text(work_done, "work_done", limit=limit, required=True)
    fee = checked_fee(desk, work_fee, "work_fee", required=False) if work_fee not in (None, "") else None
    materials = clean_text(materials, "materials", limit=limit)
    if materials_check and materials_check not in MATERIAL_CHECKS:
        raise InputError("err.bad_choice", field=t("field.materials_check"), value=materials_check[:20])
    if materials and not materials_check:
        raise InputError("slip.err.materials_unchecked")

    def check(slip):
        if fee is not None and not slip["chargeable"]:
            raise InputError("slip.err.fee_on_free", number=slip["number"])

    def plan_visit(session, at):
        # The completed repair is weighed for its return visit in this transaction (docs/rules.md §2.4).
        from deskapp.services.visits import slip_completed

        slip_completed(session, desk, slip_id, actor_id=actor.id, now=at)

    return _advance(desk, actor, slip_id, "done", allowed=("on_site",), now=now, amount=fee, note=work_done,
                    values={"status": "done", "completed_at": now, "work_done": work_done, "work_fee_yuan": fee,
                            "materials": materials, "materials_check": materials_check}, check=check,
                    after=plan_visit)


def sign_slip(desk: Desk, actor: Actor, slip_id: int, *, note: str = "", now: datetime | None = None) -> SlipState:
    """The customer signed the slip to confirm the work; from here the database keeps it as signed."""
    now = now or utcnow()

    def check(slip):
        if slip["status"] == "refused":
            raise InputError("slip.err.sign_refused", number=slip["number"])
        if slip["signed_at"] is not None:
            raise InputError("slip.err.already_signed", number=slip["number"])

    return _advance(desk, actor, slip_id, "signed", allowed=("done",), now=now, note=_note(desk, note),
                    values={"status": "signed", "customer_signed": True, "signed_at": now}, check=check)


def collect_fee(desk: Desk, actor: Actor, slip_id: int, *, method: str, amount: Decimal | str,
                now: datetime | None = None) -> SlipState:
    """The fee was paid at the desk, in cash or by card."""
    now = now or utcnow()
    if method not in PAYMENT_METHODS:
        raise InputError("err.bad_choice", field=t("field.payment_method"), value=str(method)[:20])
    paid = checked_fee(desk, amount, "collected")

    def check(slip):
        if not slip["chargeable"]:
            raise InputError("slip.err.fee_on_free", number=slip["number"])
        if slip["fee_collected"]:
            raise InputError("slip.err.already_collected", number=slip["number"])
        if paid <= 0:
            raise InputError("slip.err.fee_zero")

    return _advance(desk, actor, slip_id, "collected", allowed=("signed",), now=now, amount=paid,
                    values={"status": "collected", "fee_collected": True, "payment_method": method,
                            "fee_collected_yuan": paid}, check=check)


def return_copies(desk: Desk, actor: Actor, slip_id: int, *, note: str = "", now: datetime | None = None) -> SlipState:
    """The 维修联 and 存根联 came back to the desk: the slip is closed (ready for its return visit)."""
    now = now or utcnow()

    def check(slip):
        if slip["status"] == "signed" and slip["chargeable"]:
            raise InputError("slip.err.collect_first", number=slip["number"])

    return _advance(desk, actor, slip_id, "returned", allowed=("signed", "collected"), now=now, note=_note(desk, note),
                    values={"status": "closed", "copies_returned_at": now}, check=check)


def refuse_slip(desk: Desk, actor: Actor, slip_id: int, *, reason: str, supervisor: str,
                now: datetime | None = None) -> SlipState:
    """The customer refused the work or the fee: filed (立案) with the reason and the supervisor's name."""
    now = now or utcnow()
    reason = clean_text(reason, "refused_reason", limit=desk.policy.content_max_chars, required=True)
    supervisor = _name(supervisor, "dept_supervisor", required=True)

    def check(slip):
        if slip["status"] == "refused":
            raise InputError("slip.err.already_refused", number=slip["number"])

    before_signing = ("issued", "notified", "accepted", "assessed", "agreed", "on_site", "done")
    return _advance(desk, actor, slip_id, "refused", allowed=before_signing, now=now, person=supervisor,
                    note=reason, values={"status": "refused", "refused_reason": reason, "refused_by": supervisor,
                                         "refused_at": now}, check=check)


def add_note(desk: Desk, actor: Actor, slip_id: int, *, note: str, now: datetime | None = None) -> SlipState:
    """A note appended to the slip at any point: how a signed slip is corrected."""
    note = clean_text(note, "note", limit=desk.policy.content_max_chars, required=True)
    from deskapp.core.slip_codes import STATUSES

    return _advance(desk, actor, slip_id, "note", allowed=STATUSES, now=now, note=note)


def record_print(desk: Desk, actor: Actor, slip_id: int, *, what: str = "", now: datetime | None = None) -> SlipState:
    """One print of the slip (PDF or text, to a printer or a file): counted on the slip."""
    from deskapp.core.slip_codes import STATUSES

    return _advance(desk, actor, slip_id, "printed", allowed=STATUSES, now=now, note=what[:80])
