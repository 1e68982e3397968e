"""Site policy (服务规范 / 时效标准): every number the desk's rules use.

Each number in ``docs/rules.md`` is a default here and is also written out in
``data/policy.toml`` so that a site can change it without touching code.
Policy objects are immutable pydantic models; :func:`load_policy` reads the TOML
file and turns any mistake into a :class:`PolicyError` that names the file, the
dotted key and what is wrong, in the user's language (deskapp/i18n/rules.py).
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Iterable

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from deskapp.errors import InputError
from deskapp.i18n import t

__all__ = [
    "Phrase",
    "RuleViolation",
    "PolicyError",
    "SeverityPolicy",
    "ComplaintClock",
    "ComplaintClocks",
    "ComplaintPolicy",
    "SlipPolicy",
    "CountdownPolicy",
    "VisitRule",
    "ReturnVisitPolicy",
    "ShiftPolicy",
    "Policy",
    "POLICY_FILE",
    "load_policy",
    "load_policy_file",
]

POLICY_FILE = "policy.toml"

PositiveInt = Annotated[int, Field(gt=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Percent = Annotated[int, Field(ge=0, le=100)]


class Phrase:
    """A catalogue message with its parameters, worded only when shown.

    An error raised in one language may be shown after the user switched to the
    other; ``str()`` and ``format()`` (also as a parameter of another message)
    read the catalogue at that moment.
    """

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params

    def __str__(self) -> str:
        return t(self.key, **self.params)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)


class RuleViolation(InputError, ValueError):
    """A value the desk's rules refuse, as a catalogue key and parameters.

    A ValueError for the core's callers (and for pydantic validators, whose
    message :func:`load_policy` turns into a :class:`PolicyError` line); an
    :class:`~deskapp.errors.InputError` for the screens, which show ``str()``
    in the current language. Mistakes only code can make stay plain ValueErrors.
    """


class PolicyError(Exception):
    """A site data file (policy.toml, calendar.toml) is unreadable or has a bad value.

    ``str()`` gives one line per problem, ``<file>: <dotted.key>: <message>``, in
    the current language. ``problems`` gives the (key, message) pairs for a
    screen that lists them; ``phrases`` the same with unworded messages.
    """

    def __init__(self, path: Path | str, problems: Iterable[tuple[str, Phrase | str]]) -> None:
        self.path = Path(path)
        self.phrases: tuple[tuple[str, Phrase | str], ...] = tuple(problems)
        super().__init__(self.path, self.phrases)

    @property
    def problems(self) -> tuple[tuple[str, str], ...]:
        return tuple((key, str(msg)) for key, msg in self.phrases)

    def __str__(self) -> str:
        name = self.path.name
        return "\n".join(f"{name}: {key}: {msg}" if key else f"{name}: {msg}" for key, msg in self.problems)


class _Model(BaseModel):
    # strict: TOML already has typed values, so "10" or true must not slip in as 10 or 1.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --------------------------------------------------------------------------- severity


class SeverityPolicy(_Model):
    """Thresholds of the complaint classes (投诉界定), see docs/rules.md §2.2."""

    significant_loss_yuan: PositiveInt = 1000  # gap in the manual ("¥X"); docs/rules.md default
    major_loss_yuan: PositiveInt = 10_000
    critical_loss_yuan: PositiveInt = 100_000
    critical_complainants: PositiveInt = 10  # same event, collective complaint
    critical_deaths: PositiveInt = 1
    significant_raised_times: PositiveInt = 3  # raised this often without being handled
    major_raised_times: PositiveInt = 10  # ... and the service was not delivered
    major_media_days: PositiveInt = 2
    major_media_outlets: PositiveInt = 3

    @model_validator(mode="after")
    def _ordered(self) -> SeverityPolicy:
        if not self.significant_loss_yuan < self.major_loss_yuan < self.critical_loss_yuan:
            raise RuleViolation("policy.loss_order")
        if not self.significant_raised_times < self.major_raised_times:
            raise RuleViolation("policy.raised_order")
        return self


# --------------------------------------------------------------------------- complaints

_COMPLETE_KEYS = frozenset({"complete_hours", "complete_days"})
_REPORT_KEYS = frozenset({"report_minutes", "report_same_day"})


class ComplaintClock(_Model):
    """The clock of one complaint class (投诉处理时效).

    ``complete_hours`` / ``complete_days``: at most one; neither means the deadline
    must be agreed case by case (一事一议) and entered. ``report_minutes`` or
    ``report_same_day``: how fast the matter is reported upward; neither means no
    report is due.
    """

    respond_minutes: PositiveInt
    complete_hours: PositiveInt | None = None
    complete_days: PositiveInt | None = None
    report_minutes: PositiveInt | None = None
    report_same_day: bool = False

    @model_validator(mode="after")
    def _exclusive(self) -> ComplaintClock:
        if self.complete_hours is not None and self.complete_days is not None:
            raise RuleViolation("policy.complete_either")
        if self.report_minutes is not None and self.report_same_day:
            raise RuleViolation("policy.report_either")
        return self


# Per-class defaults, docs/rules.md §2.2 "Complaint clocks". Kept as plain dicts so that a
# site file that sets only one key of a class keeps that class's other defaults
# (a generic ComplaintClock default would silently lose e.g. the 12 h of 通常).
_CLOCK_DEFAULTS: dict[str, dict[str, Any]] = {
    "ordinary": {"respond_minutes": 10, "complete_hours": 12},
    "significant": {"respond_minutes": 8, "complete_hours": 48, "report_same_day": True},
    "major": {"respond_minutes": 5, "complete_days": 5, "report_minutes": 5},
    "critical": {"respond_minutes": 1, "report_minutes": 1},
}


def _merge_defaults(defaults: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """Site values over class defaults; a site that sets one key of an either-or
    group (complete_*, report_*) replaces the whole group, so the two never clash."""
    merged = {
        k: v
        for k, v in defaults.items()
        if not (k in _COMPLETE_KEYS and _COMPLETE_KEYS & given.keys())
        and not (k in _REPORT_KEYS and _REPORT_KEYS & given.keys())
    }
    merged.update(given)
    return merged


class ComplaintClocks(_Model):
    """One :class:`ComplaintClock` per class, addressed by ``Severity.code``."""

    ordinary: ComplaintClock = ComplaintClock(**_CLOCK_DEFAULTS["ordinary"])
    significant: ComplaintClock = ComplaintClock(**_CLOCK_DEFAULTS["significant"])
    major: ComplaintClock = ComplaintClock(**_CLOCK_DEFAULTS["major"])
    critical: ComplaintClock = ComplaintClock(**_CLOCK_DEFAULTS["critical"])

    @model_validator(mode="before")
    @classmethod
    def _fill_class_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for code, defaults in _CLOCK_DEFAULTS.items():
            given = data.get(code)
            if isinstance(given, dict):
                out[code] = _merge_defaults(defaults, given)
        return out

    def for_code(self, code: str) -> ComplaintClock:
        """The clock for a severity code ("ordinary" ... "critical")."""
        if code not in _CLOCK_DEFAULTS:
            raise ValueError(f"unknown severity code: {code!r}")  # codes come from code, not from a person
        return getattr(self, code)


class ComplaintPolicy(_Model):
    """Clocks of the complaint register (客户投诉登记表), docs/rules.md §2.2."""

    clocks: ComplaintClocks = ComplaintClocks()
    forward_minutes: PositiveInt = 10  # form to the department, signed for
    reply_days: PositiveInt = 3  # reply to the complainant in any case
    followup_days: PositiveInt = 3  # unfinished by then: recorded contact explaining why/when
    other_dept_days: PositiveInt = 3  # handed to another department: closed within


# --------------------------------------------------------------------------- dispatch slips


class SlipPolicy(_Model):
    """Clocks of the dispatch slip (派工单), docs/rules.md §2.3."""

    notify_minutes: PositiveInt = 5  # fill in the slip and notify the department
    onsite_minutes: PositiveInt = 15  # technician on site after accepting
    before_appointment_minutes: NonNegativeInt = 5  # on site this long before the appointment
    assess_minutes: PositiveInt = 15  # item not in the fee schedule: assessed after accepting
    # A fee typed at the desk above this is a typing slip, refused (a gap: the manuals give no cap).
    max_fee_yuan: PositiveInt = 50_000


# --------------------------------------------------------------------------- countdowns


class CountdownPolicy(_Model):
    """When a running countdown (倒计时) turns to a warning; past the deadline it is overdue."""

    warn_fraction: float = 0.2  # less than this share of the whole window left ...
    # ... or less than this many minutes, whatever the window (a 1-minute 尤其重大
    # response clock would otherwise never warn)
    warn_minutes: NonNegativeInt = 2

    @field_validator("warn_fraction")
    @classmethod
    def _fraction(cls, v: float) -> float:
        if not 0 <= v < 1:  # also refuses nan
            raise RuleViolation("policy.fraction")
        return v

    def levels(self) -> dict[str, Any]:
        """Keyword arguments of :func:`deskapp.core.countdown.sla_level`."""
        return {"warn_fraction": self.warn_fraction, "warn_min": timedelta(minutes=self.warn_minutes)}


# --------------------------------------------------------------------------- return visits


class VisitRule(_Model):
    """Due time and share of one kind of return visit (回访)."""

    workdays: PositiveInt
    # None: the share is set by the property manager (docs/rules.md §2.4 "anything else").
    share_percent: Percent | None = None


_VISIT_DEFAULTS: dict[str, dict[str, Any]] = {
    "major": {"workdays": 1, "share_percent": 100},
    "complaint": {"workdays": 2, "share_percent": 100},
    "repair": {"workdays": 2, "share_percent": 100},
    # 特约服务: visited at mid-term or at the end of the contracted service; due this
    # many working days after that point (the manual gives no number; 2 as for a repair).
    "special": {"workdays": 2, "share_percent": 100},
    "activity": {"workdays": 2, "share_percent": 20},
    "other": {"workdays": 1},
}

# 尤其重大 and 重大 events share one row of the table.
_VISIT_ALIASES = {"critical": "major"}


class ReturnVisitPolicy(_Model):
    """Return-visit clocks in working days (工作日), docs/rules.md §2.4."""

    major: VisitRule = VisitRule(**_VISIT_DEFAULTS["major"])
    complaint: VisitRule = VisitRule(**_VISIT_DEFAULTS["complaint"])
    repair: VisitRule = VisitRule(**_VISIT_DEFAULTS["repair"])
    special: VisitRule = VisitRule(**_VISIT_DEFAULTS["special"])
    activity: VisitRule = VisitRule(**_VISIT_DEFAULTS["activity"])
    other: VisitRule = VisitRule(**_VISIT_DEFAULTS["other"])
    # A score (1-5) at or below this is unsatisfactory: the matter is handled again as a
    # complaint and reported to the GM (the manuals give no scale; gap, docs/rules.md §2.4).
    unsatisfied_at_most: Annotated[int, Field(ge=1, le=4)] = 2
    # Work still unfinished this many days after its complaint or slip: an in-person follow-up.
    followup_days: PositiveInt = 3
    # No answer: the next attempt is planned this many minutes later (gap: the manuals say "later").
    retry_minutes: PositiveInt = 120
    # Visit records are kept this many years, then flagged for archiving by export, never deleted.
    keep_years: PositiveInt = 2
    # Month-end analysis: the same unit's complaints about the same matter this many times in a row,
    # and the same repair this many times, are listed for the supervisor and the manager.
    repeat_complaints: Annotated[int, Field(ge=2)] = 2
    repeat_repairs: Annotated[int, Field(ge=2)] = 3

    @model_validator(mode="before")
    @classmethod
    def _fill_kind_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for kind, defaults in _VISIT_DEFAULTS.items():
            given = data.get(kind)
            if isinstance(given, dict):
                out[kind] = {**defaults, **given}
        return out

    @staticmethod
    def kinds() -> tuple[str, ...]:
        return tuple(_VISIT_DEFAULTS)

    def rule(self, kind: str) -> VisitRule:
        """The rule for a visit kind; "critical" is accepted for "major"."""
        kind = _VISIT_ALIASES.get(kind, kind)
        if kind not in _VISIT_DEFAULTS:
            raise ValueError(f"unknown return-visit kind: {kind!r}; one of: {', '.join(_VISIT_DEFAULTS)}")
        return getattr(self, kind)


# --------------------------------------------------------------------------- shifts


class ShiftPolicy(_Model):
    """The shift plan and the night review (docs/rules.md §2.5): day from `day_starts` to
    `night_starts`, night from `night_starts` to the next `day_starts`, site time."""

    day_starts: str = "08:00"
    night_starts: str = "20:00"
    # Supervisors check the handed-over items at least this often a month.
    supervisor_checks_per_month: PositiveInt = 2

    @field_validator("day_starts", "night_starts")
    @classmethod
    def _clock(cls, v: str) -> str:
        from deskapp.core.shifts import parse_clock

        try:
            parse_clock(v)
        except ValueError:
            raise RuleViolation("policy.clock_time", value=repr(v)) from None
        return v

    @model_validator(mode="after")
    def _two_shifts(self) -> ShiftPolicy:
        from deskapp.core.shifts import parse_clock

        if parse_clock(self.day_starts) == parse_clock(self.night_starts):
            raise RuleViolation("policy.shift_starts_differ")
        return self

    def starts(self) -> dict[str, Any]:
        """Keyword arguments of the functions in deskapp.core.shifts."""
        from deskapp.core.shifts import parse_clock

        return {"day_starts": parse_clock(self.day_starts), "night_starts": parse_clock(self.night_starts)}

    def slot_at(self, instant, tz):
        """The shift running at `instant` (deskapp.core.shifts.ShiftSlot)."""
        from deskapp.core.shifts import slot_at

        return slot_at(instant, tz=tz, **self.starts())

    def slot(self, kind: str, duty_date, tz):
        from deskapp.core.shifts import slot

        return slot(kind, duty_date, tz=tz, **self.starts())


# --------------------------------------------------------------------------- the whole policy


class Policy(_Model):
    """Everything in ``data/policy.toml``."""

    site_timezone: str = "Asia/Shanghai"
    content_max_chars: PositiveInt = 2000
    severity: SeverityPolicy = SeverityPolicy()
    complaint: ComplaintPolicy = ComplaintPolicy()
    slip: SlipPolicy = SlipPolicy()
    countdown: CountdownPolicy = CountdownPolicy()
    return_visit: ReturnVisitPolicy = ReturnVisitPolicy()
    shift: ShiftPolicy = ShiftPolicy()

    @field_validator("site_timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise RuleViolation("policy.unknown_zone", zone=repr(v)) from None
        return v

    @property
    def tz(self):  # -> zoneinfo.ZoneInfo; ZoneInfo caches instances, so this is cheap
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.site_timezone)


# --------------------------------------------------------------------------- loading


def load_policy(data_dir: Path) -> Policy:
    """Read ``data_dir/policy.toml``; a missing file means all defaults."""
    return load_policy_file(Path(data_dir) / POLICY_FILE)


def load_policy_file(path: Path) -> Policy:
    path = Path(path)
    data = read_toml(path)
    if data is None:
        return Policy()
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(path, _problems(exc, Policy)) from None


def read_toml(path: Path) -> dict[str, Any] | None:
    """Parse a site TOML file; None if it does not exist. Errors become PolicyError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PolicyError(path, [("", Phrase("policy.unreadable", reason=exc.strerror or exc))]) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PolicyError(path, [("", Phrase("policy.not_utf8"))]) from None
    except tomllib.TOMLDecodeError as exc:
        # the parser's own detail ("Expected ... (at line 2, column 16)") is English only
        raise PolicyError(path, [("", Phrase("policy.syntax", detail=exc))]) from None


