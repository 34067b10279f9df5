"""Real server processes (`betgraph serve`) and commands, for what only separate processes and real
connections show: several workers, races, outages."""

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
from click.testing import CliRunner

from app.cli import cli
from app.config import settings
from tests.conftest import postgresql_database

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A database for a real server: a SQLite file in `folder`, or a PostgreSQL database of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'betgraph.db'}"
    else:
        with postgresql_database() as url:
            yield url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def betgraph(env: dict[str, str], *args: str, check: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`betgraph ARGS` on the database `env` names, answered as the command line answers it (exit
    code, stdout, stderr), run in this process by click's CliRunner: an interpreter's start for
    each command would cost the suite a minute. `command_line` runs the real one."""
    settings.cache_clear()  # read once per process: this command's environment, not the last one's
    unset: dict[str, str | None] = {key: None for key in ("DATABASE_URL", "BETGRAPH_DATA") if key not in env}
    try:
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(cli, list(args), env={**env, **unset})
    finally:
        settings.cache_clear()
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    done = subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
    if check and done.returncode != 0:
        raise AssertionError(f"betgraph {' '.join(args)} exited {done.returncode}: {done.stderr}")
    return done


def command_line(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The real `betgraph` command line, in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
    )


@contextlib.contextmanager
def serving(
    env: dict[str, str], *, workers: int = 1, log: Path | None = None, port: int | None = None
) -> Iterator[str]:
    """`betgraph serve` on `port` (else a free one) until the block ends; yields its base URL once it answers.

    `log` keeps the server's output (its tracebacks), for a test to show when an answer is a 5xx.
    """
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(log.open("wb")) if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=output,
        )
        # uvicorn restarts a worker slow to import on a busy machine: give it time for a second try.
        with running(process, f"{base}/healthz", what=f"the server on port {port}", seconds=60):
            yield base


@contextlib.contextmanager
def running(process: subprocess.Popen[bytes], url: str, *, what: str, seconds: float = 20) -> Iterator[None]:
    """Until the block ends, `process` (a server just started), once `url` answers 200 (it fails the
    test if that takes over `seconds` or the process ends); stopped afterwards, killed if it must be."""
    try:
        deadline = time.monotonic() + seconds
        while not _answers(url):
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"{what} did not start")
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx2.get(url, timeout=5).status_code == 200
    except httpx2.TransportError:
        return False
