"""The handover (docs/rules.md §2.5): a scripted night compiles into exactly the right
handover; signing, acknowledging, addenda and the review; the bad inputs refused with
nothing written; the database refusing to change a signed handover; and a property:
every matter open at the end of a random shift appears in its handover."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import text

from deskapp.errors import DeskError, InputError, NotAllowed
from deskapp.i18n import set_lang
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.custody import ItemDraft, lend_item, receive_item, release_item
from deskapp.services.handover import (acknowledge_handover, add_addendum, add_remark, compile_handover,
                                       complete_review, mark_reviewed, sign_handover)
from deskapp.services.handover_queries import fetch_handovers, find_handover, get_handover, supervisor_checks
from deskapp.services.handover_sections import says, section_title
from deskapp.services.shifts import add_log_entry, start_shift
from deskapp.services.visitors import VisitorDraft, register_visitor
from deskapp.storage.engine import write_session
from tests.conftest import RECEPTIONIST_NAME, RECEPTIONIST_PIN, SUPERVISOR_NAME, SUPERVISOR_PIN
from tests.services.dbstate import query

# The night shift of 2026-11-24 runs 20:00-08:00 Asia/Shanghai = 12:00-24:00 UTC.
START = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def state(desk) -> dict:
    tables = ("handover", "handover_item", "handover_entry", "shift", "audit_event")
    return {table: query(desk, f"SELECT * FROM {table} ORDER BY 1") for table in tables}


def scripted_night(desk, receptionist):
    """Calls, a missed clock, the duty log, parcels in and out, a key lent, visitors."""
    shift = start_shift(desk, receptionist, now=at(0))
    # An awaiting repair from the day shift, still open: carried on.
    log_call(desk, receptionist, CallDraft(category="repair", unit="2-1-502", content="白天报的灯坏了",
                                           at=START - timedelta(hours=2)), now=START - timedelta(hours=2))
    log_call(desk, receptionist, CallDraft(category="enquiry", content="问停车"), now=at(10))
    log_call(desk, receptionist, CallDraft(category="enquiry", content="问物业费"), now=at(20))
    # A repair at 21:00, its slip clock (5 min) missed during the shift.
    log_call(desk, receptionist, CallDraft(category="repair", unit="5-2-1803", content="水管漏水"), now=at(60))
    # A complaint at 07:55, its 10-minute clock still running at 07:58.
    log_call(desk, receptionist, CallDraft(category="complaint", unit="8-1-302", content="噪音"), now=at(715))
    add_log_entry(desk, receptionist, what="巡查大堂", action="正常", now=at(120))
    add_log_entry(desk, receptionist, what="3栋电梯困人", action="维保 20 分钟放出", major=True, now=at(300))
    for i in range(3):
        receive_item(desk, receptionist, ItemDraft(kind="parcel", label=f"SF{i}", owner_name="赵先生",
                                                   unit="1-1-101"), now=at(30 + i))
    release_item(desk, receptionist, 1, to="赵先生", id_checked=True, now=at(400))
    key = receive_item(desk, receptionist, ItemDraft(kind="key", label="3栋机房", owner_name="工程部"), now=at(40))
    lend_item(desk, receptionist, key.id, to="维保 周师傅", id_checked=True, now=at(300))
    receive_item(desk, receptionist, ItemDraft(kind="cash", label="备用金", amount_yuan=Decimal("500")), now=at(41))
    register_visitor(desk, receptionist, VisitorDraft(visitor_name="吴女士", id_checked=True, host_unit="3-2-1201",
                                                      host_called=True), now=at(90))
    register_visitor(desk, receptionist, VisitorDraft(visitor_name="推销员", host_unit="3-2-1201", allowed=False),
                     now=at(95))
    return shift


def lines_said(lines, code):
    return [(says(line), line.text, line.flagged) for line in lines if line.section == code]


class TestCompile:
    def test_a_scripted_night_compiles_into_exactly_the_right_handover(self, desk, receptionist):
        shift = scripted_night(desk, receptionist)
        compiled = compile_handover(desk, shift, now=at(718))  # 07:58
        assert lines_said(compiled.lines, "open_matters") == [
            ("待派工 来电-2026-000001", "2栋1单元502 白天报的灯坏了", True),
            ("待派工 来电-2026-000004", "5栋2单元1803 水管漏水", True),
            ("待立投诉 来电-2026-000005", "8栋1单元302 噪音", False),
        ]
        assert [line.due_by for line in compiled.section("open_matters")][2] == at(725)
        assert lines_said(compiled.lines, "missed") == [("待派工 来电-2026-000004", "5栋2单元1803 水管漏水", True)]
        assert [(line.ref, line.quantity) for line in compiled.section("calls")] == [
            ("enquiry", 2), ("complaint", 1), ("repair", 1)]
        assert lines_said(compiled.lines, "duty_log") == [
            ("【重大】李前台", "3栋电梯困人\n→ 维保 20 分钟放出", True), ("李前台", "巡查大堂\n→ 正常", False)]
        assert lines_said(compiled.lines, "custody") == [
            ("备用金 ¥500.00", "1", False), ("钥匙 1 件（1 条记录）", "1", False), ("包裹 2 件（2 条记录）", "2", False)]
        assert lines_said(compiled.lines, "loans") == [("钥匙借出", "3栋机房 → 维保 周师傅", True)]
        assert lines_said(compiled.lines, "visitors") == [("访客 2 人（拒绝 1）", "", False)]

    def test_lines_read_in_english_too(self, desk, receptionist):
        shift = scripted_night(desk, receptionist)
        compiled = compile_handover(desk, shift, now=at(718))
        set_lang("en")
        assert says(compiled.section("custody")[2]) == "parcel ×2 (2 rec.)"
        assert section_title("missed") == "Clocks missed this shift"


class TestSignOff:
    def test_sign_acknowledge_addendum_review(self, desk, receptionist, supervisor):
        shift = scripted_night(desk, receptionist)
        compiled = compile_handover(desk, shift, now=at(718))
        signed = sign_handover(desk, shift_id=shift.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN,
                               notes="3栋机房钥匙周师傅明早归还", now=at(718))
        record = get_handover(desk, signed.id)
        assert record.number == "交接-2026-000001" and record.handed_by == RECEPTIONIST_NAME
        assert [(says(a), a.text) for a in record.lines] == [(says(b), b.text) for b in compiled.lines]
        assert record.notes == "3栋机房钥匙周师傅明早归还" and record.acknowledged is None
        parcels = next(line for line in record.lines if line.kind == "parcel")
        acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN,
                             discrepancies=[(parcels.id, "架上只有 1 件")], now=at(725))
        add_addendum(desk, receptionist, signed.id, text="漏记：22:00 停车场道闸故障已报修", now=at(730))
        mark_reviewed(desk, supervisor, signed.id, parcels.id, remark="已核", now=at(800))
        add_remark(desk, supervisor, signed.id, text="电梯困人须补事故报告", now=at(801))
        complete_review(desk, supervisor, signed.id, remark="夜班记录完整", now=at(802))
        record = get_handover(desk, signed.id)
        assert record.acknowledged.staff == SUPERVISOR_NAME
        assert [(e.kind, e.item_id, e.text) for e in record.entries] == [
            ("acknowledge", None, ""), ("discrepancy", parcels.id, "架上只有 1 件"),
            ("addendum", None, "漏记：22:00 停车场道闸故障已报修"), ("mark", parcels.id, "已核"),
            ("remark", None, "电梯困人须补事故报告"), ("review", None, "夜班记录完整")]
        checks = supervisor_checks(desk, now=at(900))
        assert (checks.last_at, checks.last_by, checks.in_month, checks.short) == (at(802), SUPERVISOR_NAME, 1, True)
        assert find_handover(desk) == signed.id == find_handover(desk, duty_date=shift.duty_date, kind="night")
        row = fetch_handovers(desk)[0]
        assert (row.acknowledged_by, row.reviewed_by) == (SUPERVISOR_NAME, SUPERVISOR_NAME)

    def test_the_bad_inputs_are_refused_and_nothing_is_written(self, desk, receptionist, supervisor):
        shift = scripted_night(desk, receptionist)
        before = state(desk)
        with pytest.raises(InputError, match="PIN"):
            sign_handover(desk, shift_id=shift.id, name=RECEPTIONIST_NAME, pin="0000", now=at(718))
        assert state(desk) == before
        signed = sign_handover(desk, shift_id=shift.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=at(718))
        before = state(desk)
        refusals = [
            lambda: sign_handover(desk, shift_id=shift.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=at(719)),
            lambda: acknowledge_handover(desk, signed.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=at(725)),
            lambda: acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin="9999", now=at(725)),
            lambda: acknowledge_handover(desk, signed.id + 1, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN, now=at(725)),
            lambda: acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN,
                                         discrepancies=[(9999, "不存在的一项")], now=at(725)),
            lambda: acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN,
                                         discrepancies=[(None, "")], now=at(725)),
            lambda: mark_reviewed(desk, receptionist, signed.id, 1, now=at(800)),  # not a supervisor
            lambda: add_addendum(desk, receptionist, signed.id, text="   ", now=at(800)),
        ]
        for refused in refusals:
            with pytest.raises(DeskError) as caught:
                refused()
            assert "1234" not in str(caught.value) and "5678" not in str(caught.value)
        assert state(desk) == before
        with pytest.raises(InputError, match="同一人"):
            acknowledge_handover(desk, signed.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=at(725))
        with pytest.raises(NotAllowed):
            complete_review(desk, receptionist, signed.id, now=at(800))
        acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN, now=at(725))
        with pytest.raises(InputError, match="已接班"):
            acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN, now=at(726))

    def test_the_database_refuses_changing_a_signed_handover(self, desk, receptionist, supervisor):
        shift = scripted_night(desk, receptionist)
        signed = sign_handover(desk, shift_id=shift.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=at(718))
        acknowledge_handover(desk, signed.id, name=SUPERVISOR_NAME, pin=SUPERVISOR_PIN, now=at(725))
        before = state(desk)
        for statement in ("UPDATE handover SET unfinished = '改过'", "DELETE FROM handover",
                          "UPDATE handover_item SET quantity = 99", "DELETE FROM handover_item",
                          "UPDATE handover_entry SET text = '改过'", "DELETE FROM handover_entry"):
            with pytest.raises(Exception, match="append-only"):
                with write_session(desk.engine) as session:
                    session.execute(text(statement))
        assert state(desk) == before


# ------------------------------------------------------------------ property

_EVENT = st.one_of(
    st.tuples(st.just("call"), st.sampled_from(["repair", "complaint", "enquiry", "praise"]),
              st.integers(min_value=-600, max_value=719)),
    st.tuples(st.just("resolve"), st.integers(min_value=0, max_value=30), st.just(0)),
    st.tuples(st.just("parcel"), st.integers(min_value=1, max_value=3), st.integers(min_value=0, max_value=719)),
    st.tuples(st.just("collect"), st.integers(min_value=0, max_value=30), st.just(0)),
)


@settings(max_examples=25)
@given(events=st.lists(_EVENT, max_size=25), compile_at=st.integers(min_value=600, max_value=780))
def test_every_matter_open_at_the_end_of_a_shift_appears_in_its_handover(open_desk_copy, tmp_path_factory,
                                                                         events, compile_at):
    desk = open_desk_copy(tmp_path_factory.mktemp("prop") / "desk.sqlite", "receptionist")
    try:
        from deskapp.services.staff import list_staff

        actor = next(a for a in list_staff(desk) if a.name == RECEPTIONIST_NAME)
        shift = start_shift(desk, actor, now=at(0))
        clock = at(0)
        for kind, a, b in sorted(events, key=lambda e: e[2]):
            if kind == "call":
                when = at(b)
                log_call(desk, actor, CallDraft(category=a, content="事", at=when), now=max(when, clock))
            elif kind == "resolve":
                # What the slip or complaint service does to a call it turns into its record.
                with write_session(desk.engine) as session:
                    session.execute(text("UPDATE call SET status = 'done' WHERE id = (SELECT id FROM call "
                                         "WHERE status LIKE 'awaiting%' ORDER BY id LIMIT 1 OFFSET :n)"), {"n": a})
            elif kind == "parcel":
                receive_item(desk, actor, ItemDraft(kind="parcel", owner_name="赵", quantity=a), now=at(b))
            else:
                held = query(desk, "SELECT id FROM custody_item WHERE status = 'held' ORDER BY id")
                if held:
                    release_item(desk, actor, held[a % len(held)][0], to="赵", id_checked=True, now=at(719))
        now = at(compile_at)
        signed = sign_handover(desk, shift_id=shift.id, name=RECEPTIONIST_NAME, pin=RECEPTIONIST_PIN, now=now)
        record = get_handover(desk, signed.id)
        open_calls = {n for (n,) in query(desk, "SELECT number FROM call WHERE status LIKE 'awaiting%'")}
        assert {line.ref for line in record.section("open_matters")} == open_calls
        pieces = query(desk, "SELECT coalesce(sum(quantity), 0) FROM custody_item WHERE status = 'held'")[0][0]
        assert sum(line.quantity for line in record.section("custody") if line.kind == "parcel") == pieces
        overdue = {n for (n,) in query(desk, "SELECT number FROM call WHERE status LIKE 'awaiting%' AND due_by <= ?",
                                       (now.replace(tzinfo=None).isoformat(sep=" "),))}
        assert {line.ref for line in record.section("open_matters") if line.flagged} == overdue
    finally:
        desk.engine.dispose()


def test_return_visits_due_by_the_next_shift_are_in_the_handover(desk, receptionist):
    from deskapp.services.visits import MatterDone, visit_due_for

    shift = start_shift(desk, receptionist, now=at(0))
    with write_session(desk.engine) as session:
        for number, done in (("派工-2026-000001", START - timedelta(days=2)), ("派工-2026-000002", START)):
            visit_due_for(session, desk, MatterDone(kind="repair", number=number, completed_at=done,
                                                    unit_code="3-2-1201"), actor_id=receptionist.id, now=at(0))
    lines = compile_handover(desk, shift, now=at(600)).section("visits")
    # Done Sun 11-22 20:00: due by the end of Tue 11-24 (two working days), overdue by 06:00.
    # Done Tue 11-24 20:00: due Thu 11-26, after the next shift: not yet.
    assert [(says(line), line.text, line.flagged) for line in lines] == [
        ("回访 回访-2026-000001", "3栋2单元1201 派工-2026-000001", True)]


def test_open_complaints_are_in_the_handover_with_their_running_clock(desk, receptionist):
    from deskapp.services.complaints import ComplaintDraft, register_complaint

    shift = start_shift(desk, receptionist, now=at(0))
    registered = register_complaint(desk, receptionist, ComplaintDraft(unit="8-1-302", description="楼上装修噪音",
                                                                       customer_name="孙先生"), now=at(30))
    lines = compile_handover(desk, shift, now=at(60)).section("complaints")
    assert [(says(line), line.text) for line in lines] == [
        (f"通常 {registered.number} 转交签收", "8栋1单元302 楼上装修噪音")]
    assert lines[0].due_by == at(40) and lines[0].flagged  # forwarded and signed for within 10 minutes: missed


def test_open_slips_are_in_the_handover_with_their_running_clock(desk, supervisor, receptionist):
    from deskapp.services.reference import add_department
    from deskapp.services.slips import SlipDraft, issue_slip

    engineering = add_department(desk, supervisor, name="工程部", kind="engineering", now=START).id
    shift = start_shift(desk, receptionist, now=at(0))
    call = log_call(desk, receptionist, CallDraft(category="repair", unit="5-2-1803", content="水管漏水"), now=at(60))
    issued = issue_slip(desk, receptionist, SlipDraft(call_id=call.id, department_id=engineering), now=at(61))
    lines = compile_handover(desk, shift, now=at(70)).section("slips")
    # Issued 21:01: the department is to be notified within 5 minutes; at 21:10 that clock is missed.
    assert [(says(line), line.text, line.flagged) for line in lines] == [
        (f"派工单 {issued.number} 通知", "5栋2单元1803 水管漏水", True)]
    assert lines[0].due_by == at(66)
    # The call it came from is no longer an awaiting call in the open-matters section.
    assert all(line.kind != "awaits_slip" for line in compile_handover(desk, shift, now=at(70)).section("open_matters"))
