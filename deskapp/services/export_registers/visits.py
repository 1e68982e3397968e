"""The return visits' export (维修回访登记表 / 用户回访统计表): due by the 10th of the next month (§2.4)."""

from __future__ import annotations

from sqlalchemy import select

from deskapp.core.visit_rules import FOLLOWUP, VISIT_KINDS
from deskapp.services.export import (
    CODE, DAY, FLAG, INSTANT, NAME, NUMBER, PHONE, TEXT, ExportColumn, ExportFilter, ExportRegister,
)
from deskapp.storage.models import ReturnVisit, Staff

_VISITOR = Staff.__table__.alias("visitor")
REGISTER = ExportRegister(
    name="visits",
    title="export.register.visits",
    aliases=("visit", "return-visits", "回访"),
    order=50,
    id=ReturnVisit.id,
    time=ReturnVisit.due_by,  # --from/--to: visits due in those days (the services always store due_by)
    source=ReturnVisit.__table__.outerjoin(_VISITOR, ReturnVisit.visitor_id == _VISITOR.c.id),
    columns=(
        ExportColumn("number", "export.col.number", ReturnVisit.number, width=18),
        ExportColumn("kind", "report.kind", ReturnVisit.kind, CODE, codes="visit_kind", width=10),
        ExportColumn("source", "report.source", ReturnVisit.source_number, TEXT, width=18),
        ExportColumn("unit", "field.unit", ReturnVisit.unit_code, TEXT, width=14),
        ExportColumn("customer_name", "field.caller_name", ReturnVisit.customer_name, NAME, width=10),
        ExportColumn("phone", "field.phone", ReturnVisit.phone, PHONE, width=14),
        ExportColumn("completed_at", "export.col.completed_at", ReturnVisit.completed_at, INSTANT, width=19),
        ExportColumn("due_on", "export.col.due_on", ReturnVisit.due_on, DAY, width=11),
        ExportColumn("attempts", "export.col.attempts", ReturnVisit.attempts, NUMBER, width=6),
        ExportColumn("visited_at", "export.col.visited_at", ReturnVisit.visited_at, INSTANT, width=19),
        ExportColumn("visitor", "export.col.visitor", _VISITOR.c.name, NAME, width=10),
        ExportColumn("method", "export.col.method", ReturnVisit.method, CODE, codes="visit_method", width=6),
        ExportColumn("quality", "export.col.quality", ReturnVisit.quality, TEXT, width=24),
        ExportColumn("effect", "export.col.effect", ReturnVisit.effect, TEXT, width=24),
        ExportColumn("score", "report.score", ReturnVisit.score, NUMBER, width=6),
        ExportColumn("satisfaction", "report.satisfaction", ReturnVisit.satisfaction, CODE, codes="satisfaction",
                     width=8),
        ExportColumn("shortcomings", "report.shortcomings", ReturnVisit.shortcomings, TEXT, width=24),
        ExportColumn("suggestions", "export.col.suggestions", ReturnVisit.suggestions, TEXT, width=24),
        ExportColumn("confirmed", "export.col.confirmed", ReturnVisit.customer_confirmed, FLAG, width=6),
        ExportColumn("remark", "export.col.remark", ReturnVisit.supervisor_remark, TEXT, width=24),
        ExportColumn("status", "export.col.status", ReturnVisit.status, CODE, codes="visit_status", width=8),
    ),
    filters=(
        ExportFilter("kind", ReturnVisit.kind, codes="visit_kind", choices=(*VISIT_KINDS, FOLLOWUP)),
        ExportFilter("status", ReturnVisit.status, codes="visit_status", choices=("due", "done", "reviewed", "void")),
        ExportFilter("staff", _VISITOR.c.name, names=select(Staff.name)),
    ),
)
