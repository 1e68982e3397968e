"""The export's reading side on a real SQLite file: keyset pages, filters, local time (services.export)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

# Export pages by (at, id) against SQLite's stored UTC text: on PostgreSQL it compares a
# timestamptz with a string and fails. Until the export service binds the key as UTCDateTime,
# its tests run on SQLite only (known gap, PostgreSQL issue 19).
pytestmark = pytest.mark.sqlite_only
from hypothesis import given
from hypothesis import strategies as st

from deskapp.errors import InputError
from deskapp.services import export as ex
from deskapp.services.calls import CallDraft, log_calls
from tests.services.dbstate import query

UTC = timezone.utc
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)


def _calls(desk, actor, ats):
    drafts = [CallDraft(category="repair" if i % 3 == 0 else "enquiry", content=f"第{i}通", phone="13800138000",
                        at=at) for i, at in enumerate(ats)]
    return log_calls(desk, actor, drafts, now=NOW)


class TestStream:
    def test_pages_give_every_row_once_in_time_then_id_order(self, desk, receptionist):
        # Ties on the instant and a back-dated call logged last: the order is (at, id), not insertion.
        same = NOW - timedelta(hours=2)
        ats = [same, same, same, NOW - timedelta(hours=5), same, NOW - timedelta(days=3), NOW - timedelta(hours=1)]
        _calls(desk, receptionist, ats)
        req = ex.make_request("calls")
        pages = list(ex.stream_rows(desk, req, page=2))
        assert [len(p) for p in pages] == [2, 2, 2, 1]
        numbers = [row[0] for page in pages for row in page]
        expected = [n for n, in query(desk, "SELECT number FROM call ORDER BY at, id")]
        assert numbers == expected and len(set(numbers)) == 7

    def test_a_date_range_is_whole_local_days(self, desk, receptionist):
        # 2026-11-23 16:00 UTC is 2026-11-24 00:00 in Asia/Shanghai: the first instant of the 24th.
        edge = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
        _calls(desk, receptionist, [edge - timedelta(seconds=1), edge, edge + timedelta(hours=13)])
        day = ex.make_request("calls", start="2026-11-24", end="2026-11-24")
        rows = [r for page in ex.stream_rows(desk, day, page=1) for r in page]
        assert [r[7] for r in rows] == ["第1通", "第2通"]
        assert ex.count_rows(desk, day) == 2 and ex.any_rows(desk, day)
        before = ex.make_request("calls", end="2026-11-23")
        assert ex.count_rows(desk, before) == 1
        nothing = ex.make_request("calls", start="2026-11-25")
        assert not ex.any_rows(desk, nothing) and list(ex.stream_rows(desk, nothing)) == []

    def test_filters_by_code_label_and_staff(self, desk, receptionist):
        _calls(desk, receptionist, [NOW - timedelta(minutes=m) for m in range(6)])
        by_code = ex.make_request("calls", filters={"category": "repair"})
        by_label = ex.make_request("calls", filters={"category": "报修"})
        by_english = ex.make_request("calls", filters={"category": "Repair"})
        assert by_code.filters == by_label.filters == by_english.filters == {"category": "repair"}
        assert ex.count_rows(desk, by_code) == 2
        mine = ex.make_request("calls", filters={"staff": receptionist.name})
        ex.check_names(desk, mine)
        assert ex.count_rows(desk, mine) == 6
        with pytest.raises(InputError) as err:
            ex.check_names(desk, ex.make_request("calls", filters={"staff": "没这人"}))
        assert "没这人" in str(err.value)


class TestRequest:
    @pytest.mark.parametrize("args, words", [
        (dict(register="nothing"), ["nothing", "calls", "audit"]),
        (dict(register="calls", start="2026-13-01"), ["--from", "2026-13-01"]),
        (dict(register="calls", end="yesterday"), ["--to", "yesterday"]),
        (dict(register="calls", start="2026-11-30", end="2026-11-01"), ["2026-11-30", "2026-11-01"]),
        (dict(register="calls", filters={"class": "major"}), ["--class", "--category"]),
        (dict(register="calls", filters={"category": "水管"}), ["水管", "repair"]),
        (dict(register="calls", filters={"category": "  "}), ["--category"]),
    ])
    def test_refusals_name_what_was_wrong(self, args, words):
        with pytest.raises(InputError) as err:
            ex.make_request(**args)
        assert all(w in str(err.value) for w in words), str(err.value)

    def test_names_and_full_width_dates(self):
        assert ex.make_request("来电").register.name == "calls"
        assert ex.make_request("CALLS").register.name == "calls"
        assert ex.make_request("操作日志").register.name == "audit"
        assert ex.make_request("calls", start="２０２６-１１-０１").start.isoformat() == "2026-11-01"

    def test_every_declared_register_is_complete(self):
        for reg in ex.registers().values():
            assert reg.columns and len({c.key for c in reg.columns}) == len(reg.columns)
            from deskapp.i18n import MESSAGES

            assert reg.title in MESSAGES and all(c.heading in MESSAGES for c in reg.columns)


class TestLocalTime:
    @given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2037, 12, 31)),
           st.sampled_from(["Asia/Shanghai", "America/New_York", "America/St_Johns", "Australia/Lord_Howe"]))
    def test_the_cached_offset_agrees_with_the_zone_across_changes(self, naive_utc, zone):
        tz = ZoneInfo(zone)
        clock = ex._LocalTime(tz)
        stored = naive_utc.replace(microsecond=0).isoformat(" ") + ".000000"
        exact = naive_utc.replace(microsecond=0, tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
        # Warm the hour's cache from another instant in it first.
        clock.column([naive_utc.replace(minute=0, second=0).isoformat(" ") + ".000000"])
        assert clock.column([stored, None]) == [exact, None]
        assert clock.column([naive_utc.replace(tzinfo=UTC)]) == [exact]  # PostgreSQL gives aware datetimes
        # The CSV's text, shifted by the hour where the offset allows it (a fresh clock: no warm cache).
        assert ex._LocalTime(tz).text_column([stored, None]) == [exact.isoformat(" "), ""]