def dotted(loc: Iterable[str | int]) -> str:
    """('complaint', 'clocks', 'ordinary', 'respond_minutes') -> complaint.clocks.ordinary.respond_minutes"""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _problems(exc: ValidationError, root: type[BaseModel]) -> list[tuple[str, Phrase]]:
    problems = []
    for err in exc.errors(include_url=False):
        loc = err["loc"]
        problems.append((dotted(loc), _message(err, _field_metadata(root, loc))))
    return problems


def _field_metadata(root: type[BaseModel], loc: tuple) -> list[Any]:
    """Constraint metadata (Gt, Ge, ...) of the field a loc points at, to phrase
    "must be a positive integer" even when the value was of the wrong type."""
    model: Any = root
    meta: list[Any] = []
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return []
        info = fields[part]
        meta = list(info.metadata)
        model = info.annotation
        # unwrap Optional[X] / X | None
        args = getattr(model, "__args__", None)
        if args:
            non_none = [a for a in args if a is not type(None)]
            model = non_none[0] if len(non_none) == 1 else model
    return meta


def _message(err: dict[str, Any], meta: list[Any]) -> Phrase:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    positive = any(isinstance(m, annotated_types.Gt) and m.gt == 0 for m in meta)
    non_negative = any(isinstance(m, annotated_types.Ge) and m.ge == 0 for m in meta)
    if kind == "extra_forbidden":
        return Phrase("policy.unknown_key")
    if kind == "missing":
        return Phrase("policy.missing")
    if kind in {"int_type", "int_parsing", "int_from_float", "greater_than", "greater_than_equal"}:
        if positive:
            return Phrase("policy.positive_int")
        if non_negative:
            return Phrase("policy.non_negative_int")
        if kind == "greater_than":
            return Phrase("policy.greater_than", limit=ctx.get("gt"))
        if kind == "greater_than_equal":
            return Phrase("policy.at_least", limit=ctx.get("ge"))
        return Phrase("policy.integer")
    if kind == "less_than_equal":
        return Phrase("policy.at_most", limit=ctx.get("le"))
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return Phrase("policy.number")
    if kind == "bool_type":
        return Phrase("policy.bool")
    if kind == "string_type":
        return Phrase("policy.string")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return Phrase("policy.table")
    error = ctx.get("error")
    if kind == "value_error" and isinstance(error, RuleViolation):
        return Phrase(error.key, **error.params)
    # pydantic's own wording (English): rare enough not to need a message of its own
    return Phrase("policy.invalid", detail=str(error) if error is not None else err.get("msg", kind))
