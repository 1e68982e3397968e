"""Month-end analysis of return visits (回访月度分析), for the supervisor and the manager.

docs/rules.md §2.4: the month's unsatisfactory visits; matters the same unit
complained about `return_visit.repeat_complaints` (2) or more times in a row;
the same repair (same unit, and the same fee item or the same words)
`return_visit.repeat_repairs` (3) or more times; visits done against the share
required, per kind; visits overdue; and visit records past
`return_visit.keep_years`, to be archived by export (never deleted here).
Read-only; each list is one query over the month's rows by their time index.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from sqlalchemy import case, func, select

from deskapp.core.visit_rules import VISIT_KINDS
from deskapp.errors import InputError
from deskapp.services.desk import Desk
from deskapp.storage.engine import read_session
from deskapp.storage.models import Complaint, CompletedMatter, DispatchSlip, ReturnVisit

_V, _M, _C, _S = ReturnVisit.__table__, CompletedMatter.__table__, Complaint.__table__, DispatchSlip.__table__


@dataclass(frozen=True)
class Unsatisfied:
    number: str
    kind: str
    source_number: str
    unit_code: str
    customer_name: str
    score: int | None
    shortcomings: str
    raised_complaint: str


@dataclass(frozen=True)
class Repeated:
    unit_code: str
    what: str  # the subject complained about, or the fee item / words of the repair
    times: int
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class ShareDone:
    kind: str
    completed: int  # matters completed in the month
    share_percent: int | None
    required: int  # visits the share asks for
    done: int  # of the visits planned for them, done (or reviewed)
    on_time: int  # ... by their due time


@dataclass(frozen=True)
class Overdue:
    number: str
    kind: str
    source_number: str
    unit_code: str
    due_on: date
    attempts: int


@dataclass(frozen=True)
class MonthAnalysis:
    month: str  # YYYY-MM
    unsatisfied: list[Unsatisfied]
    repeat_complaints: list[Repeated]
    repeat_repairs: list[Repeated]
    shares: list[ShareDone]
    overdue: list[Overdue]
    to_archive: int  # visit records older than keep_years
    archive_before: date


def parse_month(text: str) -> tuple[int, int]:
    value = (text or "").strip()
    try:
        year, month = value.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        year, month = int(year), int(month)
        date(year, month, 1)
    except ValueError:
        raise InputError("analysis.bad_month", value=value) from None
    return year, month


def _bounds(desk: Desk, year: int, month: int) -> tuple[datetime, datetime]:
    """The month in the site's zone, as UTC instants [start, end)."""
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return (datetime.combine(first, time(0), tzinfo=desk.tz).astimezone(timezone.utc),
            datetime.combine(following, time(0), tzinfo=desk.tz).astimezone(timezone.utc))


def month_end(desk: Desk, month: str, *, now: datetime) -> MonthAnalysis:
    year, mon = parse_month(month)
    start, end = _bounds(desk, year, mon)
    rules = desk.policy.return_visit
    cutoff = min(now, end)
    with read_session(desk.engine) as session:
        conn = session.connection()
        raised = _C.alias("raised")
        unsatisfied = [Unsatisfied(*r) for r in conn.execute(
            select(_V.c.number, _V.c.kind, _V.c.source_number, _V.c.unit_code, _V.c.customer_name, _V.c.score,
                   _V.c.shortcomings, func.coalesce(raised.c.number, ""))
            .select_from(_V.outerjoin(raised, raised.c.id == _V.c.raised_complaint_id))
            .where(_V.c.visited_at >= start, _V.c.visited_at < end, _V.c.satisfaction == "unsatisfied")
            .order_by(_V.c.visited_at, _V.c.id))]
        complaints = conn.execute(
            select(_C.c.unit_code, _C.c.subject, _C.c.description, _C.c.number)
            .where(_C.c.received_at >= start, _C.c.received_at < end, _C.c.unit_code != "")
            .order_by(_C.c.unit_code, _C.c.received_at, _C.c.id)).all()
        repairs = conn.execute(
            select(_S.c.unit_code, _S.c.fee_item, _S.c.item, _S.c.number)
            .where(_S.c.created_at >= start, _S.c.created_at < end, _S.c.unit_code != "")
            .order_by(_S.c.unit_code, _S.c.created_at, _S.c.id)).all()
        done = _V.c.status.in_(("done", "reviewed"))
        per_kind = {k: (n, s, d, o) for k, n, s, d, o in conn.execute(
            select(_M.c.kind, func.count(), func.sum(case((_M.c.sampled, 1), else_=0)),
                   func.sum(case((done, 1), else_=0)),
                   func.sum(case(((done & (_V.c.visited_at <= _V.c.due_by)), 1), else_=0)))
            .select_from(_M.outerjoin(_V, _V.c.id == _M.c.visit_id))
            .where(_M.c.completed_at >= start, _M.c.completed_at < end)
            .group_by(_M.c.kind))}
        overdue = [Overdue(*r) for r in conn.execute(
            select(_V.c.number, _V.c.kind, _V.c.source_number, _V.c.unit_code, _V.c.due_on, _V.c.attempts)
            .where(_V.c.status == "due", _V.c.due_by < cutoff)
            .order_by(_V.c.due_by, _V.c.id))]
        archive_before = date(year - rules.keep_years, mon, 1)
        archive_at = datetime.combine(archive_before, time(0), tzinfo=desk.tz).astimezone(timezone.utc)
        to_archive = conn.execute(select(func.count()).select_from(_V).where(
            func.coalesce(_V.c.visited_at, _V.c.completed_at) < archive_at)).scalar_one()
    shares = []
    for kind in VISIT_KINDS:
        n, sampled_n, done_n, on_time = per_kind.get(kind, (0, 0, 0, 0))
        share = rules.rule(kind).share_percent
        required = math.ceil(n * share / 100) if share is not None else int(sampled_n or 0)
        shares.append(ShareDone(kind, n, share, required, int(done_n or 0), int(on_time or 0)))
    return MonthAnalysis(
        month=f"{year:04d}-{mon:02d}", unsatisfied=unsatisfied,
        repeat_complaints=_in_a_row(complaints, rules.repeat_complaints),
        repeat_repairs=_same_repairs(repairs, rules.repeat_repairs),
        shares=shares, overdue=overdue, to_archive=to_archive, archive_before=archive_before)


