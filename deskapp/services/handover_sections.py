"""What a handover is compiled from: one declaration per section (docs/rules.md §2.5).

A section is a query over the shift's window and how each of its rows reads as
a line of the handover. Compiling runs every section's query in one read
transaction (one consistent picture of the desk) and keeps the lines in
order; signing writes the same lines, frozen, as handover_item rows.

A register adds its section by adding one `Section(...)` to SECTIONS: its
query (a select built from the Window: the shift's start and end, and `now`,
the moment of compiling) and two small functions, `line(row, window)` that
turns a row into a Line (structured: codes, numbers, times, the text a person
typed) and `says(line)` that words a Line in the current language. Lines are
stored as data, not as sentences, so a handover signed in Chinese reads in
English too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from sqlalchemy import and_, case, func, select

from deskapp.core.codes import AWAITING, OPEN_COMPLAINT_STATUSES
from deskapp.i18n import label, t
from deskapp.services.slip_queries import OPEN_SLIP
from deskapp.storage.models import (Call, Complaint, CustodyItem, CustodyLoan, DispatchSlip, DutyLogEntry, ReturnVisit,
                                    Staff, Visitor)


@dataclass(frozen=True)
class Window:
    """The shift being handed over: [start, end) of the plan, and when it is compiled."""

    shift_id: int
    start: datetime
    end: datetime
    now: datetime

    @property
    def until(self) -> datetime:
        """The end of what has happened: the shift's end, or now if it is still running."""
        return min(self.end, self.now)


@dataclass(frozen=True)
class Line:
    """One line of a handover, as data (see the module's docstring)."""

    kind: str  # what it is about, up to 12 characters: slip, complaint, category, log, parcel, loan...
    ref: str = ""  # a record's number, a code
    text: str = ""  # what a person typed, shown literally
    at: datetime | None = None
    due_by: datetime | None = None
    quantity: int = 1
    amount_yuan: Decimal | None = None
    flagged: bool = False  # read first: overdue, a major event, a key out on loan
    section: str = ""  # filled in by the compiler
    id: int | None = None  # the handover_item id, once signed


@dataclass(frozen=True)
class Section:
    code: str  # its heading is the catalogue's "handover.section.<code>"
    query: Callable[[Window], Any]
    line: Callable[[Any, Window], Line]
    says: Callable[[Line], str]


def section_title(code: str) -> str:
    return t(f"handover.section.{code}")


# ------------------------------------------------------------------ open matters

_CALL_AWAITS = {status: kind for kind, status in (("slip", AWAITING["repair"]), ("complaint", AWAITING["complaint"]))}


def _awaiting_calls(w: Window):
    """Every call still waiting for its slip or complaint record at compile time, whichever
    shift took it: the incoming shift carries on all of them (most urgent first)."""
    return (select(Call.number, Call.status, Call.at, Call.due_by, Call.unit_code, Call.content)
            .where(Call.status.in_(tuple(_CALL_AWAITS))).order_by(Call.due_by, Call.id))


def _awaiting_call_line(row, w: Window) -> Line:
    text = " ".join(part for part in (row.unit_code, row.content) if part)
    return Line(_CALL_AWAITS[row.status], ref=row.number, text=text, at=row.at, due_by=row.due_by,
                flagged=row.due_by is not None and row.due_by <= w.now)


def _says_awaiting_call(line: Line) -> str:
    return t(f"handover.line.awaits_{line.kind}", number=line.ref)


def _missed_clocks(w: Window):
    """Awaiting calls whose deadline fell during this shift and passed unmet."""
    return (select(Call.number, Call.status, Call.at, Call.due_by, Call.unit_code, Call.content)
            .where(Call.status.in_(tuple(_CALL_AWAITS)), Call.due_by >= w.start, Call.due_by < w.until)
            .order_by(Call.due_by, Call.id))


def _missed_line(row, w: Window) -> Line:
    return Line(_CALL_AWAITS[row.status], ref=row.number, text=" ".join(p for p in (row.unit_code, row.content) if p),
                at=row.at, due_by=row.due_by, flagged=True)


def _says_missed(line: Line) -> str:
    # Under the heading "clocks missed this shift": the call and what it still waits for.
    return t("handover.line.missed", number=line.ref, what=t(f"handover.line.awaits_{line.kind}", number="").strip())


