"""fill_demo on real SQLite files: written through the services, the benchmark path writes the same rows.

The demo database must pass the same invariants as one written by calling the
services directly, hold only what the services can write, come out the same
for the same seed and `now`, and refuse a database that is already in use.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest

from deskapp.config import Settings
from deskapp.core.codes import AWAITING, CATEGORIES, CHANNELS
from deskapp.demo import ACCOUNTS, BULK_FROM, SUPERVISOR, fill_demo
from deskapp.demo.plan import DEPARTMENTS
from deskapp.errors import InputError
from deskapp.services import invariants
from deskapp.services.call_queries import CallFilter, count_calls
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.complaints import ComplaintDraft, forward, give_result, register_complaint
from deskapp.services.desk import Desk
from deskapp.services.reference import UnitDraft, add_department, add_unit
from deskapp.services import slips
from deskapp.services.slips import SlipDraft, issue_slip
from deskapp.services.staff import add_staff, sign_in
from tests.services.dbstate import query, scalar

UTC = timezone.utc
# 18:30 in Asia/Shanghai; six months back crosses New Year, so two numbering years.
NOW = datetime(2026, 3, 15, 10, 30, tzinfo=UTC)
CALLS = 2000

# What the services write for the demo; staff is left out (a PIN's salt is random by design).
WRITTEN = ("department", "unit", "resident", "call", "number_sequence", "audit_event", "complaint", "complaint_step",
           "dispatch_slip", "slip_step")
# Registers that have no services yet, so no demo rows either.
NO_SERVICES_YET = ("incident_report",)


def open_desk(path) -> Desk:
    return Desk.open(Settings(database_url=f"sqlite:///{path}"))


def dump(desk: Desk) -> dict[str, list[tuple]]:
    return {t: query(desk, f"SELECT * FROM {t} ORDER BY 1, 2") for t in WRITTEN}


def report_shape(report: invariants.Report) -> set[tuple[str, str]]:
    return {(c.check, c.subject) for c in report.checked}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo database written through the services, shared by the read-only tests here."""
    desk = open_desk(tmp_path_factory.mktemp("demo") / "desk.sqlite")
    summary = fill_demo(desk, calls=CALLS, now=NOW, bulk=False)
    yield desk, summary
    desk.engine.dispose()


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    """The same demo, forced through the benchmark path."""
    desk = open_desk(tmp_path_factory.mktemp("bulk") / "desk.sqlite")
    summary = fill_demo(desk, calls=CALLS, now=NOW, bulk=True)
    yield desk, summary
    desk.engine.dispose()


