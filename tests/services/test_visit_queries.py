"""The return-visit queues' read side: visits still due, mine or everyone's, by due time, by key."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from deskapp.services.visit_queries import count_queue, fetch_queue, visit_by_id
from deskapp.services.visits import MatterDone, VisitReport, record_visit, report_completed, visit_due_for
from deskapp.storage.engine import write_session

NOW = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)


def _plan(desk, kind, number, days_ago):
    with write_session(desk.engine) as session:
        return visit_due_for(session, desk, MatterDone(kind, number, NOW - timedelta(days=days_ago)),
                             actor_id=None, now=NOW)


def test_mine_everyones_order_and_keyset_pages(desk, receptionist, supervisor):
    for i in range(7):
        _plan(desk, "other", f"其他-{i}", days_ago=i)
    _plan(desk, "complaint", "投诉-2026-000001", days_ago=0)
    _plan(desk, "major", "投诉-2026-000002", days_ago=0)
    assert count_queue(desk) == 9
    assert count_queue(desk, receptionist) == 7  # front-desk kinds
    assert count_queue(desk, supervisor) == 1  # the confirmed complaint
    rows = fetch_queue(desk)
    assert [r.key for r in rows] == sorted(r.key for r in rows)
    first = fetch_queue(desk, limit=4)
    rest = fetch_queue(desk, after=first[-1].key, limit=10)
    assert [r.id for r in first + rest] == [r.id for r in rows]
    assert fetch_queue(desk, offset=4, limit=10) == rest


def test_a_recorded_visit_leaves_the_queue(desk, receptionist):
    planned = report_completed(desk, receptionist, MatterDone("other", "其他-x", NOW - timedelta(hours=2)), now=NOW)
    assert count_queue(desk, receptionist) == 1
    record_visit(desk, receptionist, planned.id, VisitReport(score=4, customer_confirmed=True), now=NOW)
    assert count_queue(desk, receptionist) == 0 and fetch_queue(desk) == []
    assert visit_by_id(desk, planned.id).status == "done"
