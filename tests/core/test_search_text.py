"""The search indexes' shadow text and how a typed search is split into words (pure).

The decisive property: a word's phrase is found in a column's shadow exactly
when the column holds the word (ASCII letters in either case), checked here
with a small model of FTS5's `ascii` tokenizer and phrase matching against a
brute-force substring test over every substring of a varied set of texts.
"""

from __future__ import annotations

import random
import re

import pytest

from deskapp.core.search_text import (
    Phrase,
    SearchWord,
    ascii_lower,
    digit_runs,
    search_text,
    search_words,
)


def ascii_tokenize(text: str) -> list[str]:
    """FTS5's ascii tokenizer: runs of non-ASCII bytes, ASCII letters and digits; A-Z folded."""
    return [ascii_lower(t) for t in re.findall(r"[0-9A-Za-z\u0080-\U0010ffff]+", text)]


def phrase_found(phrase: Phrase, shadow: str) -> bool:
    """FTS5 phrase semantics: tokens consecutive, the last one a prefix when marked."""
    tokens, want = ascii_tokenize(shadow), [ascii_lower(t) for t in phrase.tokens]
    for i in range(len(tokens) - len(want) + 1):
        head_ok = tokens[i:i + len(want) - 1] == want[:-1]
        last = tokens[i + len(want) - 1]
        if head_ok and (last.startswith(want[-1]) if phrase.prefix else last == want[-1]):
            return True
    return False


TEXTS = [
    "电梯门关不上，有人被困", "业主反映，物业费太贵", "反映物业", "3栋2单元1201", "13栋2单元0801室",
    "Hello World", "WiFi密码", "商铺A12", "B1层12号车位", "100% 满意", "8:00-12:00", "a_b", 'say "hi"',
    "电话13800138000联系", "𠀀𠀁字", "👨‍👩‍👧 一家", "１２３全角", "ｗｉｆｉ", "Ää ä", "x2c", "x2cx", "tab\there",
    "line\nbreak", "第3号楼供暖", "3号", "+8613700000000", "abc123def", "a1b2c3", "。。，，", "  ", "",
]


def substrings(text: str) -> set[str]:
    return {text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + 6) + 1)}


class TestShadowText:
    @pytest.mark.parametrize("value, shadow", [
        ("漏水", "漏 水"),
        ("反映，物业费", "反 映 ， 物 业 费"),
        ("反映,物业费", "反 映 x2c 物 业 费"),
        ("3栋2单元1201", "3 栋 2 单 元 1201"),
        ("13800138000", "13800138000"),
        ("Hello World", "H e l l o x20 W o r l d"),
        ("100%", "100 x25"),
        ("𠀀字", "𠀀 字"),  # outside the BMP: one character, one token
        ("a\tb\nc", "a x09 b x0a c"),
        ('"', "x22"),
        ("１２", "１ ２"),  # full-width digits are not ASCII digits
        ("", ""),
        (None, ""),
    ])
    def test_examples(self, value, shadow):
        assert search_text(value) == shadow

    def test_the_text_never_makes_a_boundary_token(self):
        """Letters are single tokens, so no text can produce "x2c": only a real comma can."""
        assert "x2c" not in ascii_tokenize(search_text("x2c")) and "x2c" in ascii_tokenize(search_text(","))

    def test_punctuation_keeps_words_apart(self):
        for sep in "，, 。.;:!?-_/\\|()[]{}<>\"'`~@#$%^&*+=\t\n　":
            shadow = search_text(f"反映{sep}物业")
            assert not phrase_found(search_words("映物")[0].phrase, shadow), repr(sep)
            assert phrase_found(search_words(f"映{sep}物")[0].phrase, shadow) or sep.isspace(), repr(sep)

    @pytest.mark.parametrize("values, runs", [
        (("13800138000",), "13800138000"),
        (("3栋2单元1201", "电话138 0013", None, ""), "3 2 1201 138 0013"),
        (("１２３", "abc"), ""),
    ])
    def test_digit_runs(self, values, runs):
        assert digit_runs(*values) == runs


