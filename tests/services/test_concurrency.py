"""Several desks (OS processes) logging calls into one SQLite file at once.

Numbers must come out 1..N with no gap and no duplicate, and nobody may see
"database is locked" (writers take the lock at BEGIN IMMEDIATE and wait on
busy_timeout instead of failing with SQLITE_BUSY_SNAPSHOT).
"""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import datetime, timedelta, timezone

import pytest

from deskapp.services.calls import CallDraft, log_call
from deskapp.services.numbering import next_number
from deskapp.services.roles import Actor
from deskapp.storage.engine import write_session
from tests.services.dbstate import query, scalar

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
PROCESSES = 4
CALLS_EACH = 40


def _log_many(url: str, actor: tuple, worker: int, barrier, results) -> None:
    """Runs in a spawned process: its own Desk, its own engine, its own connections."""
    try:
        from deskapp.config import Settings
        from deskapp.services.desk import Desk

        desk = Desk.open(Settings(database_url=url))
        who = Actor(*actor)
        barrier.wait(timeout=60)  # everybody starts writing together
        numbers = []
        for i in range(CALLS_EACH):
            at = NOW - timedelta(seconds=worker * 1000 + i)
            draft = CallDraft(category="repair" if i % 3 == 0 else "enquiry", phone=f"1380000{worker:02d}{i:02d}",
                              unit=f"{worker + 1}-1-{100 + i}", content=f"进程{worker}第{i}通", at=at)
            numbers.append(log_call(desk, who, draft, now=NOW).number)
        desk.engine.dispose()
        results.put((worker, "ok", numbers))
    except BaseException:  # report everything, including "database is locked"
        results.put((worker, "error", traceback.format_exc()))


def test_processes_log_calls_without_gaps_duplicates_or_lock_errors(desk, receptionist):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    url = str(desk.engine.url)
    actor = (receptionist.id, receptionist.name, receptionist.role)
    procs = [ctx.Process(target=_log_many, args=(url, actor, w, barrier, results)) for w in range(PROCESSES)]
    for p in procs:
        p.start()
    try:
        reports = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    errors = [r[2] for r in reports if r[1] != "ok"]
    assert not errors, "\n".join(errors)
    assert all(p.exitcode == 0 for p in procs)

    total = PROCESSES * CALLS_EACH
    issued = [n for _, _, numbers in reports for n in numbers]
    expected = [f"来电-2026-{i:06d}" for i in range(1, total + 1)]
    assert sorted(issued) == expected  # each number handed out exactly once
    stored = [r[0] for r in query(desk, "SELECT number FROM call ORDER BY number")]
    assert stored == expected
    assert scalar(desk, "SELECT count(*) FROM call") == total
    assert scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'call' AND year = 2026") == total
    assert scalar(desk, "SELECT count(*) FROM audit_event WHERE action = 'call.log'") == total
    # every process's own calls are all there, each with its audit event
    for worker in range(PROCESSES):
        assert scalar(desk, "SELECT count(*) FROM call WHERE content LIKE ?", (f"进程{worker}第%",)) == CALLS_EACH
    assert scalar(desk, "SELECT count(*) FROM call c JOIN audit_event a ON a.entity = 'call' "
                        "AND a.entity_id = c.id") == total
    if desk.engine.dialect.name == "sqlite":
        assert query(desk, "PRAGMA integrity_check") == [("ok",)]


class TestNumberGivenBack:
    def test_failed_transaction_returns_its_number(self, desk, receptionist):
        first = log_call(desk, receptionist, CallDraft(content="第一通"), now=NOW)
        assert first.number == "来电-2026-000001"

        with pytest.raises(RuntimeError, match="power cut"):
            with write_session(desk.engine) as session:
                number, seq = next_number(session, "call", 2026)
                assert (number, seq) == ("来电-2026-000002", 2)
                raise RuntimeError("power cut mid-save")

        assert scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'call'") == 1
        assert log_call(desk, receptionist, CallDraft(content="第二通"), now=NOW).number == "来电-2026-000002"

    def test_a_call_the_database_refuses_returns_its_number(self, desk, receptionist):
        log_call(desk, receptionist, CallDraft(content="第一通"), now=NOW)
        ghost = Actor(999, "不存在", "receptionist")  # owner_id breaks the foreign key at flush
        with pytest.raises(Exception, match="(?i)FOREIGN KEY"):
            log_call(desk, ghost, CallDraft(content="不会保存"), now=NOW)
        assert scalar(desk, "SELECT count(*) FROM call") == 1
        assert log_call(desk, receptionist, CallDraft(content="第二通"), now=NOW).number == "来电-2026-000002"

    def test_registers_and_years_count_separately(self, desk):
        with write_session(desk.engine) as session:
            drawn = [next_number(session, "call", 2026), next_number(session, "complaint", 2026),
                     next_number(session, "call", 2027), next_number(session, "call", 2026)]
        assert drawn == [("来电-2026-000001", 1), ("投诉-2026-000001", 1), ("来电-2027-000001", 1),
                         ("来电-2026-000002", 2)]

    def test_unknown_register_is_a_programming_error(self, desk):
        with pytest.raises(ValueError):
            with write_session(desk.engine) as session:
                next_number(session, "parcel", 2026)
        assert scalar(desk, "SELECT count(*) FROM number_sequence") == 0
