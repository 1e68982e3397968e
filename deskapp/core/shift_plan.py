"""When shifts begin (班次): the day shift 08:00-20:00, the night shift 20:00-08:00 local time.

docs/rules.md §2.5: the shift plan becomes a policy key with #17; until then
it is these two starts. Pure: functions of a local (aware) time.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

# Local times at which a shift begins, in order through the day.
SHIFT_STARTS = (time(8, 0), time(20, 0))


def shift_start(local: datetime) -> datetime:
    """The start of the shift `local` falls in, in the same zone (a boundary belongs to the shift it opens)."""
    if local.tzinfo is None:
        raise ValueError("shift_start needs an aware time")
    day = local.date()
    for when in (day, day - timedelta(days=1)):
        for start in reversed(SHIFT_STARTS):
            candidate = datetime.combine(when, start, tzinfo=local.tzinfo)
            if candidate <= local:
                return candidate
    raise AssertionError("unreachable: a shift starts every day")
