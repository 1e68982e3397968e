"""Site policy (policy.toml): defaults, the shipped file, and load errors naming the key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from deskapp.core.policy import (
    ComplaintClock,
    CountdownPolicy,
    Policy,
    PolicyError,
    ReturnVisitPolicy,
    RuleViolation,
    SeverityPolicy,
    load_policy,
)
from deskapp.core.countdown import WARN_FRACTION, WARN_MIN
from deskapp.i18n import set_lang

REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "policy.toml").write_text(text, encoding="utf-8")
    return tmp_path


class TestDefaults:
    def test_numbers_from_the_rules(self):
        p = Policy()
        c = p.complaint.clocks
        assert (c.ordinary.respond_minutes, c.ordinary.complete_hours, c.ordinary.report_minutes) == (10, 12, None)
        assert (c.significant.respond_minutes, c.significant.complete_hours, c.significant.report_same_day) == (8, 48, True)
        assert (c.major.respond_minutes, c.major.complete_days, c.major.report_minutes) == (5, 5, 5)
        assert (c.critical.respond_minutes, c.critical.complete_hours, c.critical.complete_days) == (1, None, None)
        assert c.critical.report_minutes == 1
        assert (p.complaint.forward_minutes, p.complaint.reply_days, p.complaint.followup_days,
                p.complaint.other_dept_days) == (10, 3, 3, 3)
        assert (p.slip.notify_minutes, p.slip.onsite_minutes, p.slip.before_appointment_minutes,
                p.slip.assess_minutes) == (5, 15, 5, 15)
        rv = p.return_visit
        assert [(rv.rule(k).workdays, rv.rule(k).share_percent) for k in rv.kinds()] == [
            (1, 100), (2, 100), (2, 100), (2, 100), (2, 20), (1, None)]
        assert rv.kinds()[3] == "special"  # 特约服务: mid-term or end, 100%
        assert rv.rule("critical") == rv.major
        assert p.severity.significant_loss_yuan == 1000
        assert p.site_timezone == "Asia/Shanghai" and p.content_max_chars == 2000
        assert str(p.tz) == "Asia/Shanghai"

    def test_missing_file_gives_defaults(self, tmp_path):
        assert load_policy(tmp_path) == Policy()
        assert load_policy(tmp_path / "no-such-dir") == Policy()

    def test_shipped_file_equals_defaults(self):
        # every number is both a model default and written out in data/policy.toml
        assert (REPO_DATA / "policy.toml").exists()
        assert load_policy(REPO_DATA) == Policy()

    def test_shipped_file_writes_out_every_default(self):
        import tomllib

        data = tomllib.loads((REPO_DATA / "policy.toml").read_text(encoding="utf-8"))

        def keys(d, prefix=""):
            for k, v in d.items():
                yield from keys(v, f"{prefix}{k}.") if isinstance(v, dict) else [f"{prefix}{k}"]

        written = set(keys(data))
        dumped = set(keys(Policy().model_dump(exclude_none=True)))
        # the defaults that are False (report_same_day of classes without it) need not be written
        dumped = {k for k in dumped if not k.endswith("report_same_day")} | {"complaint.clocks.significant.report_same_day"}
        assert dumped <= written, dumped - written

    def test_shipped_file_comments_every_key(self):
        lines = (REPO_DATA / "policy.toml").read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if "=" in line and not line.lstrip().startswith("#"):
                assert lines[i - 1].lstrip().startswith("#"), f"key without a comment: {line}"

    def test_frozen(self):
        with pytest.raises(ValidationError):
            Policy().content_max_chars = 5  # type: ignore[misc]


class TestPartialOverrides:
    def test_one_key_keeps_class_defaults(self, tmp_path):
        p = load_policy(write(tmp_path, "[complaint.clocks.ordinary]\nrespond_minutes = 15\n"))
        assert p.complaint.clocks.ordinary.respond_minutes == 15
        assert p.complaint.clocks.ordinary.complete_hours == 12  # ordinary's default, not a generic one
        assert p.complaint.clocks.major == Policy().complaint.clocks.major

    def test_either_or_group_replaced_as_a_whole(self, tmp_path):
        p = load_policy(write(tmp_path, "[complaint.clocks.ordinary]\ncomplete_days = 1\n"))
        assert (p.complaint.clocks.ordinary.complete_hours, p.complaint.clocks.ordinary.complete_days) == (None, 1)
        p = load_policy(write(tmp_path, "[complaint.clocks.significant]\nreport_minutes = 30\n"))
        assert p.complaint.clocks.significant.report_same_day is False
        assert p.complaint.clocks.significant.report_minutes == 30

    def test_visit_kind_keeps_defaults(self, tmp_path):
        p = load_policy(write(tmp_path, "[return_visit.activity]\nworkdays = 3\n"))
        assert (p.return_visit.activity.workdays, p.return_visit.activity.share_percent) == (3, 20)

    def test_severity_x(self, tmp_path):
        p = load_policy(write(tmp_path, "[severity]\nsignificant_loss_yuan = 500\n"))
        assert p.severity == SeverityPolicy(significant_loss_yuan=500)


@pytest.mark.parametrize(
    "text, key, message",
    [
        ("[complaint.clocks.ordinary]\nrespond_minutes = 0\n",
         "complaint.clocks.ordinary.respond_minutes", "必须是正整数"),
        ("[complaint.clocks.ordinary]\nrespond_minutes = -5\n",
         "complaint.clocks.ordinary.respond_minutes", "必须是正整数"),
        ("[complaint.clocks.ordinary]\nrespond_minutes = \"10\"\n",
         "complaint.clocks.ordinary.respond_minutes", "必须是正整数"),
        ("[complaint.clocks.ordinary]\nrespond_minutes = 10.5\n",
         "complaint.clocks.ordinary.respond_minutes", "必须是正整数"),
        ("[complaint.clocks.ordinary]\nrespond_minute = 5\n",
         "complaint.clocks.ordinary.respond_minute", "未知的键"),
        ("colour = 'red'\n", "colour", "未知的键"),
        ("[complaint.clocks.urgent]\nrespond_minutes = 5\n", "complaint.clocks.urgent", "未知的键"),
        ("[slip]\nbefore_appointment_minutes = -1\n", "slip.before_appointment_minutes", "非负整数"),
        ("[slip]\nnotify_minutes = true\n", "slip.notify_minutes", "正整数"),
        ("[return_visit.activity]\nshare_percent = 120\n", "return_visit.activity.share_percent", "不能大于 100"),
        ("[complaint.clocks.significant]\nreport_same_day = \"yes\"\n",
         "complaint.clocks.significant.report_same_day", "true 或 false"),
        ("[complaint.clocks.ordinary]\ncomplete_hours = 12\ncomplete_days = 1\n",
         "complaint.clocks.ordinary", "只能填一个"),
        ("[severity]\nsignificant_loss_yuan = 20000\n", "severity", "递增"),
        ("severity = 3\n", "severity", "必须是一个表"),
        ("site_timezone = \"Mars/Olympus\"\n", "site_timezone", "未知的时区"),
        ("content_max_chars = 0\n", "content_max_chars", "正整数"),
        ("[countdown]\nwarn_fraction = 1.0\n", "countdown.warn_fraction", "0 到 1 之间"),
        ("[countdown]\nwarn_fraction = -0.1\n", "countdown.warn_fraction", "0 到 1 之间"),
        ("[countdown]\nwarn_fraction = nan\n", "countdown.warn_fraction", "0 到 1 之间"),
        ("[countdown]\nwarn_fraction = \"20%\"\n", "countdown.warn_fraction", "必须是数字"),
        ("[countdown]\nwarn_fraction = true\n", "countdown.warn_fraction", "必须是数字"),
        ("[countdown]\nwarn_minutes = -1\n", "countdown.warn_minutes", "非负整数"),
        ("[countdown]\nwarn_minutes = 1.5\n", "countdown.warn_minutes", "非负整数"),
        ("[countdown]\nwarn_seconds = 30\n", "countdown.warn_seconds", "未知的键"),
    ],
)
def test_load_errors_name_file_and_key(tmp_path, text, key, message):
    with pytest.raises(PolicyError) as info:
        load_policy(write(tmp_path, text))
    text_out = str(info.value)
    assert text_out.startswith(f"policy.toml: {key}: "), text_out
    assert message in text_out
    assert key in [k for k, _ in info.value.problems]
    assert info.value.path.name == "policy.toml"


def test_example_message_exact(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy(write(tmp_path, "[complaint.clocks.ordinary]\nrespond_minutes = -1\n"))
    assert str(info.value) == "policy.toml: complaint.clocks.ordinary.respond_minutes: 必须是正整数"


@pytest.mark.parametrize(
    "text, zh, en",
    [
        ("[complaint.clocks.ordinary]\nrespond_minutes = -1\n",
         "policy.toml: complaint.clocks.ordinary.respond_minutes: 必须是正整数",
         "policy.toml: complaint.clocks.ordinary.respond_minutes: must be a positive integer"),
        ("[severity]\nsignificant_loss_yuan = 20000\n",
         "policy.toml: severity: 金额门槛必须递增：significant_loss_yuan < major_loss_yuan < critical_loss_yuan",
         "policy.toml: severity: loss thresholds must increase: "
         "significant_loss_yuan < major_loss_yuan < critical_loss_yuan"),
        ("[complaint.clocks.major]\nreport_minutes = 5\nreport_same_day = true\n",
         "policy.toml: complaint.clocks.major: report_minutes 与 report_same_day 只能填一个",
         "policy.toml: complaint.clocks.major: set report_minutes or report_same_day, not both"),
        ("site_timezone = \"Mars/Olympus\"\n",
         "policy.toml: site_timezone: 未知的时区：'Mars/Olympus'",
         "policy.toml: site_timezone: unknown time zone: 'Mars/Olympus'"),
        ("[countdown]\nwarn_fraction = 2\n",
         "policy.toml: countdown.warn_fraction: 必须是 0 到 1 之间（不含 1）的小数，例如 0.2",
         "policy.toml: countdown.warn_fraction: must be a fraction from 0 up to (not including) 1, e.g. 0.2"),
        ("[return_visit.activity]\nshare_percent = 120\n",
         "policy.toml: return_visit.activity.share_percent: 不能大于 100",
         "policy.toml: return_visit.activity.share_percent: must be at most 100"),
    ],
)
def test_message_in_both_languages(tmp_path, text, zh, en):
    with pytest.raises(PolicyError) as info:
        load_policy(write(tmp_path, text))
    assert str(info.value) == zh
    set_lang("en")  # worded when shown: the same error in the language now chosen
    assert str(info.value) == en


def test_all_problems_listed(tmp_path):
    with pytest.raises(PolicyError) as info:
        load_policy(write(tmp_path, "typo = 1\n[slip]\nnotify_minutes = 0\nassess_minutes = -2\n"))
    assert sorted(k for k, _ in info.value.problems) == ["slip.assess_minutes", "slip.notify_minutes", "typo"]
    assert len(str(info.value).splitlines()) == 3


def test_syntax_error(tmp_path):
    with pytest.raises(PolicyError, match=r"^policy\.toml: TOML 语法错误：.*line 2") as info:
        load_policy(write(tmp_path, "[slip]\nnotify_minutes = \n"))
    set_lang("en")
    assert str(info.value).startswith("policy.toml: TOML syntax error: ")


def test_not_utf8(tmp_path):
    (tmp_path / "policy.toml").write_bytes("site_timezone = '上海'".encode("gbk"))
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(tmp_path)


def test_countdown_levels(tmp_path):
    p = load_policy(write(tmp_path, "[countdown]\nwarn_fraction = 0.25\nwarn_minutes = 0\n"))
    assert p.countdown == CountdownPolicy(warn_fraction=0.25, warn_minutes=0)
    assert p.countdown.levels() == {"warn_fraction": 0.25, "warn_min": timedelta(0)}
    # an integer is a number too: 0 means "never warn by share"
    assert load_policy(write(tmp_path, "[countdown]\nwarn_fraction = 0\n")).countdown.warn_fraction == 0.0
    assert Policy().countdown.levels() == {"warn_fraction": WARN_FRACTION, "warn_min": WARN_MIN}


def test_models_directly():
    with pytest.raises(ValidationError):
        ComplaintClock(respond_minutes=5, report_minutes=5, report_same_day=True)
    with pytest.raises(ValidationError):
        CountdownPolicy(warn_fraction=1.0)
    with pytest.raises(ValidationError) as info:
        Policy(site_timezone="Mars/Olympus")
    # the rule's own refusal travels inside pydantic's error, key and parameters intact
    refusal = info.value.errors()[0]["ctx"]["error"]
    assert isinstance(refusal, RuleViolation) and refusal.key == "policy.unknown_zone"
    with pytest.raises(ValueError, match="unknown return-visit kind"):
        ReturnVisitPolicy().rule("party")
    with pytest.raises(ValueError):
        Policy().complaint.clocks.for_code("urgent")