@pytest.fixture(scope="module")
def by_hand(tmp_path_factory):
    """A desk written by calling the services one by one, as screens do, across New Year."""
    desk = open_desk(tmp_path_factory.mktemp("services") / "desk.sqlite")
    boss = add_staff(desk, name="王主管", role="supervisor", pin="1234", actor=None, now=NOW - timedelta(days=90))
    clerk = add_staff(desk, name="李前台", role="receptionist", pin="5678", actor=boss, now=NOW - timedelta(days=90))
    add_department(desk, boss, name="工程部", kind="engineering", phone="8001", now=NOW - timedelta(days=90))
    add_department(desk, boss, name="华建维保单位", kind="contractor", now=NOW - timedelta(days=90))
    add_unit(desk, boss, UnitDraft("3-2-1201", date(2027, 6, 30)), now=NOW - timedelta(days=90))
    for i, category in enumerate(CATEGORIES * 2):
        at = NOW - timedelta(days=80 - 7 * i)  # 2025-12-25 onwards: both years
        logged = log_call(desk, clerk, CallDraft(category=category, caller_name="张先生", phone="138 0013 8000",
                                                 unit="3-2-1201" if i % 2 else "5栋1单元302", content=f"第{i}通电话",
                                                 reply="好的", at=at), now=at + timedelta(minutes=2))
        if category == "complaint":  # followed up as the demo follows its complaint calls up
            register_complaint(desk, clerk, ComplaintDraft(phone="13800138000", description=f"第{i}通电话",
                                                           call_id=logged.id), now=at + timedelta(minutes=3))
    walk_in = NOW - timedelta(days=85)  # a complaint of the old year, not from a call
    for at in (walk_in, NOW - timedelta(days=10)):  # answered in either year: a return visit of that year
        done = register_complaint(desk, clerk, ComplaintDraft(channel="visit", unit="3-2-1201", description="电梯停梯"),
                                  now=at)
        v = forward(desk, clerk, done.id, version=done.version, now=at + timedelta(minutes=5)).version
        give_result(desk, clerk, done.id, version=v, result="已修复", now=at + timedelta(hours=2))
    # A shift worked and handed over, as the demo's last shifts are (deskapp.demo.duty_desk).
    from deskapp.services.handover import sign_handover
    from deskapp.services.shifts import add_log_entry, find_shift

    entry_at = NOW - timedelta(days=2)
    add_log_entry(desk, clerk, what="巡查大堂", now=entry_at)
    shift = find_shift(desk, at=entry_at)
    sign_handover(desk, shift_id=shift.id, name="李前台", pin="5678", now=entry_at + timedelta(minutes=5))
    # one repair call becomes its slip, as the demo's do
    repair = query(desk, "SELECT id, at FROM call WHERE category = 'repair' ORDER BY id LIMIT 1")[0]
    at = datetime.fromisoformat(repair[1]).replace(tzinfo=timezone.utc) + timedelta(minutes=3)
    slip = issue_slip(desk, clerk, SlipDraft(call_id=repair[0], chargeable=False, department_id=1), now=at)
    slips.notify_department(desk, clerk, slip.id, now=at)
    slips.accept_slip(desk, clerk, slip.id, technician="赵师傅", now=at)
    slips.arrive(desk, clerk, slip.id, now=at)
    slips.complete_work(desk, clerk, slip.id, work_done="修好了", now=at)  # its return visit is planned
    yield desk
    desk.engine.dispose()


# ------------------------------------------------------------ invariants ---


def test_the_demo_passes_the_invariants_as_a_desk_written_by_hand_does(demo, by_hand):
    by_hand_report = invariants.check(by_hand)
    demo_report = invariants.check(demo[0])
    assert by_hand_report.problems == ()
    assert demo_report.problems == ()
    assert report_shape(demo_report) == report_shape(by_hand_report)
    counted = {(c.check, c.subject): c.count for c in demo_report.checked}
    assert counted[("audit", "call")] == counted[("statuses", "call")] == CALLS
    assert counted[("numbering", "call 2025")] + counted[("numbering", "call 2026")] == CALLS
    assert counted[("audit", "staff")] == len(ACCOUNTS) and counted[("audit", "department")] == len(DEPARTMENTS)


def test_the_benchmark_path_passes_them_too(bulk):
    report = invariants.check(bulk[0])
    assert report.problems == ()
    assert {(c.check, c.subject): c.count for c in report.checked}[("audit", "call")] == CALLS


# ------------------------------------------------------------ the benchmark path ---


def test_the_benchmark_path_writes_what_the_services_write(demo, bulk):
    assert bulk[1].bulk and not demo[1].bulk
    assert dump(bulk[0]) == dump(demo[0])
    assert (bulk[1].calls, bulk[1].residents, bulk[1].awaiting) == (demo[1].calls, demo[1].residents, demo[1].awaiting)


