"""The PostgreSQL server the tests run on: databases made from migrated templates, dropped after.

scripts/test starts a throwaway server (scripts/_pgserver.sh) and exports
DESKAPP_TEST_PG_URL and DESKAPP_TEST_PG_REQUIRED=1: then a server that cannot
be reached fails the PostgreSQL tests, never skips them. Run without a URL
(plain `pytest`), the PostgreSQL variants are skipped, saying why.

A migrated database with staff costs ~0.5 s to build; a copy
(CREATE DATABASE ... TEMPLATE, FILE_COPY) about 100 ms and dropping it 20 ms,
so each test gets its own.
"""

from __future__ import annotations

import itertools
import os

import pytest

URL_ENV = "DESKAPP_TEST_PG_URL"
REQUIRED_ENV = "DESKAPP_TEST_PG_REQUIRED"


class PgServer:
    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", pool_size=1)
        self._names = itertools.count(1)
        self.prefix = f"desk_t{os.getpid()}_"

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """A new database (a copy of `template` if given); its URL."""
        name = f"{self.prefix}{next(self._names)}"
        with self.admin.connect() as conn:
            # FILE_COPY: a checkpoint and a copy of the files, about half WAL_LOG's time for a
            # small database on a server without fsync (PostgreSQL 15+; older ones copy files anyway).
            strategy = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
                                 + strategy)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        from sqlalchemy.engine import make_url

        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def name_of(self, url: str) -> str:
        from sqlalchemy.engine import make_url

        return make_url(url).database


def connect_or_explain() -> PgServer:
    """The test server, or a skip (no URL given) / a failure (scripts/test started one and it is not there)."""
    url = os.environ.get(URL_ENV)
    required = bool(os.environ.get(REQUIRED_ENV))
    if not url:
        if required:
            pytest.fail(f"{REQUIRED_ENV} is set but {URL_ENV} is not")
        pytest.skip("PostgreSQL tests need a server: run scripts/test (it starts one) or set DESKAPP_TEST_PG_URL")
    server = PgServer(url)
    try:
        with server.admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        server.admin.dispose()
        message = f"the PostgreSQL test server at {server.url.render_as_string(hide_password=True)} " \
                  f"cannot be reached: {type(exc).__name__}: {exc}"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    return server
