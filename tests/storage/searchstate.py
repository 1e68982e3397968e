"""Read the call log's search indexes back, token by token, and compare them with the call table.

The indexes are contentless, so FTS5's own integrity-check cannot compare them
with `call`; an fts5vocab 'instance' table lists every (token, call, column,
position) they hold, which must be exactly what the shadow text of every row
gives (deskapp.core.search_text), no more and no less.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

from deskapp.core.search_text import ascii_lower, digit_runs, search_text

WORD_COLUMNS = ("caller_name", "phone", "unit_code", "content", "reply")
_ASCII_TOKEN = re.compile(r"[0-9A-Za-z\u0080-\U0010ffff]+")


def _instances(conn, index: str) -> Counter:
    conn.execute(f"CREATE VIRTUAL TABLE temp.{index}_v USING fts5vocab(main, {index}, 'instance')")
    try:
        return Counter(conn.execute(f"SELECT term, doc, col, offset FROM temp.{index}_v"))
    finally:
        conn.execute(f"DROP TABLE temp.{index}_v")


def expected(rows) -> tuple[Counter, Counter]:
    """What the word index and the digit index must hold for these (id, name, phone, unit, content, reply) rows."""
    words, digits = Counter(), Counter()
    for row_id, *values in rows:
        for col, value in zip(WORD_COLUMNS, values):
            for pos, token in enumerate(_ASCII_TOKEN.findall(search_text(value))):
                words[(ascii_lower(token), row_id, col, pos)] += 1
        name, phone, unit, content, reply = values
        for col, text in (("phone", digit_runs(phone)), ("other", digit_runs(name, unit, content, reply))):
            for pos in range(len(text) - 2):
                digits[(text[pos:pos + 3], row_id, col, pos)] += 1
    return words, digits


def held(path: Path) -> tuple[Counter, Counter]:
    with closing(sqlite3.connect(path)) as conn:
        return _instances(conn, "call_words"), _instances(conn, "call_digits")


def index_matches_table(path: Path) -> bool:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(f"SELECT id, {', '.join(WORD_COLUMNS)} FROM call").fetchall()
    want, got = expected(rows), held(path)
    assert got[0] == want[0], "word index"
    assert got[1] == want[1], "digit index"
    return True
