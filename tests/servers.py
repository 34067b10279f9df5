"""Real server processes (`betgraph serve`) for the tests that need one: several workers, outages."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def betgraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """A `betgraph` command in a process of its own, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )


@contextlib.contextmanager
def serving(env: dict[str, str], count: int = 1) -> Iterator[list[str]]:
    """`count` servers on `env`'s database, each answering /healthz; their base URLs."""
    processes: list[subprocess.Popen[bytes]] = []
    bases = []
    try:
        for _ in range(count):
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.monotonic() > deadline or processes[-1].poll() is not None:
                    pytest.fail("a server did not start")
                time.sleep(0.1)
            bases.append(base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
