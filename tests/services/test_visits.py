"""Return visits (回访) planned by the rules and worked, on a real SQLite file.

Complaints and slips are written here as rows until their services land; the
visit service reads them exactly as it will read the services' records.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from deskapp.errors import InputError, NotAllowed
from deskapp.services.staff import add_staff
from deskapp.services.visits import (MatterDone, VisitReport, complaint_completed, plan_followups, record_attempt,
                                     record_visit, report_completed, review_visit, slip_completed, visit_due_for)
from deskapp.storage.engine import write_session
from deskapp.storage.models import Complaint, DispatchSlip
from tests.services.dbstate import query, scalar

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # Fri 2026-10-09 10:00 in Shanghai


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH).astimezone(UTC)


def add_complaint(desk, owner_id, *, number="投诉-2026-000001", severity="ordinary", status="done",
                  received_at=None, completed_at=None) -> int:
    received_at = received_at or local(2026, 9, 29, 9, 0)
    with write_session(desk.engine) as session:
        return session.connection().execute(insert(Complaint.__table__).returning(Complaint.__table__.c.id), {
            "number": number, "received_at": received_at, "channel": "phone", "customer_name": "张先生",
            "phone": "13800138000", "unit_code": "3栋2单元1201", "description": "电梯噪音", "owner_id": owner_id,
            "severity": severity, "loss_yuan": Decimal(0), "status": status, "completed_at": completed_at,
        }).scalar_one()


def add_slip(desk, owner_id, *, number="派工-2026-000001", created_at=None, completed_at=None,
             status="open") -> int:
    with write_session(desk.engine) as session:
        return session.connection().execute(insert(DispatchSlip.__table__).returning(DispatchSlip.__table__.c.id), {
            "number": number, "created_at": created_at or local(2026, 9, 30, 9, 0), "customer_name": "李女士",
            "unit_code": "5栋1单元302", "phone": "13900139000", "item": "厨房水管漏水", "owner_id": owner_id,
            "completed_at": completed_at, "status": status,
        }).scalar_one()


def plan(desk, fn, record_id, now=NOW):
    with write_session(desk.engine) as session:
        return fn(session, desk, record_id, actor_id=None, now=now)


def visit(desk, visit_id) -> dict:
    cols = ("number", "kind", "status", "due_on", "assigned_role", "attempts", "score", "satisfaction", "method",
            "customer_confirmed", "raised_complaint_id", "source_number", "next_attempt_at")
    row = query(desk, f"SELECT {', '.join(cols)} FROM return_visit WHERE id = ?", (visit_id,))[0]
    return dict(zip(cols, row))


def good(**kw) -> VisitReport:
    base = dict(method="phone", quality="好", effect="不漏了", score=5, shortcomings="", suggestions="",
                customer_confirmed=True)
    base.update(kw)
    return VisitReport(**base)


@pytest.fixture
def gm(desk, supervisor):
    return add_staff(desk, name="赵总", role="gm", pin="4321", actor=supervisor, now=NOW)


class TestPlanned:
    def test_a_completed_repair_is_due_after_the_national_day_break(self, desk, receptionist):
        slip = add_slip(desk, receptionist.id, completed_at=local(2026, 9, 30, 17, 0))
        planned = plan(desk, slip_completed, slip)
        assert planned.sampled and planned.number == "回访-2026-000001"
        assert planned.due_on == date(2026, 10, 9) and planned.assigned_role == "receptionist"
        row = visit(desk, planned.id)
        assert row["kind"] == "repair" and row["status"] == "due" and row["source_number"] == "派工-2026-000001"
        assert scalar(desk, "SELECT count(*) FROM audit_event WHERE action = 'visit.plan'") == 1

    def test_a_major_complaint_goes_to_the_gm_or_manager_within_one_working_day(self, desk, receptionist):
        cid = add_complaint(desk, receptionist.id, severity="critical", completed_at=local(2026, 10, 9, 18, 0))
        planned = plan(desk, complaint_completed, cid)
        assert planned.kind == "major" and planned.assigned_role == "manager"
        assert planned.due_on == date(2026, 10, 10)  # Saturday, a make-up working day

    def test_a_confirmed_complaint_goes_to_the_supervisor_within_two(self, desk, receptionist):
        cid = add_complaint(desk, receptionist.id, completed_at=local(2026, 10, 9, 18, 0))
        planned = plan(desk, complaint_completed, cid)
        assert (planned.kind, planned.assigned_role, planned.due_on) == ("complaint", "supervisor", date(2026, 10, 12))

    def test_the_same_completion_reported_twice_is_one_visit(self, desk, receptionist):
        slip = add_slip(desk, receptionist.id, completed_at=local(2026, 9, 30, 17, 0))
        first = plan(desk, slip_completed, slip)
        again = plan(desk, slip_completed, slip)
        assert again.id == first.id and again.number == first.number
        assert scalar(desk, "SELECT count(*) FROM return_visit") == 1

    def test_a_record_never_completed_gets_no_visit(self, desk, receptionist):
        slip = add_slip(desk, receptionist.id, completed_at=None)
        with pytest.raises(InputError) as err:
            plan(desk, slip_completed, slip)
        assert "派工-2026-000001" in str(err.value) and "尚未完成" in str(err.value)
        assert scalar(desk, "SELECT count(*) FROM return_visit") == 0
        assert scalar(desk, "SELECT count(*) FROM completed_matter") == 0

    def test_beyond_the_known_calendar_the_visit_carries_the_warning(self, desk, receptionist):
        slip = add_slip(desk, receptionist.id, completed_at=local(2026, 12, 31, 12, 0))
        planned = plan(desk, slip_completed, slip, now=local(2026, 12, 31, 13, 0))
        assert planned.due_on == date(2027, 1, 5) and "2027" in planned.warning
        assert "2027" in query(desk, "SELECT due_warning FROM return_visit")[0][0]

    def test_activities_are_sampled_reproducibly(self, desk, receptionist):
        done = local(2026, 11, 20, 15, 0)
        matters = [MatterDone("activity", f"活动-2026-{i:06d}", done) for i in range(1, 301)]
        with write_session(desk.engine) as session:
            first = [visit_due_for(session, desk, m, actor_id=None, now=NOW).sampled for m in matters]
        with write_session(desk.engine) as session:  # a re-run: the same decisions, nothing new
            second = [visit_due_for(session, desk, m, actor_id=None, now=NOW).sampled for m in matters]
        assert first == second
        assert 30 <= sum(first) <= 90  # 20% of 300, sd 6.9
        assert scalar(desk, "SELECT count(*) FROM return_visit") == sum(first)
        assert scalar(desk, "SELECT count(*) FROM completed_matter") == 300
        # numbers stay gapless: only sampled matters draw one
        assert scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'visit'") == sum(first)

    def test_special_service_at_mid_term_and_at_the_end(self, desk, receptionist):
        mid = report_completed(desk, receptionist, MatterDone("special", "特约-2026-0007", local(2026, 11, 2, 9, 0),
                                                              stage="mid"), now=NOW + timedelta(days=40))
        end = report_completed(desk, receptionist, MatterDone("special", "特约-2026-0007", local(2026, 11, 30, 9, 0),
                                                              stage="end"), now=NOW + timedelta(days=60))
        assert mid.number != end.number and mid.due_on == date(2026, 11, 4) and end.due_on == date(2026, 12, 2)
        with pytest.raises(InputError):
            report_completed(desk, receptionist, MatterDone("special", "特约-2026-0008", local(2026, 11, 2, 9, 0)),
                             now=NOW + timedelta(days=40))

    def test_repairs_and_complaints_are_not_typed_in_by_hand(self, desk, receptionist):
        with pytest.raises(InputError):
            report_completed(desk, receptionist, MatterDone("repair", "派工-2026-000009", NOW), now=NOW)

    def test_other_services_use_the_managers_share(self, desk, receptionist):
        none = report_completed(desk, receptionist, MatterDone("other", "其他-1", NOW, share_percent=0), now=NOW)
        some = report_completed(desk, receptionist, MatterDone("other", "其他-2", NOW), now=NOW)
        assert not none.sampled and none.id is None
        assert some.sampled  # share not set by the manager: all are visited


class TestWorking:
    @pytest.fixture
    def repair_visit(self, desk, receptionist):
        slip = add_slip(desk, receptionist.id, completed_at=local(2026, 9, 30, 17, 0))
        return plan(desk, slip_completed, slip).id

    def test_no_answer_is_counted_and_the_next_try_planned(self, desk, receptionist, repair_visit):
        out = record_attempt(desk, receptionist, repair_visit, now=NOW)
        assert out.attempts == 1 and out.next_attempt_at == NOW + timedelta(minutes=120)
        out = record_attempt(desk, receptionist, repair_visit, now=NOW + timedelta(hours=3),
                             retry_at=NOW + timedelta(days=1))
        assert out.attempts == 2 and out.next_attempt_at == NOW + timedelta(days=1)
        done = record_visit(desk, receptionist, repair_visit, good(), now=NOW + timedelta(days=1))
        assert done.attempts == 3 and done.satisfaction == "satisfied"
        row = visit(desk, repair_visit)
        assert row["status"] == "done" and row["score"] == 5 and row["customer_confirmed"] == 1
        assert row["next_attempt_at"] is None

    @pytest.mark.parametrize("score", [0, 6, "0", "6", "五", "3.5", "", True])
    def test_a_score_outside_1_to_5_is_refused_and_nothing_changes(self, desk, receptionist, repair_visit, score):
        with pytest.raises(InputError):
            record_visit(desk, receptionist, repair_visit, good(score=score), now=NOW)
        assert visit(desk, repair_visit)["status"] == "due"
        assert scalar(desk, "SELECT count(*) FROM audit_event WHERE action = 'visit.record'") == 0

    def test_a_visit_recorded_twice_is_refused(self, desk, receptionist, repair_visit):
        record_visit(desk, receptionist, repair_visit, good(), now=NOW)
        with pytest.raises(InputError) as err:
            record_visit(desk, receptionist, repair_visit, good(score=1), now=NOW)
        assert "已登记" in str(err.value)
        assert visit(desk, repair_visit)["score"] == 5
        with pytest.raises(InputError):
            record_attempt(desk, receptionist, repair_visit, now=NOW)

    def test_a_receptionist_may_not_make_the_gms_visit(self, desk, receptionist, gm):
        cid = add_complaint(desk, receptionist.id, severity="major", completed_at=local(2026, 10, 9, 9, 0))
        vid = plan(desk, complaint_completed, cid).id
        with pytest.raises(NotAllowed):
            record_visit(desk, receptionist, vid, good(), now=NOW)
        assert record_visit(desk, gm, vid, good(), now=NOW).status == "done"

    def test_an_unsatisfactory_visit_reopens_its_complaint_reported_to_the_gm(self, desk, receptionist, supervisor):
        cid = add_complaint(desk, receptionist.id, completed_at=local(2026, 10, 8, 9, 0))
        vid = plan(desk, complaint_completed, cid).id
        out = record_visit(desk, supervisor, vid, good(score=2, shortcomings="还是很吵"), now=NOW)
        assert out.reopened and out.raised_complaint_id == cid and out.satisfaction == "unsatisfied"
        status, from_visit, completed, report_by = query(
            desk, "SELECT status, from_visit_id, completed_at, report_by FROM complaint WHERE id = ?", (cid,))[0]
        assert status == "in_progress" and from_visit == vid and completed is None and report_by is not None
        assert visit(desk, vid)["raised_complaint_id"] == cid  # linked both ways
        assert scalar(desk, "SELECT count(*) FROM audit_event WHERE action = 'complaint.reopen'") == 1

    def test_an_unsatisfactory_repair_visit_raises_a_complaint(self, desk, receptionist, repair_visit):
        out = record_visit(desk, receptionist, repair_visit, good(score=1, shortcomings="又漏了"), now=NOW)
        assert not out.reopened and out.raised_complaint_number == "投诉-2026-000001"
        row = query(desk, "SELECT description, from_visit_id, severity, unit_code FROM complaint WHERE id = ?",
                    (out.raised_complaint_id,))[0]
        assert row == ("又漏了", repair_visit, "ordinary", "5栋1单元302")

    def test_a_satisfied_visit_raises_nothing(self, desk, receptionist, repair_visit):
        record_visit(desk, receptionist, repair_visit, good(score=3), now=NOW)
        assert scalar(desk, "SELECT count(*) FROM complaint") == 0

    def test_the_supervisor_reviews_finished_visits(self, desk, receptionist, supervisor, repair_visit):
        with pytest.raises(InputError):
            review_visit(desk, supervisor, repair_visit, "好", now=NOW)  # not done yet
        record_visit(desk, receptionist, repair_visit, good(), now=NOW)
        with pytest.raises(NotAllowed):
            review_visit(desk, receptionist, repair_visit, "好", now=NOW)
        review_visit(desk, supervisor, repair_visit, "回访及时", now=NOW)
        assert query(desk, "SELECT status, supervisor_remark FROM return_visit WHERE id = ?",
                     (repair_visit,))[0] == ("reviewed", "回访及时")
        with pytest.raises(InputError):
            review_visit(desk, supervisor, repair_visit, "again", now=NOW)


class TestFollowUps:
    def test_work_unfinished_three_days_on_gets_an_in_person_follow_up_once(self, desk, receptionist):
        add_complaint(desk, receptionist.id, status="open", received_at=local(2026, 10, 5, 9, 0))
        add_complaint(desk, receptionist.id, number="投诉-2026-000002", status="open",
                      received_at=local(2026, 10, 7, 9, 0))  # only 2 days
        add_slip(desk, receptionist.id, created_at=local(2026, 10, 5, 9, 0))
        add_slip(desk, receptionist.id, number="派工-2026-000002", created_at=local(2026, 10, 5, 9, 0),
                 completed_at=local(2026, 10, 6, 9, 0))  # done
        planned = plan_followups(desk, now=NOW)
        assert sorted(p.source_number for p in planned) == ["投诉-2026-000001", "派工-2026-000001"]
        assert all(p.due_on == date(2026, 10, 9) and p.kind == "followup" for p in planned)
        assert query(desk, "SELECT DISTINCT method FROM return_visit") == [("in_person",)]
        assert plan_followups(desk, now=NOW + timedelta(hours=1)) == []
