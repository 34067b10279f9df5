"""Has anything that changes an answer been written since I last looked? Mostly answered without a query.

A warm picture may be answered from memory only while no graph or token changed anywhere: in
this process (counted as each write transaction commits), or in another process or machine
sharing the database. Pictures stored in the render cache change no answer and are not counted.
SQLite says cheaply that another connection committed (`PRAGMA data_version`); only then is the
counter of answer-changing writes read (`mark`). PostgreSQL is told: every such write sends a
NOTIFY on commit (`app.storage.db.transaction`), and a listener thread counts them. A listener
that has not heard from the database for `STALE` seconds (its connection lost, or silently cut
by the network) cannot know what it missed, so `version()` answers None and callers ask the
database: an edit or a revocation made anywhere is honoured everywhere within seconds.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Hashable
from typing import Any, LiteralString, Protocol

import psycopg
from sqlalchemy import Engine, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.storage.tables import ChangeRow
from app.storage.watchdog import WATCHDOG

CHANNEL = "betgraph_changes"
log = logging.getLogger("betgraph")
_local = 0
_local_lock = threading.Lock()


def wrote() -> None:
    """This process committed a write (called by the one transaction owner)."""
    global _local  # noqa: PLW0603 - one counter for the process, bumped after each commit
    with _local_lock:
        _local += 1


def local_writes() -> int:
    return _local


_TOUCHED = "betgraph_touched"


def touch(session: Session) -> None:
    """This transaction changes what some answer says (a graph, a token): tell every worker on commit."""
    session.info[_TOUCHED] = True


def touched(session: Session) -> bool:
    return bool(session.info.get(_TOUCHED))


def mark(session: Session) -> None:
    """Count this transaction's write among those that change answers (SQLite's signal)."""
    session.execute(update(ChangeRow).where(ChangeRow.id == 1).values(count=ChangeRow.count + 1))


class Changes(Protocol):
    def version(self) -> Hashable | None: ...

    def close(self) -> None: ...


class SqliteChanges:
    # Another process's commit is seen at most this late; under load this saves most of the
    # pragma's cost, and a client never gets a write back from another process that quickly.
    FRESH = 0.001

    def __init__(self, path: str) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self._data_version: int | None = None
        self._count = 0

    def version(self) -> Hashable | None:
        now = time.monotonic()
        if now - self._checked > self.FRESH:
            with self._lock:
                try:
                    if self._connection is None:
                        self._connection = sqlite3.connect(self._path, check_same_thread=False, timeout=0.05)
                    data_version = self._connection.execute("PRAGMA data_version").fetchone()[0]
                    if data_version != self._data_version:
                        # Something was committed: an edit, or only a stored picture.
                        self._count = self._connection.execute("SELECT count FROM changes WHERE id = 1").fetchone()[0]
                        self._data_version = data_version
                except (sqlite3.Error, TypeError):
                    self._connection, self._data_version = None, None
                    return None
                self._checked = now
        return (local_writes(), self._count)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class PostgresChanges:
    HEARTBEAT = 1.0  # seconds between the listener's round trips to the database
    STALE = 3.0  # not heard from the database for this long: nothing may be answered from memory

    def __init__(self, url: str) -> None:
        self._url = url
        self._heard = 0
        self._alive_at = -1e9  # when the listener last heard from the database (monotonic)
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="betgraph-changes", daemon=True)
        self._thread.start()

    def version(self) -> Hashable | None:
        if time.monotonic() - self._alive_at > self.STALE:
            return None
        return (local_writes(), self._heard)

    def _listen(self) -> None:
        while not self._closed.is_set():
            try:
                with psycopg.connect(
                    self._url, autocommit=True, connect_timeout=3, keepalives=1, keepalives_idle=5
                ) as connection:
                    # A new connection into a partition is swallowed like an old one: without a
                    # deadline here the listener would wait on its LISTEN for as long as TCP does.
                    self._round_trip(connection, f"LISTEN {CHANNEL}")
                    self._heard += 1  # whatever happened while nobody listened is a change
                    while not self._closed.is_set():
                        # A round trip proves the connection still carries notifications; a
                        # silent network would leave notifies() waiting forever without it.
                        self._round_trip(connection, "SELECT 1")
                        self._alive_at = time.monotonic()
                        for _ in connection.notifies(timeout=self.HEARTBEAT):
                            self._heard += 1
            except psycopg.Error:
                pass  # the database went away: listen again once it answers
            except Exception:
                log.exception("the change listener failed; it starts again, unheard meanwhile")
            self._alive_at = -1e9
            self._closed.wait(0.5)

    def _round_trip(self, connection: psycopg.Connection[Any], statement: LiteralString) -> None:
        WATCHDOG.arm(connection, self.HEARTBEAT * 2)
        try:
            connection.execute(statement)
        finally:
            WATCHDOG.disarm(connection)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)


class NoChanges:
    """A database nobody can watch (SQLite in memory): always ask it."""

    def version(self) -> Hashable | None:
        return None

    def close(self) -> None:
        pass


def watch(engine: Engine) -> Changes:
    url = make_url(engine.url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return NoChanges()
        return SqliteChanges(url.database)
    if url.get_backend_name() == "postgresql":
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresChanges(plain)
    return NoChanges()


def wait_listening(changes: Changes, seconds: float = 5.0) -> bool:
    """Whether the watcher is ready within `seconds` (tests wait on it before they count on it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if changes.version() is not None:
            return True
        time.sleep(0.02)
    with contextlib.suppress(Exception):
        return changes.version() is not None
    return False
