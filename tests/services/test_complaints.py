"""The complaint service on a real SQLite file: intake, class, clocks, lifecycle, no lost update."""

from __future__ import annotations

import json
import multiprocessing
import traceback
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from deskapp.errors import InputError, NotAllowed
from deskapp.services import complaints as svc
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.complaint_queries import complaint_record, count_complaints, fetch_complaints
from deskapp.services.complaints import ComplaintDraft, StaleComplaint, register_complaint
from deskapp.services.reference import add_department
from deskapp.services.roles import Actor
from tests.services.dbstate import query, scalar

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 14:00 in Asia/Shanghai


def draft(**kw) -> ComplaintDraft:
    base = dict(channel="phone", customer_name="孙先生", phone="13600003333", unit="8-1-302",
                description="楼上装修噪音太大，晚上十点还在施工", customer_request="立即停止夜间施工")
    base.update(kw)
    return ComplaintDraft(**base)


def written(desk) -> dict:
    return {table: scalar(desk, f"SELECT count(*) FROM {table}")
            for table in ("complaint", "complaint_step", "audit_event", "number_sequence")}


# ------------------------------------------------------------------ class


@pytest.mark.parametrize("loss, expected", [
    ("999.99", "ordinary"), ("1000", "significant"), ("9999.99", "significant"), ("1万", "major"),
    ("99,999", "major"), ("100000", "critical"), (Decimal("1000"), "significant"), (12000, "major"),
])
def test_loss_boundaries_propose_the_class(desk, receptionist, loss, expected):
    agreed = NOW + timedelta(days=2) if expected == "critical" else None
    done = register_complaint(desk, receptionist, draft(loss_yuan=loss, agreed_deadline=agreed), now=NOW)
    assert done.severity == expected == done.proposed


@pytest.mark.parametrize("times, expected", [(2, "ordinary"), (3, "significant"), (9, "significant"),
                                             (10, "significant")])
def test_times_raised_boundaries(desk, receptionist, times, expected):
    assert register_complaint(desk, receptionist, draft(times_raised=str(times)), now=NOW).severity == expected


def test_ten_times_raised_with_a_service_not_delivered_is_major(desk, receptionist):
    done = register_complaint(desk, receptionist, draft(times_raised=10, service_not_delivered=True), now=NOW)
    assert done.severity == "major" and done.rules == ("undelivered_raised>=10",)


def test_several_customers_about_one_event_count_as_times_raised_and_raise_the_event(desk, receptionist):
    first = register_complaint(desk, receptionist, draft(), now=NOW)
    assert first.severity == "ordinary"
    second = register_complaint(desk, receptionist, draft(phone="13600004444", same_event=first.number), now=NOW)
    assert second.severity == "ordinary"  # 2 customers
    third = register_complaint(desk, receptionist, draft(phone="13600005555", same_event=second.number), now=NOW)
    assert third.severity == "significant" and "raised>=3" in third.rules  # 3 customers: at least 较大
    assert set(third.raised_with) == {first.number, second.number}
    assert {r[0] for r in query(desk, "SELECT severity FROM complaint")} == {"significant"}
    for i in range(4, 10):
        last = register_complaint(desk, receptionist, draft(phone=f"136000{i:05d}", same_event=first.number), now=NOW)
    assert last.severity == "significant"  # 9 customers
    tenth = register_complaint(desk, receptionist, draft(phone="13600010000", same_event=first.number,
                                                         agreed_deadline=NOW + timedelta(days=1)), now=NOW)
    assert tenth.severity == "critical" and "collective>=10" in tenth.rules  # 10: 尤其重大
    assert {r[0] for r in query(desk, "SELECT severity FROM complaint")} == {"critical"}


def test_the_receptionist_may_raise_the_class(desk, receptionist):
    done = register_complaint(desk, receptionist, draft(severity="major", reason="业主情绪激动"), now=NOW)
    assert (done.severity, done.proposed) == ("major", "ordinary")
    detail = json.loads(scalar(desk, "SELECT detail FROM audit_event WHERE action = 'complaint.register'"))
    assert detail["reason"] == "业主情绪激动" and detail["proposed"] == "ordinary"


