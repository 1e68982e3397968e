"""Return-visit rules (回访), pure: due dates over the 2026 breaks and 调休, sampling, who visits."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from deskapp.core.policy import ReturnVisitPolicy
from deskapp.core.visit_rules import (due_group, is_unsatisfied, kind_for_complaint, may_visit, sampled,
                                      satisfaction_label, visit_due)
from deskapp.core.workdays import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
RULES = ReturnVisitPolicy()
CAL = WorkCalendar(library_year=2026)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


class TestDue:
    @pytest.mark.parametrize("kind, done, due_on", [
        # Wed 2026-09-30 17:00: National Day Oct 1-7 off; Thu 10-08 is the 1st working day
        ("repair", local(2026, 9, 30, 17, 0), date(2026, 10, 9)),
        ("major", local(2026, 9, 30, 17, 0), date(2026, 10, 8)),
        # Sat 2026-10-10 is a make-up working day (调休): counted
        ("major", local(2026, 10, 9, 18, 0), date(2026, 10, 10)),
        ("complaint", local(2026, 10, 9, 18, 0), date(2026, 10, 12)),
        # Sun 2026-09-20 is a make-up working day too
        ("repair", local(2026, 9, 18, 10, 0), date(2026, 9, 21)),
        # Spring Festival: Sat 02-14 works, 02-15..02-23 off
        ("repair", local(2026, 2, 13, 16, 0), date(2026, 2, 24)),
        ("activity", local(2026, 2, 14, 16, 0), date(2026, 2, 25)),
        # an ordinary weekend: Friday's repair is due Tuesday
        ("repair", local(2026, 11, 20, 9, 0), date(2026, 11, 24)),
    ])
    def test_working_days_on_the_official_calendar(self, kind, done, due_on):
        due = visit_due(kind, done.astimezone(timezone.utc), RULES, CAL, SH)
        assert due.due_on == due_on
        assert due.warning is None
        # due by the end of that day in the site's zone, stored in UTC
        assert due.due_by == datetime(due_on.year, due_on.month, due_on.day, tzinfo=SH).astimezone(timezone.utc) \
            + (datetime(2000, 1, 2) - datetime(2000, 1, 1))

    def test_completion_late_in_the_local_evening_counts_from_the_local_date(self):
        # 2026-09-30 23:30 in Shanghai is still 09-30 (15:30 UTC): due 10-09, not a day later
        done = datetime(2026, 9, 30, 15, 30, tzinfo=timezone.utc)
        assert visit_due("repair", done, RULES, CAL, SH).due_on == date(2026, 10, 9)

    def test_beyond_the_known_calendar_warns_and_still_answers(self):
        due = visit_due("repair", local(2026, 12, 31, 12, 0), RULES, CAL, SH)
        assert due.due_on == date(2027, 1, 5)  # weekends and statutory holidays (New Year 01-01)
        assert due.warning and "2027" in due.warning and "2027-01-05" in due.warning

    def test_a_year_entered_as_complete_needs_no_warning(self):
        cal = WorkCalendar(complete_years={2027}, library_year=2026)
        assert visit_due("repair", local(2026, 12, 31, 12, 0), RULES, cal, SH).warning is None

    def test_the_policy_decides_the_number_of_days(self):
        rules = ReturnVisitPolicy(repair={"workdays": 1})
        assert visit_due("repair", local(2026, 9, 30, 17, 0), rules, CAL, SH).due_on == date(2026, 10, 8)

    def test_a_follow_up_is_due_the_same_day(self):
        assert visit_due("followup", local(2026, 10, 3, 9, 0), RULES, CAL, SH).due_on == date(2026, 10, 3)

    def test_naive_completion_is_a_bug(self):
        with pytest.raises(ValueError):
            visit_due("repair", datetime(2026, 9, 30, 17, 0), RULES, CAL, SH)


class TestSampling:
    def test_share_over_a_thousand_activities_is_within_tolerance_and_repeatable(self):
        numbers = [f"活动-2026-{i:06d}" for i in range(1, 1001)]
        first = [n for n in numbers if sampled(n, 20)]
        second = [n for n in numbers if sampled(n, 20)]
        assert first == second  # a re-run picks the same ones
        # binomial(1000, 0.2): sd 12.6; +-4 sd
        assert 150 <= len(first) <= 250, len(first)

    def test_all_and_none(self):
        assert all(sampled(f"x{i}", 100) for i in range(200))
        assert all(sampled(f"x{i}", None) for i in range(200))  # share not set: visit all
        assert not any(sampled(f"x{i}", 0) for i in range(200))

    def test_a_larger_share_keeps_every_one_a_smaller_share_chose(self):
        numbers = [f"活动-2026-{i:06d}" for i in range(500)]
        assert {n for n in numbers if sampled(n, 20)} <= {n for n in numbers if sampled(n, 50)}


class TestWho:
    def test_major_and_critical_complaints_are_events_for_the_gm_or_manager(self):
        assert kind_for_complaint("major") == kind_for_complaint("critical") == "major"
        assert kind_for_complaint("ordinary") == kind_for_complaint("significant") == "complaint"
        assert may_visit("gm", "major") and may_visit("manager", "major")
        assert not may_visit("supervisor", "major") and not may_visit("receptionist", "major")

    def test_confirmed_complaints_by_the_supervisor_or_front_desk(self):
        assert may_visit("supervisor", "complaint") and may_visit("receptionist", "complaint")

    def test_repairs_by_the_front_desk(self):
        assert may_visit("receptionist", "repair") and may_visit("concierge", "repair")


class TestScore:
    @pytest.mark.parametrize("score, word", [(1, "unsatisfied"), (2, "unsatisfied"), (3, "basically"),
                                             (4, "satisfied"), (5, "satisfied")])
    def test_words(self, score, word):
        assert satisfaction_label(score, RULES) == word
        assert is_unsatisfied(score, RULES) == (word == "unsatisfied")

    def test_threshold_from_policy(self):
        assert is_unsatisfied(3, ReturnVisitPolicy(unsatisfied_at_most=3))


class TestGroups:
    def test_overdue_today_next_working_day_later(self):
        today = date(2026, 10, 9)  # Friday; the next working day is Saturday 10-10 (调休)
        assert due_group(date(2026, 10, 8), today, CAL) == "overdue"
        assert due_group(today, today, CAL) == "today"
        assert due_group(date(2026, 10, 10), today, CAL) == "next"
        assert due_group(date(2026, 10, 12), today, CAL) == "later"

    def test_next_working_day_spans_a_break(self):
        today = date(2026, 9, 30)
        assert due_group(date(2026, 10, 8), today, CAL) == "next"
        assert due_group(date(2026, 10, 9), today, CAL) == "later"
