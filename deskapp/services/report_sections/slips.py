"""Dispatch slips in the month (派工单): by status, the on-site clock, repeat repairs."""

from __future__ import annotations

from sqlalchemy import func, select

from deskapp.i18n import label, t
from deskapp.services.report import Clock, Period, ReportSection, Section, Table, percent, service_exists
from deskapp.services.report_sections.calls import clock_tables
from deskapp.storage.models import DispatchSlip

REPEAT_FROM = 3  # the same unit repaired this often in a month is on the month-end list (docs/rules.md §2.4)


def build(desk, p: Period) -> Section:
    title = t("report.section.slips")
    if not (service_exists("slips") or service_exists("dispatch_slips")):
        return Section("slips", title, note=t("report.not_yet", register=title))
    in_month = (DispatchSlip.created_at >= p.start, DispatchSlip.created_at < p.end)
    with desk.engine.connect() as conn:
        counts = dict(conn.execute(select(DispatchSlip.status, func.count()).where(*in_month)
                                   .group_by(DispatchSlip.status)).all())
        rows = list(conn.execute(select(DispatchSlip.number, DispatchSlip.created_at, DispatchSlip.on_site_by,
                                        DispatchSlip.arrived_at).where(*in_month)
                                 .order_by(DispatchSlip.created_at, DispatchSlip.id)))
        repeats = conn.execute(select(DispatchSlip.unit_code, func.count())
                               .where(*in_month, DispatchSlip.unit_code != "").group_by(DispatchSlip.unit_code)
                               .having(func.count() >= REPEAT_FROM)
                               .order_by(func.count().desc(), DispatchSlip.unit_code)).all()
    total = sum(counts.values())
    by_status = [[label("slip_status", s), n, percent(n, total)] for s, n in sorted(counts.items())]
    by_status.append([t("report.total"), total, percent(total, total)])
    on_site = [Clock(n, at, by, done) for n, at, by, done in rows if by is not None]
    tables = [Table(t("report.by_status"), [t("export.col.status"), t("report.count"), t("report.share")],
                    by_status, ["text", "count", "percent"])]
    tables += clock_tables(p, {"on_site": (t("report.clock.on_site"), on_site)})
    tables.append(Table(t("report.repeat_repairs", times=REPEAT_FROM), [t("field.unit"), t("report.count")],
                        [[u, n] for u, n in repeats], ["text", "count"]))
    return Section("slips", title, tables)


SECTION = ReportSection("slips", 40, build)
