"""Working days (工作日) of the official Chinese calendar, for return-visit deadlines.

The `holidays` library knows China's statutory holidays and the weekend days
that are made working days (调休) for the years the State Council has announced.
The site adds what was announced after the library's release in
``data/calendar.toml``. A date whose year's make-up days are not known is
answered from weekends and statutory holidays with a warning, never an error.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from deskapp.core.policy import Phrase, PolicyError, ReturnVisitPolicy, RuleViolation, read_toml
from deskapp.i18n import t

__all__ = [
    "CALENDAR_FILE",
    "CalendarError",
    "WorkCalendar",
    "library_known_year",
    "return_visit_due",
]

CALENDAR_FILE = "calendar.toml"

# Used only if the library no longer exposes its table of announced years.
_FALLBACK_LIBRARY_YEAR = 2026

# add_working_days never needs more than this many calendar days per working day
# in real calendars (Spring Festival: 9 days off); the cap turns a corrupt override
# file into an error instead of a hang.
_MAX_SPAN_DAYS_PER_WORKDAY = 60


class CalendarError(PolicyError):
    """calendar.toml is unreadable or has a bad value (same format as PolicyError)."""


def library_known_year() -> int:
    """The last year whose make-up working days the installed `holidays` knows.

    Read from the library's table of State Council schedules (one entry per
    announced year), so upgrading the library moves it without a code change.
    """
    try:
        from holidays.countries.china import China

        return max(China.special_public_holidays)
    except Exception:  # library layout changed: be conservative, never crash
        return _FALLBACK_LIBRARY_YEAR


@dataclass
class WorkCalendar:
    """The site's working-day calendar: the library plus ``calendar.toml`` overrides.

    ``extra_holidays`` are days off whatever the library says; ``extra_workdays``
    are working days whatever it says (make-up days, or a correction).
    ``complete_years`` are years whose whole schedule, make-up days included, the
    site has entered. ``library_year`` pins the library's last known year (tests,
    or a site that distrusts the library); None reads it from the library.
    """

    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    complete_years: frozenset[int] = frozenset()
    library_year: int | None = None
    _cn: Any = field(default=None, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.extra_holidays = frozenset(self.extra_holidays)
        self.extra_workdays = frozenset(self.extra_workdays)
        self.complete_years = frozenset(self.complete_years)
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = ", ".join(sorted(d.isoformat() for d in both))
            # load() reports this as a problem of the file; here only code can get it wrong
            raise ValueError(f"a day is both a holiday and a working day: {days}")

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, data_dir: Path) -> WorkCalendar:
        """Read ``data_dir/calendar.toml``; a missing file means no overrides."""
        return cls.load_file(Path(data_dir) / CALENDAR_FILE)

    @classmethod
    def load_site(cls, data_dir: Path, site_file: Path | None) -> WorkCalendar:
        """The shipped ``data_dir/calendar.toml`` plus the site's own file (``deskapp calendar``).

        The site's file lives in its configuration directory, outside the
        installed package, so an upgrade never loses what a supervisor entered.
        A day the site lists overrides the shipped file's opposite entry.
        """
        shipped = cls.load(data_dir)
        if site_file is None:
            return shipped
        site = cls.load_file(site_file)
        return cls(extra_holidays=(shipped.extra_holidays - site.extra_workdays) | site.extra_holidays,
                   extra_workdays=(shipped.extra_workdays - site.extra_holidays) | site.extra_workdays,
                   complete_years=shipped.complete_years | site.complete_years,
                   library_year=shipped.library_year)

    @classmethod
    def load_file(cls, path: Path) -> WorkCalendar:
        """Read one calendar file; a missing file means no overrides."""
        path = Path(path)
        try:
            data = read_toml(path)
        except PolicyError as exc:
            raise CalendarError(exc.path, exc.phrases) from None
        if data is None:
            return cls()
        problems: list[tuple[str, Phrase]] = []
        known = {"extra_holidays", "extra_workdays", "complete_years"}
        for key in data:
            if key not in known:
                problems.append((key, Phrase("policy.unknown_key")))
        holidays_ = _dates(data.get("extra_holidays", []), "extra_holidays", problems)
        workdays_ = _dates(data.get("extra_workdays", []), "extra_workdays", problems)
        years = _years(data.get("complete_years", []), "complete_years", problems)
        for d in sorted(holidays_ & workdays_):
            problems.append(("extra_workdays", Phrase("calendar.also_holiday", day=d.isoformat())))
        if problems:
            raise CalendarError(path, problems)
        return cls(extra_holidays=holidays_, extra_workdays=workdays_, complete_years=years)

    # ------------------------------------------------------------------ knowledge

    @property
    def _library_year(self) -> int:
        return self.library_year if self.library_year is not None else library_known_year()

    def year_is_known(self, year: int) -> bool:
        return year <= self._library_year or year in self.complete_years

    def is_known(self, d: date) -> bool:
        """True if ``d``'s year has its full official schedule (make-up days included)."""
        return self.year_is_known(d.year)

    @property
    def known_through(self) -> date:
        """Last day of the last year known without a gap: the library's year, then
        each following year the site listed in ``complete_years``."""
        year = self._library_year
        while year + 1 in self.complete_years:
            year += 1
        return date(year, 12, 31)

    # ------------------------------------------------------------------ days

    def _library(self) -> Any:
        # Built on first use: importing and building costs ~120 ms, not to be paid at start-up.
        if self._cn is None:
            import holidays

            # years fill in on demand (expand=True); the library's default language is fine,
            # names are not used here
            self._cn = holidays.country_holidays("CN")
        return self._cn

    def is_working_day(self, d: date) -> bool:
        """Working day per the official calendar with overrides.

        Uses the library's ``is_working_day``, which honours make-up working days;
        ``d in cn`` would be wrong: weekend days inside a break are not in it.
        """
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        # The library fills a year on first access and is not thread-safe while doing so;
        # services may call from worker threads.
        with self._lock:
            return bool(self._library().is_working_day(d))

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (n >= 1; ``start`` itself never counts)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive integer: {n!r}")  # the policy only holds positive ones
        d = start
        remaining = n
        limit = start + timedelta(days=n * _MAX_SPAN_DAYS_PER_WORKDAY)
        while remaining:
            d += timedelta(days=1)
            if d > limit:
                # only a calendar.toml that makes whole months holidays gets here
                raise RuleViolation("calendar.no_workdays", start=start.isoformat(), n=n, file=CALENDAR_FILE)
            if self.is_working_day(d):
                remaining -= 1
        return d

    def add_working_days_checked(self, start: date, n: int) -> tuple[date, str | None]:
        """Like :meth:`add_working_days`, plus a warning in the current language when a
        day counted lies in a year whose make-up days are not known (the answer may move)."""
        due = self.add_working_days(start, n)
        # the days counted are start+1 .. due; the start day itself is not counted
        first = start + timedelta(days=1)
        unknown = [y for y in range(first.year, due.year + 1) if not self.year_is_known(y)]
        if not unknown:
            return due, None
        years = t("calendar.year_sep").join(str(y) for y in unknown)
        return due, t("calendar.years_unknown", years=years, known=self.known_through.isoformat(),
                      due=due.isoformat(), file=CALENDAR_FILE)


