"""Working days (工作日) of the official calendar, make-up days (调休), overrides, warnings."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskapp.core.policy import ReturnVisitPolicy
from deskapp.core.workdays import CalendarError, WorkCalendar, library_known_year, return_visit_due

REPO = Path(__file__).resolve().parents[2]

# One shared calendar: building the library's tables costs ~0.1 s; pinned to 2026 so the
# tests keep meaning the same thing when a newer `holidays` learns 2027's make-up days.
CAL = WorkCalendar(library_year=2026)
RV = ReturnVisitPolicy()


def days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


class TestCalendar2026:
    """Facts from the State Council notice for 2026 (国办发明电〔2025〕7号)."""

    def test_spring_festival_break(self):
        for d in days(date(2026, 2, 15), date(2026, 2, 23)):
            assert not CAL.is_working_day(d), d
        assert CAL.is_working_day(date(2026, 2, 13))
        assert CAL.is_working_day(date(2026, 2, 24))

    def test_make_up_saturdays_are_working_days(self):
        for d in (date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                  date(2026, 9, 20), date(2026, 10, 10)):
            assert d.weekday() >= 5
            assert CAL.is_working_day(d), d

    def test_weekend_inside_break_is_not_a_working_day(self):
        # the pitfall: these days are not "holidays" in the library, yet nobody works
        for d in (date(2026, 2, 21), date(2026, 2, 22), date(2026, 10, 3), date(2026, 10, 4)):
            assert not CAL.is_working_day(d), d

    def test_national_day_week(self):
        for d in days(date(2026, 10, 1), date(2026, 10, 7)):
            assert not CAL.is_working_day(d), d
        assert CAL.is_working_day(date(2026, 9, 30))
        assert CAL.is_working_day(date(2026, 10, 8))
        assert CAL.is_working_day(date(2026, 10, 9))

    def test_ordinary_weekend_and_weekday(self):
        assert not CAL.is_working_day(date(2026, 3, 7))  # Saturday
        assert CAL.is_working_day(date(2026, 3, 9))  # Monday

    def test_working_day_count_2026(self):
        # 261 weekdays - 19 weekdays off (1.1-2, 2.16-20, 2.23, 4.6, 5.1, 5.4-5, 6.19, 9.25,
        # 10.1-2, 10.5-7) + 6 make-up days (1.4, 2.14, 2.28, 5.9, 9.20, 10.10) = 248
        count = sum(CAL.is_working_day(d) for d in days(date(2026, 1, 1), date(2026, 12, 31)))
        assert count == 248

    @pytest.mark.parametrize(
        "start, n, due",
        [
            (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Friday -> make-up Saturday
            (date(2026, 2, 14), 1, date(2026, 2, 24)),  # over the whole break
            (date(2026, 2, 13), 2, date(2026, 2, 24)),
            (date(2026, 9, 30), 1, date(2026, 10, 8)),
            (date(2026, 10, 9), 1, date(2026, 10, 10)),
            (date(2026, 10, 10), 1, date(2026, 10, 12)),
            (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday -> Monday
            (date(2026, 3, 7), 1, date(2026, 3, 9)),  # from a Saturday: start day never counts
            (date(2026, 3, 9), 5, date(2026, 3, 16)),
        ],
    )
    def test_add_working_days(self, start, n, due):
        assert CAL.add_working_days(start, n) == due
        assert CAL.add_working_days_checked(start, n) == (due, None)

    @pytest.mark.parametrize("n", [0, -1, True, 1.5])
    def test_bad_n(self, n):
        with pytest.raises(ValueError):
            CAL.add_working_days(date(2026, 3, 9), n)


class TestKnownCalendar:
    def test_installed_library_knows_2026(self):
        assert library_known_year() >= 2026
        cal = WorkCalendar()
        assert cal.known_through >= date(2026, 12, 31)
        assert cal.is_known(date(2026, 12, 31))

    def test_known_through_pinned(self):
        assert CAL.known_through == date(2026, 12, 31)
        assert CAL.is_known(date(2020, 5, 1))
        assert not CAL.is_known(date(2027, 1, 1))

    def test_2027_warns_not_crashes(self):
        due, warning = CAL.add_working_days_checked(date(2027, 3, 1), 2)  # Monday
        assert due == date(2027, 3, 3)
        assert warning is not None
        assert warning.startswith("2027年的官方调休安排尚未录入（日历已知至 2026-12-31）：到期日 2027-03-03")
        # exact about the fallback: the library's substitute days are guesses, no make-up day counted
        assert "推算的补休日不是官方公布的" in warning and "调休上班的周末一天也没算" in warning
        assert "deskapp calendar" in warning and "calendar.toml" in warning

    def test_warning_in_english_and_over_two_years(self):
        from deskapp.i18n import set_lang

        _, zh = CAL.add_working_days_checked(date(2027, 12, 30), 3)
        assert zh.startswith("2027、2028年的官方调休安排尚未录入")
        set_lang("en")
        _, en = CAL.add_working_days_checked(date(2027, 12, 30), 3)
        assert en.startswith("the official make-up working days of 2027, 2028 are not entered yet "
                             "(the calendar is known up to 2026-12-31): the due date 2028-01-05")
        assert "guesses, which are not official" in en

    def test_2027_statutory_holiday_still_counted(self):
        # 2027-01-01 is New Year's Day (a Friday); the library knows statutory dates
        due, warning = CAL.add_working_days_checked(date(2026, 12, 31), 1)
        assert due == date(2027, 1, 4)
        assert warning is not None

    def test_last_day_of_known_year_no_warning(self):
        due, warning = CAL.add_working_days_checked(date(2026, 12, 28), 2)
        assert due == date(2026, 12, 30) and warning is None

    def test_far_future_is_a_warning(self):
        due, warning = CAL.add_working_days_checked(date(2199, 6, 1), 3)
        assert due > date(2199, 6, 1) and warning

    def test_complete_years_extend_known_through(self):
        cal = WorkCalendar(complete_years={2027, 2029}, library_year=2026)
        assert cal.known_through == date(2027, 12, 31)  # 2028 missing: the run stops
        assert cal.is_known(date(2029, 6, 1))
        assert cal.add_working_days_checked(date(2027, 3, 1), 2)[1] is None
        assert cal.add_working_days_checked(date(2028, 3, 1), 2)[1] is not None

    def test_lazy_library(self):
        cal = WorkCalendar(library_year=2026)
        assert cal._cn is None
        cal.is_working_day(date(2026, 5, 1))
        assert cal._cn is not None

    def test_threads_agree(self):
        cal = WorkCalendar(library_year=2026)
        span = list(days(date(2026, 1, 1), date(2026, 3, 31)))
        expected = [CAL.is_working_day(d) for d in span]
        results: list[list[bool]] = []

        def work():
            results.append([cal.is_working_day(d) for d in span])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [expected] * 4


class TestOverrides:
    def write(self, tmp_path: Path, text: str) -> Path:
        (tmp_path / "calendar.toml").write_text(text, encoding="utf-8")
        return tmp_path

    def test_missing_file(self, tmp_path):
        assert WorkCalendar.load(tmp_path) == WorkCalendar()

    def test_shipped_file_loads(self):
        cal = WorkCalendar.load(REPO / "data")
        assert cal.extra_holidays == frozenset() and cal.extra_workdays == frozenset()

    def test_overrides_apply(self, tmp_path):
        cal = WorkCalendar.load(self.write(tmp_path, """
