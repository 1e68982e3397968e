"""Alembic environment: always run from deskapp.storage.migrate with a connection.

Full-text-search tables (call_fts until 0004, call_words and call_digits
since, and their shadow tables) are created by hand in migrations and kept
out of autogenerate.
"""

from alembic import context
from sqlmodel import SQLModel

from deskapp.storage import models  # noqa: F401  (registers every table)

config = context.config
target_metadata = SQLModel.metadata


def include_name(name, type_, parent_names):
    if type_ == "table":
        return not (name or "").startswith(("call_fts", "call_words", "call_digits"))
    if type_ in ("column", "index"):
        # PostgreSQL's search columns and indexes on `call` (0004): kept out of the models.
        return name not in ("search_words", "search_digits", "ix_call_search_words", "ix_call_search_digits")
    return True


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=include_name,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("deskapp migrations run online only (deskapp doctor / start-up)")
run_migrations_online()
