"""Demo data: a believable site with months of front-desk records (演示数据).

`fill_demo` fills an empty database with staff, departments, units and
residents, and `calls` entries of the call and visit log spread over the last
`months` months, with the complaints, dispatch slips, return visits, shifts,
duty log, handovers and incident reports that such a log brings with it.

It is built for scale (design.md: 1,000,000 calls): rows are generated from
one `random.Random(seed)` (the same seed and `now` give the same records),
streamed day by day and written with Core `insert(Table)` executemany, one
write transaction per batch of calls and the records that came from them.
Numbers run gapless per register and local year, and `number_sequence` ends at
the last number used, so `log_call` and the other services carry on from there.

Full-text index: with the call_fts triggers in place every call row is also
tokenised row by row. For large fills the triggers are dropped, the calls
written, the index rebuilt in one pass and the triggers re-created with the
migration's own SQL (see `_FTS_REBUILD_FROM`); `scripts/bench_calllog.py`
prints what each path costs.
"""

from __future__ import annotations

import importlib
import json
import random
import time as _time
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from itertools import accumulate
from typing import Callable, Iterator

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.core.deadlines import complaint_deadlines
from deskapp.core.severity import ComplaintFacts, Severity, classify
from deskapp.core.text import find_phrases
from deskapp.core.workdays import WorkCalendar, return_visit_due
from deskapp.errors import InputError
from deskapp.services.desk import Desk
from deskapp.services.numbering import format_number
from deskapp.services.roles import Actor
from deskapp.services.staff import add_staff
from deskapp.storage.engine import is_sqlite
from deskapp.storage.models import (
    AuditEvent,
    Call,
    Complaint,
    Department,
    DispatchSlip,
    DutyLogEntry,
    Handover,
    HandoverItem,
    IncidentReport,
    NumberSequence,
    Resident,
    ReturnVisit,
    Shift,
    Staff,
    Unit,
)

__all__ = ["DemoAccount", "DemoSummary", "fill_demo", "SUPERVISOR"]

UTC = timezone.utc

# Batches: calls per write transaction (plus the records that came from them).
BATCH_CALLS = 10_000
# From this many calls on, the FTS triggers are dropped during the fill and the
# index rebuilt once at the end (None: never). Measured in scripts/bench_calllog.py.
_FTS_REBUILD_FROM: int | None = 50_000
# SQLite page cache for the fill's connection (KiB): the call indexes outgrow the default 2 MB.
_FILL_CACHE_KIB = 262_144
_ID_TABLES = ("department", "unit", "resident", "call", "complaint", "dispatch_slip", "return_visit", "shift",
              "duty_log_entry", "handover", "handover_item", "incident_report")


# ---------------------------------------------------------------- summary ---


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: str
    pin: str


@dataclass(frozen=True)
class DemoSummary:
    accounts: tuple[DemoAccount, ...]
    staff: int
    departments: int
    units: int
    residents: int
    calls: int
    complaints: int
    slips: int
    visits: int
    shifts: int
    duty_entries: int
    handovers: int
    handover_items: int
    incidents: int
    start: datetime  # first instant of the demo period (UTC)
    end: datetime  # `now`
    seconds: float = 0.0
    fts_rebuilt: bool = False

    @property
    def supervisor(self) -> DemoAccount:
        return next(a for a in self.accounts if a.role == "supervisor")


# The supervisor's account is printed on the first-run screen (first.demo_hint).
SUPERVISOR = DemoAccount("王主管", "supervisor", "1234")
ACCOUNTS: tuple[DemoAccount, ...] = (
    SUPERVISOR,
    DemoAccount("李经理", "manager", "2345"),
    DemoAccount("赵总", "gm", "3456"),
    DemoAccount("张晓燕", "receptionist", "1111"),
    DemoAccount("刘婷", "receptionist", "2222"),
    DemoAccount("陈静", "receptionist", "3333"),
    DemoAccount("黄丽华", "concierge", "4444"),
    DemoAccount("周敏", "concierge", "5555"),
)

DEPARTMENTS = (
    ("工程部", "engineering", "8001"),
    ("秩序部", "security", "8002"),
    ("环境部", "environment", "8003"),
    ("华建维保单位", "contractor", "400-820-6688"),
)

# ------------------------------------------------------------ vocabulary ---

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰小红晓东海燕春梅文博子涵欣怡浩然"
    "宇轩梓萱一诺思远嘉怡俊杰雨涵佳琪子豪晨阳semi"
)
_GIVEN = "".join(c for c in _GIVEN if "\u4e00" <= c <= "\u9fff")
_TECHS = ("李师傅", "王师傅", "张师傅", "刘师傅", "陈师傅", "赵师傅", "孙师傅", "周师傅")
_GUARDS = ("小刘", "小王", "老陈", "小张", "老李")

_HOURS = (0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.5, 4.0, 6.0, 6.0, 5.5,
          3.5, 3.5, 5.0, 5.5, 5.0, 4.5, 4.0, 3.5, 2.5, 1.6, 1.0, 0.6)

_CATEGORY_W = tuple(accumulate((38, 27, 7, 5, 4, 19)))
_CHANNEL_W = {
    "enquiry": tuple(accumulate((72, 20, 0.5, 7.5))),
    "repair": tuple(accumulate((75, 17, 0.5, 7.5))),
    "complaint": tuple(accumulate((60, 27, 6, 7))),
    "suggestion": tuple(accumulate((40, 25, 20, 15))),
    "praise": tuple(accumulate((45, 25, 20, 10))),
    "other": tuple(accumulate((50, 45, 1, 4))),
}
_SEVERITY_W = (("ordinary", 80), ("significant", 14), ("major", 5), ("critical", 1))

_LEAD = ("", "", "", "业主来电反映：", "住户称", "业主反映", "来访业主称", "")

_ENQUIRY = (
    ("咨询{m}月物业费缴纳方式及截止日期", "告知可在前台或微信公众号缴纳，截止每月25日，感谢您的来电"),
    ("询问快递柜位置及取件时间", "告知快递柜在{b}栋东侧，24小时可取件"),
    ("咨询门禁卡补办需要什么材料", "告知携带身份证和购房合同到前台办理，工本费20元"),
    ("询问小区停车位月租价格", "告知地面车位月租300元，地下车位400元，可到前台登记"),
    ("咨询装修申请流程和施工时间规定", "告知需提交装修申请表及押金，施工时间为8:00-12:00、14:00-18:00"),
    ("询问本周停水停电安排", "告知{d}日上午9点至12点{b}栋二次供水检修停水，已张贴通知"),
    ("咨询宠物登记和犬只管理规定", "告知犬只须办证并牵绳，可到前台领取文明养犬告知书"),
    ("询问垃圾分类投放时间", "告知每日7:00-9:00、18:00-20:00定时定点投放"),
    ("咨询电动车充电桩的使用方法", "告知扫码充电，1元4小时，充电桩在{b}栋北侧车棚"),
    ("询问本月水电费账单明细", "已查询并告知明细，请您留意短信通知"),
    ("咨询燃气开通办理流程", "告知联系燃气公司客服预约上门，物业协助开门"),
    ("询问访客车辆临时停车收费标准", "告知首小时免费，之后每小时5元"),
    ("咨询{b}栋{e}单元电梯年检时间", "告知本月{d}日年检，期间请使用另一部电梯"),
    ("询问小区游泳池开放时间", "告知每年6月至9月开放，需办理游泳卡"),
    ("咨询房屋出租需要在物业登记哪些信息", "告知需登记租户身份证信息并签署治安责任书"),
)

