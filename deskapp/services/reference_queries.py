"""What the form pickers offer: departments, staff on duty, units, any fixed list (read-only).

Every source has one shape, `source(desk, typed, limit) -> list[Choice]`: the
choices whose label (or detail) contains what was typed, those that start
with it first, at most `limit`. A picker calls it in a worker on each change,
so a site with 20,000 units never loads them all into a widget. Matching is a
plain substring (no pinyin): typing `1201` or `3栋` or `工程` finds the entry.

Storage is imported inside the functions: a form module can import `Choice`
without paying for SQLAlchemy before it is needed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

if TYPE_CHECKING:
    from deskapp.services.desk import Desk


@dataclass(frozen=True)
class Choice:
    """One thing a picker offers: the value saved, the label shown and matched, a dim detail."""

    value: Any
    label: str
    detail: str = ""


OptionsSource = Callable[["Desk | None", str, int], Sequence[Choice]]


def _needle(typed: str) -> str:
    return unicodedata.normalize("NFKC", typed or "").strip().casefold()


def filter_choices(choices: Iterable[Choice], typed: str, limit: int) -> list[Choice]:
    """Choices whose label or detail contains `typed` (ignoring case and full width); label prefixes first."""
    needle = _needle(typed)
    if not needle:
        return list(choices)[:limit]
    starts, contains = [], []
    for choice in choices:
        label = unicodedata.normalize("NFKC", choice.label).casefold()
        if label.startswith(needle):
            starts.append(choice)
        elif needle in label or needle in unicodedata.normalize("NFKC", choice.detail).casefold():
            contains.append(choice)
    return (starts + contains)[:limit]


def choices_from(items: Iterable[Choice | tuple[Any, str] | tuple[Any, str, str]]) -> OptionsSource:
    """A source over a fixed list (the fee schedule's items, a short code list)."""
    fixed = tuple(item if isinstance(item, Choice) else Choice(*item) for item in items)

    def source(desk: "Desk | None", typed: str, limit: int) -> list[Choice]:
        return filter_choices(fixed, typed, limit)

    return source


def department_choices(desk: "Desk", typed: str = "", limit: int = 50) -> list[Choice]:
    """Departments and contractors still receiving work (工程部, 秩序部...), by name."""
    from sqlalchemy import select

    from deskapp.storage.engine import read_session
    from deskapp.storage.models import Department

    query = _matching(select(Department.id, Department.name, Department.phone).where(Department.active),
                      Department.name, typed)
    with read_session(desk.engine) as session:
        rows = session.execute(query.limit(limit)).all()
    return [Choice(id_, name, phone or "") for id_, name, phone in rows]


def staff_choices(desk: "Desk", typed: str = "", limit: int = 50) -> list[Choice]:
    """Active staff by name, their role as the detail."""
    from sqlalchemy import select

    from deskapp.i18n import label
    from deskapp.storage.engine import read_session
    from deskapp.storage.models import Staff

    query = _matching(select(Staff.id, Staff.name, Staff.role).where(Staff.active), Staff.name, typed)
    with read_session(desk.engine) as session:
        rows = session.execute(query.limit(limit)).all()
    return [Choice(id_, name, label("role", role)) for id_, name, role in rows]


def unit_choices(desk: "Desk", typed: str = "", limit: int = 50) -> list[Choice]:
    """Units the desk knows, matched on the code (3栋2单元1201) or the dashed form people type (3-2-1201)."""
    from sqlalchemy import literal, select

    from deskapp.storage.engine import read_session
    from deskapp.storage.models import Unit

    dashed = Unit.building + literal("-") + Unit.entrance + literal("-") + Unit.room
    query = _matching(select(Unit.code, dashed), Unit.code, typed, also=dashed)
    with read_session(desk.engine) as session:
        rows = session.execute(query.limit(limit)).all()
    return [Choice(code, code, dashed if (dashed or "").strip("-") else "") for code, dashed in rows]


def _matching(query, column, typed: str, *, also=None):
    """`query` narrowed to rows whose `column` (or `also`) contains what was typed, prefixes first.

    LIKE with escaped wildcards, so it reads the same on SQLite and PostgreSQL
    and a typed % or _ is a character, not a pattern.
    """
    from sqlalchemy import case, func, or_

    needle = _needle(typed)
    if not needle:
        return query.order_by(column)
    texts = [func.lower(column)] + ([func.lower(also)] if also is not None else [])
    contains = or_(*(text.contains(needle, autoescape=True) for text in texts))
    starts = or_(*(text.startswith(needle, autoescape=True) for text in texts))
    return query.where(contains).order_by(case((starts, 0), else_=1), column)
