"""Complaint severity classes (投诉界定) and the rule that proposes one at intake.

domain.md 2.2: the classes are checked from the most severe down and any one
matching fact decides. Intake captures the facts; :func:`classify` proposes the
class and names the rules that fired so the receptionist can see why.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from deskapp.core.policy import SeverityPolicy

__all__ = ["Severity", "ComplaintFacts", "Classification", "classify", "escalate", "explain_rule", "INJURY_LEVELS"]


class Severity(enum.IntEnum):
    """Complaint class; the integer order is the order of seriousness."""

    ORDINARY = 0  # 通常 / 一般
    SIGNIFICANT = 1  # 较大
    MAJOR = 2  # 重大
    CRITICAL = 3  # 尤其重大

    @property
    def zh(self) -> str:
        return _ZH[self]

    @property
    def en(self) -> str:
        return _EN[self]

    @property
    def code(self) -> str:
        """Stable lower-case name used in storage and in policy.toml keys."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Severity:
        try:
            return cls[code.upper()]
        except KeyError:
            raise ValueError(f"未知的投诉等级 (unknown severity code): {code!r}") from None


_ZH = {
    Severity.ORDINARY: "通常",
    Severity.SIGNIFICANT: "较大",
    Severity.MAJOR: "重大",
    Severity.CRITICAL: "尤其重大",
}
_EN = {
    Severity.ORDINARY: "ordinary",
    Severity.SIGNIFICANT: "significant",
    Severity.MAJOR: "major",
    Severity.CRITICAL: "critical",
}

INJURY_LEVELS = ("none", "minor", "serious")  # 无 / 轻伤 / 重伤


@dataclass(frozen=True)
class ComplaintFacts:
    """The facts intake records to propose a class.

    ``times_raised_unhandled``: how often the same matter was raised without being
    handled. ``service_not_delivered``: a promised or contracted service was not
    delivered or clearly deficient. ``mishandled_from``: this complaint arises from
    an earlier one of that class that was mishandled, which raises it one class.
    """

    loss_yuan: Decimal | int = 0
    complainants: int = 1
    deaths: int = 0
    injury: str = "none"
    media_days: int = 0
    media_outlets: int = 0
    times_raised_unhandled: int = 0
    service_not_delivered: bool = False
    mishandled_from: Severity | None = None


@dataclass(frozen=True)
class Classification:
    """The proposed class and the ids of the rules that put it there.

    Rule ids are stable strings with the threshold in them, e.g. ``loss>=100000``,
    ``collective>=10``, ``injury:serious``, ``mishandled:major``. An ordinary
    complaint has no rules: nothing raised it.
    """

    severity: Severity
    rules: tuple[str, ...]

    def explain(self, lang: str = "zh") -> tuple[str, ...]:
        """One human-readable line per rule (zh-CN by default, "en" for English)."""
        if lang not in ("zh", "en"):
            raise ValueError(f"unsupported language: {lang!r}")
        if not self.rules:
            return (
                ("未符合较大及以上任一条件，按通常投诉处理",)
                if lang == "zh"
                else ("no condition of a higher class applies: ordinary",)
            )
        return tuple(explain_rule(rule, lang) for rule in self.rules)


def explain_rule(rule: str, lang: str = "zh") -> str:
    """Human text for one rule id."""
    if ":" in rule:
        key, value = rule.split(":", 1)
    elif ">=" in rule:
        key, value = rule.split(">=", 1)
    else:
        key, value = rule, ""
    if key == "injury":
        return f"人身伤害：{_INJURY_ZH.get(value, value)}" if lang == "zh" else f"personal injury: {value}"
    if key == "mishandled":
        sev = Severity.from_code(value)
        return (
            f"由处理不当的{sev.zh}投诉升级" if lang == "zh" else f"escalated: a {sev.en} complaint was mishandled"
        )
    templates = _RULE_TEXT.get(key)
    if templates is None:
        return rule
    zh, en = templates
    return (zh if lang == "zh" else en).format(v=_fmt_number(value))


def _fmt_number(value: str) -> str:
    return f"{int(value):,}" if value.isdigit() else value


_RULE_TEXT = {
    "loss": ("经济损失 ≥ ¥{v}", "economic loss ≥ ¥{v}"),
    "collective": ("同一事件 ≥ {v} 位客户集体投诉", "same event complained about by ≥ {v} customers"),
    "death": ("死亡 ≥ {v} 人", "≥ {v} death(s)"),
    "undelivered_raised": (
        "承诺或合同约定的服务未提供，反映 ≥ {v} 次未处理",
        "promised or contracted service not delivered, raised ≥ {v} times unhandled",
    ),
    "raised": ("同一事件反映 ≥ {v} 次未处理", "same matter raised ≥ {v} times unhandled"),
    "media_days": ("负面媒体报道 ≥ {v} 天", "negative media coverage for ≥ {v} days"),
    "media_outlets": ("负面媒体报道 ≥ {v} 家媒体", "negative coverage by ≥ {v} outlets"),
    "media": ("有负面媒体报道", "negative media coverage"),
}
# injury levels read better in Chinese
_INJURY_ZH = {"serious": "重伤", "minor": "轻伤"}