# ------------------------------------------------------------------ complaints (docs/rules.md §2.2)


def _open_complaints(w: Window):
    """Every complaint not yet closed, by the deadline of its next running clock (the board's
    partial index, migration 0006), whichever shift took it."""
    return (select(Complaint.number, Complaint.severity, Complaint.next_clock, Complaint.next_due_by,
                   Complaint.received_at, Complaint.unit_code, Complaint.description)
            .where(Complaint.status.in_(OPEN_COMPLAINT_STATUSES)).order_by(Complaint.next_due_by, Complaint.id))


def _complaint_line(row, w: Window) -> Line:
    # kind: the class (ordinary ... critical); ref: the number and the clock now running.
    text = " ".join(part for part in (row.unit_code, row.description) if part)
    return Line(row.severity, ref=f"{row.number} {row.next_clock}".strip(), text=text, at=row.received_at,
                due_by=row.next_due_by, flagged=row.next_due_by is not None and row.next_due_by <= w.now)


def _says_complaint(line: Line) -> str:
    number, _, clock = line.ref.partition(" ")
    what = label("severity", line.kind)
    return t("handover.line.complaint", severity=what, number=number,
             clock=label("clock", clock) if clock else "")


# ------------------------------------------------------------------ dispatch slips (docs/rules.md §2.3)


def _open_slips(w: Window):
    """Every slip not yet closed or refused, by the deadline of its running clock (a slip whose
    clocks have all been met, e.g. waiting for the customer's signature, comes last)."""
    return (select(DispatchSlip.number, DispatchSlip.status, DispatchSlip.due_kind, DispatchSlip.due_by,
                   DispatchSlip.created_at, DispatchSlip.unit_code, DispatchSlip.item)
            .where(OPEN_SLIP).order_by(DispatchSlip.due_by.is_(None), DispatchSlip.due_by, DispatchSlip.id))


def _slip_line(row, w: Window) -> Line:
    # kind "slip"; ref: the number and the clock now running (or, with none running, the status).
    text = " ".join(part for part in (row.unit_code, row.item) if part)
    step = f"clock:{row.due_kind}" if row.due_kind else f"status:{row.status}"
    return Line("slip", ref=f"{row.number} {step}", text=text, at=row.created_at, due_by=row.due_by,
                flagged=row.due_by is not None and row.due_by <= w.now)


def _says_slip(line: Line) -> str:
    number, _, step = line.ref.partition(" ")
    kind, _, code = step.partition(":")
    return t("handover.line.slip", number=number,
             step=label("slip_clock" if kind == "clock" else "slip_status", code) if code else "")


# ------------------------------------------------------------------ return visits (docs/rules.md §2.4)


def _visits_due(w: Window):
    """Return visits still due by the end of the next shift (the overdue ones first)."""
    return (select(ReturnVisit.number, ReturnVisit.due_by, ReturnVisit.completed_at, ReturnVisit.unit_code,
                   ReturnVisit.customer_name, ReturnVisit.source_number)
            .where(ReturnVisit.status == "due", ReturnVisit.due_by < w.end + (w.end - w.start))
            .order_by(ReturnVisit.due_by, ReturnVisit.id))


def _visit_line(row, w: Window) -> Line:
    text = " ".join(part for part in (row.unit_code, row.customer_name, row.source_number) if part)
    return Line("visit", ref=row.number, text=text, at=row.completed_at, due_by=row.due_by,
                flagged=row.due_by is not None and row.due_by <= w.now)


def _says_visit(line: Line) -> str:
    return t("handover.line.visit", number=line.ref)


# ------------------------------------------------------------------ calls of the shift


def _calls_by_category(w: Window):
    return (select(Call.category, func.count()).where(Call.at >= w.start, Call.at < w.until)
            .group_by(Call.category).order_by(func.count().desc(), Call.category))


def _category_line(row, w: Window) -> Line:
    return Line("category", ref=row[0], quantity=row[1])


def _says_category(line: Line) -> str:
    return t("handover.line.calls", category=label("category", line.ref), count=line.quantity)


# ------------------------------------------------------------------ duty log


