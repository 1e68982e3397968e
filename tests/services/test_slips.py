"""Dispatch slips on a real SQLite file (派工单): issue, lifecycle and clocks, refusal, warranty, the frozen slip."""

from __future__ import annotations

import multiprocessing
import sqlite3
import traceback
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from deskapp.core.policy import PolicyError
from deskapp.core.slip_data import load_slip_data
from deskapp.errors import InputError
from deskapp.services import slips
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.invariants import check
from deskapp.services.reference import UnitDraft, add_department, add_units
from deskapp.services.slips import SlipDraft, issue_slip
from tests.services.dbstate import query, scalar

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 14:00 in Asia/Shanghai
MIN = timedelta(minutes=1)

FEES = """
[[item]]
name = "更换水龙头"
price_yuan = 30
department = "工程部"

[[item]]
name = "防水补漏"
price_yuan = 300.5
department = "工程部"
"""
WARRANTY = """
default_contractor = "华建维保单位"

[[period]]
contractor = "华建维保单位"
until = 2026-12-31
buildings = ["7"]

[[period]]
contractor = "华建维保单位"
until = 2027-06-30
items = ["防水补漏"]
"""


@pytest.fixture
def site(desk, supervisor, receptionist, tmp_path):
    """Departments, units and the site's slip files in a data folder of the test's own."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "fee_schedule.toml").write_text(FEES, encoding="utf-8")
    (data / "warranty.toml").write_text(WARRANTY, encoding="utf-8")
    desk.data_dir = data
    depts = {name: add_department(desk, supervisor, name=name, kind=kind, now=NOW).id
             for name, kind in (("工程部", "engineering"), ("环境部", "environment"), ("华建维保单位", "contractor"))}
    add_units(desk, supervisor, [UnitDraft("3-2-1201"), UnitDraft("7-1-101"),
                                 UnitDraft("9-1-101", warranty_until=date(2027, 1, 31))], now=NOW)
    return depts


def issue(desk, actor, now=NOW, **kw):
    base = dict(customer_name="张先生", unit="3-2-1201", phone="13800138000", item="厨房水龙头滴水",
                fee_item="更换水龙头")
    base.update(kw)
    return issue_slip(desk, actor, SlipDraft(**base), now=now)


def slip_row(desk, slip_id, *cols):
    return dict(zip(cols, query(desk, f"SELECT {', '.join(cols)} FROM dispatch_slip WHERE id = ?", (slip_id,))[0]))


def state(desk):
    return {t: scalar(desk, f"SELECT count(*) FROM {t}") for t in ("dispatch_slip", "slip_step", "audit_event")} | {
        "seq": query(desk, "SELECT * FROM number_sequence WHERE register_key = 'slip'"),
        "slips": query(desk, "SELECT * FROM dispatch_slip")}


# ------------------------------------------------------------------ issuing


class TestIssue:
    def test_from_a_repair_call_carries_it_over_and_stops_its_countdown(self, desk, receptionist, site):
        call = log_call(desk, receptionist, CallDraft(category="repair", caller_name="王女士", phone="13900139000",
                                                      unit="3-2-1201", content="卫生间水龙头漏水"), now=NOW)
        assert call.status == "awaiting_slip"
        made = issue_slip(desk, receptionist, SlipDraft(call_id=call.id, fee_item="更换水龙头"), now=NOW + MIN)
        assert made.number == "派工-2026-000001"
        assert (made.status, made.due_kind, made.due_by) == ("issued", "notify", NOW + 6 * MIN)
        row = slip_row(desk, made.id, "call_id", "customer_name", "phone", "unit_code", "item", "fee_yuan",
                       "department_id", "chargeable", "in_fee_schedule", "owner_id")
        assert row == {"call_id": call.id, "customer_name": "王女士", "phone": "13900139000",
                       "unit_code": "3栋2单元1201", "item": "卫生间水龙头漏水", "fee_yuan": 30, "department_id": site["工程部"],
                       "chargeable": 1, "in_fee_schedule": 1, "owner_id": receptionist.id}
        assert scalar(desk, "SELECT status FROM call WHERE id = ?", (call.id,)) == "slipped"
        from deskapp.services.open_matters import count_open
        assert count_open(desk) == 0  # off the 待办 list: its countdown stopped
        assert query(desk, "SELECT step, staff_id, note FROM slip_step") == [("issued", receptionist.id, call.number)]
        assert scalar(desk, "SELECT count(*) FROM audit_event WHERE action = 'slip.issue'") == 1
        # the same call cannot be issued twice
        with pytest.raises(InputError, match="不在待派工状态"):
            issue_slip(desk, receptionist, SlipDraft(call_id=call.id), now=NOW + 2 * MIN)

    def test_an_enquiry_call_is_refused(self, desk, receptionist, site):
        call = log_call(desk, receptionist, CallDraft(category="enquiry", content="咨询"), now=NOW)
        with pytest.raises(InputError, match="不是报修"):
            issue_slip(desk, receptionist, SlipDraft(call_id=call.id, unit="3-2-1201", fee_item="更换水龙头"), now=NOW)

    def test_on_its_own_with_an_appointment_and_photos(self, desk, receptionist, site):
        made = issue(desk, receptionist, appointment_at=NOW + timedelta(hours=3), photos="/photos/a.jpg\n/photos/b.jpg",
                     technician="赵师傅")
        row = slip_row(desk, made.id, "appointment_at", "photos", "technician", "call_id")
        assert row["photos"] == "/photos/a.jpg\n/photos/b.jpg" and row["technician"] == "赵师傅"
        assert row["call_id"] is None and row["appointment_at"] == "2026-11-24 09:00:00.000000"

    @pytest.mark.parametrize("kw, message", [
        ({"appointment_at": NOW - MIN}, "已过"),
        ({"fee_item": "换灯泡"}, "收费标准中没有“换灯泡”"),
        ({"unit": "5-1-101"}, "没有这个房号：5栋1单元101"),
        ({"unit": ""}, "房号"),
        ({"item": ""}, "报修内容"),
        ({"fee_item": "", "chargeable": True}, "部门"),
        ({"fee_item": "更换水龙头", "chargeable": False}, "无偿维修不选收费项目"),
        ({"department_id": 999, "fee_item": ""}, "没有这个部门"),
        ({"photos": [f"/p/{i}.jpg" for i in range(11)]}, "最多 10 张"),
        ({"item": "漏水\x1b[31m"}, "控制字符"),
    ])
    def test_bad_input_is_refused_and_nothing_written(self, desk, receptionist, site, kw, message):
        before = state(desk)
        with pytest.raises(InputError, match=message):
            issue(desk, receptionist, **kw)
        assert state(desk) == before

    def test_a_fee_department_missing_from_the_list_is_named(self, desk, receptionist, site, tmp_path):
        (desk.data_dir / "fee_schedule.toml").write_text(FEES.replace("工程部", "水电部", 1), encoding="utf-8")
        with pytest.raises(InputError, match="水电部"):
            issue(desk, receptionist)


class TestWarranty:
    def test_a_building_in_its_warranty_goes_to_the_contractor_free(self, desk, receptionist, site):
        made = issue(desk, receptionist, unit="7-1-101")
        assert (made.under_warranty, made.department, made.chargeable, made.fee_yuan) == (
            True, "华建维保单位", False, Decimal(0))
        assert slip_row(desk, made.id, "fee_item", "in_fee_schedule") == {"fee_item": "更换水龙头", "in_fee_schedule": 1}

    def test_after_the_period_the_department_does_it(self, desk, receptionist, site):
        later = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)  # 2027-01-01 09:00 local: the day after 7栋's warranty
        made = issue(desk, receptionist, unit="7-1-101", now=later)
        assert (made.under_warranty, made.department, made.chargeable) == (False, "工程部", True)

    def test_the_last_day_is_judged_in_the_site_zone(self, desk, receptionist, site):
        # 2026-12-31 17:00 UTC is already 2027-01-01 in Shanghai: out of warranty
        made = issue(desk, receptionist, unit="7-1-101", now=datetime(2026, 12, 31, 17, 0, tzinfo=UTC))
        assert not made.under_warranty
        made = issue(desk, receptionist, unit="7-1-101", now=datetime(2026, 12, 31, 15, 0, tzinfo=UTC))
        assert made.under_warranty

    def test_an_item_in_warranty_in_any_building(self, desk, receptionist, site):
        made = issue(desk, receptionist, fee_item="防水补漏")
        assert made.under_warranty and made.department == "华建维保单位"
        other = issue(desk, receptionist, fee_item="更换水龙头")
        assert not other.under_warranty and other.fee_yuan == Decimal("30.00")

    def test_a_unit_with_its_own_warranty_date(self, desk, receptionist, site):
        assert issue(desk, receptionist, unit="9-1-101").under_warranty
        assert not issue(desk, receptionist, unit="9-1-101", now=datetime(2027, 2, 1, 2, tzinfo=UTC)).under_warranty

    def test_an_unknown_contractor_is_refused_by_name(self, desk, receptionist, site):
        (desk.data_dir / "warranty.toml").write_text(WARRANTY.replace("华建维保单位", "某维保公司"), encoding="utf-8")
        with pytest.raises(InputError, match="维保单位“某维保公司”不在部门名单中"):
            issue(desk, receptionist, unit="7-1-101")


class TestSiteFiles:
    def test_the_shipped_files_load(self):
        from pathlib import Path

        data = load_slip_data(Path(__file__).resolve().parents[2] / "data")
        assert data.fees.find("更换水龙头").department == "工程部"

    @pytest.mark.parametrize("fees, warranty, message", [
        ('[[item]]\nname = "a"\nprice_yuan = -1\ndepartment = "工程部"\n', "", "item[0].price_yuan"),
        ('[[item]]\nname = "a"\nprice_yuan = 1.234\ndepartment = "工程部"\n', "", "最多两位小数"),
        ('[[item]]\nname = "a"\nprice_yuan = 1\ndepartment = "工程部"\n' * 2, "", "收费项目重复"),
        ('[[item]]\nname = "a"\nprice = 1\ndepartment = "工程部"\n', "", "item[0]"),
        ("", '[[period]]\ncontractor = "c"\nuntil = "2027-02-30"\n', "period[0].until"),
        ("", '[[period]]\ncontractor = "c"\nuntil = 2027-01-01\nitems = ["x"]\n', "“x”不在 fee_schedule.toml 中"),
    ])
    def test_a_bad_file_names_the_key(self, tmp_path, fees, warranty, message):
        (tmp_path / "fee_schedule.toml").write_text(fees, encoding="utf-8")
        (tmp_path / "warranty.toml").write_text(warranty, encoding="utf-8")
        with pytest.raises(PolicyError) as refused:
            load_slip_data(tmp_path)
        assert message in str(refused.value)


# ------------------------------------------------------------------ lifecycle and clocks


class TestLifecycle:
    def test_a_scheduled_chargeable_slip_start_to_finish(self, desk, receptionist, site):
        made = issue(desk, receptionist)
        s = slips.notify_department(desk, receptionist, made.id, person="工程部小刘", now=NOW + 3 * MIN)
        assert (s.status, s.due_kind, s.due_by) == ("notified", "", None)  # the notify clock stopped
        s = slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + 10 * MIN)
        assert (s.status, s.due_kind, s.due_by) == ("accepted", "on_site", NOW + 25 * MIN)
        s = slips.arrive(desk, receptionist, made.id, now=NOW + 20 * MIN)
        assert (s.status, s.due_kind) == ("on_site", "")
        s = slips.complete_work(desk, receptionist, made.id, work_done="更换水龙头一个", work_fee="45",
                                materials="客户自购水龙头", materials_check="pass", now=NOW + 50 * MIN)
        assert s.status == "done"
        s = slips.sign_slip(desk, receptionist, made.id, now=NOW + 51 * MIN)
        s = slips.collect_fee(desk, receptionist, made.id, method="cash", amount="45", now=NOW + 60 * MIN)
        assert s.status == "collected"
        s = slips.return_copies(desk, receptionist, made.id, now=NOW + 2 * 60 * MIN)
        assert s.status == "closed"
        steps = query(desk, "SELECT step, at, staff_id, person, amount_yuan FROM slip_step ORDER BY id")
        assert [r[0] for r in steps] == ["issued", "notified", "accepted", "on_site", "done", "signed", "collected",
                                         "returned"]
        assert all(r[2] == receptionist.id for r in steps)
        assert steps[1][3] == "工程部小刘" and steps[2][3] == "赵师傅" and steps[6][4] == 45
        row = slip_row(desk, made.id, "notified_at", "accepted_at", "arrived_at", "completed_at", "signed_at",
                       "customer_signed", "fee_collected", "payment_method", "fee_collected_yuan", "work_fee_yuan",
                       "materials_check", "copies_returned_at", "technician")
        assert row["customer_signed"] == 1 and row["fee_collected"] == 1 and row["payment_method"] == "cash"
        assert row["technician"] == "赵师傅" and row["materials_check"] == "pass" and row["work_fee_yuan"] == 45
        assert all(row[c] is not None for c in row)
        assert scalar(desk, "SELECT count(*) FROM audit_event WHERE entity = 'dispatch_slip'") == 8
        # the completed repair was weighed for its return visit in the same transaction (docs/rules.md §2.4)
        assert query(desk, "SELECT kind, source_number FROM return_visit WHERE slip_id = ?", (made.id,)) == [
            ("repair", made.number)]
        assert check(desk).ok

    def test_an_appointment_sets_the_on_site_clock_five_minutes_before(self, desk, receptionist, site):
        made = issue(desk, receptionist, appointment_at=NOW + timedelta(hours=2))
        slips.notify_department(desk, receptionist, made.id, now=NOW + MIN)
        s = slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + 2 * MIN)
        assert (s.due_kind, s.due_by) == ("on_site", NOW + timedelta(hours=2) - 5 * MIN)

    def test_an_item_outside_the_schedule_is_assessed_then_agreed(self, desk, receptionist, site):
        made = issue(desk, receptionist, fee_item="", department_id=site["工程部"], item="阳台加装晾衣架")
        slips.notify_department(desk, receptionist, made.id, now=NOW + MIN)
        s = slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + 4 * MIN)
        assert (s.due_kind, s.due_by) == ("assess", NOW + 19 * MIN)
        with pytest.raises(InputError, match="先由部门主管评估"):
            slips.arrive(desk, receptionist, made.id, now=NOW + 5 * MIN)
        s = slips.assess_slip(desk, receptionist, made.id, fee="¥260", supervisor="工程部孙主管", note="可以做",
                              now=NOW + 10 * MIN)
        assert (s.status, s.due_kind, s.fee_yuan) == ("assessed", "", Decimal("260.00"))
        s = slips.agree_fee(desk, receptionist, made.id, now=NOW + 30 * MIN)
        assert (s.status, s.due_kind, s.due_by) == ("agreed", "on_site", NOW + 45 * MIN)
        assert slips.arrive(desk, receptionist, made.id, now=NOW + 40 * MIN).status == "on_site"

    def test_a_free_slip_needs_no_assessment_and_no_fee(self, desk, receptionist, site):
        made = issue(desk, receptionist, fee_item="", chargeable=False, department_id=site["环境部"], item="楼道清扫")
        slips.notify_department(desk, receptionist, made.id, now=NOW + MIN)
        s = slips.accept_slip(desk, receptionist, made.id, technician="保洁王阿姨", now=NOW + 2 * MIN)
        assert s.due_kind == "on_site"
        slips.arrive(desk, receptionist, made.id, now=NOW + 3 * MIN)
        with pytest.raises(InputError, match="无偿维修，不收费"):
            slips.complete_work(desk, receptionist, made.id, work_done="清扫", work_fee="20", now=NOW + 4 * MIN)
        slips.complete_work(desk, receptionist, made.id, work_done="清扫", now=NOW + 4 * MIN)
        slips.sign_slip(desk, receptionist, made.id, now=NOW + 5 * MIN)
        with pytest.raises(InputError, match="无偿维修，不收费"):
            slips.collect_fee(desk, receptionist, made.id, method="cash", amount="20", now=NOW + 6 * MIN)
        assert slips.return_copies(desk, receptionist, made.id, now=NOW + 7 * MIN).status == "closed"

    def test_steps_out_of_order_are_refused_with_nothing_changed(self, desk, receptionist, site):
        made = issue(desk, receptionist)
        before = state(desk)
        with pytest.raises(InputError, match="当前“已开单”，不能“接单”"):
            slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + MIN)
        with pytest.raises(InputError, match="不能“客户签字”"):
            slips.sign_slip(desk, receptionist, made.id, now=NOW + MIN)
        with pytest.raises(InputError, match="无需评估"):
            slips.assess_slip(desk, receptionist, made.id, fee="10", supervisor="孙", now=NOW + MIN)
        assert state(desk) == before
        slips.notify_department(desk, receptionist, made.id, now=NOW + MIN)
        slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + 2 * MIN)
        before = state(desk)
        with pytest.raises(InputError, match="已接单，不能重复接单"):
            slips.accept_slip(desk, receptionist, made.id, technician="钱师傅", now=NOW + 3 * MIN)
        assert state(desk) == before

    @pytest.mark.parametrize("amount, message", [("-5", "负"), ("100000", "超过上限"), ("12.345", "两位小数"),
                                                 ("abc", "无效"), ("0", "大于零")])
    def test_bad_fees_are_refused(self, desk, receptionist, site, amount, message):
        made = issue(desk, receptionist)
        for step in (slips.notify_department, slips.accept_slip):
            step(desk, receptionist, made.id, **({"technician": "赵"} if step is slips.accept_slip else {}),
                 now=NOW + MIN)
        slips.arrive(desk, receptionist, made.id, now=NOW + MIN)
        slips.complete_work(desk, receptionist, made.id, work_done="换了", now=NOW + MIN)
        slips.sign_slip(desk, receptionist, made.id, now=NOW + MIN)
        before = state(desk)
        with pytest.raises(InputError, match=message):
            slips.collect_fee(desk, receptionist, made.id, method="cash", amount=amount, now=NOW + 2 * MIN)
        with pytest.raises(InputError, match="收费方式"):
            slips.collect_fee(desk, receptionist, made.id, method="cheque", amount="30", now=NOW + 2 * MIN)
        assert state(desk) == before


class TestRefused:
    @pytest.mark.sqlite_only  # pokes the SQLite file with sqlite3; PostgreSQL's guard: migration 0008
    def test_refused_with_reason_and_supervisor_and_never_signed(self, desk, receptionist, site):
        made = issue(desk, receptionist, fee_item="", department_id=site["工程部"], item="改水管")
        slips.notify_department(desk, receptionist, made.id, now=NOW + MIN)
        slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + 2 * MIN)
        slips.assess_slip(desk, receptionist, made.id, fee="800", supervisor="孙主管", now=NOW + 5 * MIN)
        with pytest.raises(InputError, match="拒绝原因"):
            slips.refuse_slip(desk, receptionist, made.id, reason="", supervisor="孙主管", now=NOW + 9 * MIN)
        with pytest.raises(InputError, match="部门主管"):
            slips.refuse_slip(desk, receptionist, made.id, reason="嫌贵", supervisor="", now=NOW + 9 * MIN)
        s = slips.refuse_slip(desk, receptionist, made.id, reason="客户认为费用太高", supervisor="孙主管",
                              now=NOW + 10 * MIN)
        assert (s.status, s.due_kind) == ("refused", "")
        row = slip_row(desk, made.id, "refused_reason", "refused_by", "refused_at")
        assert row["refused_reason"] == "客户认为费用太高" and row["refused_by"] == "孙主管" and row["refused_at"]
        with pytest.raises(InputError, match="已拒绝立案，不能签字确认"):
            slips.sign_slip(desk, receptionist, made.id, now=NOW + 11 * MIN)
        with pytest.raises(InputError, match="已拒绝立案"):
            slips.refuse_slip(desk, receptionist, made.id, reason="再拒", supervisor="孙", now=NOW + 11 * MIN)
        # filed, not dropped: the slip stays and the database refuses its deletion
        with closing(sqlite3.connect(desk.engine.url.database)) as conn, pytest.raises(sqlite3.DatabaseError,
                                                                                        match="never deleted"):
            conn.execute("DELETE FROM dispatch_slip WHERE id = ?", (made.id,))


class TestSignedSlipIsFrozen:
    def _signed(self, desk, receptionist):
        made = issue(desk, receptionist)
        slips.notify_department(desk, receptionist, made.id, now=NOW + MIN)
        slips.accept_slip(desk, receptionist, made.id, technician="赵师傅", now=NOW + MIN)
        slips.arrive(desk, receptionist, made.id, now=NOW + MIN)
        slips.complete_work(desk, receptionist, made.id, work_done="换了", now=NOW + MIN)
        slips.sign_slip(desk, receptionist, made.id, now=NOW + 2 * MIN)
        return made

    @pytest.mark.parametrize("sql", [
        "UPDATE dispatch_slip SET work_done = '改过的' WHERE id = ?",
        "UPDATE dispatch_slip SET fee_yuan = 1 WHERE id = ?",
        "UPDATE dispatch_slip SET signed_at = NULL WHERE id = ?",
        "UPDATE dispatch_slip SET status = 'done' WHERE id = ?",
        "UPDATE dispatch_slip SET technician = '钱' WHERE id = ?",
        "DELETE FROM dispatch_slip WHERE id = ?",
    ])
    def test_the_database_refuses_a_change(self, desk, receptionist, site, sql):
        made = self._signed(desk, receptionist)
        with closing(sqlite3.connect(desk.engine.url.database)) as conn:
            with pytest.raises(sqlite3.DatabaseError, match="dispatch_slip"):
                conn.execute(sql, (made.id,))
            conn.rollback()
        assert slip_row(desk, made.id, "work_done", "status") == {"work_done": "换了", "status": "signed"}

    @pytest.mark.sqlite_only  # pokes the SQLite file with sqlite3; PostgreSQL's guard: migration 0008
    def test_what_follows_signing_still_goes_through_and_notes_are_appended(self, desk, receptionist, site):
        made = self._signed(desk, receptionist)
        with pytest.raises(InputError, match="客户已签字"):
            slips.sign_slip(desk, receptionist, made.id, now=NOW + 3 * MIN)
        slips.add_note(desk, receptionist, made.id, note="更正：实际更换的是冷水龙头", now=NOW + 3 * MIN)
        assert slips.record_print(desk, receptionist, made.id, now=NOW + 3 * MIN).printed_count == 1
        slips.collect_fee(desk, receptionist, made.id, method="card", amount="30", now=NOW + 4 * MIN)
        assert slips.return_copies(desk, receptionist, made.id, now=NOW + 5 * MIN).status == "closed"
        assert query(desk, "SELECT note FROM slip_step WHERE step = 'note'") == [("更正：实际更换的是冷水龙头",)]
        with closing(sqlite3.connect(desk.engine.url.database)) as conn, pytest.raises(sqlite3.DatabaseError,
                                                                                        match="append-only"):
            conn.execute("UPDATE slip_step SET note = 'x'")


# ------------------------------------------------------------------ numbering


def _issue_many(url: str, data_dir: str, actor: tuple, worker: int, count: int, barrier, results) -> None:
    try:
        from pathlib import Path

        from deskapp.config import Settings
        from deskapp.services.desk import Desk
        from deskapp.services.roles import Actor

        desk = Desk.open(Settings(database_url=url))
        desk.data_dir = Path(data_dir)
        who = Actor(*actor)
        barrier.wait(timeout=60)
        numbers = [issue_slip(desk, who, SlipDraft(customer_name=f"进程{worker}", unit="3-2-1201", item=f"第{i}张",
                                                   fee_item="更换水龙头"), now=NOW).number for i in range(count)]
        desk.engine.dispose()
        results.put((worker, "ok", numbers))
    except BaseException:
        results.put((worker, "error", traceback.format_exc()))


def test_two_processes_issue_slips_without_gaps_or_duplicates(desk, receptionist, site):
    ctx = multiprocessing.get_context("spawn")
    barrier, results, each = ctx.Barrier(2), ctx.Queue(), 25
    args = (str(desk.engine.url), str(desk.data_dir), (receptionist.id, receptionist.name, receptionist.role))
    procs = [ctx.Process(target=_issue_many, args=(*args, w, each, barrier, results)) for w in range(2)]
    for p in procs:
        p.start()
    try:
        reports = [results.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
    assert not [r[2] for r in reports if r[1] != "ok"]
    issued = sorted(n for _, _, numbers in reports for n in numbers)
    assert issued == [f"派工-2026-{i:06d}" for i in range(1, 2 * each + 1)]
    assert scalar(desk, "SELECT count(*) FROM dispatch_slip") == 2 * each
    assert check(desk).ok


# ------------------------------------------------------------------ read side


class TestQueries:
    def test_the_board_holds_open_slips_by_department_technician_and_id_paged_by_key(self, desk, receptionist, site):
        from deskapp.services.slip_queries import count_board, fetch_board, get_slip, slip_id_by_number

        made = [issue(desk, receptionist, technician=tech, **kw) for tech, kw in (
            ("钱", {}), ("赵", {}), ("", {"fee_item": "", "chargeable": False, "department_id": site["环境部"]}),
            ("赵", {"unit": "7-1-101"}), ("钱", {}))]
        refused = issue(desk, receptionist)
        slips.refuse_slip(desk, receptionist, refused.id, reason="不修了", supervisor="孙", now=NOW + MIN)
        assert count_board(desk) == 5
        rows = fetch_board(desk)
        order = [(r.department, r.technician, r.id) for r in rows]
        assert order == sorted(order, key=lambda o: ({"工程部": 1, "环境部": 2, "华建维保单位": 3}[o[0]], o[1], o[2]))
        assert refused.id not in [r.id for r in rows]
        assert fetch_board(desk, after=rows[1].key) == rows[2:]
        assert fetch_board(desk, offset=3, limit=1) == rows[3:4]
        assert rows[0].due_kind == "notify" and rows[0].clock_since == NOW

        slips.add_note(desk, receptionist, made[0].id, note="客户下午在家", now=NOW + MIN)
        record = get_slip(desk, slip_id_by_number(desk, made[0].number))
        assert (record.number, record.department, record.owner, record.technician) == (
            made[0].number, "工程部", receptionist.name, "钱")
        assert [(s.step, s.staff) for s in record.steps] == [("issued", receptionist.name), ("note", receptionist.name)]
        assert record.notes[0].note == "客户下午在家" and record.fee_due == Decimal("30.00")
        with pytest.raises(Exception, match="没有这张派工单"):
            slip_id_by_number(desk, "派工-2026-999999")
