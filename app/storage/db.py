"""Engines and sessions: SQLite in a data folder by default, any SQLAlchemy URL through DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.storage import changes

# A write transaction on SQLite takes the write lock when it begins, so two writers queue on
# busy_timeout instead of one failing when it upgrades a read lock (SQLITE_BUSY_SNAPSHOT in WAL).
WRITE = {"betgraph_write": True}


def make_engine(url: str, **options: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below), and turn on what SQLite leaves off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("betgraph_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def release(session: Session) -> None:
    """Give a reading session's connection back before a long wait (a drawing), so that waiting
    requests cannot use up the pool. Only for reads: there is nothing to commit, and the objects
    already loaded stay readable; the owner's commit at the end then has nothing to do."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("release() is for reading sessions; this one has changes to commit")
    session.close()


@contextmanager
def transaction(sessions: sessionmaker[Session], *, write: bool) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back when it raises.

    The request dependency and the CLI's commands are the only callers; nothing below them commits.
    """
    with sessions() as session:
        if write:
            session.connection(execution_options=WRITE)
        try:
            yield session
            if write and session.get_bind().dialect.name == "postgresql":
                # Delivered on commit, to every worker's listener (app.storage.changes).
                session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": changes.CHANNEL})
            session.commit()
        except BaseException:
            session.rollback()
            raise
        if write:
            changes.wrote()
