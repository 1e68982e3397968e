"""Deadlines (时效) of complaints and dispatch slips, computed once and stored.

docs/rules.md §2.2, §2.3. The desk runs around the clock, so minute and hour
clocks are wall-clock time and complaint "days" are calendar days (working days
only matter for return visits, see :mod:`deskapp.core.workdays`). Every instant
in and out is timezone-aware; results are in UTC, as storage keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import TYPE_CHECKING

from deskapp.core.policy import ComplaintPolicy, Phrase, RuleViolation, SlipPolicy
from deskapp.core.severity import Severity

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "DeadlineRequired",
    "ComplaintDeadlines",
    "complaint_deadlines",
    "SlipDeadlines",
    "slip_deadlines",
    "end_of_local_day",
    "require_aware",
]

DEFAULT_TZ_NAME = "Asia/Shanghai"


class DeadlineRequired(RuleViolation):
    """尤其重大 complaints have no default deadline (一事一议): one must be agreed and entered.

    A ValueError, and an InputError whose ``str()`` asks for the deadline in the
    current language.
    """


def require_aware(name: str, value: datetime | None) -> datetime | None:
    """Reject naive datetimes: a naive value is ambiguous between the desk PC's
    zone and UTC, and a wrong guess shifts every deadline by hours. A bug in the
    calling code, never the user's doing: said in English."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime: {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware: {value!r}")
    return value


def _utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def end_of_local_day(instant: datetime, tz: ZoneInfo) -> datetime:
    """The end of ``instant``'s day in the site zone, as the next local midnight (24:00).

    "Same day" means before the local day is over; the exclusive bound keeps the
    deadline strictly after any instant of that day.
    """
    require_aware("instant", instant)
    local = instant.astimezone(tz)
    next_day = local.date() + timedelta(days=1)
    return _utc(datetime.combine(next_day, time(0), tzinfo=tz))


def _default_tz() -> ZoneInfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(DEFAULT_TZ_NAME)


@dataclass(frozen=True)
class ComplaintDeadlines:
    """The clocks of one complaint (投诉处理时效), all UTC.

    ``report_by`` is None when no upward report is due (通常). ``complete_by`` is
    None only when the class has no default and no deadline was given and the
    caller allowed that (``allow_undetermined``). ``complete_source`` says where
    ``complete_by`` came from: "policy", "customer" or "agreed".
    """

    respond_by: datetime
    forward_by: datetime
    report_by: datetime | None
    reply_by: datetime
    followup_by: datetime
    complete_by: datetime | None
    complete_source: str | None = None


def complaint_deadlines(
    severity: Severity,
    received_at: datetime,
    policy: ComplaintPolicy,
    *,
    customer_deadline: datetime | None = None,
    agreed_deadline: datetime | None = None,
    tz: ZoneInfo | None = None,
    allow_undetermined: bool = False,
) -> ComplaintDeadlines:
    """All deadlines of a complaint received at ``received_at`` (docs/rules.md §2.2).

    Completion: 通常 uses the customer's deadline if given, else the policy's 12 h;
    重大 and 尤其重大 use the deadline agreed with the customer if given, else the
    policy default (5 days; none for 尤其重大, which raises :class:`DeadlineRequired`
    unless ``allow_undetermined``). 较大 has a fixed 48 h, so a customer or agreed
    deadline given for it is ignored (``complete_source`` shows "policy").

    A given deadline must lie after ``received_at``. If it comes before the
    response clock, ``respond_by`` is pulled in to it: a matter due in 5 min
    cannot wait 10 min for its first response.

    ``tz`` is the site zone (for "same day" reports); default Asia/Shanghai.
    """
    require_aware("received_at", received_at)
    require_aware("customer_deadline", customer_deadline)
    require_aware("agreed_deadline", agreed_deadline)
    severity = Severity(severity)
    for which, given in (("deadline.customer", customer_deadline), ("deadline.agreed", agreed_deadline)):
        if given is not None and given <= received_at:
            raise RuleViolation("deadline.not_after_received", which=Phrase(which),
                                value=given.isoformat(sep=" ", timespec="minutes"))
    tz = tz or _default_tz()
    # Elapsed-time arithmetic in UTC: adding to an aware local datetime adds wall
    # time, which is an hour off across a DST change in zones that have one.
    received_at = _utc(received_at)
    clock = policy.clocks.for_code(severity.code)

    respond_by = received_at + timedelta(minutes=clock.respond_minutes)
    forward_by = received_at + timedelta(minutes=policy.forward_minutes)

    if clock.report_minutes is not None:
        report_by: datetime | None = received_at + timedelta(minutes=clock.report_minutes)
    elif clock.report_same_day:
        report_by = end_of_local_day(received_at, tz)
    else:
        report_by = None

    override, override_source = None, None
    if severity is Severity.ORDINARY and customer_deadline is not None:
        override, override_source = customer_deadline, "customer"
    elif severity >= Severity.MAJOR and agreed_deadline is not None:
        override, override_source = agreed_deadline, "agreed"

    if override is not None:
        complete_by: datetime | None = override
        source: str | None = override_source
    elif clock.complete_hours is not None:
        complete_by, source = received_at + timedelta(hours=clock.complete_hours), "policy"
    elif clock.complete_days is not None:
        # calendar days: the desk works every day (docs/rules.md §2.2, last paragraph)
        complete_by, source = received_at + timedelta(days=clock.complete_days), "policy"
    elif allow_undetermined:
        complete_by, source = None, None
    else:
        raise DeadlineRequired("deadline.required", severity=severity.phrase)

    if complete_by is not None and complete_by < respond_by:
        respond_by = complete_by

    return ComplaintDeadlines(
        respond_by=_utc(respond_by),
        forward_by=_utc(forward_by),
        report_by=_utc(report_by) if report_by is not None else None,
        reply_by=_utc(received_at + timedelta(days=policy.reply_days)),
        followup_by=_utc(received_at + timedelta(days=policy.followup_days)),
        complete_by=_utc(complete_by) if complete_by is not None else None,
        complete_source=source,
    )


