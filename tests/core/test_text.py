"""Typed text that cannot be stored or shown faithfully is refused, naming the field."""

from __future__ import annotations

import pytest

from deskapp.core.text import clean_text, normalize_unit
from deskapp.errors import InputError
from deskapp.widgets.safe_text import printable


@pytest.mark.parametrize("typed", [
    "水管\ud800漏水",  # a lone surrogate (pasted from a broken source): SQLite could not store it
    "\udfff",
    "退款\u202e00001",  # right-to-left override: would show as another amount
    "a\u202ab", "a\u202db", "a\u2066b", "a\u2067b", "a\u2068b", "a\u2069b",
    "\x1b[31m红字\x1b[0m", "响铃\x07", "\x9b31m",
])
def test_refused_and_named(typed):
    with pytest.raises(InputError) as refused:
        clean_text(typed, "content", limit=2000)
    assert "内容" in str(refused.value)


@pytest.mark.parametrize("typed", [
    "一家三口 👨\u200d👩\u200d👧 都在家",  # zero-width joiners inside an emoji sequence stay
    "阿拉伯文 مرحبا 与中文混排",  # right-to-left letters themselves are fine
    "第一行\n第二行\t制表",
    "[bold]不是标记[/bold]",
])
def test_kept_as_typed(typed):
    assert clean_text(typed, "content", limit=2000) == typed


def test_unit_refuses_bidi_controls_too():
    with pytest.raises(InputError):
        normalize_unit("3-2-\u202e1201")


def test_shown_text_never_carries_the_refused_characters():
    assert printable("a\u202eb\x1bc\ud800d") == "a\ufffdb␛c\ufffdd"
