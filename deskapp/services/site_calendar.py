"""The site's own working-day calendar (工作日历): entered by a supervisor with `deskapp calendar`.

The State Council publishes each year's holidays and make-up working days
(调休) after the `holidays` library's release, so the site enters them. They
are kept in ``calendar.toml`` in the site's configuration directory (beside
config.toml), never inside the installed package: an upgrade or a reinstall
leaves them where they are (docs/rules.md §2.4). Every change is audited in
the database like any other write.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from deskapp.core.workdays import CALENDAR_FILE, CalendarError, WorkCalendar
from deskapp.errors import InputError
from deskapp.i18n import t
from deskapp.services import audit
from deskapp.services.desk import Desk, utcnow
from deskapp.services.roles import Actor, require
from deskapp.storage.engine import write_session

KINDS = ("holiday", "workday")  # 放假 / 调休上班


def site_calendar_file() -> Path:
    """calendar.toml beside the site's config.toml (DESKAPP_CONFIG moves both)."""
    from deskapp.config import user_config_file

    return user_config_file().with_name(CALENDAR_FILE)


def site_calendar(desk: Desk) -> WorkCalendar:
    """The shipped calendar plus the site's entries: what every due date is counted on."""
    return WorkCalendar.load_site(desk.data_dir, site_calendar_file())


def parse_day(text: str) -> date:
    """A date typed as YYYY-MM-DD; anything else refused, naming it."""
    value = (text or "").strip()
    try:
        day = date.fromisoformat(value)
        if len(value) != 10:
            raise ValueError
    except ValueError:
        raise InputError("calendar.bad_entry", value=value) from None
    return day


@dataclass(frozen=True)
class SiteEntries:
    path: Path
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    complete_years: tuple[int, ...]
    known_through: date


def entries(desk: Desk) -> SiteEntries:
    path = site_calendar_file()
    own = WorkCalendar.load_file(path)
    return SiteEntries(path, tuple(sorted(own.extra_holidays)), tuple(sorted(own.extra_workdays)),
                       tuple(sorted(own.complete_years)), site_calendar(desk).known_through)


def add_days(desk: Desk, actor: Actor, days: list[date], kind: str, *, now: datetime | None = None) -> SiteEntries:
    """Enter official days off (holiday) or make-up working days (workday); all or none."""
    now = now or utcnow()
    require(actor, t("calendar.action"), "supervisor")
    if kind not in KINDS:
        raise InputError("err.bad_choice", field=t("calendar.kind"), value=kind)
    if not days:
        raise InputError("calendar.no_days")
    path = site_calendar_file()
    own = WorkCalendar.load_file(path)
    whole = site_calendar(desk)
    mine, other = (own.extra_holidays, own.extra_workdays) if kind == "holiday" else \
        (own.extra_workdays, own.extra_holidays)
    for day in days:
        if day.year in whole.complete_years:
            raise InputError("calendar.year_complete", year=day.year)
        if day in other or (kind == "holiday" and day in whole.extra_workdays) or (
                kind == "workday" and day in whole.extra_holidays):
            raise InputError("calendar.both", day=day.isoformat())
    new = set(mine) | set(days)
    holidays_, workdays_ = (new, own.extra_workdays) if kind == "holiday" else (own.extra_holidays, new)
    _write(path, holidays_, workdays_, own.complete_years, desk, actor, now,
           {"kind": kind, "days": [d.isoformat() for d in sorted(days)]})
    return entries(desk)


def complete_year(desk: Desk, actor: Actor, year: int, *, now: datetime | None = None) -> SiteEntries:
    """Mark a year's official schedule as wholly entered: its due dates stop warning."""
    now = now or utcnow()
    require(actor, t("calendar.action"), "supervisor")
    if not 1900 <= year <= 2200:
        raise InputError("calendar.bad_year", value=year)
    path = site_calendar_file()
    own = WorkCalendar.load_file(path)
    if year in site_calendar(desk).complete_years:
        raise InputError("calendar.year_complete", year=year)
    _write(path, own.extra_holidays, own.extra_workdays, own.complete_years | {year}, desk, actor, now,
           {"complete_year": year})
    return entries(desk)


def _write(path: Path, holidays_, workdays_, years, desk: Desk, actor: Actor, now: datetime, detail: dict) -> None:
    """The file replaced whole (a temporary file renamed over it), after the audit event commits."""
    def dates(values) -> str:
        return "".join(f"  {d.isoformat()},\n" for d in sorted(values))

    text = (
        "# deskapp 站点工作日历（由 `deskapp calendar` 写入）/ the site's working-day calendar\n"
        "# 国务院公布的放假日与调休上班日 / official days off and make-up working days\n"
        f"extra_holidays = [\n{dates(holidays_)}]\n"
        f"extra_workdays = [\n{dates(workdays_)}]\n"
        f"complete_years = [{', '.join(str(y) for y in sorted(years))}]\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with write_session(desk.engine) as session:
        audit.record(session, at=now, actor_id=actor.id, action="calendar.change", entity="calendar",
                     entity_id=None, detail={"file": str(path), **detail})
        fd, tmp = tempfile.mkstemp(prefix=".calendar-", suffix=".toml", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


@dataclass(frozen=True)
class CheckedDay:
    day: date
    library: str  # the library's name for the day, "" if it has none
    guessed: bool  # the library's own substitute day (observed): a guess, not official
    site: str  # holiday | workday | "" (what the site entered)
    working: bool  # what due dates count it as


def check_year(desk: Desk, year: int) -> list[CheckedDay]:
    """The library's statutory dates for ``year`` beside the site's entries, for a supervisor to compare
    with the State Council's notice; the site's days the library does not list are included."""
    import holidays

    cn = holidays.country_holidays("CN", years=[year], language="en_US")
    cal = site_calendar(desk)
    days = {d for d in cn if d.year == year} | {d for d in cal.extra_holidays | cal.extra_workdays if d.year == year}
    out = []
    for d in sorted(days):
        name = cn.get(d) or ""
        site = "holiday" if d in cal.extra_holidays else "workday" if d in cal.extra_workdays else ""
        out.append(CheckedDay(d, name, "(observed)" in name, site, cal.is_working_day(d)))
    return out


__all__ = ["KINDS", "site_calendar_file", "site_calendar", "parse_day", "entries", "add_days", "complete_year",
           "check_year", "CheckedDay", "SiteEntries", "CalendarError"]
