"""What the call log's search indexes hold, and how a typed search is looked up in them (pure, no I/O).

Search rule: the search is split at whitespace into words; a call matches when
every word is found, in any order, in any of its searched columns (name,
phone, unit, content, reply). A word is found where it appears as typed,
ASCII letters in either case, every other character only as itself. Two forms
keep their meaning from before: a unit ("3-2-1201", "3栋2单元1201室") is the
unit column's normal form, and a phone typed in groups ("138 0013 8000") is
its digits, in the phone column. Each of these forms may be the whole search
(then the spaces are part of it) or one of its words.

Two indexes answer the words (SQLite FTS5; a PostgreSQL `simple` tsvector of
the same shadow text with phrase queries is the same idea):

1. The word index holds a *shadow* of each column, written for FTS5's `ascii`
   tokenizer, which splits only at ASCII characters that are not letters or
   digits and folds A-Z to a-z:
   - every non-ASCII character is a token of its own ("漏水" -> "漏 水"), also
     characters outside the BMP and Chinese punctuation ("，" stays itself);
   - every ASCII letter is a token of its own (letters are rare in a Chinese
     desk's records, so their lists stay short, and a word of letters is found
     inside a longer run of letters like any other phrase);
   - every run of ASCII digits stays whole ("13800138000": single digits would
     make ten lists as long as the table);
   - every other ASCII character (punctuation, spaces, controls) becomes a token
     the text itself can never produce, "x" and its two hex digits ("," ->
     "x2c", " " -> "x20"): letters are single tokens, so a longer token starting
     with a letter comes from here only. The words either side of a comma or a
     space therefore never become adjacent ("反映,物业费" does not hold "映物"),
     and "100%" is found as exactly that.
   A word becomes the phrase of the same tokens. Its last digit run may be the
   start of a longer run (the phrase ends in a prefix); its first digit run
   would have to be the *end* of a longer run ("0013" in "13800138000"), which
   no token index answers: such a word is looked up by what follows its digits
   and the row is checked for the whole word.
2. The digit index holds only the digit runs of each call (phone on its own,
   the other columns together), with FTS5's trigram tokenizer: it finds a word
   of three or more digits anywhere inside a run (the last four digits of a
   phone). A word of one or two digits is checked on the rows themselves.

Changing the shadow text changes what the index must hold: every row has to be
indexed again (a migration: 'delete-all', then re-insert), because a row is
deleted from a contentless index by giving its indexed text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from deskapp.core.text import phone_digits_if_phone, unit_code_if_unit

# The SQL names the shadow functions are registered under on every SQLite connection.
SEARCH_TEXT_SQL = "desk_search_text"
DIGIT_RUNS_SQL = "desk_digit_runs"

_DIGIT_RUN = re.compile(r"[0-9]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9"


def _is_letter(c: str) -> bool:
    return "a" <= c <= "z" or "A" <= c <= "Z"


def _tokens(value: str) -> list[str]:
    tokens: list[str] = []
    run_start = -1  # where the digit run being read began
    for i, c in enumerate(value):
        if _is_digit(c):
            if run_start < 0:
                run_start = i
            continue
        if run_start >= 0:
            tokens.append(value[run_start:i])
            run_start = -1
        if ord(c) >= 128 or _is_letter(c):
            tokens.append(c)
        else:
            tokens.append(f"x{ord(c):02x}")
    if run_start >= 0:
        tokens.append(value[run_start:])
    return tokens


def search_text(value: str | None) -> str:
    """One column's shadow in the word index ("漏水,3栋" -> "漏 水 x2c 3 栋")."""
    if not value:
        return ""
    return " ".join(_tokens(value))


def digit_runs(*values: str | None) -> str:
    """The ASCII digit runs of some columns, one space between runs (the digit index's text)."""
    return " ".join(run for value in values if value for run in _DIGIT_RUN.findall(value))


def ascii_lower(value: str) -> str:
    """A-Z to a-z and nothing else: the case rule of the search (SQLite's lower() does the same)."""
    return value.translate(_ASCII_UPPER)


@dataclass(frozen=True)
class Phrase:
    """Tokens that must stand next to each other in one column of the word index."""

    tokens: tuple[str, ...]
    prefix: bool = False  # the last token may go on in the text (a digit run)


@dataclass(frozen=True)
class SearchWord:
    """One word of a search, and what answers it.

    Exactly one of unit / phone / text is set (none: a word that can match
    nothing). `phrase` is looked up in the word index, `digits` in the digit
    index (for a phone word, in its phone column); either may be None. With
    `check` they only narrow, and the row itself must hold the word.
    """

    typed: str
    unit: str | None = None  # the unit column's normal form
    phone: str | None = None  # digits, found inside the phone column
    text: str | None = None  # found anywhere in the searched columns (ASCII case folded)
    phrase: Phrase | None = None
    digits: str | None = None
    check: bool = False


def _text_word(word: str) -> SearchWord:
    tokens = _tokens(word)
    lowered = ascii_lower(word)
    if not _is_digit(word[0]):
        return SearchWord(word, text=lowered, phrase=Phrase(tuple(tokens), _is_digit(word[-1])))
    if len(tokens) == 1:  # digits only
        if len(word) >= 3:
            return SearchWord(word, text=lowered, digits=word)
        return SearchWord(word, text=lowered, check=True)
    rest = tokens[1:]
    return SearchWord(word, text=lowered, phrase=Phrase(tuple(rest), _is_digit(word[-1])), check=True)


def _one_word(word: str) -> SearchWord:
    unit = unit_code_if_unit(word)
    if unit:
        return SearchWord(word, unit=unit)
    digits = phone_digits_if_phone(word)
    if digits is not None:
        # The digit index holds digits only: a leading + is checked on the row.
        bare = digits.lstrip("+")
        return SearchWord(word, phone=digits, digits=bare if len(bare) >= 3 else None,
                          check=len(bare) < 3 or bare != digits)
    return _text_word(word)


def search_words(search: str | None) -> list[SearchWord]:
    """The words of a search, each with what answers it; [] for no search.

    A word holding a lone surrogate can match nothing (such text is never
    stored); the caller gets it back with nothing set, and finds no rows.
    """
    q = (search or "").strip()
    if not q:
        return []
    if _SURROGATE.search(q):
        return [SearchWord(q)]
    whole = unit_code_if_unit(q) or phone_digits_if_phone(q)
    if whole is not None:
        return [_one_word(q)]
    return [_one_word(w) for w in q.split()]
