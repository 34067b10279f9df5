"""Drawing pictures for requests: one Graphviz run per picture, a bounded number at a time.

Fifty requests for the same uncached picture start one `dot` process: within a process the first
draws and the others wait for its result; across processes (several workers, several machines on
one PostgreSQL) the first takes a lock named by the picture (`app.services.locks`), and whoever gets
the lock after it looks in the shared render cache again before drawing. At most `slots` pictures
are drawn at once, so a burst of expensive renders cannot starve cheap requests; a request that
waits longer than `wait` for a slot or for another worker's lock is told the service is busy (503
with Retry-After) instead of hanging.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar, cast

from app.services.errors import BusyError
from app.services.locks import Locks, LockTimeoutError, ProcessLocks

T = TypeVar("T")
DRAWING_NICENESS = 10
_MAX_FAILURES = 1000


class Renderer:
    def __init__(
        self,
        slots: int = 2,
        wait: float = 20.0,
        locks: Locks | None = None,
        patience: float = 120.0,
        *,
        remember: tuple[type[Exception], ...] = (),
        remember_for: float = 600.0,
    ) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        # Drawing (and the Python work around Graphviz) runs in threads of lower CPU priority than
        # those answering requests: while cold pictures are drawn, warm ones keep their rate.
        self._drawers = ThreadPoolExecutor(slots, thread_name_prefix="betgraph-draw", initializer=_yield_cpu)
        self._wait = wait
        # How long a request waits for another request's drawing: the leader's own waits, plus
        # Graphviz's timeout and the conversion after it.
        self._patience = patience
        self._locks = locks or ProcessLocks()
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight[Any]] = {}
        self.drawn = 0  # pictures actually drawn by this process, for tests and benchmarks
        # A drawing that failed (too large, Graphviz's timeout) fails again for the same input: it
        # is remembered for a while, so that requests for it cannot keep every slot busy and
        # starve other graphs' pictures. Keys name their input exactly (a hash of the DOT).
        self._remember = remember
        self._remember_for = remember_for
        # Kept as class and message, not the exception: its traceback holds the whole input.
        self._failures: dict[str, tuple[float, type[Exception], tuple[Any, ...]]] = {}

    def draw(self, key: str, make: Callable[[], T], stored: Callable[[], T | None] | None = None) -> T:
        """`make()`'s result for `key`, made once however many ask at once.

        `stored` looks the result up where another worker would have put it; it is asked once the
        cross-process lock is held, so a picture drawn meanwhile elsewhere is not drawn again.
        `make` must put its result there before it returns.
        """
        with self._lock:
            failed = self._failures.get(key)
            if failed is not None:
                until, kind, args = failed
                if until > time.monotonic():
                    raise kind(*args)
                del self._failures[key]
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight[Any]()
        if not leader:
            return cast(T, flight.result(self._patience))
        try:
            value = self._lead(key, make, stored)
            flight.finish(value)
        except BaseException as error:
            if isinstance(error, self._remember):
                self._note_failure(key, error)
            flight.fail(error)
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
        return value

    def _note_failure(self, key: str, error: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            if len(self._failures) >= _MAX_FAILURES:  # drop what has expired, else the oldest
                expired = [k for k, (until, _, _) in self._failures.items() if until <= now]
                for old in expired or [next(iter(self._failures))]:
                    del self._failures[old]
            self._failures[key] = (now + self._remember_for, type(error), error.args)

    def _lead(self, key: str, make: Callable[[], T], stored: Callable[[], T | None] | None) -> T:
        try:
            with self._locks.hold(key, self._wait):
                found = stored() if stored is not None else None
                if found is not None:
                    return found
                if not self._slots.acquire(timeout=self._wait):
                    raise BusyError("all render slots are busy")
                try:
                    with self._lock:
                        self.drawn += 1
                    return self._drawers.submit(make).result()
                finally:
                    self._slots.release()
        except LockTimeoutError as error:
            raise BusyError(str(error)) from None


def _yield_cpu() -> None:
    # Linux keeps a niceness per thread; elsewhere this may apply to the process, or not at all.
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), min(19, own + DRAWING_NICENESS))


class _Flight(Generic[T]):
    def __init__(self) -> None:
        self._done = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def finish(self, value: T) -> None:
        self._value = value
        self._done.set()

    def fail(self, error: BaseException) -> None:
        if not self._done.is_set():
            self._error = error
            self._done.set()

    def result(self, patience: float) -> T:
        if not self._done.wait(patience):
            raise BusyError("another request's drawing of this picture is taking too long")
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value
