"""Complaint severity classes (投诉界定) and the rule that proposes one at intake.

docs/rules.md §2.2: the classes are checked from the most severe down and any one
matching fact decides. Intake captures the facts; :func:`classify` proposes the
class and names the rules that fired so the receptionist can see why; the
class names and the rules' words are in the catalogue (deskapp/i18n/rules.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from deskapp.core.policy import Phrase, RuleViolation, SeverityPolicy
from deskapp.i18n import t

__all__ = [
    "Severity",
    "ComplaintFacts",
    "Classification",
    "FactRefused",
    "classify",
    "escalate",
    "explain_rule",
    "INJURY_LEVELS",
]


class Severity(enum.IntEnum):
    """Complaint class; the integer order is the order of seriousness."""

    ORDINARY = 0  # 通常 / 一般
    SIGNIFICANT = 1  # 较大
    MAJOR = 2  # 重大
    CRITICAL = 3  # 尤其重大

    @property
    def label(self) -> str:
        """The class's name in the current language: 通常 ... 尤其重大 (en ordinary ... critical)."""
        return t(f"severity.{self.code}")

    @property
    def phrase(self) -> Phrase:
        """The class's name, worded when shown (a parameter of an error message)."""
        return Phrase(f"severity.{self.code}")

    @property
    def code(self) -> str:
        """Stable lower-case name used in storage and in policy.toml keys."""
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Severity:
        try:
            return cls[code.upper()]
        except KeyError:
            # codes come from storage and code, never typed: a bug, said in English
            raise ValueError(f"unknown severity code: {code!r}") from None


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

    def explain(self) -> tuple[str, ...]:
        """One line per rule, in the current language."""
        if not self.rules:
            return (t("rule.none"),)
        return tuple(explain_rule(rule) for rule in self.rules)


def explain_rule(rule: str) -> str:
    """The words for one rule id, with its threshold, in the current language.

    "loss>=100000" -> "经济损失 ≥ ¥100,000"; an id this version does not know
    (read from an older record) is shown as it is.
    """
    if ":" in rule:
        name, value = rule.split(":", 1)
    elif ">=" in rule:
        name, value = rule.split(">=", 1)
    else:
        name, value = rule, ""
    if name == "injury" and value in ("serious", "minor"):
        return t(f"rule.injury_{value}")
    if name == "mishandled":
        try:
            return t("rule.mishandled", severity=Severity.from_code(value).label)
        except ValueError:
            return rule
    if name not in _RULE_PARAM or not value.isdigit():
        return rule
    param = _RULE_PARAM[name]
    return t(f"rule.{name}", **({param: f"{int(value):,}"} if param else {}))


# rule name -> the parameter its message takes (None: the message has none)
_RULE_PARAM: dict[str, str | None] = {
    "loss": "amount",
    "collective": "count",
    "death": "count",
    "undelivered_raised": "times",
    "raised": "times",
    "media_days": "days",
    "media_outlets": "outlets",
    "media": None,
}


def escalate(sev: Severity) -> Severity:
    """One class up (处理不当升级); 尤其重大 is the top and stays."""
    return Severity(min(int(sev) + 1, int(Severity.CRITICAL)))


class FactRefused(RuleViolation):
    """A fact that cannot be true (a negative loss, no complainant); ``field`` names it."""

    def __init__(self, key: str, field: str, **params: object) -> None:
        super().__init__(key, field=Phrase(f"fact.{field}"), **params)
        self.field = field


def _loss(value: object) -> Decimal:
    if isinstance(value, bool):
        raise FactRefused("fact.not_a_number", "loss_yuan", value=value)
    try:
        # str() first so a float like 999.99 is taken as written, not as its binary value
        loss = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise FactRefused("fact.not_a_number", "loss_yuan", value=value) from None
    if not loss.is_finite():
        raise FactRefused("fact.not_a_number", "loss_yuan", value=value)
    if loss < 0:
        raise FactRefused("fact.negative", "loss_yuan", value=value)
    return loss


def _count(name: str, value: object, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FactRefused("fact.not_whole", name, value=value)
    if value < minimum:
        if minimum == 0:
            raise FactRefused("fact.negative", name, value=value)
        raise FactRefused("fact.at_least", name, minimum=minimum, value=value)
    return value


def classify(facts: ComplaintFacts, policy: SeverityPolicy) -> Classification:
    """Propose the class of a complaint, most severe class first (docs/rules.md §2.2).

    All rules of the chosen class that match are reported, not only the first,
    so the record shows every reason. A mishandled earlier complaint raises the
    class to one above its own (and never lowers what the facts give).

    Interpretation (docs/rules.md §2.2): the manuals give 较大 as "raised ≥ 3 and < 10 times" and 重大
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
        raise FactRefused("fact.bad_injury", "injury", value=facts.injury)
    if facts.mishandled_from is not None and not isinstance(facts.mishandled_from, Severity):
        raise ValueError(f"mishandled_from must be a Severity: {facts.mishandled_from!r}")  # a bug in the caller

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
