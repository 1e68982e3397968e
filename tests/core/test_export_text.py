"""Cells of an export: formulas neutralised, phone numbers masked (deskapp.core.export_text)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskapp.core.export_text import mask_phone, mask_phones_in, neutralise


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+2", "\t=1", "\r=1", "=1+1"])
def test_a_formula_start_gets_an_apostrophe(typed):
    assert neutralise(typed) == "'" + typed


@pytest.mark.parametrize("typed", ["", "水管漏水", "1+1", "a=b", " =1", "＝1", "'=1"])
def test_other_text_is_left_as_typed(typed):
    assert neutralise(typed) == typed


@pytest.mark.parametrize("phone, shown", [
    ("13812345678", "138****5678"),
    ("+8613812345678", "+861******5678"),
    ("02088886666", "020****6666"),
    ("88886666", "888*6666"),
    ("8888666", "*****66"),
    ("110", "*10"),
    ("12", "**"),
    ("", ""),
])
def test_mask_phone(phone, shown):
    assert mask_phone(phone) == shown


@given(st.from_regex(r"\+?[0-9]{3,20}", fullmatch=True))
def test_a_masked_phone_keeps_its_length_and_never_shows_the_middle(phone):
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    digits = phone.lstrip("+")
    if len(digits) >= 8:
        assert masked.count("*") == len(digits) - 7
    else:
        assert masked.count("*") == len(digits) - 2


def test_phones_inside_text_are_masked_and_short_numbers_are_not():
    detail = '{"old_phone": "13800138000", "new_phone": "+8613912345678", "room": "1201", "count": 123456}'
    assert mask_phones_in(detail) == ('{"old_phone": "138****8000", "new_phone": "+861******5678", '
                                      '"room": "1201", "count": 123456}')
    assert mask_phones_in("无数字") == "无数字"
