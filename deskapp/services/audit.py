"""The audit trail: every write leaves an event in the same transaction."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session

from deskapp.storage.models import AuditEvent


def record(session: Session, *, at: datetime, actor_id: int | None, action: str, entity: str,
           entity_id: int | None, detail: dict | None = None) -> None:
    session.add(AuditEvent(at=at, actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
                           detail=json.dumps(detail or {}, ensure_ascii=False, default=str)))
