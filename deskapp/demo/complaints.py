"""Demo complaints: the desk follows up its 投诉 calls through the complaint service.

Each complaint call of the demo is registered from the call by whoever logged
it, a few minutes after it came in, and taken as far along its lifecycle as
its age allows: old ones forwarded, worked on, answered and closed; those of
the last two days forwarded and in hand; the last few hours' partly still
registered, and the very newest left awaiting their complaint record (待投诉),
as a desk would be found at any moment. Every step goes through
deskapp.services.complaints, with its own time, so the timeline, the clocks
met or missed and the audit trail are the service's own.

Only the newest `LIMIT` complaint calls are followed up (a million-call
benchmark fill has tens of thousands); older ones stay awaiting.
Random choices come from their own generator (seeded from the demo's seed),
so the calls of a seed stay as they were.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from deskapp.services import complaints as svc
from deskapp.services.complaints import ComplaintDraft
from deskapp.services.desk import Desk
from deskapp.services.roles import Actor
from deskapp.storage.engine import read_session
from deskapp.storage.models import Call, Department

LIMIT = 1000
# the newest complaint calls left awaiting their record (待投诉)
LEFT_AWAITING = timedelta(minutes=30)
RESULTS = ("已协调整改完毕，业主表示满意", "已上门处理并向业主道歉", "已约谈施工方，夜间停止施工",
           "已维修完毕，经业主确认", "已赔偿业主损失，双方达成一致")


def follow_up_complaints(desk: Desk, actors: dict[str, Actor], *, now: datetime, seed: int) -> int:
    """Register and progress the demo's complaint calls; returns how many complaints were opened."""
    rng = random.Random(seed * 7919 + 14)
    by_id = {a.id: a for a in actors.values()}
    boss = next(a for a in actors.values() if a.role == "supervisor")
    with read_session(desk.engine) as session:
        calls = session.execute(
            select(Call.id, Call.at, Call.owner_id, Call.channel, Call.caller_name, Call.phone, Call.unit_code,
                   Call.content)
            .where(Call.status == "awaiting_complaint").order_by(Call.at.desc(), Call.id.desc()).limit(LIMIT)).all()
        departments = [d for (d,) in session.execute(select(Department.id).order_by(Department.id))]
    opened = 0
    for call in reversed(calls):  # oldest first, so numbers follow time
        age = now - call.at
        if age < LEFT_AWAITING:
            continue
        who = by_id.get(call.owner_id, boss)
        facts = _facts(rng)
        at = call.at + timedelta(minutes=rng.randint(1, 6))
        done = svc.register_complaint(desk, who, ComplaintDraft(
            channel=call.channel, customer_name=call.caller_name, phone=call.phone, unit=call.unit_code,
            description=call.content, customer_request="尽快处理并回复", call_id=call.id, **facts), now=at)
        opened += 1
        version = done.version
        if age < timedelta(hours=3) and rng.random() < 0.5:
            continue  # still only registered
        at += timedelta(minutes=rng.randint(2, 12))
        if at > now:
            continue
        version = svc.forward(desk, who, done.id, version=version, department_id=rng.choice(departments),
                              signed_by=rng.choice(("刘工", "陈队长", "吴主管", "郑师傅")), now=at).version
        if done.severity != "ordinary":
            at += timedelta(minutes=rng.randint(1, 20))
            if at > now:
                continue
            version = svc.report_upward(desk, who, done.id, version=version, to="李经理", now=at).version
        if age < timedelta(hours=6):
            continue
        at += timedelta(minutes=rng.randint(10, 90))
        if at > now:
            continue
        version = svc.start_work(desk, who, done.id, version=version, now=at).version
        if age < timedelta(days=2):
            continue
        at += timedelta(hours=rng.randint(1, 30))
        version = svc.give_result(desk, who, done.id, version=version, result=rng.choice(RESULTS), now=at).version
        if age < timedelta(days=4):
            continue
        at += timedelta(hours=rng.randint(1, 20))
        svc.close_complaint(desk, who, done.id, version=version, now=min(at, now))
    return opened


def _facts(rng: random.Random) -> dict:
    """Mostly ordinary; some with a loss or raised before (较大), a few 重大."""
    x = rng.random()
    if x < 0.08:
        return {"loss_yuan": str(rng.randint(1000, 9000))}
    if x < 0.14:
        return {"times_raised": rng.randint(3, 6)}
    if x < 0.16:
        return {"loss_yuan": str(rng.randint(12000, 40000))}
    return {}
