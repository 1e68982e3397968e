"""Countdown levels, the one formatter (long and compact, zh and en) and the app's one clock (倒计时)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rich.cells import cell_len

from deskapp.core.countdown import COMPACT_CELLS, MonotonicClock, SlaLevel, format_remaining, sla_level
from deskapp.core.policy import CountdownPolicy
from deskapp.i18n import set_lang

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

    def test_thresholds_are_parameters(self):
        # 30 minutes left of 2 hours: 25%, under a 30% share but over the default 20%
        assert sla_level(NOW + 30 * MIN, NOW, total=2 * H) is SlaLevel.OK
        assert sla_level(NOW + 30 * MIN, NOW, total=2 * H, warn_fraction=0.3) is SlaLevel.WARN
        assert sla_level(NOW + 4 * MIN, NOW, warn_min=5 * MIN) is SlaLevel.WARN
        assert sla_level(NOW + S, NOW, warn_min=timedelta(0), warn_fraction=0) is SlaLevel.OK
        assert sla_level(NOW - S, NOW, warn_min=timedelta(0)) is SlaLevel.OVERDUE

    def test_policy_levels_feed_sla_level(self):
        default = CountdownPolicy().levels()
        assert default == {"warn_fraction": 0.2, "warn_min": 2 * MIN}
        for left, total in ((3 * MIN, None), (2 * MIN - S, None), (2 * H + 23 * MIN, 12 * H)):
            assert sla_level(NOW + left, NOW, total=total, **default) is sla_level(NOW + left, NOW, total=total)
        site = CountdownPolicy(warn_fraction=0.5, warn_minutes=10).levels()
        assert sla_level(NOW + 9 * MIN, NOW, **site) is SlaLevel.WARN
        assert sla_level(NOW + 5 * H, NOW, total=12 * H, **site) is SlaLevel.WARN
        assert sla_level(NOW + 7 * H, NOW, total=12 * H, **site) is SlaLevel.OK


# (delta, long zh, long en, compact zh, compact en): each boundary and its negative
FORMS = [
    (timedelta(0), "00:00", "00:00", "00:00", "00:00"),
    (timedelta(milliseconds=999), "00:00", "00:00", "00:00", "00:00"),
    (S, "00:01", "00:01", "00:01", "00:01"),
    (59 * S, "00:59", "00:59", "00:59", "00:59"),
    (4 * MIN + 12 * S, "04:12", "04:12", "04:12", "04:12"),
    (59 * MIN + 59 * S, "59:59", "59:59", "59:59", "59:59"),
    (H, "01:00:00", "01:00:00", "1时", "1h"),
    (11 * H + 59 * MIN + 59 * S, "11:59:59", "11:59:59", "11时", "11h"),
    (23 * H + 59 * MIN + 59 * S, "23:59:59", "23:59:59", "23时", "23h"),
    (D, "1天00时", "1d 00h", "1天", "1d"),
    (3 * D + 4 * H + 59 * MIN, "3天04时", "3d 04h", "3天", "3d"),
    (12 * D + 23 * H, "12天23时", "12d 23h", "12天", "12d"),
    (999 * D + 23 * H, "999天23时", "999d 23h", "999天", "999d"),
    (1000 * D, "1000天00时", "1000d 00h", "2年", "2y"),
    (-timedelta(milliseconds=500), "超时 00:00", "00:00 late", "超00:00", "-00:00"),
    (-S, "超时 00:01", "00:01 late", "超00:01", "-00:01"),
    (-59 * S, "超时 00:59", "00:59 late", "超00:59", "-00:59"),
    (-(4 * MIN + 12 * S), "超时 04:12", "04:12 late", "超04:12", "-04:12"),
    (-(59 * MIN + 59 * S), "超时 59:59", "59:59 late", "超59:59", "-59:59"),
    (-H, "超时 01:00:00", "01:00:00 late", "超1时", "-1h"),
    (-(2 * H + 5 * S), "超时 02:00:05", "02:00:05 late", "超2时", "-2h"),
    (-(23 * H + 59 * MIN + 59 * S), "超时 23:59:59", "23:59:59 late", "超23时", "-23h"),
    (-D, "超时 1天00时", "1d 00h late", "超1天", "-1d"),
    (-(3 * D + 4 * H), "超时 3天04时", "3d 04h late", "超3天", "-3d"),
    (-999 * D, "超时 999天00时", "999d 00h late", "超999天", "-999d"),
    (-1000 * D, "超时 1000天00时", "1000d 00h late", "超2年", "-2y"),
]


class TestFormat:
    @pytest.mark.parametrize("delta, zh, en, compact_zh, compact_en", FORMS)
    def test_both_forms_in_both_languages(self, delta, zh, en, compact_zh, compact_en):
        assert format_remaining(delta) == zh
        assert format_remaining(delta, compact=True) == compact_zh
        set_lang("en")
        assert format_remaining(delta) == en
        assert format_remaining(delta, compact=True) == compact_en

    def test_the_call_lists_cells_are_unchanged(self):
        # what the call log's status column showed before the formatter moved to the core
        shown = {299: "04:59", 0: "00:00", -1: "超00:01", -3599: "超59:59", -3600: "超1时",
                 -86400 * 2: "超2天", 7200: "2时"}
        assert {s: format_remaining(timedelta(seconds=s), compact=True) for s in shown} == shown

    @given(st.integers(0, 86_399))
    def test_stable_width_under_a_day(self, seconds):
        for lang_ in ("zh", "en"):
            set_lang(lang_)
            text = format_remaining(timedelta(seconds=seconds))
            assert len(text) == (5 if seconds < 3600 else 8)

    @given(st.integers(-10 * 86_400, 10 * 86_400))
    def test_negative_is_overdue_text(self, seconds):
        set_lang("zh")
        text = format_remaining(timedelta(seconds=seconds))
        assert text.startswith("超时 ") == (seconds < 0)
        if seconds < 0:
            assert text == "超时 " + format_remaining(timedelta(seconds=-seconds))
            set_lang("en")
            assert format_remaining(timedelta(seconds=seconds)) == format_remaining(-timedelta(seconds=seconds)) + " late"

    @given(st.timedeltas())  # every timedelta Python can hold, timedelta.min and .max included
    def test_compact_never_exceeds_the_column(self, delta):
        for lang_ in ("zh", "en"):
            set_lang(lang_)
            text = format_remaining(delta, compact=True)
            assert 0 < cell_len(text) <= COMPACT_CELLS == 7, (lang_, delta, text)

    @given(st.timedeltas(min_value=-3 * 365 * D, max_value=3 * 365 * D))
    def test_compact_and_long_agree_on_overdue(self, delta):
        set_lang("zh")
        overdue = delta < timedelta(0)
        assert format_remaining(delta, compact=True).startswith("超") == overdue
        assert format_remaining(delta).startswith("超时") == overdue
        assert (sla_level(NOW + delta, NOW) is SlaLevel.OVERDUE) == overdue


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