def test_lowering_needs_a_reason_and_a_supervisors_pin(desk, receptionist):
    before = written(desk)
    facts = dict(loss_yuan="5000", severity="ordinary")
    with pytest.raises(InputError, match="理由"):
        register_complaint(desk, receptionist, draft(**facts), now=NOW)
    with pytest.raises(InputError, match="主管"):
        register_complaint(desk, receptionist, draft(**facts, reason="损失系业主自身原因"), now=NOW)
    with pytest.raises(InputError) as wrong:
        register_complaint(desk, receptionist, draft(**facts, reason="x", supervisor="王主管", supervisor_pin="9999"),
                           now=NOW)
    assert "9999" not in str(wrong.value)
    with pytest.raises(InputError, match="主管"):  # a receptionist's own PIN does not approve it
        register_complaint(desk, receptionist, draft(**facts, reason="x", supervisor="李前台", supervisor_pin="5678"),
                           now=NOW)
    assert written(desk) == before
    done = register_complaint(desk, receptionist, draft(**facts, reason="损失系业主自身原因", supervisor="王主管",
                                                        supervisor_pin="1234"), now=NOW)
    assert done.severity == "ordinary" and done.proposed == "significant"
    detail = json.loads(scalar(desk, "SELECT detail FROM audit_event WHERE action = 'complaint.register'"))
    assert detail["approved_by"] == "王主管" and "1234" not in json.dumps(detail)


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize("changes, words", [
    (dict(loss_yuan="-5"), "负"), (dict(loss_yuan="1e30"), ""), (dict(loss_yuan="abc"), ""),
    (dict(loss_yuan=True), "数字"), (dict(service_not_delivered="no"), "是"), (dict(deaths="1.5"), "整数"),
    (dict(phone="", unit=""), "联系方式"), (dict(description=""), "事件经过"),
    (dict(loss_yuan="200000"), "约定"),  # 尤其重大 without the agreed deadline
    (dict(loss_yuan="200000", agreed_deadline=NOW - timedelta(minutes=1)), "已过"),
    (dict(customer_deadline=NOW), "已过"), (dict(severity="huge"), "级别"), (dict(same_event="投诉-2026-999999"), "没有"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_written(desk, receptionist, changes, words):
    before = written(desk)
    with pytest.raises(InputError) as refused:
        register_complaint(desk, receptionist, draft(**changes), now=NOW)
    assert words in str(refused.value) and "Traceback" not in str(refused.value)
    assert written(desk) == before


def test_loss_written_the_desks_ways_is_read(desk, receptionist):
    register_complaint(desk, receptionist, draft(loss_yuan="1.2万"), now=NOW)
    register_complaint(desk, receptionist, draft(loss_yuan="12,000"), now=NOW)
    assert [r[0] for r in query(desk, "SELECT severity FROM complaint")] == ["major", "major"]


# ------------------------------------------------------------------ from a call


def test_registering_from_a_complaint_call_links_it_and_stops_its_countdown(desk, receptionist):
    call = log_call(desk, receptionist, CallDraft(category="complaint", phone="13600003333", unit="8-1-302",
                                                  content="噪音"), now=NOW)
    assert call.status == "awaiting_complaint"
    done = register_complaint(desk, receptionist, draft(call_id=call.id), now=NOW + timedelta(minutes=3))
    assert done.call_number == call.number
    assert query(desk, "SELECT status FROM call WHERE id = ?", (call.id,)) == [("complained",)]
    assert query(desk, "SELECT received_at FROM complaint")[0][0].startswith("2026-11-24 06:00")  # the call's time
    before = written(desk)
    with pytest.raises(InputError, match=call.number):
        register_complaint(desk, receptionist, draft(call_id=call.id), now=NOW)
    assert written(desk) == before


# ------------------------------------------------------------------ lifecycle


def test_the_whole_lifecycle_with_its_timeline_and_clocks(desk, supervisor, receptionist):
    eng = add_department(desk, supervisor, name="工程部", kind="engineering", now=NOW)
    done = register_complaint(desk, receptionist, draft(loss_yuan="2000"), now=NOW)  # 较大
    cid, v = done.id, done.version
    assert done.next_clock == "forward"  # responded at intake (phone); forward 10 min < report at midnight
    with pytest.raises(InputError, match="尚未答复"):
        svc.close_complaint(desk, receptionist, cid, version=v, now=NOW)
    with pytest.raises(InputError, match="签收人"):
        svc.forward(desk, receptionist, cid, version=v, department_id=eng.id, now=NOW)
    v = svc.forward(desk, receptionist, cid, version=v, department_id=eng.id, signed_by="刘工",
                    now=NOW + timedelta(minutes=4)).version
    with pytest.raises(InputError, match="重复"):
        svc.forward(desk, receptionist, cid, version=v, department_id=eng.id, signed_by="刘工", now=NOW)
    changed = svc.report_upward(desk, receptionist, cid, version=v, to="李经理", now=NOW + timedelta(minutes=5))
    v = changed.version
    assert changed.next_clock == "complete"  # 48 h, before the reply (3 days) and the close (3 days)
    v = svc.start_work(desk, receptionist, cid, version=v, now=NOW + timedelta(minutes=6)).version
    v = svc.log_contact(desk, receptionist, cid, version=v, note="告知明日上门", now=NOW + timedelta(hours=2)).version
    given = svc.give_result(desk, receptionist, cid, version=v, result="已停工并赔偿", now=NOW + timedelta(hours=30))
    # a 较大 complaint's return visit is planned in the same transaction (docs/rules.md §2.4)
    assert given.status == "awaiting_visit" and scalar(desk, "SELECT count(*) FROM return_visit") == 1
    v = given.version
    with pytest.raises(InputError):
        svc.await_visit(desk, receptionist, cid, version=v, now=NOW + timedelta(hours=31))
    v = svc.close_complaint(desk, receptionist, cid, version=v, now=NOW + timedelta(hours=40)).version
    v = svc.reopen(desk, receptionist, cid, version=v, reason="业主称仍有噪音", now=NOW + timedelta(hours=41)).version
    record = complaint_record(desk, cid, now=NOW + timedelta(hours=41))
    assert record.status == "in_progress" and record.signed_for_by == "刘工" and record.department == "工程部"
    assert [s.step for s in record.steps] == ["registered", "forwarded", "reported", "in_progress", "contact",
                                              "result_given", "awaiting_visit", "closed", "reopened"]
    assert all(s.staff == "李前台" for s in record.steps)
    clocks = {c.name: c for c in record.clocks}
    assert clocks["forward"].state.value == "met" and clocks["report"].state.value == "met"
    assert clocks["reply"].state.value == "met"
    assert clocks["complete"].state.value == "running"  # reopened: to be completed again
    assert scalar(desk, "SELECT count(*) FROM audit_event WHERE entity = 'complaint'") == 9
    assert record.version == v


def test_a_second_save_on_an_old_version_is_refused_naming_who_changed_it(desk, supervisor, receptionist):
    done = register_complaint(desk, receptionist, draft(), now=NOW)
    svc.forward(desk, supervisor, done.id, version=done.version, now=NOW + timedelta(minutes=1))
    before = written(desk)
    with pytest.raises(StaleComplaint) as stale:
        svc.log_contact(desk, receptionist, done.id, version=done.version, note="回电", now=NOW)
    assert "王主管" in str(stale.value)
    assert written(desk) == before


def test_mishandled_raises_one_class_and_restarts_the_clocks(desk, supervisor, receptionist):
    done = register_complaint(desk, receptionist, draft(), now=NOW)
    with pytest.raises(NotAllowed):
        svc.mark_mishandled(desk, receptionist, done.id, version=done.version, reason="x", now=NOW)
    later = NOW + timedelta(hours=20)
    changed = svc.mark_mishandled(desk, supervisor, done.id, version=done.version, reason="未按时处理", now=later)
    record = complaint_record(desk, done.id, now=later)
    assert record.severity == "significant" and record.raised_from_severity == "ordinary"
    assert record.severity_rules == "mishandled:ordinary"
    assert record.respond_by == later + timedelta(minutes=8) and record.responded_at is None
    assert record.complete_by == later + timedelta(hours=48)
    assert changed.next_clock == "respond"


def test_register_list_pages_newest_first(desk, receptionist):
    for i in range(5):
        register_complaint(desk, receptionist, draft(received_at=NOW - timedelta(hours=i)), now=NOW)
    rows = fetch_complaints(desk, limit=2)
    rest = fetch_complaints(desk, after=rows[-1].key, limit=10)
    assert [r.received_at for r in rows + rest] == sorted((r.received_at for r in rows + rest), reverse=True)
    assert len(rows + rest) == count_complaints(desk) == 5


# ------------------------------------------------------------------ two processes


def _contact(url: str, actor: tuple, complaint_id: int, barrier, results) -> None:
    try:
        from deskapp.config import Settings
        from deskapp.services.desk import Desk

        desk = Desk.open(Settings(database_url=url))
        barrier.wait(timeout=60)
        try:
            svc.log_contact(desk, Actor(*actor), complaint_id, version=1, note=f"{actor[1]} 回电", now=NOW)
            results.put(("saved", actor[1]))
        except StaleComplaint as exc:
            results.put(("refused", str(exc)))
        desk.engine.dispose()
    except BaseException:
        results.put(("error", traceback.format_exc()))


def test_two_processes_saving_the_same_complaint_lose_no_update(desk, supervisor, receptionist):
    done = register_complaint(desk, receptionist, draft(), now=NOW)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    people = [(supervisor.id, supervisor.name, supervisor.role), (receptionist.id, receptionist.name, receptionist.role)]
    procs = [ctx.Process(target=_contact, args=(str(desk.engine.url), p, done.id, barrier, results)) for p in people]
    for p in procs:
        p.start()
    try:
        outcomes = sorted(results.get(timeout=120) for _ in procs)
    finally:
        for p in procs:
            p.join(timeout=30)
    assert [o[0] for o in outcomes] == ["refused", "saved"], outcomes
    assert outcomes[1][1] in outcomes[0][1]  # the refusal names who saved first
    assert scalar(desk, "SELECT version FROM complaint") == 2
    assert scalar(desk, "SELECT count(*) FROM complaint_step WHERE step = 'contact'") == 1