def _words(text: str) -> str:
    return " ".join((text or "").split())


def _in_a_row(rows, at_least: int) -> list[Repeated]:
    """Runs of a unit's consecutive complaints about the same matter (the subject complained
    about, else the same words), at least ``at_least`` long."""
    out: list[Repeated] = []
    run: list = []

    def close() -> None:
        if len(run) >= at_least:
            out.append(Repeated(run[0][0], run[0][1], len(run), tuple(r[2] for r in run)))

    for unit, subject, description, number in rows:
        matter = _words(subject) or _words(description)
        if run and (run[-1][0], run[-1][1]) == (unit, matter):
            run.append((unit, matter, number))
        else:
            close()
            run = [(unit, matter, number)]
    close()
    return out


def _same_repairs(rows, at_least: int) -> list[Repeated]:
    """The same unit's repairs of the same fee item, or in the same words, at least ``at_least`` times."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for unit, fee_item, item, number in rows:
        groups[(unit, _words(fee_item) or _words(item))].append(number)
    return [Repeated(unit, what, len(numbers), tuple(numbers))
            for (unit, what), numbers in groups.items() if len(numbers) >= at_least]


__all__ = ["month_end", "parse_month", "MonthAnalysis", "Unsatisfied", "Repeated", "ShareDone", "Overdue",
]


def report_lines(a: MonthAnalysis) -> list[str]:
    """The analysis as lines of text, the same in the app and on the command line."""
    from deskapp.i18n import label, t

    lines = [t("analysis.title", month=a.month), "", t("analysis.unsatisfied", n=len(a.unsatisfied))]
    for u in a.unsatisfied:
        raised = t("analysis.raised", number=u.raised_complaint) if u.raised_complaint else ""
        lines.append(f"  {u.number} {label('visit_kind', u.kind)} {u.source_number} {u.unit_code} "
                     f"{u.customer_name} {u.score} {u.shortcomings} {raised}".rstrip())
    lines += ["", t("analysis.repeat_complaints", n=len(a.repeat_complaints))]
    for r in a.repeat_complaints:
        lines.append(f"  {r.unit_code} ×{r.times} {r.what}  {', '.join(r.numbers)}")
    lines += ["", t("analysis.repeat_repairs", n=len(a.repeat_repairs))]
    for r in a.repeat_repairs:
        lines.append(f"  {r.unit_code} ×{r.times} {r.what}  {', '.join(r.numbers)}")
    lines += ["", t("analysis.shares")]
    for s in a.shares:
        share = f"{s.share_percent}%" if s.share_percent is not None else t("analysis.share_manager")
        lines.append("  " + t("analysis.share_line", kind=label("visit_kind", s.kind), completed=s.completed,
                                share=share, required=s.required, done=s.done, on_time=s.on_time))
    lines += ["", t("analysis.overdue", n=len(a.overdue))]
    for o in a.overdue:
        lines.append(f"  {o.number} {label('visit_kind', o.kind)} {o.source_number} {o.unit_code} "
                     f"{o.due_on.isoformat()} {t('visits.tries', n=o.attempts) if o.attempts else ''}".rstrip())
    lines += ["", t("analysis.archive", n=a.to_archive, before=a.archive_before.isoformat())]
    return lines
