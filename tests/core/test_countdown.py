"""Countdown levels, compact formatting and the app's one clock (倒计时)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.core.countdown import MonotonicClock, SlaLevel, format_remaining, sla_level

UTC = timezone.utc
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
S, MIN, H, D = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)


class TestSlaLevel:
    @pytest.mark.parametrize(
        "left, total, level",
        [
            (10 * H, 12 * H, SlaLevel.OK),
            (2 * H + 24 * MIN, 12 * H, SlaLevel.OK),  # exactly 20% left: not yet WARN
            (2 * H + 23 * MIN, 12 * H, SlaLevel.WARN),  # under 20%
            (3 * MIN, None, SlaLevel.OK),
            (2 * MIN, None, SlaLevel.OK),
            (2 * MIN - S, None, SlaLevel.WARN),  # under 2 min, whatever the window
            (50 * S, MIN, SlaLevel.WARN),  # 1-minute 尤其重大 response clock
            (timedelta(0), 10 * MIN, SlaLevel.WARN),  # the deadline instant is still in time
            (-S, 10 * MIN, SlaLevel.OVERDUE),
            (-3 * D, None, SlaLevel.OVERDUE),
        ],
    )
    def test_levels(self, left, total, level):
        assert sla_level(NOW + left, NOW, total=total) is level

    def test_done_wins(self):
        assert sla_level(NOW - D, NOW, done=True) is SlaLevel.DONE

    def test_no_deadline(self):
        assert sla_level(None, NOW) is SlaLevel.OK

    def test_zones_compare_as_instants(self):
        assert sla_level(datetime(2026, 3, 2, 9, 40, tzinfo=SH), NOW) is SlaLevel.OK  # 01:40 UTC
        assert sla_level(datetime(2026, 3, 2, 9, 20, tzinfo=SH), NOW) is SlaLevel.OVERDUE

    def test_naive_rejected(self):
        with pytest.raises(ValueError):
            sla_level(datetime(2026, 3, 2, 9, 40), NOW)


class TestFormat:
    @pytest.mark.parametrize(
        "delta, text",
        [
            (timedelta(0), "00:00"),
            (timedelta(milliseconds=999), "00:00"),
            (S, "00:01"),
            (4 * MIN + 12 * S, "04:12"),
            (59 * MIN + 59 * S, "59:59"),
            (H, "01:00:00"),
            (11 * H + 59 * MIN + 59 * S, "11:59:59"),
            (23 * H + 59 * MIN + 59 * S, "23:59:59"),
            (D, "1天00时"),
            (3 * D + 4 * H + 59 * MIN, "3天04时"),
            (12 * D + 23 * H, "12天23时"),
            (-(4 * MIN + 12 * S), "超时 04:12"),
            (-(2 * H + 5 * S), "超时 02:00:05"),
            (-(3 * D + 4 * H), "超时 3天04时"),
            (-timedelta(milliseconds=500), "超时 00:00"),
        ],
    )
    def test_format(self, delta, text):
        assert format_remaining(delta) == text

    @given(st.integers(0, 86_399))
    def test_stable_width_under_a_day(self, seconds):
        text = format_remaining(timedelta(seconds=seconds))
        assert len(text) == (5 if seconds < 3600 else 8)

    @given(st.integers(-10 * 86_400, 10 * 86_400))
    def test_negative_is_overdue_text(self, seconds):
        text = format_remaining(timedelta(seconds=seconds))
        assert text.startswith("超时 ") == (seconds < 0)
        if seconds < 0:
            assert text == "超时 " + format_remaining(timedelta(seconds=-seconds))


class FakeTime:
    """An injected wall clock and monotonic clock that tests move by hand."""

    def __init__(self) -> None:
        self.wall_value = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
        self.mono_value = 1000.0

    def wall(self) -> datetime:
        return self.wall_value

    def monotonic(self) -> float:
        return self.mono_value

    def tick(self, seconds: float) -> None:
        self.wall_value += timedelta(seconds=seconds)
        self.mono_value += seconds


class TestMonotonicClock:
    def test_now_is_aware_utc(self):
        t = FakeTime()
        clock = MonotonicClock(wall=t.wall, monotonic=t.monotonic)
        assert clock.now() == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        assert clock.now().tzinfo is UTC

    def test_advances_with_monotonic(self):
        t = FakeTime()
        clock = MonotonicClock(wall=t.wall, monotonic=t.monotonic)
        t.tick(90.5)
        assert clock.now() == datetime(2026, 3, 2, 1, 1, 30, 500000, tzinfo=UTC)

    def test_does_not_jump_when_wall_clock_jumps(self):
        t = FakeTime()
        clock = MonotonicClock(wall=t.wall, monotonic=t.monotonic)
        t.tick(10)
        before = clock.now()
        t.wall_value -= timedelta(hours=1)  # someone corrects the PC's clock backwards
        assert clock.now() == before
        t.wall_value += timedelta(hours=5)  # ... and forwards
        t.tick(1)
        assert clock.now() == before + S

    def test_resync_adopts_wall_clock_and_reports_drift(self):
        t = FakeTime()
        clock = MonotonicClock(wall=t.wall, monotonic=t.monotonic)
        t.wall_value += timedelta(minutes=3)
        drift = clock.resync()
        assert drift == timedelta(minutes=3)
        assert clock.now() == t.wall_value.astimezone(UTC)
        t.tick(2)
        assert clock.now() == t.wall_value.astimezone(UTC)

    def test_naive_wall_rejected(self):
        with pytest.raises(ValueError):
            MonotonicClock(wall=lambda: datetime(2026, 3, 2, 9, 0), monotonic=lambda: 0.0)

    def test_default_construction_works(self):
        clock = MonotonicClock()
        assert clock.now().tzinfo is UTC
