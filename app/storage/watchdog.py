"""A bound on how long any call may wait for PostgreSQL, whatever the network does.

PostgreSQL's own statement_timeout ends a slow statement, but only a server that hears the
statement can apply it: across a silent partition (a NAT or firewall dropping packets without
a word) the client waits for an answer that never comes, for as long as the partition lasts.
libpq has no client-side timeout for that, so a connection that has waited past its deadline
has its socket shut down here; the blocked call then fails at once, and the pool replaces the
connection. Deadlines are armed around each statement, commit, rollback and ping.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from typing import Any


class Watchdog:
    def __init__(self, tick: float = 0.1) -> None:
        self._tick = tick
        self._armed: dict[int, tuple[float, Any]] = {}  # id(connection) -> (deadline, connection)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.killed = 0  # connections cut off, for tests

    def arm(self, connection: Any, seconds: float) -> None:
        with self._lock:
            self._armed[id(connection)] = (time.monotonic() + seconds, connection)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="betgraph-db-watchdog", daemon=True)
                self._thread.start()

    def disarm(self, connection: Any) -> bool:
        """Lift the deadline; False when there was none left to lift: the connection was cut."""
        with self._lock:
            return self._armed.pop(id(connection), None) is not None

    def _watch(self) -> None:
        while True:
            time.sleep(self._tick)
            now = time.monotonic()
            with self._lock:
                late = [key for key, (deadline, _) in self._armed.items() if deadline <= now]
                for key in late:
                    _, connection = self._armed.pop(key)
                    # Under the lock: the connection cannot be disarmed (and so closed, and its
                    # descriptor reused) while its socket is being shut down.
                    self._cut(connection)

    def _cut(self, connection: Any) -> None:
        with contextlib.suppress(Exception):
            descriptor = connection.pgconn.socket
            # shutdown() reaches the socket behind every descriptor of it: the blocked read
            # returns at once. The duplicate is closed; the connection's own descriptor is
            # closed by its owner when it sees the error.
            duplicate = socket.dup(descriptor)
            try:
                owner = socket.socket(fileno=duplicate)
            except OSError:
                os.close(duplicate)  # not yet owned by a socket object, which would close it
                raise
            with owner:
                owner.shutdown(socket.SHUT_RDWR)
            self.killed += 1


WATCHDOG = Watchdog()
