"""A client that does not finish its headers is cut off; one that does is served as ever."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.servers import serving


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder: Path = tmp_path_factory.mktemp("serving")
    env = os.environ | {"DATABASE_URL": f"sqlite:///{folder / 'betgraph.db'}", "BETGRAPH_HEADER_TIMEOUT": "1"}
    with serving(env) as base:
        address = urlsplit(base)
        assert address.hostname is not None
        assert address.port is not None
        yield address.hostname, address.port


def _closed_within(connection: socket.socket, seconds: float) -> float | None:
    """Seconds until the server closed the connection, reading whatever it sends; None if it did not."""
    started = time.monotonic()
    connection.settimeout(0.2)
    while time.monotonic() - started < seconds:
        try:
            if connection.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
    return None


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b"GET /heal"])
def test_headers_that_never_end_are_cut_off(server: tuple[str, int], sent: bytes) -> None:
    with socket.create_connection(server) as connection:
        connection.sendall(sent)
        waited = _closed_within(connection, 6)
    assert waited is not None, "the server kept a connection open that never sent its headers"


def _answer(connection: socket.socket) -> bytes:
    received = b""
    while not received.endswith(b'{"status":"ok"}'):
        chunk = connection.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def test_a_client_that_sends_its_headers_is_answered(server: tuple[str, int]) -> None:
    with socket.create_connection(server) as connection:
        connection.settimeout(5)
        for _ in range(2):  # the same connection, kept alive between requests
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _answer(connection).startswith(b"HTTP/1.1 200")
