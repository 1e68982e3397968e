"""Complaints in the month (客户投诉): by class, the response and completion clocks, repeat complaints."""

from __future__ import annotations

from sqlalchemy import func, select

from deskapp.core.severity import Severity
from deskapp.i18n import label, t
from deskapp.services.report import (
    Clock, Period, ReportSection, Section, Table, percent, service_exists,
)
from deskapp.services.report_sections.calls import clock_tables
from deskapp.storage.models import Complaint

REPEAT_FROM = 2  # a unit complaining this often in a month is on the month-end list (docs/rules.md §2.4)


def build(desk, p: Period) -> Section:
    title = t("report.section.complaints")
    if not service_exists("complaints"):
        return Section("complaints", title, note=t("report.not_yet", register=title))
    in_month = (Complaint.received_at >= p.start, Complaint.received_at < p.end)
    with desk.engine.connect() as conn:
        counts = dict(conn.execute(select(Complaint.severity, func.count()).where(*in_month)
                                   .group_by(Complaint.severity)).all())
        rows = list(conn.execute(select(Complaint.number, Complaint.received_at, Complaint.respond_by,
                                        Complaint.responded_at, Complaint.complete_by, Complaint.completed_at)
                                 .where(*in_month).order_by(Complaint.received_at, Complaint.id)))
        repeats = conn.execute(select(Complaint.unit_code, func.count()).where(*in_month, Complaint.unit_code != "")
                               .group_by(Complaint.unit_code).having(func.count() >= REPEAT_FROM)
                               .order_by(func.count().desc(), Complaint.unit_code)).all()
    total = sum(counts.values())
    codes = [s.code for s in Severity] + sorted(set(counts) - {s.code for s in Severity})
    by_class = [[label("severity", c), counts.get(c, 0), percent(counts.get(c, 0), total)] for c in codes]
    by_class.append([t("report.total"), total, percent(total, total)])
    respond = [Clock(n, at, by, done) for n, at, by, done, _, _ in rows if by is not None]
    complete = [Clock(n, at, by, done) for n, at, _, _, by, done in rows if by is not None]
    tables = [Table(t("report.by_class"), [t("report.class"), t("report.count"), t("report.share")], by_class,
                    ["text", "count", "percent"])]
    tables += clock_tables(p, {"respond": (t("report.clock.respond"), respond)})
    tables += clock_tables(p, {"complete": (t("report.clock.complete"), complete)}, unit="hours")
    tables.append(Table(t("report.repeat_complaints", times=REPEAT_FROM), [t("field.unit"), t("report.count")],
                        [[u, n] for u, n in repeats], ["text", "count"]))
    return Section("complaints", title, tables)


SECTION = ReportSection("complaints", 30, build)
