"""log_calls: several calls in one transaction, through the same checks and writes as log_call."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from deskapp.errors import InputError
from deskapp.services.calls import CallDraft, log_call, log_calls
from tests.services.dbstate import query, snapshot

UTC = timezone.utc
NOW = datetime(2026, 1, 1, 2, 0, tzinfo=UTC)  # 10:00 on New Year's Day in Asia/Shanghai

DRAFTS = [
    CallDraft(category="repair", caller_name="张先生", phone="138 0013 8000", unit="3-2-1201", content="水管漏水",
              at=NOW - timedelta(hours=20)),  # 2025 locally
    CallDraft(category="enquiry", caller_name="", phone="13800138000", unit="3栋2单元1201", content="物业费",
              reply="不知道", at=NOW - timedelta(hours=12)),  # 2025 locally, same caller, no name given
    CallDraft(category="complaint", caller_name="李女士", phone="13900001111", content="噪音",
              at=NOW - timedelta(hours=1)),  # 2026 locally
    CallDraft(category="praise", caller_name="王先生", unit="5-1-302", content="表扬保洁"),  # now
]


def written(desk) -> dict[str, list[tuple]]:
    return {t: query(desk, f"SELECT * FROM {t} ORDER BY 1, 2")
            for t in ("call", "resident", "unit", "number_sequence")} | {
        "audit_event": query(desk, "SELECT at, actor_id, action, entity, entity_id, detail FROM audit_event "
                                   "WHERE entity = 'call' ORDER BY id")}


def test_the_same_rows_as_one_call_at_a_time(desk, receptionist, open_desk_copy, tmp_path, db_backend):
    other = open_desk_copy(tmp_path / "one-by-one.sqlite", "receptionist", backend=db_backend)
    try:
        logged = log_calls(desk, receptionist, DRAFTS, now=NOW)
        one_by_one = [log_call(other, receptionist, d, now=NOW) for d in DRAFTS]
        assert logged == one_by_one
        assert written(desk) == written(other)
    finally:
        other.engine.dispose()


def test_numbers_run_on_per_local_year_in_the_order_given(desk, receptionist):
    logged = log_calls(desk, receptionist, DRAFTS, now=NOW)
    assert [c.number for c in logged] == ["来电-2025-000001", "来电-2025-000002", "来电-2026-000001",
                                          "来电-2026-000002"]
    assert query(desk, "SELECT register_key, year, last FROM number_sequence ORDER BY year") == [
        ("call", 2025, 2), ("call", 2026, 2)]
    more = log_calls(desk, receptionist, DRAFTS[2:], now=NOW)
    assert [c.number for c in more] == ["来电-2026-000003", "来电-2026-000004"]


def test_each_call_gets_its_event_and_its_caller_is_remembered(desk, receptionist):
    logged = log_calls(desk, receptionist, DRAFTS, now=NOW)
    events = query(desk, "SELECT entity_id, actor_id, action, detail FROM audit_event WHERE entity = 'call'")
    assert [(e[0], e[1], e[2]) for e in events] == [(c.id, receptionist.id, "call.log") for c in logged]
    assert json.loads(events[1][3]) == {"number": "来电-2025-000002", "category": "enquiry", "flagged": ["不知道"]}
    # the second call is the first caller again: one resident, name kept, last seen at the later call
    residents = query(desk, "SELECT name, phone, last_seen_at FROM resident ORDER BY id")
    assert [(n, p) for n, p, _ in residents] == [("张先生", "13800138000"), ("李女士", "13900001111")]
    assert residents[0][2].startswith("2025-12-31 14:00:00")
    assert [c.status for c in logged] == ["awaiting_slip", "done", "awaiting_complaint", "done"]


@pytest.mark.parametrize("bad", [
    CallDraft(content=""),
    CallDraft(content="未来", at=NOW + timedelta(minutes=5)),
    CallDraft(content="电话", phone="call me"),
    CallDraft(content="类别", category="gossip"),
])
def test_one_bad_draft_and_nothing_is_written(desk, receptionist, bad):
    log_call(desk, receptionist, DRAFTS[0], now=NOW)
    before = snapshot(desk)
    with pytest.raises(InputError):
        log_calls(desk, receptionist, [*DRAFTS[1:], bad], now=NOW)
    assert snapshot(desk) == before


def test_no_drafts_no_calls(desk, receptionist):
    before = snapshot(desk)
    assert log_calls(desk, receptionist, [], now=NOW) == []
    assert snapshot(desk) == before
