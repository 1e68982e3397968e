"""Return-visit rules (回访), pure: which kind, whether sampled, who visits, by when.

docs/rules.md §2.4. Functions of their inputs (policy, calendar, time zone);
the service (deskapp/services/visits.py) stores what they decide.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from deskapp.core.policy import ReturnVisitPolicy
from deskapp.core.workdays import WorkCalendar

__all__ = [
    "VISIT_KINDS",
    "FOLLOWUP",
    "METHODS",
    "STAGES",
    "VISITOR_ROLES",
    "DueVisit",
    "kind_for_complaint",
    "sampled",
    "visit_due",
    "visitor_role",
    "may_visit",
    "satisfaction_label",
    "is_unsatisfied",
    "due_group",
    "due_warning",
]

# The policy's kinds (data/policy.toml [return_visit.<kind>]) plus the in-person
# follow-up of work still unfinished, which no completion triggers.
VISIT_KINDS = ("major", "complaint", "repair", "special", "activity", "other")
FOLLOWUP = "followup"
METHODS = ("phone", "in_person")  # 电话 / 上门
STAGES = ("mid", "end")  # 特约服务: 中期 / 结束

# Who is to visit when no one is named (docs/rules.md §2.4 "who visits"): the lowest
# role of the group; anyone ranked at or above it may make the visit.
VISITOR_ROLES = {
    "major": "manager",  # GM or property manager
    "complaint": "supervisor",  # CS supervisor plans it; the front desk may make it
    "repair": "receptionist",
    "special": "receptionist",
    "activity": "receptionist",
    "other": "receptionist",  # set by the property manager: the front desk until reassigned
    FOLLOWUP: "receptionist",
}
# Kinds the front desk may make although planned for someone above it.
_FRONT_DESK_MAY = {"complaint"}
_RANK = {"receptionist": 0, "concierge": 0, "supervisor": 1, "manager": 2, "gm": 3}


def kind_for_complaint(severity: str) -> str:
    """重大 and 尤其重大 complaints are visited as events by the GM or manager; the rest as complaints."""
    return "major" if severity in ("major", "critical") else "complaint"


def sampled(number: str, share_percent: int | None) -> bool:
    """Whether the matter numbered ``number`` is among the share visited.

    Reproducible from the number alone (a re-run, another terminal, next
    month's report all pick the same ones): the first 8 bytes of its SHA-256
    as a fraction of 2**64, below the share. None (share not set) visits all.
    """
    if share_percent is None or share_percent >= 100:
        return True
    if share_percent <= 0:
        return False
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") * 100 < share_percent * (1 << 64)


@dataclass(frozen=True)
class DueVisit:
    due_on: date  # the last working day of the window, in the site's zone
    due_by: datetime  # its end: the next local midnight, in UTC (what the countdown counts to)
    warning: str | None  # the calendar for those days is not fully known (worded now)
    unknown_years: tuple[int, ...] = ()  # ... for these years (stored; worded when shown)


def visit_due(kind: str, completed_at: datetime, policy: ReturnVisitPolicy, cal: WorkCalendar,
              tz: ZoneInfo) -> DueVisit:
    """When a visit of ``kind`` for work completed at ``completed_at`` is due.

    Counted in working days from the completion's local date (that day never
    counts); due by the end of the last one. A follow-up is due the same day.
    """
    if completed_at.tzinfo is None:
        raise ValueError("completed_at must be timezone-aware")
    done_on = completed_at.astimezone(tz).date()
    if kind == FOLLOWUP:
        due_on, warning = done_on, None
    else:
        due_on, warning = cal.add_working_days_checked(done_on, policy.rule(kind).workdays)
    end = datetime.combine(due_on + timedelta(days=1), time(0), tzinfo=tz)
    # the days counted are done_on+1 .. due_on (as add_working_days_checked)
    first = done_on + timedelta(days=1)
    unknown = tuple(y for y in range(first.year, due_on.year + 1) if not cal.year_is_known(y)) if warning else ()
    return DueVisit(due_on, end.astimezone(timezone.utc), warning, unknown)


def due_warning(years: str, due_on: date, cal: WorkCalendar) -> str:
    """The stored years a due date was counted without (e.g. "2027"), worded in the current
    language; "" once the site has entered them all (``deskapp calendar``)."""
    from deskapp.core.workdays import CALENDAR_FILE
    from deskapp.i18n import t

    unknown = [int(y) for y in years.split(",") if y.strip().isdigit() and not cal.year_is_known(int(y))]
    if not unknown:
        return ""
    return t("calendar.years_unknown", years=t("calendar.year_sep").join(str(y) for y in unknown),
             known=cal.known_through.isoformat(), due=due_on.isoformat(), file=CALENDAR_FILE)


def visitor_role(kind: str) -> str:
    return VISITOR_ROLES[kind]


def may_visit(role: str, kind: str) -> bool:
    """Whether someone of ``role`` may make a visit of ``kind``."""
    if kind in _FRONT_DESK_MAY:
        return role in _RANK
    return _RANK.get(role, -1) >= _RANK[VISITOR_ROLES[kind]]


def is_unsatisfied(score: int, policy: ReturnVisitPolicy) -> bool:
    return score <= policy.unsatisfied_at_most


def satisfaction_label(score: int, policy: ReturnVisitPolicy) -> str:
    """The register's three words for a score: 满意 (4-5), 基本满意, 不满意 (at or below the threshold)."""
    if is_unsatisfied(score, policy):
        return "unsatisfied"
    return "satisfied" if score >= 4 else "basically"


def due_group(due_on: date, today: date, cal: WorkCalendar) -> str:
    """overdue | today | next (the next working day) | later, for the queues' grouping."""
    if due_on < today:
        return "overdue"
    if due_on == today:
        return "today"
    if due_on <= cal.add_working_days(today, 1):
        return "next"
    return "later"
