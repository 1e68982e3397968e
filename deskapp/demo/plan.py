"""The demo site and its months of calls, drawn from one seed (no I/O).

Everything random comes from one `random.Random(seed)` consumed in a fixed
order, so the same seed and `now` give the same site and the same calls,
whichever path then writes them.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from typing import Iterator
from zoneinfo import ZoneInfo

from deskapp.core.codes import CATEGORIES, CHANNELS
from deskapp.demo import words
from deskapp.services.calls import CallDraft
from deskapp.services.reference import UnitDraft

UTC = timezone.utc


@dataclass(frozen=True)
class DemoAccount:
    name: str
    role: str
    pin: str


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
# The front desk's rota: one of them on each 12-hour shift logs its calls.
FRONT = tuple(a for a in ACCOUNTS if a.role in ("receptionist", "concierge"))

# name, kind, phone
DEPARTMENTS = (
    ("工程部", "engineering", "8001"),
    ("秩序部", "security", "8002"),
    ("环境部", "environment", "8003"),
    ("华建维保单位", "contractor", "400-820-6688"),
)

BUILDINGS, ENTRANCES, FLOORS, ROOMS = 12, 3, 30, 4


@dataclass(frozen=True)
class CallBatch:
    """The calls of one shift, logged by the person on duty; `now` is when the last was logged."""

    logged_by: str
    drafts: list[CallDraft]
    now: datetime


def months_back(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + (d.month - 1) - months, 12)
    m += 1
    last = (date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


class _Values(dict):
    """Template values drawn on first use, so unused placeholders cost no random numbers."""

    def __init__(self, plan: "Plan", unit: str, extra: dict | None):
        super().__init__(extra or {})
        self.plan = plan
        self.unit = unit

    def __missing__(self, key: str):
        p, unit = self.plan, self.unit
        if key == "u":
            value = unit or f"{p.between(1, BUILDINGS)}栋"
        elif key == "b":
            value = int(unit.split("栋", 1)[0]) if unit else p.between(1, BUILDINGS)
        elif key == "e":
            value = int(unit.split("栋", 1)[1].split("单元", 1)[0]) if unit else p.between(1, ENTRANCES)
        elif key == "f":
            value = p.between(2, FLOORS)
        elif key == "n":
            value = p.between(1, 240)
        elif key == "l":
            value = p.between(1, 2)
        elif key == "m":
            value = p.between(1, 12)
        elif key == "d":
            value = p.between(1, 28)
        elif key == "h":
            value = p.between(9, 17)
        elif key == "tech":
            value = p.pick(words.TECHS)
        elif key == "guard":
            value = p.pick(words.GUARDS)
        elif key == "staff":
            value = p.pick(FRONT).name
        elif key == "dept":
            value = "工程部"
        else:
            raise KeyError(key)
        self[key] = value
        return value


class Plan:
    """`calls` calls spread over the `months` months before `now`, shift by shift."""

    def __init__(self, *, calls: int, months: int, seed: int, now: datetime, tz: ZoneInfo, shift_plan=None):
        self.total = calls
        self.now = now.astimezone(UTC)
        self.tz = tz
        # The site's shift plan (policy.toml [shift]; a ShiftPolicy), the default plan if none is given.
        self.shift_plan = shift_plan
        self.rng = random.Random(seed)
        self.rand = self.rng.random
        self.now_local = self.now.astimezone(tz)
        self.first_day = months_back(self.now_local.date(), months)
        self.start = datetime.combine(self.first_day, time(), tz).astimezone(UTC)
        self.units = [f"{b}栋{e}单元{f}{r:02d}" for b in range(1, BUILDINGS + 1) for e in range(1, ENTRANCES + 1)
                      for f in range(1, FLOORS + 1) for r in range(1, ROOMS + 1)]
        self.callers = self._callers(max(200, min(6000, calls // 4)))

    # Faster than Random.choice/randint (which loop over getrandbits), just as
    # deterministic; they matter at a million calls.
    def pick(self, seq):
        return seq[int(self.rand() * len(seq))]

    def between(self, a: int, b: int) -> int:
        return a + int(self.rand() * (b - a + 1))

    def below(self, n: int) -> int:
        return int(self.rand() * n)

    def fmt(self, template: str, unit: str, extra: dict | None = None) -> str:
        return template.format_map(_Values(self, unit, extra))

    # ------------------------------------------------------------ the site

    def unit_drafts(self) -> list[UnitDraft]:
        """Every household unit; buildings 10-12 were handed over last year and are still in warranty."""
        year = self.now_local.year
        drafts = []
        for code in self.units:
            building = int(code.split("栋", 1)[0])
            until = date(year + 1, 6, 30) if building >= 10 else date(year - 3, 6, 30)
            drafts.append(UnitDraft(code, until))
        return drafts

    def _name(self) -> str:
        given = self.pick(words.GIVEN) + (self.pick(words.GIVEN) if self.rand() < 0.7 else "")
        return self.pick(words.SURNAMES) + given

    def _callers(self, n: int) -> list[tuple[str, str, str]]:
        """Residents who call (name, mobile, unit): about 1.25 per home that calls at all."""
        homes = self.rng.sample(self.units, min(len(self.units), int(n / 1.25) + 1))
        taken: set[str] = set()
        callers = []
        while len(callers) < n:
            phone = "1" + self.pick("3456789") + str(self.below(10)) + f"{self.below(100_000_000):08d}"
            if phone in taken:
                continue
            taken.add(phone)
            callers.append((self._name(), phone, homes[len(callers) % len(homes)]))
        return callers

    # ------------------------------------------------------------ the calls

    def _shifts(self) -> list[tuple[datetime, datetime, str]]:
        """The site's day and night shifts (policy.toml [shift]), the front desk in turn."""
        plan = self.shift_plan
        if plan is None:
            from deskapp.core.policy import ShiftPolicy

            plan = ShiftPolicy()
        shifts = []
        d = self.first_day - timedelta(days=1)  # its night shift covers the first morning
        while d <= self.now_local.date():
            for kind in ("day", "night"):
                s = plan.slot(kind, d, self.tz)
                begin = s.start.astimezone(UTC)
                if begin <= self.now:
                    shifts.append((begin, s.end.astimezone(UTC), FRONT[len(shifts) % len(FRONT)].name))
            d += timedelta(days=1)
        return shifts

    def _day_counts(self) -> list[tuple[date, int]]:
        days: list[date] = []
        d, today = self.first_day, self.now_local.date()
        while d <= today:
            days.append(d)
            d += timedelta(days=1)
        if (self.now - datetime.combine(today, time(), self.tz)).total_seconds() < 600:
            days.pop()  # today has barely begun: nothing to log yet
        total_w = sum(words.HOURS)
        weights = []
        for d in days:
            w = (0.85 if d.weekday() >= 5 else 1.0) * self.rng.uniform(0.8, 1.2)
            if d == today:
                h = self.now_local.hour
                w *= (sum(words.HOURS[:h]) + words.HOURS[h] * self.now_local.minute / 60) / total_w
            weights.append(w)
        s = sum(weights) or 1.0
        shares = [w / s * self.total for w in weights]
        counts = [int(x) for x in shares]
        rest = self.total - sum(counts)
        for i in sorted(range(len(days)), key=lambda i: (counts[i] - shares[i], i))[:rest]:
            counts[i] += 1
        return list(zip(days, counts))

    def _times(self) -> Iterator[datetime]:
        """When each call came in, in order; none in the last minute before `now`."""
        hours = list(range(24))
        cum_all = list(accumulate(words.HOURS))
        for day, k in self._day_counts():
            if not k:
                continue
            base = datetime.combine(day, time(), self.tz).astimezone(UTC)
            limit = int((self.now - base).total_seconds()) - 60
            cum = cum_all if limit >= 86_400 else cum_all[:min(23, limit // 3600) + 1]
            secs = []
            for h in self.rng.choices(hours[:len(cum)], cum_weights=cum, k=k):
                s = h * 3600 + self.below(3600)
                while s > limit:
                    s = self.below(max(limit, 1))
                secs.append(s)
            secs.sort()
            for s in secs:
                yield base + timedelta(seconds=s)

    def batches(self) -> Iterator[CallBatch]:
        """The calls shift by shift, each shift's logged in one go by the person on duty."""
        shifts = self._shifts()
        i = 0
        drafts: list[CallDraft] = []
        for at in self._times():
            while i + 1 < len(shifts) and at >= shifts[i + 1][0]:
                if drafts:
                    yield self._batch(shifts[i][2], drafts)
                    drafts = []
                i += 1
            drafts.append(self._call(at))
        if drafts:
            yield self._batch(shifts[i][2], drafts)

    def _batch(self, logged_by: str, drafts: list[CallDraft]) -> CallBatch:
        logged = drafts[-1].at + timedelta(seconds=self.between(20, 240))
        return CallBatch(logged_by, drafts, min(logged, self.now))

    def _call(self, at: datetime) -> CallDraft:
        r = self.rand
        category = CATEGORIES[bisect_right(words.CATEGORY_W, r() * words.CATEGORY_W[-1])]
        cw = words.CHANNEL_W[category]
        channel = CHANNELS[min(3, bisect_right(cw, r() * cw[-1]))]
        x = r()
        if x < 0.88:  # a few residents call often
            name, phone, unit = self.callers[int(r() ** 1.6 * len(self.callers))]
        elif x < 0.95:
            name, phone, unit = self._name(), "", self.pick(self.units)
        else:
            name, phone, unit = self.pick(words.SURNAMES) + self.pick(("先生", "女士")), "", ""
        if channel == "letter":
            phone = ""
        if category == "enquiry":
            content, reply = self.pick(words.ENQUIRY)
            content, reply = self.fmt(content, unit), self.fmt(reply, unit)
        elif category == "repair":
            what, dept, public = self.pick(words.REPAIRS)
            if not unit and not public:
                unit = self.pick(self.units)
            content = self.fmt(what, unit)
            reply = self.fmt(self.pick(words.REPAIR_REPLY), unit, {"dept": dept})
        elif category == "complaint":
            if not unit:
                unit = self.pick(self.units)
            content = self.fmt(self.pick(words.COMPLAINTS), unit)
            reply = self.fmt(self.pick(words.COMPLAINT_REPLY), unit, {"dept": self.pick(("工程部", "秩序部", "环境部"))})
        elif category == "suggestion":
            content, reply = self.fmt(self.pick(words.SUGGESTIONS), unit), self.pick(words.SUGGESTION_REPLY)
        elif category == "praise":
            content, reply = self.fmt(self.pick(words.PRAISES), unit), self.pick(words.PRAISE_REPLY)
        else:
            content, reply = self.pick(words.OTHERS)
            content, reply = self.fmt(content, unit), self.fmt(reply, unit)
        content = self.pick(words.LEAD) + content
        if r() < 0.002:
            reply = self.pick(words.FLAGGED_REPLY)
        # Typed the way people type; the service brings them to one form.
        if phone and r() < 0.1:
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if unit and r() < 0.2:
            b, rest = unit.split("栋", 1)
            e, room = rest.split("单元", 1)
            unit = f"{b}-{e}-{room}"
        return CallDraft(channel=channel, category=category, caller_name=name, phone=phone, unit=unit,
                         content=content, reply=reply, at=at)
