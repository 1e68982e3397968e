"""What a person types into a form field, read into a value (pure: no I/O, no Textual).

Each parser takes the typed text (and, where the meaning depends on it, the
moment `now` and the site's zone) and returns the value, None for nothing
typed, or raises InputError with a catalogue message that quotes what was
typed. Full-width characters typed with a Chinese input method (１２：３０,
＋３０ｍ, ￥) read as their ASCII forms.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone, tzinfo
from decimal import Decimal, InvalidOperation

from deskapp.errors import InputError
from deskapp.i18n import t

# ------------------------------------------------------------------ date and time

# A desk record's year: anything outside is a typing slip (20226-, 1926-), not a date.
YEAR_RANGE = (2000, 2099)
# "+400d" is a slip too: an appointment or a deadline is at most a year away (or ago).
OFFSET_LIMIT = timedelta(days=366)

_FULL = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+|T)(\d{1,2}):(\d{2})$")
_MONTH_DAY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})\s+(\d{1,2}):(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_OFFSET = re.compile(r"^([+-])\s*(\d{1,6})\s*(m|min|mins|分|分钟|h|hr|hrs|小时|时|d|day|days|天|日)$", re.IGNORECASE)
_OFFSET_UNIT = {
    "m": "minutes", "min": "minutes", "mins": "minutes", "分": "minutes", "分钟": "minutes",
    "h": "hours", "hr": "hours", "hrs": "hours", "小时": "hours", "时": "hours",
    "d": "days", "day": "days", "days": "days", "天": "days", "日": "days",
}


def _typed(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_when(text: str | None, *, now: datetime, tz: tzinfo) -> datetime | None:
    """An instant from `2026-11-25 14:30`, `11-25 14:30` (this year), `14:30` (today),
    or `+30m` / `+2h` / `+1d` (from now; `-2h` two hours ago), read in the site's zone `tz`.

    Returns an aware datetime in UTC, None when nothing was typed. An offset is
    elapsed time: `+1d` is 24 hours on. `+0m` is now.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    value = _typed(text)
    if not value:
        return None
    local_now = now.astimezone(tz)
    if m := _OFFSET.match(value):
        sign, amount, unit = m.groups()
        delta = timedelta(**{_OFFSET_UNIT[unit.lower()]: int(amount)})
        if delta > OFFSET_LIMIT:
            raise InputError("parse.offset_too_far", value=value, days=OFFSET_LIMIT.days)
        return (now + delta if sign == "+" else now - delta).astimezone(timezone.utc)
    if m := _FULL.match(value):
        year, month, day, hour, minute = (int(g) for g in m.groups())
    elif m := _MONTH_DAY.match(value):
        year = local_now.year
        month, day, hour, minute = (int(g) for g in m.groups())
    elif m := _TIME.match(value):
        year, month, day = local_now.year, local_now.month, local_now.day
        hour, minute = (int(g) for g in m.groups())
    else:
        raise InputError("parse.when_format", value=value)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise InputError("parse.year_range", value=value, low=YEAR_RANGE[0], high=YEAR_RANGE[1])
    if hour > 23 or minute > 59:
        raise InputError("parse.no_such_time", value=value)
    try:
        wall = datetime(year, month, day, hour, minute)
    except ValueError:
        raise InputError("parse.no_such_day", value=value) from None
    local = wall.replace(tzinfo=tz)
    # A wall time skipped when clocks go forward does not come back unchanged.
    if local.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None) != wall:
        raise InputError("parse.no_such_local_time", value=value)
    return local.astimezone(timezone.utc)


def describe_when(instant: datetime, *, now: datetime, tz: tzinfo) -> str:
    """How a parsed instant reads back beside its field: `11-25 14:30 周三`
    (with the year when it is not this year's)."""
    local = instant.astimezone(tz)
    day = local.strftime("%m-%d %H:%M") if local.year == now.astimezone(tz).year else local.strftime("%Y-%m-%d %H:%M")
    return f"{day} {t(f'when.weekday.{local.weekday()}')}"


# ------------------------------------------------------------------ money

# 1亿 yuan: no fee, loss or charge at a property desk comes near it.
MONEY_CAP = Decimal(100_000_000)
_CENT = Decimal("0.01")
_WAN = Decimal(10_000)
_AMOUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(万)?$")
_WAN_TAIL = re.compile(r"^\d+(?:\.\d+)?万\d+$")  # 1万5: 15000 or 10005? refused, never guessed


def parse_yuan(text: str | None, *, cap: Decimal = MONEY_CAP) -> Decimal | None:
    """An amount in yuan from `12000`, `12,000`, `12000.50`, `1.2万`, `¥12000` or `12000元`.

    Returns a Decimal with two places (fen), None when nothing was typed.
    Refuses a negative amount, more than two decimal places (after 万),
    thousands separators in the wrong places, and anything above `cap`.
    """
    value = _typed(text)
    if not value:
        return None
    body = value.removeprefix("¥").removesuffix("元").strip()
    if body.startswith(("-", "−")):
        raise InputError("parse.money_negative", value=value)
    body = body.removeprefix("+")
    if _WAN_TAIL.match(body):
        raise InputError("parse.money_wan_tail", value=value)
    m = _AMOUNT.match(body)
    if not m:
        raise InputError("parse.money_format", value=value)
    whole, fraction, wan = m.groups()
    try:
        amount = Decimal(whole.replace(",", "") + (fraction or ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise InputError("parse.money_format", value=value) from None
    if wan:
        amount *= _WAN
    if amount != amount.quantize(_CENT):
        raise InputError("parse.money_cents", value=value)
    if amount > cap:
        raise InputError("parse.money_cap", value=value, cap=format_yuan(cap))
    return amount.quantize(_CENT)


def format_yuan(amount: Decimal) -> str:
    """`¥12,000.00`: how an amount reads back."""
    return f"¥{amount:,.2f}"


# ------------------------------------------------------------------ whole numbers

_WHOLE = re.compile(r"^[+-]?\d{1,15}$")


def parse_whole(text: str | None, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number (people, days, copies) within [minimum, maximum]; None when nothing was typed."""
    value = _typed(text)
    if not value:
        return None
    if not _WHOLE.match(value):
        raise InputError("parse.whole_format", value=value)
    number = int(value)
    if minimum is not None and number < minimum:
        raise InputError("parse.whole_min", value=value, low=minimum)
    if maximum is not None and number > maximum:
        raise InputError("parse.whole_max", value=value, high=maximum)
    return number
