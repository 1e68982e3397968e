"""Items in custody (寄存 / 钥匙托管), docs/rules.md §2.7.

Parcels and mail held for residents, keys held in trust, radios and the cash
float, one register: an item is received (whose, which, when, by whom),
released once (collected by a named person, ID checked), and a key or radio
may be lent out and returned in between. Every refusal (a parcel collected
twice, a key returned that was never lent, a key lent while it is out)
writes nothing. The handover counts these records (§2.5); nobody types a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select, update

from deskapp.core.handover_codes import CUSTODY_KINDS, LENDABLE
from deskapp.core.parse import MONEY_CAP
from deskapp.core.text import clean_text, normalize_phone, normalize_unit
from deskapp.errors import InputError, NotFound
from deskapp.i18n import label, t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor
from deskapp.services.shifts import shift_row
from deskapp.storage.engine import write_session
from deskapp.storage.models import CustodyItem, CustodyLoan

_ITEM = CustodyItem.__table__
_LOAN = CustodyLoan.__table__
_FUTURE_GRACE = timedelta(minutes=1)
_MAX_PIECES = 999


@dataclass(frozen=True)
class ItemDraft:
    """What the receptionist typed when the item came in."""

    kind: str = "parcel"
    label: str = ""  # waybill number, which key, radio number
    owner_name: str = ""
    phone: str = ""
    unit: str = ""
    quantity: int | None = 1
    amount_yuan: Decimal | None = None  # the cash float only
    note: str = ""
    at: datetime | None = None


@dataclass(frozen=True)
class Received:
    id: int
    kind: str
    label: str
    at: datetime


def receive_item(desk: Desk, actor: Actor, draft: ItemDraft, *, now: datetime | None = None) -> Received:
    """Take an item into custody; refuses before writing anything."""
    now = now or utcnow()
    if draft.kind not in CUSTODY_KINDS:
        raise InputError("err.bad_choice", field=t("field.custody_kind"), value=draft.kind)
    item_label = clean_text(draft.label, "custody_label", limit=100, multiline=False,
                            required=draft.kind in ("key", "radio"))
    owner = clean_text(draft.owner_name, "owner_name", limit=40, multiline=False)
    phone = normalize_phone(draft.phone)
    unit_code = normalize_unit(draft.unit)
    note = clean_text(draft.note, "note", limit=desk.policy.content_max_chars)
    quantity = 1 if draft.quantity is None else draft.quantity
    if not 1 <= quantity <= _MAX_PIECES:
        raise InputError("err.custody_quantity", limit=_MAX_PIECES)
    amount = draft.amount_yuan
    if draft.kind == "cash":
        if amount is None or amount <= 0 or amount > MONEY_CAP:
            raise InputError("err.custody_cash_amount")
    elif amount is not None:
        raise InputError("err.custody_amount_for_cash")
    if draft.kind in ("parcel", "mail") and not (owner or phone or unit_code):
        raise InputError("err.custody_whose")
    at = draft.at or now
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if at > now + _FUTURE_GRACE:
        raise InputError("err.future_time")
    with write_session(desk.engine) as session:
        shift_row(session, desk, actor, now)  # the first thing done in a shift starts it
        item_id = session.connection().execute(insert(_ITEM).returning(_ITEM.c.id), {
            "kind": draft.kind, "label": item_label, "owner_name": owner, "phone": phone, "unit_code": unit_code,
            "quantity": quantity, "amount_yuan": amount, "note": note, "received_at": at,
            "received_by_id": actor.id, "released_to": "", "released_id_checked": False, "status": "held",
        }).scalar_one()
        audit.record(session, at=now, actor_id=actor.id, action="custody.receive", entity="custody_item",
                     entity_id=item_id, detail={"kind": draft.kind, "label": item_label, "quantity": quantity})
    return Received(item_id, draft.kind, item_label, at)


def _held(session, item_id: int) -> CustodyItem:
    item = session.get(CustodyItem, item_id)
    if item is None:
        raise NotFound("err.no_such_item", id=item_id)
    return item


def _person(name: str, field: str) -> str:
    return clean_text(name, field, limit=40, multiline=False, required=True)


def release_item(desk: Desk, actor: Actor, item_id: int, *, to: str, id_checked: bool,
                 now: datetime | None = None) -> None:
    """Hand an item over for good (a parcel collected, a key returned to its owner). Once."""
    now = now or utcnow()
    to = _person(to, "collected_by")
    with write_session(desk.engine) as session:
        item = _held(session, item_id)
        if item.status != "held":
            raise InputError("err.custody_already_released", what=_what(item), to=item.released_to,
                             at=f"{item.released_at.astimezone(desk.tz):%Y-%m-%d %H:%M}")
        if item.kind in ("parcel", "mail") and not id_checked:
            raise InputError("err.custody_id_unchecked")
        if _open_loan(session, item_id) is not None:
            raise InputError("err.custody_out_on_loan", what=_what(item))
        shift_row(session, desk, actor, now)
        # Guarded by the status it was read with: two terminals cannot both hand it over.
        done = session.connection().execute(
            update(_ITEM).where(_ITEM.c.id == item_id, _ITEM.c.status == "held").values(
                status="released", released_at=now, released_to=to, released_id_checked=bool(id_checked),
                released_by_id=actor.id))
        if done.rowcount != 1:
            raise InputError("err.custody_already_released", what=_what(item), to="", at="")
        audit.record(session, at=now, actor_id=actor.id, action="custody.release", entity="custody_item",
                     entity_id=item_id, detail={"to": to, "id_checked": bool(id_checked)})


def _open_loan(session, item_id: int):
    return session.execute(select(_LOAN.c.id, _LOAN.c.lent_to).where(
        _LOAN.c.item_id == item_id, _LOAN.c.returned_at.is_(None))).first()


def _what(item: CustodyItem) -> str:
    return f"{label('custody_kind', item.kind)} {item.label}".strip()


def lend_item(desk: Desk, actor: Actor, item_id: int, *, to: str, id_checked: bool,
              now: datetime | None = None) -> int:
    """Lend a key or radio held at the desk to a named person; refused while it is out."""
    now = now or utcnow()
    to = _person(to, "lent_to")
    with write_session(desk.engine) as session:
        item = _held(session, item_id)
        if item.kind not in LENDABLE:
            raise InputError("err.custody_not_lendable", what=_what(item))
        if item.status != "held":
            raise InputError("err.custody_not_held", what=_what(item))
        out = _open_loan(session, item_id)
        if out is not None:
            raise InputError("err.custody_already_lent", what=_what(item), to=out.lent_to)
        if not id_checked:
            raise InputError("err.custody_id_unchecked")
        shift_row(session, desk, actor, now)
        loan_id = session.connection().execute(insert(_LOAN).returning(_LOAN.c.id), {
            "item_id": item_id, "lent_to": to, "id_checked": True, "lent_at": now, "lent_by_id": actor.id,
        }).scalar_one()
        audit.record(session, at=now, actor_id=actor.id, action="custody.lend", entity="custody_loan",
                     entity_id=loan_id, detail={"item": item_id, "to": to})
    return loan_id


def return_item(desk: Desk, actor: Actor, item_id: int, *, now: datetime | None = None) -> None:
    """A lent key or radio comes back; refused if it was never lent (or is back already)."""
    now = now or utcnow()
    with write_session(desk.engine) as session:
        item = _held(session, item_id)
        out = _open_loan(session, item_id)
        if out is None:
            raise InputError("err.custody_not_lent", what=_what(item))
        shift_row(session, desk, actor, now)
        session.connection().execute(update(_LOAN).where(_LOAN.c.id == out.id, _LOAN.c.returned_at.is_(None))
                                     .values(returned_at=now, returned_by_id=actor.id))
        audit.record(session, at=now, actor_id=actor.id, action="custody.return", entity="custody_loan",
                     entity_id=out.id, detail={"item": item_id, "from": out.lent_to})
