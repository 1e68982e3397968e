"""The audit trail: every write leaves an event in the same transaction."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from deskapp.storage.models import AuditEvent

_INSERT = insert(AuditEvent.__table__)


def record(session: Session, *, at: datetime, actor_id: int | None, action: str, entity: str,
           entity_id: int | None, detail: dict | None = None) -> None:
    session.connection().execute(_INSERT, event_row(at=at, actor_id=actor_id, action=action, entity=entity,
                                                     entity_id=entity_id, detail=detail))


def record_rows(session: Session, rows: list[dict]) -> None:
    """Several events at once, each made by `event_row`."""
    if rows:
        session.connection().execute(_INSERT, rows)


def event_row(*, at: datetime, actor_id: int | None, action: str, entity: str, entity_id: int | None,
              detail: dict | None = None) -> dict:
    """The audit_event columns of one event (bulk writers insert the same rows)."""
    return {"at": at, "actor_id": actor_id, "action": action, "entity": entity, "entity_id": entity_id,
            "detail": json.dumps(detail or {}, ensure_ascii=False, default=str)}