# content, slip item, department kind, fee item, fee, public area
_REPAIRS = (
    ("{u}卫生间天花板漏水，怀疑楼上防水层破损", "卫生间天花板漏水查因维修", "engineering", "", 0, False),
    ("{u}厨房下水道堵塞，水排不下去", "厨房下水道疏通", "engineering", "疏通下水道", 60, False),
    ("{u}家中突然停电，空开跳闸后合不上", "户内跳闸停电检查", "engineering", "", 0, False),
    ("{b}栋{e}单元电梯故障，停在{f}楼不动，有异响", "电梯故障报修（通知电梯维保）", "engineering", "", 0, True),
    ("{u}入户门锁损坏，钥匙拧不动", "入户门锁维修", "engineering", "更换门锁锁芯", 80, False),
    ("{u}阳台窗户关不严，下雨往里渗水", "阳台窗户密封维修", "engineering", "维修窗户五金", 50, False),
    ("{b}栋{e}单元{f}楼楼道声控灯不亮", "楼道灯维修", "engineering", "", 0, True),
    ("{u}厨房水龙头滴水不止", "更换厨房水龙头", "engineering", "更换水龙头", 30, False),
    ("{u}可视门禁对讲没有声音，访客呼叫听不到", "户内可视对讲维修", "engineering", "", 0, False),
    ("{u}客厅墙面开裂并有渗水痕迹", "墙面开裂渗水维修", "engineering", "", 0, False),
    ("{u}马桶水箱一直流水", "马桶水箱配件维修", "engineering", "维修马桶水箱配件", 40, False),
    ("{u}空调冷凝水管漏水，滴到楼下阳台", "空调冷凝水管疏通", "engineering", "空调冷凝水管疏通", 40, False),
    ("地下车库B{l}层{n}号车位上方水管滴水", "地下车库水管滴漏维修", "engineering", "", 0, True),
    ("{u}门禁卡失效，刷卡无反应", "门禁卡重新授权", "security", "", 0, False),
    ("{b}栋{e}单元门口垃圾桶破损", "更换垃圾桶", "environment", "", 0, True),
    ("{b}栋前草坪喷灌水管爆裂，地面积水", "绿化喷灌水管维修", "environment", "", 0, True),
    ("{u}卧室插座没电，开关冒火花", "更换开关插座", "engineering", "更换开关插座", 20, False),
    ("{u}卫生间角阀漏水", "更换角阀", "engineering", "更换角阀", 25, False),
)
_WARRANTY_ITEMS = frozenset({"卫生间天花板漏水查因维修", "阳台窗户密封维修", "墙面开裂渗水维修"})
_REPAIR_REPLY = (
    "已开具派工单，通知{dept}{tech}尽快上门，请您保持电话畅通",
    "您反映的问题我们会马上处理，已派{dept}上门维修",
    "已登记报修并派单{dept}，约定{h}点上门",
    "请您不要着急，已通知{dept}{tech}前往查看",
)

# complaint themes: content, subject (who/what is complained about), department kind, customer request, place
_COMPLAINT_THEMES = {
    "noise": (
        ("{b}栋{e}单元{f}楼住户夜间装修噪音扰民，晚上十点后仍在施工", "{b}栋{e}单元装修户", "security",
         "要求物业制止夜间施工", "{b}栋{e}单元"),
        ("楼上住户深夜拖动家具、跑跳噪音，多次沟通无果", "楼上住户", "security", "要求物业出面协调", "{u}"),
    ),
    "parking": (
        ("自己的固定车位被外来车辆占用，保安未及时处理", "秩序部", "security", "要求挪车并加强车辆管理", "地下车库B{l}层{n}号车位"),
    ),
    "cleaning": (
        ("{b}栋楼道垃圾两天未清运，气味很大", "环境部", "environment", "要求立即清理并加强保洁", "{b}栋楼道"),
        ("小区绿化带长期无人修剪，蚊虫很多", "环境部", "environment", "要求尽快修剪并消杀", "{b}栋南侧绿化带"),
    ),
    "repair_service": (
        ("维修师傅上门迟到一个多小时且态度差", "工程部", "engineering", "要求道歉并改进服务", "{u}"),
    ),
    "parcel": (
        ("快递堆放在大堂无人看管，包裹丢失", "客服中心", "", "要求查找包裹", "{b}栋大堂"),
    ),
    "fee": (
        ("物业费账单多收了一个月，对收费有异议", "客服中心", "", "要求核对并退还多收费用", "客服中心"),
    ),
    "elevator": (
        ("{b}栋{e}单元电梯本月多次故障停梯，反映多次仍未修好", "工程部", "engineering", "要求彻底检修电梯", "{b}栋{e}单元电梯"),
    ),
    "card": (
        ("门禁卡多次消磁，补办后仍不能用", "秩序部", "security", "要求免费更换门禁卡", "{b}栋{e}单元门口"),
    ),
    "theft": (
        ("电动车在非机动车棚被盗，保安夜间巡逻不到位", "秩序部", "security", "要求调取监控并追回车辆", "{b}栋北侧车棚"),
    ),
    "leak_loss": (
        ("楼上漏水泡坏木地板和衣柜，物业处理不及时", "工程部", "engineering", "要求赔偿损失", "{u}"),
    ),
    "flood_cars": (
        ("暴雨后地下车库积水未及时排除，多辆车被泡", "工程部", "engineering", "要求赔偿车辆维修费用", "地下车库B{l}层"),
    ),
    "water_cut": (
        ("{b}栋连续两天停水未提前通知，多户业主联名投诉", "工程部", "engineering", "要求立即恢复供水并书面说明", "{b}栋"),
    ),
    "injury": (
        ("小孩在小区游乐设施处摔伤，滑梯螺丝松动", "环境部", "environment", "要求承担医药费并整改设施", "中心花园儿童游乐区"),
        ("老人在刚拖过的大堂地面滑倒受伤，现场未放警示牌", "环境部", "environment", "要求承担医药费并道歉", "{b}栋大堂"),
    ),
    "media": (
        ("业主将车库渗水问题发到本地论坛和短视频平台，引起关注", "工程部", "engineering", "要求限期整改并公开答复", "地下车库"),
    ),
}
_ORDINARY_THEMES = ("noise", "parking", "cleaning", "repair_service", "parcel", "fee", "elevator", "card", "theft")
_FACT_THEMES = {
    "loss": ("leak_loss", "flood_cars"),
    "collective": ("water_cut", "elevator"),
    "raised": ("noise", "elevator", "card", "cleaning"),
    "undelivered": ("elevator", "cleaning"),
    "injury": ("injury",),
    "media": ("media",),
}
# complaints whose matter is a repair also get a dispatch slip (派工)
_COMPLAINT_SLIP = {"leak_loss": _REPAIRS[0], "elevator": _REPAIRS[3], "repair_service": _REPAIRS[0]}
_COMPLAINT_REPLY = (
    "已安抚业主情绪并登记投诉，转{dept}处理，{h}小时内回复",
    "谢谢您的批评指正，已登记投诉并上报主管，处理结果尽快回复您",
    "您反映的问题我们会马上处理，并尽快给您回复，好吗？已登记投诉",
    "请您不要着急，已填写投诉单转{dept}跟进",
)
_SUGGESTIONS = (
    "建议在{b}栋门口增设快递柜", "建议增加儿童游乐设施", "建议延长游泳池开放时间",
    "建议在地下车库增加照明", "建议在小区内设置电动车集中充电点", "建议物业费账单每月公示明细",
    "建议在{b}栋楼道增加垃圾分类指引", "建议雨天在大堂门口放置防滑垫",
)
_SUGGESTION_REPLY = ("感谢您的建议，已记录并提交管理处", "谢谢，已转达相关部门研究", "这是我们应该做的，建议已登记")
_PRAISES = (
    "表扬工程部{tech}维修及时、服务热情", "表扬秩序部{guard}帮忙搬运重物", "表扬保洁阿姨把{b}栋楼道打扫得很干净",
    "表扬前台{staff}热情耐心", "表扬管家{staff}帮忙联系装修公司", "送锦旗感谢物业帮忙找回走失老人",
)
_PRAISE_REPLY = ("感谢业主认可，已转达本人并记入月度表扬", "谢谢您的鼓励，这是我们应该做的")
_OTHERS = (
    ("寄存钥匙一把，交由家政人员{h}点领取", "已登记钥匙托管，领取时核对身份证"),
    ("寄存快递一件，待业主下班领取", "已登记寄存，贴好标签"),
    ("在{b}栋大堂拾到钱包一个，交前台保管", "已登记拾遗物品，等待失主认领"),
    ("访客来访，找{u}业主", "已电话联系业主确认后放行"),
    ("询问失物招领，丢失一串钥匙", "已查询登记本，暂无，留下电话有消息再通知"),
    ("申请借用小推车搬家", "已登记借用，押金50元"),
    ("通知前台{d}日有家具送货上门", "已登记，通知秩序部放行"),
    ("外卖员询问{b}栋位置", "已指引路线"),
)
_FLAGGED_REPLY = ("不知道，您去问问工程部吧", "急什么，已经在处理了", "等一下，师傅还没回来")

