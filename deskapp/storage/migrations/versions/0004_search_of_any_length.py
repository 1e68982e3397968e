"""search of any length: a word index and a digit index replace the trigram index

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26

The trigram index (call_fts, 0001) cannot answer one or two characters, so
such a search scanned the table (about a second at 1,000,000 calls when
nothing matched). Two contentless FTS5 indexes replace it, filled here from
every existing call and kept in step by triggers (deskapp.core.search_text
says what they hold, deskapp.storage.search_index why the triggers need the
shadow-text functions on every connection that writes `call`):

- call_words: a shadow of the five searched columns, one token per non-ASCII
  character or ASCII letter, digit runs whole (tokenize 'ascii');
- call_digits: the digit runs only (tokenize 'trigram'), for digits found
  inside a longer run (the last four digits of a phone).

Measured at 1,000,000 demo calls: 220 MB + 74 MB against call_fts's 275 MB;
filling both takes about 35 s. SQLite only (PostgreSQL gets its own later).
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0004'
down_revision: Union[str, None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_WORDS = ("desk_search_text({p}caller_name), desk_search_text({p}phone), desk_search_text({p}unit_code), "
          "desk_search_text({p}content), desk_search_text({p}reply)")
_DIGITS = "desk_digit_runs({p}phone), desk_digit_runs({p}caller_name, {p}unit_code, {p}content, {p}reply)"
_INTO_WORDS = "call_words(rowid, caller_name, phone, unit_code, content, reply)"
_DELETE_WORDS = "call_words(call_words, rowid, caller_name, phone, unit_code, content, reply)"


def _add(p: str) -> str:
    return (f"INSERT INTO {_INTO_WORDS} VALUES ({p}id, {_WORDS.format(p=p)});\n"
            f"        INSERT INTO call_digits(rowid, phone, other) VALUES ({p}id, {_DIGITS.format(p=p)});")


def _remove(p: str) -> str:
    return (f"INSERT INTO {_DELETE_WORDS} VALUES ('delete', {p}id, {_WORDS.format(p=p)});\n"
            f"        INSERT INTO call_digits(call_digits, rowid, phone, other) "
            f"VALUES ('delete', {p}id, {_DIGITS.format(p=p)});")


SEARCH_TABLES = [
    """CREATE VIRTUAL TABLE call_words USING fts5(
        caller_name, phone, unit_code, content, reply,
        content='', columnsize=0, tokenize='ascii')""",
    """CREATE VIRTUAL TABLE call_digits USING fts5(
        phone, other, content='', columnsize=0, tokenize='trigram')""",
]
FILL = [
    f"INSERT INTO {_INTO_WORDS} SELECT id, {_WORDS.format(p='')} FROM call",
    f"INSERT INTO call_digits(rowid, phone, other) SELECT id, {_DIGITS.format(p='')} FROM call",
    # one b-tree per index instead of the segments the fill left (quicker to query)
    "INSERT INTO call_words(call_words) VALUES ('optimize')",
    "INSERT INTO call_digits(call_digits) VALUES ('optimize')",
]
SEARCH_TRIGGERS = [
    f"""CREATE TRIGGER call_search_ai AFTER INSERT ON call BEGIN
        {_add('new.')}
    END""",
    f"""CREATE TRIGGER call_search_ad AFTER DELETE ON call BEGIN
        {_remove('old.')}
    END""",
    f"""CREATE TRIGGER call_search_au AFTER UPDATE OF caller_name, phone, unit_code, content, reply ON call BEGIN
        {_remove('old.')}
        {_add('new.')}
    END""",
]

# The trigram index as 0001 made it, for the downgrade.
TRIGRAM = [
    """CREATE VIRTUAL TABLE call_fts USING fts5(
        caller_name, phone, unit_code, content, reply,
        content='call', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER call_fts_ai AFTER INSERT ON call BEGIN
        INSERT INTO call_fts(rowid, caller_name, phone, unit_code, content, reply)
        VALUES (new.id, new.caller_name, new.phone, new.unit_code, new.content, new.reply);
    END""",
    """CREATE TRIGGER call_fts_ad AFTER DELETE ON call BEGIN
        INSERT INTO call_fts(call_fts, rowid, caller_name, phone, unit_code, content, reply)
        VALUES ('delete', old.id, old.caller_name, old.phone, old.unit_code, old.content, old.reply);
    END""",
    """CREATE TRIGGER call_fts_au AFTER UPDATE OF caller_name, phone, unit_code, content, reply ON call BEGIN
        INSERT INTO call_fts(call_fts, rowid, caller_name, phone, unit_code, content, reply)
        VALUES ('delete', old.id, old.caller_name, old.phone, old.unit_code, old.content, old.reply);
        INSERT INTO call_fts(rowid, caller_name, phone, unit_code, content, reply)
        VALUES (new.id, new.caller_name, new.phone, new.unit_code, new.content, new.reply);
    END""",
    "INSERT INTO call_fts(call_fts) VALUES ('rebuild')",
]


def _register_functions() -> None:
    """The triggers and the fill call the shadow-text functions: this connection must know them.

    deskapp's engine registers them on every connection already; doing it here
    too keeps the migration right on a connection made some other way.
    """
    from deskapp.storage.search_index import register_functions

    register_functions(op.get_bind().connection.dbapi_connection)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _register_functions()
    for name in ("call_fts_ai", "call_fts_ad", "call_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS call_fts")
    for statement in SEARCH_TABLES + FILL + SEARCH_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("call_search_ai", "call_search_ad", "call_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS call_words")
    op.execute("DROP TABLE IF EXISTS call_digits")
    for statement in TRIGRAM:
        op.execute(statement)
