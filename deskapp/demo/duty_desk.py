"""Demo data for the duty desk (值班日志, 寄存, 访客, 交接班), written through the services.

The last few shifts before `now`, each worked by one of the front desk: its page
started, a few duty log entries (now and then a major event), parcels received
and collected the next shift with ID checked, a key lent and returned, visitors
let in or turned away; each finished shift signed over by its staff with their
PIN and accepted by the next (once with a discrepancy noted); a night handover
reviewed by the supervisor the next morning. The shift running at `now` is left
open, so F6 shows a handover compiling itself. Deterministic for a seed.
"""

from __future__ import annotations

import random
from decimal import Decimal
from datetime import datetime, timedelta, timezone

from deskapp.core.shifts import previous_slot
from deskapp.demo.plan import ACCOUNTS, FRONT, SUPERVISOR
from deskapp.services.custody import ItemDraft, lend_item, receive_item, release_item, return_item
from deskapp.services.desk import Desk
from deskapp.services.handover import acknowledge_handover, complete_review, mark_reviewed, sign_handover
from deskapp.services.handover_queries import get_handover
from deskapp.services.roles import Actor
from deskapp.services.shifts import add_log_entry, start_shift
from deskapp.services.visitors import VisitorDraft, register_visitor

UTC = timezone.utc
PIN = {a.name: a.pin for a in ACCOUNTS}
LOG = (("巡查大堂及各楼层消防通道", "正常"), ("地下车库B1层照明巡查", "2 盏灯不亮，已报工程部"),
       ("快递员集中送件", "已登记寄存"), ("业主反映电梯异响", "已通知维保单位查看"),
       ("夜间噪音投诉", "联系秩序部到场劝止"), ("门禁系统短时故障", "工程部重启后恢复"))
MAJOR = (("3栋电梯困人", "通知维保，20 分钟内放出，无人受伤；另写事件报告"),
         ("地下车库积水", "秩序部设警示牌，工程部抽水"))
VISITORS = ("吴女士", "郑先生", "装修公司 周师傅", "快递员", "推销人员")
SHIFTS_BACK = 4


def keep_the_desk(desk: Desk, actors: dict[str, Actor], *, now: datetime, seed: int) -> int:
    """Fill the last SHIFTS_BACK shifts and the current one; returns how many handovers were signed."""
    rng = random.Random(seed * 7919 + 17)
    starts = desk.policy.shift.starts()
    slots = [desk.policy.shift.slot_at(now, desk.tz)]
    for _ in range(SHIFTS_BACK):
        slots.insert(0, previous_slot(slots[0], tz=desk.tz, **starts))
    boss = actors[SUPERVISOR.name]
    front = [actors[a.name] for a in FRONT]
    waiting: list[int] = []  # parcels of earlier shifts still on the shelf
    handed = None  # the previous shift's signed handover (id, signer)
    signed = 0
    for index, slot in enumerate(slots):
        start = slot.start.astimezone(UTC)
        end = slot.end.astimezone(UTC)
        person = front[(index + seed) % len(front)]
        if handed is not None and person.id == handed[1].id:
            person = front[(index + seed + 1) % len(front)]
        begin = start + timedelta(minutes=2)
        if begin > now:
            break
        start_shift(desk, person, now=begin)
        if handed is not None:
            lines = get_handover(desk, handed[0]).lines
            parcels = [line for line in lines if line.kind == "parcel"]
            notes = [(parcels[0].id, "架上少 1 件，交班人电话确认已由业主领走未登记")] if index == 2 and parcels else []
            acknowledge_handover(desk, handed[0], name=person.name, pin=PIN[person.name], discrepancies=notes,
                                 now=begin + timedelta(minutes=1))
            if slot.kind == "day" and begin + timedelta(minutes=90) <= now:
                at = begin + timedelta(minutes=90)
                for line in [line for line in lines if line.kind in ("parcel", "key", "cash", "log")][:2]:
                    mark_reviewed(desk, boss, handed[0], line.id, remark="已核", now=at)
                complete_review(desk, boss, handed[0], remark="夜班记录完整，交接物品已核对", now=at)
        moments = sorted(start + timedelta(minutes=rng.randint(15, 700)) for _ in range(12))
        moments = [m for m in moments if m <= min(now, end - timedelta(minutes=10))]
        for n, moment in enumerate(moments):
            step = n % 4
            if step == 0:
                what, action = MAJOR[index % len(MAJOR)] if n == 4 and index % 2 == 0 else LOG[rng.randrange(len(LOG))]
                add_log_entry(desk, person, what=what, action=action, major=(what, action) in MAJOR, now=moment)
            elif step == 1:
                for _ in range(2):
                    unit = f"{rng.randint(1, 12)}-{rng.randint(1, 3)}-{rng.randint(2, 30)}0{rng.randint(1, 4)}"
                    item = receive_item(desk, person, ItemDraft(
                        kind=rng.choice(("parcel", "parcel", "mail")), label=f"SF{rng.randint(10**9, 10**10 - 1)}",
                        owner_name=rng.choice(("赵先生", "钱女士", "孙先生", "李女士")), unit=unit), now=moment)
                    waiting.append(item.id)
            elif step == 2:
                if waiting:
                    release_item(desk, person, waiting.pop(0), to="业主本人", id_checked=True, now=moment)
                name = VISITORS[rng.randrange(len(VISITORS))]
                allowed = name != "推销人员"
                register_visitor(desk, person, VisitorDraft(
                    visitor_name=name, id_checked=allowed, host_unit=f"{rng.randint(1, 12)}-2-1201",
                    host_called=allowed, allowed=allowed, message="" if allowed else "称来推销净水器，已劝离"),
                    now=moment)
            elif index == 0 and n == 3:
                key = receive_item(desk, person, ItemDraft(kind="key", label="3栋机房钥匙", owner_name="工程部"),
                                   now=moment)
                lend_item(desk, person, key.id, to="维保单位 周师傅", id_checked=True, now=moment)
                return_item(desk, person, key.id, now=moment + timedelta(minutes=40))
            elif index == 0 and n == 7:
                receive_item(desk, person, ItemDraft(kind="cash", label="前台备用金", amount_yuan=Decimal(500)),
                             now=moment)
        sign_at = end - timedelta(minutes=5)
        if sign_at <= now:
            result = sign_handover(desk, shift_id=start_shift(desk, person, now=begin).id, name=person.name,
                                   pin=PIN[person.name], notes="未完成事项见上；对讲机 2 台在充电", now=sign_at)
            handed = (result.id, person)
            signed += 1
        else:
            handed = None
    return signed
