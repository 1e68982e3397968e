"""Severity classes (投诉界定), domain.md 2.2: every rule and its boundaries."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskapp.core.policy import SeverityPolicy
from deskapp.core.severity import Classification, ComplaintFacts, Severity, classify, escalate

P = SeverityPolicy()
O, S, M, C = Severity.ORDINARY, Severity.SIGNIFICANT, Severity.MAJOR, Severity.CRITICAL


def cls(**facts) -> Classification:
    return classify(ComplaintFacts(**facts), P)


class TestSeverityEnum:
    def test_labels_and_codes(self):
        assert [s.zh for s in Severity] == ["通常", "较大", "重大", "尤其重大"]
        assert [s.code for s in Severity] == ["ordinary", "significant", "major", "critical"]
        assert Severity.from_code("major") is M

    def test_order(self):
        assert O < S < M < C

    @pytest.mark.parametrize("sev, up", [(O, S), (S, M), (M, C), (C, C)])
    def test_escalate(self, sev, up):
        assert escalate(sev) is up


@pytest.mark.parametrize(
    "facts, severity, rules",
    [
        # nothing: ordinary, no rule
        ({}, O, ()),
        # loss boundaries: 999 / 1000 / 9999 / 10000 / 99999 / 100000
        ({"loss_yuan": 999}, O, ()),
        ({"loss_yuan": Decimal("999.99")}, O, ()),
        ({"loss_yuan": 1000}, S, ("loss>=1000",)),
        ({"loss_yuan": 9999}, S, ("loss>=1000",)),
        ({"loss_yuan": Decimal("9999.99")}, S, ("loss>=1000",)),
        ({"loss_yuan": 10000}, M, ("loss>=10000",)),
        ({"loss_yuan": 99999}, M, ("loss>=10000",)),
        ({"loss_yuan": 100000}, C, ("loss>=100000",)),
        ({"loss_yuan": 5_000_000}, C, ("loss>=100000",)),
        # collective complaint: 9 / 10 customers
        ({"complainants": 2}, O, ()),
        ({"complainants": 3}, O, ()),
        ({"complainants": 9}, O, ()),
        ({"complainants": 10}, C, ("collective>=10",)),
        # deaths
        ({"deaths": 1}, C, ("death>=1",)),
        # raised without being handled: 2 / 3 / 9 / 10
        ({"times_raised_unhandled": 2}, O, ()),
        ({"times_raised_unhandled": 3}, S, ("raised>=3",)),
        ({"times_raised_unhandled": 9}, S, ("raised>=3",)),
        ({"times_raised_unhandled": 9, "service_not_delivered": True}, S, ("raised>=3",)),
        ({"times_raised_unhandled": 10, "service_not_delivered": True}, M, ("undelivered_raised>=10",)),
        # raised 10 times but the service itself was delivered: stays 较大 (interpretation)
        ({"times_raised_unhandled": 10}, S, ("raised>=3",)),
        ({"service_not_delivered": True}, O, ()),
        # injuries
        ({"injury": "none"}, O, ()),
        ({"injury": "minor"}, S, ("injury:minor",)),
        ({"injury": "serious"}, M, ("injury:serious",)),
        # media: any coverage 较大; >= 2 days or >= 3 outlets 重大
        ({"media_days": 1}, S, ("media>=1",)),
        ({"media_outlets": 1}, S, ("media>=1",)),
        ({"media_outlets": 2}, S, ("media>=1",)),
        ({"media_days": 2}, M, ("media_days>=2",)),
        ({"media_outlets": 3}, M, ("media_outlets>=3",)),
        ({"media_days": 2, "media_outlets": 3}, M, ("media_days>=2", "media_outlets>=3")),
        # mishandled escalation: one class above the earlier complaint
        ({"mishandled_from": O}, S, ("mishandled:ordinary",)),
        ({"mishandled_from": S}, M, ("mishandled:significant",)),
        ({"mishandled_from": M}, C, ("mishandled:major",)),
        ({"mishandled_from": C}, C, ("mishandled:critical",)),
        # escalation never lowers what the facts give
        ({"mishandled_from": O, "deaths": 1}, C, ("death>=1",)),
        ({"mishandled_from": S, "loss_yuan": 2000}, M, ("mishandled:significant",)),
        # all matching rules of the chosen class are listed
        ({"loss_yuan": 200_000, "complainants": 12, "deaths": 2}, C, ("loss>=100000", "collective>=10", "death>=1")),
        ({"loss_yuan": 20_000, "injury": "serious"}, M, ("loss>=10000", "injury:serious")),
        # the most severe class wins
        ({"loss_yuan": 1500, "injury": "serious", "complainants": 10}, C, ("collective>=10",)),
    ],
)
def test_rules(facts, severity, rules):
    result = cls(**facts)
    assert result.severity is severity
    assert result.rules == rules


def test_threshold_x_is_policy():
    p = SeverityPolicy(significant_loss_yuan=500)
    assert classify(ComplaintFacts(loss_yuan=499), p).severity is O
    r = classify(ComplaintFacts(loss_yuan=500), p)
    assert (r.severity, r.rules) == (S, ("loss>=500",))


def test_other_thresholds_are_policy():
    p = SeverityPolicy(critical_complainants=5, major_media_days=3)
    assert classify(ComplaintFacts(complainants=5), p).severity is C
    assert classify(ComplaintFacts(media_days=2), p).severity is S


def test_float_loss_is_taken_as_written():
    assert cls(loss_yuan=999.99).severity is O
    assert cls(loss_yuan=1000.0).severity is S


@pytest.mark.parametrize(
    "facts, word",
    [
        ({"loss_yuan": -1}, "loss_yuan"),
        ({"loss_yuan": Decimal("-0.01")}, "loss_yuan"),
        ({"loss_yuan": Decimal("NaN")}, "loss_yuan"),
        ({"loss_yuan": "abc"}, "loss_yuan"),
        ({"complainants": 0}, "complainants"),
        ({"complainants": -3}, "complainants"),
        ({"deaths": -1}, "deaths"),
        ({"media_days": -1}, "media_days"),
        ({"media_outlets": -1}, "media_outlets"),
        ({"times_raised_unhandled": -1}, "times_raised_unhandled"),
        ({"injury": "broken"}, "injury"),
        ({"deaths": 1.5}, "deaths"),
    ],
)
def test_bad_facts_raise_value_error(facts, word):
    with pytest.raises(ValueError, match=word):
        cls(**facts)


class TestExplain:
    def test_zh(self):
        r = cls(loss_yuan=150_000, complainants=11)
        assert r.explain() == ("经济损失 ≥ ¥100,000", "同一事件 ≥ 10 位客户集体投诉")

    def test_en(self):
        r = cls(injury="serious", mishandled_from=S)
        assert r.explain("en") == ("personal injury: serious", "escalated: a significant complaint was mishandled")

    def test_zh_injury_and_mishandled(self):
        assert cls(injury="minor").explain() == ("人身伤害：轻伤",)
        assert cls(mishandled_from=M).explain() == ("由处理不当的重大投诉升级",)

    def test_ordinary_explains_itself(self):
        assert len(cls().explain()) == 1

    def test_every_rule_has_text(self):
        facts = [
            {"loss_yuan": 1000}, {"loss_yuan": 10000}, {"loss_yuan": 100000}, {"complainants": 10},
            {"deaths": 1}, {"times_raised_unhandled": 3},
            {"times_raised_unhandled": 10, "service_not_delivered": True},
            {"media_days": 1}, {"media_days": 2}, {"media_outlets": 3},
        ]
        for f in facts:
            r = cls(**f)
            for lang in ("zh", "en"):
                text = r.explain(lang)
                assert all(t and t not in r.rules for t in text), (f, text)


# ----------------------------------------------------------------- properties

facts_st = st.builds(
    ComplaintFacts,
    loss_yuan=st.one_of(st.integers(0, 300_000), st.decimals(0, 300_000, places=2)),
    complainants=st.integers(1, 20),
    deaths=st.integers(0, 3),
    injury=st.sampled_from(["none", "minor", "serious"]),
    media_days=st.integers(0, 5),
    media_outlets=st.integers(0, 5),
    times_raised_unhandled=st.integers(0, 15),
    service_not_delivered=st.booleans(),
    mishandled_from=st.one_of(st.none(), st.sampled_from(list(Severity))),
)

_INJURY_RANK = {"none": 0, "minor": 1, "serious": 2}


def _worse(f: ComplaintFacts, field: str) -> list[ComplaintFacts]:
    """Copies of f with one fact made worse."""
    if field == "loss_yuan":
        return [replace(f, loss_yuan=f.loss_yuan + d) for d in (1, 1000, 100_000)]
    if field == "injury":
        return [replace(f, injury=i) for i in _INJURY_RANK if _INJURY_RANK[i] > _INJURY_RANK[f.injury]]
    if field == "service_not_delivered":
        return [replace(f, service_not_delivered=True)]
    if field == "mishandled_from":
        cur = -1 if f.mishandled_from is None else int(f.mishandled_from)
        return [replace(f, mishandled_from=s) for s in Severity if int(s) > cur]
    return [replace(f, **{field: getattr(f, field) + d}) for d in (1, 5)]


@settings(max_examples=300)
@given(facts_st, st.sampled_from([
    "loss_yuan", "complainants", "deaths", "injury", "media_days", "media_outlets",
    "times_raised_unhandled", "service_not_delivered", "mishandled_from",
]))
def test_monotone_in_each_fact(facts, field):
    base = classify(facts, P).severity
    for worse in _worse(facts, field):
        assert classify(worse, P).severity >= base, (field, facts, worse)


@given(facts_st)
def test_rules_nonempty_unless_ordinary(facts):
    r = classify(facts, P)
    assert (r.severity is O) == (r.rules == ())


@given(facts_st)
def test_mishandled_gives_at_least_one_above(facts):
    if facts.mishandled_from is not None:
        assert classify(facts, P).severity >= escalate(facts.mishandled_from)
