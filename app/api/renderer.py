"""Drawing pictures for requests: one Graphviz run per picture, a bounded number at a time.

Fifty requests for the same uncached picture start one `dot` process: the first draws, the
others wait for its bytes. At most `slots` pictures are drawn at once, so a burst of expensive
renders cannot starve cheap requests; a request that waits longer than `wait` for a slot is
told the service is busy (503 with Retry-After) instead of hanging.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class BusyError(Exception):
    """Every render slot stayed busy for longer than a request may wait."""


class Renderer:
    def __init__(self, slots: int = 2, wait: float = 20.0) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._wait = wait
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}
        self.drawn = 0  # pictures actually drawn by this process, for tests and benchmarks

    def draw(self, key: str, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            return flight.result()
        try:
            if not self._slots.acquire(timeout=self._wait):
                raise BusyError("all render slots are busy")
            try:
                with self._lock:
                    self.drawn += 1
                flight.finish(make())
            finally:
                self._slots.release()
        except BaseException as error:
            flight.fail(error)
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
        return flight.result()


class _Flight:
    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: bytes | None = None
        self._error: BaseException | None = None

    def finish(self, value: bytes) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        if not self._done.is_set():
            self._error = error
            self._done.set()

    def result(self) -> bytes:
        self._done.wait()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value
