"""The call and visit log's export (来电来访登记表): every column a receptionist filled in."""

from __future__ import annotations

from sqlalchemy import select

from deskapp.core.codes import CALL_STATUSES, CATEGORIES, CHANNELS
from deskapp.services.export import (
    CODE, INSTANT, NAME, PHONE, TEXT, ExportColumn, ExportFilter, ExportRegister,
)
from deskapp.storage.models import Call, Staff

REGISTER = ExportRegister(
    name="calls",
    title="export.register.calls",
    aliases=("call", "来电", "来电来访"),
    order=10,
    id=Call.id,
    time=Call.at,
    source=Call.__table__.join(Staff.__table__, Call.owner_id == Staff.id),
    columns=(
        ExportColumn("number", "export.col.number", Call.number, width=18),
        ExportColumn("at", "export.col.at", Call.at, INSTANT, width=19),
        ExportColumn("channel", "field.channel", Call.channel, CODE, codes="channel", width=6),
        ExportColumn("category", "field.category", Call.category, CODE, codes="category", width=6),
        ExportColumn("caller_name", "field.caller_name", Call.caller_name, NAME, width=10),
        ExportColumn("phone", "field.phone", Call.phone, PHONE, width=14),
        ExportColumn("unit", "field.unit", Call.unit_code, TEXT, width=14),
        ExportColumn("content", "field.content", Call.content, TEXT, width=40),
        ExportColumn("reply", "field.reply", Call.reply, TEXT, width=40),
        ExportColumn("owner", "export.col.owner", Staff.name, NAME, width=10),
        ExportColumn("status", "export.col.status", Call.status, CODE, codes="call_status", width=10),
        ExportColumn("due_by", "export.col.due_by", Call.due_by, INSTANT, width=19),
        ExportColumn("flagged", "export.col.flagged", Call.flagged_phrases, TEXT, width=12),
    ),
    filters=(
        ExportFilter("category", Call.category, codes="category", choices=CATEGORIES),
        ExportFilter("channel", Call.channel, codes="channel", choices=CHANNELS),
        ExportFilter("status", Call.status, codes="call_status", choices=CALL_STATUSES),
        ExportFilter("staff", Staff.name, names=select(Staff.name)),
    ),
)