def test_the_benchmark_path_rebuilds_search_and_logging_carries_on(bulk, tmp_path):
    desk, _ = bulk
    triggers = {r[0] for r in query(desk, "SELECT name FROM sqlite_master "
                                          "WHERE type = 'trigger' AND tbl_name = 'call'")}
    assert triggers >= {"call_search_ai", "call_search_ad", "call_search_au"}
    for index in ("call_words", "call_digits"):
        assert query(desk, f"INSERT INTO {index}({index}) VALUES('integrity-check')") == []
    like = scalar(desk, "SELECT count(*) FROM call WHERE content LIKE '%卫生间天花板漏水%'")
    assert like > 0 and count_calls(desk, CallFilter(search="卫生间天花板漏水")) == like

    # the next call continues the sequence and is indexed by the re-created trigger
    copy = tmp_path / "next.sqlite"
    query(desk, f"VACUUM INTO '{copy}'")
    after = open_desk(copy)
    try:
        last = scalar(after, "SELECT last FROM number_sequence WHERE register_key = 'call' AND year = 2026")
        actor = sign_in(after, name=SUPERVISOR.name, pin=SUPERVISOR.pin)
        logged = log_call(after, actor, CallDraft(category="repair", caller_name="张先生", phone="13800138000",
                                                  unit="3-2-1201", content="阳台推拉门轨道变形"),
                          now=NOW + timedelta(minutes=5))
        assert logged.number == f"来电-2026-{last + 1:06d}"
        assert count_calls(after, CallFilter(search="推拉门轨道")) == 1
        assert invariants.check(after).problems == ()
    finally:
        after.engine.dispose()


def test_the_benchmark_path_indexes_what_the_triggers_index(demo, bulk):
    """Every token of the word index and every digit trigram hits the same calls either way, and the right ones."""
    rows = query(demo[0], "SELECT id, caller_name, phone, unit_code, content, reply FROM call")
    chars = sorted({c for r in rows for col in r[1:] for c in col if ord(c) >= 128})
    runs = sorted({m for r in rows for col in r[1:] for m in re.findall(r"[0-9]{3,}", col)})[:200]
    assert len(chars) > 100 and len(runs) > 100

    def hits(desk, index, phrase):
        return [i for (i,) in query(desk, f"SELECT rowid FROM {index} WHERE {index} MATCH ? ORDER BY rowid",
                                    (f'"{phrase}"',))]

    for c in chars:
        want = [r[0] for r in rows if any(c in col for col in r[1:])]
        assert hits(bulk[0], "call_words", c) == hits(demo[0], "call_words", c) == want, c
    for run in runs:
        want = [r[0] for r in rows if any(run in m for col in r[1:] for m in re.findall(r"[0-9]+", col))]
        assert hits(bulk[0], "call_digits", run) == hits(demo[0], "call_digits", run) == want, run


def test_big_fills_take_the_benchmark_path_by_default(tmp_path, monkeypatch):
    import deskapp.demo

    assert BULK_FROM > 3000  # the first-run demo (3,000 calls) goes through the services
    monkeypatch.setattr(deskapp.demo, "BULK_FROM", 40)
    paths = []
    for calls in (39, 40):
        desk = open_desk(tmp_path / f"{calls}.sqlite")
        try:
            paths.append(fill_demo(desk, calls=calls, now=NOW).bulk)
        finally:
            desk.engine.dispose()
    assert paths == [False, True]


# ------------------------------------------------------------ what the demo holds ---


def test_counts_match_the_summary(demo):
    desk, s = demo
    assert s.calls == CALLS and s.staff == len(ACCOUNTS) == 8
    assert s.departments == len(DEPARTMENTS) and s.units == 12 * 3 * 30 * 4
    counts = {t: scalar(desk, f"SELECT count(*) FROM {t}") for t in ("staff", "department", "unit", "resident", "call")}
    assert counts == {"staff": s.staff, "department": s.departments, "unit": s.units, "resident": s.residents,
                      "call": s.calls}
    assert s.awaiting == scalar(desk, "SELECT count(*) FROM call WHERE status LIKE 'awaiting%'") > 0


def test_registers_without_services_get_no_rows(demo):
    desk, _ = demo
    assert {t: scalar(desk, f"SELECT count(*) FROM {t}") for t in NO_SERVICES_YET} == dict.fromkeys(NO_SERVICES_YET, 0)


