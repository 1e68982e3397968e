"""Every clock of one complaint, each met, missed or running (投诉处理时效), and the next one due.

docs/rules.md §2.2 "Complaint clocks". The deadlines are computed once when a
complaint is opened or re-classed (deskapp.core.deadlines) and stored; this
module only compares them with what has been done and when, so it is a pure
function of the stored instants and `now`. The board counts down to
`next_clock`, which the service stores beside the complaint at every change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from deskapp.core.deadlines import end_of_local_day

__all__ = ["CLOCKS", "ClockState", "Clock", "ComplaintTimes", "clocks_of", "next_clock", "close_by"]

# In the order the record lists them.
CLOCKS = ("respond", "forward", "report", "complete", "tell", "reply", "followup", "close")


class ClockState(enum.Enum):
    RUNNING = "running"  # not done, still in time
    OVERDUE = "overdue"  # not done, past its deadline
    MET = "met"  # done in time
    MISSED = "missed"  # done, but after its deadline
    WAIVED = "waived"  # no longer needed (a follow-up contact for a complaint finished in time)


@dataclass(frozen=True)
class Clock:
    name: str  # one of CLOCKS
    due: datetime
    done_at: datetime | None
    state: ClockState

    @property
    def running(self) -> bool:
        return self.state in (ClockState.RUNNING, ClockState.OVERDUE)


@dataclass(frozen=True)
class ComplaintTimes:
    """The stored deadlines of a complaint and when each thing was done (all aware, UTC)."""

    respond_by: datetime | None = None
    responded_at: datetime | None = None
    forward_by: datetime | None = None
    forwarded_at: datetime | None = None
    report_by: datetime | None = None
    reported_at: datetime | None = None
    complete_by: datetime | None = None
    completed_at: datetime | None = None  # the result is known
    replied_at: datetime | None = None  # the result was given to the customer
    reply_by: datetime | None = None
    followed_up_at: datetime | None = None  # the first recorded contact with the customer
    followup_by: datetime | None = None
    close_by: datetime | None = None
    closed_at: datetime | None = None


def close_by(received_at: datetime, *, handed_on: bool, other_dept_days: int, tz: ZoneInfo) -> datetime:
    """Closed the same day when the desk handles it itself; within `complaint.other_dept_days`
    (calendar days) when handed to another department (docs/rules.md §2.2)."""
    if handed_on:
        return received_at + timedelta(days=other_dept_days)
    return end_of_local_day(received_at, tz)


def _state(due: datetime, done_at: datetime | None, now: datetime, closed: bool) -> ClockState:
    if done_at is not None:
        return ClockState.MET if done_at <= due else ClockState.MISSED
    if closed:  # closed without it: it can no longer be met, and it no longer runs
        return ClockState.MISSED
    return ClockState.RUNNING if now <= due else ClockState.OVERDUE


def _first(*instants: datetime | None) -> datetime | None:
    given = [i for i in instants if i is not None]
    return min(given) if given else None


def clocks_of(times: ComplaintTimes, now: datetime, tz: ZoneInfo) -> list[Clock]:
    """Every clock that applies to the complaint now, in CLOCKS order.

    - tell: the result goes to the customer before the end of the day it became
      known, so it exists only once the result is known;
    - reply: the customer hears from the desk within `reply_days`: a recorded
      contact or the result, whichever came first;
    - followup: still unfinished at `followup_by`, a recorded contact is due; a
      complaint whose result was given by then never needs it (WAIVED);
    - close: exists once the complaint was forwarded (the close clock depends on
      whether the desk kept it or handed it on).

    Once closed nothing runs: a clock never met reads MISSED.
    """
    out: list[Clock] = []

    def add(name: str, due: datetime | None, done_at: datetime | None) -> None:
        if due is not None:
            out.append(Clock(name, due, done_at, _state(due, done_at, now, t.closed_at is not None)))

    t = times
    add("respond", t.respond_by, t.responded_at)
    add("forward", t.forward_by, t.forwarded_at)
    add("report", t.report_by, t.reported_at)
    add("complete", t.complete_by, t.completed_at)
    if t.completed_at is not None:
        add("tell", end_of_local_day(t.completed_at, tz), t.replied_at)
    add("reply", t.reply_by, _first(t.followed_up_at, t.replied_at))
    if t.followup_by is not None:
        if t.replied_at is not None and t.replied_at <= t.followup_by and (
                t.followed_up_at is None or t.followed_up_at > t.followup_by):
            out.append(Clock("followup", t.followup_by, None, ClockState.WAIVED))
        else:
            add("followup", t.followup_by, t.followed_up_at)
    add("close", t.close_by, t.closed_at)
    return out


def next_clock(clocks: list[Clock]) -> Clock | None:
    """The running clock due first (the most overdue when several are past): what the board shows."""
    running = [c for c in clocks if c.running]
    return min(running, key=lambda c: (c.due, CLOCKS.index(c.name))) if running else None
