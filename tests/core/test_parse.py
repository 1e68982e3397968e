"""Typed values read into values: date-time, money, whole numbers (deskapp.core.parse)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deskapp.core.parse import MONEY_CAP, describe_when, format_yuan, parse_when, parse_whole, parse_yuan
from deskapp.errors import InputError
from deskapp.i18n import set_lang

SHANGHAI = ZoneInfo("Asia/Shanghai")  # no daylight saving: every wall time exists once
BERLIN = ZoneInfo("Europe/Berlin")
# Tuesday 24 November 2026, 09:30 in Shanghai.
NOW = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def chinese():
    set_lang("zh")


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(timezone.utc)


class TestWhen:
    @pytest.mark.parametrize("typed, expected", [
        ("2026-11-25 14:30", shanghai(2026, 11, 25, 14, 30)),
        ("2026-11-25T14:30", shanghai(2026, 11, 25, 14, 30)),
        ("2026/1/5 8:05", shanghai(2026, 1, 5, 8, 5)),
        ("  2026-11-25   14:30 ", shanghai(2026, 11, 25, 14, 30)),
        ("11-25 14:30", shanghai(2026, 11, 25, 14, 30)),  # this year
        ("14:30", shanghai(2026, 11, 24, 14, 30)),  # today in the site's zone
        ("8:00", shanghai(2026, 11, 24, 8, 0)),  # earlier today is still today
        ("00:00", shanghai(2026, 11, 24, 0, 0)),
        ("23:59", shanghai(2026, 11, 24, 23, 59)),
        ("１４：３０", shanghai(2026, 11, 24, 14, 30)),  # typed with a Chinese input method
        ("+30m", NOW + timedelta(minutes=30)),
        ("+2h", NOW + timedelta(hours=2)),
        ("+1d", NOW + timedelta(days=1)),
        ("+ 45 分钟", NOW + timedelta(minutes=45)),
        ("+3小时", NOW + timedelta(hours=3)),
        ("+2天", NOW + timedelta(days=2)),
        ("+2H", NOW + timedelta(hours=2)),
        ("-2h", NOW - timedelta(hours=2)),  # it happened two hours ago
        ("+0m", NOW),  # an offset of nothing is now
        ("+366d", NOW + timedelta(days=366)),
        ("2000-01-01 00:00", shanghai(2000, 1, 1, 0, 0)),
        ("2099-12-31 23:59", shanghai(2099, 12, 31, 23, 59)),
        ("2028-02-29 12:00", shanghai(2028, 2, 29, 12, 0)),  # a leap day
    ])
    def test_each_form(self, typed, expected):
        value = parse_when(typed, now=NOW, tz=SHANGHAI)
        assert value == expected
        assert value.tzinfo == timezone.utc

    def test_today_is_the_sites_day_not_utcs(self):
        # 23:30 UTC on the 23rd is already 07:30 on the 24th in Shanghai.
        late = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc)
        assert parse_when("14:30", now=late, tz=SHANGHAI) == shanghai(2026, 11, 24, 14, 30)

    @pytest.mark.parametrize("typed", ["", "   ", None])
    def test_nothing_typed_is_none(self, typed):
        assert parse_when(typed, now=NOW, tz=SHANGHAI) is None

    @pytest.mark.parametrize("typed, key", [
        ("2026-02-30 10:00", "parse.no_such_day"),
        ("2026-13-01 10:00", "parse.no_such_day"),
        ("2027-02-29 10:00", "parse.no_such_day"),
        ("02-30 10:00", "parse.no_such_day"),
        ("25:00", "parse.no_such_time"),
        ("24:00", "parse.no_such_time"),
        ("12:60", "parse.no_such_time"),
        ("2026-11-25 24:00", "parse.no_such_time"),
        ("1999-12-31 23:59", "parse.year_range"),
        ("2100-01-01 00:00", "parse.year_range"),
        ("+367d", "parse.offset_too_far"),
        ("+999999m", "parse.offset_too_far"),
        ("tomorrow", "parse.when_format"),
        ("14:3", "parse.when_format"),
        ("14", "parse.when_format"),
        ("2026-11-25", "parse.when_format"),  # a date-time field wants the time too
        ("+30", "parse.when_format"),
        ("+30s", "parse.when_format"),
        ("30m", "parse.when_format"),
        ("14:30:00", "parse.when_format"),
    ])
    def test_nonsense_is_refused_with_a_message_quoting_it(self, typed, key):
        with pytest.raises(InputError) as caught:
            parse_when(typed, now=NOW, tz=SHANGHAI)
        assert caught.value.key == key
        assert typed.strip() in str(caught.value)

    def test_a_wall_time_skipped_by_daylight_saving_is_refused(self):
        spring = datetime(2026, 3, 28, 12, 0, tzinfo=timezone.utc)
        with pytest.raises(InputError) as caught:
            parse_when("2026-03-29 02:30", now=spring, tz=BERLIN)
        assert caught.value.key == "parse.no_such_local_time"
        assert parse_when("2026-03-29 03:30", now=spring, tz=BERLIN) == datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc)

    def test_now_must_be_aware(self):
        with pytest.raises(ValueError):
            parse_when("14:30", now=datetime(2026, 11, 24, 9, 30), tz=SHANGHAI)

    def test_read_back_in_the_sites_zone_with_the_weekday(self):
        assert describe_when(shanghai(2026, 11, 25, 14, 30), now=NOW, tz=SHANGHAI) == "11-25 14:30 周三"
        assert describe_when(shanghai(2027, 1, 4, 9, 0), now=NOW, tz=SHANGHAI) == "2027-01-04 09:00 周一"
        set_lang("en")
        assert describe_when(shanghai(2026, 11, 29, 8, 0), now=NOW, tz=SHANGHAI) == "11-29 08:00 Sun"


class TestMoney:
    @pytest.mark.parametrize("typed, expected", [
        ("12000", "12000"),
        ("1.2万", "12000"),
        ("12,000", "12000"),
        ("12000.50", "12000.50"),
        ("¥12000", "12000"),
        ("￥12000", "12000"),
        ("12000元", "12000"),
        ("¥ 1,234,567.8", "1234567.80"),
        ("１２０００", "12000"),
        ("0", "0"),
        ("0.01", "0.01"),
        ("3万", "30000"),
        ("1.2345万", "12345"),
        ("0.000001万", "0.01"),
        ("10000万", "100000000"),  # exactly the cap
        (str(MONEY_CAP), "100000000"),
    ])
    def test_each_accepted_form(self, typed, expected):
        value = parse_yuan(typed)
        assert value == Decimal(expected)
        assert value.as_tuple().exponent == -2  # always to the fen

    @pytest.mark.parametrize("typed", ["", "  ", None])
    def test_nothing_typed_is_none(self, typed):
        assert parse_yuan(typed) is None

    @pytest.mark.parametrize("typed, key", [
        ("-5", "parse.money_negative"),
        ("-0.01", "parse.money_negative"),
        ("¥-12", "parse.money_negative"),
        ("12.345", "parse.money_cents"),
        ("1.23456789万", "parse.money_cents"),
        ("100000000.01", "parse.money_cap"),
        ("1亿", "parse.money_format"),
        ("10001万", "parse.money_cap"),
        ("1.2.3", "parse.money_format"),
        ("12,00", "parse.money_format"),
        ("1,2000", "parse.money_format"),
        ("1e5", "parse.money_format"),
        ("twelve", "parse.money_format"),
        ("12 000", "parse.money_format"),
        (".5", "parse.money_format"),
        ("1万5", "parse.money_wan_tail"),  # 15000 or 10005? never guessed
        ("1.5万20", "parse.money_wan_tail"),
    ])
    def test_refused_with_a_message_quoting_it(self, typed, key):
        with pytest.raises(InputError) as caught:
            parse_yuan(typed)
        assert caught.value.key == key
        assert typed in str(caught.value)

    def test_the_cap_is_a_parameter(self):
        assert parse_yuan("500", cap=Decimal(500)) == Decimal("500")
        with pytest.raises(InputError) as caught:
            parse_yuan("500.01", cap=Decimal(500))
        assert "¥500.00" in str(caught.value)

    def test_read_back(self):
        assert format_yuan(Decimal("12000")) == "¥12,000.00"
        assert format_yuan(Decimal("0.5")) == "¥0.50"


class TestWhole:
    @pytest.mark.parametrize("typed, expected", [("3", 3), ("0", 0), ("+2", 2), ("３", 3), (" 12 ", 12), ("", None)])
    def test_accepted(self, typed, expected):
        assert parse_whole(typed, minimum=0, maximum=20) == expected

    @pytest.mark.parametrize("typed, key", [
        ("21", "parse.whole_max"), ("-1", "parse.whole_min"), ("1.5", "parse.whole_format"),
        ("三", "parse.whole_format"), ("1e3", "parse.whole_format"), ("9" * 16, "parse.whole_format"),
    ])
    def test_refused(self, typed, key):
        with pytest.raises(InputError) as caught:
            parse_whole(typed, minimum=0, maximum=20)
        assert caught.value.key == key

    def test_open_ended(self):
        assert parse_whole("-40") == -40
        assert parse_whole("123456789012345") == 123456789012345
