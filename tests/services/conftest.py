"""Every test here that asks for `desk` runs on SQLite and on PostgreSQL (tests/conftest.py)."""

import pytest


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def db_backend(request):
    return request.param
