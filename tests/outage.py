"""A TCP proxy in front of PostgreSQL that a test can break, the way networks and servers break.

`forward` passes bytes both ways. `refuse` is a server that went away: every connection is
reset, and new ones are closed as soon as they open. `blackhole` is a silent partition (a NAT
or firewall dropping packets): connections stay open, and nothing moves either way until the
proxy forwards again, when what was held is delivered (as TCP retransmits after a short
partition). `blackhole(listeners=True)` holds only the connections that sent a LISTEN, and
any that sends one later: the service's change listener, cut while its pool still works.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url


@dataclass(eq=False)
class _Link:
    client: asyncio.StreamWriter
    server: asyncio.StreamWriter | None = None
    listener: bool = False  # has sent a LISTEN: the service's change listener
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


class Proxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._mode = "forward"
        self._listeners_only = False
        self._links: set[_Link] = set()
        self.listens = 0  # connections that sent a LISTEN, ever
        self.sent = 0  # chunks sent to the server by connections that are not listeners
        self._loop = asyncio.new_event_loop()
        self._changed: asyncio.Condition | None = None
        self._server: asyncio.Server | None = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="outage-proxy", daemon=True)
        self._thread.start()
        if not started.wait(5):
            raise RuntimeError("the proxy did not start")

    def url(self, url: str) -> str:
        """`url` (of the target server) through this proxy."""
        return make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    @property
    def connections(self) -> int:
        return len(self._links)

    @property
    def listeners(self) -> int:
        return sum(link.listener for link in self._links)

    def forward(self) -> None:
        self._call(self._set("forward", listeners_only=False))

    def refuse(self) -> None:
        self._call(self._set("refuse", listeners_only=False))

    def blackhole(self, *, listeners: bool = False) -> None:
        self._call(self._set("blackhole", listeners_only=listeners))

    def close(self) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def _call(self, step: object) -> None:
        asyncio.run_coroutine_threadsafe(step, self._loop).result(5)  # type: ignore[arg-type]

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)

        async def listen() -> None:
            self._changed = asyncio.Condition()
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
            self.port = self._server.sockets[0].getsockname()[1]

        self._loop.run_until_complete(listen())
        started.set()
        self._loop.run_forever()

    def _held(self, link: _Link) -> bool:
        return self._mode == "blackhole" and (link.listener or not self._listeners_only)

    async def _set(self, mode: str, *, listeners_only: bool) -> None:
        assert self._changed is not None
        async with self._changed:
            self._mode, self._listeners_only = mode, listeners_only
            self._changed.notify_all()
        if mode == "refuse":
            for link in list(self._links):
                self._drop(link)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            self._drop(link)

    def _drop(self, link: _Link) -> None:
        self._links.discard(link)
        for writer in (link.client, link.server):
            if writer is not None:
                writer.transport.abort()  # a reset, as from a server that went away
        for task in link.tasks:
            task.cancel()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link = _Link(writer)
        if self._mode == "refuse":
            self._drop(link)
            return
        self._links.add(link)
        try:
            # A server behind a partition does not answer a new connection either.
            await self._open(link)
            server_reader, link.server = await asyncio.open_connection(*self.target)
        except (OSError, asyncio.CancelledError):
            self._drop(link)
            return
        if link not in self._links:  # refused meanwhile
            self._drop(link)
            return
        link.tasks = [
            asyncio.ensure_future(self._pump(link, reader, link.server, upstream=True)),
            asyncio.ensure_future(self._pump(link, server_reader, link.client, upstream=False)),
        ]

    async def _open(self, link: _Link) -> None:
        assert self._changed is not None
        async with self._changed:
            await self._changed.wait_for(lambda: not self._held(link))

    async def _pump(
        self, link: _Link, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, upstream: bool
    ) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while True:
                await self._open(link)
                data = await reader.read(1 << 16)
                if not data:
                    break
                if upstream and not link.listener and b"LISTEN " in data:
                    link.listener = True
                    self.listens += 1
                if upstream and not link.listener:
                    self.sent += 1
                # Read during a partition, or just before it began: delivered only once it ends.
                await self._open(link)
                writer.write(data)
                await writer.drain()
        self._drop(link)


@contextlib.contextmanager
def proxy_to(url: str) -> Iterator[Proxy]:
    """A proxy in front of the server of database `url`, closed afterwards."""
    parsed = make_url(url)
    proxy = Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
    try:
        yield proxy
    finally:
        proxy.close()
