"""Alembic environment: migrations run on the connection we are given, or on DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.config import settings
from app.storage.db import make_engine
from app.storage.tables import Base

config = context.config


def run(connection: Connection) -> None:
    # render_as_batch: SQLite can only change a table by copying it, which batch mode does.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
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
