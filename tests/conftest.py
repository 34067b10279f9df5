"""Databases for tests: every test that touches storage runs on SQLite and on PostgreSQL.

Each backend is migrated once per run with Alembic (so the migrations are exercised), and each
test runs inside a transaction that is rolled back: the code under test commits to savepoints.
PostgreSQL tests use a database of their own, created here and dropped at the end; they skip,
with the reason, only where no server is reachable.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.storage.db import make_engine
from app.storage.migrate import upgrade

POSTGRES_ADMIN = os.environ.get("BETGRAPH_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def postgresql_database() -> Iterator[str]:
    """A database of its own on the PostgreSQL server, dropped afterwards; skips where none runs."""
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"betgraph_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach the server
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}: {type(error).__name__}")
    try:
        yield make_url(POSTGRES_ADMIN).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """A database for a real server: a SQLite file in `folder`, or a PostgreSQL database of its own."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'data' / 'betgraph.db'}"
    else:
        with postgresql_database() as url:
            yield url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    with postgresql_database() as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'betgraph.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with engine.connect() as connection:
        transaction = connection.begin()
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
            yield session
        transaction.rollback()


# Real servers, for what only separate processes and real connections show (several workers, races).


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def betgraph(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The `betgraph` command, as a person would run it, on the database `env` names."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )


@contextlib.contextmanager
def serving(env: dict[str, str], *, workers: int = 1, log: Path | None = None) -> Iterator[str]:
    """`betgraph serve` on a free port until the block ends; yields its base URL once it answers.

    `log` keeps the server's output (its tracebacks), for a test to show when an answer is a 5xx.
    """
    port = free_port()
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
        try:
            # uvicorn restarts a worker slow to import on a busy machine: give it time for a second try.
            deadline = time.monotonic() + 60
            while not _healthy(base):
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"the server on port {port} did not start")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(base: str) -> bool:
    try:
        return httpx2.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx2.TransportError:
        return False
