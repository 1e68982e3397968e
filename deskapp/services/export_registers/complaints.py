"""The complaints' export (客户投诉登记表): the facts, the class, every clock and the outcome."""

from __future__ import annotations

from sqlalchemy import select

from deskapp.core.codes import CHANNELS, COMPLAINT_STATUSES
from deskapp.core.severity import Severity
from deskapp.services.export import (
    CODE, INSTANT, NAME, PHONE, TEXT, ExportColumn, ExportFilter, ExportRegister,
)
from deskapp.storage.models import Complaint, Department, Staff

_DEPT = Department.__table__

REGISTER = ExportRegister(
    name="complaints",
    title="export.register.complaints",
    aliases=("complaint", "投诉"),
    order=20,
    id=Complaint.id,
    time=Complaint.received_at,
    source=Complaint.__table__.join(Staff.__table__, Complaint.owner_id == Staff.id)
    .outerjoin(_DEPT, Complaint.department_id == _DEPT.c.id),
    columns=(
        ExportColumn("number", "export.col.number", Complaint.number, width=18),
        ExportColumn("received_at", "export.col.at", Complaint.received_at, INSTANT, width=19),
        ExportColumn("channel", "field.channel", Complaint.channel, CODE, codes="channel", width=6),
        ExportColumn("customer_name", "field.customer_name", Complaint.customer_name, NAME, width=10),
        ExportColumn("phone", "field.phone", Complaint.phone, PHONE, width=14),
        ExportColumn("unit", "field.unit", Complaint.unit_code, TEXT, width=14),
        ExportColumn("occurred_at", "field.occurred_at", Complaint.occurred_at, INSTANT, width=19),
        ExportColumn("place", "field.place", Complaint.place, TEXT, width=16),
        ExportColumn("subject", "field.subject", Complaint.subject, TEXT, width=16),
        ExportColumn("description", "field.description", Complaint.description, TEXT, width=40),
        ExportColumn("customer_request", "field.customer_request", Complaint.customer_request, TEXT, width=24),
        ExportColumn("severity", "field.severity", Complaint.severity, CODE, codes="severity", width=8),
        ExportColumn("owner", "export.col.owner", Staff.name, NAME, width=10),
        ExportColumn("department", "field.department", _DEPT.c.name, NAME, width=10),
        ExportColumn("respond_by", "export.col.respond_by", Complaint.respond_by, INSTANT, width=19),
        ExportColumn("responded_at", "export.col.responded_at", Complaint.responded_at, INSTANT, width=19),
        ExportColumn("forwarded_at", "export.col.forwarded_at", Complaint.forwarded_at, INSTANT, width=19),
        ExportColumn("complete_by", "export.col.complete_by", Complaint.complete_by, INSTANT, width=19),
        ExportColumn("completed_at", "export.col.completed_at", Complaint.completed_at, INSTANT, width=19),
        ExportColumn("result", "field.result", Complaint.result, TEXT, width=40),
        ExportColumn("status", "export.col.status", Complaint.status, CODE, codes="complaint_status", width=10),
    ),
    filters=(
        ExportFilter("class", Complaint.severity, codes="severity", choices=tuple(s.code for s in Severity)),
        ExportFilter("status", Complaint.status, codes="complaint_status", choices=COMPLAINT_STATUSES),
        ExportFilter("channel", Complaint.channel, codes="channel", choices=CHANNELS),
        ExportFilter("department", _DEPT.c.name, names=select(Department.name)),
        ExportFilter("staff", Staff.name, names=select(Staff.name)),
    ),
)