@dataclass(frozen=True)
class SlipDeadlines:
    """The clocks of one dispatch slip (派工单), all UTC.

    ``assess_by`` is set only for an item not in the fee schedule once accepted;
    ``on_site_by`` is None until the on-site clock has started (accepted, and for
    an item outside the schedule, the fee agreed).
    """

    notify_by: datetime
    assess_by: datetime | None
    on_site_by: datetime | None


def slip_deadlines(
    created_at: datetime,
    policy: SlipPolicy,
    *,
    accepted_at: datetime | None = None,
    appointment_at: datetime | None = None,
    in_fee_schedule: bool = True,
    fee_agreed_at: datetime | None = None,
) -> SlipDeadlines:
    """Deadlines of a dispatch slip (docs/rules.md §2.3).

    - notify the department within 5 min of ``created_at``;
    - item in the fee schedule: on site 15 min after ``accepted_at``, or 5 min
      before ``appointment_at`` if there is an appointment;
    - item not in the schedule: assessed within 15 min of ``accepted_at``; the
      on-site clocks start when the customer agrees the fee (``fee_agreed_at``).

    Interpretation (docs/rules.md §2.3): the manuals state the on-site clocks for chargeable items; they
    are applied to every slip, as the manuals give no other clock for free work.
    An appointment inside the lead time gives an ``on_site_by`` at or before
    acceptance, which shows at once as due: the technician is already late.
    """
    require_aware("created_at", created_at)
    require_aware("accepted_at", accepted_at)
    require_aware("appointment_at", appointment_at)
    require_aware("fee_agreed_at", fee_agreed_at)
    if accepted_at is not None and accepted_at < created_at:
        raise RuleViolation("deadline.accepted_before_issued")
    if fee_agreed_at is not None and accepted_at is not None and fee_agreed_at < accepted_at:
        raise RuleViolation("deadline.fee_before_accepted")

    # elapsed-time arithmetic in UTC (see complaint_deadlines)
    created_at = _utc(created_at)
    accepted_at = _utc(accepted_at) if accepted_at is not None else None
    appointment_at = _utc(appointment_at) if appointment_at is not None else None
    fee_agreed_at = _utc(fee_agreed_at) if fee_agreed_at is not None else None

    notify_by = created_at + timedelta(minutes=policy.notify_minutes)

    assess_by = None
    if not in_fee_schedule and accepted_at is not None:
        assess_by = accepted_at + timedelta(minutes=policy.assess_minutes)

    # when the on-site clock starts: acceptance, or for an unscheduled item the fee agreement
    start = accepted_at if in_fee_schedule else (fee_agreed_at if accepted_at is not None else None)
    on_site_by = None
    if start is not None:
        if appointment_at is not None:
            on_site_by = appointment_at - timedelta(minutes=policy.before_appointment_minutes)
        else:
            on_site_by = start + timedelta(minutes=policy.onsite_minutes)

    return SlipDeadlines(
        notify_by=_utc(notify_by),
        assess_by=_utc(assess_by) if assess_by is not None else None,
        on_site_by=_utc(on_site_by) if on_site_by is not None else None,
    )
