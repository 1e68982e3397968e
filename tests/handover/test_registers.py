"""The duty log, items in custody and the visitor register on a real SQLite file:
what they write, how they are found by unit and phone, and the bad inputs refused
with nothing written (docs/rules.md §2.5, §2.7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text

from deskapp.errors import InputError
from deskapp.services.custody import ItemDraft, lend_item, receive_item, release_item, return_item
from deskapp.services.custody_queries import CustodyFilter, count_items, counts_now, fetch_items
from deskapp.services.duty_log_queries import count_entries, fetch_entries
from deskapp.services.shifts import add_log_entry, find_shift, start_shift
from deskapp.services.visitor_queries import count_visitors, fetch_visitors
from deskapp.services.visitors import VisitorDraft, register_visitor
from deskapp.storage.engine import write_session
from tests.services.dbstate import query, scalar

# 2026-11-24 21:30 in Asia/Shanghai: the night shift of the 24th.
NIGHT = datetime(2026, 11, 24, 13, 30, tzinfo=timezone.utc)


def state(desk) -> dict:
    tables = ("shift", "duty_log_entry", "custody_item", "custody_loan", "visitor", "audit_event")
    return {table: query(desk, f"SELECT * FROM {table} ORDER BY id") for table in tables}


class TestShifts:
    def test_the_first_thing_done_starts_the_shift_once(self, desk, receptionist, supervisor):
        first = start_shift(desk, receptionist, now=NIGHT)
        again = start_shift(desk, supervisor, now=NIGHT + timedelta(hours=5))  # 02:30: still that night
        assert first == again
        assert (first.kind, first.duty_date, first.number) == ("night", date(2026, 11, 24), "班次-2026-000001")
        assert first.start.hour == 20 and first.end.hour == 8
        morning = start_shift(desk, supervisor, now=NIGHT + timedelta(hours=11))  # 08:30 on the 25th
        assert (morning.kind, morning.duty_date) == ("day", date(2026, 11, 25))
        assert scalar(desk, "SELECT count(*) FROM shift") == 2
        assert find_shift(desk, at=NIGHT) == first

    def test_a_second_row_for_the_same_shift_is_refused_by_the_database(self, desk, receptionist):
        start_shift(desk, receptionist, now=NIGHT)
        with pytest.raises(Exception, match="UNIQUE"):
            with write_session(desk.engine) as session:
                session.execute(text("INSERT INTO shift (number, kind, duty_date, started_at, staff_id) "
                                     "VALUES ('x', 'night', '2026-11-24', '2026-11-24 13:00:00', 2)"))


class TestDutyLog:
    def test_entries_land_in_their_shift_and_are_searchable(self, desk, receptionist):
        add_log_entry(desk, receptionist, what="3栋电梯困人", action="通知维保，20 分钟放出", major=True, now=NIGHT)
        add_log_entry(desk, receptionist, what="巡查大堂", now=NIGHT + timedelta(minutes=5))
        rows = fetch_entries(desk)
        assert [r.what for r in rows] == ["巡查大堂", "3栋电梯困人"]
        assert rows[1].major and rows[1].shift_number == "班次-2026-000001" and rows[1].staff == "李前台"
        assert count_entries(desk, search="电梯 维保") == 1 and count_entries(desk, search="停电") == 0
        assert [r.what for r in fetch_entries(desk, after=rows[0].key)] == ["3栋电梯困人"]

    @pytest.mark.parametrize("what, action, at", [
        ("", "", None),
        ("\x1b[31m红字", "", None),
        ("x" * 2001, "", None),
        ("明天的事", "", NIGHT + timedelta(hours=2)),
    ])
    def test_bad_entries_are_refused_and_nothing_is_written(self, desk, receptionist, what, action, at):
        before = state(desk)
        with pytest.raises(InputError):
            add_log_entry(desk, receptionist, what=what, action=action, at=at, now=NIGHT)
        assert state(desk) == before

    def test_the_database_refuses_editing_an_entry(self, desk, receptionist):
        add_log_entry(desk, receptionist, what="巡查", now=NIGHT)
        for statement in ("UPDATE duty_log_entry SET what = '改了'", "DELETE FROM duty_log_entry"):
            with pytest.raises(Exception, match="append-only"):
                with write_session(desk.engine) as session:
                    session.execute(text(statement))
        assert scalar(desk, "SELECT what FROM duty_log_entry") == "巡查"


def parcel(desk, actor, **kw):
    fields = {"kind": "parcel", "label": "SF1234567890", "owner_name": "赵先生", "phone": "13900001111",
              "unit": "1-1-101", **kw}
    return receive_item(desk, actor, ItemDraft(**fields), now=NIGHT)


class TestCustody:
    def test_a_parcel_is_received_found_and_collected_once(self, desk, receptionist):
        item = parcel(desk, receptionist)
        parcel(desk, receptionist, label="YT999", owner_name="钱女士", phone="13700002222", unit="5-2-1803")
        assert count_items(desk, CustodyFilter(search="1-1-101")) == 1
        assert count_items(desk, CustodyFilter(search="0001111")) == 1
        assert count_items(desk, CustodyFilter(search="1栋1单元101")) == 1
        assert count_items(desk, CustodyFilter(search="钱")) == 1
        release_item(desk, receptionist, item.id, to="赵先生", id_checked=True, now=NIGHT + timedelta(hours=1))
        row = fetch_items(desk, CustodyFilter(search="SF1234567890"))[0]
        assert (row.status, row.released_to) == ("released", "赵先生")
        before = state(desk)
        with pytest.raises(InputError, match="不能再领"):
            release_item(desk, receptionist, item.id, to="冒领人", id_checked=True, now=NIGHT + timedelta(hours=2))
        assert state(desk) == before
        assert count_items(desk, CustodyFilter(held_only=True)) == 1

    def test_a_parcel_is_not_handed_over_without_an_id_check(self, desk, receptionist):
        item = parcel(desk, receptionist)
        before = state(desk)
        with pytest.raises(InputError, match="证件"):
            release_item(desk, receptionist, item.id, to="赵先生", id_checked=False, now=NIGHT)
        assert state(desk) == before

    def test_a_key_is_lent_and_returned_and_never_returned_twice(self, desk, receptionist):
        key = receive_item(desk, receptionist, ItemDraft(kind="key", label="3栋2单元1201 入户门", unit="3-2-1201",
                                                         owner_name="孙先生"), now=NIGHT)
        before = state(desk)
        with pytest.raises(InputError, match="没有借出"):
            return_item(desk, receptionist, key.id, now=NIGHT)  # never lent
        assert state(desk) == before
        lend_item(desk, receptionist, key.id, to="维修工 周师傅", id_checked=True, now=NIGHT)
        with pytest.raises(InputError, match="已借给"):
            lend_item(desk, receptionist, key.id, to="别人", id_checked=True, now=NIGHT)
        with pytest.raises(InputError, match="借出"):
            release_item(desk, receptionist, key.id, to="孙先生", id_checked=True, now=NIGHT)
        assert fetch_items(desk)[0].lent_to == "维修工 周师傅"
        assert [(c.kind, c.items, c.lent) for c in counts_now(desk)] == [("key", 1, 1)]
        return_item(desk, receptionist, key.id, now=NIGHT + timedelta(minutes=30))
        before = state(desk)
        with pytest.raises(InputError, match="没有借出"):
            return_item(desk, receptionist, key.id, now=NIGHT + timedelta(minutes=40))
        assert state(desk) == before
        assert fetch_items(desk)[0].lent_to is None

    def test_a_parcel_cannot_be_lent(self, desk, receptionist):
        item = parcel(desk, receptionist)
        with pytest.raises(InputError, match="不能借出"):
            lend_item(desk, receptionist, item.id, to="x", id_checked=True, now=NIGHT)

    def test_counts_come_from_the_records(self, desk, receptionist):
        for i in range(3):
            parcel(desk, receptionist, label=f"P{i}", quantity=2)
        receive_item(desk, receptionist, ItemDraft(kind="mail", owner_name="赵先生"), now=NIGHT)
        receive_item(desk, receptionist, ItemDraft(kind="cash", label="前台备用金", amount_yuan=Decimal("500.00")),
                     now=NIGHT)
        release_item(desk, receptionist, 1, to="赵先生", id_checked=True, now=NIGHT)
        counts = {c.kind: c for c in counts_now(desk)}
        assert (counts["parcel"].items, counts["parcel"].pieces) == (2, 4)
        assert counts["mail"].items == 1 and counts["cash"].amount_yuan == Decimal("500.00")

    @pytest.mark.parametrize("draft", [
        ItemDraft(kind="bike", owner_name="x"),
        ItemDraft(kind="parcel"),  # whose?
        ItemDraft(kind="parcel", owner_name="x", quantity=0),
        ItemDraft(kind="parcel", owner_name="x", amount_yuan=Decimal(5)),
        ItemDraft(kind="cash", label="备用金"),  # no amount
        ItemDraft(kind="key", owner_name="x"),  # which key?
        ItemDraft(kind="parcel", owner_name="x", phone="abc"),
        ItemDraft(kind="parcel", owner_name="x\x1b[2J"),
        ItemDraft(kind="parcel", owner_name="x", at=NIGHT + timedelta(hours=1)),
    ])
    def test_bad_items_are_refused_and_nothing_is_written(self, desk, receptionist, draft):
        before = state(desk)
        with pytest.raises(InputError):
            receive_item(desk, receptionist, draft, now=NIGHT)
        assert state(desk) == before

    def test_an_unknown_item_is_refused(self, desk, receptionist):
        with pytest.raises(Exception, match="没有这件"):
            return_item(desk, receptionist, 999, now=NIGHT)


class TestVisitors:
    def test_allowed_and_refused_visitors_are_both_recorded(self, desk, receptionist):
        register_visitor(desk, receptionist, VisitorDraft(visitor_name="吴女士", id_checked=True, phone="13512345678",
                                                          host_unit="3-2-1201", host_name="孙先生", host_called=True),
                         now=NIGHT)
        register_visitor(desk, receptionist, VisitorDraft(visitor_name="推销员", host_unit="8-1-302", allowed=False,
                                                          message="说是来推销净水器"), now=NIGHT + timedelta(minutes=1))
        rows = fetch_visitors(desk)
        assert [(r.visitor_name, r.allowed) for r in rows] == [("推销员", False), ("吴女士", True)]
        assert count_visitors(desk, search="3-2-1201") == 1 and count_visitors(desk, search="12345678") == 1
        assert count_visitors(desk, search="净水器") == 1

    @pytest.mark.parametrize("draft", [
        VisitorDraft(visitor_name="", host_unit="3-2-1201", id_checked=True, host_called=True),
        VisitorDraft(visitor_name="吴女士", host_unit="", id_checked=True, host_called=True),
        VisitorDraft(visitor_name="吴女士", host_unit="3-2-1201", id_checked=False, host_called=True),
        VisitorDraft(visitor_name="吴女士", host_unit="3-2-1201", id_checked=True),  # no appointment, host not called
    ])
    def test_bad_visitors_are_refused_and_nothing_is_written(self, desk, receptionist, draft):
        before = state(desk)
        with pytest.raises(InputError):
            register_visitor(desk, receptionist, draft, now=NIGHT)
        assert state(desk) == before