def test_the_last_shifts_were_worked_and_handed_over(demo):
    """deskapp.demo.duty_desk: four finished shifts signed and accepted, the one running left open."""
    desk, _ = demo
    assert scalar(desk, "SELECT count(*) FROM shift") == 5
    assert scalar(desk, "SELECT count(*) FROM handover") == 4
    assert scalar(desk, "SELECT count(*) FROM handover_entry WHERE kind = 'acknowledge'") == 4
    assert scalar(desk, "SELECT count(*) FROM handover_entry WHERE kind = 'review'") >= 1
    assert scalar(desk, "SELECT count(*) FROM handover h JOIN handover_entry e ON e.handover_id = h.id "
                        "WHERE e.kind = 'acknowledge' AND e.staff_id = h.handed_by_id") == 0
    for table in ("duty_log_entry", "custody_item", "visitor"):
        assert scalar(desk, f"SELECT count(*) FROM {table}") > 0, table


def test_statuses_and_deadlines_are_the_ones_log_call_sets(demo):
    desk, _ = demo
    policy = desk.policy
    rows = query(desk, "SELECT category, status, at, due_by FROM call")
    for category, status, at, due_by in rows:
        if status == "complained":  # followed up: its complaint record exists (deskapp.demo.complaints)
            assert category == "complaint"
            continue
        # a repair call whose slip the demo issued is linked to it (slipped)
        assert status == AWAITING.get(category, "done") or (category, status) == ("repair", "slipped")
        if status in ("awaiting_slip", "slipped"):  # a linked call keeps the deadline it had
            minutes = policy.slip.notify_minutes
        elif status == "awaiting_complaint":
            minutes = policy.complaint.forward_minutes
        else:
            assert due_by is None
            continue
        assert datetime.fromisoformat(due_by) - datetime.fromisoformat(at) == timedelta(minutes=minutes)
    # a few replies use a forbidden phrase, and the service flagged them
    assert scalar(desk, "SELECT count(*) FROM call WHERE flagged_phrases != ''") >= 1


def test_what_was_typed_was_brought_to_the_desks_form(demo):
    desk, _ = demo
    assert scalar(desk, "SELECT count(*) FROM call WHERE phone GLOB '*[^0-9]*'") == 0
    assert scalar(desk, "SELECT count(*) FROM call WHERE unit_code LIKE '%-%'") == 0
    # each caller with a phone is one resident per phone and unit, last seen at their latest call
    assert scalar(desk, "SELECT count(*) FROM (SELECT DISTINCT phone, resident_id FROM call WHERE phone != '')") == \
        scalar(desk, "SELECT count(*) FROM resident")
    assert scalar(desk, "SELECT count(*) FROM resident r WHERE last_seen_at != "
                        "(SELECT max(at) FROM call c WHERE c.resident_id = r.id)") == 0


def test_every_channel_and_category_appears(demo):
    desk, _ = demo
    assert {r[0] for r in query(desk, "SELECT DISTINCT channel FROM call")} == set(CHANNELS)
    assert {r[0] for r in query(desk, "SELECT DISTINCT category FROM call")} == set(CATEGORIES)


