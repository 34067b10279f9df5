"""Alembic environment: migrations run on the connection we are given, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.config import settings
from app.storage.db import make_engine
from app.storage.tables import Base

config = context.config


# The search index is each database's own (migration 0009): SQLite's FTS5 table and its shadow
# tables, PostgreSQL's generated tsvector column and its GIN index. No model describes them.
def _ours(_: object, name: str | None, kind: str, __: object, ___: object) -> bool:
    if kind == "table" and name is not None and name.startswith("search_fts"):
        return False
    return not (kind in ("column", "index") and name in ("document", "ix_search_entries_document"))


def run(connection: Connection) -> None:
    # render_as_batch: SQLite can only change a table by copying it, which batch mode does.
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or settings().database_url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()