def _dates(value: Any, key: str, problems: list[tuple[str, Phrase]]) -> frozenset[date]:
    if not isinstance(value, list):
        problems.append((key, Phrase("calendar.dates_list")))
        return frozenset()
    out = set()
    for i, item in enumerate(value):
        # TOML local dates arrive as date; accept "YYYY-MM-DD" strings too. A datetime
        # (a date with a time) is a slip of the pen worth reporting.
        if isinstance(item, date) and not isinstance(item, datetime):
            out.add(item)
        elif isinstance(item, str):
            try:
                out.add(date.fromisoformat(item))
            except ValueError:
                problems.append((f"{key}[{i}]", Phrase("calendar.bad_date", value=repr(item))))
        else:
            problems.append((f"{key}[{i}]", Phrase("calendar.date_expected", value=repr(item))))
    return frozenset(out)


def _years(value: Any, key: str, problems: list[tuple[str, Phrase]]) -> frozenset[int]:
    if not isinstance(value, list):
        problems.append((key, Phrase("calendar.years_list")))
        return frozenset()
    out = set()
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or not 1900 <= item <= 2200:
            problems.append((f"{key}[{i}]", Phrase("calendar.year_expected", value=repr(item))))
        else:
            out.add(item)
    return frozenset(out)


def return_visit_due(
    kind: str, completed_on: date, policy: ReturnVisitPolicy, cal: WorkCalendar
) -> tuple[date, str | None]:
    """Date a return visit (回访) is due: the policy's working days after completion.

    ``kind`` is one of "major" (also "critical"), "complaint", "repair",
    "activity", "other". The warning is set when the calendar for those days is
    not fully known (see :meth:`WorkCalendar.add_working_days_checked`).
    """
    rule = policy.rule(kind)
    return cal.add_working_days_checked(completed_on, rule.workdays)

