"""Read side of the 待办 view: what is still waiting on the desk, most urgent first.

Today that is the awaiting calls (a 报修 waiting for its dispatch slip, a 投诉
for its complaint record), ordered by their deadline, overdue first. The
complaints issue grows this into the open-matters board (open complaints,
slips, return visits due): each kind adds its rows here with the same key
(deadline, kind, id), and the screen needs no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, tuple_

from deskapp.core.codes import AWAITING
from deskapp.core.paging import PAGE_SIZE
from deskapp.services.call_queries import _COLUMNS, CallRow
from deskapp.services.desk import Desk
from deskapp.storage.engine import read_session
from deskapp.storage.models import Call, Staff
from deskapp.storage.types import UTCDateTime

_AWAITING = tuple(AWAITING.values())


@dataclass(frozen=True)
class AwaitingCall(CallRow):
    """A call still waiting for its record; listed by its deadline."""

    @property
    def key(self) -> tuple[datetime, int]:
        return (self.due_by, self.id)


def count_open(desk: Desk) -> int:
    with read_session(desk.engine) as session:
        return session.execute(select(func.count()).select_from(Call).where(Call.status.in_(_AWAITING))).scalar_one()


def fetch_open(desk: Desk, *, after: tuple[datetime, int] | None = None, offset: int = 0,
               limit: int = PAGE_SIZE) -> list[AwaitingCall]:
    """Open matters by deadline, soonest (most overdue) first: after a key, else from an offset."""
    with read_session(desk.engine) as session:
        query = (select(*_COLUMNS).join(Staff, Call.owner_id == Staff.id)
                 .where(Call.status.in_(_AWAITING)))
        if after is not None:
            due, row_id = after
            query = query.where(tuple_(Call.due_by, Call.id) > tuple_(literal(due, UTCDateTime()), literal(row_id)))
        elif offset:
            query = query.offset(offset)
        query = query.order_by(Call.due_by.asc(), Call.id.asc()).limit(limit)
        return [AwaitingCall(*row) for row in session.execute(query)]
