"""Return visits in the month (回访): coverage against the required share, satisfaction, the unsatisfied."""

from __future__ import annotations

from sqlalchemy import and_, func, select

from deskapp.i18n import label, t
from deskapp.services.report import Period, ReportSection, Section, Table, percent, service_exists
from deskapp.storage.models import CompletedMatter, ReturnVisit

KINDS = ("major", "complaint", "repair", "special", "activity", "other")


def build(desk, p: Period) -> Section:
    title = t("report.section.visits")
    if not service_exists("visits"):
        return Section("visits", title, note=t("report.not_yet", register=title))
    done = ReturnVisit.visited_at.is_not(None)
    with desk.engine.connect() as conn:
        # The matters completed this month and what became of their visits (by now).
        weighed = conn.execute(
            select(CompletedMatter.kind, func.count(), func.count(CompletedMatter.visit_id),
                   func.count(ReturnVisit.visited_at))
            .select_from(CompletedMatter).outerjoin(ReturnVisit, and_(ReturnVisit.id == CompletedMatter.visit_id,
                                                                      done))
            .where(CompletedMatter.completed_at >= p.start, CompletedMatter.completed_at < p.end)
            .group_by(CompletedMatter.kind)).all()
        visited = (ReturnVisit.visited_at >= p.start, ReturnVisit.visited_at < p.end)
        scores = dict(conn.execute(select(ReturnVisit.satisfaction, func.count()).where(*visited)
                                   .group_by(ReturnVisit.satisfaction)).all())
        unhappy = conn.execute(select(ReturnVisit.number, ReturnVisit.source_number, ReturnVisit.unit_code,
                                      ReturnVisit.score, ReturnVisit.shortcomings)
                               .where(*visited, ReturnVisit.satisfaction == "unsatisfied")
                               .order_by(ReturnVisit.visited_at, ReturnVisit.id)).all()
    by_kind = {k: (n, planned, seen) for k, n, planned, seen in weighed}
    coverage = []
    for kind in [*KINDS, *sorted(set(by_kind) - set(KINDS))]:
        n, planned, seen = by_kind.get(kind, (0, 0, 0))
        rule = getattr(desk.policy.return_visit, kind, None)
        required = getattr(rule, "share_percent", None)
        coverage.append([label("visit_kind", kind), n, planned, seen, percent(seen, n), required])
    answered = sum(scores.values())
    satisfaction = [[label("satisfaction", s), scores.get(s, 0), percent(scores.get(s, 0), answered)]
                    for s in ("satisfied", "basically", "unsatisfied")]
    tables = [
        Table(t("report.visit_coverage"), [t("report.kind"), t("report.completed"), t("report.planned"),
                                           t("report.visited"), t("report.coverage"), t("report.required")],
              coverage, ["text", "count", "count", "count", "percent", "percent"]),
        Table(t("report.satisfaction"), [t("report.satisfaction"), t("report.count"), t("report.share")],
              satisfaction, ["text", "count", "percent"]),
        Table(t("report.unsatisfied"), [t("export.col.number"), t("report.source"), t("field.unit"),
                                        t("report.score"), t("report.shortcomings")],
              [list(r) for r in unhappy], ["text", "text", "text", "count", "text"]),
    ]
    return Section("visits", title, tables)


SECTION = ReportSection("visits", 50, build)
