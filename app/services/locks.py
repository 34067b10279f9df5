"""Locks every worker on one database respects, so that one of them draws a picture while the others wait.

`Renderer` already makes the requests of one process share a drawing; these locks do the same
across processes. On PostgreSQL the lock is a transaction-scoped advisory lock on a connection
of its own (the workers may be on several machines, and a worker that dies releases it with its
connection); on SQLite, whose workers share one machine by construction, it is `flock` on a file
beside the database. Either way a worker waits at most `wait` seconds and is then told so, never
left hanging behind a stuck drawing.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.storage.db import make_engine

# PostgreSQL's SQLSTATEs when lock_timeout, or the statement_timeout bounding it, runs out
_LOCK_NOT_AVAILABLE = {"55P03", "57014"}


class LockTimeoutError(Exception):
    """Another worker held the lock for longer than this one may wait."""


class Locks(Protocol):
    def hold(self, key: str, wait: float) -> AbstractContextManager[None]:
        """Hold the lock named `key` (any string) for the block; LockTimeoutError after `wait` seconds."""
        ...


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class AdvisoryLocks:
    """PostgreSQL: pg_advisory_xact_lock, released when its transaction ends however it ends."""

    def __init__(self, engine: Engine, wait: float = 20.0, connections: int = 4) -> None:
        # Connections of their own, opened per lock (a few ms, beside a drawing's hundreds): a lock
        # never waits for the requests' pool, and no idle connection outlives the app. At most
        # `connections` at once, so a burst of different cold pictures cannot use up the server's
        # connections; every call is bounded by the longest wait for a lock, so a silent network
        # fails it too.
        url = engine.url.render_as_string(hide_password=False)
        self._engine = make_engine(url, timeout=wait, poolclass=NullPool)
        self._connections = threading.BoundedSemaphore(connections)

    @contextlib.contextmanager
    def hold(self, key: str, wait: float) -> Iterator[None]:
        number = int.from_bytes(_digest(key)[:8], "big", signed=True)
        if not self._connections.acquire(timeout=wait):
            raise LockTimeoutError(f"waited {wait:g} s for a connection to lock with")
        try:
            with self._hold(number, wait):
                yield
        finally:
            self._connections.release()

    @contextlib.contextmanager
    def _hold(self, number: int, wait: float) -> Iterator[None]:
        with self._engine.connect() as connection, connection.begin():
            # is_local: the timeout ends with this transaction and never leaks into the pool.
            timeout = f"{max(1, round(wait * 1000))}ms"
            connection.execute(text("SELECT set_config('lock_timeout', :timeout, true)"), {"timeout": timeout})
            try:
                connection.execute(text("SELECT pg_advisory_xact_lock(:number)"), {"number": number})
            except OperationalError as error:
                if getattr(error.orig, "sqlstate", None) in _LOCK_NOT_AVAILABLE:
                    raise LockTimeoutError(f"waited {wait:g} s for another worker") from None
                raise
            yield


class FileLocks:
    """SQLite: flock on `<folder>/<hash>.lock`; the holder removes the file as it lets go."""

    def __init__(self, folder: Path, poll: float = 0.005) -> None:
        self.folder = folder
        self._poll = poll

    @contextlib.contextmanager
    def hold(self, key: str, wait: float) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{_digest(key).hex()[:40]}.lock"
        deadline = time.monotonic() + wait
        while True:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                self._lock(descriptor, deadline, wait)
            except BaseException:
                os.close(descriptor)
                raise
            # The holder before us may have removed the file after we opened it: then our lock is
            # on a file nobody else can find, and we start again on the one at `path` now.
            with contextlib.suppress(FileNotFoundError):
                if os.stat(path).st_ino == os.fstat(descriptor).st_ino:
                    break
            os.close(descriptor)
        try:
            yield
        finally:
            # Removed while still held, so the files do not pile up, one per picture ever drawn.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            os.close(descriptor)

    def _lock(self, descriptor: int, deadline: float, wait: float) -> None:
        # flock cannot wait with a timeout: poll, backing off up to 50 ms.
        pause = self._poll
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeoutError(f"waited {wait:g} s for another worker") from None
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 0.05)


class ProcessLocks:
    """An in-memory database lives in one process, whose Renderer already shares each drawing."""

    def hold(self, key: str, wait: float) -> AbstractContextManager[None]:
        return contextlib.nullcontext()


def locks_for(engine: Engine) -> Locks:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return AdvisoryLocks(engine)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return FileLocks(Path(url.database).resolve().parent / "locks")
    return ProcessLocks()