class TestWords:
    def test_a_phrase_is_found_exactly_where_the_word_is(self):
        """Every word not starting with a digit, against every text: phrase found <=> substring (ASCII folded)."""
        words = set().union(*(substrings(t) for t in TEXTS))
        words = {w for w in words if w.strip() == w and not any(c.isspace() for c in w)}
        assert len(words) > 500
        checked = 0
        for w in sorted(words):
            (sw,) = search_words(w)
            if sw.unit or sw.phone or sw.check or sw.phrase is None:
                continue
            for text in TEXTS:
                assert phrase_found(sw.phrase, search_text(text)) == (ascii_lower(w) in ascii_lower(text)), (w, text)
                checked += 1
        assert checked > 10_000

    def test_random_texts_against_brute_force(self):
        rng = random.Random(7)
        alphabet = "水管漏电梯，。 ,.%aAbB019𠀀"
        for _ in range(400):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
            for w in substrings(text) | {"水管", "漏水", "a1", "B0"}:
                if not w or any(c.isspace() for c in w):
                    continue
                (sw,) = search_words(w)
                if sw.phrase is None or sw.check or sw.unit or sw.phone:
                    continue
                assert phrase_found(sw.phrase, search_text(text)) == (ascii_lower(w) in ascii_lower(text)), (w, text)

    def test_a_word_starting_with_digits_narrows_and_is_checked(self):
        (w,) = search_words("3栋")
        assert w.check and w.phrase == Phrase(("栋",)) and w.text == "3栋"
        (w,) = search_words("12")
        assert w.check and w.phrase is None and w.digits is None
        (w,) = search_words("0013")
        assert not w.check and w.digits == "0013" and w.phrase is None
        (w,) = search_words("1.5")
        assert w.check and w.phrase == Phrase(("x2e", "5"), prefix=True)

    def test_a_last_digit_run_is_a_prefix(self):
        (w,) = search_words("铺A1")
        assert w.phrase == Phrase(("铺", "A", "1"), prefix=True) and not w.check
        assert phrase_found(w.phrase, search_text("商铺A12"))
        assert not phrase_found(w.phrase, search_text("商铺A21"))

    @pytest.mark.parametrize("search, words", [
        ("水管 漏水", ["水管", "漏水"]),
        ("  水管\t漏水  楼上 ", ["水管", "漏水", "楼上"]),
        ("水管　漏水", ["水管", "漏水"]),  # an ideographic space separates words too
        ("反映，物业费", ["反映，物业费"]),  # punctuation does not
    ])
    def test_split_at_whitespace(self, search, words):
        assert [w.typed for w in search_words(search)] == words

    def test_unit_and_phone_forms(self):
        assert search_words("3-2-1201") == [SearchWord("3-2-1201", unit="3栋2单元1201")]
        assert search_words("3栋 2单元 1201室") == [SearchWord("3栋 2单元 1201室", unit="3栋2单元1201")]
        assert search_words("138 0013 8000") == [SearchWord("138 0013 8000", phone="13800138000",
                                                            digits="13800138000")]
        (w,) = search_words("+86 137")
        assert w.phone == "+86137" and w.digits == "86137" and w.check
        (w,) = search_words("1-2")
        assert w.phone == "12" and w.digits is None and w.check
        unit, text = search_words("3-2-1201 漏水")
        assert unit.unit == "3栋2单元1201" and text.phrase == Phrase(("漏", "水"))

    def test_no_search_and_impossible_words(self):
        assert search_words("") == [] and search_words("   ") == [] and search_words(None) == []
        (w,) = search_words("水\ud800")
        assert (w.unit, w.phone, w.text) == (None, None, None)

    def test_case_rule_is_ascii_only(self):
        assert ascii_lower("ABCÄΣ") == "abcÄΣ"
        (w,) = search_words("WiFi")
        assert phrase_found(w.phrase, search_text("wifi密码"))
        (w,) = search_words("Ä")
        assert not phrase_found(w.phrase, search_text("ä"))
