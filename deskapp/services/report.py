"""The month-end report (月度报表): one section per register, each a declaration.

`monthly_report(desk, "2026-11")` builds every section found in
deskapp/services/report_sections/ (a module defining `SECTION`, a
`ReportSection` maker: `build(desk, period) -> Section | None`), in their
order. A register's section reads its own table; a section whose register is
not at the desk yet says so instead of showing zeros that look like a
month without complaints. Sections hold plain tables (title, headings,
rows) that the terminal, Markdown, JSON and XLSX renderings all draw from.

The clocks (docs/rules.md "Month-end report"): a clock is met when its
stopping time is at or before its deadline, missed when after, or when still
open after the deadline at the time of the report; still running otherwise.
Percentages are of the clocks decided (met + missed).
"""

from __future__ import annotations

import importlib
import pkgutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Sequence

from deskapp.errors import InputError
from deskapp.services.desk import Desk, utcnow


@dataclass(frozen=True)
class Period:
    month: str  # 2026-11
    first: date
    last: date  # inclusive
    start: datetime  # aware, the first local instant
    end: datetime  # aware, the first local instant of the next month
    now: datetime
    tz: Any

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list[Any]]
    kinds: list[str] = field(default_factory=list)  # per column: text | count | percent | minutes | time


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    note: str = ""  # shown instead of or above the tables (a register not at the desk yet)
    per_day: list[tuple[date, int]] | None = None  # drawn as a chart in the XLSX


@dataclass(frozen=True)
class ReportSection:
    key: str
    order: int
    build: Callable[[Desk, Period], Section | None]


@dataclass
class MonthlyReport:
    period: Period
    site: str
    sections: list[Section]


def parse_month(typed: str) -> tuple[int, int]:
    raw = unicodedata.normalize("NFKC", typed or "").strip()
    try:
        year, month = raw.split("-")
        y, m = int(year), int(month)
        if len(year) == 4 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    raise InputError("report.bad_month", value=raw[:20])


def period_of(desk: Desk, month: str, now: datetime | None = None) -> Period:
    y, m = parse_month(month)
    first = date(y, m, 1)
    nxt = date(y + (m == 12), 1 if m == 12 else m + 1, 1)
    return Period(f"{y:04d}-{m:02d}", first, nxt - timedelta(days=1), datetime.combine(first, time(), desk.tz),
                  datetime.combine(nxt, time(), desk.tz), now or utcnow(), desk.tz)


def sections() -> list[ReportSection]:
    from deskapp.services import report_sections

    found = []
    for info in pkgutil.iter_modules(report_sections.__path__):
        module = importlib.import_module(f"{report_sections.__name__}.{info.name}")
        declared = getattr(module, "SECTION", None)
        if isinstance(declared, ReportSection):
            found.append(declared)
    return sorted(found, key=lambda s: (s.order, s.key))


def monthly_report(desk: Desk, month: str, *, now: datetime | None = None) -> MonthlyReport:
    period = period_of(desk, month, now)
    built = [s.build(desk, period) for s in sections()]
    return MonthlyReport(period, desk.site_name, [s for s in built if s is not None])


# ------------------------------------------------------------ shared helpers ---


def percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile (nearest rank): 90% of the values are at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-9 * len(ordered) // 10))  # ceil(0.9 n)
    return ordered[rank - 1]


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


@dataclass(frozen=True)
class Clock:
    """One clock of one record: its deadline and when it stopped (None: still open)."""

    number: str
    started: datetime
    deadline: datetime
    stopped: datetime | None

    def state(self, now: datetime) -> str:
        if self.stopped is not None:
            return "met" if self.stopped <= self.deadline else "missed"
        return "missed" if now > self.deadline else "running"

    def minutes(self) -> float | None:
        return None if self.stopped is None else (self.stopped - self.started).total_seconds() / 60


def service_exists(name: str) -> bool:
    """Whether the register's service is at the desk (its module exists), for a section's note."""
    import importlib.util

    return importlib.util.find_spec(f"deskapp.services.{name}") is not None
