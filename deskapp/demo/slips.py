"""Demo dispatch slips: the repair calls of the demo turned into slips through the slip services.

Each repair call of the last SLIP_DAYS days whose unit is on the list gets
its slip a few minutes after the call, issued by whoever logged the call.
Older repair calls keep awaiting theirs: every step is its own durable write
transaction (about 10 ms here at synchronous=FULL), and months of slips at
eight steps each would make the demo minutes long. Slips older than two days have
run their whole course (a few refused on the way); the last two days' slips
stand at every step, so the dispatch board has live clocks; the calls of the
last half hour still await their slip. Deterministic for a seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from deskapp.errors import InputError
from deskapp.services import slips
from deskapp.services.desk import Desk
from deskapp.services.roles import Actor
from deskapp.storage.engine import read_session
from deskapp.storage.models import Call, Department, Unit

# A word in what the caller said -> the fee-schedule item (data/fee_schedule.toml).
FEE_WORDS = (("水龙头", "更换水龙头"), ("下水道", "疏通下水道"), ("跳闸", "维修电路跳闸"), ("门锁", "更换门锁"),
             ("防水", "防水补漏"), ("窗", "门窗维修"), ("灯", "更换灯具"))
TECHNICIANS = ("赵师傅", "钱师傅", "孙师傅", "周师傅", "吴师傅")
SUPERVISORS = {"工程部": "孙建国", "秩序部": "马卫东", "环境部": "何秀英", "华建维保单位": "许工"}
SLIP_DAYS = 7
STAGES = ("issued", "notified", "accepted", "on_site", "done", "signed", "closed")


def fill_slips(desk: Desk, actors: dict[str, Actor], *, now: datetime, seed: int) -> int:
    """Issue and work the demo's slips; returns how many were issued."""
    rand = random.Random(seed * 7919 + 15)
    with read_session(desk.engine) as session:
        calls = session.execute(
            select(Call.id, Call.at, Call.owner_id, Call.content, Call.unit_code)
            .join(Unit, Unit.code == Call.unit_code)
            .where(Call.status == "awaiting_slip", Call.at < now - timedelta(minutes=30),
                   Call.at >= now - timedelta(days=SLIP_DAYS))
            .order_by(Call.at, Call.id)).all()
    by_id = {a.id: a for a in actors.values()}
    with read_session(desk.engine) as session:
        engineering = session.execute(select(Department.id).where(Department.name == "工程部")).scalar_one()
    issued = 0
    for call in calls:
        actor = by_id[call.owner_id]
        fee_item = next((item for word, item in FEE_WORDS if word in call.content), "")
        at = call.at + timedelta(minutes=rand.randint(1, 4))
        draft = slips.SlipDraft(call_id=call.id, fee_item=fee_item, chargeable=bool(fee_item) or rand.random() < 0.3,
                                department_id=None if fee_item else engineering)
        try:
            slip = slips.issue_slip(desk, actor, draft, now=at)
        except InputError:
            continue
        issued += 1
        age = now - at
        last = len(STAGES) - 1 if age > timedelta(days=2) else rand.randrange(len(STAGES))
        _work(desk, actor, slip, STAGES[last], at, rand, now)
    return issued


def _work(desk: Desk, actor: Actor, slip: slips.SlipState, stage: str, at: datetime, rand: random.Random,
          now: datetime) -> None:
    """Take a slip through its steps up to `stage`, each a few minutes after the last, never past `now`."""
    def later(lo: int, hi: int) -> datetime:
        nonlocal at
        at = min(at + timedelta(minutes=rand.randint(lo, hi)), now)
        return at

    if stage == "issued":
        return
    slips.notify_department(desk, actor, slip.id, person=rand.choice(("小刘", "小陈", "值班员")), now=later(1, 4))
    if stage == "notified":
        return
    state = slips.accept_slip(desk, actor, slip.id, technician=rand.choice(TECHNICIANS), now=later(1, 6))
    supervisor = SUPERVISORS.get(state.department, "主管")
    if stage == "accepted":
        return
    if state.due_kind == "assess":
        slips.assess_slip(desk, actor, slip.id, fee=str(rand.choice((50, 80, 150, 260))), supervisor=supervisor,
                          now=later(3, 14))
        if rand.random() < 0.15:  # some customers find it too dear: filed as refused
            slips.refuse_slip(desk, actor, slip.id, reason="客户认为费用过高，暂不维修", supervisor=supervisor,
                              now=later(5, 30))
            return
        slips.agree_fee(desk, actor, slip.id, now=later(2, 20))
    slips.arrive(desk, actor, slip.id, now=later(5, 18))
    if stage == "on_site":
        return
    slips.complete_work(desk, actor, slip.id, work_done="已按报修内容处理完毕", now=later(15, 90))
    if stage == "done":
        return
    slips.sign_slip(desk, actor, slip.id, now=later(1, 3))
    if stage == "signed":
        return
    if state.chargeable:
        record_fee = state.fee_yuan if state.fee_yuan > 0 else None
        if record_fee is None:
            from deskapp.services.slip_queries import get_slip

            record_fee = get_slip(desk, slip.id).fee_due
        if record_fee > 0:
            slips.collect_fee(desk, actor, slip.id, method=rand.choice(("cash", "card")), amount=record_fee,
                              now=later(1, 5))
    slips.return_copies(desk, actor, slip.id, now=later(60, 600))
