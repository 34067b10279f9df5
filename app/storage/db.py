"""Engines and sessions: SQLite in a data folder by default, any SQLAlchemy URL through DATABASE_URL."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from app.storage import changes, webhooks
from app.storage.watchdog import WATCHDOG

# A write transaction on SQLite takes the write lock when it begins, so two writers queue on
# busy_timeout instead of one failing when it upgrades a read lock (SQLITE_BUSY_SNAPSHOT in WAL).
WRITE = {"betgraph_write": True}


# How long any call may wait for the database before the request is answered 503: long enough
# for any statement Betgraph makes on a healthy database, short enough that an outage is told
# to clients at once instead of hanging every request for as long as it lasts.
DEFAULT_TIMEOUT = 5.0
# Connections kept open per process. SQLAlchemy keeps 5 and opens up to 10 more for a burst,
# closing each as it comes back: with 16 requests at once, every one of them then paid for a
# new connection (its PRAGMAs on SQLite, a new server process on PostgreSQL). The overflow
# stays for bursts beyond this; a request that finds none free waits `timeout`, then hears 503.
POOL_SIZE = 16
POOL_OVERFLOW = 4


def make_engine(url: str, *, timeout: float = DEFAULT_TIMEOUT, **options: Any) -> Engine:
    parsed = make_url(url)
    if "poolclass" not in options and parsed.database not in (None, "", ":memory:"):  # a queue of connections
        options.setdefault("pool_size", POOL_SIZE)
        options.setdefault("max_overflow", POOL_OVERFLOW)
    if parsed.get_backend_name() != "sqlite":
        return _postgres_engine(url, timeout, **options)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout}, **options)
    busy = round(timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below), and turn on what SQLite leaves off.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA busy_timeout = {busy}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("betgraph_write")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _postgres_engine(url: str, timeout: float, **options: Any) -> Engine:
    server_ms = round(timeout * 1000)
    connect_args = {
        "connect_timeout": max(1, round(timeout)),
        # The server ends what runs too long (lock waits included) and says so; the watchdog
        # below is for when it cannot say anything.
        "options": f"-c statement_timeout={server_ms} -c idle_in_transaction_session_timeout={server_ms * 6}",
        "keepalives": 1,
        "keepalives_idle": 10,
        "keepalives_interval": 2,
        "keepalives_count": 3,
    }
    if "poolclass" not in options:  # a pool to wait for: not at all for ever
        options.setdefault("pool_timeout", timeout)
    # pool_pre_ping is done below, under the watchdog: SQLAlchemy's own ping could wait forever.
    engine = create_engine(url, connect_args=connect_args, **options)
    patience = timeout + 1  # after the server's own timeout, which says more when it can speak

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, _: Any, __: Any) -> None:
        autocommit = dbapi_connection.autocommit  # an engine made with isolation_level="AUTOCOMMIT"
        WATCHDOG.arm(dbapi_connection, patience)
        try:
            # In autocommit, as SQLAlchemy's own ping: one round trip, not BEGIN, SELECT and ROLLBACK.
            dbapi_connection.autocommit = True
            dbapi_connection.execute("SELECT 1")
        except psycopg.Error as error:
            if not WATCHDOG.disarm(dbapi_connection):
                # Silence, not a closed connection: a new one would most likely wait as long
                # again (its connect_timeout), doubling the wait before the client hears 503.
                raise
            raise DisconnectionError(str(error)) from error  # the pool tries a new connection
        finally:
            WATCHDOG.disarm(dbapi_connection)
            with contextlib.suppress(psycopg.Error):  # a failed ping's connection is thrown away
                dbapi_connection.autocommit = autocommit

    def arm(connection: Any, *_: Any) -> None:
        WATCHDOG.arm(connection.connection.dbapi_connection, patience)

    def disarm(connection: Any, *_: Any) -> None:
        WATCHDOG.disarm(connection.connection.dbapi_connection)

    event.listen(engine, "before_cursor_execute", arm)
    event.listen(engine, "after_cursor_execute", disarm)
    # A commit or rollback may wait too; the deadline is lifted when the connection is returned.
    event.listen(engine, "commit", arm)
    event.listen(engine, "rollback", arm)
    event.listen(engine.pool, "checkin", lambda dbapi_connection, _: WATCHDOG.disarm(dbapi_connection))

    @event.listens_for(engine, "handle_error")
    def _failed(context: Any) -> None:
        if context.connection is not None and context.connection.connection.dbapi_connection is not None:
            WATCHDOG.disarm(context.connection.connection.dbapi_connection)

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


# A reading transaction on PostgreSQL sees one snapshot from its first statement to its last,
# as SQLite's do: a graph deleted or written meanwhile is either wholly there or wholly gone.
_READ = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}


@contextmanager
def transaction(sessions: sessionmaker[Session], *, write: bool) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back when it raises.

    The owners of transactions call this: a request's dependency (`app.http`), the CLI's commands,
    and the picture service for the render cache. Nothing below them commits. Only a transaction
    that changed what some answer says (`changes.touch`: a graph, a token) tells every worker so;
    one that stored a picture, or a write refused before it wrote, does not.
    """
    with sessions() as session:
        bind = session.get_bind()
        postgres = bind.dialect.name == "postgresql"
        if write:
            session.connection(execution_options=WRITE)
        elif postgres and isinstance(bind, Engine):  # not inside a transaction a test holds open
            session.connection(execution_options=_READ)
        try:
            yield session
            changed = write and changes.touched(session)
            if changed and postgres:
                # Delivered on commit, to every worker's listener (app.storage.changes).
                session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": changes.CHANNEL})
            elif changed:
                changes.mark(session)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        webhooks.committed(session)
        if changed:
            changes.wrote()
