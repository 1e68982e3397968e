"""Demo data: a believable site with months of front-desk calls (演示数据), written through the services.

`fill_demo` fills an empty database the way a desk would have filled it:
staff with `add_staff`, departments and units with the reference services
(`add_department`, `add_units`), and `calls` calls over the last `months`
months with `log_calls`, shift by shift, each shift's calls logged by the
person on duty. So the demo can only hold what the app itself can reach:
text cleaned, phones and units normalised, callers remembered as residents,
numbers gapless, an audit event per record, statuses and deadlines as the
call log sets them.

Complaint calls are then followed up through the complaint service
(`deskapp.demo.complaints`): registered from the call, forwarded, answered
and closed as far as each one's age allows; the last week's repair calls
become dispatch slips through the slip services (`deskapp.demo.slips`), at
every step of their life. Registers without services yet (shifts, duty log,
handovers, incident reports) get no demo rows. When a register gets its services, its demo data is
written through them from then on, here.

The same seed and `now` give the same records (staff PIN salts aside).
From `BULK_FROM` calls on, `deskapp demo` takes the benchmark path
(`deskapp.demo.bulk`): the same checks and the same rows, written with Core
executemany so that 1,000,000 calls take minutes rather than an hour.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func, select

from deskapp.core.codes import AWAITING
from deskapp.demo.plan import ACCOUNTS, DEPARTMENTS, SUPERVISOR, DemoAccount, Plan
from deskapp.errors import InputError
from deskapp.services.calls import log_calls
from deskapp.services.desk import Desk
from deskapp.services.reference import add_department, add_units
from deskapp.services.roles import Actor
from deskapp.services.staff import add_staff, staff_count
from deskapp.storage.engine import read_session
from deskapp.storage.models import Call, Resident

__all__ = ["ACCOUNTS", "BULK_FROM", "DemoAccount", "DemoSummary", "SUPERVISOR", "fill_demo"]

# From this many calls on, the benchmark path writes them (the services' path
# costs about 0.5 ms a call; scripts/bench_calllog.py builds 1,000,000).
BULK_FROM = 20_000


@dataclass(frozen=True)
class DemoSummary:
    accounts: tuple[DemoAccount, ...]
    staff: int
    departments: int
    units: int
    residents: int
    calls: int
    awaiting: int  # calls still waiting for their slip or complaint record
    start: datetime  # first instant of the demo period (UTC)
    end: datetime  # `now`
    seconds: float = 0.0
    bulk: bool = False  # written by the benchmark path
    complaints: int = 0  # complaints registered from the complaint calls (deskapp.demo.complaints)
    slips: int = 0  # dispatch slips issued from the repair calls

    @property
    def supervisor(self) -> DemoAccount:
        return next(a for a in self.accounts if a.role == "supervisor")


def fill_demo(desk: Desk, *, calls: int = 3000, months: int = 6, seed: int = 7, now: datetime,
              progress: Callable[[int, int], None] | None = None, bulk: bool | None = None) -> DemoSummary:
    """Fill an empty database with demo records up to `now`; raises InputError if it already holds staff.

    `bulk` chooses the path: None takes the benchmark path from BULK_FROM calls on.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if calls < 0 or months < 1:
        raise ValueError("calls must be >= 0 and months >= 1")
    started = _time.perf_counter()
    if staff_count(desk):
        raise InputError("err.demo_not_empty")
    plan = Plan(calls=calls, months=months, seed=seed, now=now, tz=desk.tz, shift_plan=desk.policy.shift)
    set_up = plan.start - timedelta(days=1)  # the site was set up the day before its first call
    actors = _staff(desk, at=set_up)
    boss = actors[SUPERVISOR.name]
    for name, kind, phone in DEPARTMENTS:
        add_department(desk, boss, name=name, kind=kind, phone=phone, now=set_up)
    units = add_units(desk, boss, plan.unit_drafts(), now=set_up)
    use_bulk = calls >= BULK_FROM if bulk is None else bulk
    if use_bulk:
        from deskapp.demo.bulk import write_calls

        written = write_calls(desk, actors, plan.batches(), total=calls, progress=progress)
    else:
        written = 0
        for batch in plan.batches():
            written += len(log_calls(desk, actors[batch.logged_by], batch.drafts, now=batch.now))
            if progress is not None:
                progress(written, calls)
    from deskapp.demo.complaints import follow_up_complaints

    complaints = follow_up_complaints(desk, actors, now=now, seed=seed)
    # The repair calls become dispatch slips through the slip services (either path).
    from deskapp.demo.slips import fill_slips

    slip_count = fill_slips(desk, actors, now=now, seed=seed)
    from deskapp.demo.duty_desk import keep_the_desk

    keep_the_desk(desk, actors, now=now, seed=seed)  # the last shifts' duty log, custody, visitors, handovers
    with read_session(desk.engine) as session:
        residents = session.execute(select(func.count()).select_from(Resident)).scalar_one()
        awaiting = session.execute(
            select(func.count()).select_from(Call).where(Call.status.in_(AWAITING.values()))).scalar_one()
    return DemoSummary(accounts=ACCOUNTS, staff=len(actors), departments=len(DEPARTMENTS), units=len(units),
                       residents=residents, calls=written, awaiting=awaiting, complaints=complaints, start=plan.start, end=plan.now,
                       seconds=_time.perf_counter() - started, bulk=use_bulk, slips=slip_count)


def _staff(desk: Desk, *, at: datetime) -> dict[str, Actor]:
    """The demo accounts: the supervisor first (the first staff member must be one), who adds the rest."""
    boss = add_staff(desk, name=SUPERVISOR.name, role=SUPERVISOR.role, pin=SUPERVISOR.pin, actor=None, now=at)
    actors = {boss.name: boss}
    for account in ACCOUNTS[1:]:
        actors[account.name] = add_staff(desk, name=account.name, role=account.role, pin=account.pin, actor=boss,
                                         now=at)
    return actors