_DUTY = (
    ("巡查大堂及前台区域，设施正常", "无异常"),
    ("接收快递{n}件，已登记寄存", "通知业主领取"),
    ("{b}栋{e}单元业主寄存钥匙", "已登记钥匙托管"),
    ("检查对讲机电量，更换电池", "对讲机正常"),
    ("收到{b}栋业主来信一封", "已登记并转客服主管"),
    ("消防控制室例行检查", "系统正常"),
    ("访客来访登记{n}人次", "均已电话核实"),
    ("{b}栋{e}单元楼道灯不亮", "已派工程部维修"),
    ("代收物业费现金{n}00元", "已开收据，交接时清点"),
)
_DUTY_NIGHT = (
    ("凌晨{h}点巡查地下车库", "一切正常"),
    ("{b}栋业主反映楼上噪音", "已通知秩序部上门劝导"),
    ("夜间{b}栋电梯困人一名", "五分钟内通知电梯维保，十五分钟后救出，无人受伤"),
    ("{b}栋北侧车棚电动车充电冒烟", "秩序部断电处理，已拍照上报"),
)
_ITEMS = (
    ("key", "{u}业主托管钥匙", 1, None),
    ("radio", "对讲机", 4, None),
    ("parcel", "寄存快递", 0, None),
    ("mail", "未发信件", 0, None),
    ("cash", "代收物业费现金", 1, 0),
    ("other", "借用小推车登记本", 1, None),
)
_INCIDENTS = (
    ("地下车库B{l}层", "暴雨导致地下车库进水，积水深约30厘米，{n}辆车受影响",
     "启动防汛预案，关闭车库入口，调水泵排水，通知车主挪车，逐车拍照", "", True),
    ("{b}栋{e}单元电梯", "{b}栋{e}单元电梯运行中突然停梯，困住业主两人",
     "立即通知电梯维保单位并安抚被困人员，20分钟后救出，无人受伤", "", False),
    ("{b}栋南侧道路", "高空坠物砸中停放车辆前挡风玻璃，车主报警",
     "拉警戒线，调取监控，协助民警取证，逐户排查", "110接警单号{p}", True),
    ("中心花园", "园林修剪作业时割断地下电缆，{b}栋部分楼层停电",
     "通知工程部抢修，2小时后恢复供电，逐户致歉", "", False),
)


# ------------------------------------------------------------ the filler ---


class _Values(dict):
    """Template values drawn on first use, so unused placeholders cost no random numbers."""

    def __init__(self, filler: "_Filler", unit: str, extra: dict | None):
        super().__init__(extra or {})
        self.f = filler
        self.unit = unit

    def __missing__(self, key: str):
        f = self.f
        unit = self.unit
        if key == "u":
            value = unit or f"{f.between(1, 12)}栋"
        elif key == "b":
            value = int(unit.split("栋", 1)[0]) if unit else f.between(1, 12)
        elif key == "e":
            value = int(unit.split("栋", 1)[1].split("单元", 1)[0]) if unit else f.between(1, 3)
        elif key == "f":
            value = f.between(2, 30)
        elif key == "n":
            value = f.between(1, 240)
        elif key == "l":
            value = f.between(1, 2)
        elif key == "m":
            value = f.between(1, 12)
        elif key == "d":
            value = f.between(1, 28)
        elif key == "h":
            value = f.between(9, 17)
        elif key == "tech":
            value = f.pick(_TECHS)
        elif key == "guard":
            value = f.pick(_GUARDS)
        elif key == "staff":
            value = f.pick(self.f.front_names)
        elif key == "dept":
            value = "工程部"
        elif key == "p":
            value = f"{f.below(10**8):08d}"
        else:
            raise KeyError(key)
        self[key] = value
        return value


def fill_demo(desk: Desk, *, calls: int = 3000, months: int = 6, seed: int = 7, now: datetime,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty database with demo records up to `now`; raises InputError if it already holds staff."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if calls < 0 or months < 1:
        raise ValueError("calls must be >= 0 and months >= 1")
    started = _time.perf_counter()
    with desk.engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(Staff.__table__)).scalar_one():
            raise InputError("err.demo_not_empty")
    filler = _Filler(desk, calls=calls, months=months, seed=seed, now=now.astimezone(UTC), progress=progress)
    summary = filler.run()
    return replace(summary, seconds=_time.perf_counter() - started)


def _months_back(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + (d.month - 1) - months, 12)
    m += 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


def _call_fts_sql() -> list[str]:
    """The migration's own CREATE statements for call_fts and its triggers."""
    mod = importlib.import_module("deskapp.storage.migrations.versions.0001_the_whole_desk_domain")
    return list(mod.CALL_FTS)