extra_holidays = [2027-02-08, "2026-03-10"]
extra_workdays = [2027-02-20, 2026-10-05]
complete_years = [2027]
"""))
        assert not cal.is_working_day(date(2027, 2, 8))  # a Monday made a day off
        assert not cal.is_working_day(date(2026, 3, 10))  # string dates work too
        assert cal.is_working_day(date(2027, 2, 20))  # a Saturday made a working day
        assert cal.is_working_day(date(2026, 10, 5))  # override beats the library
        assert cal.complete_years == {2027}
        due, warning = cal.add_working_days_checked(date(2027, 2, 19), 1)
        assert (due, warning) == (date(2027, 2, 20), None)

    @pytest.mark.parametrize(
        "text, key",
        [
            ("extra_holiday = [2027-02-08]\n", "extra_holiday"),
            ("extra_holidays = 2027-02-08\n", "extra_holidays"),
            ("extra_holidays = [\"2027-02-30\"]\n", "extra_holidays[0]"),
            ("extra_workdays = [2027-02-20, 5]\n", "extra_workdays[1]"),
            ("extra_workdays = [2027-02-20T09:00:00]\n", "extra_workdays[0]"),
            ("complete_years = [\"2027\"]\n", "complete_years[0]"),
            ("complete_years = [27]\n", "complete_years[0]"),
            ("extra_holidays = [2027-02-08]\nextra_workdays = [2027-02-08]\n", "extra_workdays"),
            ("extra_holidays = [\n", ""),
        ],
    )
    def test_errors_name_file_and_key(self, tmp_path, text, key):
        with pytest.raises(CalendarError) as info:
            WorkCalendar.load(self.write(tmp_path, text))
        assert str(info.value).startswith(f"calendar.toml: {key}: " if key else "calendar.toml: TOML")

    def test_errors_in_both_languages(self, tmp_path):
        from deskapp.i18n import set_lang

        with pytest.raises(CalendarError) as info:
            WorkCalendar.load(self.write(tmp_path, "typo = 1\nextra_holidays = [\"2027-02-30\"]\n"
                                                   "complete_years = [27]\n"))
        assert str(info.value).splitlines() == [
            "calendar.toml: typo: 未知的键",
            "calendar.toml: extra_holidays[0]: 不是有效日期：'2027-02-30'",
            "calendar.toml: complete_years[0]: 必须是四位年份：27",
        ]
        set_lang("en")
        assert str(info.value).splitlines() == [
            "calendar.toml: typo: unknown key",
            "calendar.toml: extra_holidays[0]: not a valid date: '2027-02-30'",
            "calendar.toml: complete_years[0]: must be a four-digit year: 27",
        ]

    def test_a_calendar_without_working_days_is_refused_not_a_hang(self):
        from deskapp.errors import InputError

        # a site file that declares a whole year off
        year = frozenset(date(2030, 1, 1) + timedelta(days=i) for i in range(365))
        cal = WorkCalendar(extra_holidays=year, library_year=2026)
        with pytest.raises(ValueError) as info:
            cal.add_working_days(date(2030, 1, 1), 1)
        assert isinstance(info.value, InputError)
        assert str(info.value) == "2030-01-01 之后找不到 1 个工作日，请检查 data/calendar.toml"

    def test_both_lists_rejected_in_code(self):
        with pytest.raises(ValueError):
            WorkCalendar(extra_holidays={date(2027, 1, 5)}, extra_workdays={date(2027, 1, 5)})


class TestReturnVisits:
    def test_repair_over_make_up_saturday(self):
        assert return_visit_due("repair", date(2026, 2, 13), RV, CAL) == (date(2026, 2, 24), None)

    def test_major_over_national_day(self):
        assert return_visit_due("major", date(2026, 9, 30), RV, CAL) == (date(2026, 10, 8), None)
        assert return_visit_due("critical", date(2026, 9, 30), RV, CAL) == (date(2026, 10, 8), None)

    def test_other_kinds(self):
        assert return_visit_due("complaint", date(2026, 3, 9), RV, CAL)[0] == date(2026, 3, 11)
        assert return_visit_due("activity", date(2026, 3, 9), RV, CAL)[0] == date(2026, 3, 11)
        assert return_visit_due("other", date(2026, 3, 9), RV, CAL)[0] == date(2026, 3, 10)

    def test_policy_value(self):
        policy = ReturnVisitPolicy.model_validate({"repair": {"workdays": 1}})
        assert return_visit_due("repair", date(2026, 2, 13), policy, CAL) == (date(2026, 2, 14), None)

    def test_2027_warning(self):
        due, warning = return_visit_due("repair", date(2027, 6, 1), RV, CAL)
        assert due == date(2027, 6, 3) and warning

    def test_unknown_kind(self):
        with pytest.raises(ValueError, match="party"):
            return_visit_due("party", date(2026, 3, 9), RV, CAL)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)), st.integers(1, 15))
def test_add_working_days_properties(start, n):
    due = CAL.add_working_days(start, n)
    assert due > start
    assert CAL.is_working_day(due)
    # exactly n working days in (start, due]
    assert sum(CAL.is_working_day(d) for d in days(start + timedelta(days=1), due)) == n


def test_import_is_cheap():
    """Importing the core must not build the calendar or pull in UI/storage libraries."""
    code = (
        "import sys\n"
        "import deskapp.core, deskapp.core.policy, deskapp.core.severity, deskapp.core.deadlines,"
        " deskapp.core.workdays, deskapp.core.countdown\n"
        "bad = [m for m in ('holidays', 'textual', 'sqlmodel', 'sqlalchemy', 'rich') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
