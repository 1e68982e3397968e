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
filling both takes about 35 s.

PostgreSQL (no application functions there): the same shadow text written in
SQL (desk_search_tokens, the same tokens as deskapp.core.search_text), kept
in two columns of `call` that a trigger fills: search_words, a tsvector of
the tokens with their positions (a gap between columns, so no phrase spans
two), looked up with phrase queries ('水' <-> '管') on a GIN index; and
search_digits, the digit runs (phone first), looked up with LIKE on a pg_trgm
GIN index (three or more digits anywhere in a run). Written without the text
search parser, so no locale can drop or split a character. Kept out of the
models (and autogenerate): only the search reads them.
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


# PostgreSQL: tokens, the vector, the trigger, the indexes (pg_trgm is a trusted
# extension: the database's owner may create it).
PG_SEARCH = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    r"""CREATE FUNCTION desk_search_tokens(value text) RETURNS text[]
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(CASE
                WHEN m[1] ~ '^[0-9]' THEN m[1]
                WHEN ascii(m[1]) >= 128 THEN m[1]
                WHEN m[1] ~ '^[A-Za-z]$' THEN lower(m[1])
                ELSE 'x' || lpad(to_hex(ascii(m[1])), 2, '0') END ORDER BY n), '{}')
        FROM regexp_matches(coalesce(value, ''), '[0-9]+|.', 'g') WITH ORDINALITY AS r(m, n)
    $$""",
    # Tokens never hold a quote or a backslash (ASCII punctuation is xHH), so each is
    # written as 'token':position; positions stop at tsvector's 16383.
    r"""CREATE FUNCTION desk_search_vector(VARIADIC cols text[]) RETURNS tsvector
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            pos integer := 0;
            parts text[] := '{}';
            col text;
            tok text;
        BEGIN
            FOREACH col IN ARRAY cols LOOP
                FOREACH tok IN ARRAY desk_search_tokens(col) LOOP
                    pos := pos + 1;
                    parts := parts || (chr(39) || tok || chr(39) || ':' || least(pos, 16383));
                END LOOP;
                pos := pos + 1;  -- a gap: one column's last token is never next to the next's first
            END LOOP;
            RETURN array_to_string(parts, ' ')::tsvector;
        END $$""",
    r"""CREATE FUNCTION desk_digit_runs(VARIADIC cols text[]) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(string_agg(m[1], ' '), '')
        FROM regexp_matches(array_to_string(cols, ' '), '[0-9]+', 'g') AS r(m)
    $$""",
    """CREATE FUNCTION desk_call_search() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_words := desk_search_vector(NEW.caller_name, NEW.phone, NEW.unit_code, NEW.content,
                                                   NEW.reply);
            NEW.search_digits := desk_digit_runs(NEW.phone, NEW.caller_name, NEW.unit_code, NEW.content,
                                                 NEW.reply);
            RETURN NEW;
        END $$""",
    "ALTER TABLE call ADD COLUMN search_words tsvector",
    "ALTER TABLE call ADD COLUMN search_digits text",
    """CREATE TRIGGER call_search_biu BEFORE INSERT OR UPDATE OF caller_name, phone, unit_code, content, reply
        ON call FOR EACH ROW EXECUTE FUNCTION desk_call_search()""",
    "UPDATE call SET content = content",  # fills both for calls already there
    "CREATE INDEX ix_call_search_words ON call USING gin (search_words)",
    "CREATE INDEX ix_call_search_digits ON call USING gin (search_digits gin_trgm_ops)",
]
PG_SEARCH_DROP = [
    "DROP TRIGGER IF EXISTS call_search_biu ON call",
    "DROP INDEX IF EXISTS ix_call_search_digits",
    "DROP INDEX IF EXISTS ix_call_search_words",
    "ALTER TABLE call DROP COLUMN IF EXISTS search_digits",
    "ALTER TABLE call DROP COLUMN IF EXISTS search_words",
    "DROP FUNCTION IF EXISTS desk_call_search()",
    "DROP FUNCTION IF EXISTS desk_digit_runs(text[])",
    "DROP FUNCTION IF EXISTS desk_search_vector(text[])",
    "DROP FUNCTION IF EXISTS desk_search_tokens(text)",
]


def _register_functions() -> None:
    """The triggers and the fill call the shadow-text functions: this connection must know them.

    deskapp's engine registers them on every connection already; doing it here
    too keeps the migration right on a connection made some other way.
    """
    from deskapp.storage.search_index import register_functions

    register_functions(op.get_bind().connection.dbapi_connection)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_SEARCH:
            op.execute(statement)
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    _register_functions()
    for name in ("call_fts_ai", "call_fts_ad", "call_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS call_fts")
    for statement in SEARCH_TABLES + FILL + SEARCH_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_SEARCH_DROP:
            op.execute(statement)
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("call_search_ai", "call_search_ad", "call_search_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS call_words")
    op.execute("DROP TABLE IF EXISTS call_digits")
    for statement in TRIGRAM:
        op.execute(statement)
