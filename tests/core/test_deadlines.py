"""Complaint and dispatch-slip deadlines (docs/rules.md §2.2, §2.3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.core.deadlines import (
    DeadlineRequired,
    complaint_deadlines,
    end_of_local_day,
    slip_deadlines,
)
from deskapp.core.policy import ComplaintClock, ComplaintClocks, ComplaintPolicy, SlipPolicy
from deskapp.core.severity import Severity
from deskapp.errors import InputError
from deskapp.i18n import set_lang

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
CP = ComplaintPolicy()
SP = SlipPolicy()
O, S, M, C = Severity.ORDINARY, Severity.SIGNIFICANT, Severity.MAJOR, Severity.CRITICAL

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=SH)  # a Monday morning at the desk
MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


class TestComplaintClocks:
    def test_ordinary(self):
        d = complaint_deadlines(O, T0, CP, tz=SH)
        assert d.respond_by == T0 + 10 * MIN
        assert d.forward_by == T0 + 10 * MIN
        assert d.report_by is None
        assert d.complete_by == T0 + 12 * HOUR
        assert d.complete_source == "policy"
        assert d.reply_by == T0 + 3 * DAY
        assert d.followup_by == T0 + 3 * DAY

    def test_ordinary_customer_deadline(self):
        want = T0 + 2 * DAY
        d = complaint_deadlines(O, T0, CP, customer_deadline=want, tz=SH)
        assert (d.complete_by, d.complete_source) == (want, "customer")

    def test_significant_reports_same_local_day(self):
        d = complaint_deadlines(S, T0, CP, tz=SH)
        assert d.respond_by == T0 + 8 * MIN
        assert d.complete_by == T0 + 48 * HOUR
        assert d.report_by == datetime(2026, 3, 3, 0, 0, tzinfo=SH)

    def test_significant_same_day_is_local_not_utc(self):
        # 07:30 in Shanghai is 23:30 UTC the previous day: the local day decides
        received = datetime(2026, 3, 2, 7, 30, tzinfo=SH)
        d = complaint_deadlines(S, received.astimezone(UTC), CP, tz=SH)
        assert d.report_by == datetime(2026, 3, 3, 0, 0, tzinfo=SH)

    def test_significant_ignores_customer_deadline(self):
        d = complaint_deadlines(S, T0, CP, customer_deadline=T0 + HOUR, agreed_deadline=T0 + HOUR, tz=SH)
        assert (d.complete_by, d.complete_source) == (T0 + 48 * HOUR, "policy")

    def test_major(self):
        d = complaint_deadlines(M, T0, CP, tz=SH)
        assert d.respond_by == T0 + 5 * MIN
        assert d.report_by == T0 + 5 * MIN
        assert d.complete_by == T0 + 5 * DAY  # calendar days: the desk works every day

    def test_major_agreed(self):
        d = complaint_deadlines(M, T0, CP, agreed_deadline=T0 + 10 * DAY, tz=SH)
        assert (d.complete_by, d.complete_source) == (T0 + 10 * DAY, "agreed")

    def test_critical_requires_agreed_deadline(self):
        with pytest.raises(DeadlineRequired) as info:
            complaint_deadlines(C, T0, CP, tz=SH)
        assert issubclass(DeadlineRequired, ValueError) and isinstance(info.value, InputError)
        assert str(info.value) == "尤其重大投诉没有默认完成时限，须与客户约定并录入（一事一议）"
        set_lang("en")
        assert str(info.value) == "A critical complaint has no default deadline: agree one with the customer and enter it"

    def test_any_class_without_a_default_requires_one(self):
        # a site that strikes 重大's complete_days from policy.toml
        policy = ComplaintPolicy(clocks=ComplaintClocks(major=ComplaintClock(respond_minutes=5, report_minutes=5)))
        with pytest.raises(DeadlineRequired, match="^重大投诉"):
            complaint_deadlines(M, T0, policy, tz=SH)

    def test_critical_undetermined_when_allowed(self):
        d = complaint_deadlines(C, T0, CP, tz=SH, allow_undetermined=True)
        assert d.complete_by is None and d.complete_source is None
        assert d.respond_by == T0 + MIN and d.report_by == T0 + MIN

    def test_critical_agreed(self):
        d = complaint_deadlines(C, T0, CP, agreed_deadline=T0 + 7 * DAY, tz=SH)
        assert d.complete_by == T0 + 7 * DAY

    def test_results_are_utc(self):
        d = complaint_deadlines(S, T0, CP, tz=SH)
        for value in (d.respond_by, d.forward_by, d.report_by, d.reply_by, d.followup_by, d.complete_by):
            assert value.tzinfo is UTC

    def test_default_tz_is_shanghai(self):
        assert complaint_deadlines(S, T0, CP).report_by == datetime(2026, 3, 3, tzinfo=SH)

    def test_policy_changes_clock(self):
        policy = ComplaintPolicy(clocks=ComplaintClocks(ordinary=ComplaintClock(respond_minutes=3, complete_days=1)))
        d = complaint_deadlines(O, T0, policy, tz=SH)
        assert (d.respond_by, d.complete_by) == (T0 + 3 * MIN, T0 + DAY)

    def test_early_customer_deadline_pulls_in_response(self):
        d = complaint_deadlines(O, T0, CP, customer_deadline=T0 + 5 * MIN, tz=SH)
        assert d.respond_by == d.complete_by == T0 + 5 * MIN

    @pytest.mark.parametrize("field", ["received_at", "customer_deadline", "agreed_deadline"])
    def test_naive_rejected(self, field):
        naive = datetime(2026, 3, 2, 9, 30)
        kwargs = {"customer_deadline": None, "agreed_deadline": None}
        received = T0
        if field == "received_at":
            received = naive
        else:
            kwargs[field] = naive
        with pytest.raises(ValueError, match="timezone-aware"):
            complaint_deadlines(M, received, CP, tz=SH, **kwargs)

    def test_deadline_before_received_rejected(self):
        with pytest.raises(ValueError) as info:
            complaint_deadlines(O, T0, CP, customer_deadline=T0 - MIN, tz=SH)
        assert isinstance(info.value, InputError)  # typed by a person: said in their language
        assert str(info.value) == "客户要求的完成时间必须晚于受理时间：2026-03-02 09:29+08:00"
        with pytest.raises(ValueError) as info:
            complaint_deadlines(M, T0, CP, agreed_deadline=T0, tz=SH)
        set_lang("en")
        assert str(info.value) == "The agreed deadline must be after the time received: 2026-03-02 09:30+08:00"


def test_end_of_local_day():
    assert end_of_local_day(datetime(2026, 12, 31, 23, 59, 59, tzinfo=SH), SH) == datetime(2027, 1, 1, tzinfo=SH)
    assert end_of_local_day(datetime(2026, 3, 2, 0, 0, tzinfo=SH), SH) == datetime(2026, 3, 3, tzinfo=SH)


def test_end_of_local_day_across_dst():
    ny = ZoneInfo("America/New_York")
    # 2026-03-08 is 23 hours long in New York
    eod = end_of_local_day(datetime(2026, 3, 8, 0, 30, tzinfo=ny), ny)
    assert eod == datetime(2026, 3, 9, tzinfo=ny)
    assert eod - datetime(2026, 3, 8, 0, 30, tzinfo=ny).astimezone(UTC) == timedelta(hours=22, minutes=30)


def test_hours_are_elapsed_time_across_dst():
    ny = ZoneInfo("America/New_York")
    received = datetime(2026, 3, 7, 20, 0, tzinfo=ny)  # the night before the clocks go forward
    d = complaint_deadlines(O, received, CP, tz=ny)
    assert d.complete_by - received.astimezone(UTC) == 12 * HOUR


instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(SH)
)


@given(instants, st.sampled_from(list(Severity)), st.integers(1, 30 * 24 * 60))
def test_deadlines_after_received_and_ordered(received, sev, agreed_minutes):
    agreed = received + timedelta(minutes=agreed_minutes)
    d = complaint_deadlines(sev, received, CP, tz=SH, agreed_deadline=agreed, customer_deadline=agreed)
    for value in (d.respond_by, d.forward_by, d.reply_by, d.followup_by, d.complete_by):
        assert value > received
    if d.report_by is not None:
        assert d.report_by > received
    assert d.respond_by <= d.complete_by


@given(instants, st.sampled_from([O, S, M]))
def test_default_deadlines_ordered(received, sev):
    d = complaint_deadlines(sev, received, CP, tz=SH)
    assert received < d.respond_by <= d.complete_by
    assert d.respond_by <= d.forward_by
    assert d.reply_by == d.followup_by


# ----------------------------------------------------------------- dispatch slips


class TestSlip:
    def test_created_only(self):
        d = slip_deadlines(T0, SP)
        assert d.notify_by == T0 + 5 * MIN
        assert d.assess_by is None and d.on_site_by is None

    def test_accepted_now(self):
        d = slip_deadlines(T0, SP, accepted_at=T0 + 3 * MIN)
        assert d.on_site_by == T0 + 18 * MIN
        assert d.assess_by is None

    def test_appointment(self):
        appt = T0 + 4 * HOUR
        d = slip_deadlines(T0, SP, accepted_at=T0 + 3 * MIN, appointment_at=appt)
        assert d.on_site_by == appt - 5 * MIN

    def test_appointment_before_acceptance_has_no_on_site_clock(self):
        d = slip_deadlines(T0, SP, appointment_at=T0 + 4 * HOUR)
        assert d.on_site_by is None

    def test_not_in_fee_schedule(self):
        d = slip_deadlines(T0, SP, in_fee_schedule=False)
        assert (d.assess_by, d.on_site_by) == (None, None)
        d = slip_deadlines(T0, SP, accepted_at=T0 + 2 * MIN, in_fee_schedule=False)
        assert d.assess_by == T0 + 17 * MIN
        assert d.on_site_by is None  # waits for the customer to agree the fee
        d = slip_deadlines(T0, SP, accepted_at=T0 + 2 * MIN, in_fee_schedule=False, fee_agreed_at=T0 + 20 * MIN)
        assert d.on_site_by == T0 + 35 * MIN
        appt = T0 + DAY
        d = slip_deadlines(
            T0, SP, accepted_at=T0 + 2 * MIN, in_fee_schedule=False, fee_agreed_at=T0 + 20 * MIN, appointment_at=appt
        )
        assert d.on_site_by == appt - 5 * MIN

    def test_policy_values(self):
        d = slip_deadlines(T0, SlipPolicy(notify_minutes=2, onsite_minutes=30), accepted_at=T0)
        assert (d.notify_by, d.on_site_by) == (T0 + 2 * MIN, T0 + 30 * MIN)

    def test_utc(self):
        d = slip_deadlines(T0, SP, accepted_at=T0, in_fee_schedule=False)
        assert d.notify_by.tzinfo is UTC and d.assess_by.tzinfo is UTC and d.on_site_by is None

    def test_naive_rejected(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            slip_deadlines(datetime(2026, 3, 2, 9, 30), SP)
        with pytest.raises(ValueError, match="appointment_at"):
            slip_deadlines(T0, SP, accepted_at=T0, appointment_at=datetime(2026, 3, 2, 12))

    def test_order_checked(self):
        with pytest.raises(ValueError, match="^接单时间不能早于开单时间$") as accepted:
            slip_deadlines(T0, SP, accepted_at=T0 - MIN)
        with pytest.raises(ValueError, match="^同意费用的时间不能早于接单时间$") as fee:
            slip_deadlines(T0, SP, accepted_at=T0 + MIN, fee_agreed_at=T0, in_fee_schedule=False)
        set_lang("en")
        assert str(accepted.value) == "A slip cannot be accepted before it was issued"
        assert str(fee.value) == "The fee cannot be agreed before the slip was accepted"

    @given(instants, st.integers(0, 600), st.booleans())
    def test_slip_deadlines_after_creation(self, created, accept_after, scheduled):
        accepted = created + timedelta(minutes=accept_after)
        d = slip_deadlines(created, SP, accepted_at=accepted, in_fee_schedule=scheduled, fee_agreed_at=accepted)
        assert d.notify_by > created
        assert d.on_site_by > accepted
        if not scheduled:
            assert d.assess_by > accepted
