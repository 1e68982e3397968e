"""The call log's search indexes on SQLite: their names, their SQL functions, their MATCH syntax.

What they hold and why: deskapp.core.search_text. Created by migration 0004
and kept in step with `call` by its triggers (call_search_ai/ad/au), which
call the shadow-text functions. Those are application functions: every
connection that writes `call` must have them registered (the engine's connect
event does it, and migration 0004 on its own connection); a plain sqlite3
shell cannot insert a call. The triggers also need `PRAGMA trusted_schema`
ON (Python cannot mark a function innocuous), which the engine sets.

Both tables are contentless (content=''): they keep no copy of the text, so a
row is deleted by giving its indexed text again — which is why the functions
must never change without a migration that indexes every row again.
"""

from __future__ import annotations

from deskapp.core.search_text import DIGIT_RUNS_SQL, SEARCH_TEXT_SQL, Phrase, digit_runs, search_text

WORDS = "call_words"  # unigram word index (tokenize ascii)
DIGITS = "call_digits"  # trigram index of digit runs
TABLES = (WORDS, DIGITS)
TRIGGERS = ("call_search_ai", "call_search_ad", "call_search_au")
WORD_COLUMNS = ("caller_name", "phone", "unit_code", "content", "reply")


def register_functions(dbapi_conn) -> None:
    """Make the shadow-text functions known to one sqlite3 connection."""
    dbapi_conn.create_function(SEARCH_TEXT_SQL, 1, search_text, deterministic=True)
    dbapi_conn.create_function(DIGIT_RUNS_SQL, -1, digit_runs, deterministic=True)


def fts5_phrase(phrase: Phrase) -> str:
    """An FTS5 MATCH phrase for the word index ('"水 管"', '"铺 a 12" *')."""
    # Tokens never hold '"' (an ASCII quote becomes x22); doubling it is belt and braces.
    body = '"' + " ".join(phrase.tokens).replace('"', '""') + '"'
    return body + " *" if phrase.prefix else body


def fts5_digits(digits: str, *, phone_only: bool = False) -> str:
    """An FTS5 MATCH phrase for the digit index: anywhere, or in the phone column only."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("the digit index holds ASCII digits only")
    return f'phone : "{digits}"' if phone_only else f'"{digits}"'


def _values(prefix: str) -> tuple[str, str]:
    words = ", ".join(f"{SEARCH_TEXT_SQL}({prefix}{c})" for c in WORD_COLUMNS)
    digits = f"{DIGIT_RUNS_SQL}({prefix}phone), {DIGIT_RUNS_SQL}({prefix}caller_name, {prefix}unit_code, " \
             f"{prefix}content, {prefix}reply)"
    return words, digits


def index_calls_sql() -> list[str]:
    """Statements that index every call with id >= :from_id (the bulk path, its triggers dropped).

    Then 'optimize': one b-tree per index instead of the segments a big fill
    leaves (about 2.5 s at 1,000,000 calls; searches read fewer pages).
    """
    words, digits = _values("")
    return [
        f"INSERT INTO {WORDS}(rowid, {', '.join(WORD_COLUMNS)}) SELECT id, {words} FROM call WHERE id >= :from_id",
        f"INSERT INTO {DIGITS}(rowid, phone, other) SELECT id, {digits} FROM call WHERE id >= :from_id",
        f"INSERT INTO {WORDS}({WORDS}) VALUES ('optimize')",
        f"INSERT INTO {DIGITS}({DIGITS}) VALUES ('optimize')",
    ]


# ------------------------------------------------------------- PostgreSQL ---
# Migration 0004 keeps two columns of `call` on PostgreSQL: search_words (a
# tsvector of the same tokens, GIN) and search_digits (the digit runs, pg_trgm
# GIN). They narrow a search; the service checks every word on the rows too.
PG_WORDS = "call.search_words"
PG_DIGITS = "call.search_digits"
_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def pg_tsquery(phrase: Phrase) -> str:
    """A tsquery for the word index ("'水' <-> '管'", "'铺' <-> 'a' <-> '12':*"), cast, never parsed.

    Letters are folded as the index folds them; a token never holds a quote or a
    backslash, doubling a quote is belt and braces.
    """
    parts = ["'" + token.translate(_ASCII_UPPER).replace("'", "''") + "'" for token in phrase.tokens]
    if phrase.prefix:
        parts[-1] += ":*"
    return " <-> ".join(parts)


def pg_digits_pattern(digits: str) -> str:
    """A LIKE pattern for the digit runs: these digits anywhere in one run."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("the digit index holds ASCII digits only")
    return f"%{digits}%"
