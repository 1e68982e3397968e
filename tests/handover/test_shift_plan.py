"""The shift plan (docs/rules.md §2.5): which shift an instant belongs to, from policy.toml."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from deskapp.core.policy import PolicyError, ShiftPolicy, load_policy_file
from deskapp.core.shifts import next_slot, parse_clock, previous_slot, slot_at

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT = {"day_starts": time(8), "night_starts": time(20)}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("when, kind, duty_date", [
    (local(2026, 11, 24, 8, 0), "day", date(2026, 11, 24)),
    (local(2026, 11, 24, 19, 59), "day", date(2026, 11, 24)),
    (local(2026, 11, 24, 20, 0), "night", date(2026, 11, 24)),
    (local(2026, 11, 25, 3, 0), "night", date(2026, 11, 24)),  # the night of the 24th
    (local(2026, 11, 25, 7, 59), "night", date(2026, 11, 24)),
])
def test_default_plan(when, kind, duty_date):
    s = slot_at(when, tz=TZ, **DEFAULT)
    assert (s.kind, s.duty_date) == (kind, duty_date)
    assert s.contains(when) and s.end - s.start == timedelta(hours=12)


def test_a_site_plan_moves_the_shifts():
    plan = ShiftPolicy(day_starts="07:30", night_starts="19:30")
    assert plan.slot_at(local(2026, 11, 24, 7, 45), TZ).kind == "day"
    assert plan.slot_at(local(2026, 11, 24, 19, 45), TZ).kind == "night"
    assert plan.slot_at(local(2026, 11, 24, 7, 15), TZ).duty_date == date(2026, 11, 23)


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(timezone.utc)),
       st.sampled_from([(time(8), time(20)), (time(7, 30), time(19, 30)), (time(9), time(17)), (time(20), time(8))]))
def test_every_instant_is_in_exactly_one_shift_and_shifts_tile(instant, starts):
    day, night = starts
    s = slot_at(instant, tz=TZ, day_starts=day, night_starts=night)
    assert s.contains(instant)
    before = previous_slot(s, tz=TZ, day_starts=day, night_starts=night)
    after = next_slot(s, tz=TZ, day_starts=day, night_starts=night)
    assert before.end == s.start and after.start == s.end and before.kind != s.kind != after.kind


@pytest.mark.parametrize("text", ["8", "8:0", "25:00", "08:60", "0800", "", "08:00:00"])
def test_a_bad_clock_time_is_refused(text):
    with pytest.raises(ValueError):
        parse_clock(text)


def test_policy_file_names_a_bad_shift_key(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[shift]\nday_starts = "8 点"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy_file(path)
    assert "shift.day_starts" in str(caught.value)
    path.write_text('[shift]\nday_starts = "20:00"\n', encoding="utf-8")
    with pytest.raises(PolicyError):
        load_policy_file(path)


def test_the_shipped_policy_holds_the_default_plan():
    from pathlib import Path

    policy = load_policy_file(Path(__file__).resolve().parents[2] / "data" / "policy.toml")
    assert (policy.shift.day_starts, policy.shift.night_starts) == ("08:00", "20:00")
    assert policy.shift.supervisor_checks_per_month == 2
