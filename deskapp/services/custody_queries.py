"""Read side of items in custody: the register newest first, searchable by unit and
phone, and the counts the handover takes from the records (docs/rules.md §2.5, §2.7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select

from deskapp.core.paging import PAGE_SIZE
from deskapp.services.desk import Desk
from deskapp.services.small_registers import count, page, search_condition
from deskapp.storage.engine import read_session
from deskapp.storage.models import CustodyItem, CustodyLoan, Staff


@dataclass(frozen=True)
class CustodyFilter:
    search: str = ""
    kind: str | None = None
    held_only: bool = False  # only what is at the desk now (or out on loan)


@dataclass(frozen=True)
class CustodyRow:
    id: int
    kind: str
    label: str
    owner_name: str
    phone: str
    unit_code: str
    quantity: int
    amount_yuan: Decimal | None
    note: str
    received_at: datetime
    received_by: str
    status: str
    released_at: datetime | None
    released_to: str
    lent_to: str | None  # out on loan to, if it is
    lent_at: datetime | None

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.received_at, self.id)


@dataclass(frozen=True)
class HeldCount:
    """What the desk holds of one kind: items, pieces, lent out, cash."""

    kind: str
    items: int
    pieces: int
    lent: int
    amount_yuan: Decimal | None


def _open_loans():
    return (select(CustodyLoan.item_id, CustodyLoan.lent_to, CustodyLoan.lent_at)
            .where(CustodyLoan.returned_at.is_(None)).subquery())


def _conds(f: CustodyFilter) -> list:
    conds = []
    found = search_condition(f.search, phone=CustodyItem.phone, unit=CustodyItem.unit_code,
                             words=(CustodyItem.owner_name, CustodyItem.label, CustodyItem.note))
    if found is not None:
        conds.append(found)
    if f.kind:
        conds.append(CustodyItem.kind == f.kind)
    if f.held_only:
        conds.append(CustodyItem.status == "held")
    return conds


def count_items(desk: Desk, f: CustodyFilter = CustodyFilter()) -> int:
    with read_session(desk.engine) as session:
        return count(session, CustodyItem, _conds(f))


def fetch_items(desk: Desk, f: CustodyFilter = CustodyFilter(), *, after: tuple[datetime, int] | None = None,
                offset: int = 0, limit: int = PAGE_SIZE) -> list[CustodyRow]:
    loans = _open_loans()
    query = (select(CustodyItem.id, CustodyItem.kind, CustodyItem.label, CustodyItem.owner_name, CustodyItem.phone,
                    CustodyItem.unit_code, CustodyItem.quantity, CustodyItem.amount_yuan, CustodyItem.note,
                    CustodyItem.received_at, Staff.name, CustodyItem.status, CustodyItem.released_at,
                    CustodyItem.released_to, loans.c.lent_to, loans.c.lent_at)
             .join(Staff, Staff.id == CustodyItem.received_by_id)
             .join(loans, loans.c.item_id == CustodyItem.id, isouter=True)
             .where(*_conds(f)))
    with read_session(desk.engine) as session:
        rows = page(session, query, CustodyItem.received_at, CustodyItem.id, after=after, offset=offset, limit=limit)
    return [CustodyRow(*row) for row in rows]


def held_counts(session) -> list[HeldCount]:
    """What the desk holds now, by kind, counted from the records (inside a read session)."""
    loans = _open_loans()
    rows = session.execute(
        select(CustodyItem.kind, func.count(), func.coalesce(func.sum(CustodyItem.quantity), 0),
               func.count(loans.c.item_id), func.sum(CustodyItem.amount_yuan))
        .join(loans, loans.c.item_id == CustodyItem.id, isouter=True)
        .where(CustodyItem.status == "held").group_by(CustodyItem.kind)).all()
    return [HeldCount(kind, items, int(pieces), lent, Decimal(amount) if amount is not None else None)
            for kind, items, pieces, lent, amount in rows]


def counts_now(desk: Desk) -> list[HeldCount]:
    with read_session(desk.engine) as session:
        return held_counts(session)
