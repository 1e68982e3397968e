"""Calls and visits in the month (来电来访): by category, by channel, per day, and the call clocks."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.i18n import label, t
from deskapp.services.report import Clock, Period, ReportSection, Section, Table, mean, p90, percent
from deskapp.storage.models import Call, Complaint, DispatchSlip


def _by(conn, column, codes, kind, in_month, total) -> Table:
    counts = dict(conn.execute(select(column, func.count()).where(*in_month).group_by(column)).all())
    rows = [[label(kind, c), counts.get(c, 0), percent(counts.get(c, 0), total)] for c in codes]
    rows += [[label(kind, c), n, percent(n, total)] for c, n in counts.items() if c not in codes]
    rows.append([t("report.total"), total, percent(total, total)])
    return Table(t(f"report.calls.by_{kind}"), [t(f"field.{kind}"), t("report.count"), t("report.share")], rows,
                 ["text", "count", "percent"])


def build_calls(desk, p: Period) -> Section:
    in_month = (Call.at >= p.start, Call.at < p.end)
    with desk.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Call).where(*in_month)).scalar_one()
        per_day = []
        for day in p.days():  # one range count per day on ix_call_at_id: the local day, on any backend
            start = datetime.combine(day, time(), desk.tz)
            end = datetime.combine(day + timedelta(days=1), time(), desk.tz)
            per_day.append((day, conn.execute(select(func.count()).select_from(Call)
                                              .where(Call.at >= start, Call.at < end)).scalar_one()))
        tables = [_by(conn, Call.category, CATEGORIES, "category", in_month, total),
                  _by(conn, Call.channel, CHANNELS, "channel", in_month, total)]
    tables.append(Table(t("report.calls.per_day"), [t("field.date"), t("report.count")],
                        [[d.isoformat(), n] for d, n in per_day], ["text", "count"]))
    return Section("calls", t("report.section.calls"), tables, per_day=per_day)


def call_clocks(conn, p: Period) -> dict[str, list[Clock]]:
    """The month's awaiting clocks: a repair call stops at its first slip, a complaint call when its
    complaint is forwarded (docs/rules.md §2.1)."""
    slips = (select(DispatchSlip.call_id, func.min(DispatchSlip.created_at).label("stopped"))
             .where(DispatchSlip.call_id.is_not(None)).group_by(DispatchSlip.call_id).subquery())
    complaints = (select(Complaint.call_id, func.min(Complaint.forwarded_at).label("stopped"))
                  .where(Complaint.call_id.is_not(None)).group_by(Complaint.call_id).subquery())
    query = (select(Call.number, Call.at, Call.category, Call.due_by, slips.c.stopped, complaints.c.stopped)
             .outerjoin(slips, slips.c.call_id == Call.id).outerjoin(complaints, complaints.c.call_id == Call.id)
             .where(Call.at >= p.start, Call.at < p.end, Call.due_by.is_not(None)).order_by(Call.at, Call.id))
    clocks: dict[str, list[Clock]] = {"repair": [], "complaint": []}
    for number, at, category, due_by, slip_at, complaint_at in conn.execute(query):
        stopped = slip_at if category == "repair" else complaint_at
        clocks.setdefault(category, []).append(Clock(number, at, due_by, stopped))
    return clocks


def clock_tables(p: Period, named: dict[str, tuple[str, list[Clock]]], *, unit: str = "minutes") -> list[Table]:
    """The met/missed table of several clocks and the list of their misses."""
    scale = 60.0 if unit == "hours" else 1.0
    rows, misses = [], []
    for title, clocks in named.values():
        states = [c.state(p.now) for c in clocks]
        met, missed, running = states.count("met"), states.count("missed"), states.count("running")
        took = [m / scale for m in (c.minutes() for c in clocks) if m is not None]
        rows.append([title, len(clocks), met, missed, running, percent(met, met + missed), mean(took),
                     None if p90(took) is None else round(p90(took), 1)])
        for c, s in zip(clocks, states):
            if s == "missed":
                late = ((c.stopped or p.now) - c.deadline).total_seconds() / 60 / scale
                misses.append([title, c.number, p.local(c.started).strftime("%m-%d %H:%M"),
                               p.local(c.deadline).strftime("%m-%d %H:%M"),
                               p.local(c.stopped).strftime("%m-%d %H:%M") if c.stopped else t("report.still_open"),
                               round(late, 1)])
    took_heading = t("report.mean_hours") if unit == "hours" else t("report.mean_minutes")
    p90_heading = t("report.p90_hours") if unit == "hours" else t("report.p90_minutes")
    late_heading = t("report.late_hours") if unit == "hours" else t("report.late_minutes")
    return [
        Table(t("report.clocks"), [t("report.clock"), t("report.count"), t("report.met"), t("report.missed"),
                                   t("report.running"), t("report.met_share"), took_heading, p90_heading], rows,
              ["text", "count", "count", "count", "count", "percent", "number", "number"]),
        Table(t("report.misses"), [t("report.clock"), t("export.col.number"), t("report.started"),
                                   t("report.deadline"), t("report.stopped"), late_heading], misses,
              ["text", "text", "text", "text", "text", "number"]),
    ]


def build_call_clocks(desk, p: Period) -> Section:
    with desk.engine.connect() as conn:
        clocks = call_clocks(conn, p)
    named = {"repair": (t("report.clock.slip", minutes=desk.policy.slip.notify_minutes), clocks.get("repair", [])),
             "complaint": (t("report.clock.complaint", minutes=desk.policy.complaint.forward_minutes),
                           clocks.get("complaint", []))}
    return Section("call_clocks", t("report.section.call_clocks"), clock_tables(p, named))


SECTION = ReportSection("calls", 10, build_calls)
