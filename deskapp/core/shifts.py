"""The shift plan (班次): which duty shift an instant belongs to (pure, no I/O).

The desk works around the clock in two shifts, day and night, whose start
times are the site's (policy.toml [shift], docs/rules.md §2.5; default day
08:00-20:00, night 20:00-08:00). A night shift belongs to the date it starts
on: 03:00 on the 25th is the night shift of the 24th, and that is the date its
duty log page is headed with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("day", "night")


@dataclass(frozen=True)
class ShiftSlot:
    """One shift of the plan: its kind, the date it is headed with, and when it runs [start, end)."""

    kind: str
    duty_date: date
    start: datetime  # aware, in the site's zone
    end: datetime

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def parse_clock(text: str) -> time:
    """'08:00' -> time(8, 0); ValueError for anything else (policy.toml is checked with it)."""
    hours, sep, minutes = text.partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit()) or len(minutes) != 2 or len(hours) > 2:
        raise ValueError(text)
    return time(int(hours), int(minutes))


def _at(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tz)


def slot(kind: str, duty_date: date, *, day_starts: time, night_starts: time, tz: ZoneInfo) -> ShiftSlot:
    """The shift of this kind headed with `duty_date`."""
    if kind == "day":
        end_day = duty_date if night_starts > day_starts else duty_date + timedelta(days=1)
        return ShiftSlot("day", duty_date, _at(duty_date, day_starts, tz), _at(end_day, night_starts, tz))
    if kind == "night":
        end_day = duty_date + timedelta(days=1) if day_starts <= night_starts else duty_date
        return ShiftSlot("night", duty_date, _at(duty_date, night_starts, tz), _at(end_day, day_starts, tz))
    raise ValueError(f"unknown shift kind {kind!r}")


def slot_at(instant: datetime, *, day_starts: time, night_starts: time, tz: ZoneInfo) -> ShiftSlot:
    """The shift running at `instant` (aware)."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(tz)
    # The shift holding `instant` starts on its local date or the day before.
    for day in (local.date(), local.date() - timedelta(days=1)):
        for kind in KINDS:
            s = slot(kind, day, day_starts=day_starts, night_starts=night_starts, tz=tz)
            if s.contains(local):
                return s
    raise AssertionError("the plan leaves a gap")  # two distinct start times cover the whole day


def previous_slot(s: ShiftSlot, *, day_starts: time, night_starts: time, tz: ZoneInfo) -> ShiftSlot:
    return slot_at(s.start - timedelta(seconds=1), day_starts=day_starts, night_starts=night_starts, tz=tz)


def next_slot(s: ShiftSlot, *, day_starts: time, night_starts: time, tz: ZoneInfo) -> ShiftSlot:
    return slot_at(s.end, day_starts=day_starts, night_starts=night_starts, tz=tz)
