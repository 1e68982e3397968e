"""`deskapp doctor`: the facts a supervisor or maintainer checks first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, text

from deskapp.core.workdays import WorkCalendar
from deskapp.services.desk import Desk, utcnow
from deskapp.storage.engine import is_sqlite, read_session
from deskapp.storage.migrate import HEAD_REVISION, current_revision
from deskapp.storage.models import Call, Complaint, DispatchSlip, Staff


def diagnose(desk: Desk, *, today: date | None = None) -> list[tuple[str, str, bool | str]]:
    """(label, value, ok) lines, ok being True, False or "warn"; nothing here writes."""
    today = today or desk.local(utcnow()).date()
    engine = desk.engine
    lines: list[tuple[str, str, bool]] = [("数据库 database", engine.url.render_as_string(hide_password=True), True)]
    rev = current_revision(engine)
    lines.append(("结构版本 schema", f"{rev} (程序 program {HEAD_REVISION})", rev == HEAD_REVISION))
    with read_session(engine) as session:
        if is_sqlite(engine):
            result = session.execute(text("PRAGMA integrity_check")).scalars().all()
            lines.append(("完整性 integrity_check", "; ".join(result[:5]), result == ["ok"]))
            mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
            lines.append(("日志模式 journal_mode", mode, mode == "wal"))
        for label, model in (("员工 staff", Staff), ("来电 calls", Call), ("投诉 complaints", Complaint),
                             ("派工单 slips", DispatchSlip)):
            lines.append((label, str(session.execute(select(func.count()).select_from(model)).scalar_one()), True))
    cal = WorkCalendar.load(desk.data_dir)
    known = cal.known_through
    remaining = (known - today).days
    # Past the known calendar is a fault; within 30 days of it, a warning
    # (enter next year's make-up working days in data/calendar.toml).
    lines.append(("工作日历 calendar known through", f"{known.isoformat()} (还剩 {remaining} 天 days left)",
                  True if remaining >= 30 else ("warn" if remaining >= 0 else False)))
    lines.append(("时区 time zone", str(desk.tz), True))
    return lines