class _Filler:
    def __init__(self, desk: Desk, *, calls: int, months: int, seed: int, now: datetime,
                 progress: Callable[[int, int], None] | None):
        self.desk = desk
        self.tz = desk.tz
        self.policy = desk.policy
        self.rng = random.Random(seed)
        self.rand = self.rng.random
        self.total = calls
        self.now = now
        self.now_local = now.astimezone(self.tz)
        self.first_day = _months_back(self.now_local.date(), months)
        self.start = datetime.combine(self.first_day, time(), self.tz).astimezone(UTC)
        # local New Year instants, latest first: a record's year without astimezone per row
        self.new_years = [(datetime(y, 1, 1, tzinfo=self.tz).astimezone(UTC), y)
                          for y in range(self.now_local.year + 1, self.first_day.year - 2, -1)]
        self.year, self.year_from, self.year_until = 0, self.new_years[0][0], self.new_years[0][0]
        self.progress = progress
        self.counters: dict[tuple[str, int], int] = {}
        self.ids = {"call": 0, "complaint": 0, "slip": 0, "visit": 0, "shift": 0, "duty": 0,
                    "handover": 0, "item": 0, "incident": 0}
        self.buf: dict[str, list[dict]] = {k: [] for k in ("call", "complaint", "slip", "visit")}
        self.batch_no = 0
        self.written_calls = 0
        self.awaiting = {"repair": 0, "complaint": 0}
        self.forced_classes = ["critical", "major", "significant", "ordinary"]
        self.rng.shuffle(self.forced_classes)
        self.resident_seen: dict[int, datetime] = {}
        self.due_cache: dict[tuple[str, date], date] = {}
        self.calendar = None
        self.fts_rebuild = bool(is_sqlite(desk.engine) and _FTS_REBUILD_FROM is not None
                                and calls >= _FTS_REBUILD_FROM)

    # ------------------------------------------------------------ helpers

    def number(self, register: str, at: datetime) -> str:
        """The next number of a register for `at`'s local year (numbers are drawn in the order records are made)."""
        if not self.year_from <= at < self.year_until:
            for i, (start, y) in enumerate(self.new_years):
                if at >= start:
                    self.year, self.year_from = y, start
                    self.year_until = self.new_years[i - 1][0] if i else datetime.max.replace(tzinfo=UTC)
                    break
        year = self.year
        key = (register, year)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        return format_number(register, year, seq)

    # Faster than Random.choice/randint/randrange (which loop over getrandbits) and just as
    # deterministic; they matter at a million calls.
    def pick(self, seq):
        return seq[int(self.rand() * len(seq))]

    def between(self, a: int, b: int) -> int:
        return a + int(self.rand() * (b - a + 1))

    def below(self, n: int) -> int:
        return int(self.rand() * n)

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def write(self, conn: Connection, table, rows: list[dict]) -> None:
        for i in range(0, len(rows), 20_000):
            conn.execute(insert(table), rows[i:i + 20_000])

    def audit(self, conn: Connection, entity: str, detail: dict) -> None:
        self.batch_no += 1
        conn.execute(insert(AuditEvent.__table__), [{
            "at": self.now, "actor_id": self.sup.id, "action": "demo.fill", "entity": entity,
            "entity_id": None, "detail": json.dumps({"batch": self.batch_no, **detail}, ensure_ascii=False)}])

    @contextmanager
    def write_tx(self) -> Iterator[Connection]:
        """One write transaction (BEGIN IMMEDIATE) on the fill's own connection."""
        with self.conn.begin():
            yield self.conn

    def name(self) -> str:
        r = self.rng
        given = self.pick(_GIVEN) + (self.pick(_GIVEN) if r.random() < 0.7 else "")
        return self.pick(_SURNAMES) + given

    def phone(self, taken: set[str]) -> str:
        while True:
            p = "1" + self.pick("3456789") + str(self.below(10)) + f"{self.below(100_000_000):08d}"
            if p not in taken:
                taken.add(p)
                return p

    def visit_due(self, kind: str, completed_local: date) -> date:
        key = (kind, completed_local)
        due = self.due_cache.get(key)
        if due is None:
            if self.calendar is None:
                try:
                    self.calendar = WorkCalendar.load(self.desk.data_dir)
                except Exception:  # a broken calendar file must not stop a demo
                    self.calendar = WorkCalendar()
            try:
                due, _warning = return_visit_due(kind, completed_local, self.policy.return_visit, self.calendar)
            except Exception:
                due = completed_local + timedelta(days=2)
            self.due_cache[key] = due
        return due

    def fmt(self, template: str, unit: str, extra: dict | None = None) -> str:
        """Fill a template; only the placeholders it uses draw random numbers."""
        return template.format_map(_Values(self, unit, extra))

    # ------------------------------------------------------------ run

    def run(self) -> DemoSummary:
        self.setup_people(self.start - timedelta(days=1))
        with self.desk.engine.execution_options(deskapp_write=True).connect() as conn:
            self.conn = conn
            # A bigger page cache while the indexes grow, put back afterwards. On the DBAPI
            # connection: through SQLAlchemy the PRAGMA would open (autobegin) a transaction.
            raw = conn.connection.dbapi_connection if is_sqlite(self.desk.engine) else None
            if raw is not None:
                cache = raw.execute("PRAGMA cache_size").fetchone()[0]
                raw.execute(f"PRAGMA cache_size = {-_FILL_CACHE_KIB}")
            try:
                self.fill()
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA cache_size = {int(cache)}")
                self.conn = None
        return DemoSummary(
            accounts=ACCOUNTS, staff=len(ACCOUNTS), departments=len(DEPARTMENTS), units=len(self.units),
            residents=len(self.residents), calls=self.ids["call"], complaints=self.ids["complaint"],
            slips=self.ids["slip"], visits=self.ids["visit"], shifts=self.ids["shift"],
            duty_entries=self.ids["duty"], handovers=self.ids["handover"], handover_items=self.ids["item"],
            incidents=self.ids["incident"], start=self.start, end=self.now, fts_rebuilt=self.fts_rebuild)

    def fill(self) -> None:
        self.setup_places()
        self.plan_shifts()
        if self.fts_rebuild:
            with self.write_tx() as conn:
                for trig in ("call_fts_ai", "call_fts_ad", "call_fts_au"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trig}")
        try:
            self.generate_calls()
        finally:
            if self.fts_rebuild:
                with self.write_tx() as conn:
                    conn.exec_driver_sql("INSERT INTO call_fts(call_fts) VALUES('rebuild')")
                    for stmt in _call_fts_sql():
                        if stmt.lstrip().upper().startswith("CREATE TRIGGER"):
                            conn.exec_driver_sql(stmt)
        self.write_rest()
        if self.conn.dialect.name == "postgresql":
            # ids were given explicitly: move each table's id sequence past them
            with self.write_tx() as conn:
                for table in _ID_TABLES:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")

    # ------------------------------------------------------------ people and places

    def setup_people(self, at: datetime) -> None:
        actors: dict[str, Actor] = {}
        sup = add_staff(self.desk, name=SUPERVISOR.name, role=SUPERVISOR.role, pin=SUPERVISOR.pin, actor=None, now=at)
        actors[sup.name] = sup
        for acc in ACCOUNTS[1:]:
            actors[acc.name] = add_staff(self.desk, name=acc.name, role=acc.role, pin=acc.pin, actor=sup, now=at)
        self.sup = sup
        self.manager = actors["李经理"]
        self.gm = actors["赵总"]
        self.front = [actors[a.name] for a in ACCOUNTS if a.role in ("receptionist", "concierge")]
        self.front_names = [a.name for a in self.front]

    def setup_places(self) -> None:
        r = self.rng
        today = self.now_local.date()
        self.dept = {}
        dept_rows = []
        for i, (name, kind, phone) in enumerate(DEPARTMENTS, start=1):
            self.dept[kind] = i
            dept_rows.append({"id": i, "name": name, "kind": kind, "phone": phone, "active": True})
        self.units: list[str] = []
        self.unit_id: dict[str, int] = {}
        self.warranty: dict[int, date | None] = {}
        unit_rows = []
        for b in range(1, 13):
            # buildings 10-12 were handed over last year: still in the builder's warranty (维保期)
            until = date(today.year + 1, 6, 30) if b >= 10 else date(today.year - 3, 6, 30)
            self.warranty[b] = until
            for e in range(1, 4):
                for f in range(1, 31):
                    for room in range(1, 5):
                        code = f"{b}栋{e}单元{f}{room:02d}"
                        uid = len(unit_rows) + 1
                        self.units.append(code)
                        self.unit_id[code] = uid
                        unit_rows.append({"id": uid, "code": code, "building": str(b), "entrance": str(e),
                                          "room": f"{f}{room:02d}", "warranty_until": until})
        n_res = max(200, min(6000, self.total // 4))
        taken: set[str] = set()
        self.residents: list[tuple[int, str, str, str]] = []  # id, name, phone, unit
        res_rows = []
        homes = r.sample(self.units, min(len(self.units), int(n_res / 1.25) + 1))
        while len(res_rows) < n_res:
            unit = homes[len(res_rows) % len(homes)]
            rid = len(res_rows) + 1
            nm, ph = self.name(), self.phone(taken)
            self.residents.append((rid, nm, ph, unit))
            res_rows.append({"id": rid, "name": nm, "phone": ph, "unit_id": self.unit_id[unit], "last_seen_at": None})
        self.phones_taken = taken
        with self.write_tx() as conn:
            self.write(conn, Department.__table__, dept_rows)
            self.write(conn, Unit.__table__, unit_rows)
            self.write(conn, Resident.__table__, res_rows)
            self.audit(conn, "unit", {"departments": len(dept_rows), "units": len(unit_rows),
                                      "residents": len(res_rows)})

    # ------------------------------------------------------------ shifts

    def plan_shifts(self) -> None:
        """Day shift 08:00-20:00, night shift 20:00-08:00, one front-desk person each (rota)."""
        self.shifts: list[tuple[datetime, datetime, str, date, int]] = []  # start, end, kind, duty date, staff id
        d = self.first_day - timedelta(days=1)  # its night shift covers the first morning
        while d <= self.now_local.date():
            for kind, hour in (("day", 8), ("night", 20)):
                start = datetime.combine(d, time(hour), self.tz).astimezone(UTC)
                if start > self.now or (kind == "day" and d < self.first_day):
                    continue
                staff = self.front[len(self.shifts) % len(self.front)].id
                self.shifts.append((start, start + timedelta(hours=12), kind, d, staff))
            d += timedelta(days=1)
        self.shift_starts = [s[0] for s in self.shifts]

    def on_duty(self, at: datetime) -> int:
        i = bisect_right(self.shift_starts, at) - 1
        return self.shifts[max(i, 0)][4]

    # ------------------------------------------------------------ calls

    def day_plan(self) -> list[tuple[date, int]]:
        r = self.rng
        days: list[date] = []
        d = self.first_day
        today = self.now_local.date()
        while d <= today:
            days.append(d)
            d += timedelta(days=1)
        if (self.now - datetime.combine(today, time(), self.tz)).total_seconds() < 600:
            days.pop()  # today has barely begun: nothing to log yet
        total_w = sum(_HOURS)
        weights = []
        for d in days:
            w = (0.85 if d.weekday() >= 5 else 1.0) * r.uniform(0.8, 1.2)
            if d == today:
                h = self.now_local.hour
                w *= (sum(_HOURS[:h]) + _HOURS[h] * self.now_local.minute / 60) / total_w
            weights.append(w)
        s = sum(weights) or 1.0
        shares = [w / s * self.total for w in weights]
        counts = [int(x) for x in shares]
        rest = self.total - sum(counts)
        order = sorted(range(len(days)), key=lambda i: (counts[i] - shares[i], i))
        for i in order[:rest]:
            counts[i] += 1
        return list(zip(days, counts))

    def generate_calls(self) -> None:
        r = self.rng
        hours = list(range(24))
        for day, k in self.day_plan():
            if not k:
                continue
            base = datetime.combine(day, time(), self.tz).astimezone(UTC)
            limit = int((self.now - base).total_seconds()) - 60  # nothing in the last minute
            cum = list(accumulate(_HOURS))
            if limit < 86_400:  # today: only hours already begun
                last_h = min(23, limit // 3600)
                cum = cum[:last_h + 1]
            secs = []
            for h in r.choices(hours[:len(cum)], cum_weights=cum, k=k):
                s = h * 3600 + self.below(3600)
                while s > limit:
                    s = self.below(max(limit, 1))
                secs.append(s)
            secs.sort()
            for s in secs:
                self.make_call(base + timedelta(seconds=s))
                if len(self.buf["call"]) >= BATCH_CALLS:
                    self.flush()
        self.flush()

    def make_call(self, at: datetime) -> None:
        r = self.rng
        cid = self.next_id("call")
        category = CATEGORIES[bisect_right(_CATEGORY_W, r.random() * _CATEGORY_W[-1])]
        cw = _CHANNEL_W[category]
        channel = CHANNELS[min(3, bisect_right(cw, r.random() * cw[-1]))]
        x = r.random()
        resident_id = None
        if x < 0.88:
            resident_id, name, phone, unit = self.residents[int(r.random() ** 1.6 * len(self.residents))]
            self.resident_seen[resident_id] = at
        elif x < 0.95:
            name, phone, unit = self.name(), "", self.pick(self.units)
        else:
            name, phone, unit = self.pick(_SURNAMES) + self.pick(("先生", "女士")), "", ""
        if channel == "letter":
            phone, resident_id = "", None
        owner = self.on_duty(at) if r.random() < 0.8 else self.pick(self.front).id
        lead = self.pick(_LEAD)
        status = "done"
        flagged = ""
        # the last few dozen calls (the last hours) may still wait for their slip or complaint
        recent = cid > self.total - max(30, self.total // 2000) and self.now - at < timedelta(days=2)
        due_by = None
        if category == "enquiry":
            content, reply = self.pick(_ENQUIRY)
            content, reply = self.fmt(content, unit), self.fmt(reply, unit)
        elif category == "repair":
            spec = self.pick(_REPAIRS)
            if not unit and not spec[5]:
                unit = self.pick(self.units)
            dept_kind = spec[2]
            if spec[1] in _WARRANTY_ITEMS and unit and self.warranty[int(unit.split("栋")[0])] >= at.date():
                dept_kind = "contractor"
            dept_name = DEPARTMENTS[self.dept[dept_kind] - 1][0]
            tech = self.pick(_TECHS)
            content = self.fmt(spec[0], unit)
            reply = self.fmt(self.pick(_REPAIR_REPLY), unit, {"dept": dept_name, "tech": tech})
            if recent and r.random() < 0.6 and self.awaiting["repair"] < 6:
                self.awaiting["repair"] += 1
                status = "awaiting_slip"
                due_by = at + timedelta(minutes=self.policy.slip.notify_minutes)
                reply = "已登记报修，稍后开具派工单"
            else:
                status = "slipped"
                self.make_slip(at, cid, None, name, phone, unit, spec, dept_kind, tech)
        elif category == "complaint":
            if not unit:
                unit = self.pick(self.units)
            if recent and r.random() < 0.6 and self.awaiting["complaint"] < 4:
                self.awaiting["complaint"] += 1
                status = "awaiting_complaint"
                due_by = at + timedelta(minutes=self.policy.complaint.forward_minutes)
                theme = _COMPLAINT_THEMES[self.pick(_ORDINARY_THEMES)][0]
                content = self.fmt(theme[0], unit)
                reply = "已安抚业主，稍后填写投诉单"
            else:
                status = "complained"
                content, dept_name = self.make_complaint(at, cid, channel, name, phone, unit, owner)
                reply = self.fmt(self.pick(_COMPLAINT_REPLY), unit, {"dept": dept_name or "客服主管"})
        elif category == "suggestion":
            content, reply = self.fmt(self.pick(_SUGGESTIONS), unit), self.pick(_SUGGESTION_REPLY)
        elif category == "praise":
            content, reply = self.fmt(self.pick(_PRAISES), unit), self.pick(_PRAISE_REPLY)
        else:
            c, rp = self.pick(_OTHERS)
            content, reply = self.fmt(c, unit), self.fmt(rp, unit)
        content = lead + content
        if r.random() < 0.002:
            reply = self.pick(_FLAGGED_REPLY)
            flagged = "、".join(find_phrases(reply, list(self.desk.phrases.forbidden)))
        self.buf["call"].append({
            "id": cid, "number": self.number("call", at), "at": at, "channel": channel, "category": category,
            "caller_name": name, "phone": phone, "unit_code": unit, "resident_id": resident_id,
            "content": content, "reply": reply, "owner_id": owner, "status": status, "due_by": due_by,
            "flagged_phrases": flagged})

    # ------------------------------------------------------------ slips and visits

    def make_slip(self, at: datetime, call_id: int | None, complaint_id: int | None, name: str, phone: str,
                  unit: str, spec: tuple, dept_kind: str, tech: str) -> None:
        r = self.rng
        now = self.now
        sp = self.policy.slip
        sid = self.next_id("slip")
        created = at + timedelta(seconds=self.between(40, 240))
        warranty = dept_kind == "contractor"
        fee_item, fee = spec[3], spec[4]
        chargeable = bool(fee_item) and not warranty
        in_schedule = not (chargeable and r.random() < 0.08)
        appointment = None
        notify_by = created + timedelta(minutes=sp.notify_minutes)
        notified = created + timedelta(seconds=self.between(30, 280) if r.random() < 0.93 else self.between(300, 900))
        accepted = notified + timedelta(seconds=self.between(60, 600))
        if r.random() < 0.25:
            local = accepted.astimezone(self.tz) + timedelta(hours=self.between(2, 30))
            local = local.replace(hour=self.between(9, 17), minute=self.pick((0, 30)), second=0, microsecond=0)
            appointment = max(local, accepted.astimezone(self.tz) + timedelta(hours=1)).astimezone(UTC)
        assess_by = None if in_schedule else accepted + timedelta(minutes=sp.assess_minutes)
        start = accepted if in_schedule else accepted + timedelta(minutes=self.between(5, 14))
        if appointment is not None:
            on_site_by = appointment - timedelta(minutes=sp.before_appointment_minutes)
        else:
            on_site_by = start + timedelta(minutes=sp.onsite_minutes)
        arrived = on_site_by - timedelta(seconds=self.between(-300, 600) if r.random() < 0.1 else self.between(0, 600))
        arrived = max(arrived, accepted + timedelta(minutes=2))
        completed = arrived + timedelta(minutes=self.between(15, 120))
        refused = r.random() < 0.02 and chargeable
        signed = completed + timedelta(seconds=self.between(60, 300))
        materials, check = "", ""
        if chargeable and r.random() < 0.1:
            materials = self.pick(("客户自购水龙头", "客户自购锁芯", "客户自购角阀", "客户自购灯具"))
            check = r.choices(("pass", "poor", "fail"), (80, 15, 5))[0]
        row = {
            "id": sid, "number": self.number("slip", created), "created_at": created, "call_id": call_id,
            "complaint_id": complaint_id, "customer_name": name, "unit_code": unit, "phone": phone, "item": spec[1],
            "appointment_at": appointment, "photos": f"photos/slip-{sid}-1.jpg" if r.random() < 0.2 else "",
            "chargeable": chargeable, "fee_item": fee_item if chargeable else "", "fee_yuan": Decimal(fee if chargeable else 0),
            "in_fee_schedule": in_schedule, "under_warranty": warranty, "department_id": self.dept[dept_kind],
            "technician": tech, "work_done": "", "work_fee_yuan": None, "materials": materials,
            "materials_check": check, "remarks": "", "customer_signed": False, "signed_at": None,
            "owner_id": self.on_duty(at), "notify_by": notify_by, "notified_at": None, "accepted_at": None,
            "assess_by": None, "on_site_by": None, "arrived_at": None, "completed_at": None, "refused_reason": "",
            "fee_collected": False, "payment_method": "", "printed_count": 1, "status": "open",
        }
        if notified <= now:
            row["notified_at"] = notified
        if accepted <= now:
            row.update(accepted_at=accepted, assess_by=assess_by, on_site_by=on_site_by, status="accepted")
        if arrived <= now and accepted <= now:
            row["arrived_at"] = arrived
        if completed <= now and accepted <= now:
            if refused:
                row.update(status="refused", refused_reason=self.pick(("客户不同意收费", "客户认为收费过高，暂不维修")),
                           remarks="主管已签字确认，前台立案存档", completed_at=completed)
                return self.buf["slip"].append(row)
            if material_fail := (check == "fail"):
                row["remarks"] = "客户自购材料不合格，已告知客户更换"
            row.update(status="done", completed_at=completed, customer_signed=True, signed_at=min(signed, now),
                       work_done="已按派工内容完成" if not material_fail else "更换为物业提供材料后完成")
            if chargeable:
                row.update(fee_collected=True, payment_method=self.pick(("cash", "card")), work_fee_yuan=Decimal(fee))
            self.buf["slip"].append(row)
            self.make_visit("repair", completed, None, sid, unit, phone)
            return
        self.buf["slip"].append(row)

    def make_visit(self, kind: str, completed: datetime, complaint_id: int | None, slip_id: int | None,
                   unit: str, phone: str) -> str:
        """A return visit for finished work; returns its status."""
        r = self.rng
        vid = self.next_id("visit")
        due = self.visit_due(kind, completed.astimezone(self.tz).date())
        row = {"id": vid, "number": self.number("visit", completed), "kind": kind, "complaint_id": complaint_id,
               "slip_id": slip_id, "unit_code": unit, "phone": phone, "due_on": due, "visited_at": None,
               "visitor_id": None, "quality": "", "effect": "", "satisfaction": "", "shortcomings": "",
               "suggestions": "", "customer_confirmed": False, "supervisor_remark": "", "reviewed_by": None,
               "status": "due"}
        day = completed.astimezone(self.tz).date() + timedelta(days=1)
        if r.random() < 0.9:
            day = min(day + timedelta(days=self.between(0, 1)), due)
        else:
            day = due + timedelta(days=self.between(1, 3))  # a few late
        visited = datetime.combine(day, time(self.between(9, 17), self.below(60)), self.tz).astimezone(UTC)
        if visited <= self.now:
            sat = r.choices(("satisfied", "basically", "unsatisfied"), (85, 12, 3))[0]
            if kind == "major":
                visitor = self.pick((self.manager.id, self.gm.id))
            elif kind == "complaint":
                visitor = self.pick((self.sup.id, self.pick(self.front).id))
            else:
                visitor = self.pick(self.front).id
            row.update(visited_at=visited, visitor_id=visitor, customer_confirmed=True, status="done",
                       satisfaction=sat,
                       quality={"satisfied": "维修质量好", "basically": "基本解决", "unsatisfied": "问题仍未彻底解决"}[sat],
                       effect={"satisfied": "使用正常", "basically": "效果一般", "unsatisfied": "仍有问题"}[sat],
                       shortcomings="" if sat == "satisfied" else self.pick(("上门时间偏晚", "现场未清理干净", "沟通不够及时")),
                       suggestions=self.pick(("", "", "希望提前电话告知上门时间", "希望加快处理速度")))
            if self.now - visited > timedelta(days=7) and r.random() < 0.7:
                row.update(status="reviewed", reviewed_by=self.sup.id,
                           supervisor_remark="不满意，已转投诉处理" if sat == "unsatisfied" else "记录完整，已核")
        self.buf["visit"].append(row)
        return row["status"]

    # ------------------------------------------------------------ complaints

    def complaint_class(self) -> tuple[str, str]:
        """(severity it should come out as, which fact makes it so)."""
        r = self.rng
        if self.forced_classes:
            sev = self.forced_classes.pop()
        else:
            x = r.random() * 100
            sev = "ordinary"
            for code, w in _SEVERITY_W:
                if x < w:
                    sev = code
                    break
                x -= w
        if sev != "ordinary" and r.random() < 0.06:
            return sev, "mishandled"  # an earlier complaint of the class below was mishandled
        fact = {
            "ordinary": "none",
            "significant": self.pick(("loss", "raised", "raised", "injury", "media")),
            "major": self.pick(("loss", "undelivered", "injury", "media")),
            "critical": self.pick(("loss", "collective", "collective")),
        }[sev]
        return sev, fact

    def make_complaint(self, at: datetime, call_id: int, channel: str, name: str, phone: str, unit: str,
                       owner: int) -> tuple[str, str]:
        r = self.rng
        sev, fact = self.complaint_class()
        loss, complainants, injury, media_days, media_outlets, raised, undelivered = 0, 1, "none", 0, 0, 0, False
        mishandled = None
        if fact in ("none", "mishandled"):
            theme_key = self.pick(_ORDINARY_THEMES)
            raised = self.pick((0, 0, 0, 1, 2))
        else:
            theme_key = self.pick(_FACT_THEMES[fact])
        if fact == "loss":
            loss = {"significant": self.between(12, 99) * 100, "major": self.between(12, 95) * 1000,
                    "critical": self.between(11, 30) * 10_000}[sev]
        elif fact == "raised":
            raised = self.between(3, 9)
        elif fact == "undelivered":
            raised, undelivered = self.between(10, 14), True
        elif fact == "injury":
            injury = "minor" if sev == "significant" else "serious"
        elif fact == "media":
            if sev == "significant":
                media_days, media_outlets = 1, 1
            else:
                media_days, media_outlets = self.pick(((2, 1), (3, 2), (1, 3), (4, 3)))
        elif fact == "collective":
            complainants = self.between(10, 36)
        elif fact == "mishandled":
            mishandled = Severity.from_code(sev) - 1
        facts = ComplaintFacts(loss_yuan=loss, complainants=complainants, injury=injury, media_days=media_days,
                               media_outlets=media_outlets, times_raised_unhandled=raised,
                               service_not_delivered=undelivered,
                               mishandled_from=Severity(mishandled) if mishandled is not None else None)
        cls = classify(facts, self.policy.severity)
        severity = cls.severity
        theme = self.pick(_COMPLAINT_THEMES[theme_key])
        content = self.fmt(theme[0], unit)
        if loss:
            content += f"，损失约{loss}元"
        if complainants > 1:
            content += f"，共{complainants}户联名"
        if raised >= 3:
            content += f"，已反映{raised}次未处理"
        if media_days or media_outlets:
            content += f"，已有{max(media_outlets, 1)}家媒体报道{max(media_days, 1)}天"
        subject = self.fmt(theme[1], unit)
        dept_kind = theme[2]
        dept_id = self.dept.get(dept_kind) if dept_kind else None
        dept_name = DEPARTMENTS[dept_id - 1][0] if dept_id else ""
        agreed = None
        if severity >= Severity.MAJOR and (severity == Severity.CRITICAL or r.random() < 0.3):
            agreed = at + timedelta(days=self.between(3, 10))
        customer = at + timedelta(hours=self.between(4, 10)) if severity == Severity.ORDINARY and r.random() < 0.1 else None
        dl = complaint_deadlines(severity, at, self.policy.complaint, customer_deadline=customer,
                                 agreed_deadline=agreed, tz=self.tz, allow_undetermined=True)
        comp_id = self.next_id("complaint")

        def within(start: datetime, by: datetime, late: float = 0.05) -> datetime:
            span = max(60.0, (by - start).total_seconds())
            if r.random() < late:
                return by + timedelta(seconds=r.uniform(0.05, 0.5) * span)
            return start + timedelta(seconds=r.uniform(0.1, 0.9) * span)

        responded = within(at, dl.respond_by)
        forwarded = within(at, dl.forward_by) if dept_id else None
        reported = within(at, dl.report_by) if dl.report_by else None
        complete_by = dl.complete_by or (at + timedelta(days=5))
        completed = within(responded, complete_by, late=0.08)
        replied = completed + timedelta(minutes=self.between(10, 240))  # the result, told the same day
        now = self.now
        row = {
            "id": comp_id, "number": self.number("complaint", at), "received_at": at, "channel": channel,
            "call_id": call_id, "customer_name": name, "phone": phone, "unit_code": unit,
            "occurred_at": at - timedelta(minutes=self.between(10, 2 * 24 * 60)), "place": self.fmt(theme[4], unit),
            "subject": subject, "description": content, "customer_request": theme[3], "owner_id": owner,
            "loss_yuan": Decimal(loss), "complainants": complainants, "deaths": 0, "injury": injury,
            "media_days": media_days, "media_outlets": media_outlets, "times_raised": raised,
            "service_not_delivered": undelivered, "severity": severity.code, "severity_rules": ",".join(cls.rules),
            "escalations": 1 if mishandled is not None else 0, "customer_deadline": customer or agreed,
            "respond_by": dl.respond_by, "forward_by": dl.forward_by, "report_by": dl.report_by,
            "reply_by": dl.reply_by, "complete_by": dl.complete_by, "responded_at": None, "forwarded_at": None,
            "department_id": dept_id, "reported_at": None, "replied_at": None, "completed_at": None,
            "result": "", "status": "open",
        }
        if responded <= now:
            row["responded_at"] = responded
        if forwarded and forwarded <= now:
            row.update(forwarded_at=forwarded, status="forwarded")
        if reported and reported <= now:
            row["reported_at"] = reported
        slip_spec = _COMPLAINT_SLIP.get(theme_key) if r.random() < 0.5 else None
        if completed <= now:
            row.update(completed_at=completed, status="done", result=self.pick((
                "已协调处理完毕，业主表示认可", "已整改并向业主致歉", "已按约定赔偿并书面答复", "已处理，业主基本满意")))
            if replied <= now:
                row["replied_at"] = replied
        self.buf["complaint"].append(row)
        if slip_spec is not None:
            self.make_slip(at + timedelta(minutes=self.between(3, 15)), None, comp_id, name, phone, unit,
                           slip_spec, "engineering", self.pick(_TECHS))
        if row["completed_at"] is not None:
            kind = "major" if severity >= Severity.MAJOR else "complaint"
            if self.make_visit(kind, completed, comp_id, None, unit, phone) in ("done", "reviewed"):
                row["status"] = "closed"
        return content, dept_name

    # ------------------------------------------------------------ writing

    def flush(self) -> None:
        if not any(self.buf.values()):
            return
        n = len(self.buf["call"])
        with self.write_tx() as conn:
            self.write(conn, Call.__table__, self.buf["call"])
            self.write(conn, Complaint.__table__, self.buf["complaint"])
            self.write(conn, DispatchSlip.__table__, self.buf["slip"])
            self.write(conn, ReturnVisit.__table__, self.buf["visit"])
            first = self.buf["call"][0]["number"] if n else ""
            last = self.buf["call"][-1]["number"] if n else ""
            self.audit(conn, "call", {"calls": n, "first": first, "last": last,
                                      "complaints": len(self.buf["complaint"]), "slips": len(self.buf["slip"]),
                                      "visits": len(self.buf["visit"])})
        for rows in self.buf.values():
            rows.clear()
        self.written_calls += n
        if self.progress is not None:
            self.progress(self.written_calls, self.total)

    def write_rest(self) -> None:
        r = self.rng
        shift_rows, duty_rows, hand_rows, item_rows = [], [], [], []
        ids = []
        for start, end, kind, duty_date, staff_id in self.shifts:
            sid = self.next_id("shift")
            ids.append(sid)
            shift_rows.append({"id": sid, "number": self.number("shift", start), "kind": kind, "duty_date": duty_date,
                               "started_at": start, "ended_at": end if end <= self.now else None,
                               "staff_id": staff_id})
            pool = _DUTY + (_DUTY_NIGHT if kind == "night" else ())
            for _ in range(self.between(3, 8)):
                at = start + timedelta(seconds=self.below(12 * 3600))
                if at > self.now:
                    continue
                what, action = self.pick(pool)
                unit = self.pick(self.units)
                duty_rows.append({"id": self.next_id("duty"), "shift_id": sid, "at": at,
                                  "what": self.fmt(what, unit, {"h": self.between(1, 5)}), "action": self.fmt(action, unit),
                                  "major": what.startswith("夜间") or "冒烟" in what, "staff_id": staff_id})
        duty_rows.sort(key=lambda row: (row["at"], row["id"]))
        for i, row in enumerate(duty_rows, start=1):
            row["id"] = i
        for i, (start, end, kind, duty_date, staff_id) in enumerate(self.shifts):
            if end > self.now or i + 1 >= len(self.shifts):
                continue
            nxt = self.shifts[i + 1]
            hid = self.next_id("handover")
            received = end + timedelta(minutes=self.between(2, 12))
            row = {"id": hid, "number": self.number("handover", end), "from_shift_id": ids[i],
                   "to_shift_id": ids[i + 1], "unfinished": self.pick((
                       "无", "无", f"{self.pick(self.units)}报修待工程部回复", "夜间噪音投诉待白班回访",
                       f"{self.between(2, 9)}件快递待业主领取", "寄存钥匙一把待家政领取")),
                   "handed_by": staff_id, "handed_at": end, "received_by": nxt[4], "received_at": None,
                   "reviewed_by": None, "reviewed_at": None, "review_remark": "", "status": "handed"}
            if received <= self.now:
                row.update(received_at=received, status="received")
                if kind == "night" and r.random() < 0.6:
                    reviewed = end + timedelta(minutes=self.between(60, 150))
                    if reviewed <= self.now:
                        row.update(reviewed_by=self.sup.id, reviewed_at=reviewed, status="reviewed",
                                   review_remark=self.pick(("夜班记录完整，物品已核对", "已核对交接物品，无遗漏",
                                                           "请补充夜间巡查时间")))
            hand_rows.append(row)
            for kind_i, desc, qty, amount in r.sample(_ITEMS, self.between(2, 4)):
                q = qty or self.between(1, 12)
                item_rows.append({"id": self.next_id("item"), "handover_id": hid, "kind": kind_i,
                                  "description": self.fmt(desc, self.pick(self.units)), "quantity": q,
                                  "amount_yuan": Decimal(self.between(2, 30) * 100) if amount is not None else None,
                                  "checked": row["received_at"] is not None, "note": ""})
        incidents = []
        n_inc = max(2, min(4, (self.now - self.start).days // 60 + 1))
        for k, (place, details, action, police, major) in enumerate(r.sample(_INCIDENTS, n_inc)):
            span = (self.now - self.start).total_seconds()
            occurred = self.start + timedelta(seconds=span * (k + r.random()) / n_inc * 0.95)
            reported = occurred + timedelta(hours=self.between(1, 10) if major else self.between(2, 20))
            reported = min(reported, self.now)
            unit = self.pick(self.units)
            incidents.append((occurred, {
                "place": self.fmt(place, unit), "details": self.fmt(details, unit), "action": action,
                "police_file": self.fmt(police, unit), "occurred_at": occurred, "reported_at": reported,
                "photos": "\n".join(f"photos/incident-{k + 1}-{j}.jpg" for j in range(1, self.between(2, 4))),
                "remarks": "已通知保险公司" if major else "", "problems": "夜间巡查频次不足" if major else "",
                "major": major, "report_by": occurred + timedelta(hours=12 if major else 24),
                "reported_by": self.sup.id}))
        inc_rows = []
        for occurred, row in sorted(incidents, key=lambda x: x[0]):
            row["id"] = self.next_id("incident")
            row["number"] = self.number("incident", row["reported_at"])
            inc_rows.append(row)
        seq_rows = [{"register_key": reg, "year": year, "last": last}
                    for (reg, year), last in sorted(self.counters.items())]
        with self.write_tx() as conn:
            self.write(conn, Shift.__table__, shift_rows)
            self.write(conn, DutyLogEntry.__table__, duty_rows)
            self.write(conn, Handover.__table__, hand_rows)
            self.write(conn, HandoverItem.__table__, item_rows)
            self.write(conn, IncidentReport.__table__, inc_rows)
            if self.resident_seen:
                tbl = Resident.__table__
                conn.execute(update(tbl).where(tbl.c.id == bindparam("rid")).values(last_seen_at=bindparam("seen")),
                             [{"rid": k, "seen": v} for k, v in sorted(self.resident_seen.items())])
            self.write(conn, NumberSequence.__table__, seq_rows)
            self.audit(conn, "shift", {"shifts": len(shift_rows), "duty_entries": len(duty_rows),
                                       "handovers": len(hand_rows), "items": len(item_rows),
                                       "incidents": len(inc_rows),
                                       "sequences": {f"{k[0]}-{k[1]}": v for k, v in sorted(self.counters.items())}})
