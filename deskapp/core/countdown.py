"""Countdowns (倒计时) to stored deadlines, and the app's one clock.

Screens read ``MonotonicClock.now()`` once per tick and pass it to
:func:`sla_level` and :func:`format_remaining`; nothing here reads the clock on
its own, so every function is a pure function of its inputs.
"""

from __future__ import annotations

import enum
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

from deskapp.i18n import t

__all__ = [
    "SlaLevel",
    "sla_level",
    "format_remaining",
    "MonotonicClock",
    "WARN_FRACTION",
    "WARN_MIN",
    "COMPACT_CELLS",
]

# Defaults of sla_level's thresholds; a site sets its own in policy.toml [countdown]
# (Policy.countdown.levels() gives them as sla_level's keyword arguments).
# WARN when less than this share of the whole window is left ...
WARN_FRACTION = 0.2
# ... or less than this is left, whatever the window (a 1-minute 尤其重大 response
# clock would otherwise never warn).
WARN_MIN = timedelta(minutes=2)

# The compact form fits a list column of this many terminal cells.
COMPACT_CELLS = 7


class SlaLevel(enum.Enum):
    """State of one deadline: on time, nearly due, overdue, or done."""

    OK = "ok"
    WARN = "warn"
    OVERDUE = "overdue"
    DONE = "done"


def _aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {value!r}")  # a bug in the caller, not the user
    return value


def sla_level(
    deadline: datetime | None,
    now: datetime,
    *,
    total: timedelta | None = None,
    done: bool = False,
    warn_fraction: float = WARN_FRACTION,
    warn_min: timedelta = WARN_MIN,
) -> SlaLevel:
    """Level of a deadline at ``now``.

    DONE if ``done``; OK if there is no deadline; OVERDUE once ``now`` is past it
    (the deadline instant itself still counts as in time); WARN when less than
    ``warn_fraction`` of ``total`` (the whole window, e.g. deadline - received_at)
    or less than ``warn_min`` remains. The thresholds are the site's
    ``[countdown]`` policy: pass ``**policy.countdown.levels()``.
    """
    if done:
        return SlaLevel.DONE
    if deadline is None:
        return SlaLevel.OK
    remaining = _aware("deadline", deadline) - _aware("now", now)
    if remaining < timedelta(0):
        return SlaLevel.OVERDUE
    if remaining < warn_min:
        return SlaLevel.WARN
    if total is not None and total > timedelta(0) and remaining < total * warn_fraction:
        return SlaLevel.WARN
    return SlaLevel.OK


_US = timedelta(microseconds=1)


def format_remaining(delta: timedelta, *, compact: bool = False) -> str:
    """Time left to a deadline (negative: past it), in the current language.

    The long form, for a detail pane or a countdown widget, has a fixed width
    within each range:

    - under an hour: ``mm:ss`` ("59:59")
    - under a day: ``hh:mm:ss`` ("11:59:59", "01:00:00")
    - a day or more: "3天04时" (en "3d 04h")
    - overdue: the time past the deadline, "超时 04:12" (en "04:12 late")

    The compact form, for a list column, never takes more than
    :data:`COMPACT_CELLS` terminal cells: "04:12", "3时", "2天", overdue
    "超04:12", "超5时" (en "04:12", "3h", "2d", "-04:12", "-5h"); from 1000 days
    it counts years (up to 999) so that it still fits.

    Whole seconds are truncated toward zero, so "00:00" shows during the last
    second before the deadline and "超时 00:00" during the first second after
    (as :func:`sla_level`, the deadline instant itself is still in time).
    """
    overdue = delta < timedelta(0)
    # integer arithmetic: exact for any timedelta, where abs() of the smallest overflows
    seconds = abs(delta // _US) // 1_000_000
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if compact:
        if days >= 1000:
            text = t("countdown.compact_years", n=min(days // 365, 999))
        elif days:
            text = t("countdown.compact_days", n=days)
        elif hours:
            text = t("countdown.compact_hours", n=hours)
        else:
            text = f"{minutes:02d}:{secs:02d}"
        return t("countdown.compact_overdue", time=text) if overdue else text
    if days:
        text = t("countdown.days_hours", days=days, hours=hours)
    elif hours:
        text = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    else:
        text = f"{minutes:02d}:{secs:02d}"
    return t("countdown.overdue", time=text) if overdue else text


def _system_wall() -> datetime:
    # The one place the core reads the system clock; everything else is given `now`.
    return datetime.fromtimestamp(time.time(), tz=timezone.utc)


class MonotonicClock:
    """The app's single clock: wall time anchored once, advanced by the monotonic clock.

    When the system clock is corrected (NTP, a receptionist fixing the PC's time)
    countdowns must not jump, so ``now()`` is the wall time read at construction
    plus the monotonic time elapsed since. :meth:`resync` re-anchors on purpose
    (e.g. at shift start) and returns how far the wall clock had drifted.
    """

    def __init__(
        self,
        *,
        wall: Callable[[], datetime] = _system_wall,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._wall0, self._mono0 = self._read()

    def _read(self) -> tuple[datetime, float]:
        wall = _aware("wall()", self._wall()).astimezone(timezone.utc)
        return wall, self._monotonic()

    def now(self) -> datetime:
        """Current instant, aware, in UTC."""
        with self._lock:
            wall0, mono0 = self._wall0, self._mono0
        return wall0 + timedelta(seconds=self._monotonic() - mono0)

    def resync(self) -> timedelta:
        """Re-read the wall clock; returns new wall time minus what ``now()`` said."""
        before = self.now()
        wall, mono = self._read()
        with self._lock:
            self._wall0, self._mono0 = wall, mono
        return wall - before
