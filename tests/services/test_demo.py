"""fill_demo on a real SQLite file: counts, gapless numbers, search, sign-in, determinism."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from deskapp.config import Settings
from deskapp.errors import InputError
from deskapp.services import demo
from deskapp.services.call_queries import CallFilter, count_calls
from deskapp.services.calls import CATEGORIES, CHANNELS, CallDraft, log_call
from deskapp.services.desk import Desk
from deskapp.services.numbering import PREFIX
from deskapp.services.staff import sign_in
from tests.services.dbstate import query, scalar

UTC = timezone.utc
# 18:30 in Asia/Shanghai; six months back crosses New Year, so two numbering years.
NOW = datetime(2026, 3, 15, 10, 30, tzinfo=UTC)
CALLS = 500

# register key -> table holding its numbers
REGISTERS = {"call": "call", "complaint": "complaint", "slip": "dispatch_slip", "visit": "return_visit",
             "shift": "shift", "handover": "handover", "incident": "incident_report"}
# tables whose content must be the same for the same seed (staff: the PIN salt is random by design)
DATA_TABLES = ("department", "unit", "resident", "call", "complaint", "dispatch_slip", "return_visit", "shift",
               "duty_log_entry", "handover", "handover_item", "incident_report", "number_sequence")


def open_desk(path) -> Desk:
    return Desk.open(Settings(database_url=f"sqlite:///{path}"))


def dump(desk: Desk) -> dict[str, list[tuple]]:
    return {t: query(desk, f"SELECT * FROM {t} ORDER BY 1, 2") for t in DATA_TABLES}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """One demo database shared by the read-only tests of this module."""
    desk = open_desk(tmp_path_factory.mktemp("demo") / "desk.sqlite")
    summary = demo.fill_demo(desk, calls=CALLS, now=NOW)
    yield desk, summary
    desk.engine.dispose()


def test_counts_match_the_summary(filled):
    desk, s = filled
    expected = {"staff": s.staff, "department": s.departments, "unit": s.units, "resident": s.residents,
                "call": s.calls, "complaint": s.complaints, "dispatch_slip": s.slips, "return_visit": s.visits,
                "shift": s.shifts, "duty_log_entry": s.duty_entries, "handover": s.handovers,
                "handover_item": s.handover_items, "incident_report": s.incidents}
    assert {t: scalar(desk, f"SELECT count(*) FROM {t}") for t in expected} == expected
    assert s.calls == CALLS
    assert s.staff == 8 and s.departments == 4 and s.units == 12 * 3 * 30 * 4
    assert 2 <= s.incidents <= 4
    assert min(s.complaints, s.slips, s.visits, s.shifts, s.duty_entries, s.handovers, s.handover_items) > 0
    # one audit event per batch, on top of the staff.add events
    assert scalar(desk, "SELECT count(*) FROM audit_event WHERE action = 'demo.fill'") >= 3


def test_numbers_are_gapless_per_register_and_year_and_the_sequence_ends_there(filled):
    desk, _ = filled
    seq = {(r, y): last for r, y, last in query(desk, "SELECT register_key, year, last FROM number_sequence")}
    seen: dict[tuple[str, int], list[int]] = defaultdict(list)
    for register, table in REGISTERS.items():
        pattern = re.compile(rf"^{PREFIX[register]}-(\d{{4}})-(\d{{6}})$")
        for (number,) in query(desk, f"SELECT number FROM {table}"):
            m = pattern.match(number)
            assert m, number
            seen[(register, int(m.group(1)))].append(int(m.group(2)))
    assert {k for k in seen if k[0] == "call"} == {("call", 2025), ("call", 2026)}
    for key, numbers in seen.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    assert seq == {key: len(numbers) for key, numbers in seen.items()}


def test_call_numbers_follow_time_and_stay_in_the_period(filled):
    desk, s = filled
    rows = query(desk, "SELECT number, at FROM call ORDER BY id")
    ats = [at for _, at in rows]
    assert ats == sorted(ats)
    by_year: dict[str, list[int]] = defaultdict(list)
    for number, _ in rows:
        _, year, seq = number.split("-")
        by_year[year].append(int(seq))
    assert all(seqs == sorted(seqs) for seqs in by_year.values())
    first, last = ats[0], ats[-1]
    assert first >= s.start.strftime("%Y-%m-%d %H:%M:%S")
    assert last <= NOW.strftime("%Y-%m-%d %H:%M:%S")


def test_every_channel_category_and_severity_class_appears(filled):
    desk, _ = filled
    assert {r[0] for r in query(desk, "SELECT DISTINCT channel FROM call")} == set(CHANNELS)
    assert {r[0] for r in query(desk, "SELECT DISTINCT category FROM call")} == set(CATEGORIES)
    assert {r[0] for r in query(desk, "SELECT DISTINCT severity FROM complaint")} == {
        "ordinary", "significant", "major", "critical"}
    # the class was proposed from facts, and names the rule that fired
    assert scalar(desk, "SELECT count(*) FROM complaint WHERE severity != 'ordinary' AND severity_rules = ''") == 0
    assert scalar(desk, "SELECT count(*) FROM complaint WHERE severity = 'critical' "
                        "AND loss_yuan < 100000 AND complainants < 10 AND escalations = 0") == 0


def test_repair_and_complaint_calls_turned_into_their_records(filled):
    desk, _ = filled
    assert scalar(desk, "SELECT count(*) FROM call WHERE status = 'slipped' AND id NOT IN "
                        "(SELECT call_id FROM dispatch_slip WHERE call_id IS NOT NULL)") == 0
    assert scalar(desk, "SELECT count(*) FROM call WHERE status = 'complained' AND id NOT IN "
                        "(SELECT call_id FROM complaint WHERE call_id IS NOT NULL)") == 0
    # only a few recent calls still wait for their slip or complaint
    two_days_ago = (NOW - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    assert scalar(desk, "SELECT count(*) FROM call WHERE status LIKE 'awaiting%' AND at < ?", (two_days_ago,)) == 0
    assert 1 <= scalar(desk, "SELECT count(*) FROM call WHERE status LIKE 'awaiting%'") <= 10
    assert scalar(desk, "SELECT count(*) FROM call WHERE (status LIKE 'awaiting%') != (due_by IS NOT NULL)") == 0
    # nothing happened after `now`
    now = NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
    for table, col in (("complaint", "completed_at"), ("dispatch_slip", "completed_at"),
                       ("return_visit", "visited_at"), ("duty_log_entry", "at"), ("handover", "received_at")):
        assert scalar(desk, f"SELECT count(*) FROM {table} WHERE {col} > ?", (now,)) == 0, table
    assert query(desk, "PRAGMA foreign_key_check") == []


def test_search_finds_demo_content(filled):
    desk, _ = filled
    content, phone, unit = query(desk, "SELECT content, phone, unit_code FROM call "
                                       "WHERE phone != '' AND length(content) >= 8 ORDER BY id LIMIT 1")[0]
    for q in (content[2:6], phone, phone[-4:], unit):
        assert count_calls(desk, CallFilter(search=q)) >= 1, q
    # FTS (3+ characters) agrees with a plain scan
    word = "电梯故障"
    like = scalar(desk, "SELECT count(*) FROM call WHERE content LIKE ? OR reply LIKE ?", (f"%{word}%",) * 2)
    assert like > 0
    assert count_calls(desk, CallFilter(search=word)) == like


def test_demo_accounts_sign_in(filled):
    desk, s = filled
    assert s.supervisor == demo.SUPERVISOR == demo.DemoAccount("王主管", "supervisor", "1234")
    for account in (s.supervisor, s.accounts[-1]):  # each sign-in costs a scrypt (~50 ms)
        actor = sign_in(desk, name=account.name, pin=account.pin)
        assert (actor.name, actor.role) == (account.name, account.role)
    assert len({a.name for a in s.accounts}) == len(s.accounts) == 8
    assert {a.role for a in s.accounts} >= {"supervisor", "manager", "gm", "receptionist", "concierge"}


def test_a_filled_database_is_refused(filled):
    desk, _ = filled
    with pytest.raises(InputError) as err:
        demo.fill_demo(desk, calls=10, now=NOW)
    assert err.value.key == "err.demo_not_empty"


def test_bulk_path_gives_the_same_data_and_logging_carries_on(filled, tmp_path, monkeypatch):
    """Large fills drop the FTS triggers, rebuild the index once and re-create them: same seed, same data."""
    monkeypatch.setattr(demo, "_FTS_REBUILD_FROM", 0)
    desk = open_desk(tmp_path / "bulk.sqlite")
    summary = demo.fill_demo(desk, calls=CALLS, now=NOW)
    assert summary.fts_rebuilt and not filled[1].fts_rebuilt
    assert dump(desk) == dump(filled[0])

    triggers = {r[0] for r in query(desk, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert triggers >= {"call_fts_ai", "call_fts_ad", "call_fts_au"}
    assert query(desk, "INSERT INTO call_fts(call_fts, rank) VALUES('integrity-check', 1)") == []
    like = scalar(desk, "SELECT count(*) FROM call WHERE content LIKE '%卫生间天花板漏水%'")
    assert like > 0 and count_calls(desk, CallFilter(search="卫生间天花板漏水")) == like

    # the next call continues the sequence and is indexed by the re-created trigger
    last = scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'call' AND year = 2026")
    actor = sign_in(desk, name=demo.SUPERVISOR.name, pin=demo.SUPERVISOR.pin)
    logged = log_call(desk, actor, CallDraft(category="repair", caller_name="张先生", phone="13800138000",
                                             unit="3-2-1201", content="阳台推拉门轨道变形"), now=NOW + timedelta(minutes=5))
    assert logged.number == f"来电-2026-{last + 1:06d}"
    assert scalar(desk, "SELECT last FROM number_sequence WHERE register_key = 'call' AND year = 2026") == last + 1
    assert count_calls(desk, CallFilter(search="推拉门轨道")) == 1
    desk.engine.dispose()
