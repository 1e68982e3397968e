"""A fresh database for a benchmark, on SQLite or PostgreSQL (imported by scripts/bench_*.py).

PostgreSQL: a new database on the server named by --pg-url or DESKAPP_TEST_PG_URL
(scripts/with_pg starts a throwaway one and sets it), dropped by `drop`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENGINES = ("sqlite", "postgresql")


def new_database(engine: str, label: str, *, pg_url: str | None = None, folder: Path | None = None) -> str:
    """The URL of a new, empty database for `label`."""
    if engine == "sqlite":
        folder = folder or Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
        return f"sqlite:///{folder / f'{label}.sqlite'}"
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = pg_url or os.environ.get("DESKAPP_TEST_PG_URL")
    if not server:
        raise SystemExit("PostgreSQL: give --pg-url or run under scripts/with_pg (it starts a throwaway server)")
    name = f"bench_{label}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def existing_database(engine: str, label: str, *, pg_url: str | None = None, folder: Path) -> tuple[str, bool]:
    """(URL, already there) for a kept database: a file in `folder`, or a database named after label."""
    if engine == "sqlite":
        path = folder / f"{label}.sqlite"
        return f"sqlite:///{path}", path.exists()
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    server = pg_url or os.environ.get("DESKAPP_TEST_PG_URL")
    if not server:
        raise SystemExit("PostgreSQL: give --pg-url or run under scripts/with_pg (it starts a throwaway server)")
    name = f"bench_{label}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        there = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first() is not None
        if not there:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(server).set(database=name).render_as_string(hide_password=False), there


def drop(url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()
