"""A real webhook receiver for the tests and the benchmark: an HTTP server on 127.0.0.1 that checks
each delivery's signature with the `standardwebhooks` package, as a receiver would, and keeps it.

Each path is a receiver of its own (`/hooks/NAME`), whose secret is told to it once known
(`secrets[NAME]`), and which answers with the statuses queued for it (`answers[NAME]`), then 200.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Received:
    name: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived
    verified: bool
    status: int  # what was answered

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    url: str
    secrets: dict[str, str] = field(default_factory=dict)
    answers: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))
    retry_after: dict[str, int] = field(default_factory=dict)  # seconds a refusal asks for
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, name: str) -> str:
        return f"{self.url}/hooks/{name}"

    def of(self, name: str, *, ok: bool = True) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.name == name and (not ok or 200 <= r.status < 300)]

    def wait(self, test: Callable[[], bool], seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while not test():
            if time.monotonic() > deadline:
                with self.lock:
                    seen = [(r.name, r.status, r.body[:120]) for r in self.received[-5:]]
                    count = len(self.received)
                raise AssertionError(f"the receiver did not see it within {seconds} s; of {count}, the last: {seen}")
            time.sleep(0.02)


class _Server(ThreadingHTTPServer):
    # The listen backlog: socketserver's 5 drops the connections of a deliverer sending 8 at once,
    # and each dropped one is tried again by the client's kernel a second later.
    request_queue_size = 128
    daemon_threads = True


@contextmanager
def receiving() -> Iterator[Receiver]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            name = self.path.removeprefix("/hooks/").split("?")[0]
            headers = {key.lower(): value for key, value in self.headers.items()}
            verified = False
            secret = state.secrets.get(name)
            if secret is not None:
                try:
                    Webhook(secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
            with state.lock:
                queued = state.answers[name]
                status = queued.popleft() if queued else 200
                state.received.append(Received(name, headers, body, time.monotonic(), verified, status))
            self.send_response(status)
            if status >= 400 and name in state.retry_after:
                self.send_header("retry-after", str(state.retry_after[name]))
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    # shutdown() waits for the loop to look again: at the default half second, each test that used a
    # receiver waited that long to end.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    """`python -m tests.receiver PORT`: the receiver in a process of its own (the benchmark's, so that
    receiving does not share an interpreter with what it measures). `GET /received` lists what came:
    name, status, arrival (`time.monotonic()`, one clock for every process of the machine) and the
    `revision` its body names."""
    import sys  # noqa: PLC0415 - only when run as a program

    with receiving() as receiver:
        port = int(sys.argv[1])

        class Listing(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with receiver.lock:
                    found = [
                        {"name": r.name, "status": r.status, "at": r.at, "revision": _revision(r.body)}
                        for r in receiver.received
                    ]
                body = json.dumps({"url": receiver.url, "received": found}).encode()
                self.send_response(200)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        _Server(("127.0.0.1", port), Listing).serve_forever()


def _revision(body: bytes) -> int | None:
    try:
        found = json.loads(body).get("data", {}).get("revision")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, int) else None


if __name__ == "__main__":
    main()
