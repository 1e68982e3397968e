"""The audit log's export (操作日志): who did what, when, with its detail (phones in it masked)."""

from __future__ import annotations

from sqlalchemy import select

from deskapp.services.export import DETAIL, INSTANT, NAME, NUMBER, TEXT, ExportColumn, ExportFilter, ExportRegister
from deskapp.storage.models import AuditEvent, Staff

REGISTER = ExportRegister(
    name="audit",
    title="export.register.audit",
    aliases=("audit-log", "audit_log", "操作日志", "审计"),
    order=90,
    id=AuditEvent.id,
    time=AuditEvent.at,
    # An event may have no actor (a system step): an outer join keeps it.
    source=AuditEvent.__table__.join(Staff.__table__, AuditEvent.actor_id == Staff.id, isouter=True),
    columns=(
        ExportColumn("id", "export.col.event_id", AuditEvent.id, NUMBER, width=8),
        ExportColumn("at", "export.col.at", AuditEvent.at, INSTANT, width=19),
        ExportColumn("staff", "export.col.actor", Staff.name, NAME, width=10),
        ExportColumn("action", "export.col.action", AuditEvent.action, TEXT, width=18),
        ExportColumn("entity", "export.col.entity", AuditEvent.entity, TEXT, width=12),
        ExportColumn("entity_id", "export.col.entity_id", AuditEvent.entity_id, NUMBER, width=8),
        ExportColumn("detail", "export.col.detail", AuditEvent.detail, DETAIL, width=60),
    ),
    filters=(
        ExportFilter("staff", Staff.name, names=select(Staff.name)),
        ExportFilter("action", AuditEvent.action),
        ExportFilter("entity", AuditEvent.entity),
    ),
)