def test_calls_stay_in_the_period_and_numbers_follow_time(demo):
    desk, s = demo
    rows = query(desk, "SELECT number, at FROM call ORDER BY id")
    ats = [at for _, at in rows]
    assert ats == sorted(ats)
    by_year: dict[str, list[int]] = defaultdict(list)
    for number, _ in rows:
        m = re.fullmatch(r"来电-(\d{4})-(\d{6})", number)
        by_year[m.group(1)].append(int(m.group(2)))
    assert sorted(by_year) == ["2025", "2026"]
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_year.values())
    assert ats[0] >= s.start.strftime("%Y-%m-%d %H:%M:%S")
    assert ats[-1] <= (NOW - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    # each shift's calls were logged by the person on duty, after they came in
    logged = query(desk, "SELECT c.at, a.at, a.actor_id, c.owner_id FROM call c "
                         "JOIN audit_event a ON a.entity = 'call' AND a.entity_id = c.id")
    assert all(call_at <= audit_at <= NOW.strftime("%Y-%m-%d %H:%M:%S.%f") and actor == owner
               for call_at, audit_at, actor, owner in logged)
    front = {a.name for a in ACCOUNTS if a.role in ("receptionist", "concierge")}
    owners = {r[0] for r in query(desk, "SELECT DISTINCT s.name FROM call c JOIN staff s ON s.id = c.owner_id")}
    assert owners == front


def test_search_finds_demo_content(demo):
    desk, _ = demo
    content, phone, unit = query(desk, "SELECT content, phone, unit_code FROM call "
                                       "WHERE phone != '' AND length(content) >= 8 ORDER BY id LIMIT 1")[0]
    for q in (content[2:6], phone, phone[-4:], unit):
        assert count_calls(desk, CallFilter(search=q)) >= 1, q


def test_demo_accounts_sign_in(demo):
    desk, s = demo
    assert s.supervisor == SUPERVISOR
    for account in (s.supervisor, s.accounts[-1]):  # each sign-in costs a scrypt (~50 ms)
        actor = sign_in(desk, name=account.name, pin=account.pin)
        assert (actor.name, actor.role) == (account.name, account.role)
    assert len({a.name for a in s.accounts}) == len(s.accounts) == 8


# ------------------------------------------------------------ seed and refusal ---


def test_the_same_seed_and_now_give_the_same_records(tmp_path):
    desks = [open_desk(tmp_path / f"{name}.sqlite") for name in ("a", "b", "c")]
    try:
        # the benchmark path, for speed: it writes what the services write (tested above)
        fill_demo(desks[0], calls=300, seed=11, now=NOW, bulk=True)
        fill_demo(desks[1], calls=300, seed=11, now=NOW, bulk=True)
        fill_demo(desks[2], calls=300, seed=12, now=NOW, bulk=True)
        first, again, other = (dump(d) for d in desks)
        assert first == again
        assert first["call"] != other["call"]
    finally:
        for d in desks:
            d.engine.dispose()


def test_a_database_in_use_is_refused(demo):
    desk, _ = demo
    before = scalar(desk, "SELECT count(*) FROM audit_event")
    with pytest.raises(InputError) as err:
        fill_demo(desk, calls=10, now=NOW)
    assert err.value.key == "err.demo_not_empty"
    assert scalar(desk, "SELECT count(*) FROM audit_event") == before


def test_now_must_carry_its_zone(tmp_path):
    desk = open_desk(tmp_path / "desk.sqlite")
    try:
        with pytest.raises(ValueError):
            fill_demo(desk, calls=10, now=NOW.replace(tzinfo=None))
        assert scalar(desk, "SELECT count(*) FROM staff") == 0
    finally:
        desk.engine.dispose()


def test_complaint_calls_are_followed_up_through_the_complaint_service(demo):
    desk, s = demo
    assert s.complaints == scalar(desk, "SELECT count(*) FROM complaint") > 0
    # every complaint points back at its call, which left 待投诉
    assert scalar(desk, "SELECT count(*) FROM complaint c JOIN call ON call.id = c.call_id "
                        "WHERE call.status = 'complained'") == s.complaints
    statuses = {r[0] for r in query(desk, "SELECT status FROM complaint")}
    assert {"closed", "in_progress"} <= statuses
    assert scalar(desk, "SELECT count(*) FROM complaint_step WHERE step = 'registered'") == s.complaints
    severities = {r[0] for r in query(desk, "SELECT severity FROM complaint")}
    assert {"ordinary", "significant"} <= severities


def test_the_last_weeks_repair_calls_became_slips_through_the_services(demo):
    desk, summary = demo
    assert summary.slips == scalar(desk, "SELECT count(*) FROM dispatch_slip") > 0
    assert scalar(desk, "SELECT count(*) FROM call WHERE status = 'slipped'") == summary.slips
    # every slip's steps were recorded and audited, one event per step
    assert scalar(desk, "SELECT count(*) FROM slip_step") == scalar(
        desk, "SELECT count(*) FROM audit_event WHERE entity = 'dispatch_slip'")
    assert scalar(desk, "SELECT count(*) FROM dispatch_slip WHERE status = 'closed'") > 0
