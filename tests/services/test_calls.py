"""log_call and known_callers on a real SQLite file (来电来访登记)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from deskapp.core.text import parse_date
from deskapp.errors import InputError
from deskapp.i18n import set_lang
from deskapp.services.call_queries import fetch_calls
from deskapp.services.calls import CATEGORIES, CallDraft, KnownCaller, known_callers, log_call
from tests.services.dbstate import query, scalar, snapshot

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 14:00 in Asia/Shanghai


def draft(**kw) -> CallDraft:
    base = dict(channel="phone", category="enquiry", caller_name="张先生", phone="13800138000", unit="3-2-1201",
                content="咨询物业费缴纳方式", reply="您好，可在前台缴纳")
    base.update(kw)
    return CallDraft(**base)


def call_row(desk, call_id: int) -> dict:
    cols = ("number", "at", "channel", "category", "caller_name", "phone", "unit_code", "resident_id", "content",
            "reply", "owner_id", "status", "flagged_phrases")
    row = query(desk, f"SELECT {', '.join(cols)} FROM call WHERE id = ?", (call_id,))
    assert row, f"call {call_id} not stored"
    return dict(zip(cols, row[0]))


# ------------------------------------------------------------ happy path ---


class TestLogCall:
    def test_stores_the_call_as_typed_and_normalised(self, desk, receptionist):
        logged = log_call(desk, receptionist, draft(phone="138 0013-8000", unit="3栋2单元1201室"), now=NOW)

        assert logged.number == "来电-2026-000001"
        assert logged.status == "done"
        assert logged.flagged == ()
        assert logged.at == NOW
        row = call_row(desk, logged.id)
        assert row["number"] == "来电-2026-000001"
        assert row["phone"] == "13800138000"
        assert row["unit_code"] == "3栋2单元1201"
        assert row["caller_name"] == "张先生"
        assert row["content"] == "咨询物业费缴纳方式"
        assert row["reply"] == "您好，可在前台缴纳"
        assert row["owner_id"] == receptionist.id
        assert row["channel"] == "phone" and row["category"] == "enquiry"
        assert row["at"].startswith("2026-11-24 06:00:00")  # stored in UTC

    def test_numbers_follow_each_other(self, desk, receptionist):
        numbers = [log_call(desk, receptionist, draft(content=f"第{i}通"), now=NOW).number for i in range(3)]
        assert numbers == ["来电-2026-000001", "来电-2026-000002", "来电-2026-000003"]

    def test_logged_earlier_keeps_its_own_time(self, desk, receptionist):
        at = NOW - timedelta(hours=5)
        logged = log_call(desk, receptionist, draft(at=at), now=NOW)
        assert logged.at == at
        assert call_row(desk, logged.id)["at"].startswith("2026-11-24 01:00:00")

    def test_number_year_is_the_sites_local_year(self, desk, receptionist):
        # 2026-12-31 17:00 UTC is 2027-01-01 01:00 in Asia/Shanghai.
        new_year = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
        late_2026 = datetime(2026, 12, 31, 15, 59, tzinfo=UTC)  # 23:59 local, still 2026
        a = log_call(desk, receptionist, draft(at=late_2026), now=new_year)
        b = log_call(desk, receptionist, draft(at=new_year), now=new_year)
        c = log_call(desk, receptionist, draft(at=late_2026), now=new_year)
        assert a.number == "来电-2026-000001"
        assert b.number == "来电-2027-000001"  # a new year starts at 1
        assert c.number == "来电-2026-000002"
        assert query(desk, "SELECT register_key, year, last FROM number_sequence ORDER BY year") == [
            ("call", 2026, 2), ("call", 2027, 1)]

    def test_aware_time_in_another_zone_means_the_same_instant(self, desk, receptionist):
        from zoneinfo import ZoneInfo

        at = datetime(2027, 1, 1, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
        logged = log_call(desk, receptionist, draft(at=at), now=at)
        assert logged.number == "来电-2027-000001"
        assert call_row(desk, logged.id)["at"].startswith("2026-12-31 17:00:00")

    @pytest.mark.parametrize("category, status", [
        ("repair", "awaiting_slip"),
        ("complaint", "awaiting_complaint"),
        *[(c, "done") for c in CATEGORIES if c not in ("repair", "complaint")],
    ])
    def test_status_follows_category(self, desk, receptionist, category, status):
        logged = log_call(desk, receptionist, draft(category=category), now=NOW)
        assert logged.status == status
        assert call_row(desk, logged.id)["status"] == status

    @pytest.mark.parametrize("channel", ["phone", "visit", "letter", "other"])
    def test_every_channel_is_accepted(self, desk, receptionist, channel):
        logged = log_call(desk, receptionist, draft(channel=channel), now=NOW)
        assert call_row(desk, logged.id)["channel"] == channel

    def test_audit_event_written_with_the_call(self, desk, receptionist):
        before = scalar(desk, "SELECT count(*) FROM audit_event")
        logged = log_call(desk, receptionist, draft(category="repair"), now=NOW)
        events = query(desk, "SELECT actor_id, action, entity, entity_id, detail, at FROM audit_event "
                             "WHERE action = 'call.log'")
        assert scalar(desk, "SELECT count(*) FROM audit_event") == before + 1
        assert len(events) == 1
        actor_id, action, entity, entity_id, detail, at = events[0]
        assert (actor_id, action, entity, entity_id) == (receptionist.id, "call.log", "call", logged.id)
        assert json.loads(detail)["number"] == logged.number
        assert json.loads(detail)["category"] == "repair"
        assert at.startswith("2026-11-24 06:00:00")

    def test_call_and_audit_event_share_one_transaction(self, desk, receptionist):
        """If the audit event cannot be written, the call (and its number) is not kept either."""
        log_call(desk, receptionist, draft(), now=NOW)
        before = snapshot(desk)
        from tests.services.dbstate import execute, is_postgresql

        if is_postgresql(desk):
            execute(desk, "CREATE FUNCTION test_no_audit() RETURNS trigger LANGUAGE plpgsql AS "
                          "$$ BEGIN RAISE EXCEPTION 'audit refused'; END $$")
            execute(desk, "CREATE TRIGGER test_no_audit BEFORE INSERT ON audit_event "
                          "FOR EACH ROW EXECUTE FUNCTION test_no_audit()")
        else:
            execute(desk, "CREATE TRIGGER test_no_audit BEFORE INSERT ON audit_event "
                          "BEGIN SELECT RAISE(ABORT, 'audit refused'); END")
        with pytest.raises(Exception, match="audit refused"):
            log_call(desk, receptionist, draft(content="不该留下"), now=NOW)
        assert snapshot(desk) == before


# ------------------------------------------------------- who is calling ---


class TestCallers:
    def test_resident_and_unit_are_remembered(self, desk, receptionist):
        logged = log_call(desk, receptionist, draft(), now=NOW)
        units = query(desk, "SELECT id, code, building, entrance, room FROM unit")
        assert [u[1:] for u in units] == [("3栋2单元1201", "3", "2", "1201")]
        residents = query(desk, "SELECT id, name, phone, unit_id FROM resident")
        assert [r[1:] for r in residents] == [("张先生", "13800138000", units[0][0])]
        assert call_row(desk, logged.id)["resident_id"] == residents[0][0]

    def test_same_caller_again_updates_the_resident_not_duplicates_it(self, desk, receptionist):
        first = log_call(desk, receptionist, draft(), now=NOW)
        later = NOW + timedelta(hours=1)
        second = log_call(desk, receptionist, draft(caller_name="张伟", unit="3栋2单元1201室"), now=later)
        assert scalar(desk, "SELECT count(*) FROM resident") == 1
        assert scalar(desk, "SELECT count(*) FROM unit") == 1
        name, last_seen = query(desk, "SELECT name, last_seen_at FROM resident")[0]
        assert name == "张伟"
        assert last_seen.startswith("2026-11-24 07:00:00")
        assert call_row(desk, first.id)["resident_id"] == call_row(desk, second.id)["resident_id"]

    def test_a_call_without_a_name_keeps_the_known_name(self, desk, receptionist):
        log_call(desk, receptionist, draft(), now=NOW)
        log_call(desk, receptionist, draft(caller_name=""), now=NOW)
        assert query(desk, "SELECT name FROM resident") == [("张先生",)]

    def test_no_phone_and_no_unit_remembers_nobody(self, desk, receptionist):
        logged = log_call(desk, receptionist, draft(phone="", unit=""), now=NOW)
        assert call_row(desk, logged.id)["resident_id"] is None
        assert scalar(desk, "SELECT count(*) FROM resident") == 0
        assert scalar(desk, "SELECT count(*) FROM unit") == 0

    def test_known_callers_by_phone_prefix(self, desk, receptionist):
        log_call(desk, receptionist, draft(), now=NOW)
        log_call(desk, receptionist, draft(caller_name="李女士", phone="13912345678", unit="5-1-302"),
                 now=NOW + timedelta(minutes=5))
        zhang = KnownCaller("张先生", "13800138000", "3栋2单元1201")
        li = KnownCaller("李女士", "13912345678", "5栋1单元302")
        assert known_callers(desk, phone="138") == [zhang]
        assert known_callers(desk, phone="13800138000") == [zhang]
        assert known_callers(desk, phone="139 1234") == [li]
        assert known_callers(desk, phone="13") == []  # too short to suggest anybody
        assert known_callers(desk, phone="137") == []
        assert known_callers(desk, phone="1 3 8") == [zhang]  # typed with spaces

    def test_known_callers_most_recent_first(self, desk, receptionist):
        log_call(desk, receptionist, draft(caller_name="甲", phone="13800000001", unit="1-1-101"), now=NOW)
        log_call(desk, receptionist, draft(caller_name="乙", phone="13800000002", unit="1-1-102"),
                 now=NOW + timedelta(minutes=1))
        assert [k.name for k in known_callers(desk, phone="138")] == ["乙", "甲"]
        log_call(desk, receptionist, draft(caller_name="甲", phone="13800000001", unit="1-1-101"),
                 now=NOW + timedelta(minutes=2))
        assert [k.name for k in known_callers(desk, phone="138")] == ["甲", "乙"]
        assert len(known_callers(desk, phone="138", limit=1)) == 1

    @pytest.mark.parametrize("typed", ["3-2-1201", "3栋2单元1201室", "3栋2单元1201", "３－２－１２０１", " 3 - 2 - 1201 "])
    def test_known_callers_by_unit_in_any_normal_form(self, desk, receptionist, typed):
        log_call(desk, receptionist, draft(), now=NOW)
        assert known_callers(desk, unit=typed) == [KnownCaller("张先生", "13800138000", "3栋2单元1201")]
        assert known_callers(desk, unit="3-2-1202") == []

    def test_known_callers_with_unusable_input_is_empty_not_an_error(self, desk, receptionist):
        log_call(desk, receptionist, draft(), now=NOW)
        assert known_callers(desk, phone="138abc") == []
        assert known_callers(desk, unit="3-2-\x1b[31m") == []
        assert known_callers(desk, phone="13%") == []  # a LIKE wildcard is not a wildcard

    @pytest.mark.parametrize("typed, code", [
        ("3-2-1201", "3栋2单元1201"),
        ("3栋2单元1201室", "3栋2单元1201"),
        ("3幢2单元1201号", "3栋2单元1201"),
        ("03-02-1201", "3栋2单元1201"),
        ("3/2/1201", "3栋2单元1201"),
        ("商铺A12", "商铺A12"),  # not a household unit: kept as typed
    ])
    def test_unit_normal_forms(self, desk, receptionist, typed, code):
        logged = log_call(desk, receptionist, draft(unit=typed), now=NOW)
        assert call_row(desk, logged.id)["unit_code"] == code


# --------------------------------------------------- forbidden phrases ---


class TestForbiddenPhrases:
    @pytest.mark.parametrize("reply, flagged", [
        ("喂，您好，哪位？", ("喂",)),
        ("  喂  什么事", ("喂",)),
        ("我们已经喂过小区的流浪猫了", ()),  # 喂 inside a sentence is not an opening 喂
        ("您好，请问有什么可以帮助您？", ()),
        ("不知道，等一下", ("不知道", "等一下")),
        ("喂，急什么", ("喂", "急什么")),
    ])
    def test_flagged_in_reply(self, desk, receptionist, reply, flagged):
        logged = log_call(desk, receptionist, draft(reply=reply), now=NOW)
        assert logged.flagged == flagged
        assert call_row(desk, logged.id)["flagged_phrases"] == "、".join(flagged)
        detail = json.loads(query(desk, "SELECT detail FROM audit_event WHERE entity = 'call'")[0][0])
        assert detail["flagged"] == list(flagged)

    def test_flagged_call_is_still_saved_as_typed(self, desk, receptionist):
        logged = log_call(desk, receptionist, draft(reply="喂，不知道"), now=NOW)
        assert call_row(desk, logged.id)["reply"] == "喂，不知道"


# ------------------------------------------------------------ bad input ---

CTRL_ZH = "含有控制字符或终端转义序列，请删除后再保存"


def _bad_cases():
    future = NOW + timedelta(minutes=2)
    return [
        pytest.param(dict(content=""), "“内容”不能为空", id="empty-content"),
        pytest.param(dict(content="  \n\t  "), "“内容”不能为空", id="whitespace-content"),
        pytest.param(dict(content="漏" * 10_000), "“内容”太长：10000 字，最多 2000 字", id="10k-content"),
        pytest.param(dict(reply="答" * 2001), "“答复/处理”太长：2001 字，最多 2000 字", id="long-reply"),
        pytest.param(dict(caller_name="名" * 41), "“姓名”太长：41 字，最多 40 字", id="long-name"),
        pytest.param(dict(phone="138abc00138"), "电话号码只能包含数字、空格、+ 和 -：138abc00138", id="phone-letters"),
        pytest.param(dict(phone="12"), "电话号码应为 3 到 20 位数字：12", id="phone-short"),
        pytest.param(dict(phone="1" * 21), f"电话号码应为 3 到 20 位数字：{'1' * 21}", id="phone-long"),
        pytest.param(dict(content="电梯\x1b[31m坏了"), f"“内容”{CTRL_ZH}", id="escape-in-content"),
        pytest.param(dict(caller_name="\x1b[31m张先生"), f"“姓名”{CTRL_ZH}", id="escape-in-name"),
        pytest.param(dict(reply="好的\x1b]0;title\x07"), f"“答复/处理”{CTRL_ZH}", id="osc-in-reply"),
        pytest.param(dict(content="电梯\x00坏了"), f"“内容”{CTRL_ZH}", id="nul-in-content"),
        pytest.param(dict(content="电梯\x07坏了"), f"“内容”{CTRL_ZH}", id="bell-in-content"),
        pytest.param(dict(caller_name="张\x9b31m"), f"“姓名”{CTRL_ZH}", id="c1-csi-in-name"),
        pytest.param(dict(caller_name="张\n先生"), f"“姓名”{CTRL_ZH}", id="newline-in-name"),
        pytest.param(dict(phone="138\x1b[0m"), f"“电话”{CTRL_ZH}", id="escape-in-phone"),
        pytest.param(dict(unit="3-2-\x1b[31m1201"), f"“房号”{CTRL_ZH}", id="escape-in-unit"),
        pytest.param(dict(channel="fax"), "“方式”的取值无效：fax", id="unknown-channel"),
        pytest.param(dict(category="gossip"), "“类别”的取值无效：gossip", id="unknown-category"),
        pytest.param(dict(at=future), "登记时间不能晚于现在", id="future-at"),
    ]


class TestBadInput:
    @pytest.fixture
    def before(self, desk, receptionist):
        # One good call first, so the number sequence has a row that must not move.
        log_call(desk, receptionist, draft(), now=NOW)
        return snapshot(desk)

    @pytest.mark.parametrize("kw, message", _bad_cases())
    def test_refused_with_message_and_nothing_written(self, desk, receptionist, before, kw, message):
        with pytest.raises(InputError) as exc:
            log_call(desk, receptionist, draft(**kw), now=NOW)
        assert str(exc.value) == message
        assert snapshot(desk) == before

    def test_naive_time_is_a_programming_error_and_nothing_written(self, desk, receptionist, before):
        with pytest.raises(ValueError, match="timezone-aware"):
            log_call(desk, receptionist, draft(at=datetime(2026, 11, 24, 9, 0)), now=NOW)
        assert snapshot(desk) == before

    def test_a_minute_of_clock_skew_is_tolerated(self, desk, receptionist, before):
        logged = log_call(desk, receptionist, draft(at=NOW + timedelta(minutes=1)), now=NOW)
        assert logged.number == "来电-2026-000002"

    def test_content_at_the_limit_is_accepted(self, desk, receptionist, before):
        limit = desk.policy.content_max_chars
        logged = log_call(desk, receptionist, draft(content="漏" * limit), now=NOW)
        assert len(call_row(desk, logged.id)["content"]) == limit

    def test_refused_call_does_not_use_up_a_number(self, desk, receptionist, before):
        with pytest.raises(InputError):
            log_call(desk, receptionist, draft(content=""), now=NOW)
        assert log_call(desk, receptionist, draft(), now=NOW).number == "来电-2026-000002"

    @pytest.mark.parametrize("kw, message", [
        (dict(content=""), "content is required"),
        (dict(content="x" * 2001), "content is too long: 2001 characters, at most 2000"),
        (dict(phone="138abc"), "A phone number may hold only digits, spaces, + and -: 138abc"),
        (dict(phone="12"), "A phone number has 3 to 20 digits: 12"),
        (dict(caller_name="\x1b[31m"),
         "name contains control characters or terminal escape sequences; remove them and save again"),
        (dict(channel="fax"), "Not a valid channel: fax"),
        (dict(category="gossip"), "Not a valid category: gossip"),
        (dict(at=NOW + timedelta(hours=1)), "The time logged cannot be in the future"),
    ])
    def test_messages_in_english(self, desk, receptionist, before, kw, message):
        set_lang("en")
        with pytest.raises(InputError) as exc:
            log_call(desk, receptionist, draft(**kw), now=NOW)
        assert str(exc.value) == message
        assert snapshot(desk) == before


# ----------------------------------------------------- stored literally ---


class TestStoredLiterally:
    @pytest.mark.parametrize("text", [
        "水管爆了 🚿💧😱",
        "[red]x[/red]",
        "[bold]急[/bold] [link=http://example.com]点我[/link]",
        "=1+1",
        "@SUM(A1:A9)",
        "+86 转 -1",
        "100% 的 _问题_ \\n",
        "第一行\n第二行\t缩进",
    ])
    def test_content_reply_and_name_come_back_unchanged(self, desk, receptionist, text):
        name = text.replace("\n", " ").replace("\t", " ")[:40]
        logged = log_call(desk, receptionist, draft(content=text, reply=text, caller_name=name), now=NOW)
        row = call_row(desk, logged.id)
        assert row["content"] == text
        assert row["reply"] == text
        assert row["caller_name"] == name
        (fetched,) = [r for r in fetch_calls(desk) if r.id == logged.id]
        assert (fetched.content, fetched.reply, fetched.caller_name) == (text, text, name)

    def test_surrounding_whitespace_is_trimmed(self, desk, receptionist):
        logged = log_call(desk, receptionist, draft(content="  电梯坏了 \n", caller_name=" 张先生 "), now=NOW)
        row = call_row(desk, logged.id)
        assert (row["content"], row["caller_name"]) == ("电梯坏了", "张先生")


# ------------------------------------------------------------ parse_date ---


class TestParseDate:
    def test_a_day_that_does_not_exist_is_refused_clearly(self):
        with pytest.raises(InputError) as exc:
            parse_date("2026-02-30")
        assert str(exc.value) == "日期无效：2026-02-30（格式 YYYY-MM-DD，且须是日历上存在的日期）"

    def test_in_english(self):
        set_lang("en")
        with pytest.raises(InputError) as exc:
            parse_date("2026-02-30")
        assert str(exc.value) == "Not a valid date: 2026-02-30 (YYYY-MM-DD, a day that exists)"

    def test_good_and_empty(self):
        from datetime import date

        assert parse_date("2026-02-28") == date(2026, 2, 28)
        assert parse_date("２０２６-０２-２８") == date(2026, 2, 28)  # full-width digits
        assert parse_date("  ") is None
        with pytest.raises(InputError, match="日期"):
            parse_date("", required=True)

    @pytest.mark.parametrize("raw", ["2026/02/28", "28-02-2026", "2026-13-01", "明天"])
    def test_other_shapes_are_refused(self, raw):
        with pytest.raises(InputError, match="日期无效"):
            parse_date(raw)
