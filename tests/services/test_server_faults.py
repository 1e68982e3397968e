"""A database server that refuses, is not there, or drops the desk: clear messages naming the
server (never the password), no traceback, and the desk carries on once it is back.

On the PostgreSQL test server (scripts/test starts it; its pg_hba lets the role
deskapp_password_test in with a password only).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from deskapp.config import Settings
from deskapp.i18n import t
from deskapp.services.calls import CallDraft, log_call
from deskapp.services.desk import Desk
from deskapp.services.faults import DatabaseFault, fault_key
from tests.services.dbstate import execute

pytestmark = pytest.mark.postgresql
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
SECRET = "wrong-Secret-8642"


def _server_url(pg_server, **parts) -> str:
    return pg_server.url.set(**parts).render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def password_role(pg_server):
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql("DROP ROLE IF EXISTS deskapp_password_test")
        conn.exec_driver_sql("CREATE ROLE deskapp_password_test LOGIN PASSWORD 'the-right-one'")
    return "deskapp_password_test"


def _refusal(url: str) -> DatabaseFault:
    with pytest.raises(DatabaseFault) as refused:
        Desk.open(Settings(database_url=url))
    return refused.value


def test_a_wrong_password_is_named_as_such_without_the_password(pg_server, password_role):
    fault = _refusal(_server_url(pg_server, username=password_role, password=SECRET))
    message = str(fault)
    assert fault_key(fault.fault) == "fault.auth"
    assert message.startswith("数据库服务器拒绝了登录")
    assert password_role in message and "***" in message
    assert SECRET not in message


def test_an_unreachable_server_is_named(pg_server):
    fault = _refusal("postgresql+psycopg://desk:" + SECRET + "@127.0.0.1:1/desk")
    assert fault_key(fault.fault) == "fault.unreachable"
    assert str(fault) == t("fault.unreachable", where="postgresql+psycopg://desk:***@127.0.0.1:1/desk")


def test_a_database_the_server_does_not_have_is_named(pg_server):
    fault = _refusal(_server_url(pg_server, database="no_such_desk"))
    assert fault_key(fault.fault) == "fault.no_database"
    assert "no_such_desk" in str(fault)


def test_the_cli_says_so_in_english_too_without_a_traceback(pg_server, password_role):
    url = _server_url(pg_server, username=password_role, password=SECRET)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DESKAPP_CONFIG": str(ROOT / "no-such-config.toml")}
    done = subprocess.run([sys.executable, "-m", "deskapp", "doctor", "--db", url, "--lang", "en"],
                          capture_output=True, text=True, env=env, timeout=120)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "The database server refused the sign-in" in out
    assert "Traceback" not in out and SECRET not in out


def test_a_postgresql_url_without_a_driver_means_psycopg(pg_server):
    from deskapp.config import database_url

    plain = pg_server.url.set(drivername="postgresql").render_as_string(hide_password=False)
    assert database_url(plain).startswith("postgresql+psycopg://")


@pytest.mark.parametrize("db_backend", ["postgresql"], indirect=True)
def test_after_the_server_dropped_every_connection_the_next_save_reconnects(desk, receptionist):
    log_call(desk, receptionist, CallDraft(content="断开之前"), now=NOW)
    execute(desk, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                  "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    # the pool tests each connection before use (pool_pre_ping): nothing to tell the person
    assert log_call(desk, receptionist, CallDraft(content="断开之后"), now=NOW).number == "来电-2026-000002"
