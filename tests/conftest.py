"""Fixtures shared by every test folder (core, services, storage, screens, CLI).

Kept generic and cheap: nothing here touches a database unless a test asks for
`desk`, `supervisor` or `receptionist`, and each of those uses a fresh SQLite
file in the test's own tmp_path (no mocks of our storage).

Two engines: `db_backend` is "sqlite" here; tests/services and tests/storage
parametrise it over SQLite and PostgreSQL (their conftest.py), so every test
there that asks for `desk` runs on both, the PostgreSQL one on its own
database of a real server (tests/pgserver.py). A test about SQLite itself is
marked `sqlite_only`; one that asks for `db_path` (the SQLite file) is too;
one about the server alone (TRUNCATE, LISTEN, a read-only role) `postgresql_only`.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, settings

# Property tests on a shared 2-core CI machine: no per-example deadline (the
# first example may build the holiday calendar) and a fixed seed, so a run is
# repeatable and never flaky because the machine was busy.
settings.register_profile("desk", deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("desk")

# A fixed instant for fixtures: 2026-11-24 09:30 in Asia/Shanghai (a Tuesday).
FIXTURE_NOW = datetime(2026, 11, 24, 1, 30, tzinfo=timezone.utc)

SUPERVISOR_NAME, SUPERVISOR_PIN = "王主管", "1234"
RECEPTIONIST_NAME, RECEPTIONIST_PIN = "李前台", "5678"

# Environment that would let a developer's own set-up leak into a test run.
_LEAKY_ENV = ("DESKAPP_DATABASE_URL", "DESKAPP_LANG", "DESKAPP_SITE_NAME", "DESKAPP_DATA_DIR")


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory, monkeypatch):
    """A user's config file or DESKAPP_* variables never reach a test."""
    missing = tmp_path_factory.getbasetemp() / "no-such-deskapp-config.toml"
    monkeypatch.setenv("DESKAPP_CONFIG", str(missing))
    for name in _LEAKY_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _reset_language():
    """Every test starts and ends in the default language (zh)."""
    from deskapp.i18n import set_lang

    set_lang("zh")
    yield
    set_lang("zh")


def pytest_collection_modifyitems(config, items):
    """A test about SQLite (marked sqlite_only, or asking for the file: db_path) runs on SQLite only;
    one about the server (marked postgresql_only) on PostgreSQL only: not run, rather than skipped."""
    keep, drop = [], []
    for item in items:
        backend = getattr(getattr(item, "callspec", None), "params", {}).get("db_backend")
        sqlite_only = item.get_closest_marker("sqlite_only") or "db_path" in getattr(item, "fixturenames", ())
        server_only = item.get_closest_marker("postgresql_only") is not None
        wrong_engine = (backend == "postgresql" and sqlite_only) or (backend == "sqlite" and server_only)
        (drop if wrong_engine else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="module")
def db_backend():
    """The engine a test's `desk` runs on; tests/services and tests/storage parametrise it."""
    return "sqlite"


@pytest.fixture(scope="session")
def pg_server():
    from tests.pgserver import connect_or_explain

    server = connect_or_explain()
    yield server
    server.admin.dispose()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "desk.sqlite"


def _open(path):
    return _open_url(f"sqlite:///{path}")


def _open_url(url):
    from deskapp.config import Settings
    from deskapp.services.desk import Desk

    return Desk.open(Settings(database_url=url))


def _add_supervisor(desk):
    from deskapp.services.staff import add_staff

    return add_staff(desk, name=SUPERVISOR_NAME, role="supervisor", pin=SUPERVISOR_PIN, actor=None, now=FIXTURE_NOW)


def _add_receptionist(desk, boss):
    from deskapp.services.staff import add_staff

    return add_staff(desk, name=RECEPTIONIST_NAME, role="receptionist", pin=RECEPTIONIST_PIN, actor=boss,
                     now=FIXTURE_NOW)


@pytest.fixture(scope="session")
def _desk_templates(tmp_path_factory):
    """Migrated database files, built once per run with the real services and copied per test.

    Migrating and hashing two PINs (scrypt) costs ~0.25 s; copying a file costs
    well under a millisecond. The copy is still a real SQLite file per test.
    """
    import sqlite3
    from contextlib import closing

    root = tmp_path_factory.mktemp("desk-templates")
    built = root / "build.sqlite"
    desk = _open(built)
    templates = {}

    def keep(label):
        dest = root / f"{label}.sqlite"
        with closing(sqlite3.connect(built)) as src, closing(sqlite3.connect(dest)) as dst:
            src.backup(dst)
        templates[label] = dest

    try:
        keep("empty")
        boss = _add_supervisor(desk)
        keep("supervisor")
        _add_receptionist(desk, boss)
        keep("receptionist")
    finally:
        desk.engine.dispose()
    return templates


@pytest.fixture(scope="session")
def _pg_templates(pg_server):
    """The same three templates as databases on the test server (CREATE DATABASE ... TEMPLATE copies them)."""
    build = pg_server.create()
    templates = {}

    def keep(label, desk):
        desk.engine.dispose()  # a template must have no connection while it is copied
        templates[label] = pg_server.name_of(pg_server.create(template=pg_server.name_of(build)))

    desk = _open_url(build)
    keep("empty", desk)
    boss = _add_supervisor(desk)
    keep("supervisor", desk)
    _add_receptionist(desk, boss)
    keep("receptionist", desk)
    return templates


@pytest.fixture(scope="session")
def open_desk_copy(request, _desk_templates):
    """open_desk_copy(path, staff="empty"|"supervisor"|"receptionist", backend="sqlite") -> an open Desk.

    On SQLite a new file at `path`; on PostgreSQL a new database on the test
    server (`path` unused). For module- or class-scoped read-only data sets;
    the caller disposes ``desk.engine`` when done. Staff, if any, are 王主管
    (id 1) and 李前台 (id 2).
    """
    import shutil

    def make(path, staff: str = "empty", backend: str = "sqlite"):
        if backend == "postgresql":
            templates = request.getfixturevalue("_pg_templates")
            server = request.getfixturevalue("pg_server")
            return _open_url(server.create(template=templates[staff]))
        shutil.copyfile(_desk_templates[staff], path)
        return _open(path)

    return make


@pytest.fixture
def desk(request, db_backend, open_desk_copy):
    """An open, migrated desk on a fresh SQLite file in tmp_path (or a fresh PostgreSQL database).

    It holds no staff unless the test also asks for `supervisor` (and
    `receptionist`), in which case the database starts from a copy that
    already holds them, made by add_staff once per run.
    """
    wanted = request.fixturenames
    label = "receptionist" if "receptionist" in wanted else "supervisor" if "supervisor" in wanted else "empty"
    if db_backend == "postgresql":
        opened = open_desk_copy(None, label, backend="postgresql")
        yield opened
        opened.engine.dispose()
        request.getfixturevalue("pg_server").drop(opened.engine.url)
        return
    opened = open_desk_copy(request.getfixturevalue("db_path"), label)
    yield opened
    opened.engine.dispose()


def _staff_named(desk, name):
    from deskapp.services.staff import list_staff

    return next((a for a in list_staff(desk) if a.name == name), None)


@pytest.fixture
def supervisor(desk):
    """The first staff member: a supervisor (王主管, PIN 1234), added with add_staff."""
    return _staff_named(desk, SUPERVISOR_NAME) or _add_supervisor(desk)


@pytest.fixture
def receptionist(desk, supervisor):
    """A receptionist (李前台, PIN 5678) added by the supervisor."""
    return _staff_named(desk, RECEPTIONIST_NAME) or _add_receptionist(desk, supervisor)