def _duty_log(w: Window):
    return (select(DutyLogEntry.at, DutyLogEntry.what, DutyLogEntry.action, DutyLogEntry.major, Staff.name)
            .join(Staff, Staff.id == DutyLogEntry.staff_id)
            .where(DutyLogEntry.shift_id == w.shift_id).order_by(DutyLogEntry.major.desc(), DutyLogEntry.at,
                                                                  DutyLogEntry.id))


def _log_line(row, w: Window) -> Line:
    text = row.what + (f"\n→ {row.action}" if row.action else "")
    return Line("log", ref=row.name, text=text, at=row.at, flagged=bool(row.major))


def _says_log(line: Line) -> str:
    return t("handover.line.major" if line.flagged else "handover.line.log", staff=line.ref)


# ------------------------------------------------------------------ items in custody


def _open_loans():
    return (select(CustodyLoan.item_id, CustodyLoan.lent_to, CustodyLoan.lent_at)
            .where(CustodyLoan.returned_at.is_(None)).subquery())


def _custody_counts(w: Window):
    """What the desk holds at compile time, by kind, counted from the register."""
    return (select(CustodyItem.kind, func.count(), func.coalesce(func.sum(CustodyItem.quantity), 0),
                   func.sum(CustodyItem.amount_yuan))
            .where(CustodyItem.status == "held").group_by(CustodyItem.kind).order_by(CustodyItem.kind))


def _custody_line(row, w: Window) -> Line:
    kind, items, pieces, amount = row
    # quantity: the pieces on the shelf (what the incoming staff counts); text: the records.
    return Line(kind, quantity=int(pieces), text=str(items),
                amount_yuan=Decimal(amount).quantize(Decimal("0.01")) if amount is not None else None)


def _says_custody(line: Line) -> str:
    if line.amount_yuan is not None:
        return t("handover.line.cash", what=label("custody_kind", line.kind), amount=f"{line.amount_yuan:,.2f}")
    return t("handover.line.held", what=label("custody_kind", line.kind), pieces=line.quantity, items=line.text)


def _loans(w: Window):
    loans = _open_loans()
    return (select(CustodyItem.kind, CustodyItem.label, loans.c.lent_to, loans.c.lent_at)
            .join(loans, loans.c.item_id == CustodyItem.id).order_by(loans.c.lent_at, CustodyItem.id))


def _loan_line(row, w: Window) -> Line:
    return Line("loan", ref=row.kind, text=f"{row.label} → {row.lent_to}", at=row.lent_at, flagged=True)


def _says_loan(line: Line) -> str:
    return t("handover.line.loan", what=label("custody_kind", line.ref))


# ------------------------------------------------------------------ visitors


def _visitors(w: Window):
    return (select(func.count(), func.coalesce(func.sum(case((Visitor.allowed, 0), else_=1)), 0))
            .where(and_(Visitor.at >= w.start, Visitor.at < w.until)))


def _visitors_line(row, w: Window) -> Line:
    return Line("visitors", quantity=row[0], ref=str(row[1]))


def _says_visitors(line: Line) -> str:
    return t("handover.line.visitors", count=line.quantity, refused=line.ref)


# ------------------------------------------------------------------ the sections, in the order they are read

SECTIONS: list[Section] = [
    Section("open_matters", _awaiting_calls, _awaiting_call_line, _says_awaiting_call),
    Section("missed", _missed_clocks, _missed_line, _says_missed),
    Section("complaints", _open_complaints, _complaint_line, _says_complaint),
    Section("slips", _open_slips, _slip_line, _says_slip),
    Section("visits", _visits_due, _visit_line, _says_visit),
    Section("calls", _calls_by_category, _category_line, _says_category),
    Section("duty_log", _duty_log, _log_line, _says_log),
    Section("custody", _custody_counts, _custody_line, _says_custody),
    Section("loans", _loans, _loan_line, _says_loan),
    Section("visitors", _visitors, _visitors_line, _says_visitors),
]

# The outgoing staff's notes: not a query, typed when signing (stored on the handover).
NOTES = "notes"


def section(code: str) -> Section | None:
    return next((s for s in SECTIONS if s.code == code), None)


def says(line: Line) -> str:
    """A line in the current language (its typed text is shown beside it, literally)."""
    found = section(line.section)
    return found.says(line) if found is not None else line.kind
