"""Revision 0004: the word index and the digit index replace the trigram index.

Every check reads the indexes back token by token (tests/storage/searchstate.py)
and compares them with what the call table's rows give.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from deskapp.services.call_queries import CallFilter, count_calls
from deskapp.services.calls import CallDraft, log_call
from deskapp.storage.engine import write_session
from deskapp.storage.migrate import HEAD_REVISION, MIGRATIONS_DIR, current_revision, ensure_schema
from deskapp.storage.search_index import TRIGGERS, register_functions
from tests.storage.searchstate import expected, held, index_matches_table

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
TEXTS = [
    dict(caller_name="张先生", phone="13800138000", unit="3-2-1201", content="反映，物业费太贵；卫生间漏水",
         reply="已通知维保单位 WiFi"),
    dict(caller_name="𠀀𠀁", phone="021-5555 6666", unit="商铺A12", content="100% 满意 8:00-12:00", reply=""),
    dict(caller_name="", phone="", unit="", content="👨‍👩‍👧 一家 Ää", reply="第3号楼供暖不热"),
]


def sql(path, statement: str, params: tuple = (), *, functions: bool = False) -> list[tuple]:
    with closing(sqlite3.connect(path)) as conn:
        if functions:
            register_functions(conn)
        rows = [tuple(r) for r in conn.execute(statement, params).fetchall()]
        conn.commit()
        return rows


def names(path, kind: str) -> set[str]:
    return {r[0] for r in sql(path, "SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


def downgrade_to(engine, target: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, target)


@pytest.fixture
def logged(desk, receptionist):
    return [log_call(desk, receptionist, CallDraft(at=NOW - timedelta(hours=i), **kw), now=NOW).id
            for i, kw in enumerate(TEXTS)]


def test_the_check_reads_every_token_and_can_fail(desk, logged, db_path):
    words, digits = held(db_path)
    assert len(words) > 60 and len(digits) > 30
    assert ("，", logged[0], "content", 2) in words and ("555", logged[1], "phone", 3) in digits
    # one row taken out of the word index behind the triggers' back is noticed
    name, phone, unit, content, reply = sql(db_path, "SELECT caller_name, phone, unit_code, content, reply "
                                                     "FROM call WHERE id = ?", (logged[0],))[0]
    sql(db_path, "INSERT INTO call_words(call_words, rowid, caller_name, phone, unit_code, content, reply) "
                 "VALUES ('delete', ?, desk_search_text(?), desk_search_text(?), desk_search_text(?), "
                 "desk_search_text(?), desk_search_text(?))", (logged[0], name, phone, unit, content, reply),
        functions=True)
    with pytest.raises(AssertionError, match="word index"):
        index_matches_table(db_path)


def test_triggers_keep_both_indexes_exact_through_inserts_updates_and_deletes(desk, logged, db_path):
    assert index_matches_table(db_path)
    with write_session(desk.engine) as session:
        session.execute(text("UPDATE call SET content = '电梯按钮失灵 B1层', phone = '13912345678' WHERE id = :i"),
                        {"i": logged[0]})
        session.execute(text("UPDATE call SET status = 'done' WHERE id = :i"), {"i": logged[1]})
        session.execute(text("DELETE FROM call WHERE id = :i"), {"i": logged[2]})
    assert index_matches_table(db_path)
    assert count_calls(desk, CallFilter(search="卫生间")) == 0
    assert count_calls(desk, CallFilter(search="按钮 b1层")) == 1
    assert count_calls(desk, CallFilter(search="5678")) == 1 and count_calls(desk, CallFilter(search="0013")) == 0


def test_upgrade_from_0003_indexes_the_calls_already_there(desk, logged, db_path):
    engine = desk.engine
    downgrade_to(engine, "0003")
    assert current_revision(engine) == "0003"
    assert "call_fts" in names(db_path, "table") and not {"call_words", "call_digits"} & names(db_path, "table")
    assert {"call_fts_ai", "call_fts_ad", "call_fts_au"} <= names(db_path, "trigger")
    assert not set(TRIGGERS) & names(db_path, "trigger")
    # 0003's trigram index was rebuilt from the table on the way down
    assert sql(db_path, "SELECT rowid FROM call_fts WHERE call_fts MATCH '\"物业费\"'") == [(logged[0],)]

    check = ensure_schema(engine)

    assert (check.before, check.after) == ("0003", HEAD_REVISION) and check.backup is not None
    assert "call_fts" not in names(db_path, "table") and {"call_words", "call_digits"} <= names(db_path, "table")
    assert set(TRIGGERS) <= names(db_path, "trigger")
    assert not {"call_fts_ai", "call_fts_ad", "call_fts_au"} & names(db_path, "trigger")
    assert index_matches_table(db_path)
    assert count_calls(desk, CallFilter(search="映")) == 1 and count_calls(desk, CallFilter(search="𠀁")) == 1


def test_a_connection_without_the_functions_cannot_write_a_call(desk, logged, db_path):
    """The pitfall, pinned: the triggers need the application functions, so such a write fails whole."""
    before = sql(db_path, "SELECT count(*) FROM call")
    with pytest.raises(sqlite3.OperationalError, match="no such function: desk_search_text"):
        sql(db_path, "UPDATE call SET content = '改了' WHERE id = ?", (logged[0],))
    assert sql(db_path, "SELECT count(*) FROM call") == before
    assert sql(db_path, "SELECT count(*) FROM call WHERE content = '改了'") == [(0,)]
    sql(db_path, "UPDATE call SET content = '改了' WHERE id = ?", (logged[0],), functions=True)
    assert index_matches_table(db_path)


def test_the_engine_trusts_the_schema_the_triggers_need(desk, logged, db_path):
    """With trusted_schema OFF a function not marked innocuous may not run in a trigger."""
    with desk.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA trusted_schema").scalar() == 1
    with closing(sqlite3.connect(db_path)) as conn:
        register_functions(conn)
        conn.execute("PRAGMA trusted_schema = OFF")
        with pytest.raises(sqlite3.OperationalError, match="unsafe use of"):
            conn.execute("UPDATE call SET content = '改了' WHERE id = ?", (logged[0],))


def test_expected_tokens_follow_the_shadow_text():
    words, digits = expected([(7, "A", "138", "3栋", "漏水，", "")])
    assert words == Counter({("a", 7, "caller_name", 0): 1, ("138", 7, "phone", 0): 1, ("3", 7, "unit_code", 0): 1,
                             ("栋", 7, "unit_code", 1): 1, ("漏", 7, "content", 0): 1, ("水", 7, "content", 1): 1,
                             ("，", 7, "content", 2): 1})
    assert digits == Counter({("138", 7, "phone", 0): 1})
