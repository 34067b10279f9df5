"""Warm pictures answered before routing, while the database has not changed since.

Wikis ask for the same few picture URLs over and over. Such a URL, asked without a query string
or an Authorization header, names its answer completely once the database's state and the day
are fixed. So the first answer (a 200) is kept by its path, beside the database version that
was current before it was made (`app.storage.changes`), and repeated as it is — or as a 304 —
while that version holds. Any write anywhere moves the version, and the next request goes
through the routes again, which read the database.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import tag_matches
from app.services.urls import PICTURE_PATH
from app.storage.changes import Changes

MAX_BODY = 8 << 20  # larger pictures are rare, and routing is cheap beside sending them
BUDGET = 64 << 20  # bytes of answers kept, least recently used first out


@dataclass(frozen=True, slots=True)
class _Answer:
    version: Hashable
    day: dt.date
    headers: list[tuple[bytes, bytes]]
    unchanged: list[tuple[bytes, bytes]]  # the same for a 304, which has no body to measure
    etag: bytes
    body: bytes


class FastPath:
    def __init__(self, app: ASGIApp, changes: Callable[[], Changes], budget: int = BUDGET) -> None:
        self.app = app
        self._changes = changes
        self._budget = budget
        self._held = 0
        self._answers: OrderedDict[tuple[str, bool], _Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0  # answers repeated without routing, for tests and benchmarks
        self._day: tuple[float, float, dt.date] = (0.0, 0.0, dt.date.min)  # [start, end) of the local day

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or scope["query_string"]:
            await self.app(scope, receive, send)
            return
        gzip, if_none_match = False, None
        for name, value in scope["headers"]:
            # The answer may depend on who asks (a token, or the viewer's sign-in): never kept by path.
            if name == b"authorization" or (name == b"cookie" and b"betgraph_token" in value):
                await self.app(scope, receive, send)
                return
            if name == b"accept-encoding":
                gzip = b"gzip" in value
            elif name == b"if-none-match":
                if_none_match = value
        key = (scope["path"], gzip)
        answer = self._answers.get(key)
        # Only picture paths are kept: a path found here needs no second look at its shape.
        if answer is None and not PICTURE_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        version = self._changes().version()
        if version is None:
            await self.app(scope, receive, send)
            return
        today = self._today()
        if answer is not None and answer.version == version and answer.day == today:
            self.hits += 1
            self._answers.move_to_end(key)  # recently used: the last to go
            await self._repeat(scope, answer, if_none_match, send)
            return
        await self._remember(scope, receive, send, key, version, today)

    def _today(self) -> dt.date:
        """dt.date.today(), read from the clock only when the local day may have turned (it costs a
        microsecond, a third of a repeated answer's own work)."""
        now = time.time()
        start, end, today = self._day
        if not start <= now < end:  # a new day, or a clock set back
            today = dt.date.today()
            midnight = dt.datetime.combine(today, dt.time.min)
            start = midnight.timestamp()
            end = (midnight + dt.timedelta(days=1)).timestamp()
            self._day = (start, end, today)
        return today

    async def _repeat(self, scope: Scope, answer: _Answer, if_none_match: bytes | None, send: Send) -> None:
        if if_none_match is not None and (
            # As a client sends it back, most often: the same bytes, with no list to read.
            if_none_match == answer.etag or tag_matches(if_none_match.decode("latin-1"), answer.etag.decode("latin-1"))
        ):
            await send({"type": "http.response.start", "status": 304, "headers": answer.unchanged})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": answer.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else answer.body})

    async def _remember(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[str, bool], version: Hashable, today: dt.date
    ) -> None:
        started: Message | None = None
        chunks: list[bytes] = []
        keep = scope["method"] == "GET"

        async def sending(message: Message) -> None:
            nonlocal started, keep
            if message["type"] == "http.response.start":
                started = message
                keep = keep and message["status"] == 200
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                keep = sum(len(chunk) for chunk in chunks) <= MAX_BODY
            await send(message)

        await self.app(scope, receive, sending)
        if not keep or started is None:
            return
        headers = [(bytes(name), bytes(value)) for name, value in started.get("headers", [])]
        named = dict(headers)
        etag = named.get(b"etag")
        if etag is None or b"no-store" in named.get(b"cache-control", b"") or b"set-cookie" in named:
            return
        unchanged = [(name, value) for name, value in headers if name != b"content-length"]
        answer = _Answer(version, today, headers, unchanged, etag, b"".join(chunks))
        with self._lock:
            old = self._answers.pop(key, None)
            self._held += len(answer.body) - (len(old.body) if old else 0)
            self._answers[key] = answer
            while self._held > self._budget and self._answers:
                _, dropped = self._answers.popitem(last=False)
                self._held -= len(dropped.body)
