"""What the desk's small registers share on the read side: a search by unit,
phone or words, and newest-first keyset pages.

The duty log, items in custody and the visitor register hold thousands of rows
a year, not millions: each is read a page at a time by its (time, id) index,
and a search is answered by the unit's or phone's own index, or by checking
the words on each row (portable SQL, the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, false, func, literal, or_, select, tuple_

from deskapp.core.paging import PAGE_SIZE
from deskapp.core.text import unit_code_if_unit
from deskapp.storage.types import UTCDateTime


def search_condition(text: str, *, phone=None, unit=None, words: Sequence = ()):
    """Every word of `text` must be found: a unit (3-2-1201) as that unit, digits in the
    phone column (any part of the number), anything else in one of `words` or the unit."""
    conds = []
    for word in (text or "").split():
        options = []
        code = unit_code_if_unit(word) if unit is not None else None
        if code is not None:
            options.append(unit == code)
        else:
            digits = word.lstrip("+")
            if phone is not None and digits.isdigit():
                options.append(phone.contains(digits, autoescape=True))
            folded = word.lower()
            options += [func.lower(col).contains(folded, autoescape=True) for col in words]
            if unit is not None:
                options.append(unit.contains(word, autoescape=True))
        conds.append(or_(*options) if options else false())
    return and_(*conds) if conds else None


def count(session, table, conds: list) -> int:
    return session.execute(select(func.count()).select_from(table).where(*conds)).scalar_one()


def page(session, query, at_col, id_col, *, after: tuple[datetime, int] | None = None, offset: int = 0,
         limit: int = PAGE_SIZE) -> list[Any]:
    """Rows of `query` newest first by (at, id): after a key, else from an offset."""
    if after is not None:
        at, row_id = after
        query = query.where(tuple_(at_col, id_col) < tuple_(literal(at, UTCDateTime()), literal(row_id)))
    elif offset:
        query = query.offset(offset)
    return list(session.execute(query.order_by(at_col.desc(), id_col.desc()).limit(limit)))