def escalate(sev: Severity) -> Severity:
    """One class up (处理不当升级); 尤其重大 is the top and stays."""
    return Severity(min(int(sev) + 1, int(Severity.CRITICAL)))


def _loss(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("经济损失必须是数字 (loss_yuan must be a number)")
    try:
        # str() first so a float like 999.99 is taken as written, not as its binary value
        loss = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"经济损失不是有效数字 (loss_yuan is not a number): {value!r}") from None
    if not loss.is_finite():
        raise ValueError(f"经济损失必须是有限数字 (loss_yuan must be finite): {value!r}")
    if loss < 0:
        raise ValueError(f"经济损失不能为负数 (loss_yuan must not be negative): {value}")
    return loss


def _count(name: str, value: object, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} 必须是整数 ({name} must be an integer): {value!r}")
    if value < minimum:
        if minimum == 0:
            raise ValueError(f"{name} 不能为负数 ({name} must not be negative): {value}")
        raise ValueError(f"{name} 至少为 {minimum} ({name} must be at least {minimum}): {value}")
    return value


def classify(facts: ComplaintFacts, policy: SeverityPolicy) -> Classification:
    """Propose the class of a complaint, most severe class first (domain.md 2.2).

    All rules of the chosen class that match are reported, not only the first,
    so the record shows every reason. A mishandled earlier complaint raises the
    class to one above its own (and never lowers what the facts give).

    Interpretation: domain.md gives 较大 as "raised ≥ 3 and < 10 times" and 重大
    as "service not delivered and raised ≥ 10 times". The upper bound only
    separates the two rows, so a matter raised ≥ 10 times whose service was
    delivered stays 较大 (otherwise raising it more would lower its class).
    """
    loss = _loss(facts.loss_yuan)
    complainants = _count("complainants", facts.complainants, minimum=1)
    deaths = _count("deaths", facts.deaths)
    media_days = _count("media_days", facts.media_days)
    media_outlets = _count("media_outlets", facts.media_outlets)
    raised = _count("times_raised_unhandled", facts.times_raised_unhandled)
    if facts.injury not in INJURY_LEVELS:
        raise ValueError(f"injury 必须是 {'/'.join(INJURY_LEVELS)} 之一 (injury must be one of them): {facts.injury!r}")
    if facts.mishandled_from is not None and not isinstance(facts.mishandled_from, Severity):
        raise ValueError(f"mishandled_from 必须是 Severity (must be a Severity): {facts.mishandled_from!r}")

    p = policy
    floor = escalate(facts.mishandled_from) if facts.mishandled_from is not None else None
    mishandled = f"mishandled:{facts.mishandled_from.code}" if facts.mishandled_from is not None else None

    rules: dict[Severity, list[str]] = {s: [] for s in Severity}
    if loss >= p.critical_loss_yuan:
        rules[Severity.CRITICAL].append(f"loss>={p.critical_loss_yuan}")
    if complainants >= p.critical_complainants:
        rules[Severity.CRITICAL].append(f"collective>={p.critical_complainants}")
    if deaths >= p.critical_deaths:
        rules[Severity.CRITICAL].append(f"death>={p.critical_deaths}")

    if facts.service_not_delivered and raised >= p.major_raised_times:
        rules[Severity.MAJOR].append(f"undelivered_raised>={p.major_raised_times}")
    if p.major_loss_yuan <= loss < p.critical_loss_yuan:
        rules[Severity.MAJOR].append(f"loss>={p.major_loss_yuan}")
    if facts.injury == "serious":
        rules[Severity.MAJOR].append("injury:serious")
    if media_days >= p.major_media_days:
        rules[Severity.MAJOR].append(f"media_days>={p.major_media_days}")
    if media_outlets >= p.major_media_outlets:
        rules[Severity.MAJOR].append(f"media_outlets>={p.major_media_outlets}")

    if p.significant_loss_yuan <= loss < p.major_loss_yuan:
        rules[Severity.SIGNIFICANT].append(f"loss>={p.significant_loss_yuan}")
    if raised >= p.significant_raised_times and not (
        facts.service_not_delivered and raised >= p.major_raised_times
    ):
        rules[Severity.SIGNIFICANT].append(f"raised>={p.significant_raised_times}")
    if facts.injury == "minor":
        rules[Severity.SIGNIFICANT].append("injury:minor")
    if (media_days > 0 or media_outlets > 0) and not (
        media_days >= p.major_media_days or media_outlets >= p.major_media_outlets
    ):
        rules[Severity.SIGNIFICANT].append("media>=1")

    if floor is not None:
        rules[floor].append(mishandled)  # type: ignore[arg-type]

    for sev in sorted(Severity, reverse=True):
        if rules[sev]:
            return Classification(sev, tuple(rules[sev]))
    return Classification(Severity.ORDINARY, ())
