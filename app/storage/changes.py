"""Has anything been written to the database since I last looked? Answered without a query.

A warm picture may be answered from memory only while no graph, token or render changed
anywhere: in this process (counted as each write transaction commits), or in another process
or machine sharing the database. SQLite says so itself: `PRAGMA data_version` changes whenever
another connection commits. PostgreSQL is told: every write transaction sends a NOTIFY on
commit (`app.storage.db.transaction`), and a listener thread counts them. When the listener has
lost its connection nobody can know, so `version()` answers None and callers ask the database.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Hashable
from typing import Protocol

import psycopg
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

CHANNEL = "betgraph_changes"
_local = 0
_local_lock = threading.Lock()


def wrote() -> None:
    """This process committed a write (called by the one transaction owner)."""
    global _local  # noqa: PLW0603 - one counter for the process, bumped after each commit
    with _local_lock:
        _local += 1


def local_writes() -> int:
    return _local


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
        self._seen: tuple[float, int] = (0.0, 0)

    def version(self) -> Hashable | None:
        now = time.monotonic()
        checked, seen = self._seen
        if now - checked > self.FRESH:
            with self._lock:
                try:
                    if self._connection is None:
                        self._connection = sqlite3.connect(self._path, check_same_thread=False, timeout=0.05)
                    seen = self._connection.execute("PRAGMA data_version").fetchone()[0]
                except sqlite3.Error:
                    self._connection = None
                    return None
            self._seen = (now, seen)
        return (local_writes(), seen)

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None


class PostgresChanges:
    def __init__(self, url: str) -> None:
        self._url = url
        self._heard = 0
        self._listening = False
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="betgraph-changes", daemon=True)
        self._thread.start()

    def version(self) -> Hashable | None:
        if not self._listening:
            return None
        return (local_writes(), self._heard)

    def _listen(self) -> None:
        while not self._closed.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self._heard += 1  # whatever happened while nobody listened is a change
                    self._listening = True
                    while not self._closed.is_set():
                        for _ in connection.notifies(timeout=0.5):
                            self._heard += 1
            except psycopg.Error:
                pass
            finally:
                self._listening = False
            self._closed.wait(1.0)

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
    """For tests and start-up: whether the watcher is ready within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if changes.version() is not None:
            return True
        time.sleep(0.02)
    with contextlib.suppress(Exception):
        return changes.version() is not None
    return False
