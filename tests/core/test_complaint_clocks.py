"""Every complaint clock met, missed, running or waived, with an injected `now` (docs/rules.md §2.2)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from deskapp.core.complaint_clocks import ClockState, ComplaintTimes, clocks_of, close_by, next_clock

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
# 23:50 in Shanghai: ten minutes before local midnight
LATE = datetime(2026, 11, 24, 15, 50, tzinfo=UTC)


def states(times: ComplaintTimes, now: datetime) -> dict[str, ClockState]:
    return {c.name: c.state for c in clocks_of(times, now, SH)}


def test_a_clock_not_done_runs_until_its_deadline_and_is_overdue_after_it():
    times = ComplaintTimes(respond_by=LATE + timedelta(minutes=10))
    assert states(times, LATE + timedelta(minutes=10))["respond"] is ClockState.RUNNING  # the instant itself: in time
    assert states(times, LATE + timedelta(minutes=10, seconds=1))["respond"] is ClockState.OVERDUE


def test_done_in_time_is_met_done_late_is_missed_and_who_did_it_does_not_change_with_now():
    due = LATE + timedelta(minutes=10)
    assert states(ComplaintTimes(forward_by=due, forwarded_at=due), LATE + timedelta(days=9))["forward"] is ClockState.MET
    assert states(ComplaintTimes(forward_by=due, forwarded_at=due + timedelta(seconds=1)), LATE)["forward"] \
        is ClockState.MISSED


def test_result_known_at_2350_must_reach_the_customer_before_local_midnight():
    times = ComplaintTimes(completed_at=LATE)
    tell = next(c for c in clocks_of(times, LATE, SH) if c.name == "tell")
    assert tell.due == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # 00:00 Shanghai
    assert states(ComplaintTimes(completed_at=LATE, replied_at=LATE + timedelta(minutes=9, seconds=59)), LATE)["tell"] \
        is ClockState.MET
    assert states(ComplaintTimes(completed_at=LATE, replied_at=LATE + timedelta(minutes=10, seconds=1)), LATE)["tell"] \
        is ClockState.MISSED
    # known just after midnight: the whole next day
    after = LATE + timedelta(minutes=11)
    tell = next(c for c in clocks_of(ComplaintTimes(completed_at=after), after, SH) if c.name == "tell")
    assert tell.due == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def test_close_same_day_for_the_desk_three_days_when_handed_on():
    assert close_by(LATE, handed_on=False, other_dept_days=3, tz=SH) == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert close_by(LATE, handed_on=True, other_dept_days=3, tz=SH) == LATE + timedelta(days=3)


def test_reply_is_met_by_a_contact_or_the_result_whichever_first():
    reply_by = LATE + timedelta(days=3)
    assert states(ComplaintTimes(reply_by=reply_by, followed_up_at=LATE + timedelta(days=1)), LATE)["reply"] \
        is ClockState.MET
    assert states(ComplaintTimes(reply_by=reply_by, replied_at=LATE + timedelta(days=4)), LATE)["reply"] \
        is ClockState.MISSED


def test_followup_is_waived_when_the_result_came_first_and_due_otherwise():
    by = LATE + timedelta(days=3)
    assert states(ComplaintTimes(followup_by=by, replied_at=LATE + timedelta(days=1)), LATE)["followup"] \
        is ClockState.WAIVED
    assert states(ComplaintTimes(followup_by=by), by + timedelta(seconds=1))["followup"] is ClockState.OVERDUE


def test_next_clock_is_the_running_one_due_first_and_nothing_runs_once_closed():
    times = ComplaintTimes(respond_by=LATE + timedelta(minutes=5), responded_at=LATE,
                           forward_by=LATE + timedelta(minutes=10), report_by=LATE + timedelta(minutes=8),
                           complete_by=LATE + timedelta(hours=48))
    assert next_clock(clocks_of(times, LATE, SH)).name == "report"
    closed = ComplaintTimes(forward_by=LATE + timedelta(minutes=10), closed_at=LATE)
    assert next_clock(clocks_of(closed, LATE, SH)) is None
    assert states(closed, LATE)["forward"] is ClockState.MISSED
