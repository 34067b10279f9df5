"""The guard in front of every route: sizes, slow bodies and NUL bytes, before any route runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from app.config import Settings
from app.server import RequestGuard, create_app
from app.storage.migrate import upgrade


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the route must not run")


async def _reads_body(scope: Scope, receive: Receive, send: Send) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _call(app: Any, scope: dict[str, Any], chunks: list[Message], delay: float = 0.0) -> tuple[int, dict[str, Any]]:
    sent: list[Message] = []
    pending = list(chunks)

    async def receive() -> Message:
        if delay:
            await asyncio.sleep(delay)  # a client that trickles its body
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    base = {"type": "http", "method": "PUT", "path": "/api/graphs/x", "query_string": b"", "headers": []}
    asyncio.run(app({**base, **scope}, receive, send))
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body) if body.startswith(b"{") else {}


def test_a_declared_length_of_thousands_of_digits_is_too_large_not_an_error() -> None:
    guard = RequestGuard(_never_called, limit=1000, body_seconds=5)
    status, body = _call(guard, {"headers": [(b"content-length", b"9" * 5000)]}, [])
    assert status == 413
    assert body["title"] == "Request Entity Too Large"


def test_nul_in_the_path_or_the_query_is_refused_before_routing() -> None:
    guard = RequestGuard(_never_called, limit=1000, body_seconds=5)
    assert _call(guard, {"path": "/graphs/a\x00.svg"}, [])[0] == 400
    assert _call(guard, {"query_string": b"reason=%00"}, [])[0] == 400


def test_a_body_that_arrives_too_slowly_is_408() -> None:
    guard = RequestGuard(_reads_body, limit=1000, body_seconds=0.2)
    chunk: Message = {"type": "http.request", "body": b"x", "more_body": True}
    status, body = _call(guard, {}, [chunk] * 50, delay=0.05)
    assert status == 408
    assert "did not arrive" in body["detail"]
    assert _call(guard, {}, [{"type": "http.request", "body": b"x", "more_body": False}])[0] == 200


def test_an_item_body_over_the_limit_is_413_through_the_whole_app(tmp_path: Path) -> None:
    """FastAPI reads a JSON `Body()` itself and turns most errors into 400: the guard's must pass."""
    url = f"sqlite:///{tmp_path / 'guard.db'}"
    upgrade(url)
    app = create_app(Settings(database_url=url, max_body_bytes=1000))

    def chunks() -> Iterator[bytes]:  # no Content-Length: only counting the body finds it too large
        yield b'{"title": "'
        yield b"x" * 5000
        yield b'"}'

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.patch("/api/graphs/g/bets/b", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["title"] == "Request Entity Too Large"
