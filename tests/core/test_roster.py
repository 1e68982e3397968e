"""Reading a roster's headers and rows (deskapp.core.roster): pure, no files."""

from __future__ import annotations

import pytest

from deskapp.core.roster import (
    Refusal, RosterEntry, RosterError, cell_text, check_row, find_headers, parse_map, roster_phone,
)


def test_headers_below_a_title_and_merged_over_two_rows():
    rows = [["阳光花园业主名册", None, None, None, None, None],
            ["房屋", None, None, "姓名", "联系电话", "身份"],
            ["楼栋", "单元", "房号", None, None, None],
            [3.0, 2.0, 1201.0, "张三", 13800138000.0, "业主"]]
    h = find_headers(rows)
    assert h.columns == {"building": 0, "entrance": 1, "room": 2, "name": 3, "phone": 4, "kind": 5}
    assert h.first_data_row == 3 and not h.combined_unit
    assert check_row(h, rows[3], 4) == RosterEntry(4, "3栋2单元1201", "张三", "13800138000", "owner")


def test_a_combined_unit_column_and_spaces_in_headers():
    rows = [["房 号", "业主姓名", "手机号码"], ["3-2-1201", "张三", "138 0013 8000"], ["12栋1单元302室", "李四", ""]]
    h = find_headers(rows)
    assert h.combined_unit and h.first_data_row == 1
    assert check_row(h, rows[1], 2) == RosterEntry(2, "3栋2单元1201", "张三", "13800138000", "")
    assert check_row(h, rows[2], 3) == RosterEntry(3, "12栋1单元302", "李四", "", "")


@pytest.mark.parametrize("rows, key", [
    ([["姓名", "电话"], ["张三", "13800138000"]], "roster.no_room_column"),
    ([["房号", "电话"], ["3-2-1201", "13800138000"]], "roster.no_name_column"),
    ([["随便", "什么"]], "roster.no_room_column"),
])
def test_a_missing_column_refuses_the_file(rows, key):
    with pytest.raises(RosterError) as err:
        find_headers(rows)
    assert err.value.key == key


def test_map_names_an_unusual_header():
    rows = [["户号", "住户", "联系"], ["3-2-1201", "张三", "13800138000"]]
    with pytest.raises(RosterError):
        find_headers(rows)
    h = find_headers(rows, parse_map(["户号=房号", "住户=姓名", "联系=phone"]))
    assert check_row(h, rows[1], 2) == RosterEntry(2, "3栋2单元1201", "张三", "13800138000", "")
    with pytest.raises(RosterError):
        parse_map(["户号"])
    with pytest.raises(RosterError):
        parse_map(["户号=地址"])


@pytest.mark.parametrize("typed, stored", [
    (13800138000.0, "13800138000"), ("１３８００１３８０００", "13800138000"), ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"), ("020-88886666", "02088886666"), ("88886666", "88886666"),
    ("1380013800", None), ("138001380001", None), ("13800l38000", None), ("123", None),
])
def test_roster_phones(typed, stored):
    assert roster_phone(cell_text(typed)) == stored


@pytest.mark.parametrize("row, reason", [
    (["3栋", "2", "1201", "张三", "1380013800", "业主"], "roster.refused.phone"),
    (["三栋", "2", "1201", "张三", "", ""], "roster.refused.unit"),
    (["3", "", "1201", "张三", "", ""], "roster.refused.unit"),
    (["3", "2", "1201", "", "13800138000", ""], "roster.refused.no_name"),
    (["3", "2", "1201", "张三", "", "家属"], "roster.refused.kind"),
    (["3", "2", "1201", "张\x1b[31m三", "", ""], "roster.refused.control_chars"),
])
def test_refused_rows_name_the_reason(row, reason):
    h = find_headers([["楼栋", "单元", "房号", "姓名", "电话", "身份"]])
    checked = check_row(h, row, 7)
    assert isinstance(checked, Refusal) and checked.reason == reason and checked.row == 7


def test_unit_parts_in_their_many_spellings():
    h = find_headers([["楼栋", "单元", "房号", "姓名"]])
    for parts in (["3", "2", "1201"], [3.0, 2.0, 1201.0], ["3栋", "2单元", "1201室"], ["03", "02", "1201"],
                  ["3号楼", "2", "1201"]):
        assert check_row(h, [*parts, "张三"], 2).unit_code == "3栋2单元1201"
    assert check_row(h, ["a", "1", "101", "张三"], 2).unit_code == "A栋1单元101"
